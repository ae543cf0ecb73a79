"""What the MadNIS integrator needs from an integrand: the multi-channel integrand protocol.

The integrator never sees momenta. It draws, for each event, a channel ``i`` and a point ``r`` of
the unit hypercube from that channel's learned density ``q_i(r)``, and asks the integrand for

* ``f``: the channel-mapped weight ``f_i(r) = F(x_i(r)) |dx_i/dr|`` in pb, where ``F`` is the
  fully differential cross section (PDFs x |M|^2 x flux x cuts) and ``x_i`` channel ``i``'s
  phase-space mapping of the unit cube onto the whole phase space; 0 outside the cuts;
* ``prior``: the prior channel weights ``alpha_j(x)`` at that phase-space point for all channels
  ``j`` (MadGraph's single-diagram enhancement: ``|M_j|^2 / sum_k |M_k|^2``), rows summing to 1;
* ``features``: a description of the phase-space point for the channel-weight network (and the
  surrogate), e.g. scaled invariants; the same point must give the same features whatever the
  channel it was generated in.

The multi-channel weight of an event from channel ``i`` is
``w = alpha_i(x) f_i(r) / q_i(r)``; ``sum_i E_{q_i}[w]`` is the cross section in pb, for any
channel weights that sum to 1 at every point and any densities ``q_i > 0`` on the cube.

Optional, for the surrogate (:mod:`.surrogate`): a method ``map(channel, r)`` that performs only
the cheap phase-space mapping and cuts (no matrix element) and returns :class:`MappedPoints`;
``evaluate`` then also returns ``log_jacobian`` (``log |dx_i/dr|``). Integrands that implement it
satisfy :class:`SupportsMapping`.

Optional, for the cross-channel variance loss (``madnis_cross_channels``): a method
``remap(channel, r, targets)`` that expresses each point in other channels' coordinates (the inverse of
their phase-space mappings); integrands that implement it satisfy :class:`SupportsRemap`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence, runtime_checkable

import torch
from torch import Tensor

__all__ = ["IntegrandOutput", "MappedPoints", "MultiChannelIntegrand", "SupportsMapping", "SupportsRemap",
           "channel_groups_of", "check_output", "check_mapped"]


@dataclass(frozen=True)
class IntegrandOutput:
    """The integrand at a batch of n points.

    Attributes:
        f: shape (n,), pb: channel-mapped weight ``F(x(r)) |dx/dr|``; 0 outside the cuts.
        prior: shape (n, n_channels), prior channel weights at x, rows summing to 1 (a row of
            zeros is allowed where f = 0).
        features: shape (n, features_dim), channel-independent description of x.
        log_jacobian: shape (n,) or None: ``log |dx/dr|`` of the channel mapping; required only
            for the surrogate.
    """

    f: Tensor
    prior: Tensor
    features: Tensor
    log_jacobian: Tensor | None = None


@dataclass(frozen=True)
class MappedPoints:
    """The cheap part of an evaluation (phase-space mapping and cuts, no matrix element).

    Attributes:
        features: shape (n, features_dim), as in :class:`IntegrandOutput`.
        log_jacobian: shape (n,): ``log |dx/dr|`` of the channel mapping.
        passes_cuts: bool, shape (n,): False where the integrand is 0 because of the cuts.
    """

    features: Tensor
    log_jacobian: Tensor
    passes_cuts: Tensor


@runtime_checkable
class MultiChannelIntegrand(Protocol):
    """A multi-channel integrand on the unit hypercube (see the module docstring).

    Attributes:
        n_channels: number of channels (>= 1).
        dim: dimension of the unit hypercube of each channel's mapping.
        features_dim: number of features per event (0 allowed: the channel weights then do not
            depend on the point).
        channel_groups: list of lists of channel indices; channels in one group differ only by a
            permutation of identical particles and share one flow and one VEGAS grid. Every
            channel appears in exactly one group. Integrands may omit the attribute (see
            :func:`channel_groups_of`): then each channel is its own group.
    """

    n_channels: int
    dim: int
    features_dim: int

    def evaluate(self, channel: Tensor, r: Tensor) -> IntegrandOutput:
        """Evaluate a batch.

        Args:
            channel: int64, shape (n,), the channel each point was generated in.
            r: shape (n, dim), points of [0, 1]^dim (the integrator's dtype, float64 default).

        Returns:
            :class:`IntegrandOutput` with tensors of the same dtype as ``r``.
        """
        ...


@runtime_checkable
class SupportsMapping(Protocol):
    """An integrand that can also do the cheap mapping alone (needed by the surrogate)."""

    def map(self, channel: Tensor, r: Tensor) -> MappedPoints:
        """Phase-space mapping and cuts for a batch, without the matrix element.

        Args: as :meth:`MultiChannelIntegrand.evaluate`.
        """
        ...


@runtime_checkable
class SupportsRemap(Protocol):
    """An integrand that can express its points in other channels' coordinates (needed by the cross-channel
    variance loss, :func:`madnis_py.madnis.losses.mixture_variance_loss`)."""

    def remap(self, channel: Tensor, r: Tensor, targets: Tensor) -> tuple[Tensor, Tensor]:
        """The points ``x_channel(r)`` in the coordinates of the channels ``targets``.

        Args:
            channel: int64 (n,), r: (n, dim), as :meth:`MultiChannelIntegrand.evaluate`;
            targets: int64 (n, k), channels of the points' subprocess (-1: none; its outputs are not used).

        Returns:
            ``(r_targets, log_jacobian)``: shapes (n, k, dim) and (n, k): the point r' of channel
            ``targets[n, k]`` that maps to the same phase-space point, and ``log |dx/dr'|`` there
            (``-inf`` where that channel cannot reach the point).
        """
        ...


def channel_groups_of(integrand: MultiChannelIntegrand) -> list[list[int]]:
    """The integrand's channel groups (each channel alone when it defines none), checked to be a
    partition of ``range(n_channels)``; ValueError otherwise."""
    n = int(integrand.n_channels)
    groups: Sequence[Sequence[int]] | None = getattr(integrand, "channel_groups", None)
    if groups is None:
        return [[i] for i in range(n)]
    out = [[int(c) for c in g] for g in groups]
    flat = sorted(c for g in out for c in g)
    if flat != list(range(n)) or any(len(g) == 0 for g in out):
        raise ValueError(f"channel_groups {out} must partition the channels 0..{n - 1}, each "
                         "channel in exactly one non-empty group")
    return out


def check_output(out: IntegrandOutput, n: int, n_channels: int, features_dim: int) -> None:
    """ValueError naming the field when the integrand returned the wrong shapes."""
    if not isinstance(out, IntegrandOutput):
        raise TypeError(f"integrand.evaluate must return IntegrandOutput, got {type(out).__name__}")
    if out.f.shape != (n,):
        raise ValueError(f"integrand f has shape {tuple(out.f.shape)}, expected ({n},)")
    if out.prior.shape != (n, n_channels):
        raise ValueError(f"integrand prior has shape {tuple(out.prior.shape)}, "
                         f"expected ({n}, {n_channels})")
    if out.features.shape != (n, features_dim):
        raise ValueError(f"integrand features have shape {tuple(out.features.shape)}, "
                         f"expected ({n}, {features_dim})")
    if out.log_jacobian is not None and out.log_jacobian.shape != (n,):
        raise ValueError(f"integrand log_jacobian has shape {tuple(out.log_jacobian.shape)}, "
                         f"expected ({n},)")


def check_mapped(out: MappedPoints, n: int, features_dim: int) -> None:
    """ValueError naming the field when ``map`` returned the wrong shapes."""
    if not isinstance(out, MappedPoints):
        raise TypeError(f"integrand.map must return MappedPoints, got {type(out).__name__}")
    if out.features.shape != (n, features_dim):
        raise ValueError(f"mapped features have shape {tuple(out.features.shape)}, "
                         f"expected ({n}, {features_dim})")
    if out.log_jacobian.shape != (n,) or out.passes_cuts.shape != (n,):
        raise ValueError("mapped log_jacobian and passes_cuts must have shape (n,)")
    if out.passes_cuts.dtype != torch.bool:
        raise TypeError("mapped passes_cuts must be a bool tensor")
