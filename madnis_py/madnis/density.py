"""The sampling density of every channel: a VEGAS layer and a flow per channel group.

For channel ``i`` in group ``g``: ``r = V_g(F_g(u; c_i))`` with ``u`` uniform on [0, 1]^dim,
``V_g`` the group's fixed VEGAS layer (:mod:`.vegas_init`) and ``F_g`` the group's flow
(:mod:`.flow`). The flows of all groups are stacked in one :class:`.flow.Flow` module. With
``condition_on_channel`` the flow of a group with several channels also sees the one-hot of the
channel's position inside its group (``c_i``), so one network can serve channels that are not
exactly symmetric; without it, the channels of a group share one density (exact for channels
related by a permutation of identical particles, whose optimal densities on the cube coincide).
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
    """

    def __init__(self, dim: int, channel_groups: list[list[int]], n_blocks: int | None = None,
                 n_bins: int = 16, hidden: int = 32, n_layers: int = 2, vegas_bins: int = 64,
                 condition_on_channel: bool = False):
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
        self.flow = Flow(dim, n_flows=self.n_groups, context_dim=self.context_dim,
                         n_blocks=n_blocks, n_bins=n_bins, hidden=hidden, n_layers=n_layers)
        self.vegas = VegasLayer(uniform_grid(dim, vegas_bins, self.n_groups))

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
        z, ld_flow = self.flow.transform(u, groups, self._context(channels, p.dtype))
        r, ld_vegas = self.vegas(z, groups)
        return r, -(ld_flow + ld_vegas)

    def log_prob(self, r: Tensor, channels: Tensor) -> Tensor:
        """log q_i(r), shape (n,), for r (n, dim) and channels int64 (n,)."""
        self._check(channels)
        r = r.to(next(self.flow.parameters()).dtype)
        groups = self.group_of[channels]
        z, ld_vegas = self.vegas(r, groups, inverse=True)
        _, ld_flow = self.flow.transform(z, groups, self._context(channels, r.dtype),
                                         inverse=True)
        return ld_vegas + ld_flow
