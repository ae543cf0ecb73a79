"""Amplitude programs: Python builds them, the compiled core runs them.

A program is the list of HELAS calls that MadGraph writes into a matrix-element routine, as data:

* ``external``: an external wavefunction (``ixxxxx``, ``oxxxxx``, ``vxxxxx``, ``sxxxxx`` or a massless special
  case) of particle ``particle`` (row of the momenta array) with ``nsf`` = +1/-1; its helicity comes from the
  helicity combination being summed.
* ``current``: an ALOHA off-shell current ``L_k`` of one vertex (a sum of up to three Lorentz structures, each
  with its coupling, e.g. MadGraph's ``FFV2_4_3``), inputs in leg order without the off-shell leg ``k``, with the
  propagator mass and width.
* ``amplitude``: an ALOHA amplitude ``L_0`` over all legs, with a fermion-flow sign, belonging to a diagram and
  with complex colour coefficients on the colour-flow basis.

Couplings are ``value * G**power`` with ``power`` in {0, 1, 2} and G = sqrt(4 pi alpha_s) per event, so a
running alpha_s is an input of every evaluation. The colour matrix is real, (n_flows, n_flows), already divided
by MadGraph's denominators.

Array format (mirrors ``csrc/amplitudes/program.h``, which is the authority):

=================  ================================  ==========================================================
array              dtype, shape                      meaning
=================  ================================  ==========================================================
instructions       int32 (n_instr, 14)               [op, out, in0..in3, n_terms, lor0..lor2, coup0..coup2, leg]
                                                     external: [0, slot, particle, kind, nsf, ...]
fparams            float64 (n_instr, 2)              external (mass, 0); current (M, W); amplitude (sign, 0)
couplings          float64 (n_coup, 2)               (re, im) of the constant part
coupling_powers    int32 (n_coup,)                   power of G
helicities         int32 (n_hel, n_particles)        helicity combinations summed over
amp_diagram        int32 (n_amps,)                   diagram of each amplitude (per-diagram |A|^2, MadGraph AMP2)
amp_colour         float64 (n_amps, n_flows, 2)      colour coefficients (re, im)
colour_matrix      float64 (n_flows, n_flows)        colour matrix / denominators
factor             float                             1 / (spin x colour averaging x identical-particle factor)
=================  ================================  ==========================================================
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from madnis_py.arrays import contiguous, empty, is_torch

__all__ = [
    "LORENTZ",
    "WAVE_KINDS",
    "order_helicities",
    "Program",
    "ProgramBuilder",
    "MatrixElement",
]

N_FIELDS = 14
OP_EXTERNAL, OP_CURRENT, OP_AMPLITUDE = 0, 1, 2
MOMENTUM_KIND = 10

#: Lorentz structures of the UFO ``sm`` model, numbered as ``csrc/helas/vertices.h``.
LORENTZ: dict[str, int] = {
    name: i
    for i, name in enumerate(
        ["FFV1", "FFV2", "FFV3", "FFV4", "FFV5", "FFS1", "FFS2", "FFS3", "FFS4", "VVV1", "VVS1", "VSS1", "SSS1",
         "VVVV1", "VVVV2", "VVVV3", "VVVV4", "VVVV5", "VVSS1", "SSSS1"]
    )
}
#: Number of legs per structure.
LORENTZ_LEGS: dict[str, int] = {name: (4 if name.startswith(("VVVV", "VVSS", "SSSS")) else 3) for name in LORENTZ}

#: External wavefunction kinds, numbered as ``csrc/helas/wavefunctions.h``; "vmom" is a vector whose polarisation
#: is replaced by its momentum (for gauge-invariance checks).
WAVE_KINDS: dict[str, int] = {
    "i": 0, "o": 1, "v": 2, "s": 3, "ipz": 4, "imz": 5, "ixz": 6, "opz": 7, "omz": 8, "oxz": 9, "vmom": MOMENTUM_KIND,
}


def order_helicities(helicities: np.ndarray) -> np.ndarray:
    """Reorders helicity combinations so that consecutive ones differ in as few particles as possible (greedy
    nearest neighbour in Hamming distance; a Gray code for complete sets). The core skips every instruction whose
    external helicities did not change, so this order saves work; the sum does not depend on it."""
    hel = np.asarray(helicities, dtype=np.int32)
    if len(hel) <= 2:
        return np.ascontiguousarray(hel)
    left = list(range(1, len(hel)))
    order = [0]
    while left:
        cur = hel[order[-1]]
        dist = [(int(np.count_nonzero(hel[j] != cur)), j) for j in left]
        _, best = min(dist)
        order.append(best)
        left.remove(best)
    return np.ascontiguousarray(hel[order])


@dataclass(frozen=True)
class Program:
    """An amplitude program as arrays (see the module docstring for the format)."""

    instructions: np.ndarray
    fparams: np.ndarray
    couplings: np.ndarray
    coupling_powers: np.ndarray
    helicities: np.ndarray
    amp_diagram: np.ndarray
    amp_colour: np.ndarray
    colour_matrix: np.ndarray
    factor: float
    n_particles: int

    @property
    def n_diagrams(self) -> int:
        return int(self.amp_diagram.max()) + 1 if len(self.amp_diagram) else 0

    def with_helicities(self, helicities: np.ndarray) -> "Program":
        """The same program summing over the given helicity combinations (int, (n_hel, n_particles))."""
        hel = np.ascontiguousarray(helicities, dtype=np.int32)
        if hel.ndim != 2 or hel.shape[1] != self.n_particles:
            raise ValueError(f"helicities must have shape (n_hel, {self.n_particles}), got {hel.shape}")
        return Program(**{**self.__dict__, "helicities": order_helicities(hel)})

    def with_external_kind(self, particle: int, kind: str) -> "Program":
        """The same program with the external wavefunction of `particle` computed as `kind` (e.g. "vmom")."""
        if kind not in WAVE_KINDS:
            raise ValueError(f"unknown wavefunction kind {kind!r}; known: {sorted(WAVE_KINDS)}")
        instr = self.instructions.copy()
        rows = np.where((instr[:, 0] == OP_EXTERNAL) & (instr[:, 2] == particle))[0]
        if len(rows) == 0:
            raise ValueError(f"no external wavefunction for particle {particle}")
        instr[rows, 3] = WAVE_KINDS[kind]
        return Program(**{**self.__dict__, "instructions": instr})

    def compile(self) -> "MatrixElement":
        return MatrixElement(self)


class ProgramBuilder:
    """Builds a :class:`Program` call by call, in the order MadGraph writes its HELAS calls.

    Example (e+ e- > mu+ mu-, photon diagram)::

        b = ProgramBuilder(n_particles=4, n_flows=1)
        w0 = b.external("o", 0, nsf=-1)
        w1 = b.external("i", 1, nsf=+1)
        w2 = b.external("i", 2, nsf=-1)
        w3 = b.external("o", 3, nsf=+1)
        gc3 = b.coupling(-1j * ee)
        w4 = b.current("FFV1", gc3, [w1, w0], leg=3)          # FFV1P0_3(w1, w0, GC_3, 0, 0)
        b.amplitude("FFV1", gc3, [w2, w3, w4], diagram=0, colour={0: -1})

    Legs are numbered from 1 as in ALOHA's names (``FFV1_3`` has leg 3 off shell).
    """

    def __init__(self, n_particles: int, n_flows: int = 1):
        if n_particles < 1 or n_flows < 1:
            raise ValueError("n_particles and n_flows must be positive")
        self.n_particles = n_particles
        self.n_flows = n_flows
        self._instr: list[list[int]] = []
        self._fparams: list[tuple[float, float]] = []
        self._couplings: list[tuple[complex, int]] = []
        self._amp_diagram: list[int] = []
        self._amp_colour: list[np.ndarray] = []
        self._n_slots = 0
        self._spins: list[int | None] = [None] * n_particles  # 1 scalar, 2 fermion, 3 vector
        self._masses: list[float] = [0.0] * n_particles

    # -- pieces ---------------------------------------------------------------------------------------------------
    def coupling(self, value: complex, power: int = 0) -> int:
        """Registers the coupling ``value * G**power`` and returns its index (equal couplings share one)."""
        if power not in (0, 1, 2):
            raise ValueError(f"coupling power must be 0, 1 or 2, got {power}")
        key = (complex(value), int(power))
        if key in self._couplings:
            return self._couplings.index(key)
        self._couplings.append(key)
        return len(self._couplings) - 1

    def external(self, kind: str, particle: int, nsf: int, mass: float = 0.0) -> int:
        """External wavefunction of `particle` (0-based); kind "i", "o", "v", "s" (or a special case). Returns its slot."""
        if kind not in WAVE_KINDS:
            raise ValueError(f"unknown wavefunction kind {kind!r}; known: {sorted(WAVE_KINDS)}")
        if not 0 <= particle < self.n_particles:
            raise ValueError(f"particle {particle} out of range 0..{self.n_particles - 1}")
        if nsf not in (-1, 1):
            raise ValueError(f"nsf must be +1 or -1, got {nsf}")
        k = WAVE_KINDS[kind]
        self._spins[particle] = 3 if kind in ("v", "vmom") else (1 if kind == "s" else 2)
        self._masses[particle] = float(mass)
        return self._emit([OP_EXTERNAL, self._new_slot(), particle, k, nsf], (float(mass), 0.0))

    def current(self, lorentz: str | Sequence[str], couplings: int | Sequence[int], inputs: Sequence[int], leg: int,
                mass: float = 0.0, width: float = 0.0) -> int:
        """Off-shell current ``L_leg`` (leg 1-based) from the other legs' slots (in leg order). Returns its slot."""
        lors, coups = self._terms(lorentz, couplings)
        n_legs = LORENTZ_LEGS[lors[0]]
        if not 1 <= leg <= n_legs:
            raise ValueError(f"leg must be in 1..{n_legs} for {lors[0]}, got {leg}")
        if len(inputs) != n_legs - 1:
            raise ValueError(f"{lors[0]}_{leg} takes {n_legs - 1} input wavefunctions, got {len(inputs)}")
        row = self._vertex_row(OP_CURRENT, self._new_slot(), inputs, lors, coups)
        row[13] = leg - 1
        return self._emit(row, (float(mass), float(width)))

    def amplitude(self, lorentz: str | Sequence[str], couplings: int | Sequence[int], inputs: Sequence[int],
                  diagram: int, colour: Mapping[int, complex], sign: int = 1) -> int:
        """Amplitude ``L_0`` of all legs' slots; adds ``colour[c] * sign * A`` to colour flow c. Returns its index."""
        lors, coups = self._terms(lorentz, couplings)
        n_legs = LORENTZ_LEGS[lors[0]]
        if len(inputs) != n_legs:
            raise ValueError(f"{lors[0]}_0 takes {n_legs} wavefunctions, got {len(inputs)}")
        if sign not in (-1, 1):
            raise ValueError(f"sign must be +1 or -1, got {sign}")
        col = np.zeros((self.n_flows, 2))
        for c, v in colour.items():
            if not 0 <= c < self.n_flows:
                raise ValueError(f"colour flow {c} out of range 0..{self.n_flows - 1}")
            col[c] = (complex(v).real, complex(v).imag)
        index = len(self._amp_diagram)
        self._amp_diagram.append(int(diagram))
        self._amp_colour.append(col)
        self._emit(self._vertex_row(OP_AMPLITUDE, index, inputs, lors, coups), (float(sign), 0.0))
        return index

    # -- result ---------------------------------------------------------------------------------------------------
    def all_helicities(self) -> np.ndarray:
        """All helicity combinations (fermions and massless vectors +-1, massive vectors -1, 0, +1, scalars 0),
        the first particle varying slowest (MadGraph's order)."""
        choices = []
        for p, spin in enumerate(self._spins):
            if spin is None:
                raise ValueError(f"particle {p} has no external wavefunction")
            if spin == 1:
                choices.append((0,))
            elif spin == 3 and self._masses[p] != 0.0:
                choices.append((-1, 0, 1))
            else:
                choices.append((-1, 1))
        return np.array(list(itertools.product(*choices)), dtype=np.int32).reshape(-1, self.n_particles)

    def build(self, colour_matrix: np.ndarray, factor: float, helicities: np.ndarray | None = None) -> Program:
        """The program. `colour_matrix`: real (n_flows, n_flows), already divided by the denominators; `factor`:
        1 / (spin x colour averaging x identical-particle symmetry factor)."""
        cm = np.ascontiguousarray(colour_matrix, dtype=np.float64)
        if cm.shape != (self.n_flows, self.n_flows):
            raise ValueError(f"colour_matrix must have shape ({self.n_flows}, {self.n_flows}), got {cm.shape}")
        if not self._amp_diagram:
            raise ValueError("the program has no amplitude")
        hel = order_helicities(self.all_helicities() if helicities is None else helicities)
        coup = np.array([[c.real, c.imag] for c, _ in self._couplings], dtype=np.float64).reshape(-1, 2)
        return Program(
            instructions=np.array(self._instr, dtype=np.int32).reshape(-1, N_FIELDS),
            fparams=np.array(self._fparams, dtype=np.float64).reshape(-1, 2),
            couplings=coup,
            coupling_powers=np.array([k for _, k in self._couplings], dtype=np.int32),
            helicities=hel,
            amp_diagram=np.array(self._amp_diagram, dtype=np.int32),
            amp_colour=np.ascontiguousarray(np.stack(self._amp_colour)),
            colour_matrix=cm,
            factor=float(factor),
            n_particles=self.n_particles,
        )

    # -- internals ------------------------------------------------------------------------------------------------
    def _new_slot(self) -> int:
        self._n_slots += 1
        return self._n_slots - 1

    def _emit(self, row: list[int], fp: tuple[float, float]) -> int:
        row = list(row) + [-1] * (N_FIELDS - len(row))
        self._instr.append(row)
        self._fparams.append(fp)
        return row[1]

    def _terms(self, lorentz, couplings) -> tuple[list[str], list[int]]:
        lors = [lorentz] if isinstance(lorentz, str) else list(lorentz)
        coups = [couplings] if isinstance(couplings, (int, np.integer)) else list(couplings)
        if not 1 <= len(lors) <= 3 or len(lors) != len(coups):
            raise ValueError("give 1 to 3 Lorentz structures and one coupling index for each")
        for name in lors:
            if name not in LORENTZ:
                raise ValueError(f"unknown Lorentz structure {name!r}; known: {sorted(LORENTZ)}")
            if LORENTZ_LEGS[name] != LORENTZ_LEGS[lors[0]]:
                raise ValueError(f"structures {lors} have different numbers of legs")
        for c in coups:
            if not 0 <= c < len(self._couplings):
                raise ValueError(f"coupling index {c} not registered (use ProgramBuilder.coupling)")
        return lors, [int(c) for c in coups]

    def _vertex_row(self, op, out, inputs, lors, coups) -> list[int]:
        for s in inputs:
            if not 0 <= s < self._n_slots:
                raise ValueError(f"input slot {s} does not exist yet")
        row = [op, out] + list(inputs) + [-1] * (4 - len(inputs))
        row += [len(lors)] + [LORENTZ[n] for n in lors] + [0] * (3 - len(lors))
        row += list(coups) + [0] * (3 - len(coups)) + [-1]
        return row


