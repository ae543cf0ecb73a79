"""The event record of coloured processes, end to end: `madnis-py launch processes/{pp_tt,gg_ttg,pp_ttj}
--format lhe,hepmc`, read back with readers nobody here wrote (pylhe, lhereader, pyhepmc): every field valid,
colour lines opened and closed once, the mean weight equal to the cross section of <init>, the same momenta in
HepMC3."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from madnis_py.run import RunOptions, launch
from refdata_paths import PROJECT_ROOT

pylhe = pytest.importorskip("pylhe")
pyhepmc = pytest.importorskip("pyhepmc")

QUARKS = {1, 2, 3, 4, -1, -2, -3, -4}
#: catalogue entry -> (events, the partons each event may hold); pp_ttj has 106 channels in 19 subprocess groups
CASES = {"pp_tt": (2000, {21, 6, -6} | QUARKS), "gg_ttg": (1000, {21, 6, -6}), "pp_ttj": (1000, {21, 6, -6} | QUARKS)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for name, (n, _) in CASES.items():
        path = tmp_path_factory.mktemp(name)
        launch(RunOptions(process=PROJECT_ROOT / "processes" / name, settings=(f"nevents={n}",), seed=5,
                          output=path, force=True, verbose=False, formats=("lhe", "hepmc"), plots=False))
        out[name] = path
    return out


def read_pylhe(path):
    lhe = pylhe.LHEFile.fromfile(str(path))
    events = list(lhe.events)
    fields = {
        "pdg": [[p.id for p in e.particles] for e in events],
        "status": [[p.status for p in e.particles] for e in events],
        "mothers": [[[p.mother1, p.mother2] for p in e.particles] for e in events],
        "colour": [[[p.color1, p.color2] for p in e.particles] for e in events],
        "momenta": [[[p.e, p.px, p.py, p.pz] for p in e.particles] for e in events],
        "mass": [[p.m for p in e.particles] for e in events],
        "spin": [[p.spin for p in e.particles] for e in events],
        "weight": [e.eventinfo.weight for e in events],
        "scale": [e.eventinfo.scale for e in events],
        "aqcd": [e.eventinfo.aqcd for e in events],
        "pid": [e.eventinfo.pid for e in events],
    }
    return lhe.init, {k: np.array(v) for k, v in fields.items()}


@pytest.mark.parametrize("name", CASES)
def test_every_lhe_field_is_valid(runs, name):
    n, partons = CASES[name]
    init, ev = read_pylhe(runs[name] / "events.lhe.gz")
    result = json.loads((runs[name] / "results.json").read_text())
    assert ev["pdg"].shape == (n, len(ev["pdg"][0]))
    assert set(np.unique(ev["pdg"])) <= partons
    assert np.all(ev["status"][:, :2] == -1) and np.all(ev["status"][:, 2:] == 1)
    assert np.all(ev["mothers"][:, :2] == 0) and np.all(ev["mothers"][:, 2:] == [1, 2])
    p = ev["momenta"]
    balance = p[:, :2].sum(axis=1) - p[:, 2:].sum(axis=1)
    assert np.all(np.abs(balance) <= 1e-8 * p[:, :2, 0].sum(axis=1, keepdims=True))
    mass2 = p[..., 0] ** 2 - (p[..., 1:] ** 2).sum(-1)
    assert np.all(np.abs(mass2 - ev["mass"] ** 2) <= 1e-8 * p[..., 0] ** 2)
    assert set(np.unique(ev["spin"])) <= {-1.0, 1.0}
    assert np.all(ev["scale"] > 0) and np.all((ev["aqcd"] > 0.05) & (ev["aqcd"] < 0.2))
    # <init>: the processes' cross sections add up to the run's, and the mean weight is that cross section
    sigma = sum(proc.xSection for proc in init.procInfo)
    assert sigma == pytest.approx(result["cross_section_pb"], rel=1e-6)
    assert np.mean(ev["weight"]) == pytest.approx(sigma, rel=1e-6)
    assert set(np.unique(ev["pid"])) <= {proc.procId for proc in init.procInfo}


@pytest.mark.parametrize("name", CASES)
def test_every_colour_line_opens_and_closes_once(runs, name):
    _, ev = read_pylhe(runs[name] / "events.lhe.gz")
    pdg, tags = ev["pdg"], ev["colour"]
    outgoing = tags.copy()
    outgoing[:, :2] = tags[:, :2, ::-1]  # incoming colour = outgoing anticolour
    sign = np.where(np.arange(pdg.shape[1]) < 2, -1, 1) * np.sign(pdg)
    quark = (np.abs(pdg) <= 6) & (sign > 0)
    antiquark = (np.abs(pdg) <= 6) & (sign < 0)
    gluon = pdg == 21
    assert np.array_equal(outgoing[..., 0] > 0, quark | gluon)
    assert np.array_equal(outgoing[..., 1] > 0, antiquark | gluon)
    for row in outgoing:
        opened, closed = row[:, 0][row[:, 0] > 0], row[:, 1][row[:, 1] > 0]
        assert sorted(opened) == sorted(closed) and len(set(opened)) == len(opened), row
        assert opened.min() == 501
    assert len({tuple(map(tuple, t)) for t in tags}) > 1  # the flow is drawn per event


@pytest.mark.parametrize("name", CASES)
def test_lhereader_sees_the_same_events(runs, name):
    lhereader = pytest.importorskip("lhereader")
    _, ev = read_pylhe(runs[name] / "events.lhe.gz")
    with gzip.open(runs[name] / "events.lhe.gz", "rt") as fh:
        events = list(lhereader.LHEReader(fh))
    assert len(events) == len(ev["pdg"])
    pdg = np.array([[q.pdgid for q in e.particles] for e in events])
    momenta = np.array([[[q.energy, q.px, q.py, q.pz] for q in e.particles] for e in events])
    np.testing.assert_array_equal(pdg, ev["pdg"])
    np.testing.assert_allclose(momenta, ev["momenta"], rtol=0, atol=1e-9 * ev["momenta"][..., 0].max())


@pytest.mark.parametrize("name", CASES)
def test_hepmc_holds_the_same_momenta(runs, name):
    _, ev = read_pylhe(runs[name] / "events.lhe.gz")
    with pyhepmc.open(runs[name] / "events.hepmc") as f:
        events = list(f)
    assert len(events) == len(ev["pdg"])
    for k in range(0, len(events), 97):
        particles = events[k].particles
        incoming = [q for q in particles if q.status == 21]  # the partons; the beams are status 4
        final = [q for q in particles if q.status == 1]
        got = np.array([[q.momentum.e, q.momentum.px, q.momentum.py, q.momentum.pz] for q in incoming + final])
        assert [q.pid for q in incoming + final] == list(ev["pdg"][k])
        np.testing.assert_allclose(got, ev["momenta"][k], rtol=1e-9, atol=1e-9)
