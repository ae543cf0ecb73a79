"""Combining estimates of a cross section: pooling samples of one distribution is unbiased even for heavy-tailed
weights, where the inverse-variance average is biased low (small samples that miss the tail look precise)."""

from __future__ import annotations

import numpy as np
import pytest

from madnis_py.integrator import IntegrationResult


def test_pool_of_batches_equals_the_whole_sample():
    rng = np.random.default_rng(2)
    w = rng.exponential(size=10_000)
    parts = [IntegrationResult.from_weights(b) for b in np.split(w, [100, 1_500, 6_000])]
    pooled, whole = IntegrationResult.pool(parts), IntegrationResult.from_weights(w)
    assert pooled.value == pytest.approx(whole.value, rel=1e-12)
    assert pooled.error == pytest.approx(whole.error, rel=1e-3)
    assert pooled.n_eval == 10_000


def test_pool_is_unbiased_where_inverse_variance_is_not():
    """Pareto weights (tail index 2.5, mean 5/3): 2000 repetitions of 50 batches of 200 points each."""
    rng = np.random.default_rng(7)
    pooled, inverse_variance = [], []
    for _ in range(2000):
        batches = [IntegrationResult.from_weights(rng.pareto(2.5, 200) + 1.0) for _ in range(50)]
        pooled.append(IntegrationResult.pool(batches).value)
        inverse_variance.append(IntegrationResult.combine(batches).value)
    exact, error = 2.5 / 1.5, np.std(pooled) / np.sqrt(len(pooled))
    assert abs(np.mean(pooled) - exact) < 4 * error
    assert np.mean(inverse_variance) < exact - 10 * error
