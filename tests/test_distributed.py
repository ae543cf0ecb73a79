"""Generation on a local Dask cluster: the parts merge into exactly the requested events, none repeated."""

import numpy as np
import pytest

pytest.importorskip("dask.distributed")

import madnis_py  # noqa: E402
from madnis_py.distributed import generate_distributed  # noqa: E402


def test_two_workers_merge_into_distinct_events():
    gen = madnis_py.EventGenerator.from_process("e+ e- > mu+ mu-", seed=5)
    xs = gen.integrate(target_relative_error=2e-3)
    record, efficiency = generate_distributed(gen, 1001, workers=2, log=lambda *a: None)
    assert record.n_events == 1001
    # distinct seeds: no event appears twice
    assert len(np.unique(record.momenta[:, 2, 1:], axis=0)) == 1001
    assert record.weights.mean() == pytest.approx(xs.value, rel=1e-12)
    assert 0 < efficiency <= 1
    np.testing.assert_allclose(record.momenta[:, :2].sum(axis=1), record.momenta[:, 2:].sum(axis=1), atol=1e-9)


def test_launch_with_two_workers_integrates_and_generates_on_them(tmp_path):
    # the integration sample is drawn on the workers (a share each, own seeds) and gives the cross section and the
    # events, as a local launch: the merged file holds exactly the events asked for, none repeated
    pylhe = pytest.importorskip("pylhe")
    from madnis_py.run import RunOptions, launch
    from refdata_paths import PROJECT_ROOT, madgraph_cross_section

    mg_sigma, mg_error = madgraph_cross_section("ee_mumu__run_sqrts1000")  # MadGraph's default cuts
    result = launch(RunOptions(process=PROJECT_ROOT / "processes" / "ee_mumu", settings=("nevents=2000",), seed=3,
                               output=tmp_path / "run", workers=2, plots=False, verbose=False))
    events = list(pylhe.LHEFile.fromfile(str(tmp_path / "run" / "events.lhe.gz")).events)
    muon = np.array([[p.px, p.py, p.pz] for e in events for p in e.particles if p.id == 13])
    assert result.n_events == len(events) == len(np.unique(muon, axis=0)) == 2000
    xs = result.cross_section
    assert abs(xs.value - mg_sigma) < 3 * np.hypot(xs.error, mg_error) and xs.relative_error < 0.01
