"""Integration results that carry their uncertainty."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class IntegrationResult:
    """A Monte Carlo estimate: value and error in pb, chi2 per degree of freedom between iterations."""

    value: float
    error: float
    chi2_dof: float = 0.0
    n_eval: int = 0

    @property
    def relative_error(self) -> float:
        return self.error / abs(self.value) if self.value else math.inf

    @classmethod
    def from_weights(cls, weights: np.ndarray) -> "IntegrationResult":
        """Mean and standard error of a sample of weights (pb), shape (n,)."""
        n = weights.size
        return cls(float(weights.mean()), float(weights.std(ddof=1) / math.sqrt(n)), 0.0, n)

    @staticmethod
    def combine(results: "list[IntegrationResult]") -> "IntegrationResult":
        """Inverse-variance weighted average of independent estimates, with its chi2/dof."""
        usable = [r for r in results if r.error > 0]
        if not usable:
            return results[-1]
        w = np.array([1.0 / r.error**2 for r in usable])
        v = np.array([r.value for r in usable])
        mean = float((w * v).sum() / w.sum())
        chi2 = float((w * (v - mean) ** 2).sum() / max(1, len(usable) - 1))
        return IntegrationResult(mean, float(1.0 / math.sqrt(w.sum())), chi2, sum(r.n_eval for r in results))

    @staticmethod
    def pool(results: "list[IntegrationResult]") -> "IntegrationResult":
        """One estimate from samples of the same distribution (a frozen grid or trained flow): the mean weighted
        by the number of points, the error from the pooled per-point variance.

        Unlike :meth:`combine`, this is unbiased for heavy-tailed weights: a small sample that missed the tail
        has a low mean *and* a low variance, and an inverse-variance average would favour it."""
        usable = [r for r in results if r.n_eval > 0]
        if not usable:
            return results[-1] if results else IntegrationResult(0.0, 0.0)
        n = np.array([r.n_eval for r in usable], dtype=np.float64)
        v = np.array([r.value for r in usable])
        total = n.sum()
        mean = float((n * v).sum() / total)
        within = (n - 1) * n * np.array([r.error for r in usable]) ** 2  # (n_i - 1) s_i^2, s_i^2 = n_i err_i^2
        between = n * (v - mean) ** 2
        variance = float((within.sum() + between.sum()) / max(total - 1, 1))
        return IntegrationResult(mean, math.sqrt(variance / total), max(r.chi2_dof for r in usable), int(total))

    def __str__(self) -> str:
        return f"{self.value:.6g} +- {self.error:.2g} pb"
