"""Helicity combinations drawn per event (run_card nhel = 1): the estimator is unbiased for the summed |M|^2,
the probabilities learn each combination's share, and g g > t t~ at 13 TeV keeps MadGraph's cross section."""

from __future__ import annotations

import math

import numpy as np
import pytest

import madnis_py
from madnis_py.amplitudes import matrix_element, sample_momenta
from madnis_py.helicity_sampling import UNIFORM_SHARE, HelicitySampler
from refdata_paths import PROJECT_ROOT, madgraph_cross_section


def test_sampled_helicities_average_to_the_sum():
    me = matrix_element("g g > t t~ g")
    p = sample_momenta([0, 0, 173, 173, 0], 1500.0, 100, seed=3)
    alpha_s = np.full(100, 0.118)
    full = me(p, alpha_s)
    sampler = HelicitySampler(me, np.random.default_rng(1))
    repeats = 400
    for adapted in (False, True):
        estimate, _ = sampler.evaluate(np.repeat(p, repeats, axis=0), np.repeat(alpha_s, repeats))
        ratio = estimate.reshape(100, repeats).mean(axis=1) / full
        spread = estimate.reshape(100, repeats).std(axis=1) / full / math.sqrt(repeats)
        assert abs(ratio.mean() - 1) < 5 * math.sqrt((spread ** 2).sum()) / 100, adapted
        sampler.adapt()
    # adapted: the probabilities follow the combinations' shares of |M|^2, none below the uniform floor
    assert sampler.probabilities.sum() == pytest.approx(1.0)
    assert sampler.probabilities.min() >= UNIFORM_SHARE / len(sampler.probabilities) * (1 - 1e-12)
    _, _, per_helicity = me.compiled.evaluate(p, alpha_s, helicities=True)
    share = per_helicity.sum(axis=0) / per_helicity.sum()
    assert np.corrcoef(share, sampler.probabilities)[0, 1] > 0.9


def test_gg_ttx_cross_section_with_sampled_helicities():
    mg_sigma, mg_error = madgraph_cross_section("gg_tt_13TeV")
    gen = madnis_py.EventGenerator.from_cards(PROJECT_ROOT / "processes" / "gg_tt", settings={"nhel": 1}, seed=4)
    xs = gen.integrate(target_relative_error=2e-3)
    assert gen.sampler.helicity_samplers and xs.relative_error <= 2e-3
    assert abs(xs.value - mg_sigma) < 3 * math.hypot(xs.error, mg_error), (xs, mg_sigma, mg_error)
