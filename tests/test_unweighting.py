"""Unweighting: robust maximum weight, MadGraph's overweight treatment, exact event counts.

Every statistical test is seeded; tolerances are stated in units of the standard deviation
computed in the test, and are wide (5 sigma) so that they hold for any seed, not just this one.
"""

from __future__ import annotations

import numpy as np
import pytest

from madnis_py.unweighting import UnweightResult, choose_joint_w_max, choose_w_max, select_exact, unweight


def _heavy_tailed_weights(rng: np.random.Generator, n: int) -> np.ndarray:
    """Weights like those of a poorly adapted integrator: log-normal with a long tail, pb."""
    return 0.3 * np.exp(rng.normal(0.0, 1.2, size=n))


def test_uniform_weights_efficiency_and_w_max():
    """Uniform weights on [0, 1]: mean 1/2, so efficiency = mean/w_max ~ 0.5 with w_max ~ 1.

    The events above w_max carry f = 1e-3 of the total n/2, i.e. about n(1 - w_max) events of
    weight ~1: 1 - w_max ~ f/2 = 5e-4 (k ~ 100 events for n = 2e5, so a relative spread of
    1/sqrt(k) = 10% on 1 - w_max; we allow +-50%).
    """
    rng = np.random.default_rng(1)
    n = 200_000
    w = rng.random(n)
    res = unweight(w, np.random.default_rng(2), max_overweight_fraction=1e-3)
    assert res.efficiency == pytest.approx(w.mean() / res.w_max, rel=1e-14)
    assert 1.0 - res.w_max == pytest.approx(5e-4, rel=0.5)
    # mean(w) = 1/2 within 5 sigma, sigma = (1/sqrt(12))/sqrt(n) = 6.5e-4
    assert abs(res.efficiency - 0.5) < 5 * (1 / np.sqrt(12) / np.sqrt(n)) + 1e-3
    # accepted fraction: binomial around sum(min(w, w_max))/(n w_max) ~ efficiency
    expected = np.minimum(w, res.w_max).sum() / res.w_max
    sigma = np.sqrt(np.sum((p := np.minimum(w / res.w_max, 1.0)) * (1 - p)))
    assert abs(res.n_accepted - expected) < 5 * sigma


@pytest.mark.parametrize("seed", [3, 4, 5])
def test_weight_sum_is_unbiased(seed):
    """sum(event_weights)/n_input reproduces the weighted mean.

    Given the weights, the unweighted sum is sum over events of a Bernoulli(p_i = w_i/w_max)
    times w_max (plus the fixed overweight weights), so its variance is
    sum_i w_i (w_max - w_i) over events below w_max. We require agreement within 5 sigma.
    """
    rng = np.random.default_rng(seed)
    w = _heavy_tailed_weights(rng, 100_000)
    res = unweight(w, rng)
    below = w[w <= res.w_max]
    sigma = np.sqrt(np.sum(below * (res.w_max - below))) / w.size
    assert abs(res.xsec_estimate_pb - w.mean()) < 5 * sigma
    assert res.event_weights.sum() / w.size == pytest.approx(res.xsec_estimate_pb, rel=1e-14)


def test_weight_sum_unbiased_over_repetitions():
    """Averaged over 400 unweightings of one small sample, the estimate converges on mean(w).

    Each repetition has the per-sample sigma of the previous test; the average of 400
    independent ones has sigma/20; tolerance 5 sigma/20. With max_overweight_fraction = 0.1
    the overweight excess sum(w - w_max, w > w_max) is several times that tolerance, so an
    implementation that truncated overweight events to w_max would fail here.
    """
    rng = np.random.default_rng(11)
    w = _heavy_tailed_weights(rng, 5_000)
    fraction = 0.1
    estimates = [unweight(w, rng, fraction).xsec_estimate_pb for _ in range(400)]
    w_max = choose_w_max(w, fraction)
    below = w[w <= w_max]
    sigma_one = np.sqrt(np.sum(below * (w_max - below))) / w.size
    tolerance = 5 * sigma_one / np.sqrt(len(estimates))
    excess = np.sum(np.clip(w - w_max, 0.0, None)) / w.size
    assert excess > 2 * tolerance  # the test can see a truncation bias
    assert abs(np.mean(estimates) - w.mean()) < tolerance


@pytest.mark.parametrize("fraction", [0.0, 1e-4, 1e-3, 1e-2, 0.1])
def test_overweight_fraction_bound_and_minimal_w_max(fraction):
    """Events above w_max carry at most `fraction` of the cross section, and w_max is the
    smallest sample weight with that property (exact, deterministic)."""
    rng = np.random.default_rng(7)
    w = _heavy_tailed_weights(rng, 50_000)
    res = unweight(w, rng, max_overweight_fraction=fraction)
    total = w.sum()
    assert res.overweight_fraction <= fraction
    assert res.overweight_fraction == pytest.approx(w[w > res.w_max].sum() / total, rel=1e-12)
    # minimality: the events at or above w_max carry more than `fraction`
    assert w[w >= res.w_max].sum() > fraction * total
    assert res.w_max in w
    if fraction == 0.0:
        assert res.w_max == w.max()
        assert res.n_overweight == 0


