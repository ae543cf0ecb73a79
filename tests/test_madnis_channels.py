"""Channel weights, channel groups (shared flows for symmetric channels), channel dropping and
bad integrand output in madnis_py.madnis (seeded; tolerances explained where used)."""

import math

import pytest
import torch

from madnis_py.madnis import (ChannelWeights, GaussianPeaks, IntegrandOutput, MadnisConfig,
                              MadnisIntegrator, channel_groups_of)


def _config(**changes) -> MadnisConfig:
    base = dict(seed=0, threads=1, batch_size=512, lr=3e-3, vegas_points=1024, lr_schedule="constant",
                keep_best=False)
    base.update(changes)
    return MadnisConfig(**base)


class SymmetricPeaks:
    """Two Gaussian peaks related by the swap x0 <-> x1 ("identical particles"). Channel 0 maps
    the cube with a Cauchy map around peak 0, channel 1 is the same map followed by the swap,
    so both channels have the same optimal density on the cube: one group, one flow."""

    n_channels = 2
    dim = 2
    features_dim = 2
    channel_groups = [[0, 1]]
    centre = torch.tensor([0.3, 0.7], dtype=torch.float64)
    sigma = 0.05
    gamma = 0.1

    def integral(self) -> float:
        per_dim = [0.5 * (math.erf((1 - c) / (self.sigma * math.sqrt(2)))
                          + math.erf(c / (self.sigma * math.sqrt(2)))) for c in (0.3, 0.7)]
        return 2 * per_dim[0] * per_dim[1]

    def _peaks(self, x):
        c = self.centre
        n = 2 * math.pi * self.sigma ** 2
        p0 = torch.exp(-((x - c) ** 2).sum(-1) / (2 * self.sigma ** 2)) / n
        p1 = torch.exp(-((x - c.flip(0)) ** 2).sum(-1) / (2 * self.sigma ** 2)) / n
        return p0, p1

    def evaluate(self, channel, r):
        c, g = self.centre, self.gamma
        a, b = torch.atan(-c / g), torch.atan((1 - c) / g)
        x0 = c + g * torch.tan(a + r * (b - a))
        log_jac = (torch.log(b - a) + torch.log(g ** 2 + (x0 - c) ** 2) - math.log(g)).sum(-1)
        x = torch.where((channel == 1)[:, None], x0.flip(1), x0)
        p0, p1 = self._peaks(x)
        bw0 = (g ** 2 / (g ** 2 + (x - c) ** 2)).prod(-1)
        bw1 = (g ** 2 / (g ** 2 + (x - c.flip(0)) ** 2)).prod(-1)
        prior = torch.stack([bw0, bw1], -1)
        return IntegrandOutput((p0 + p1) * log_jac.exp(), prior / prior.sum(-1, keepdim=True), x,
                               log_jac)


