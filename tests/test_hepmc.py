"""HepMC3 output: the same events as the LHE file (read back with pyhepmc and pylhe, which nobody here wrote),
laid out as Pythia writes a parton-level event; a failed write leaves nothing behind."""

from __future__ import annotations

import errno
import json

import numpy as np
import pytest

import madnis_py.output.atomic as atomic
from madnis_py.output.hepmc import HepMCRunInfo, hepmc_status, write_hepmc
from madnis_py.output.lhe import LHEEvents
from madnis_py.run import RunOptions, launch
from full_disk import FullDisk
from refdata_paths import PROJECT_ROOT

pyhepmc = pytest.importorskip("pyhepmc")
pylhe = pytest.importorskip("pylhe")


@pytest.fixture(scope="module", params=["ee_mumu", "pp_tt"])
def run_dir(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    launch(RunOptions(process=PROJECT_ROOT / "processes" / request.param, settings=("nevents=300",), seed=5,
                      output=out, force=True, verbose=False, formats=("lhe", "hepmc"), plots=False))
    return out


def read_hepmc(path):
    with pyhepmc.open(path) as f:
        return [event for event in f]


def test_hepmc_holds_the_lhe_events(run_dir):
    lhe = pylhe.LHEFile.fromfile(str(run_dir / "events.lhe.gz"))
    lhe_events = list(lhe.events)
    hep_events = read_hepmc(run_dir / "events.hepmc")
    assert len(hep_events) == len(lhe_events) == 300
    beams = lhe.init.initInfo
    for number, (le, he) in enumerate(zip(lhe_events, hep_events)):
        assert he.event_number == number
        particles = he.particles
        assert [p.status for p in particles[:2]] == [4, 4]
        assert [p.pid for p in particles[:2]] == [int(beams.beamA), int(beams.beamB)]
        assert particles[0].momentum.e == pytest.approx(beams.energyA)
        assert particles[0].momentum.pz > 0 > particles[1].momentum.pz
        assert len(particles) == 2 + len(le.particles)
        for lp, hp in zip(le.particles, particles[2:]):
            assert hp.pid == int(lp.id)
            assert hp.status == {-1: 21, 1: 1, 2: 22}[int(lp.status)]
            # the LHE file carries 11 significant digits
            mom = hp.momentum
            np.testing.assert_allclose([mom.px, mom.py, mom.pz, mom.e], [lp.px, lp.py, lp.pz, lp.e],
                                       rtol=1e-9, atol=1e-8)
            assert hp.generated_mass == pytest.approx(lp.m, rel=1e-9, abs=1e-9)
        # weights: LHE writes 8 significant digits
        assert he.weights[0] == pytest.approx(le.eventinfo.weight, rel=1e-7)
        assert int(str(he.attributes["signal_process_id"])) == int(le.eventinfo.pid)
        assert float(str(he.attributes["alphaQCD"])) == pytest.approx(le.eventinfo.aqcd, rel=1e-7)
        assert float(str(he.attributes["event_scale"])) == pytest.approx(le.eventinfo.scale, rel=1e-7)


def test_hepmc_tree_and_run_info(run_dir):
    result = json.loads((run_dir / "results.json").read_text())
    events = read_hepmc(run_dir / "events.hepmc")
    assert events[0].run_info.weight_names == ["Weight"]
    assert events[0].run_info.tools[0].name == "madnis-py"
    for event in events[:50]:
        xs = event.cross_section
        assert xs.xsec() == pytest.approx(result["cross_section_pb"], rel=1e-8)
        assert xs.xsec_err() == pytest.approx(result["cross_section_error_pb"], rel=1e-8)
        beams, partons, outgoing = event.particles[:2], event.particles[2:4], event.particles[4:]
        for beam, parton in zip(beams, partons):
            assert [p.id for p in beam.children] == [parton.id]
        hard = outgoing[0].production_vertex
        assert sorted(p.id for p in hard.particles_in) == sorted(p.id for p in partons)
        assert all(p.production_vertex.id == hard.id for p in outgoing)
        total_in = sum((np.array([p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz]) for p in partons))
        total_out = sum((np.array([p.momentum.e, p.momentum.px, p.momentum.py, p.momentum.pz]) for p in outgoing))
        np.testing.assert_allclose(total_out, total_in, atol=1e-6 * total_in[0])


def synthetic_record(n: int = 3) -> LHEEvents:
    """u u~ > z > e+ e- with the Z as an intermediate resonance and colour tags on the quarks."""
    momenta = np.zeros((n, 5, 4))
    momenta[:, 0] = [45.6, 0, 0, 45.6]
    momenta[:, 1] = [45.6, 0, 0, -45.6]
    momenta[:, 2] = [91.2, 0, 0, 0]
    momenta[:, 3] = [45.6, 45.6, 0, 0]
    momenta[:, 4] = [45.6, -45.6, 0, 0]
    mothers = np.array([[0, 0], [0, 0], [1, 2], [3, 3], [3, 3]])
    colour = np.array([[501, 0], [0, 501], [0, 0], [0, 0], [0, 0]])
    return LHEEvents(
        pdg=np.tile([2, -2, 23, -11, 11], (n, 1)), status=np.tile([-1, -1, 2, 1, 1], (n, 1)),
        mothers=np.tile(mothers, (n, 1, 1)), colour=np.tile(colour, (n, 1, 1)), momenta=momenta,
        masses=np.tile([0, 0, 91.2, 0, 0.0], (n, 1)), helicities=np.full((n, 5), 9.0),
        weights=np.full(n, 1234.5), scale=np.full(n, 91.2), alpha_qed=np.full(n, 1 / 132.5),
        alpha_s=np.full(n, 0.13), process_id=np.ones(n, dtype=int),
    )


INFO = HepMCRunInfo(beam_pdg=(2212, 2212), beam_energy=(6500.0, 6500.0), cross_section_pb=1234.5,
                    cross_section_error_pb=1.5, version="test")


def test_resonance_gets_its_decay_vertex_and_colours_become_flows(tmp_path):
    path = tmp_path / "z.hepmc"
    write_hepmc(path, synthetic_record(), INFO)
    event = read_hepmc(path)[0]
    u, ubar, z, positron, electron = event.particles[2:]
    assert [p.status for p in event.particles] == [4, 4, 21, 21, 22, 1, 1]
    assert z.production_vertex.id == u.end_vertex.id == ubar.end_vertex.id
    assert positron.production_vertex.id == electron.production_vertex.id == z.end_vertex.id
    assert int(str(u.attributes["flow1"])) == 501 and int(str(ubar.attributes["flow2"])) == 501
    assert "flow1" not in z.attributes
    assert event.particles[0].momentum.pz == pytest.approx(np.sqrt(6500.0**2 - 0.93827208816**2))


def test_hepmc_status_codes():
    np.testing.assert_array_equal(hepmc_status(np.array([-1, 1, 2, 3])), [21, 1, 22, 3])


def test_full_disk_leaves_no_hepmc_file(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic.os, "fdopen", lambda fd, mode="wb": FullDisk(fd, room=2000))
    with pytest.raises(OSError) as info:
        write_hepmc(tmp_path / "events.hepmc", synthetic_record(200), INFO)
    assert info.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []
