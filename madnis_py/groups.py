"""Subprocess groups: subprocesses with identical |M|^2 share one matrix element (MadGraph's P-directories).

``u u~ > t t~``, ``d d~ > t t~``, ``s s~ > t t~`` and ``c c~ > t t~`` have the same amplitude program: one
evaluation of |M|^2 serves them all, weighted by the sum of their parton luminosities.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from madnis_py.arrays import contiguous, full
from madnis_py.clustering import ClusteringTables
from madnis_py.cuts import CutSpec
from madnis_py.multichannel import diagram_topology, is_single_resonance
from madnis_py.process import Subprocess


@dataclass(frozen=True)
class SubprocessGroup:
    """Subprocesses (same final state, same |M|^2 program) with their matrix element, cuts and channels.

    topologies: the phase-space channels, one per diagram of :attr:`channel_diagrams`; single_resonance: the whole
    final state comes from one colourless s-channel resonance in every diagram (this fixes MadGraph's default
    dynamical scale); channel_diagrams: the diagram (index in the matrix element) of each channel: as MadGraph,
    the diagrams made of the smallest vertices only (a diagram with a four-point vertex where the others have
    three-point vertices is no channel and its |M_i|^2 is no channel weight, MadGraph's ``get_amp2_lines``).
    clustering: the tables of MadGraph's kT-clustering scale (dynamical_scale_choice = -1,
    madnis_py/clustering.py), None when the run does not use it or the process has no diagram to cluster along.
    """

    members: tuple[Subprocess, ...]
    matrix_element: object
    cuts: CutSpec
    topologies: tuple
    single_resonance: bool
    clustering: ClusteringTables | None = None
    channel_diagrams: tuple[int, ...] = ()
    #: for each channel, the channel of the group it is a permutation of (identical final-state particles
    #: exchanged, its topology being that channel's with the legs relabelled), or itself; MadNIS gives one flow to
    #: the channels of one symmetry class (arXiv:2311.01548)
    channel_symmetry: tuple[int, ...] = ()
    #: for each channel, the particle order that turns momenta of its :attr:`channel_symmetry` representative's
    #: mapping into its own: ``p_channel = p_representative[:, order]`` (the identity for a representative)
    channel_legs: tuple[tuple[int, ...], ...] = ()

    def __post_init__(self) -> None:
        n = len(self.topologies)
        if not self.channel_diagrams:
            object.__setattr__(self, "channel_diagrams", tuple(range(n)))
        if not self.channel_symmetry:
            object.__setattr__(self, "channel_symmetry", tuple(range(n)))
        if not self.channel_legs:
            object.__setattr__(self, "channel_legs", (tuple(range(len(self.masses))),) * n)
        if not len(self.channel_diagrams) == len(self.channel_symmetry) == len(self.channel_legs) == n:
            raise ValueError(f"{n} topologies for {len(self.channel_diagrams)} channel diagrams, "
                             f"{len(self.channel_symmetry)} symmetry and {len(self.channel_legs)} leg entries")

    @property
    def name(self) -> str:
        return " / ".join(m.name for m in self.members)

    @property
    def masses(self) -> tuple[float, ...]:
        return self.members[0].masses

    @property
    def pdg_table(self) -> np.ndarray:
        """PDG codes of each member, int64 (n_members, n_particles)."""
        return np.array([m.pdgs for m in self.members], dtype=np.int64)

    @property
    def process_ids(self) -> np.ndarray:
        return np.array([m.process_id for m in self.members], dtype=np.int64)

    def luminosities(self, pdf, lpp, x: np.ndarray, mu_f: np.ndarray) -> np.ndarray:
        """f1(x1, mu_F1) f2(x2, mu_F2) of each member, (n, n_members); ones for lepton beams (pdf None).
        x: (n, 2) beam momentum fractions; mu_f: (n,) for both beams or (n, 2) per beam, GeV; numpy arrays, or
        torch tensors on the device of the pdf's data (the result likewise)."""
        if pdf is None:
            return full(x, (x.shape[0], len(self.members)), 1.0)
        table = self.pdg_table
        return pdf.f1f2(contiguous(x[:, 0]), contiguous(x[:, 1]), mu_f, table[:, 0], table[:, 1], lpp=lpp)


def _program_key(matrix_element, subprocess: Subprocess) -> tuple:
    p = matrix_element.program
    arrays = (p.instructions, p.fparams, p.couplings, p.coupling_powers, p.helicities, p.amp_diagram, p.amp_colour,
              p.colour_matrix)
    return (subprocess.pdgs[2:], subprocess.masses, p.factor) + tuple(a.tobytes() for a in arrays)


def channel_diagrams(matrix_element) -> tuple[int, ...]:
    """The diagrams that are phase-space channels, as MadGraph chooses them: those whose largest vertex is as
    small as the smallest such maximum over all diagrams (three-point vertices when any diagram has only those)."""
    sizes = [d.max_vertex_legs() for d in matrix_element.diagrams.diagrams]
    smallest = min(sizes)
    return tuple(d for d, size in enumerate(sizes) if size == smallest)


