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
