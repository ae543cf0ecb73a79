"""Normalizing flows on the unit hypercube: rational-quadratic spline couplings.

A :class:`Flow` is a stack of coupling blocks. Each block transforms the dimensions selected by
its mask with a rational-quadratic spline (:mod:`.splines`) whose parameters an MLP computes from
the other dimensions (and from an optional context, e.g. a channel one-hot). The masks follow the
binary digits of the dimension index (as in MadNIS, arXiv:2212.06172), so every dimension is
transformed and every pair of dimensions is conditioned on each other at least once;
the default number of blocks is ``2 * ceil(log2 dim)`` (at least 2).

Base density: uniform on [0, 1]^dim, so ``log q(x) = log |du/dx|`` summed over the blocks.
The last layer of every conditioner is zero, so a new flow is exactly the identity map.

Stacking: ``n_flows`` independent flows of the same shape share one module; their weights are
stacked (see :class:`.nets.StackedMLP`) and an event's ``index`` selects its flow, so that all
channel groups are evaluated in one batched pass.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from .nets import GroupLayout, StackedMLP
from .splines import n_spline_parameters, rational_quadratic_spline, spline_parameters

__all__ = ["CouplingBlock", "Flow", "coupling_masks"]

#: Smallest slot of the stacked layout (:class:`.nets.GroupLayout`): events of one flow per slot.
SLOT_MIN = 16
#: Cost of a slot in padded rows (fitted to CPU timings of 228 flows of dimension 14, 105 of dimension 10, 15 of 5).
SLOT_COST = 12


def coupling_masks(dim: int, n_blocks: int | None = None) -> list[Tensor]:
    """Boolean masks (True = transformed in that block), one per block.

    For ``dim >= 2`` block ``2b`` transforms the dimensions whose index has bit ``b`` set and
    block ``2b + 1`` the others, cycling through the ``ceil(log2 dim)`` bits. For ``dim == 1``
    every block transforms the single dimension (conditioned on the context only).
    """
    if dim < 1:
        raise ValueError(f"flow dimension must be >= 1, got {dim}")
    n_bits = max(1, math.ceil(math.log2(dim))) if dim > 1 else 1
    if n_blocks is None or n_blocks <= 0:
        n_blocks = 2 * n_bits
    if dim == 1:
        return [torch.ones(1, dtype=torch.bool) for _ in range(n_blocks)]
    idx = torch.arange(dim)
    masks = []
    for k in range(n_blocks):
        bit = (k // 2) % n_bits
        m = ((idx >> bit) & 1).bool()
        masks.append(m if k % 2 == 0 else ~m)
    return masks


def slot_size(index: Tensor, n_flows: int) -> int:
    """Events per slot of the stacked layout for flow indices ``index`` (int64, (n,)): the power of two
    (at least SLOT_MIN) that minimises the padded rows plus SLOT_COST rows per slot (each slot copies its
    flow's weights). Measured on a CPU, 4835 events of 228 flows in a skewed (Zipf) distribution: slots of
    16 take 469 ms for the log-density and its gradient, slots of 32 (the former fixed minimum) 543 ms."""
    counts = torch.bincount(index, minlength=n_flows)
    counts = counts[counts > 0]
    sizes = [SLOT_MIN]
    while sizes[-1] < int(counts.max()):
        sizes.append(2 * sizes[-1])
    return min(sizes, key=lambda m: int(((counts + m - 1) // m).sum()) * (m + SLOT_COST))


class CouplingBlock(nn.Module):
    """One rational-quadratic spline coupling block, stacked over ``n_flows`` flows.

    Args:
        mask: bool, shape (dim,): the dimensions this block transforms.
        n_flows: number of stacked independent flows.
        context_dim: size of the conditioning input (0: none).
        n_bins, hidden, n_layers: spline bins, conditioner width and depth.
        min_bin, min_derivative: lower bounds of the spline bin sizes and knot derivatives.
    """

    def __init__(self, mask: Tensor, n_flows: int = 1, context_dim: int = 0, n_bins: int = 16,
                 hidden: int = 32, n_layers: int = 2, min_bin: float = 1e-3,
                 min_derivative: float = 1e-3):
        super().__init__()
        mask = torch.as_tensor(mask, dtype=torch.bool)
        self.register_buffer("trans_idx", torch.nonzero(mask).flatten(), persistent=False)
        self.register_buffer("cond_idx", torch.nonzero(~mask).flatten(), persistent=False)
        self.n_trans = int(mask.sum())
        self.n_bins = n_bins
        self.min_bin = min_bin
        self.min_derivative = min_derivative
        n_in = int((~mask).sum()) + context_dim
        self.net = StackedMLP(n_flows, n_in, self.n_trans * n_spline_parameters(n_bins),
                              hidden, n_layers, zero_last=True)

    def forward(self, x: Tensor, context: Tensor | None = None, inverse: bool = False,
                slot_flow: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """x: stacked layout (n_flows, m, dim) (or (k, m, dim) with ``slot_flow`` (int64, (k,)) naming the
        flow of each slot); context of the same layout with context_dim columns, or None.
        Returns ``(y, log_det)`` with log_det shape (n_flows or k, m)."""
        cond = x.index_select(-1, self.cond_idx)
        if context is not None:
            cond = torch.cat([cond, context], dim=-1)
        raw = self.net(cond, slot_flow).unflatten(-1, (self.n_trans, n_spline_parameters(self.n_bins)))
        w, h, d = spline_parameters(raw, self.n_bins, self.min_bin, self.min_derivative)
        z, ld = rational_quadratic_spline(x.index_select(-1, self.trans_idx), w, h, d, inverse)
        y = x.index_copy(-1, self.trans_idx, z)
        return y, ld.sum(-1)


class Flow(nn.Module):
    """Normalizing flow on [0, 1]^dim with a uniform base density.

    Args:
        dim: dimension.
        n_flows: number of stacked independent flows (select one per event with ``index``).
        context_dim: size of an optional conditioning input per event (e.g. a channel one-hot).
        n_blocks: coupling blocks (0 or None: ``2 * ceil(log2 dim)``, at least 2).
        n_bins: spline bins per dimension; hidden, n_layers: conditioner MLP shape.

    All methods take flat batches: points (n, dim), ``index`` int64 (n,) with values in
    ``[0, n_flows)`` (may be omitted when ``n_flows == 1``) and ``context`` (n, context_dim).
    """

    def __init__(self, dim: int, n_flows: int = 1, context_dim: int = 0,
                 n_blocks: int | None = None, n_bins: int = 16, hidden: int = 32,
                 n_layers: int = 2, min_bin: float = 1e-3, min_derivative: float = 1e-3):
        super().__init__()
        self.dim = dim
        self.n_flows = n_flows
        self.context_dim = context_dim
        self.blocks = nn.ModuleList(
            CouplingBlock(m, n_flows, context_dim, n_bins, hidden, n_layers, min_bin,
                          min_derivative)
            for m in coupling_masks(dim, n_blocks))

    def _check(self, x: Tensor, index: Tensor | None, context: Tensor | None) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(f"flow expects points of shape (n, {self.dim}), got {tuple(x.shape)}")
        if index is None:
            if self.n_flows != 1:
                raise ValueError(f"flow has {self.n_flows} stacked flows: pass index (n,)")
            index = torch.zeros(x.shape[0], dtype=torch.long, device=x.device)
        elif index.shape != (x.shape[0],):
            raise ValueError(f"index must have shape ({x.shape[0]},), got {tuple(index.shape)}")
        if (context is None) != (self.context_dim == 0):
            raise ValueError(f"flow expects a context of size {self.context_dim}"
                             if self.context_dim else "flow takes no context")
        if context is not None and context.shape != (x.shape[0], self.context_dim):
            raise ValueError(f"context must have shape ({x.shape[0]}, {self.context_dim}), "
                             f"got {tuple(context.shape)}")
        return index

    def transform(self, x: Tensor, index: Tensor | None = None, context: Tensor | None = None,
                  inverse: bool = False) -> tuple[Tensor, Tensor]:
        """Forward map latent u -> x (or, ``inverse=True``, x -> u).

        Returns ``(y, log_det)``: y (n, dim) and log |dy/dx| (n,) of the applied map.
        """
        index = self._check(x, index, context)
        if x.shape[0] == 0:
            return x.clone(), x.new_zeros(0)
        layout = GroupLayout(index, self.n_flows, slot_size(index, self.n_flows) if self.n_flows > 1 else None)
        y = layout.pack(x, 0.5)
        c = layout.pack(context, 0.0) if context is not None else None
        log_det = y.new_zeros(y.shape[:2])
        blocks = reversed(self.blocks) if inverse else self.blocks
        for block in blocks:
            y, ld = block(y, c, inverse, layout.slot_group)
            log_det = log_det + ld
        return layout.unpack(y), layout.unpack(log_det)

    def log_prob(self, x: Tensor, index: Tensor | None = None,
                 context: Tensor | None = None) -> Tensor:
        """log q(x), shape (n,), for x in [0, 1]^dim."""
        return self.transform(x, index, context, inverse=True)[1]

    def sample(self, n: int | None = None, index: Tensor | None = None,
               context: Tensor | None = None,
               generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """Draw points: ``n`` of them, or one per entry of ``index``.

        Returns ``(x, log_prob)``: x (n, dim) in [0, 1]^dim and log q(x) (n,).
        """
        if index is not None:
            n = index.shape[0]
        if n is None:
            raise ValueError("sample: give n or index")
        p = next(self.parameters())
        u = torch.rand((n, self.dim), generator=generator, dtype=p.dtype, device=p.device)
        x, log_det = self.transform(u, index, context)
        return x, -log_det
