"""Buffered training and the multi-channel losses of madnis_py.madnis: ring-buffer semantics,
integrand calls per training step, the call budget, and the importance correction that makes
losses on buffered (old-density) samples estimate the loss under the current density."""

import math

import pytest
import torch

from madnis_py.madnis import (Flow, GaussianPeaks, MadnisConfig, MadnisIntegrator, SampleBatch,
                              SampleBuffer, kl_divergence_loss, stratified_variance_loss)


@pytest.fixture(autouse=True)
def _one_thread():
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def _batch(n, start=0, channel=0):
    idx = torch.arange(start, start + n, dtype=torch.float64)
    return SampleBatch(r=idx[:, None].repeat(1, 2), channel=torch.full((n,), channel),
                       f=idx, log_q=torch.zeros(n, dtype=torch.float64),
                       prior=torch.ones(n, 2, dtype=torch.float64) / 2,
                       features=idx[:, None])


def test_buffer_ring_sample_filter_and_state():
    buf = SampleBuffer(10)
    buf.store(_batch(6, 0, channel=0))
    buf.store(_batch(6, 6, channel=1))  # overwrites the two oldest
    assert len(buf) == 10 and buf.n_stored_total == 12
    assert sorted(buf.all().f.tolist()) == list(range(2, 12))
    g = torch.Generator().manual_seed(0)
    s = buf.sample(7, g)
    assert len(s) == 7 and len(set(s.f.tolist())) == 7  # distinct events
    state = buf.state_dict()
    removed = buf.filter(torch.tensor([True, False]))
    assert removed == 6 and sorted(buf.all().f.tolist()) == [2, 3, 4, 5]
    other = SampleBuffer(10)
    other.load_state_dict(state)
    assert sorted(other.all().f.tolist()) == list(range(2, 12))
    big = SampleBuffer(4)
    big.store(_batch(9))
    assert sorted(big.all().f.tolist()) == [5, 6, 7, 8]
    with pytest.raises(ValueError, match="empty"):
        SampleBuffer(3).sample(1)


def test_buffered_steps_reuse_integrand_calls():
    toy = GaussianPeaks.standard(2)
    cfg = MadnisConfig(seed=0, threads=1, batch_size=256, lr=3e-3, vegas_iterations=0,
                       buffer_steps=3, train_steps=40)
    it = MadnisIntegrator(toy, cfg)
    before = [p.detach().clone() for p in it.density.parameters()]
    summary = it.train()
    # 10 online steps (256 new calls each), each followed by 3 steps on stored events
    assert (summary.online_steps, summary.buffered_steps) == (10, 30)
    assert toy.n_evaluated == summary.n_calls == it.n_calls == 10 * 256
    assert len(it.buffer) == 10 * 256
    assert any(not torch.equal(a, b) for a, b in zip(before, it.density.parameters()))
    # measured on this toy (relative variance per event after training, same 7680 calls):
    # buffered 120 steps 0.17 / 0.11 vs online-only 30 steps 0.22 / 0.25 for seeds 0 / 2


def test_training_stops_at_call_budget():
    toy = GaussianPeaks.standard(2)
    cfg = MadnisConfig(seed=0, threads=1, batch_size=1024, vegas_iterations=2, vegas_points=500,
                       buffer_steps=0)
    it = MadnisIntegrator(toy, cfg)
    summary = it.train(steps=1000, max_calls=8000)
    # VEGAS gets at most 30 % of the budget: 2 iterations x 3 groups x 400 = 2400 calls, then 5 online
    # steps of 1024 = 7520
    assert summary.vegas_iterations == 2 and summary.online_steps == 5
    assert summary.n_calls == 2400 + 5 * 1024 and summary.stopped_by_budget
    assert toy.n_evaluated == summary.n_calls


def _toy_1d():
    """f(x) = Gaussian(0.4, 0.1) on [0, 1]; q_new = a randomised 1-d flow."""
    flow = Flow(1, n_bins=8, hidden=8).double()
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for p in flow.parameters():
            p.copy_(0.5 * torch.randn(p.shape, generator=g, dtype=p.dtype))

    def f(x):
        return torch.exp(-0.5 * ((x[:, 0] - 0.4) / 0.1) ** 2)

    return flow, f


