"""The sampling density of every channel: a VEGAS layer and a flow per channel group.

For channel ``i`` in group ``g``: ``r = V_g(F_g(u; c_i))`` with ``u`` uniform on [0, 1]^dim,
``V_g`` the group's fixed VEGAS layer (:mod:`.vegas_init`) and ``F_g`` the group's flow
(:mod:`.flow`). The flows of all groups are stacked in one :class:`.flow.Flow` module. With
``condition_on_channel`` the flow of a group with several channels also sees the one-hot of the
channel's position inside its group (``c_i``), so one network can serve channels that are not
exactly symmetric; without it, the channels of a group share one density (exact for channels
related by a permutation of identical particles, whose optimal densities on the cube coincide).
With ``max_flows`` only that many groups get a flow (:meth:`ChannelDensity.assign_flows`); the others
sample from their VEGAS grid alone (``F_g`` the identity), which keeps processes with a thousand channel
classes trainable.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .flow import Flow
from .vegas_init import VegasLayer, uniform_grid

__all__ = ["ChannelDensity"]


class ChannelDensity(nn.Module):
    """Per-channel densities ``q_i(r)`` on [0, 1]^dim.

    Args:
        dim: dimension of the unit hypercube.
        channel_groups: partition of the channels into groups sharing one flow and VEGAS grid.
        n_blocks, n_bins, hidden, n_layers: flow shape (see :class:`.flow.Flow`).
        vegas_bins: bins per dimension of the VEGAS grids (uniform until set).
        condition_on_channel: condition each group's flow on the channel one-hot in the group.
        max_flows: at most this many flows (0: one per group); groups 0, 1, ... have them until
            :meth:`assign_flows` chooses.
    """

    def __init__(self, dim: int, channel_groups: list[list[int]], n_blocks: int | None = None,
                 n_bins: int = 16, hidden: int = 32, n_layers: int = 2, vegas_bins: int = 64,
                 condition_on_channel: bool = False, max_flows: int = 0):
        super().__init__()
        n_channels = sum(len(g) for g in channel_groups)
        group_of = torch.empty(n_channels, dtype=torch.long)
        position = torch.empty(n_channels, dtype=torch.long)
        for gi, group in enumerate(channel_groups):
            for pi, c in enumerate(group):
                group_of[c] = gi
                position[c] = pi
        self.register_buffer("group_of", group_of)
        self.register_buffer("position", position)
        self.dim = dim
        self.n_channels = n_channels
        self.n_groups = len(channel_groups)
        max_size = max(len(g) for g in channel_groups)
        self.context_dim = max_size if (condition_on_channel and max_size > 1) else 0
        n_flows = min(max_flows, self.n_groups) if max_flows > 0 else self.n_groups
        flow_of_group = torch.full((self.n_groups,), -1, dtype=torch.long)
        flow_of_group[:n_flows] = torch.arange(n_flows)
        #: the flow of each group, -1 for none (VEGAS only)
        self.register_buffer("flow_of_group", flow_of_group)
        self.flow = Flow(dim, n_flows=n_flows, context_dim=self.context_dim,
                         n_blocks=n_blocks, n_bins=n_bins, hidden=hidden, n_layers=n_layers)
        self.vegas = VegasLayer(uniform_grid(dim, vegas_bins, self.n_groups))

    def assign_flows(self, scores: Tensor) -> None:
        """Give the flows to the groups with the largest ``scores`` ((n_groups,)); only before training
        (a flow keeps its parameters when it changes group)."""
        n_flows = self.flow.n_flows
        top = torch.argsort(torch.as_tensor(scores, dtype=torch.float64), descending=True)[:n_flows]
        self.flow_of_group.fill_(-1)
        self.flow_of_group[top.to(self.flow_of_group.device)] = torch.arange(
            top.numel(), device=self.flow_of_group.device)

    def _flow(self, x: Tensor, channels: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
        """The flows of the events' groups applied to x (n, dim); the identity where a group has none.
        Returns (y, log |dy/dx|), shapes (n, dim) and (n,)."""
        flows = self.flow_of_group[self.group_of[channels]]
        context = self._context(channels, x.dtype)
        if bool((flows >= 0).all()):
            return self.flow.transform(x, flows, context, inverse=inverse)
        rows = torch.nonzero(flows >= 0).flatten()
        y_rows, ld_rows = self.flow.transform(x[rows], flows[rows], None if context is None else context[rows],
                                              inverse=inverse)
        y = x.index_put((rows,), y_rows)
        ld = x.new_zeros(x.shape[0]).index_put((rows,), ld_rows)
        return y, ld

    def _context(self, channels: Tensor, dtype: torch.dtype) -> Tensor | None:
        if self.context_dim == 0:
            return None
        return nn.functional.one_hot(self.position[channels], self.context_dim).to(dtype)

    def _check(self, channels: Tensor) -> None:
        if channels.dim() != 1:
            raise ValueError(f"channels must have shape (n,), got {tuple(channels.shape)}")
        if channels.numel() and (channels.min() < 0 or channels.max() >= self.n_channels):
            raise ValueError(f"channel indices must be in [0, {self.n_channels})")

    def sample(self, channels: Tensor,
               generator: torch.Generator | None = None) -> tuple[Tensor, Tensor]:
        """One point per entry of ``channels`` (int64, (n,)).

        Returns ``(r, log_q)``: r (n, dim) and log q_i(r) (n,)."""
        self._check(channels)
        groups = self.group_of[channels]
        p = next(self.flow.parameters())
        u = torch.rand((channels.shape[0], self.dim), generator=generator, dtype=p.dtype,
                       device=p.device)
        z, ld_flow = self._flow(u, channels, inverse=False)
        r, ld_vegas = self.vegas(z, groups)
        return r, -(ld_flow + ld_vegas)

    def log_prob(self, r: Tensor, channels: Tensor) -> Tensor:
        """log q_i(r), shape (n,), for r (n, dim) and channels int64 (n,)."""
        self._check(channels)
        r = r.to(next(self.flow.parameters()).dtype)
        groups = self.group_of[channels]
        z, ld_vegas = self.vegas(r, groups, inverse=True)
        _, ld_flow = self._flow(z, channels, inverse=True)
        return ld_vegas + ld_flow
