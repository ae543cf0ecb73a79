"""Analytic phase-space volumes in the (2 pi)^(4 - 3n) convention of the channel mappings (GeV^(2n-4))."""

from __future__ import annotations

import math


def massless_volume(n: int, s: float) -> float:
    """Phi_n for n massless particles at s (GeV^2): (2 pi)^(4-3n) (pi/2)^(n-1) s^(n-2) / ((n-1)! (n-2)!)."""
    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    return (2 * math.pi) ** (4 - 3 * n) * (math.pi / 2) ** (n - 1) * s ** (n - 2) / (
        math.factorial(n - 1) * math.factorial(n - 2))


def two_body_volume(s: float, m1: float, m2: float) -> float:
    """Phi_2 = lambda^(1/2)(s, m1^2, m2^2) / (8 pi s), dimensionless; 0 below threshold."""
    if s <= (m1 + m2) ** 2:
        return 0.0
    lam = (s - (m1 + m2) ** 2) * (s - (m1 - m2) ** 2)
    return math.sqrt(lam) / (8 * math.pi * s)
