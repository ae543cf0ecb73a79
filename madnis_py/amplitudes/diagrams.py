"""Tree-level Feynman diagrams of a process from the model's vertices, as MadGraph generates them.

Conventions. Every external leg is seen from the vertices as *outgoing*: an outgoing particle keeps its name, an
incoming one is replaced by its antiparticle (crossing). A vertex attaches a leg at a position whose particle name
equals the leg's outgoing name; this is how MadGraph's HELAS calls use the UFO ``sm`` vertices (``[f~, f, V]``: the
flow-in spinor of an incoming ``f`` or an outgoing ``f~`` at position 1, the flow-out spinor at position 2).

Generation (Berends-Giele style, sub-trees shared as MadGraph shares wavefunctions): for every set S of external
legs that does not contain the last leg, the *currents* of S are all sub-trees whose external legs are S; a current
is a vertex with one off-shell position (the line towards the last leg) and one current on each other position,
the currents' leg sets partitioning S. A diagram is the vertex that holds the last leg with currents on its other
positions partitioning all other legs. Every tree arises exactly once (positions with identical particles take
their leg sets in a fixed order). Internal lines are propagators of the particle at the off-shell position; a line
is s-channel when its leg set holds both or neither initial leg.

Selection, as MadGraph's process syntax: coupling orders (``QCD<=2``, ``QED==2``, ``QED>=1``, ``WEIGHTED<=4`` with
WEIGHTED = QCD + 2 QED); without any order, MadGraph's default keeps the diagrams of minimal WEIGHTED order
(https://answers.launchpad.net/mg5amcnlo/+faq/1942); ``/ x`` removes every propagator of x (and its antiparticle);
``$$ x`` removes the diagrams with an s-channel x; ``a b > x > ...`` keeps the diagrams with an s-channel x.
``$ x`` keeps all diagrams: it forbids x *on shell* (a phase-space cut of the run), see MadGraph's FAQ 2212.

Each diagram carries its fermion-flow sign: (-1)^P with P the permutation that takes the sequence
(flow-out end, flow-in end) of its fermion lines to the process order of the external fermions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from math import factorial
from typing import Iterator, Mapping, Sequence

from madnis_py.errors import UserError
from madnis_py.model.model import Model
from madnis_py.model.particles import Particle
from madnis_py.model.vertices import Vertex

__all__ = ["ExternalLeg", "Current", "Propagator", "Diagram", "DiagramFilter", "DiagramSet", "NoDiagramsError",
           "ORDER_WEIGHTS", "generate_diagrams"]

#: MadGraph's coupling-order hierarchy of the ``sm``: WEIGHTED = sum of weight x order.
ORDER_WEIGHTS: Mapping[str, int] = {"QCD": 1, "QED": 2}
_OPS = ("<=", "==", ">=")


class NoDiagramsError(UserError, ValueError):
    """A process without any tree-level diagram (in the model, or after the coupling orders and exclusions)."""


@dataclass(frozen=True)
class ExternalLeg:
    """An external particle.

    index: 0-based position in the process (incoming first); particle: as written in the process;
    incoming: True for the initial state; name: the name a vertex sees (antiparticle's name if incoming).
    """

    index: int
    particle: Particle
    incoming: bool
    name: str


@dataclass(eq=False)
class Current:
    """A sub-tree: an external leg, or a vertex with one off-shell position and currents on the others.

    Attributes:
        id: creation number (unique within a :class:`DiagramSet`).
        legs: bit mask of the external legs of the sub-tree.
        name: the particle name at the parent vertex's position (outgoing convention).
        vertex, offshell: the vertex and its off-shell position (0-based); None / -1 for an external leg.
        children: the currents on the other positions, in position order.
        orders: coupling orders of the sub-tree, aligned with :attr:`DiagramSet.order_names`.
        leg: the external leg (external currents only).
        propagator: the particle of the internal line (the off-shell position's particle), None for externals.
        s_channel: True when the line is s-channel.
        fermion_end: the external leg at the open end of the fermion line through this current, or None.
        lines: closed fermion lines (flow-out leg, flow-in leg) inside the sub-tree.
    """

    id: int
    legs: int
    name: str
    vertex: Vertex | None = None
    offshell: int = -1
    children: tuple["Current", ...] = ()
    orders: tuple[int, ...] = ()
    leg: ExternalLeg | None = None
    propagator: Particle | None = None
    s_channel: bool = False
    fermion_end: int | None = None
    lines: tuple[tuple[int, int], ...] = ()

    def positions(self) -> list[tuple[int, "Current"]]:
        """(vertex position, child current) for the non-off-shell positions."""
        others = [p for p in range(len(self.vertex.particles)) if p != self.offshell]
        return list(zip(others, self.children))

    def internal(self) -> Iterator["Current"]:
        """The internal currents of the sub-tree (this one included), children first."""
        if self.vertex is None:
            return
        for c in self.children:
            yield from c.internal()
        yield self


@dataclass(frozen=True)
class Propagator:
    """An internal line of a diagram.

    particle: for an s-channel line, the particle flowing from the initial to the final state; for a t-channel
    line, the particle flowing out of the `legs` side; legs: the external legs (0-based) on the side that does not
    hold the last leg; final_legs: for an s-channel line, the final-state legs it decays into (empty for t-channel);
    s_channel: s- or t-channel.
    """

    particle: Particle
    legs: frozenset[int]
    final_legs: frozenset[int]
    s_channel: bool


@dataclass(eq=False)
class Diagram:
    """A tree-level diagram: the vertex of the last leg with a current on each position (the last leg's included).

    sign: fermion-flow sign (+1/-1); orders: {order name: count}.
    """

    vertex: Vertex
    currents: tuple[Current, ...]
    sign: int
    orders: dict[str, int]

    def internal(self) -> list[Current]:
        """The internal currents (propagators) of the diagram, children before parents."""
        return [c for cur in self.currents for c in cur.internal()]

    def max_vertex_legs(self) -> int:
        """The number of legs of the diagram's largest vertex (3, or 4 with a four-point vertex)."""
        return max([len(self.vertex.particles)] + [len(c.vertex.particles) for c in self.internal()])

    def propagators(self, model: Model, n_legs: int) -> list[Propagator]:
        """The internal lines, children before parents (`n_legs`: the number of external particles)."""
        out = []
        all_legs = frozenset(range(n_legs))
        for c in self.internal():
            legs = _bits(c.legs)
            if c.s_channel:
                has_initial = 0 in legs
                name = c.name if not has_initial else model.particles[c.name].antiname
                particle = model.particles[name]
                final = (all_legs - legs) if has_initial else legs
            else:
                particle, final = c.propagator, frozenset()
            out.append(Propagator(particle, legs, final, c.s_channel))
        return out


@dataclass(frozen=True)
class DiagramFilter:
    """The process syntax that selects diagrams (see the module docstring).

    coupling_orders: {"QCD": ("<=", 2), "WEIGHTED": ("<=", 4)}; empty = MadGraph's minimal WEIGHTED order.
    excluded: ``/`` particles; s_channel_removed: ``$$`` particles; required_s_channels: ``> x >`` requirements,
    each a particle name or a tuple of alternative names (a multiparticle label), each met by its own propagator.
    """

    coupling_orders: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    excluded: tuple[str, ...] = ()
    s_channel_removed: tuple[str, ...] = ()
    required_s_channels: tuple[str | tuple[str, ...], ...] = ()


@dataclass
class DiagramSet:
    """The diagrams of a process.

    legs: the external legs; diagrams: in generation order; order_names: the coupling orders counted;
    weighted: the WEIGHTED limit applied (MadGraph's default), or None when orders were given;
    symmetry_factor: product of n! over identical final-state particles; externals: the external currents, in
    process order.
    """

    legs: tuple[ExternalLeg, ...]
    diagrams: list[Diagram]
    order_names: tuple[str, ...]
    weighted: int | None
    symmetry_factor: int
    externals: tuple[Current, ...] = ()

    def currents(self) -> list[Current]:
        """The internal currents the diagrams use, each once, children before parents."""
        seen: dict[int, Current] = {}
        for d in self.diagrams:
            for c in d.internal():
                seen.setdefault(c.id, c)
        return list(seen.values())


def _bits(mask: int) -> frozenset[int]:
    return frozenset(k for k in range(mask.bit_length()) if mask >> k & 1)


def _lowbit(mask: int) -> int:
    return mask & -mask


@dataclass(frozen=True)
class _Option:
    """A vertex with a chosen off-shell (or last-leg) position."""

    vertex: Vertex
    position: int
    name: str  # the current's name (anti of the off-shell particle) or the last leg's name
    others: tuple[int, ...]
    types: tuple[str, ...]
    orders: tuple[int, ...]
    weight: int
    fermions: tuple[int, ...]  # positions of spin-1/2 particles


def _splits(mask: int, names: Mapping[int, list], smallest: int, largest: int) -> Iterator[tuple[int, ...]]:
    """Ordered tuples of `smallest`..`largest` disjoint non-empty sub-masks covering `mask`, each a key of
    `names`."""

    def rec(rest: int, acc: tuple[int, ...]):
        if len(acc) + 1 >= smallest and rest in names:
            yield acc + (rest,)
        if len(acc) + 2 > largest:
            return
        sub = (rest - 1) & rest
        while sub:
            if sub in names:
                yield from rec(rest & ~sub, acc + (sub,))
            sub = (sub - 1) & rest

    yield from rec(mask, ())


class _Generator:
    def __init__(self, model: Model, legs: tuple[ExternalLeg, ...], flt: DiagramFilter):
        self.model = model
        self.legs = legs
        self.n = len(legs)
        self.flt = flt
        self.order_names = tuple(sorted({k for v in model.vertices for k in v.orders} | set(ORDER_WEIGHTS)))
        anti = {p.name: p.antiname for p in (model.particles[name] for name in model.particles)}
        self.anti = anti
        self.excluded = {x for name in flt.excluded for x in (name, anti[name])}
        self.removed_s = {x for name in flt.s_channel_removed for x in (name, anti[name])}
        self.options: list[_Option] = []
        for v in model.vertices:
            orders = tuple(v.orders.get(o, 0) for o in self.order_names)
            weight = sum(ORDER_WEIGHTS.get(o, 0) * k for o, k in zip(self.order_names, orders))
            fermions = tuple(p for p, name in enumerate(v.particles) if model.particles[name].spin == 2)
            for pos, pname in enumerate(v.particles):
                if v.particles.index(pname) != pos:
                    continue  # identical particles: the first position stands for all
                others = tuple(p for p in range(len(v.particles)) if p != pos)
                self.options.append(_Option(v, pos, anti[pname], others, tuple(v.particles[p] for p in others),
                                            orders, weight, fermions))
        self.current_index: dict[tuple[str, ...], list[_Option]] = {}
        self.root_index: dict[tuple[str, ...], list[_Option]] = {}
        for opt in self.options:
            self.current_index.setdefault(opt.types, []).append(opt)
            if opt.vertex.particles[opt.position] == legs[-1].name:
                self.root_index.setdefault(opt.types, []).append(opt)
        self.limits: dict[str, tuple[str, int]] = {}
        for name, (op, value) in flt.coupling_orders.items():
            key = name.upper()
            if key != "WEIGHTED" and key not in self.order_names:
                raise NoDiagramsError(f"unknown coupling order {name!r}; the model has "
                                      + ", ".join(self.order_names) + " and WEIGHTED")
            if op not in _OPS:
                raise ValueError(f"coupling-order operator must be one of {_OPS}, got {op!r}")
            self.limits[key] = (op, int(value))
        self._next_id = 0

    # -- helpers ----------------------------------------------------------------------------------------------
    def _is_s_channel(self, mask: int) -> bool:
        if not self.legs[1].incoming:  # a decay: every line is time-like
            return True
        return bool(mask & 1) == bool(mask & 2)

    def _line_allowed(self, option: _Option, mask: int) -> bool:
        pname = option.vertex.particles[option.position]
        if pname in self.excluded:
            return False
        if self._is_s_channel(mask) and pname in self.removed_s:
            return False
        return True

    def _weight(self, orders: tuple[int, ...]) -> int:
        return sum(ORDER_WEIGHTS.get(o, 0) * k for o, k in zip(self.order_names, orders))

    def _within(self, orders: tuple[int, ...], weighted: int | None) -> bool:
        """Upper limits (<= and ==) that a partial sum must already respect."""
        if weighted is not None and self._weight(orders) > weighted:
            return False
        for name, (op, value) in self.limits.items():
            have = self._weight(orders) if name == "WEIGHTED" else orders[self.order_names.index(name)]
            if op in ("<=", "==") and have > value:
                return False
        return True

    def _final_ok(self, orders: tuple[int, ...]) -> bool:
        for name, (op, value) in self.limits.items():
            have = self._weight(orders) if name == "WEIGHTED" else orders[self.order_names.index(name)]
            if (op == "==" and have != value) or (op == ">=" and have < value):
                return False
        return True

    def _constructions(self, mask: int, table: Mapping, root: bool):
        """(option, blocks) building `mask` (a current, or the full diagram when `root`) from the entries of
        `table` (keyed by (leg mask, name))."""
        names: dict[int, list[str]] = {}
        for m, name in table:
            if m & mask == m:
                names.setdefault(m, []).append(name)
        index = self.root_index if root else self.current_index
        for blocks in _splits(mask, names, 2, 3):
            for types in itertools.product(*(names[b] for b in blocks)):
                for opt in index.get(types, ()):
                    if not root and not self._line_allowed(opt, mask):
                        continue
                    if any(types[p] == types[q] and _lowbit(blocks[p]) > _lowbit(blocks[q])
                           for p in range(len(types)) for q in range(p + 1, len(types))):
                        continue
                    yield opt, blocks

    # -- passes -----------------------------------------------------------------------------------------------
    def _masks(self) -> list[int]:
        full = (1 << (self.n - 1)) - 1
        masks = [m for m in range(1, full + 1) if bin(m).count("1") >= 2 and bin(m).count("1") <= self.n - 2]
        return sorted(masks, key=lambda m: (bin(m).count("1"), m))

    def minimal_weight(self) -> int | None:
        """The minimal WEIGHTED order of any diagram (exclusions applied), None without diagrams."""
        best: dict[tuple[int, str], int] = {(1 << leg.index, leg.name): 0 for leg in self.legs[:-1]}
        for mask in self._masks():
            for opt, blocks in self._constructions(mask, best, root=False):
                w = opt.weight + sum(best[(b, t)] for b, t in zip(blocks, opt.types))
                key = (mask, opt.name)
                if w < best.get(key, 1 << 30):
                    best[key] = w
        full = (1 << (self.n - 1)) - 1
        ws = [opt.weight + sum(best[(b, t)] for b, t in zip(blocks, opt.types))
              for opt, blocks in self._constructions(full, best, root=True)]
        return min(ws) if ws else None

    def _new(self, **kw) -> Current:
        c = Current(id=self._next_id, **kw)
        self._next_id += 1
        return c

    def _fermions(self, opt: _Option, by_pos: dict[int, Current]) -> tuple[int | None, tuple]:
        lines = tuple(line for c in by_pos.values() for line in c.lines)
        if len(opt.fermions) != 2:
            return None, lines
        p_in, p_out = opt.fermions  # position 1 (flow-in) and position 2 (flow-out) of FF* structures
        if p_in in by_pos and p_out in by_pos:
            return None, lines + ((by_pos[p_out].fermion_end, by_pos[p_in].fermion_end),)
        other = p_out if p_in not in by_pos else p_in
        return by_pos[other].fermion_end, lines

    def run(self, weighted: int | None) -> list[Diagram]:
        zero = tuple(0 for _ in self.order_names)
        table: dict[tuple[int, str], list[Current]] = {}
        for leg in self.legs:
            spin = leg.particle.spin
            table[(1 << leg.index, leg.name)] = [self._new(
                legs=1 << leg.index, name=leg.name, orders=zero, leg=leg,
                fermion_end=leg.index if spin == 2 else None)]
        self.externals = tuple(table[(1 << leg.index, leg.name)][0] for leg in self.legs)
        last = table.pop((1 << (self.n - 1), self.legs[-1].name))[0]
        for mask in self._masks():
            for opt, blocks in self._constructions(mask, table, root=False):
                pname = opt.vertex.particles[opt.position]
                for kids in itertools.product(*(table[(b, t)] for b, t in zip(blocks, opt.types))):
                    orders = tuple(map(sum, zip(opt.orders, *(k.orders for k in kids))))
                    if not self._within(orders, weighted):
                        continue
                    end, lines = self._fermions(opt, dict(zip(opt.others, kids)))
                    cur = self._new(legs=mask, name=opt.name, vertex=opt.vertex, offshell=opt.position,
                                    children=tuple(kids), orders=orders,
                                    propagator=self.model.particles[pname], s_channel=self._is_s_channel(mask),
                                    fermion_end=end, lines=lines)
                    table.setdefault((mask, opt.name), []).append(cur)
        full = (1 << (self.n - 1)) - 1
        diagrams = []
        fermion_legs = [leg.index for leg in self.legs if leg.particle.spin == 2]
        for opt, blocks in self._constructions(full, table, root=True):
            for kids in itertools.product(*(table[(b, t)] for b, t in zip(blocks, opt.types))):
                orders = tuple(map(sum, zip(opt.orders, *(k.orders for k in kids))))
                if not self._within(orders, weighted) or not self._final_ok(orders):
                    continue
                by_pos = dict(zip(opt.others, kids))
                by_pos[opt.position] = last
                _, lines = self._fermions(opt, by_pos)
                currents = tuple(by_pos[p] for p in range(len(opt.vertex.particles)))
                d = Diagram(opt.vertex, currents, _flow_sign(lines, fermion_legs),
                            dict(zip(self.order_names, orders)))
                if self._has_required_s_channels(d):
                    diagrams.append(d)
        return diagrams

    def _has_required_s_channels(self, d: Diagram) -> bool:
        if not self.flt.required_s_channels:
            return True
        found = [p.particle.name for p in d.propagators(self.model, self.n) if p.s_channel]
        return _match_requirements(found, [(r,) if isinstance(r, str) else tuple(r)
                                           for r in self.flt.required_s_channels])


def _match_requirements(found: list[str], required: list[tuple[str, ...]]) -> bool:
    """Whether each requirement (alternatives) is met by a distinct s-channel propagator in `found`."""
    if not required:
        return True
    first, rest = required[0], required[1:]
    for k, name in enumerate(found):
        if name in first and _match_requirements(found[:k] + found[k + 1:], rest):
            return True
    return False


def _flow_sign(lines: Sequence[tuple[int, int]], fermion_legs: Sequence[int]) -> int:
    """(-1)^P, P: the permutation from the process order of the fermion legs to (out_1, in_1, out_2, in_2, ...)."""
    seq = [k for line in lines for k in line]
    if sorted(seq) != sorted(fermion_legs):
        raise RuntimeError("fermion lines do not cover the external fermions")
    pos = {k: n for n, k in enumerate(sorted(seq))}
    perm = [pos[k] for k in seq]
    sign = 1
    seen = [False] * len(perm)
    for i in range(len(perm)):
        if seen[i]:
            continue
        j, length = i, 0
        while not seen[j]:
            seen[j] = True
            j = perm[j]
            length += 1
        if length % 2 == 0:
            sign = -sign
    return sign


def _legs(model: Model, particles: Sequence[Particle | str], n_initial: int) -> tuple[ExternalLeg, ...]:
    parts = [model.particles[p] if isinstance(p, str) else p for p in particles]
    if len(parts) < 3:
        raise NoDiagramsError(f"a process needs at least 3 particles, got {len(parts)}")
    return tuple(ExternalLeg(k, p, k < n_initial, p.antiname if k < n_initial else p.name)
                 for k, p in enumerate(parts))


def _generator(model: Model, particles, n_initial: int, flt: DiagramFilter) -> _Generator:
    legs = _legs(model, particles, n_initial)
    required = [(r,) if isinstance(r, str) else tuple(r) for r in flt.required_s_channels]
    for name in (*flt.excluded, *flt.s_channel_removed, *(x for r in required for x in r)):
        model.particles[name]  # raises UnknownParticleError for a bad name
    return _Generator(model, legs, flt)


def minimal_weighted_order(model: Model, particles: Sequence[Particle | str], n_initial: int = 2,
                           flt: DiagramFilter | None = None) -> int | None:
    """The lowest WEIGHTED order (QCD + 2 QED) of the diagrams that pass `flt`'s exclusions and required
    s-channels (its coupling orders are ignored), or None when there is no diagram."""
    flt = flt or DiagramFilter()
    gen = _generator(model, particles, n_initial, DiagramFilter(
        excluded=flt.excluded, s_channel_removed=flt.s_channel_removed,
        required_s_channels=flt.required_s_channels))
    weighted = gen.minimal_weight()
    if weighted is None or not flt.required_s_channels:
        return weighted
    for w in range(weighted, 4 * len(gen.legs) + 1):  # required s-channels may need a higher order
        if gen.run(w):
            return w
    return None


def generate_diagrams(model: Model, particles: Sequence[Particle | str], n_initial: int = 2,
                      flt: DiagramFilter | None = None, weighted: int | None = None) -> DiagramSet:
    """All tree-level diagrams of ``particles[:n_initial] > particles[n_initial:]`` (names or Particles).

    Without coupling orders in `flt`, the diagrams with WEIGHTED <= `weighted` are kept, `weighted` defaulting to
    this process's minimal WEIGHTED order (MadGraph's default; for a multiparticle process MadGraph uses the
    lowest minimum over its subprocesses: pass it here).

    Raises:
        NoDiagramsError: for an unknown coupling order, or when no diagram passes (the message says whether the
            model has none or the orders/exclusions removed them).
        UnknownParticleError: for an unknown particle name.
    """
    flt = flt or DiagramFilter()
    gen = _generator(model, particles, n_initial, flt)
    parts = [leg.particle for leg in gen.legs]
    if not flt.coupling_orders and weighted is None:
        weighted = minimal_weighted_order(model, parts, n_initial, flt)
        if weighted is None:
            raise NoDiagramsError(_no_diagram_text(parts, n_initial, flt))
    diagrams = gen.run(weighted if not flt.coupling_orders else None)
    if not diagrams:
        raise NoDiagramsError(_no_diagram_text(parts, n_initial, flt, model=model, weighted=weighted))
    counts: dict[str, int] = {}
    for p in parts[n_initial:]:
        counts[p.name] = counts.get(p.name, 0) + 1
    symmetry = 1
    for c in counts.values():
        symmetry *= factorial(c)
    return DiagramSet(gen.legs, diagrams, gen.order_names, weighted if not flt.coupling_orders else None,
                      symmetry, gen.externals)


def _no_diagram_text(parts, n_initial, flt: DiagramFilter, model: Model | None = None,
                     weighted: int | None = None) -> str:
    text = " ".join(p.name for p in parts[:n_initial]) + " > " + " ".join(p.name for p in parts[n_initial:])
    if model is not None and not flt.coupling_orders and weighted is not None:
        return (f"{text} has no diagram with WEIGHTED<={weighted} (QCD + 2 QED), the lowest order of the "
                f"other subprocesses of its process definition; give explicit coupling orders to include it")
    if model is not None and flt.coupling_orders:
        try:
            free = generate_diagrams(model, parts, n_initial, DiagramFilter(
                excluded=flt.excluded, s_channel_removed=flt.s_channel_removed,
                required_s_channels=flt.required_s_channels))
        except NoDiagramsError:
            free = None
        if free is not None:
            lowest = sorted({tuple(sorted(d.orders.items())) for d in free.diagrams})
            have = "; ".join(" ".join(f"{k}={v}" for k, v in o if v) for o in lowest)
            orders = " ".join(f"{k}{op}{v}" for k, (op, v) in flt.coupling_orders.items())
            return (f"no diagram of {text} satisfies the coupling orders {orders}: its lowest-order diagrams have "
                    f"{have}. Relax the orders or remove them (MadGraph's default keeps the lowest QED order)")
    if flt.excluded or flt.s_channel_removed or flt.required_s_channels:
        return (f"{text} has no tree-level diagram with the requested exclusions or s-channels "
                f"(/ {' '.join(flt.excluded)} $$ {' '.join(flt.s_channel_removed)} "
                f"> {' '.join('|'.join((r,) if isinstance(r, str) else r) for r in flt.required_s_channels)} >); "
                f"remove some of them")
    return (f"{text} has no tree-level diagram in the Standard Model (no combination of its vertices connects "
            f"these particles); check the process, e.g. lepton-number or flavour conservation")
