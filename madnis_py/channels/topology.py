"""The propagator structure of one phase-space channel (MadEvent's single-diagram enhancement).

Conventions
-----------
A process 2 -> n has momenta ``(n_events, n + 2, 4)`` in GeV, (E, px, py, pz): index 0 and 1 are the
incoming legs p_a, p_b, indices 2 .. n+1 the final-state legs in the order of the process string.
A channel is one Feynman diagram's propagator structure:

* **s-channel propagators** (time-like) form decay trees. Each is given by its *daughters*: final legs
  (integers >= 2, the momentum index) and earlier s-channel propagators (negative integers, MadGraph style:
  ``-1`` is ``s_channels[0]``, ``-2`` is ``s_channels[1]``, ...). A daughter list may also simply name all
  final legs below the propagator; the tree is inferred from the sets of legs, which must be nested or
  disjoint. A vertex with more than two daughters is split into two-body steps joined by dummy massless
  propagators.
* **t-channel propagators** form the chain from p_a to p_b. ``t_channels[j] = (emitted, mass, width)``
  is the propagator just after the cluster ``emitted`` (a final leg, a negative s-channel reference, or the
  set of legs of one) has been emitted, counted from p_a; its momentum is p_a - k_1 - ... - k_{j+1}. The
  last cluster, attached to p_b, is what is left (it must be one leg or one s-channel propagator).
* **pure s-channel** diagrams have no t-channel propagators and one s-channel propagator over all final legs
  (the root, carrying p_a + p_b, e.g. e+ e- -> Z -> mu+ mu-); its daughters are emitted flat in cos theta
  and its mass and width shape the map of s_hat = x1 x2 S in hadron collisions.

Maps (arXiv:2311.01548 sec. 2; madspace):

* s-channel with width > 0: Breit-Wigner (arctan) map in s; with width 0: power law s^-nu; within the
  kinematic limits set by the daughters' masses and the energy left by the rest of the event. With
  ``onshell=True`` the invariant mass is also restricted to mass +- bwcutoff * width (MadGraph's
  ``bwcutoff`` for decay-chain resonances, run_card default 15).
* t-channel: massless -> power law in -t; massive -> density 1/((m^2 - t)^2 + a^2), a = m * width
  (a = m^2 for width 0); ``mass=None`` -> flat in t (a dummy, e.g. a four-point vertex on the chain).
* Dummy propagators: ``mass=None`` in an s-channel entry gives a flat map in s.

The flat arrays handed to the core are documented in ``csrc/bindings/register_channels.cpp``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np

from madnis_py.core import _core

FLAT, POWER, BREIT_WIGNER = 0, 1, 2
MAX_FINAL = 12


@dataclass(frozen=True)
class SChannel:
    """An s-channel propagator: ``daughters`` (legs >= 2 and/or negative references), mass and width in GeV.

    ``mass=None`` marks a dummy propagator (flat in s). ``onshell`` restricts the invariant mass to
    mass +- bwcutoff * width.
    """

    daughters: tuple[int, ...]
    mass: float | None
    width: float = 0.0
    onshell: bool = False


@dataclass(frozen=True)
class TChannel:
    """A t-channel propagator after ``emitted`` (leg >= 2, negative s-channel reference, or a set of legs).

    Mass and width in GeV; ``mass=None`` marks a dummy (flat in t).
    """

    emitted: int | frozenset[int]
    mass: float | None
    width: float = 0.0


@dataclass(frozen=True)
class _Decay:
    legs: frozenset[int]
    d1: int
    d2: int
    kind: int
    mass: float
    width: float
    smin: float
    smax: float


@dataclass(frozen=True, eq=False)
class Topology:
    """A channel's propagator structure, ready for the compiled core.

    Attributes:
        masses: the n + 2 external masses (GeV), incoming first.
        n_final: n.
        dim: random numbers per event at fixed energy, 3 n - 4 (two more with a luminosity map).
        ints, floats: the flat int32 / float64 arrays passed to ``madnis_py._core``.
        description: a readable one-line summary.
    """

    masses: tuple[float, ...]
    n_final: int
    dim: int
    ints: np.ndarray = field(repr=False)
    floats: np.ndarray = field(repr=False)
    description: str = ""
    #: the diagram's propagators (dummies left out), each (t, legs, mass, width): an s-channel one carries the sum
    #: of the final ``legs``' momenta, a t-channel one (t True) p_a minus it; masses and widths in GeV
    propagators: tuple[tuple[bool, frozenset[int], float, float], ...] = ()

    @classmethod
    def from_propagators(
        cls,
        masses: Sequence[float],
        s_channels: Iterable[SChannel | tuple] = (),
        t_channels: Iterable[TChannel | tuple] = (),
        *,
        nu: float = 0.8,
        bwcutoff: float = 15.0,
        min_masses: Mapping[Iterable[int], float] | None = None,
    ) -> "Topology":
        """Builds a channel from its propagators.

        Args:
            masses: n + 2 external masses in GeV (p_a, p_b, then the final legs).
            s_channels: ``SChannel`` or tuples ``(daughters, mass, width[, onshell])``.
            t_channels: ``TChannel`` or tuples ``(emitted, mass, width)``, ordered from p_a to p_b.
            nu: exponent of the power-law maps (massless propagators, s_hat), 0 <= nu < 1.
            bwcutoff: half-width of the on-shell window in units of the width (``onshell`` propagators).
            min_masses: optional lower limits (GeV) on the invariant masses of s-channel propagators, keyed by
                their set of final legs, e.g. from cuts (MadEvent's smin from mmjj, ptj and drjj); the
                mappings then sample above them and the inverse gives weight 0 below them.

        Raises:
            ValueError: naming the entry that is inconsistent.
        """
        masses = tuple(float(m) for m in masses)
        n = len(masses) - 2
        if not 2 <= n <= MAX_FINAL:
            raise ValueError(f"a channel needs 2 to {MAX_FINAL} final-state particles, got {n}")
        if any(not np.isfinite(m) or m < 0 for m in masses):
            raise ValueError(f"external masses must be finite and >= 0, got {masses}")
        if not 0.0 <= nu < 1.0:
            raise ValueError(f"nu must be in [0, 1), got {nu}")
        if not bwcutoff > 0:
            raise ValueError(f"bwcutoff must be > 0, got {bwcutoff}")
        finals = frozenset(range(2, n + 2))
        mins = {frozenset(int(i) for i in k): float(v) for k, v in (min_masses or {}).items()}
        if any(v < 0 for v in mins.values()):
            raise ValueError(f"min_masses must be >= 0 GeV, got {min_masses}")
        sprops = [p if isinstance(p, SChannel) else SChannel(tuple(p[0]), *p[1:]) for p in s_channels]
        tprops = [p if isinstance(p, TChannel) else TChannel(*p) for p in t_channels]

        # leg sets of the s-channel propagators
        sets: list[frozenset[int]] = []
        for i, p in enumerate(sprops):
            legs: set[int] = set()
            for item in p.daughters:
                item = int(item)
                if item >= 2:
                    if item not in finals:
                        raise ValueError(f"s_channels[{i}]: leg {item} is not a final leg (2 .. {n + 1})")
                    legs.add(item)
                elif item < 0 and -item - 1 < i:
                    legs |= sets[-item - 1]
                else:
                    raise ValueError(f"s_channels[{i}]: daughter {item} must be a final leg >= 2 or an earlier "
                                     f"propagator -1 .. -{i}")
            if len(legs) < 2:
                raise ValueError(f"s_channels[{i}] needs at least two final legs below it, got {sorted(legs)}")
            if frozenset(legs) in sets:
                raise ValueError(f"s_channels[{i}] repeats the legs {sorted(legs)} of an earlier propagator")
            if p.mass is not None and (p.mass < 0 or p.width < 0):
                raise ValueError(f"s_channels[{i}]: mass and width must be >= 0")
            if p.onshell and not (p.mass and p.width > 0):
                raise ValueError(f"s_channels[{i}]: an on-shell window needs mass > 0 and width > 0")
            sets.append(frozenset(legs))
        for i, a in enumerate(sets):
            for b in sets[:i]:
                if a & b and not (a <= b or b <= a):
                    raise ValueError(f"s-channel propagators over {sorted(a)} and {sorted(b)} overlap")

        root = next((i for i, s in enumerate(sets) if s == finals), None)
        blocks: dict[frozenset[int], SChannel | None] = {s: sprops[i] for i, s in enumerate(sets) if s != finals}
        for leg in finals:
            blocks[frozenset([leg])] = None

        def children(legs: frozenset[int]) -> list[frozenset[int]]:
            inner = [s for s in blocks if s < legs]
            return sorted((s for s in inner if not any(s < o for o in inner)), key=min)

        # the t-channel chain
        top = children(finals)
        if tprops:
            if root is not None:
                raise ValueError("a propagator over all final legs (pure s-channel) cannot have t-channel propagators")
            clusters = []
            for j, tp in enumerate(tprops):
                emitted = tp.emitted
                if isinstance(emitted, (int, np.integer)):
                    emitted = int(emitted)
                    if emitted < 0:
                        if -emitted - 1 >= len(sets):
                            raise ValueError(f"t_channels[{j}]: no s-channel propagator {emitted}")
                        key = sets[-emitted - 1]
                    else:
                        key = frozenset([emitted])
                else:
                    key = frozenset(int(e) for e in emitted)
                if key not in top:
                    raise ValueError(f"t_channels[{j}]: {sorted(key)} is not a leg or s-channel propagator attached "
                                     f"to the t-channel chain (top-level blocks: {[sorted(b) for b in top]})")
                if key in clusters:
                    raise ValueError(f"t_channels[{j}]: {sorted(key)} is emitted twice")
                if tp.mass is not None and (tp.mass < 0 or tp.width < 0):
                    raise ValueError(f"t_channels[{j}]: mass and width must be >= 0")
                clusters.append(key)
            rest = [b for b in top if b not in clusters]
            if len(rest) != 1:
                raise ValueError(f"after the t-channel chain exactly one block must remain for p_b, got "
                                 f"{[sorted(b) for b in rest]}")
            clusters.append(rest[0])
            t_entries = [(tp.mass, tp.width) for tp in tprops]
        else:
            clusters = children(finals) if root is not None else top
            if len(clusters) < 2:
                raise ValueError("the channel needs at least two blocks at the top level")
            t_entries = [(None, 0.0)] * (len(clusters) - 1)

        # decays bottom-up, splitting vertices with more than two daughters
        node_of: dict[frozenset[int], int] = {frozenset([leg]): leg - 2 for leg in finals}
        decays: list[_Decay] = []

        def add_decay(legs: frozenset[int], a: int, b: int, prop: SChannel | None) -> int:
            if prop is None or prop.mass is None:
                kind, mass, width = (POWER if prop is None else FLAT), 0.0, 0.0
            else:
                mass, width = float(prop.mass), float(prop.width)
                kind = BREIT_WIGNER if width > 0 and mass > 0 else POWER
            smin, smax = 0.0, np.inf
            if prop is not None and prop.onshell:
                smin = max(mass - bwcutoff * width, 0.0) ** 2
                smax = (mass + bwcutoff * width) ** 2
            if legs in mins:
                smin = max(smin, mins.pop(legs) ** 2)
            decays.append(_Decay(legs, a, b, kind, mass, width, smin, smax))
            return n + len(decays) - 1

        def build(legs: frozenset[int]) -> int:
            if legs in node_of:
                return node_of[legs]
            kids = children(legs)
            ids = [build(k) for k in kids]
            acc_legs, acc = kids[0], ids[0]
            for k, i in zip(kids[1:-1], ids[1:-1]):
                acc_legs = acc_legs | k
                acc = add_decay(acc_legs, acc, i, None)
            node_of[legs] = add_decay(legs, acc, ids[-1], blocks[legs])
            return node_of[legs]

        cluster_ids = [build(c) for c in clusters]
        if mins:
            raise ValueError(f"min_masses names leg sets that are no s-channel propagator of this channel: "
                             f"{[sorted(k) for k in mins]}")
        m, D = len(clusters), len(decays)
        t_kinds, t_mass, t_width = [], [], []
        for mass, width in t_entries:
            if mass is None:
                t_kinds.append(FLAT), t_mass.append(0.0), t_width.append(0.0)
            else:
                t_kinds.append(BREIT_WIGNER if mass > 0 else POWER)
                t_mass.append(float(mass)), t_width.append(float(width))
        if root is not None and sprops[root].mass and sprops[root].width > 0:
            root_kind, root_mass, root_width = BREIT_WIGNER, float(sprops[root].mass), float(sprops[root].width)
        else:
            root_kind, root_mass, root_width = POWER, 0.0, 0.0

        ints = np.array([n, D, m, root_kind] + [d.d1 for d in decays] + [d.d2 for d in decays]
                        + [d.kind for d in decays] + cluster_ids + t_kinds, dtype=np.int32)
        floats = np.array([nu, root_mass, root_width, masses[0], masses[1], *masses[2:]]
                          + [d.mass for d in decays] + [d.width for d in decays] + [d.smin for d in decays]
                          + [d.smax for d in decays] + t_mass + t_width, dtype=np.float64)
        dim = _core.channel_dim(ints, floats)

        def name(legs: frozenset[int]) -> str:
            return "".join(str(leg) for leg in sorted(legs)) if len(legs) > 1 else str(next(iter(legs)))

        kind_names = {FLAT: "flat", POWER: "power", BREIT_WIGNER: "BW"}
        parts = [f"s({name(d.legs)}:{kind_names[d.kind]}{'' if d.kind != BREIT_WIGNER else f' {d.mass:g}'})"
                 for d in decays]
        chain = " | ".join(name(c) for c in clusters)
        tdesc = ", ".join(kind_names[k] for k in t_kinds)
        description = f"2->{n}: {' '.join(parts) or 'no s-channel'}; chain a | {chain} | b (t: {tdesc})"
        emitted = [frozenset().union(*clusters[:j + 1]) for j in range(len(t_entries))]
        propagators = tuple((False, legs, float(p.mass), float(p.width)) for p, legs in zip(sprops, sets)
                            if p.mass is not None) + \
            tuple((True, legs, float(mass), float(width)) for (mass, width), legs in zip(t_entries, emitted)
                  if mass is not None)
        return cls(masses, n, dim, ints, floats, description, propagators)

    @classmethod
    def s_channel(cls, masses: Sequence[float], mass: float | None = None, width: float = 0.0, *,
                  nu: float = 0.8) -> "Topology":
        """A single s-channel propagator over all final legs (e.g. e+ e- -> Z/gamma* -> f f~ at fixed sqrt(s)),
        mass and width in GeV (``None``: no propagator, s_hat power law). With more than two final legs they
        are emitted along a chain of flat dummy t-channel steps (a flat n-body parameterisation)."""
        n = len(masses) - 2
        return cls.from_propagators(masses, [(tuple(range(2, n + 2)), mass, width)], nu=nu)

    def permuted(self, legs: Mapping[int, int]) -> "Topology":
        """The same channel with final legs relabelled: ``legs`` maps a final leg (process index, 2 .. n + 1) to
        the leg whose momentum it becomes (legs not named stay). The mapping of the result at any r gives this
        channel's momenta with the legs exchanged, so the two channels' integrands agree point by point in r when
        the permuted legs are identical particles (MadNIS channel symmetries, arXiv:2311.01548)."""
        n = self.n_final
        perm = {leg: legs.get(leg, leg) for leg in range(2, n + 2)}
        if sorted(perm.values()) != list(range(2, n + 2)):
            raise ValueError(f"legs {dict(legs)} is not a permutation of the final legs 2 .. {n + 1}")
        if any(self.masses[a] != self.masses[b] for a, b in perm.items()):
            raise ValueError(f"legs {dict(legs)} exchanges final legs of different masses")
        ints = self.ints.copy()
        n_decays, n_clusters = int(ints[1]), int(ints[2])
        start = 4
        nodes = np.r_[start:start + 2 * n_decays, start + 3 * n_decays:start + 3 * n_decays + n_clusters]
        leaf = ints[nodes] < n
        ints[nodes[leaf]] = [perm[int(i) + 2] - 2 for i in ints[nodes[leaf]]]
        moved = ", ".join(f"{a}->{b}" for a, b in perm.items() if a != b)
        propagators = tuple((t, frozenset(perm[leg] for leg in legs), mass, width)
                            for t, legs, mass, width in self.propagators)
        return Topology(self.masses, n, self.dim, ints, self.floats.copy(),
                        self.description + (f" (legs {moved})" if moved else ""), propagators)

    def __str__(self) -> str:
        return self.description
