"""Diagrams -> amplitude program: MadGraph's HELAS calls, colour decomposition and normalisation, automatically.

Order of the calls as in MadGraph's matrix-element routines: the external wavefunctions of all particles, then,
diagram by diagram, the off-shell currents that diagram needs and have not been computed yet (shared between
diagrams), then its amplitude(s). A vertex with several colour structures (the four-gluon vertex) gives one current
or amplitude per colour structure, each with the Lorentz structures that carry that colour (MadGraph's ``VVVV1``,
``VVVV3``, ``VVVV4`` for g g g g); the Lorentz structures of one colour structure are summed in one call with their
couplings (``FFV2_4`` for the Z-lepton vertex).

External wavefunctions: fermions ``ixxxxx`` (flow-in: an incoming fermion or an outgoing antifermion) or ``oxxxxx``
with nsf = +1 for particles and -1 for antiparticles; vectors ``vxxxxx`` and scalars ``sxxxxx`` with nsf = -1 when
incoming, +1 when outgoing. Propagators carry the particle's mass and width (zero width on t-channel lines with
``zerowidth_tchannel``, MadGraph 3.5's default for event generation).

Colour: each amplitude's colour factor is the product of its vertices' UFO colour structures, contracted along the
diagram and reduced exactly (:mod:`.colour_flow`) onto canonical strings of external indices; the basis is the set
of strings that occur, the colour matrix their contractions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
import numpy as np

from madnis_py.amplitudes.colour_flow import (Chain, Coefficient, ColourString, Trace, clean, colour_matrix,
                                              reduce_product, string_text, ufo_colour)
from madnis_py.amplitudes.diagrams import Current, DiagramSet
from madnis_py.amplitudes.program import Program, ProgramBuilder
from madnis_py.model.model import Model
from madnis_py.model.parameters import Parameters

__all__ = ["BuiltProgram", "build_program", "averaging_factor", "MAX_COLOUR_FLOWS"]

#: The compiled core's limit on colour flows (``kMaxFlows`` in ``csrc/amplitudes/program.h``).
MAX_COLOUR_FLOWS = 128


@dataclass(frozen=True)
class BuiltProgram:
    """A program with what it was built from.

    program: the amplitude program (all helicity combinations); diagrams: its diagrams; colour_basis: the
    canonical colour strings of the flows, in flow order (legs numbered from 0).
    """

    program: Program
    diagrams: DiagramSet
    colour_basis: tuple[ColourString, ...]

    def colour_basis_text(self) -> list[str]:
        """The colour flows in readable form (legs numbered from 0)."""
        return [string_text(s) for s in self.colour_basis]


@dataclass(frozen=True)
class _Term:
    """One colour structure of a vertex with its Lorentz structures and couplings."""

    colour: str
    lorentz: tuple[str, ...]
    couplings: tuple[str, ...]


def _vertex_terms(vertex) -> list[_Term]:
    terms = []
    for c, text in enumerate(vertex.color):
        pairs = sorted((l, name) for (ci, l), name in vertex.couplings.items() if ci == c)
        if pairs:
            terms.append(_Term(text, tuple(vertex.lorentz[l] for l, _ in pairs), tuple(n for _, n in pairs)))
    return terms


def averaging_factor(diagrams: DiagramSet, parameters: Parameters) -> float:
    """Spin x colour averaging of the initial state times the identical-particle factor of the final state."""
    avg = 1
    for leg in diagrams.legs:
        if not leg.incoming:
            continue
        p = leg.particle
        if p.spin == 2:
            avg *= 2
        elif p.spin == 3:
            avg *= 3 if parameters.mass_of(p) != 0.0 else 2
        avg *= abs(p.color)
    return float(avg * diagrams.symmetry_factor)


_OPEN = 1 << 40  # colour label of a current's open line while its colour is reduced (an external label)


def _relabel(string: ColourString, old: int, new: int) -> list:
    def r(x: int) -> int:
        return new if x == old else x

    return [Chain(tuple(map(r, f.gluons)), r(f.i), r(f.j)) if isinstance(f, Chain) else Trace(tuple(map(r, f.gluons)))
            for f in string]


class _Emitter:
    """Records the HELAS calls and, alongside, each wavefunction's colour factor: a reduced expression over the
    external labels and the wavefunction's open line (Berends-Giele for colour: each computed once, shared)."""

    def __init__(self, diagrams: DiagramSet, model: Model, parameters: Parameters, zerowidth_tchannel: bool):
        self.d = diagrams
        self.model = model
        self.params = parameters
        self.zero_t = zerowidth_tchannel
        self.couplings = model.couplings(parameters)
        self.calls: list[tuple] = []  # replayed into a ProgramBuilder once the colour basis is known
        self.n_slots = 0
        self.variants: dict[int, list[tuple[int, dict]]] = {}
        self.fresh = itertools.count(-(1 << 50), -1)

    def _slot(self) -> int:
        self.n_slots += 1
        return self.n_slots - 1

    def external(self, cur: Current) -> list[tuple[int, dict]]:
        if cur.id not in self.variants:
            leg = cur.leg
            p = leg.particle
            mass = self.params.mass_of(p)
            if p.spin == 2:
                flow_in = (leg.incoming and not p.is_antiparticle) or (not leg.incoming and p.is_antiparticle)
                kind, nsf = ("i" if flow_in else "o"), (-1 if p.is_antiparticle else 1)
            else:
                kind, nsf = ("v" if p.spin == 3 else "s"), (-1 if leg.incoming else 1)
            self.calls.append(("external", kind, leg.index, nsf, mass))
            self.variants[cur.id] = [(self._slot(), {(): 1.0 + 0j})]
        return self.variants[cur.id]

    @staticmethod
    def _edge(cur: Current) -> int:
        """The label of the line between `cur` and its parent inside the parent's colour factor."""
        return cur.leg.index if cur.vertex is None else -(cur.id + 1)

    def _colour(self, vertex, text: str, labels: list[int], kids: list[tuple[Current, dict]]) -> dict:
        colours = [self.model.particles[name].color for name in vertex.particles]
        terms = ufo_colour(text, labels, colours, self.fresh)
        for child, expr in kids:
            if child.vertex is None:
                continue
            open_label, edge = _OPEN + child.id, self._edge(child)
            terms = [(c1 * c2, f1 + _relabel(string, open_label, edge))
                     for c1, f1 in terms for string, c2 in expr.items()]
        out: dict[ColourString, Coefficient] = {}
        for coef, fs in terms:
            for key, val in reduce_product(fs, coef).items():
                out[key] = out.get(key, 0.0) + val
        return clean(out)

    def current(self, cur: Current) -> list[tuple[int, dict]]:
        if cur.vertex is None:
            return self.external(cur)
        if cur.id in self.variants:
            return self.variants[cur.id]
        kids = [self.current(k) for k in cur.children]
        labels = [0] * len(cur.vertex.particles)
        labels[cur.offshell] = _OPEN + cur.id
        for pos, child in cur.positions():
            labels[pos] = self._edge(child)
        mass = self.params.mass_of(cur.propagator)
        width = self.params.width_of(cur.propagator)
        if self.zero_t and not cur.s_channel:
            width = 0.0
        out = []
        for term in _vertex_terms(cur.vertex):
            for combo in itertools.product(*kids):
                slots = [slot for slot, _ in combo]
                colour = self._colour(cur.vertex, term.colour, labels,
                                      [(child, expr) for child, (_, expr) in zip(cur.children, combo)])
                self.calls.append(("current", term.lorentz, term.couplings, slots, cur.offshell + 1, mass, width))
                out.append((self._slot(), colour))
        self.variants[cur.id] = out
        return out

    def run(self) -> tuple[list[tuple], list[dict]]:
        """Records all calls; returns them with each amplitude's colour expression, in call order."""
        for cur in self.d.externals:
            self.external(cur)
        amplitudes = []
        for n, diag in enumerate(self.d.diagrams):
            kids = [self.current(c) for c in diag.currents]
            labels = [self._edge(c) for c in diag.currents]
            for term in _vertex_terms(diag.vertex):
                for combo in itertools.product(*kids):
                    slots = [slot for slot, _ in combo]
                    colour = self._colour(diag.vertex, term.colour, labels,
                                          [(child, expr) for child, (_, expr) in zip(diag.currents, combo)])
                    self.calls.append(("amplitude", term.lorentz, term.couplings, slots, n, diag.sign))
                    amplitudes.append(colour)
        return self.calls, amplitudes


