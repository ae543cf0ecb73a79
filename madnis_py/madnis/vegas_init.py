"""VEGAS grids as a fixed, invertible piecewise-linear layer (arXiv:2009.05112 for VEGAS).

A VEGAS grid along one dimension is a list of ``K + 1`` increasing bin edges from 0 to 1; the
map sends the latent bin ``[k/K, (k+1)/K]`` linearly onto ``[edge_k, edge_{k+1}]``, so its density
is ``1 / (K * width_k)`` on bin ``k``. :class:`VegasLayer` holds one grid per channel group, in the
layout of the ``vegas`` package's ``AdaptiveMap.grid`` (shape ``(dim, K + 1)`` per group), and
sits between the flow and the integrand: ``r = V_g(F_g(u))``. With the flow at the identity the
sampling density is exactly the trained VEGAS density; the flow then learns the remaining
correction in VEGAS's latent space.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

__all__ = ["VegasLayer", "uniform_grid", "grid_from_adaptive_map", "pad_grid", "bins_of_grids",
           "adaptive_map_sample"]


def uniform_grid(dim: int, n_bins: int, n_groups: int = 1,
                 dtype: torch.dtype = torch.float64) -> Tensor:
    """Equal-width grids, shape (n_groups, dim, n_bins + 1): the identity map."""
    edges = torch.linspace(0.0, 1.0, n_bins + 1, dtype=dtype)
    return edges.expand(n_groups, dim, n_bins + 1).clone()


def grid_from_adaptive_map(adaptive_map, n_bins: int | None = None) -> np.ndarray:
    """The bin edges of a ``vegas.AdaptiveMap`` on [0, 1]^dim: float64, shape (dim, n_bins + 1) with n_bins (by
    default) the largest ``ninc`` of its dimensions; a dimension with fewer bins is padded (see :func:`pad_grid`)."""
    return pad_grid([np.asarray(adaptive_map.grid[d])[: adaptive_map.ninc[d] + 1] for d in range(adaptive_map.dim)],
                    n_bins)


def pad_grid(edges: list[np.ndarray], n_bins: int | None = None) -> np.ndarray:
    """One grid from the bin edges of each dimension (0 ... 1, any number of bins): float64, shape
    (dim, n_bins + 1) (n_bins: the most bins of a dimension by default). A dimension with k < n_bins bins keeps
    its k + 1 edges first and is padded with values in (1, 1.5], strictly increasing, which
    :class:`VegasLayer` tells apart by its count of bins (:func:`bins_of_grids`)."""
    n_bins = max(len(e) - 1 for e in edges) if n_bins is None else n_bins
    out = np.empty((len(edges), n_bins + 1))
    for d, e in enumerate(edges):
        k = len(e) - 1
        if k > n_bins:
            raise ValueError(f"dimension {d} has {k} bins, more than {n_bins}")
        out[d, : k + 1] = e
        out[d, k + 1:] = 1.0 + 0.5 * np.arange(1, n_bins - k + 1) / (n_bins - k + 1)
    return out


def bins_of_grids(grids: Tensor) -> Tensor:
    """The number of bins of each row of (padded) grids (..., n_bins + 1): int64 (...,) -- the index of the last
    edge that is at most 1."""
    return (grids <= 1.0 + 1e-12).sum(-1) - 1


def adaptive_map_sample(adaptive_map, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map latent points y (n, dim) through a ``vegas.AdaptiveMap``: x (n, dim), dx/dy (n,)."""
    y = np.ascontiguousarray(y, dtype=np.float64)
    x = np.empty_like(y)
    jac = np.empty(y.shape[0])
    adaptive_map.map(y, x, jac)
    return x, jac


def _check_grids(grids: Tensor) -> None:
    if grids.dim() != 3 or grids.shape[-1] < 2:
        raise ValueError(f"VEGAS grids must have shape (n_groups, dim, n_bins + 1), "
                         f"got {tuple(grids.shape)}")
    if not torch.all(grids[..., 1:] > grids[..., :-1]):
        raise ValueError("VEGAS grid edges must be strictly increasing")
    last = grids.gather(-1, bins_of_grids(grids).clamp_min(0).unsqueeze(-1)).squeeze(-1)
    if not (torch.allclose(grids[..., 0], torch.zeros_like(grids[..., 0]), atol=1e-12)
            and torch.allclose(last, torch.ones_like(last), atol=1e-12)
            and bool((grids[..., -1] <= 1.5 + 1e-12).all())):
        raise ValueError("VEGAS grids must span [0, 1] in every dimension")


