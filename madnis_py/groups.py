"""Subprocess groups: subprocesses with identical |M|^2 share one matrix element (MadGraph's P-directories).

``u u~ > t t~``, ``d d~ > t t~``, ``s s~ > t t~`` and ``c c~ > t t~`` have the same amplitude program: one
evaluation of |M|^2 serves them all, weighted by the sum of their parton luminosities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from madnis_py.clustering import ClusteringTables
from madnis_py.cuts import CutSpec
from madnis_py.multichannel import diagram_topology, is_single_resonance
from madnis_py.process import Subprocess


@dataclass(frozen=True)
class SubprocessGroup:
    """Subprocesses (same final state, same |M|^2 program) with their matrix element, cuts and channels.

    topologies: one phase-space channel per diagram; single_resonance: the whole final state comes from one
    colourless s-channel resonance in every diagram; clustering: the tables of MadGraph's kT-clustering scale
    (dynamical_scale_choice = -1, madnis_py/clustering.py), None when the run does not use it or the process
    has no diagram to cluster along.
    """

    members: tuple[Subprocess, ...]
    matrix_element: object
    cuts: CutSpec
    topologies: tuple
    single_resonance: bool
    clustering: ClusteringTables | None = None

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
        x: (n, 2) beam momentum fractions; mu_f: (n,) for both beams or (n, 2) per beam, GeV."""
        if pdf is None:
            return np.ones((x.shape[0], len(self.members)))
        table = self.pdg_table
        return pdf.f1f2(np.ascontiguousarray(x[:, 0]), np.ascontiguousarray(x[:, 1]), mu_f, table[:, 0],
                        table[:, 1], lpp=lpp)


def _program_key(matrix_element, subprocess: Subprocess) -> tuple:
    p = matrix_element.program
    arrays = (p.instructions, p.fparams, p.couplings, p.coupling_powers, p.helicities, p.amp_diagram, p.amp_colour,
              p.colour_matrix)
    return (subprocess.pdgs[2:], subprocess.masses, p.factor) + tuple(a.tobytes() for a in arrays)


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
        topologies = tuple(diagram_topology(props, first.masses, parameters, zerowidth_tchannel=zerowidth_tchannel)
                           for props in propagators)
        groups.append(SubprocessGroup(members, me, cuts, topologies,
                                      is_single_resonance(propagators, len(first.masses)),
                                      _clustering(me, run_card, parameters)))
    return groups


def _clustering(matrix_element, run_card, parameters) -> ClusteringTables | None:
    """The clustering tables when the run uses MadGraph's default dynamical scale (-1) for mu_R or mu_F."""
    if int(run_card["dynamical_scale_choice"]) != -1 or (run_card["fixed_ren_scale"] and run_card["fixed_fac_scale"]):
        return None
    try:
        return ClusteringTables.build(matrix_element, parameters, int(run_card["maxjetflavor"]),
                                      float(run_card["bwcutoff"]))
    except ValueError:
        return None
