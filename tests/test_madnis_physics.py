"""MadNIS on a real process: the physics bridge (madnis_py.madnis_bridge) gives the cross section that the
generator's per-channel VEGAS path gives, for g g > t t~ at 13 TeV (three channels, one per diagram).

Both estimates are unbiased Monte Carlo integrals of the same integrand with independent random numbers, so they
must agree within their combined error; we allow 4 sigma (a seeded test: the measured pull is quoted below).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from madnis_py.generator import Generator
from madnis_py.integrator import VegasConfig
from madnis_py.madnis import MadnisConfig, MadnisIntegrator
from madnis_py.madnis_bridge import PhysicsIntegrand
from madnis_py.setup import load_setup
from refdata_paths import PROJECT_ROOT


@pytest.fixture(scope="module")
def setup():
    return load_setup(PROJECT_ROOT / "processes" / "gg_tt")


def test_bridge_integrand_shapes_and_partition(setup):
    gen = Generator(setup, np.random.default_rng(0), VegasConfig(adapt_iterations=1, adapt_points=100,
                                                                 integrate_iterations=1, integrate_points=100))
    physics = PhysicsIntegrand([c.integrand for c in gen.channels], gen.sqrt_s)
    assert physics.prior_partition == [[0, 1, 2]]
    channels = torch.tensor([0, 1, 2, 2])
    out = physics.evaluate(channels, torch.rand(4, physics.dim, dtype=torch.float64))
    assert out.f.shape == (4,) and out.prior.shape == (4, 3) and out.features.shape == (4, physics.features_dim)
    passed = out.f > 0
    assert torch.allclose(out.prior[passed].sum(-1), torch.ones(int(passed.sum()), dtype=torch.float64))


def test_madnis_and_vegas_agree_on_gg_tt(setup):
    vegas = Generator(setup, np.random.default_rng(1), VegasConfig(adapt_iterations=5, adapt_points=4000,
                                                                   integrate_iterations=2, integrate_points=10_000))
    vegas.train(log=lambda *a: None)
    ref = vegas.integrate()

    gen = Generator(setup, np.random.default_rng(2), VegasConfig())
    physics = PhysicsIntegrand([c.integrand for c in gen.channels], gen.sqrt_s)
    config = MadnisConfig(seed=3, dtype="float32", batch_size=1024, train_steps=40, buffer_steps=1,
                          vegas_iterations=4, vegas_points=2048, threads=1)
    integrator = MadnisIntegrator(physics, config)
    integrator.train()
    result = integrator.integrate(60_000)
    pull = (result.value - ref.value) / math.hypot(result.error, ref.error)
    # measured: MadNIS 440.6 +- 0.3 pb, VEGAS 440.9 +- 0.4 pb (pull about -0.6); MadGraph 440.3 pb
    assert abs(pull) < 4.0, (result, ref)
    # sampling with either channel allocation estimates the same cross section
    samples = integrator.sample(40_000, allocation="max_weight").integral()
    pull = (samples.value - ref.value) / math.hypot(samples.error, ref.error)
    assert abs(pull) < 4.0, (samples, ref)


def test_madnis_starts_from_the_survey_grids(setup):
    """Before the flows train, MadNIS samples each channel from the VEGAS grid the survey trained for it."""
    from dataclasses import replace

    from madnis_py.generator import MadnisGenerator, SurveyPlan

    config = replace(setup.madnis_config, use_madnis=True, seed=4, train_steps=0)
    gen = MadnisGenerator(setup, np.random.default_rng(5), config)
    gen.plan = SurveyPlan(first_points=500, budget=6000)
    gen.train(log=lambda *a: None)
    integrator = gen.madnis
    for c, channel in enumerate(gen.channels):
        with torch.no_grad():
            r, log_q = integrator.density.sample(torch.full((500,), c), torch.Generator().manual_seed(c))
        r = np.ascontiguousarray(r.double().numpy())
        y, jac = np.empty_like(r), np.empty(500)
        channel.sampler.map.invmap(r, y, jac)
        # the VEGAS density 1 / jac (jac = dr/dy) at the same points, to float32 precision
        assert np.allclose(log_q.double().numpy(), -np.log(jac), atol=1e-4), c


def test_mapping_alone_matches_the_full_evaluation(setup):
    # the surrogate's cheap path: the same features and log-Jacobian as the full evaluation, and every event with
    # a weight passes the cuts
    gen = Generator(setup, np.random.default_rng(0), VegasConfig())
    physics = PhysicsIntegrand([c.integrand for c in gen.channels], gen.sqrt_s)
    channels = torch.tensor([0, 1, 2] * 200)
    r = torch.rand(600, physics.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    out, mapped = physics.evaluate(channels, r), physics.map(channels, r)
    assert torch.equal(mapped.features, out.features) and torch.equal(mapped.log_jacobian, out.log_jacobian)
    assert bool(mapped.passes_cuts[out.f > 0].all()) and int((out.f > 0).sum()) > 300


def test_two_stage_unweighting_on_gg_tt_saves_calls_and_keeps_the_cross_section(setup):
    gen = Generator(setup, np.random.default_rng(2), VegasConfig())
    physics = PhysicsIntegrand([c.integrand for c in gen.channels], gen.sqrt_s)
    config = MadnisConfig(seed=3, batch_size=1024, train_steps=60, buffer_steps=1, vegas_iterations=4,
                          vegas_points=2048, threads=1, surrogate=True, surrogate_steps=10,
                          surrogate_min_samples=4096)
    integrator = MadnisIntegrator(physics, config)
    integrator.train()
    reference = integrator.integrate(40_000)
    res = integrator.unweight_two_stage(40_000).result
    two_stage = res.unit_weight * float(res.event_weight.sum())
    # measured: 441.75 pb from 21261 two-stage events of 40k proposals (16363 matrix-element calls saved) against
    # 440.77 +- 0.58 pb; MadGraph 440.68 +- 0.37 pb. The two-stage estimate's own error is about 0.5% (its events'
    # count); 2% allows for it
    assert abs(two_stage / reference.value - 1) < 0.02, (two_stage, reference)
    assert res.n_calls_saved > 0.3 * res.n_proposed