class VegasLayer(nn.Module):
    """Fixed piecewise-linear map of [0, 1]^dim per group, from VEGAS bin edges.

    Args:
        grids: shape (n_groups, dim, n_bins + 1) (or (dim, n_bins + 1) for one group); edges
            strictly increasing from 0 to 1 (the ``vegas`` ``AdaptiveMap.grid`` layout), rows with
            fewer bins padded as :func:`pad_grid` does.

    The grids and their bins per row are buffers (saved in the state dict, never trained).
    """

    def __init__(self, grids: Tensor | np.ndarray):
        super().__init__()
        grids = self._as_grids(grids, torch.float64)
        self.register_buffer("grids", grids.clone())
        self.register_buffer("bins", bins_of_grids(grids))

    @staticmethod
    def _as_grids(grids: Tensor | np.ndarray, dtype: torch.dtype, device=None) -> Tensor:
        grids = torch.as_tensor(np.asarray(grids) if not isinstance(grids, Tensor) else grids,
                                dtype=dtype, device=device)
        if grids.dim() == 2:
            grids = grids.unsqueeze(0)
        _check_grids(grids)
        return grids

    @property
    def n_groups(self) -> int:
        return self.grids.shape[0]

    @property
    def dim(self) -> int:
        return self.grids.shape[1]

    @property
    def n_bins(self) -> int:
        """The most bins of a row (the grids' last axis is n_bins + 1)."""
        return self.grids.shape[2] - 1

    def set_grids(self, grids: Tensor | np.ndarray) -> None:
        """Replace the grids (same shape), e.g. after VEGAS training."""
        grids = self._as_grids(grids, self.grids.dtype, self.grids.device)
        if grids.shape != self.grids.shape:
            raise ValueError(f"VEGAS grids of shape {tuple(grids.shape)} do not replace "
                             f"{tuple(self.grids.shape)}")
        self.grids.copy_(grids)
        self.bins.copy_(bins_of_grids(grids))

    def forward(self, z: Tensor, index: Tensor | None = None,
                inverse: bool = False) -> tuple[Tensor, Tensor]:
        """Latent z -> r (or r -> z with ``inverse=True``).

        Args:
            z: shape (n, dim) in [0, 1]^dim.
            index: int64 (n,), the group of each event (may be omitted for one group).

        Returns:
            ``(y, log_det)``: y (n, dim) and log |dy/dz| (n,) of the applied map.
        """
        n, dim = z.shape
        if dim != self.dim:
            raise ValueError(f"VEGAS layer expects shape (n, {self.dim}), got {tuple(z.shape)}")
        if index is None:
            if self.n_groups != 1:
                raise ValueError("VEGAS layer has several grids: pass index (n,)")
            index = torch.zeros(n, dtype=torch.long, device=z.device)
        grids = self.grids.to(z.dtype)
        width_k = self.n_bins + 1
        dims = torch.arange(dim, device=z.device)
        g = index.long()[:, None].expand(n, dim)
        d = dims[None, :].expand(n, dim)
        bins = self.bins[g, d]
        nb = bins.to(z.dtype)
        z = z.clamp(0.0, 1.0)
        if inverse:
            # one flat, strictly increasing sequence: row (g, d) shifted by 2 * (g * dim + d) (edges and padding
            # lie in [0, 1.5]; searched in float64 so that the shifts do not eat the precision)
            row = (g * dim + d).to(torch.float64)
            shift = 2.0 * torch.arange(self.n_groups * dim, device=z.device, dtype=torch.float64)
            flat = (self.grids.reshape(-1, width_k) + shift[:, None]).reshape(-1)
            query = (z.to(torch.float64) + 2.0 * row).reshape(-1).contiguous()
            pos = torch.searchsorted(flat, query, right=True)
            k = torch.minimum((pos.reshape(n, dim) - 1 - (g * dim + d) * width_k).clamp_min(0), bins - 1)
            lo, hi = grids[g, d, k], grids[g, d, k + 1]
            width = hi - lo
            y = ((k.to(z.dtype) + ((z - lo) / width).clamp(0.0, 1.0)) / nb).clamp(0.0, 1.0)
            return y, -torch.log(width * nb).sum(-1)
        t = z * nb
        k = torch.minimum(torch.floor(t).long().clamp_min(0), bins - 1)
        frac = t - k.to(z.dtype)
        lo, hi = grids[g, d, k], grids[g, d, k + 1]
        width = hi - lo
        y = (lo + frac * width).clamp(0.0, 1.0)
        return y, torch.log(width * nb).sum(-1)
