"""Figures of merit of a weighted sample."""

from __future__ import annotations

import math

from torch import Tensor

__all__ = ["unweighting_efficiency", "relative_std"]


def unweighting_efficiency(weights: Tensor, max_overweight_fraction: float = 1e-3) -> float:
    """``mean(w) / w_max``: the acceptance rate of hit-or-miss unweighting, with ``w_max`` chosen so that the
    events above it carry at most ``max_overweight_fraction`` of the cross section (kept with their weight, as
    MadGraph does; 0: ``w_max = max(w)``). Weights (n,), non-negative; 0 for an empty or all-zero sample."""
    from madnis_py.unweighting import choose_w_max

    w = weights.detach().double().cpu().numpy()
    if w.size == 0 or not w.max() > 0:
        return 0.0
    return float(w.mean()) / choose_w_max(w, max_overweight_fraction)


def relative_std(weights: Tensor) -> float:
    """Standard deviation of the weights over their mean (per-event relative error); inf when
    the mean is 0."""
    mean = float(weights.mean())
    return float(weights.std()) / abs(mean) if mean != 0 else math.inf
