"""End to end: `madnis-py launch processes/ee_mumu` against MadGraph's cross sections, and its LHE file
read back with two readers nobody here wrote (lhereader, pylhe)."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pytest

from madnis_py.run import RunOptions, launch
from refdata_paths import PROJECT_ROOT, madgraph_cross_section

EE_MUMU = PROJECT_ROOT / "processes" / "ee_mumu"
NO_CUTS = ("ptl=0", "etal=-1", "drll=0")
Z_POLE = ("ebeam1=45.594", "ebeam2=45.594")
#: The four e+e- setups of the reference table, as --set arguments on top of the catalogue's defaults.
SETUPS = {
    "ee_mumu__run_sqrts1000": (),
    "ee_mumu__run_sqrts1000_nocuts": NO_CUTS,
    "ee_mumu__run_sqrts91p188": Z_POLE,
    "ee_mumu__run_sqrts91p188_nocuts": Z_POLE + NO_CUTS,
}



@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for run_id, settings in SETUPS.items():
        path = tmp_path_factory.mktemp(run_id)
        launch(RunOptions(process=EE_MUMU, settings=settings + ("nevents=10000",), seed=11, output=path,
                          force=True, verbose=False))
        out[run_id] = path
    return out


@pytest.mark.parametrize("run_id", SETUPS)
def test_cross_section_matches_madgraph(runs, run_id):
    result = json.loads((runs[run_id] / "results.json").read_text())
    sigma, error = result["cross_section_pb"], result["cross_section_error_pb"]
    mg_sigma, mg_error = madgraph_cross_section(run_id)
    assert error / sigma <= 2e-3
    # MadGraph's table rounds sigma to 4 significant digits: add half a unit of the last digit to its error.
    rounding = 0.5 * 10 ** (math.floor(math.log10(mg_sigma)) - 3)
    assert abs(sigma - mg_sigma) <= 2 * math.hypot(error, mg_error, rounding), (sigma, error, mg_sigma, mg_error)
    for key in ("n_events", "unweighting_efficiency", "seed", "timings_s"):
        assert key in result
    assert result["n_events"] == 10000 and result["seed"] == 11


def test_lhe_reads_back_with_pylhe(runs):
    pylhe = pytest.importorskip("pylhe")
    path = runs["ee_mumu__run_sqrts1000"] / "events.lhe.gz"
    result = json.loads((path.parent / "results.json").read_text())
    lhe = pylhe.LHEFile.fromfile(str(path))
    assert lhe.init.initInfo.energyA == 500.0 and lhe.init.initInfo.beamA == -11
    assert lhe.init.procInfo[0].xSection == pytest.approx(result["cross_section_pb"], rel=1e-6)
    momenta, pdg, weights, spins = [], [], [], []
    for event in lhe.events:
        momenta.append([[p.px, p.py, p.pz, p.e, p.m] for p in event.particles])
        spins.append([p.spin for p in event.particles])
        pdg.append([p.id for p in event.particles])
        weights.append(event.eventinfo.weight)
    momenta = np.array(momenta)
    assert momenta.shape == (10000, 4, 5)
    assert np.all(np.array(pdg) == [-11, 11, -13, 13])
    balance = momenta[:, 0, :4] + momenta[:, 1, :4] - momenta[:, 2, :4] - momenta[:, 3, :4]
    assert np.all(np.abs(balance) <= 1e-6 * momenta[:, :2, 3].sum(axis=1, keepdims=True))
    mass2 = momenta[:, :, 3] ** 2 - (momenta[:, :, :3] ** 2).sum(-1)
    # on shell: E^2 - p^2 = m^2 to the precision of 11 written digits (E = 500 GeV)
    assert np.all(np.abs(mass2 - momenta[:, :, 4] ** 2) <= 1e-6 * momenta[:, :, 3] ** 2)
    assert np.mean(weights) == pytest.approx(result["cross_section_pb"], rel=1e-6)
    # Massless fermions at vector vertices: helicity is conserved along each fermion line, so the
    # annihilating e+ e- and the produced mu+ mu- have opposite helicities in every event.
    spins = np.array(spins)
    assert set(np.unique(spins)) == {-1.0, 1.0}
    assert np.all(spins[:, 0] == -spins[:, 1]) and np.all(spins[:, 2] == -spins[:, 3])


def test_lhe_reads_back_with_lhereader(runs):
    lhereader = pytest.importorskip("lhereader")
    path = runs["ee_mumu__run_sqrts91p188"] / "events.lhe.gz"
    with gzip.open(path, "rt") as fh:
        events = list(lhereader.LHEReader(fh))
    assert len(events) == 10000
    for event in events[:2000]:
        p = [part for part in event.particles]
        assert [q.pdgid for q in p] == [-11, 11, -13, 13]
        total_in = np.array([p[0].energy + p[1].energy, p[0].px + p[1].px, p[0].py + p[1].py, p[0].pz + p[1].pz])
        total_out = np.array([p[2].energy + p[3].energy, p[2].px + p[3].px, p[2].py + p[3].py, p[2].pz + p[3].pz])
        assert np.all(np.abs(total_in - total_out) <= 1e-6 * total_in[0])
        assert total_in[0] == pytest.approx(91.188, rel=1e-9)