def test_channel_weights_start_at_prior_and_sum_to_one():
    cw = ChannelWeights(3, 4, hidden=8).double()
    g = torch.Generator().manual_seed(0)
    prior = torch.rand(50, 4, generator=g, dtype=torch.float64)
    prior /= prior.sum(-1, keepdim=True)
    feats = torch.randn(50, 3, generator=g, dtype=torch.float64)
    alpha = cw(feats, prior)
    assert torch.allclose(alpha, prior, atol=1e-12)
    with torch.no_grad():
        for p in cw.parameters():
            p.add_(0.5 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    active = torch.tensor([True, False, True, True])
    alpha = cw(feats, prior, active)
    assert torch.allclose(alpha.sum(-1), torch.ones(50, dtype=torch.float64), atol=1e-12)
    assert float(alpha[:, 1].detach().abs().max()) == 0.0  # a dropped channel's mass goes to the others
    assert not torch.allclose(alpha[:, [0, 2, 3]], prior[:, [0, 2, 3]], atol=1e-3)


def test_bounded_channel_weights_stay_within_a_factor_of_the_prior():
    bound = 0.5
    cw = ChannelWeights(3, 4, hidden=8, bound=bound).double()
    g = torch.Generator().manual_seed(1)
    prior = torch.rand(200, 4, generator=g, dtype=torch.float64)
    prior /= prior.sum(-1, keepdim=True)
    feats = torch.randn(200, 3, generator=g, dtype=torch.float64)
    assert torch.allclose(cw(feats, prior), prior, atol=1e-12)
    with torch.no_grad():
        for p in cw.parameters():
            p.add_(20.0 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    ratio = (cw(feats, prior) / prior).detach()
    assert float(ratio.min()) >= math.exp(-2 * bound) * (1 - 1e-12)
    assert float(ratio.max()) <= math.exp(2 * bound) * (1 + 1e-12)
    assert float(ratio.max() / ratio.min()) > 1.5  # the network does move the weights
    with pytest.raises(ValueError, match="bound"):
        ChannelWeights(3, 4, bound=-1.0)


def test_symmetric_channels_share_one_flow_and_integrate_correctly():
    toy = SymmetricPeaks()
    it = MadnisIntegrator(toy, _config(train_steps=80, vegas_iterations=2))
    assert it.density.flow.n_flows == 1 and it.density.vegas.n_groups == 1
    untrained = MadnisIntegrator(toy, _config(train_steps=0, vegas_iterations=0))
    r0 = untrained.integrate(30_000)
    it.train()
    r = torch.rand(100, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with torch.no_grad():
        q0 = it.density.log_prob(r, torch.zeros(100, dtype=torch.long))
        q1 = it.density.log_prob(r, torch.ones(100, dtype=torch.long))
    assert torch.equal(q0, q1)
    res = it.integrate(30_000)
    assert abs(res.value - toy.integral()) < 4 * res.error  # unbiased: |pull| < 4
    # measured relative variance per event: 1.9 untrained, 0.10 after VEGAS + 80 steps
    assert (r0.error / r0.value) ** 2 > 4 * (res.error / res.value) ** 2


@pytest.mark.parametrize("cross_channels", [0, 2])
def test_channel_dropping_keeps_integral_unbiased(cross_channels):
    # peaks of heights 1, 1 and 0.06: the third channel carries ~1 % of the integral and is
    # dropped (threshold 5 %); its region is then covered by the broad maps of the other two
    toy = GaussianPeaks([[0.3, 0.3], [0.7, 0.7], [0.7, 0.3]], [0.05] * 3, [1.0, 1.0, 0.06],
                        width_factor=3.0)
    it = MadnisIntegrator(toy, _config(train_steps=80, vegas_iterations=2, drop_threshold=0.05,
                                       drop_interval=10, cross_channels=cross_channels))
    summary = it.train()
    assert summary.dropped_channels == (2,)
    assert it.active.tolist() == [True, True, False]
    stored = it.buffer.all()
    if cross_channels:
        # its points stay (the other channels' rows were weighted with mixtures that include it); they weigh 0
        with torch.no_grad():
            alpha = it.channel_weights(stored.features, stored.prior, it.active)
        assert bool((stored.channel == 2).any()) and float(alpha[:, 2].abs().max()) == 0.0
    else:
        assert not bool((stored.channel == 2).any())
    res = it.integrate(60_000)
    assert float(it.channel_results[0][2]) == 0.0  # the dropped channel is never sampled
    full, small = toy.integral(), toy.peak_integrals()[2]
    # measured: 2.0598 +- 0.0022 (100k events) against the exact 2.0600; an estimate that lost
    # the dropped channel's contribution (0.06) would sit > 20 sigma low
    assert abs(res.value - full) < 4 * res.error
    assert abs(res.value - (full - small)) > 10 * res.error


def test_channels_emptied_by_the_learned_weights_are_not_dropped():
    # three equal peaks; the network is set to take (almost) all of channel 2's weight: its learned
    # contribution falls far below the threshold, but its prior contribution (~1/3) keeps it active --
    # (the network may give the weight back; a dropped channel could not take it: see the integrator's docstring)
    toy = GaussianPeaks([[0.3, 0.3], [0.7, 0.7], [0.7, 0.3]], [0.05] * 3, [1.0, 1.0, 1.0], width_factor=3.0)
    it = MadnisIntegrator(toy, _config(train_steps=20, vegas_iterations=2, drop_threshold=0.05,
                                       drop_interval=2, lr=1e-4, history_length=3,
                                       uniform_ratio=0.1, channel_weight_bound=0.0))
    it.pretrain_vegas()
    with torch.no_grad():
        it.channel_weights.net.biases[-1][..., 2] = -30.0
    summary = it.train()
    means, _, _ = it.channel_statistics()
    assert float(means[2]) < 1e-6 * float(means.sum())  # emptied: below any drop threshold
    assert summary.dropped_channels == ()
    assert it.active.tolist() == [True, True, True]
    prior = it.prior_contributions()
    assert abs(float(prior[2] / prior.sum()) - 1 / 3) < 0.05  # three equal peaks


def test_channel_groups_must_partition_channels():
    class Bad:
        n_channels = 3
        channel_groups = [[0, 1], [1, 2]]

    with pytest.raises(ValueError, match="partition"):
        channel_groups_of(Bad())

    class Plain:
        n_channels = 2

    assert channel_groups_of(Plain()) == [[0], [1]]


def test_non_finite_integrand_events_are_zeroed_and_counted():
    toy = GaussianPeaks.standard(2)

    class Flaky:
        n_channels, dim, features_dim = toy.n_channels, toy.dim, toy.features_dim

        def evaluate(self, channel, r):
            out = toy.evaluate(channel, r)
            f = out.f.clone()
            f[::100] = float("nan")
            return IntegrandOutput(f, out.prior, out.features, out.log_jacobian)

    it = MadnisIntegrator(Flaky(), _config(train_steps=4, vegas_iterations=0, buffer_steps=0))
    with pytest.warns(RuntimeWarning, match="non-finite"):
        it.train()
    assert it.n_nonfinite == 4 * 6  # events 0, 100, ..., 500 of each of the 4 batches of 512
    with pytest.warns(RuntimeWarning, match="non-finite"):
        res = it.integrate(5000)
    assert math.isfinite(res.value) and math.isfinite(res.error)


def test_integrand_without_protocol_is_rejected():
    class NoEvaluate:
        n_channels, dim, features_dim = 1, 2, 0

    with pytest.raises(TypeError, match="evaluate"):
        MadnisIntegrator(NoEvaluate())
    with pytest.raises(TypeError, match="map"):
        MadnisIntegrator(SymmetricPeaks(), MadnisConfig(surrogate=True))
