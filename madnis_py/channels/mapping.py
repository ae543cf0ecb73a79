"""Batched multi-channel phase-space mappings (forward and inverse) running in the compiled core.

Forward: r, float64 (n_events, dim) in [0, 1]^dim -> ``MappedEvents`` (momenta, x, weight).
Inverse: momenta -> ``InvertedEvents`` (r, x, weight), the weight being the same density as the forward
map's at that r (0 outside the channel's support), as needed for multi-channel weights and MadNIS.

Weight convention (GeV^(2 n - 4)): dPhi_n / d^dim r at fixed energy, dx1 dx2 dPhi_n / d^dim r with a
luminosity map, where dPhi_n = (2 pi)^(4 - 3n) delta^4(p_a + p_b - sum p_i) prod_i d^3 p_i / (2 E_i).
The caller multiplies |M|^2, the flux 1/(2 s_hat) and, with a luminosity map, the PDFs f(x1) f(x2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from madnis_py.arrays import as_float64, empty
from madnis_py.channels.topology import Topology
from madnis_py.core import _core


@dataclass(frozen=True)
class FixedEnergy:
    """Collisions at a fixed partonic energy ``sqrt_s`` (GeV), e.g. lepton colliders without ISR.

    Momenta are in the centre-of-mass frame, p_a along +z; x1 = x2 = 1.
    """

    sqrt_s: float

    def __post_init__(self) -> None:
        if not self.sqrt_s > 0:
            raise ValueError(f"sqrt_s must be > 0 GeV, got {self.sqrt_s}")


@dataclass(frozen=True)
class Luminosity:
    """Hadron collisions: beams of ``beam_energy1`` (+z) and ``beam_energy2`` (-z) GeV, S = 4 E1 E2.

    Two extra random numbers (the first two of r) give s_hat = x1 x2 S in [s_hat_min, S] (power law
    s_hat^-nu, or a Breit-Wigner if the channel's root propagator has a width) and the rapidity
    y = ln(x1/x2)/2 flat in [ln(tau)/2, -ln(tau)/2]. ``sqrt_s_hat_min`` (GeV) raises the lower limit above
    the sum of the final-state masses (e.g. to a cut on the invariant mass of the final state). Momenta are
    in the lab frame with massless partons p_a = x1 E1 (1, 0, 0, 1), p_b = x2 E2 (1, 0, 0, -1).
    """

    beam_energy1: float
    beam_energy2: float
    sqrt_s_hat_min: float = 0.0

    def __post_init__(self) -> None:
        if not (self.beam_energy1 > 0 and self.beam_energy2 > 0):
            raise ValueError(f"beam energies must be > 0 GeV, got {self.beam_energy1}, {self.beam_energy2}")
        if self.sqrt_s_hat_min < 0:
            raise ValueError(f"sqrt_s_hat_min must be >= 0 GeV, got {self.sqrt_s_hat_min}")

    @property
    def sqrt_s(self) -> float:
        return 2.0 * (self.beam_energy1 * self.beam_energy2) ** 0.5


@dataclass(frozen=True)
class MappedEvents:
    """Output of a forward map.

    momenta: float64 (n_events, n_final + 2, 4), GeV, (E, px, py, pz), incoming first.
    x: float64 (n_events, 2), the momentum fractions (x1, x2) (ones at fixed energy).
    weight: float64 (n_events,), GeV^(2 n_final - 4); 0 where no physical point exists.
    """

    momenta: Any
    x: Any
    weight: Any


@dataclass(frozen=True)
class InvertedEvents:
    """Output of an inverse map: r (n_events, dim) in [0, 1], x (n_events, 2), weight (n_events,)."""

    r: Any
    x: Any
    weight: Any


class ChannelMapping:
    """One channel's phase-space mapping for a given collision energy (arXiv:2311.01548, MadEvent's gen_mom).

    Args:
        topology: the channel (``Topology.from_propagators``).
        energy: ``FixedEnergy(sqrt_s)`` or ``Luminosity(E1, E2)``.

    Attributes:
        dim: random numbers per event, 3 n - 4 (+2 with a luminosity map).
    """

    def __init__(self, topology: Topology, energy: FixedEnergy | Luminosity):
        if not isinstance(topology, Topology):
            raise TypeError(f"topology must be a madnis_py.channels.Topology, got {type(topology).__name__}")
        self.topology = topology
        self.energy = energy
        if isinstance(energy, FixedEnergy):
            self._args = (False, float(energy.sqrt_s), 0.0, 0.0, 0.0)
            self.dim = topology.dim
        elif isinstance(energy, Luminosity):
            if topology.masses[0] != 0 or topology.masses[1] != 0:
                raise ValueError(f"a luminosity map needs massless incoming partons, got masses "
                                 f"{topology.masses[:2]}")
            self._args = (True, energy.sqrt_s, float(energy.beam_energy1), float(energy.beam_energy2),
                          float(energy.sqrt_s_hat_min) ** 2)
            self.dim = topology.dim + 2
        else:
            raise TypeError(f"energy must be FixedEnergy or Luminosity, got {type(energy).__name__}")
        self.n_particles = topology.n_final + 2

    def map(self, r: Any) -> MappedEvents:
        """r: float64 (n_events, dim) in [0, 1] (numpy or torch, CPU or CUDA) -> ``MappedEvents``."""
        r = as_float64(r, "r", 2)
        if r.shape[1] != self.dim:
            raise ValueError(f"r must have {self.dim} columns for this channel, got shape {tuple(r.shape)}")
        n = r.shape[0]
        momenta, x, weight = empty(r, (n, self.n_particles, 4)), empty(r, (n, 2)), empty(r, (n,))
        _core.channel_map(self.topology.ints, self.topology.floats, *self._args, r, momenta, x, weight)
        return MappedEvents(momenta, x, weight)

    __call__ = map

    def inverse(self, momenta: Any) -> InvertedEvents:
        """momenta: float64 (n_events, n_final + 2, 4), GeV (lab frame with a luminosity map, else the
        centre-of-mass frame with p_a along +z) -> ``InvertedEvents``."""
        momenta = as_float64(momenta, "momenta", 3)
        if tuple(momenta.shape[1:]) != (self.n_particles, 4):
            raise ValueError(f"momenta must have shape (n, {self.n_particles}, 4), got {tuple(momenta.shape)}")
        n = momenta.shape[0]
        r, x, weight = empty(momenta, (n, self.dim)), empty(momenta, (n, 2)), empty(momenta, (n,))
        _core.channel_inverse(self.topology.ints, self.topology.floats, *self._args, momenta, r, x, weight)
        return InvertedEvents(r, x, weight)

    def __repr__(self) -> str:
        return f"ChannelMapping({self.topology.description}, {self.energy})"
