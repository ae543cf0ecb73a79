"""Figures of merit of a weighted sample."""

from __future__ import annotations

import math

from torch import Tensor

__all__ = ["unweighting_efficiency", "relative_std"]


def unweighting_efficiency(weights: Tensor) -> float:
    """``mean(w) / max(w)``: the acceptance rate of hit-or-miss unweighting against the maximum
    weight (weights (n,), non-negative). 0 for an empty or all-zero sample."""
    if weights.numel() == 0:
        return 0.0
    w_max = float(weights.max())
    return float(weights.mean()) / w_max if w_max > 0 else 0.0


def relative_std(weights: Tensor) -> float:
    """Standard deviation of the weights over their mean (per-event relative error); inf when
    the mean is 0."""
    mean = float(weights.mean())
    return float(weights.std()) / abs(mean) if mean != 0 else math.inf