def test_overweight_events_are_kept_with_their_weight():
    rng = np.random.default_rng(8)
    w = _heavy_tailed_weights(rng, 50_000)
    res = unweight(w, rng, max_overweight_fraction=1e-2)
    over = np.flatnonzero(w > res.w_max)
    assert res.n_overweight == over.size > 0
    assert np.all(np.isin(over, res.indices))  # every overweight event accepted
    np.testing.assert_array_equal(res.event_weights, np.maximum(w[res.indices], res.w_max))
    assert np.all(res.relative_weights >= 1.0)
    assert res.indices.dtype == np.int64
    assert np.all(np.diff(res.indices) > 0)


def test_acceptance_probability_is_w_over_w_max():
    """Two weight values, 1 and 0.25, with w_max = 1 (fraction 0): the 0.25 events are
    accepted with probability 0.25. Binomial with n = 100000: sigma = 1.4e-3; 5 sigma."""
    n = 100_000
    w = np.concatenate([np.ones(n), np.full(n, 0.25)])
    res = unweight(w, np.random.default_rng(9), max_overweight_fraction=0.0)
    assert res.w_max == 1.0
    assert np.count_nonzero(res.indices < n) == n  # weight-1 events always kept
    rate = np.count_nonzero(res.indices >= n) / n
    assert abs(rate - 0.25) < 5 * np.sqrt(0.25 * 0.75 / n)
    assert np.all(res.event_weights == 1.0)


def test_zero_weights_are_never_accepted():
    w = np.array([0.0, 1.0, 0.0, 2.0, 0.0])
    res = unweight(w, np.random.default_rng(0), max_overweight_fraction=0.0)
    assert not np.any(np.isin(res.indices, [0, 2, 4]))


def test_seeded_result_is_reproducible():
    w = _heavy_tailed_weights(np.random.default_rng(1), 1000)
    a = unweight(w, np.random.default_rng(42))
    b = unweight(w, np.random.default_rng(42))
    np.testing.assert_array_equal(a.indices, b.indices)
    assert a.w_max == b.w_max


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        (np.array([1.0, -0.5, 2.0, -1.0]), "2 of 4 weights are negative"),
        (np.array([1.0, np.nan, 2.0]), "1 of 3 weights are NaN or infinite"),
        (np.array([1.0, np.inf]), "1 of 2 weights are NaN or infinite"),
        (np.zeros(3), "all 3 weights are zero"),
        (np.zeros(0), "empty"),
        (np.ones((2, 2)), "1-d array"),
    ],
)
def test_bad_weights_raise(weights, match):
    with pytest.raises(ValueError, match=match):
        unweight(weights, np.random.default_rng(0))


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 2.0])
def test_bad_fraction_raises(fraction):
    with pytest.raises(ValueError, match="max_overweight_fraction"):
        unweight(np.ones(10), np.random.default_rng(0), max_overweight_fraction=fraction)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        unweight(np.ones(10), 42)  # type: ignore[arg-type]


def test_result_is_frozen():
    res = unweight(np.ones(10), np.random.default_rng(0))
    assert isinstance(res, UnweightResult)
    with pytest.raises(AttributeError):
        res.w_max = 2.0  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# select_exact


def _some_result(seed: int = 0, n: int = 20_000) -> UnweightResult:
    rng = np.random.default_rng(seed)
    return unweight(_heavy_tailed_weights(rng, n), rng, max_overweight_fraction=1e-2)


@pytest.mark.parametrize("n_events", [0, 1, 100, "all"])
def test_select_exact_count_and_subset(n_events):
    res = _some_result()
    n_events = res.n_accepted if n_events == "all" else n_events
    sel = select_exact(res, n_events, np.random.default_rng(1))
    assert sel.n_accepted == n_events
    assert np.all(np.isin(sel.indices, res.indices))
    assert np.all(np.diff(sel.indices) > 0)
    lookup = dict(zip(res.indices.tolist(), res.event_weights.tolist()))
    assert [lookup[i] for i in sel.indices.tolist()] == sel.event_weights.tolist()
    assert sel.w_max == res.w_max and sel.n_input == res.n_input
    assert sel.n_overweight == int(np.count_nonzero(sel.event_weights > res.w_max))
    assert sel.selected_fraction == pytest.approx(n_events / res.n_accepted)


