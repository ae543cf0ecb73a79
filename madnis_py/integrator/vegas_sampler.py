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
    """Training schedule: adaptation iterations, then iterations with a frozen grid for the estimate.

    n_bins: grid increments per axis (MadEvent uses 50; many more need far more points per iteration to adapt
    without noise); alpha: damping of the grid adaptation (vegas's default 0.5).
    """

    n_bins: int = 50
    adapt_iterations: int = 6
    adapt_points: int = 10_000
    integrate_iterations: int = 2
    integrate_points: int = 20_000
    alpha: float = 0.5


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
        c = self.config
        self.adapt(integrand, c.adapt_iterations, c.adapt_points)
        return self.estimate(integrand, c.integrate_iterations, c.integrate_points)

    def adapt(self, integrand: BatchIntegrand, iterations: int, points: int) -> IntegrationResult:
        """Adapts the grid over ``iterations`` of ``points`` evaluations; returns the last iteration's
        estimate (pb)."""
        result = self._integrator(self._batch(integrand), nitn=iterations, neval=points, alpha=self.config.alpha)
        self.map = self._integrator.map
        last = result.itn_results[-1]
        return IntegrationResult(float(last.mean), float(last.sdev), 0.0, int(points))

    def estimate(self, integrand: BatchIntegrand, iterations: int, points: int) -> IntegrationResult:
        """The integral (pb) from ``iterations`` of ``points`` evaluations with the grid frozen."""
        result = self._integrator(self._batch(integrand), nitn=iterations, neval=points, adapt=False)
        chi2_dof = float(result.chi2 / result.dof) if result.dof > 0 and result.sdev > 0 else 0.0
        return IntegrationResult(float(result.mean), float(result.sdev), chi2_dof, int(iterations * points))

    @staticmethod
    def _batch(integrand: BatchIntegrand):
        return vegas.lbatchintegrand(lambda x: integrand(np.ascontiguousarray(x, dtype=np.float64)))

    def sample(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Draws n points from the grid density: x float64 (n, dim), jacobian (n,) = 1/q(x)."""
        y = self.rng.random((n, self.dim))
        x = np.empty_like(y)
        jac = np.empty(n)
        self.map.map(y, x, jac)
        return x, jac
