"""Small multilayer perceptrons, stacked so that several independent networks run in one pass.

A :class:`StackedMLP` holds ``n_stack`` networks of the same shape whose weights live in one
tensor each, shape ``(n_stack, n_in, n_out)``. Its input is in the *stacked layout*
``(n_stack, m, n_in)``: row ``k`` is evaluated by network ``k`` with one batched matrix
product (:func:`torch.baddbmm`), so the flows of all channel groups train in one pass without a
Python loop over groups. :class:`GroupLayout` converts between a flat batch ``(n, ...)`` with a
group index per event and the stacked layout (events sorted by group, padded to the largest
group).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

__all__ = ["GroupLayout", "StackedMLP"]


class GroupLayout:
    """Sorts a flat batch by group index and cuts it into *slots* of equal size, the stacked layout
    ``(n_slots, m, ...)``: each slot holds up to ``m`` events of one group, and ``slot_group`` (int64,
    (n_slots,)) says which group's network evaluates it.

    Args:
        index: int64, shape (n,), the group of each event, values in ``[0, n_groups)``.
        n_groups: number of groups.
        slot_size: events per slot (None: one slot per group, padded to the largest group).

    Unequal groups waste little: the padding is at most one partly filled slot per group present, where
    one slot per group would pad every group to the largest one.
    """

    def __init__(self, index: Tensor, n_groups: int, slot_size: int | None = None):
        index = index.long()
        n = index.shape[0]
        self.n = n
        self.n_groups = n_groups
        if n < 2 or bool((index[1:] >= index[:-1]).all()):
            order = torch.arange(n, device=index.device)  # already sorted (the common case)
        else:
            order = torch.argsort(index, stable=True)
        sorted_index = index[order]
        counts = torch.bincount(index, minlength=n_groups)
        offsets = torch.cumsum(counts, 0) - counts
        position = torch.arange(n, device=index.device) - offsets[sorted_index]
        largest = int(counts.max().item()) if n > 0 else 0
        if slot_size is None or n == 0:
            self.m = largest
            self.slot_group = None  # slot k is group k
            self.slot = sorted_index
            self.position = position
        else:
            m = max(1, min(int(slot_size), largest))
            slots = (counts + m - 1) // m
            first = torch.cumsum(slots, 0) - slots
            self.m = m
            self.slot_group = torch.repeat_interleave(torch.arange(n_groups, device=index.device), slots)
            self.slot = first[sorted_index] + position // m
            self.position = position % m
        self.order = order

    @property
    def n_slots(self) -> int:
        return self.n_groups if self.slot_group is None else int(self.slot_group.shape[0])

    def pack(self, t: Tensor, fill: float = 0.0) -> Tensor:
        """Flat ``(n, *rest)`` -> stacked ``(n_slots, m, *rest)``; empty places hold ``fill``."""
        out = t.new_full((self.n_slots, self.m, *t.shape[1:]), fill)
        out[self.slot, self.position] = t[self.order]
        return out

    def unpack(self, t: Tensor) -> Tensor:
        """Stacked ``(n_slots, m, *rest)`` -> flat ``(n, *rest)`` in the original event order."""
        out = t.new_empty((self.n, *t.shape[2:]))
        out[self.order] = t[self.slot, self.position]
        return out


class StackedMLP(nn.Module):
    """``n_stack`` independent MLPs ``n_in -> hidden x n_layers -> n_out`` (SiLU activations).

    Args:
        n_stack: number of independent networks.
        n_in: input features (0 is allowed: the networks then see a constant input 1 and learn
            one output vector each).
        n_out: outputs.
        hidden: width of the hidden layers.
        n_layers: number of hidden layers (>= 1).
        zero_last: initialise the last layer to zero, so that all networks start with output 0.
    """

    def __init__(self, n_stack: int, n_in: int, n_out: int, hidden: int = 32, n_layers: int = 2,
                 zero_last: bool = True):
        super().__init__()
        if n_stack < 1 or n_out < 1 or hidden < 1 or n_layers < 1 or n_in < 0:
            raise ValueError(f"StackedMLP: invalid sizes n_stack={n_stack}, n_in={n_in}, "
                             f"n_out={n_out}, hidden={hidden}, n_layers={n_layers}")
        self.n_stack = n_stack
        self.n_in = n_in
        sizes = [max(n_in, 1)] + [hidden] * n_layers + [n_out]
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            bound = 1.0 / math.sqrt(a)
            w = torch.empty(n_stack, a, b).uniform_(-bound, bound)
            bias = torch.empty(n_stack, 1, b).uniform_(-bound, bound)
            if zero_last and k == len(sizes) - 2:
                w.zero_()
                bias.zero_()
            self.weights.append(nn.Parameter(w))
            self.biases.append(nn.Parameter(bias))

    def forward(self, x: Tensor, stack_index: Tensor | None = None) -> Tensor:
        """x: shape (n_stack, m, n_in) -> (n_stack, m, n_out); with ``stack_index`` (int64, (k,)) x has
        shape (k, m, n_in) and row j is evaluated by network ``stack_index[j]``."""
        if self.n_in == 0:
            x = x.new_ones((x.shape[0], x.shape[1], 1))
        last = len(self.weights) - 1
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            if stack_index is not None:
                w, b = w.index_select(0, stack_index), b.index_select(0, stack_index)
            x = torch.baddbmm(b, x, w)
            if k < last:
                x = nn.functional.silu(x)
        return x

    def forward_flat(self, x: Tensor) -> Tensor:
        """For ``n_stack == 1``: x shape (n, n_in) -> (n, n_out)."""
        if self.n_stack != 1:
            raise ValueError("forward_flat needs a single network (n_stack == 1)")
        return self.forward(x.unsqueeze(0)).squeeze(0)
