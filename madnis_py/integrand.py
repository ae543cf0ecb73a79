"""The event weight of one subprocess: |M|^2 x phase space x flux x cuts, in pb.

weight(r) = CONV * flux(s) * |M|^2(p(r)) * dPhi/dr(r) * cuts(p(r)),  r in [0, 1]^dim,
so that the mean weight over uniform r is the cross section in pb.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: (hbar c)^2 in pb GeV^2 (CODATA 2018: 0.3893793721 GeV^2 mb).
GEV2_TO_PB = 0.3893793721e9


@dataclass(frozen=True)
class WeightedEvents:
    """A batch of weighted events: momenta float64 (n, n_particles, 4) GeV, weights (n,) pb,
    alpha_s (n,) used in |M|^2, scale (n,) GeV."""

    momenta: np.ndarray
    weights: np.ndarray
    alpha_s: np.ndarray
    scale: np.ndarray

    def __len__(self) -> int:
        return self.weights.size

    def take(self, index: np.ndarray) -> "WeightedEvents":
        return WeightedEvents(self.momenta[index], self.weights[index], self.alpha_s[index], self.scale[index])


def flux_factor(s: float, m1: float, m2: float) -> float:
    """1 / (2 lambda^(1/2)(s, m1^2, m2^2)) in GeV^-2: the incoming flux for a 2 -> n process."""
    lam = (s - (m1 + m2) ** 2) * (s - (m1 - m2) ** 2)
    return 1.0 / (2.0 * math.sqrt(lam))


class FixedEnergyIntegrand:
    """One subprocess at a fixed partonic centre-of-mass energy (lepton beams without PDF).

    phase_space: a mapping r -> (momenta, dPhi/dr); matrix_element: momenta, alpha_s -> |M|^2 (n,);
    cuts: object with ``passes(momenta) -> bool (n,)``; alpha_s: the running coupling, scale (GeV) -> alpha_s;
    scale: the renormalisation scale in GeV (fixed, as lepton collisions at fixed energy have sqrt(s-hat) = sqrt(s)).
    """

    def __init__(self, phase_space, matrix_element, cuts, sqrt_s: float, masses_in: tuple[float, float],
                 alpha_s, scale: float):
        self.phase_space = phase_space
        self.matrix_element = matrix_element
        self.cuts = cuts
        self.sqrt_s = float(sqrt_s)
        self.scale = float(scale)
        self.alpha_s = float(alpha_s(np.array([self.scale]))[0])
        self.flux = flux_factor(self.sqrt_s**2, *masses_in)
        self.n_matrix_element_calls = 0

    @property
    def dim(self) -> int:
        return self.phase_space.dim

    def events(self, r: np.ndarray) -> WeightedEvents:
        """Weighted events for r, float64 (n, dim) in [0, 1]^dim."""
        momenta, ps_weight = self.phase_space(r)
        n = r.shape[0]
        alpha_s = np.full(n, self.alpha_s)
        keep = (ps_weight > 0) & self.cuts.passes(momenta)
        me = np.zeros(n)
        if keep.any():
            me[keep] = self.matrix_element(np.ascontiguousarray(momenta[keep]), alpha_s[keep])
            self.n_matrix_element_calls += int(keep.sum())
        weights = GEV2_TO_PB * self.flux * me * ps_weight
        return WeightedEvents(momenta, weights, alpha_s, np.full(n, self.scale))

    def __call__(self, r: np.ndarray) -> np.ndarray:
        return self.events(r).weights