@pytest.mark.parametrize("loss_fn", [stratified_variance_loss, kl_divergence_loss])
def test_importance_corrected_loss_matches_fresh_samples(loss_fn):
    flow, f = _toy_1d()
    g = torch.Generator().manual_seed(0)
    n = 200_000
    with torch.no_grad():
        # exact value of the loss under q_new, by the midpoint rule on a fine grid
        xg = ((torch.arange(100_000, dtype=torch.float64) + 0.5) / 100_000)[:, None]
        qg = flow.log_prob(xg).exp()
        fg = f(xg)
        integral = fg.mean()
        if loss_fn is stratified_variance_loss:
            exact = float((fg ** 2 / qg).mean() / integral ** 2 - 1.0)
        else:
            p = fg / integral
            exact = float((p * torch.log(p / qg)).mean())
        ch = torch.zeros(n, dtype=torch.long)
        # fresh samples from q_new
        x_new, lq_new = flow.sample(n, generator=g)
        fresh = float(loss_fn(f(x_new), lq_new, lq_new, ch, 1))
        # "buffered" samples from an older density (uniform), importance corrected
        x_old = torch.rand(n, 1, generator=g, dtype=torch.float64)
        lq_old = torch.zeros(n, dtype=torch.float64)
        buffered = float(loss_fn(f(x_old), flow.log_prob(x_old), lq_old, ch, 1))
    # both are Monte Carlo estimates of the same number; with 2e5 events their relative
    # statistical error is below 1 %, so 5 % is a safe, still discriminating tolerance
    # (without the q_new / q_old factor the buffered value is off by more than 50 %)
    assert fresh == pytest.approx(exact, rel=0.05)
    assert buffered == pytest.approx(exact, rel=0.05)


def test_variance_loss_is_stratified_over_channels():
    # two channels with identical per-channel statistics but very different event counts
    # give the same loss as equal counts: each channel enters through its own variance
    g = torch.Generator().manual_seed(1)
    w_a = 1.0 + 0.3 * torch.randn(4000, generator=g, dtype=torch.float64)
    w_b = 2.0 + 0.1 * torch.randn(4000, generator=g, dtype=torch.float64)
    lq = torch.zeros(8000, dtype=torch.float64)
    eq = stratified_variance_loss(torch.cat([w_a, w_b]), lq, lq,
                                  torch.cat([torch.zeros(4000), torch.ones(4000)]).long(), 2)
    uneq = stratified_variance_loss(torch.cat([w_a, w_b[:400]]), lq[:4400], lq[:4400],
                                    torch.cat([torch.zeros(4000), torch.ones(400)]).long(), 2)
    expected = ((0.3 + 0.1) / 3.0) ** 2
    # sample standard deviations of 4000 (400) events: relative error ~1 % (4 %)
    assert float(eq) == pytest.approx(expected, rel=0.05)
    assert float(uneq) == pytest.approx(expected, rel=0.1)
    assert math.isfinite(float(stratified_variance_loss(torch.zeros(5, dtype=torch.float64),
                                                        lq[:5], lq[:5],
                                                        torch.zeros(5, dtype=torch.long), 1)))


@pytest.mark.parametrize("loss_fn", [stratified_variance_loss, kl_divergence_loss])
def test_losses_of_float32_networks_survive_tiny_densities(loss_fn):
    """A VEGAS grid in a dozen dimensions has log q < -88 in its sparse corners, where exp(-log q) overflows
    float32; a point there outside the cuts (f = 0) gave 0 * inf = NaN and killed the training of
    g g > w+ d u~ g g. The losses compute in float64: finite value and gradient, the same as the exact one."""
    log_q = torch.tensor([-100.0, 0.5, -0.3, 0.2], dtype=torch.float32, requires_grad=True)
    f = torch.tensor([0.0, 1.0, 2.0, 1.5], dtype=torch.float32)
    channels = torch.zeros(4, dtype=torch.long)
    loss = loss_fn(f, log_q, log_q.detach(), channels, 1)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(log_q.grad).all()
    exact = loss_fn(f.double(), log_q.detach().double(), log_q.detach().double(), channels, 1)
    assert float(loss.detach()) == pytest.approx(float(exact), rel=1e-12)