def _line_signature(propagators, n_legs: int) -> frozenset:
    """A diagram's internal lines as {(the legs on the side without leg 0, the particle flowing into them)}: the
    diagram's identity among tree diagrams made of three-point vertices, whatever its leg numbering."""
    everything = frozenset(range(n_legs))
    lines = []
    for p in propagators:
        if p.s_channel:
            lines.append((frozenset(p.final_legs), p.particle.name))
        elif 0 in p.legs:
            lines.append((everything - p.legs, p.particle.name))
        else:
            lines.append((frozenset(p.legs), p.particle.antiname))
    return frozenset(lines)


def _identical_final_permutations(final_pdgs: tuple[int, ...]) -> list[dict[int, int]]:
    """Every permutation of the final legs (process indices from 2) that only exchanges identical particles,
    the identity excluded."""
    classes: dict[int, list[int]] = {}
    for k, pdg in enumerate(final_pdgs):
        classes.setdefault(pdg, []).append(k + 2)
    sets = [legs for legs in classes.values() if len(legs) > 1]
    out = []
    for images in itertools.product(*(itertools.permutations(legs) for legs in sets)):
        perm = {a: b for legs, image in zip(sets, images) for a, b in zip(legs, image) if a != b}
        if perm:
            out.append(perm)
    return out


def channel_symmetries(propagators, channels: tuple[int, ...], final_pdgs: tuple[int, ...]
                       ) -> list[tuple[int, dict[int, int]]]:
    """For each channel (diagram index in ``channels``): (the first channel it is a permutation of, the
    permutation of final legs taking that channel's diagram to it), by comparing the diagrams' internal lines
    with their legs exchanged among identical final-state particles (MadGraph's ``find_symmetry``).
    propagators: each diagram's internal lines; final_pdgs: the PDG codes of the final state."""
    n_legs = len(final_pdgs) + 2
    signatures = [_line_signature(propagators[d], n_legs) for d in channels]
    index = {}
    for k, sig in enumerate(signatures):
        index.setdefault(sig, k)
    if len(index) != len(signatures):  # two diagrams with the same lines: no symmetry is assumed
        return [(k, {}) for k in range(len(channels))]
    perms = _identical_final_permutations(tuple(final_pdgs))
    out: list[tuple[int, dict[int, int]]] = []
    for k, sig in enumerate(signatures):
        found = (k, {})
        for perm in perms:
            # the lines of this diagram with its legs exchanged back: a diagram found there is its image under perm
            image = frozenset((frozenset(perm.get(leg, leg) for leg in legs), name) for legs, name in sig)
            j = index.get(image)
            if j is not None and j < found[0]:
                found = (j, {b: a for a, b in perm.items()})
        # the permutations form a group: the smallest channel of the class is reached directly
        out.append(found)
    return out


def group_subprocesses(pairs, run_card, parameters, zerowidth_tchannel: bool) -> list[SubprocessGroup]:
    """Groups (subprocess, matrix element) pairs whose programs are identical, in order of first appearance."""
    grouped: dict[tuple, list] = {}
    for sub, me in pairs:
        grouped.setdefault(_program_key(me, sub), []).append((sub, me))
    groups = []
    for items in grouped.values():
        members = tuple(sub for sub, _ in items)
        me = items[0][1]
        first = members[0]
        propagators = [me.propagators(d) for d in range(me.n_diagrams)]
        cuts = CutSpec.from_run_card(run_card, first.pdgs[2:])
        channels = channel_diagrams(me)
        symmetry = channel_symmetries(propagators, channels, first.pdgs[2:])
        topologies = []
        for k, d in enumerate(channels):
            rep, perm = symmetry[k]
            topologies.append(topologies[rep].permuted(perm) if rep != k else
                              diagram_topology(propagators[d], first.masses, parameters,
                                               zerowidth_tchannel=zerowidth_tchannel))
        groups.append(SubprocessGroup(members, me, cuts, tuple(topologies),
                                      is_single_resonance(propagators, len(first.masses)),
                                      clustering=_clustering(me, run_card, parameters), channel_diagrams=channels,
                                      channel_symmetry=tuple(rep for rep, _ in symmetry),
                                      channel_legs=tuple(_leg_order(perm, len(first.masses)) for _, perm in symmetry)))
    return groups


def _leg_order(perm: dict[int, int], n_particles: int) -> tuple[int, ...]:
    """The particle order ``order`` with ``p_permuted = p[:, order]`` for a channel whose topology is its
    representative's permuted by ``perm`` (Topology.permuted: the momentum of leg a goes to leg perm[a])."""
    order = list(range(n_particles))
    for a, b in perm.items():
        order[b] = a
    return tuple(order)


def _clustering(matrix_element, run_card, parameters) -> ClusteringTables | None:
    """The clustering tables when the run uses MadGraph's default dynamical scale (-1) for mu_R or mu_F."""
    if int(run_card["dynamical_scale_choice"]) != -1 or (run_card["fixed_ren_scale"] and run_card["fixed_fac_scale"]):
        return None
    try:
        return ClusteringTables.build(matrix_element, parameters, int(run_card["maxjetflavor"]),
                                      float(run_card["bwcutoff"]))
    except ValueError:
        return None