def test_select_exact_is_uniform():
    """Choosing 3 of 10 accepted events 3000 times: each is chosen Binomial(3000, 0.3) times,
    mean 900, sigma = sqrt(3000*0.3*0.7) = 25; all 10 within 5 sigma."""
    res = unweight(np.ones(10), np.random.default_rng(0))
    assert res.n_accepted == 10
    rng = np.random.default_rng(5)
    counts = np.zeros(10)
    for _ in range(3000):
        counts[select_exact(res, 3, rng).indices] += 1
    assert np.all(np.abs(counts - 900) < 5 * 25)


def test_select_exact_keeps_estimate_unbiased():
    """Selecting half of the events keeps xsec_estimate_pb unbiased: within 5 sigma of the
    full-sample estimate, sigma from sampling without replacement (finite-population factor)."""
    res = _some_result(3, 50_000)
    half = res.n_accepted // 2
    sel = select_exact(res, half, np.random.default_rng(2))
    # estimate = mean(selected weights) * n_accepted / n_input
    spread = res.event_weights.std() * np.sqrt((1 - half / res.n_accepted) / half)
    sigma = spread * res.n_accepted / res.n_input
    assert abs(sel.xsec_estimate_pb - res.xsec_estimate_pb) < 5 * sigma + 1e-15


def test_select_exact_too_few_events():
    res = _some_result(n=1000)
    expected = rf"requested {res.n_accepted + 50} .* only {res.n_accepted} were accepted"
    with pytest.raises(ValueError, match=expected):
        select_exact(res, res.n_accepted + 50, np.random.default_rng(0))
    with pytest.raises(ValueError, match="more weighted events"):
        select_exact(res, res.n_accepted + 50, np.random.default_rng(0))


def test_select_exact_negative_count():
    with pytest.raises(ValueError, match=">= 0"):
        select_exact(_some_result(n=100), -1, np.random.default_rng(0))


def test_fixed_w_max_from_an_earlier_sample_is_unbiased():
    """w_max chosen on a first sample and kept for a second one (the generator's per-channel unweighting): the
    second sample's events carry max(w, w_max), overweights included, and their sum estimates its mean."""
    rng = np.random.default_rng(5)
    w_max = choose_w_max(_heavy_tailed_weights(rng, 2_000))
    w = _heavy_tailed_weights(rng, 5_000)
    estimates = [unweight(w, rng, w_max=w_max).xsec_estimate_pb for _ in range(400)]
    result = unweight(w, rng, w_max=w_max)
    assert result.w_max == w_max and result.n_overweight == np.count_nonzero(w > w_max) > 0
    below = w[w <= w_max]
    tolerance = 5 * np.sqrt(np.sum(below * (w_max - below))) / w.size / np.sqrt(len(estimates))
    assert abs(np.mean(estimates) - w.mean()) < tolerance
    with pytest.raises(ValueError, match="w_max"):
        unweight(w, rng, w_max=0.0)


def _overweight_and_cost(samples, multiplicities, w_max):
    """Fraction of the total cross section carried by the events above their channel's w_max, and the points
    needed per unit of luminosity, sum_c m_c w_max,c."""
    total = sum(m * w.mean() for w, m in zip(samples, multiplicities))
    over = sum(m * w[w > wm].sum() / w.size for w, m, wm in zip(samples, multiplicities, w_max))
    return over / total, float(np.dot(multiplicities, w_max))


def test_joint_w_max_of_one_channel_is_choose_w_max():
    w = _heavy_tailed_weights(np.random.default_rng(3), 20_000)
    assert choose_joint_w_max([w])[0] == choose_w_max(w)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_joint_w_max_keeps_the_bound_and_needs_fewer_points(seed):
    """Channels with light and heavy tails (different sizes, multiplicities and cross sections): the joint choice
    keeps the overweight events below 0.1% of the total and needs fewer points than one bound per channel."""
    rng = np.random.default_rng(seed)
    samples = [rng.exponential(1.0, 30_000), 0.01 * rng.pareto(1.3, 8_000), _heavy_tailed_weights(rng, 20_000),
               rng.random(5_000), np.zeros(100)]
    multiplicities = [1, 2, 1, 4, 1]
    joint = choose_joint_w_max(samples, multiplicities, 1e-3)
    assert joint[-1] == 0.0
    for w, wm in zip(samples[:-1], joint[:-1]):
        assert wm in w and wm <= w.max()
    fraction, cost = _overweight_and_cost(samples, multiplicities, joint)
    separate = [choose_w_max(w) if w.max() > 0 else 0.0 for w in samples]
    _, cost_separate = _overweight_and_cost(samples, multiplicities, separate)
    assert fraction <= 1e-3
    assert cost < cost_separate
