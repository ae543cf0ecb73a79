"""VEGAS importance sampling of the unit hypercube, with the `vegas` package (arXiv:2009.05112).

The trained grid maps uniform numbers y to x with a Jacobian; the integrand is evaluated on x.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import vegas

from madnis_py.integrator.result import IntegrationResult

#: A batch integrand: x float64 (n, dim) in [0, 1]^dim -> weights float64 (n,) in pb.
BatchIntegrand = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class VegasConfig:
    """Training schedule: adaptation iterations, then iterations with a frozen grid for the estimate."""

    @classmethod
    def for_channels(cls, n_channels: int, survey_points: int = 1_000_000) -> "VegasConfig":
        """A survey that spends about ``survey_points`` evaluations over all channels (1000 to 10000 per
        iteration and channel), as MadEvent's survey does before it refines the channels that matter."""
        per_iteration = int(min(10_000, max(1_000, survey_points / (8 * max(n_channels, 1)))))
        return cls(adapt_points=per_iteration, integrate_points=2 * per_iteration)

    n_bins: int = 1000
    adapt_iterations: int = 6
    adapt_points: int = 10_000
    integrate_iterations: int = 2
    integrate_points: int = 20_000
    alpha: float = 1.0


class VegasSampler:
    """Trains a VEGAS grid on a batch integrand and samples from it with a numpy Generator."""

    def __init__(self, dim: int, config: VegasConfig, rng: np.random.Generator):
        self.dim = dim
        self.config = config
        self.rng = rng
        self._integrator = vegas.Integrator(
            [[0.0, 1.0]] * dim, maxinc_axis=config.n_bins, ran_array_generator=lambda size: rng.random(size),
        )
        #: the trained grid (a picklable vegas.AdaptiveMap) that sample() draws from
        self.map: vegas.AdaptiveMap = self._integrator.map

    def train(self, integrand: BatchIntegrand) -> IntegrationResult:
        """Adapts the grid, then estimates the integral (pb) with the grid frozen."""
        f = vegas.lbatchintegrand(lambda x: integrand(np.ascontiguousarray(x, dtype=np.float64)))
        c = self.config
        self._integrator(f, nitn=c.adapt_iterations, neval=c.adapt_points, alpha=c.alpha)
        result = self._integrator(f, nitn=c.integrate_iterations, neval=c.integrate_points, adapt=False)
        self.map = self._integrator.map
        chi2_dof = float(result.chi2 / result.dof) if result.dof > 0 and result.sdev > 0 else 0.0
        return IntegrationResult(float(result.mean), float(result.sdev), chi2_dof,
                                 int(c.integrate_iterations * c.integrate_points))

    def sample(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Draws n points from the grid density: x float64 (n, dim), jacobian (n,) = 1/q(x)."""
        y = self.rng.random((n, self.dim))
        x = np.empty_like(y)
        jac = np.empty(n)
        self.map.map(y, x, jac)
        return x, jac