#: Arithmetic precisions of the CPU driver: "double", or "single" (madgraph4gpu's mixed mode: wavefunctions and
#: amplitudes in float with twice the SIMD lanes, colour sum in double; |M|^2 to ~1e-6 relative at typical points).
PRECISIONS = ("double", "single")


def check_precision(precision: str) -> str:
    """`precision` if it is one of :data:`PRECISIONS`, else ValueError saying which are."""
    if precision not in PRECISIONS:
        raise ValueError(f"matrix-element precision must be one of {', '.join(PRECISIONS)}, not {precision!r}")
    return precision


@dataclass
class MatrixElement:
    """A compiled program: |M|^2 summed over helicities and colours, averaged over the initial state.

    Call it with ``momenta`` float64 (n, n_particles, 4) in GeV as (E, px, py, pz) and ``alpha_s`` float64 (n,)
    (or a float). numpy arrays (CPU) or CUDA arrays (torch tensors) are accepted without copies.
    ``precision``: the CPU driver's arithmetic, "double" or "single" (see :data:`PRECISIONS`; CUDA arrays are
    always evaluated in double); inputs and outputs are float64 either way.
    """

    program: Program
    precision: str = "double"
    _core_program: object = field(init=False, repr=False)

    def __post_init__(self):
        from madnis_py.core import _core

        check_precision(self.precision)
        p = self.program
        self._core_program = _core.MatrixElementProgram(
            p.instructions, p.fparams, p.couplings, p.coupling_powers, p.helicities, p.amp_diagram, p.amp_colour,
            p.colour_matrix, p.factor, p.n_particles,
        )

    @property
    def n_diagrams(self) -> int:
        return self._core_program.n_diagrams

    @property
    def n_helicities(self) -> int:
        return self._core_program.n_helicities

    def __call__(self, momenta, alpha_s=0.118):
        return self.evaluate(momenta, alpha_s)[0]

    def evaluate(self, momenta, alpha_s=0.118, amp2: bool = False, helicities: bool = False,
                 precision: str | None = None):
        """Returns (me (n,), amp2 (n, n_diagrams) or None, per-helicity |M|^2 (n, n_hel) or None), numpy arrays, or
        torch tensors on the device of torch momenta. precision: "double" or "single" for this call (default
        :attr:`precision`; the CUDA driver runs in double)."""
        momenta, alpha = self._inputs(momenta, alpha_s)
        n = momenta.shape[0]
        me = empty(momenta, (n,))
        a2 = empty(momenta, (n, self.n_diagrams)) if amp2 else None
        hh = empty(momenta, (n, self.n_helicities)) if helicities else None
        self._core_program.evaluate(momenta, alpha, me, a2, hh, None, self._precision(precision))
        return me, a2, hh

    def colour_flows(self, momenta, alpha_s=0.118, precision: str | None = None) -> np.ndarray:
        """|JAMP_c|^2 of each colour flow c of the basis, summed over helicities (MadGraph's JAMP2, the weights by
        which an event's colour flow is chosen), float64 (n, n_flows)."""
        momenta, alpha = self._inputs(momenta, alpha_s)
        n = momenta.shape[0]
        flows = np.empty((n, self._core_program.n_flows))
        self._core_program.evaluate(momenta, alpha, np.empty(n), None, None, flows, self._precision(precision))
        return flows

    def _precision(self, precision: str | None) -> str:
        """The precision of a call: the argument, else :attr:`precision` (which may have been reassigned)."""
        return check_precision(self.precision if precision is None else precision)

    @staticmethod
    def _inputs(momenta, alpha_s) -> tuple[np.ndarray, np.ndarray]:
        momenta = contiguous(momenta)
        n = momenta.shape[0]
        if is_torch(momenta):
            import torch

            alpha = torch.as_tensor(alpha_s, dtype=torch.float64, device=momenta.device)
            return momenta, alpha.expand(n).contiguous()
        return momenta, np.array(np.broadcast_to(np.asarray(alpha_s, dtype=np.float64), (n,)), dtype=np.float64)

    def filter_helicities(self, momenta, alpha_s=0.118) -> "MatrixElement":
        """A matrix element that sums only the helicity combinations that contribute on the given sample events
        (MadGraph's helicity filtering: a combination is dropped if its |M|^2 is exactly zero on all of them)."""
        _, _, per_hel = self.evaluate(momenta, alpha_s, helicities=True, precision="double")
        good = np.any(per_hel != 0.0, axis=0)
        if not good.any():
            raise ValueError("no helicity combination contributes on the sample events")
        return MatrixElement(self.program.with_helicities(self.program.helicities[good]), self.precision)
