"""Splines, coupling flows, the VEGAS layer and the per-channel densities of madnis_py.madnis:
invertibility, log-determinants against autograd, normalisation (all float64, seeded)."""

import math

import numpy as np
import pytest
import torch

from madnis_py.madnis import (ChannelDensity, Flow, VegasLayer, coupling_masks,
                              grid_from_adaptive_map, rational_quadratic_spline,
                              spline_parameters, uniform_grid)
from madnis_py.madnis.vegas_init import adaptive_map_sample


@pytest.fixture(autouse=True)
def _float64_one_thread():
    """float64 throughout (tight tolerances); one torch thread is fastest for small batches.
    Both settings are restored after each test."""
    old_threads, old_dtype = torch.get_num_threads(), torch.get_default_dtype()
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_num_threads(old_threads)
    torch.set_default_dtype(old_dtype)


def _randomise(module: torch.nn.Module, scale: float, seed: int) -> None:
    """Give every parameter (including the zero-initialised last layers) random values."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(scale * torch.randn(p.shape, generator=g, dtype=p.dtype))


def _random_grids(n_groups: int, dim: int, n_bins: int, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    widths = torch.rand(n_groups, dim, n_bins, generator=g, dtype=torch.float64) ** 3 + 1e-3
    edges = torch.cumsum(widths, -1) / widths.sum(-1, keepdim=True)
    return torch.cat([torch.zeros(n_groups, dim, 1), edges], -1).clamp(0, 1)


# ---------------------------------------------------------------------------- splines ------
@pytest.mark.parametrize("n_bins", [1, 4, 16])
def test_spline_inverse_and_derivative(n_bins):
    g = torch.Generator().manual_seed(n_bins)
    raw = 2.0 * torch.randn(500, n_bins * 3 + 1, generator=g)
    w, h, d = spline_parameters(raw, n_bins)
    x = torch.rand(500, generator=g, dtype=torch.float64)
    x[:3] = torch.tensor([0.0, 1.0, 0.5])
    x.requires_grad_(True)
    y, ld = rational_quadratic_spline(x, w, h, d)
    (dydx,) = torch.autograd.grad(y.sum(), x)
    # element-wise map: the derivative from autograd is the Jacobian (rounding-level agreement)
    assert torch.allclose(ld, torch.log(dydx), atol=1e-9)
    x_back, ld_inv = rational_quadratic_spline(y.detach(), w, h, d, inverse=True)
    assert torch.allclose(x_back, x.detach(), atol=1e-10)
    assert torch.allclose(ld_inv, -ld.detach(), atol=1e-9)
    assert float(y.detach().min()) >= 0.0 and float(y.detach().max()) <= 1.0
    # monotone along a fine scan, for every parameter set
    xs = torch.linspace(0, 1, 101)[:, None].expand(101, 500)
    ys, _ = rational_quadratic_spline(xs, w.expand(101, *w.shape), h.expand(101, *h.shape),
                                      d.expand(101, *d.shape))
    assert torch.all(ys[1:] >= ys[:-1])


def test_spline_zero_parameters_is_identity():
    raw = torch.zeros(100, 3 * 8 + 1)
    x = torch.rand(100, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    y, ld = rational_quadratic_spline(x, *spline_parameters(raw, 8))
    assert torch.allclose(y, x, atol=1e-12) and torch.allclose(ld, torch.zeros(100), atol=1e-12)


# ----------------------------------------------------------------------------- flows -------
@pytest.mark.parametrize("dim", [1, 2, 3, 5])
def test_masks_transform_every_dimension_and_separate_every_pair(dim):
    masks = coupling_masks(dim)
    assert len(masks) >= 2
    assert torch.stack(masks).any(0).all()
    for i in range(dim):
        for j in range(i + 1, dim):
            assert any(bool(m[i]) != bool(m[j]) for m in masks)


FLOW_CASES = [  # (dim, n_flows, context_dim)
    (1, 1, 0), (2, 1, 0), (3, 2, 0), (4, 3, 2), (2, 2, 3)]


@pytest.mark.parametrize("dim,n_flows,context_dim", FLOW_CASES)
def test_flow_invertible_and_logdet_matches_autograd(dim, n_flows, context_dim):
    flow = Flow(dim, n_flows=n_flows, context_dim=context_dim, n_bins=6, hidden=16).double()
    _randomise(flow, 0.5, seed=dim)
    g = torch.Generator().manual_seed(1)
    n = 12
    u = torch.rand(n, dim, generator=g)
    index = torch.randint(0, n_flows, (n,), generator=g) if n_flows > 1 else None
    ctx = torch.randn(n, context_dim, generator=g) if context_dim else None
    x, ld = flow.transform(u, index, ctx)
    u_back, ld_inv = flow.transform(x, index, ctx, inverse=True)
    assert torch.allclose(u_back, u, atol=1e-9)
    assert torch.allclose(ld_inv, -ld, atol=1e-8)
    assert not torch.allclose(x, u, atol=1e-3)  # the random parameters do something
    # per-event Jacobian determinant from autograd
    for k in range(n):
        def f(v, k=k):
            return flow.transform(v[None], None if index is None else index[k:k + 1],
                                  None if ctx is None else ctx[k:k + 1])[0][0]
        jac = torch.autograd.functional.jacobian(f, u[k])
        assert math.isclose(float(torch.linalg.slogdet(jac)[1]), float(ld[k].detach()), abs_tol=1e-8)


@pytest.mark.parametrize("slot", [None, 16, 32, 128])
def test_stacked_flows_give_each_event_its_own_flows_result_in_any_slot_layout(slot, monkeypatch):
    # groups of very unequal size (0 to 150 events, unsorted): whatever the slots (the cost model's choice or a
    # fixed size), every event gets what its flow alone gives it
    import madnis_py.madnis.flow as flow_module

    if slot is not None:
        monkeypatch.setattr(flow_module, "slot_size", lambda index, n_flows: slot)
    flow = Flow(3, n_flows=5, n_bins=6, hidden=16).double()
    _randomise(flow, 0.5, seed=11)
    g = torch.Generator().manual_seed(2)
    index = torch.cat([torch.full((k,), f) for f, k in enumerate([1, 150, 0, 17, 40])])
    index = index[torch.randperm(index.numel(), generator=g)]
    x = torch.rand(index.numel(), 3, generator=g)
    together = flow.log_prob(x, index)
    for f in range(5):
        rows = index == f
        single = Flow(3, n_bins=6, hidden=16).double()
        with torch.no_grad():
            for p_single, p_stacked in zip(single.parameters(), flow.parameters()):
                p_single.copy_(p_stacked[f:f + 1])
        assert torch.allclose(together[rows], single.log_prob(x[rows]), atol=1e-12)


def test_flow_starts_as_identity_and_sample_matches_log_prob():
    flow = Flow(3, n_flows=2).double()
    g = torch.Generator().manual_seed(0)
    index = torch.tensor([0, 1, 1, 0, 1])
    x, lp = flow.sample(index=index, generator=g)
    assert torch.allclose(lp, torch.zeros(5), atol=1e-12)
    _randomise(flow, 0.3, seed=3)
    x, lp = flow.sample(index=index, generator=g)
    assert torch.allclose(flow.log_prob(x, index), lp, atol=1e-9)


def test_flow_density_is_normalised():
    flow = Flow(2, n_bins=8, hidden=16).double()
    _randomise(flow, 0.4, seed=7)
    r = torch.rand(100_000, 2, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        q = flow.log_prob(r).exp()
    # MC estimate of int q dr = 1; tolerance: 5 standard errors of the mean
    assert abs(float(q.mean()) - 1.0) < 5 * float(q.std()) / math.sqrt(q.numel())


def test_flow_rejects_bad_shapes():
    flow = Flow(2, n_flows=2)
    with pytest.raises(ValueError, match="index"):
        flow.log_prob(torch.rand(3, 2))
    with pytest.raises(ValueError, match="shape"):
        flow.log_prob(torch.rand(3, 4), torch.zeros(3, dtype=torch.long))


# ----------------------------------------------------------------------- VEGAS layer -------
def test_vegas_layer_invertible_logdet_and_normalised():
    grids = _random_grids(3, 2, 10, seed=0)
    layer = VegasLayer(grids)
    g = torch.Generator().manual_seed(4)
    n = 20_000
    z = torch.rand(n, 2, generator=g)
    index = torch.randint(0, 3, (n,), generator=g)
    r, ld = layer(z, index)
    z_back, ld_inv = layer(r, index, inverse=True)
    assert torch.allclose(z_back, z, atol=1e-10)
    assert torch.allclose(ld_inv, -ld, atol=1e-10)
    for k in range(5):  # log-det against autograd (piecewise linear: exact inside a bin)
        jac = torch.autograd.functional.jacobian(lambda v: layer(v[None], index[k:k + 1])[0][0], z[k])
        assert math.isclose(float(torch.linalg.slogdet(jac)[1]), float(ld[k]), abs_tol=1e-10)
    # density 1/|dr/dz| integrates to 1 over r: uniform MC, 5 standard errors
    r_unif = torch.rand(n, 2, generator=g)
    q = layer(r_unif, index, inverse=True)[1].exp()
    assert abs(float(q.mean()) - 1.0) < 5 * float(q.std()) / math.sqrt(n)


@pytest.mark.parametrize("ninc", [12, [5, 12, 7]])
def test_vegas_layer_reproduces_vegas_adaptive_map(ninc):
    vegas = pytest.importorskip("vegas")
    amap = vegas.AdaptiveMap([[0.0, 1.0]] * 3, ninc=ninc)
    rng = np.random.default_rng(0)
    y = rng.random((4000, 3))
    amap.add_training_data(y, np.exp(-30 * ((y - 0.3) ** 2).sum(1)))
    amap.adapt(alpha=1.0)
    grid = grid_from_adaptive_map(amap)
    assert grid.shape == (3, 13)
    layer = VegasLayer(grid)
    assert layer.bins.tolist() == [list(np.broadcast_to(ninc, 3))]
    x_ref, jac_ref = adaptive_map_sample(amap, y[:500])
    x, ld = layer(torch.as_tensor(y[:500]))
    assert np.allclose(x.numpy(), x_ref, atol=1e-12)
    assert np.allclose(ld.exp().numpy(), jac_ref, rtol=1e-10)
    back, ld_back = layer(x, inverse=True)
    assert np.allclose(back.numpy(), y[:500], atol=1e-10) and np.allclose(ld_back.numpy(), -ld.numpy())


def test_vegas_layer_rejects_bad_grid():
    with pytest.raises(ValueError, match="increasing"):
        VegasLayer(torch.tensor([[0.0, 0.6, 0.5, 1.0]]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        VegasLayer(torch.tensor([[0.0, 0.5, 0.9]]))


# --------------------------------------------------------------------- channel density ------
def test_channel_density_groups_share_flows_and_start_at_vegas_density():
    groups = [[0, 2], [1], [3]]
    dens = ChannelDensity(2, groups, n_bins=6, hidden=16, vegas_bins=10).double()
    grids = _random_grids(3, 2, 10, seed=5)
    dens.vegas.set_grids(grids)
    channels = torch.tensor([0, 1, 2, 3, 2, 0])
    g = torch.Generator().manual_seed(0)
    r, lq = dens.sample(channels, g)
    # identity flows: the density is the group's VEGAS density
    ref = VegasLayer(grids)(r, dens.group_of[channels], inverse=True)[1]
    assert torch.allclose(lq, ref, atol=1e-10)
    _randomise(dens.flow, 0.3, seed=1)
    r, lq = dens.sample(channels, g)
    assert torch.allclose(dens.log_prob(r, channels), lq, atol=1e-9)
    # channels 0 and 2 share one density, channel 1 has its own
    assert torch.allclose(dens.log_prob(r, torch.zeros(6, dtype=torch.long)),
                          dens.log_prob(r, torch.full((6,), 2)), atol=1e-12)
    assert not torch.allclose(dens.log_prob(r, torch.zeros(6, dtype=torch.long)),
                              dens.log_prob(r, torch.ones(6, dtype=torch.long)), atol=1e-6)


def test_channel_density_conditioned_group_distinguishes_channels():
    dens = ChannelDensity(2, [[0, 1]], n_bins=6, hidden=16, condition_on_channel=True).double()
    assert dens.flow.n_flows == 1 and dens.context_dim == 2
    _randomise(dens.flow, 0.3, seed=2)
    r = torch.rand(8, 2, generator=torch.Generator().manual_seed(0))
    a = dens.log_prob(r, torch.zeros(8, dtype=torch.long))
    b = dens.log_prob(r, torch.ones(8, dtype=torch.long))
    assert not torch.allclose(a, b, atol=1e-6)


def test_max_flows_go_to_the_highest_scores_and_the_rest_sample_from_vegas():
    groups = [[0], [1], [2], [3]]
    dens = ChannelDensity(2, groups, n_bins=6, hidden=16, vegas_bins=10, max_flows=2).double()
    assert dens.flow.n_flows == 2
    grids = _random_grids(4, 2, 10, seed=3)
    dens.vegas.set_grids(grids)
    dens.assign_flows(torch.tensor([0.1, 5.0, 0.2, 3.0]))
    assert dens.flow_of_group.tolist() == [-1, 0, -1, 1]
    _randomise(dens.flow, 0.3, seed=4)
    channels = torch.tensor([0, 1, 2, 3, 3, 1, 0, 2])
    r, lq = dens.sample(channels, torch.Generator().manual_seed(1))
    assert torch.allclose(dens.log_prob(r, channels), lq, atol=1e-9)
    vegas_only = VegasLayer(grids)(r, channels, inverse=True)[1]
    plain = torch.tensor([c in (0, 2) for c in channels.tolist()])
    assert torch.allclose(lq[plain], vegas_only[plain], atol=1e-10)  # no flow: the VEGAS density
    assert not torch.allclose(lq[~plain], vegas_only[~plain], atol=1e-6)


def test_uniform_grid_is_identity():
    layer = VegasLayer(uniform_grid(2, 7))
    z = torch.rand(50, 2, generator=torch.Generator().manual_seed(0))
    r, ld = layer(z)
    assert torch.allclose(r, z, atol=1e-12) and torch.allclose(ld, torch.zeros(50), atol=1e-12)
