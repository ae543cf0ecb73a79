"""RAMBO: flat n-body phase space (Kleiss, Stirling, Ellis, Comput. Phys. Commun. 40 (1986) 359).

The fallback mapping when no diagram gives a channel, and a reference for the channel tests. It uses
4 n random numbers per event, is not invertible, and its weight dPhi_n / d^(4n) r (GeV^(2n-4), the
(2 pi)^(4-3n) convention of ``madnis_py.channels.mapping``) is constant for massless final states.
"""

from __future__ import annotations

from typing import Any, Sequence

from madnis_py.arrays import as_float64, empty
from madnis_py.channels.mapping import MappedEvents
from madnis_py.channels.topology import MAX_FINAL
from madnis_py.core import _core


class Rambo:
    """Flat phase space at fixed ``sqrt_s`` (GeV) for the n + 2 external ``masses`` (GeV, incoming first).

    Momenta in the centre-of-mass frame, p_a along +z. ``dim`` = 4 n.
    """

    def __init__(self, sqrt_s: float, masses: Sequence[float]):
        masses = [float(m) for m in masses]
        n = len(masses) - 2
        if not 2 <= n <= MAX_FINAL:
            raise ValueError(f"RAMBO needs 2 to {MAX_FINAL} final-state particles, got {n}")
        if not sqrt_s > 0:
            raise ValueError(f"sqrt_s must be > 0 GeV, got {sqrt_s}")
        self.sqrt_s = float(sqrt_s)
        self.masses = tuple(masses)
        self.n_final = n
        self.dim = 4 * n

    def map(self, r: Any) -> MappedEvents:
        """r: float64 (n_events, 4 n) in [0, 1) -> ``MappedEvents`` (x = (1, 1))."""
        r = as_float64(r, "r", 2)
        if r.shape[1] != self.dim:
            raise ValueError(f"r must have {self.dim} columns, got shape {tuple(r.shape)}")
        n = r.shape[0]
        momenta, weight = empty(r, (n, self.n_final + 2, 4)), empty(r, (n,))
        _core.rambo(self.sqrt_s, list(self.masses[:2]), list(self.masses[2:]), r, momenta, weight)
        x = empty(r, (n, 2))
        x[:] = 1.0
        return MappedEvents(momenta, x, weight)

    __call__ = map
