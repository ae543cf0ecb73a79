"""Phase-space mappings from the unit hypercube to momenta, evaluated in the compiled core.

A mapping takes r, float64 (n, dim) in [0, 1]^dim, and returns momenta, float64 (n, n_particles, 4)
in GeV (E, px, py, pz), incoming first, and the phase-space weight dPhi/d^dim r (GeV^(2 n_final - 4)).
"""

from __future__ import annotations

import numpy as np

from madnis_py.core import _core


class TwoBodyPhaseSpace:
    """2 -> 2 in the centre-of-mass frame at fixed sqrt(s), flat in cos(theta) and phi."""

    dim = 2

    def __init__(self, sqrt_s: float, masses: tuple[float, float, float, float]):
        self.sqrt_s = float(sqrt_s)
        self.masses = tuple(float(m) for m in masses)

    def __call__(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        n = r.shape[0]
        momenta = np.empty((n, 4, 4))
        weight = np.empty(n)
        _core.two_to_two_cm(np.ascontiguousarray(r), np.full(n, self.sqrt_s), *self.masses, momenta, weight)
        return momenta, weight
