"""The cross-channel variance loss (``madnis_cross_channels``): every channel's integral and variance
estimated on the points of all channels (madnis_py.madnis.losses.mixture_moments).

References: a midpoint quadrature on a fine grid of each channel's unit square (the toy is two-dimensional), and
for the physics bridge the forward mapping of the target channel (remap must be its inverse).
"""

from __future__ import annotations

import numpy as np
import torch

from madnis_py.madnis import (GaussianPeaks, MadnisConfig, MadnisIntegrator, SampleBatch, mixture_moments,
                              mixture_variance_loss, stratified_variance_loss)
from madnis_py.madnis.integrator import candidates_per_point


def test_own_rows_alone_give_the_stratified_loss():
    g = torch.Generator().manual_seed(0)
    channels = torch.tensor([0] * 50 + [1] * 30 + [2] * 20)
    f = torch.rand(100, generator=g, dtype=torch.float64) * 3.0
    log_q = torch.randn(100, generator=g, dtype=torch.float64) * 0.3
    log_share = torch.log(torch.bincount(channels).double() / 100.0)[channels]
    stratified = stratified_variance_loss(f, log_q, log_q, channels, 3)
    mixture = mixture_variance_loss(f, log_q, log_q + log_share, channels, 3, 100)
    assert torch.allclose(stratified, mixture, rtol=1e-12, atol=0.0)


def _quadrature(toy: GaussianPeaks, integrator: MadnisIntegrator, channel: int, n: int = 400):
    """int alpha_j f_j dr and int (alpha_j f_j)^2 / q_j dr - (int alpha_j f_j dr)^2 over channel j's unit square
    (midpoint rule)."""
    u = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    r = torch.cartesian_prod(u, u)
    channels = torch.full((n * n,), channel)
    out = toy.evaluate(channels, r)
    with torch.no_grad():
        alpha = integrator.channel_weights(out.features, out.prior)[:, channel]
        q = integrator.density.log_prob(r, channels).double().exp()
    fa = alpha.double() * out.f
    integral = float(fa.mean())
    return integral, float((fa ** 2 / q).mean()) - integral ** 2


def test_moments_on_all_points_agree_with_quadrature():
    # the two top channels of each point: its rows come from the mixture of those two or from its own channel
    toy = GaussianPeaks.standard(dim=2)
    config = MadnisConfig(seed=2, dtype="float64", vegas_iterations=0, cross_channels=2)
    integrator = MadnisIntegrator(toy, config)
    counts = torch.tensor([3000, 1500, 500])
    estimates = []
    for _ in range(20):
        channels, r, log_q = integrator._draw(counts)
        out = integrator._evaluate(channels, r)
        batch = integrator._with_candidates(
            SampleBatch(r, channels, out.f, log_q, out.prior, out.features, out.log_jacobian), counts)
        with torch.no_grad():
            log_alpha = integrator.channel_weights.log_alpha(batch.features, batch.prior)
            rows = integrator._candidate_rows(batch, log_alpha)
        rows_per_point = (batch.candidates >= 0).sum(1)
        assert bool(((rows_per_point == 1) | (rows_per_point == 2)).all()) and bool((rows_per_point == 2).any())
        estimates.append(torch.stack(mixture_moments(*rows, 3, len(batch))))
    estimates = torch.stack(estimates)
    mean, error = estimates.mean(0), estimates.std(0) / len(estimates) ** 0.5
    for j in range(3):
        for m, exact in enumerate(_quadrature(toy, integrator, j)):
            # seeded; measured pulls between -1.4 and 1.1
            assert abs(float(mean[m, j]) - exact) < 4.0 * float(error[m, j]) + 1e-3 * exact, (j, m, exact)


def test_training_with_cross_channels_keeps_the_integral():
    toy = GaussianPeaks.standard(dim=2)
    config = MadnisConfig(seed=1, train_steps=120, batch_size=512, buffer_steps=1, vegas_iterations=3,
                          vegas_points=1000, cross_channels=2, channel_weight_bound=0.0)
    integrator = MadnisIntegrator(toy, config)
    summary = integrator.train()
    assert summary.buffered_steps > 0 and integrator.buffer.all().candidates.shape[1] == 3
    result = integrator.integrate(60_000)
    # measured: 1.7262 +- 0.0018 pb against the exact 1.7249 pb
    assert abs(result.value - toy.integral()) < 4.0 * result.error, result


def test_candidates_grow_with_the_channels_that_reach_a_point():
    score = torch.full((4, 300), float("-inf"))
    for row, reach in enumerate((2, 15, 105, 300)):
        score[row, :reach] = torch.randn(reach)
    # one per 10 channels with a finite weight at the point, at least 3 (the integrator caps it at cross_channels)
    assert candidates_per_point(score).tolist() == [3, 3, 10, 30]


def test_own_points_only_without_remap_or_with_the_kl_loss():
    class NoRemap:
        n_channels, dim, features_dim = 2, 2, 2

        def evaluate(self, channel, r):
            raise AssertionError("not called")

    toy = GaussianPeaks.standard(dim=2)
    assert MadnisIntegrator(toy, MadnisConfig(cross_channels=2)).cross_channels == 2
    assert MadnisIntegrator(toy, MadnisConfig(cross_channels=2, loss="kl")).cross_channels == 0
    assert MadnisIntegrator(NoRemap(), MadnisConfig(cross_channels=2)).cross_channels == 0


def test_physics_remap_is_the_inverse_of_the_target_channels_mapping():
    from madnis_py.generator import Generator
    from madnis_py.integrator import VegasConfig
    from madnis_py.madnis_bridge import PhysicsIntegrand
    from madnis_py.setup import load_setup
    from refdata_paths import PROJECT_ROOT

    setup = load_setup(PROJECT_ROOT / "processes" / "gg_tt")
    gen = Generator(setup, np.random.default_rng(0), VegasConfig())
    physics = PhysicsIntegrand([c.integrand for c in gen.channels], gen.sqrt_s)
    channels = torch.tensor([0, 1, 2] * 100)
    r = torch.rand(300, physics.dim, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    targets = torch.tensor([[1, -1], [2, 0], [0, 1]] * 100)
    r_t, log_jac = physics.remap(channels, r, targets)
    out = physics.evaluate(channels, r)
    inside = out.f > 0
    assert int(inside.sum()) > 150
    for col in range(2):
        used = inside & (targets[:, col] >= 0)
        again = physics.evaluate(targets[used, col], r_t[used, col])
        # the same phase-space point, the target channel's Jacobian, the same differential cross section
        assert torch.allclose(again.features, out.features[used], atol=1e-9)
        assert torch.allclose(again.log_jacobian, log_jac[used, col], atol=1e-9)
        assert torch.allclose(again.f / torch.exp(again.log_jacobian),
                              out.f[used] / torch.exp(out.log_jacobian[used]), rtol=1e-8)
