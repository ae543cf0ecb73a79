"""A toy multi-channel integrand with a known integral (for tests, examples and benchmarks).

``F(x) = sum_k h_k prod_d N(x_d; c_kd, sigma_k)`` on [0, 1]^dim, set to 0 where
``x_0 < cut`` (a "cut"). Channel ``k`` maps the unit cube with a truncated Cauchy
(Breit-Wigner-like) map centred on peak ``k`` of width ``gamma_k = width_factor * sigma_k``
in each dimension; the prior channel weights are ``h_k prod_d BW_k(x_d)`` normalised over the
channels (the shape of the channel maps, as MadGraph's propagator-based priors), so both the flows
and the channel weights have something to learn. Features are the point x itself.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import Tensor

from .integrand import IntegrandOutput, MappedPoints

__all__ = ["GaussianPeaks"]


class GaussianPeaks:
    """Sum of Gaussian peaks with one Cauchy-mapped channel per peak.

    Args:
        centres: (n_peaks, dim) peak positions inside the cube.
        sigmas: (n_peaks,) Gaussian widths.
        heights: (n_peaks,) integrals of the untruncated peaks, pb.
        cut: x_0 below this is cut away (0: no cut).
        width_factor: Cauchy map width over the Gaussian width.
        channel_groups: optional grouping of the channels (default: each alone).

    Attributes:
        n_evaluated: number of points passed to :meth:`evaluate` so far.
        n_mapped: number of points passed to :meth:`map` so far.
    """

    def __init__(self, centres: Sequence[Sequence[float]], sigmas: Sequence[float],
                 heights: Sequence[float], cut: float = 0.0, width_factor: float = 1.0,
                 channel_groups: list[list[int]] | None = None):
        self.centres = torch.tensor(centres, dtype=torch.float64)
        self.sigmas = torch.tensor(sigmas, dtype=torch.float64)
        self.heights = torch.tensor(heights, dtype=torch.float64)
        if self.centres.dim() != 2 or self.sigmas.shape != self.heights.shape \
                or self.sigmas.shape[0] != self.centres.shape[0]:
            raise ValueError("centres (n, dim), sigmas (n,) and heights (n,) do not agree")
        self.n_channels = self.centres.shape[0]
        self.dim = self.centres.shape[1]
        self.features_dim = self.dim
        self.cut = float(cut)
        self.gammas = width_factor * self.sigmas
        if channel_groups is not None:
            self.channel_groups = channel_groups
        self.n_evaluated = 0
        self.n_mapped = 0
        c, g = self.centres, self.gammas[:, None]
        self._a = torch.atan((0.0 - c) / g)
        self._b = torch.atan((1.0 - c) / g)

    @classmethod
    def standard(cls, dim: int = 2, small_peak: float = 0.0) -> "GaussianPeaks":
        """Three peaks of different heights and widths in [0, 1]^dim with a cut at x_0 = 0.22,
        plus a fourth, small one of height ``small_peak`` when that is > 0."""
        base = [[0.25, 0.3, 0.6, 0.4], [0.7, 0.7, 0.3, 0.6], [0.3, 0.8, 0.5, 0.2],
                [0.85, 0.2, 0.4, 0.7]]
        n = 4 if small_peak > 0 else 3
        centres = [row[:dim] + [0.5] * max(0, dim - 4) for row in base[:n]]
        sigmas = [0.03, 0.04, 0.05, 0.03][:n]
        heights = [1.0, 0.6, 0.3, small_peak][:n]
        return cls(centres, sigmas, heights, cut=0.22)

    def integral(self) -> float:
        """The exact integral of F over the cube (inside the cut), pb."""
        total = 0.0
        for k in range(self.n_channels):
            prod = float(self.heights[k])
            for d in range(self.dim):
                lo = self.cut if d == 0 else 0.0
                c, s = float(self.centres[k, d]), float(self.sigmas[k])
                prod *= 0.5 * (math.erf((1.0 - c) / (s * math.sqrt(2))) -
                               math.erf((lo - c) / (s * math.sqrt(2))))
            total += prod
        return total

    def peak_integrals(self) -> list[float]:
        """The exact contribution of each peak, pb."""
        out = []
        for k in range(self.n_channels):
            prod = float(self.heights[k])
            for d in range(self.dim):
                lo = self.cut if d == 0 else 0.0
                c, s = float(self.centres[k, d]), float(self.sigmas[k])
                prod *= 0.5 * (math.erf((1.0 - c) / (s * math.sqrt(2))) -
                               math.erf((lo - c) / (s * math.sqrt(2))))
            out.append(prod)
        return out

    def _x(self, channel: Tensor, r: Tensor) -> tuple[Tensor, Tensor]:
        r = r.to(torch.float64)
        a, b = self._a[channel], self._b[channel]
        c, g = self.centres[channel], self.gammas[channel][:, None]
        theta = a + r * (b - a)
        x = (c + g * torch.tan(theta)).clamp(0.0, 1.0)
        log_jac = (torch.log(b - a) + torch.log(g ** 2 + (x - c) ** 2) - torch.log(g)).sum(-1)
        return x, log_jac

    def density(self, x: Tensor) -> Tensor:
        """F(x), pb, shape (n,), for x (n, dim) (0 where x_0 < cut)."""
        d2 = ((x[:, None, :] - self.centres[None]) ** 2).sum(-1)
        s2 = self.sigmas[None] ** 2
        peaks = self.heights * torch.exp(-0.5 * d2 / s2) / (2 * math.pi * s2) ** (self.dim / 2)
        return torch.where(x[:, 0] >= self.cut, peaks.sum(-1), torch.zeros(x.shape[0],
                                                                             dtype=x.dtype))

    def prior(self, x: Tensor) -> Tensor:
        """Prior channel weights (n, n_channels), Breit-Wigner shapes times heights."""
        g2 = self.gammas[None, :, None] ** 2
        bw = (g2 / (g2 + (x[:, None, :] - self.centres[None]) ** 2)).prod(-1)
        p = self.heights * bw
        return p / p.sum(-1, keepdim=True).clamp_min(1e-300)

    def evaluate(self, channel: Tensor, r: Tensor) -> IntegrandOutput:
        """See :class:`.integrand.MultiChannelIntegrand`."""
        self.n_evaluated += r.shape[0]
        x, log_jac = self._x(channel, r)
        f = self.density(x) * torch.exp(log_jac)
        dt = r.dtype
        return IntegrandOutput(f.to(dt), self.prior(x).to(dt), x.to(dt), log_jac.to(dt))

    def map(self, channel: Tensor, r: Tensor) -> MappedPoints:
        """See :class:`.integrand.SupportsMapping`."""
        self.n_mapped += r.shape[0]
        x, log_jac = self._x(channel, r)
        return MappedPoints(x.to(r.dtype), log_jac.to(r.dtype), x[:, 0] >= self.cut)

    def remap(self, channel: Tensor, r: Tensor, targets: Tensor) -> tuple[Tensor, Tensor]:
        """See :class:`.integrand.SupportsRemap` (the inverse Cauchy maps)."""
        x, _ = self._x(channel, r)
        a, b = self._a[targets], self._b[targets]
        c, g = self.centres[targets], self.gammas[targets][..., None]
        x = x[:, None, :].expand_as(c)
        r_t = ((torch.atan((x - c) / g) - a) / (b - a)).clamp(0.0, 1.0)
        log_jac = (torch.log(b - a) + torch.log(g ** 2 + (x - c) ** 2) - torch.log(g)).sum(-1)
        return r_t.to(r.dtype), log_jac.to(r.dtype)

    def point(self, channel: Tensor, r: Tensor) -> Tensor:
        """The phase-space point x (n, dim) of unit-cube points r in the given channels."""
        return self._x(channel, r)[0]