def _basis_key(string: ColourString) -> tuple:
    return (len(string),) + tuple((0, f.i, f.j, f.gluons) if hasattr(f, "i") else (1, (), (), f.gluons)
                                  for f in string)


def build_program(diagrams: DiagramSet, model: Model, parameters: Parameters,
                  zerowidth_tchannel: bool = False) -> BuiltProgram:
    """The amplitude program of `diagrams` (all helicity combinations; filter them with
    :meth:`MatrixElement.filter_helicities`).

    Raises:
        ValueError: when the process has more colour flows than the compiled core handles.
    """
    em = _Emitter(diagrams, model, parameters, zerowidth_tchannel)
    calls, colours = em.run()
    basis = sorted({key for c in colours for key in c}, key=_basis_key)
    if not basis:
        basis = [()]
    if len(basis) > MAX_COLOUR_FLOWS:
        raise ValueError(f"{len(basis)} colour flows; the compiled core handles at most {MAX_COLOUR_FLOWS}")
    index = {key: n for n, key in enumerate(basis)}
    b = ProgramBuilder(n_particles=len(diagrams.legs), n_flows=len(basis))
    coupling_index: dict[str, int] = {}

    def coup(name: str) -> int:
        if name not in coupling_index:
            c = em.couplings[name]
            coupling_index[name] = b.coupling(c.value, c.g_power)
        return coupling_index[name]

    amp = 0
    for call in calls:
        if call[0] == "external":
            _, kind, particle, nsf, mass = call
            b.external(kind, particle, nsf=nsf, mass=mass)
        elif call[0] == "current":
            _, lors, coups, slots, leg, mass, width = call
            b.current(list(lors), [coup(c) for c in coups], slots, leg=leg, mass=mass, width=width)
        else:
            _, lors, coups, slots, diagram, sign = call
            col = {index[k]: complex(v) for k, v in colours[amp].items()}
            b.amplitude(list(lors), [coup(c) for c in coups], slots, diagram=diagram, colour=col, sign=sign)
            amp += 1
    cm = colour_matrix(basis) if basis != [()] else np.ones((1, 1))
    program = b.build(colour_matrix=cm, factor=1.0 / averaging_factor(diagrams, parameters))
    return BuiltProgram(program, diagrams, tuple(basis))
