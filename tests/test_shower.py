"""Pythia 8 showers the LHE events into HepMC3: 1000 e+ e- > mu+ mu- events (colourless) read back whole;
1000 p p > t t~ events (colour flows from the LHE record); clear errors otherwise."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from madnis_py.errors import UserError
from madnis_py.output.shower import shower_lhe
from madnis_py.run import RunOptions, launch
from refdata_paths import PROJECT_ROOT

pyhepmc = pytest.importorskip("pyhepmc")
pytest.importorskip("pythia8mc")
pylhe = pytest.importorskip("pylhe")


@pytest.fixture(scope="module")
def ee_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ee_shower")
    launch(RunOptions(process=PROJECT_ROOT / "processes" / "ee_mumu", settings=("nevents=1000",), seed=3,
                      output=out, force=True, verbose=False, shower="pythia8", plots=False))
    return out


def four_momentum(p) -> np.ndarray:
    m = p.momentum
    return np.array([m.e, m.px, m.py, m.pz])


def test_ee_mumu_showered_events_read_back(ee_run):
    lhe_weights = [e.eventinfo.weight for e in pylhe.LHEFile.fromfile(str(ee_run / "events.lhe.gz")).events]
    with pyhepmc.open(ee_run / "events_showered.hepmc") as f:
        events = list(f)
    assert len(events) == 1000
    assert events[0].run_info.weight_names == ["Weight"]
    for event, weight in zip(events, lhe_weights):
        assert event.weights[0] == pytest.approx(weight, rel=1e-7)
        beams = [p for p in event.particles if p.status == 4]
        final = [p for p in event.particles if p.status == 1]
        assert sorted(p.pid for p in beams) == [-11, 11]
        # no lepton PDFs: the final state carries the beams' whole four-momentum
        np.testing.assert_allclose(sum(four_momentum(p) for p in final), sum(four_momentum(p) for p in beams),
                                   atol=1e-3)
        assert {13, -13} <= {p.pid for p in final}
        assert all(p.production_vertex is not None for p in final)
    assert events[-1].cross_section.xsec() == pytest.approx(np.mean(lhe_weights), rel=1e-6)


def test_missing_pythia_is_a_user_error(ee_run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pythia8mc", None)  # import now raises ImportError
    with pytest.raises(UserError, match="pythia8mc"):
        shower_lhe(ee_run / "events.lhe.gz", tmp_path / "s.hepmc", seed=1)
    assert not any(tmp_path.iterdir())


def test_unknown_pythia_setting_is_a_user_error(ee_run, tmp_path):
    with pytest.raises(UserError, match="PartonLevel:MPIs"):
        shower_lhe(ee_run / "events.lhe.gz", tmp_path / "s.hepmc", seed=1, settings=("PartonLevel:MPIs = off",))
    assert not any(tmp_path.iterdir())


def test_pp_tt_showered_events_read_back(tmp_path):
    """About 50 s: Pythia's hadronisation of 1000 t t~ events and their conversion (~2000 entries each)."""
    out = tmp_path / "pp_tt"
    launch(RunOptions(process=PROJECT_ROOT / "processes" / "pp_tt", settings=("nevents=1000",), seed=3,
                      output=out, verbose=False, shower="pythia8", plots=False))
    with pyhepmc.open(out / "events_showered.hepmc") as f:
        events = list(f)
    assert len(events) >= 990
    for event in events[:50]:
        final = [p for p in event.particles if p.status == 1]
        assert not any(abs(p.pid) <= 6 or p.pid == 21 for p in final)  # hadronised: no free partons
        assert any(abs(p.pid) == 6 for p in event.particles)
