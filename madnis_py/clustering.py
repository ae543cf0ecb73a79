"""MadGraph's default dynamical scale, ``dynamical_scale_choice = -1``, at leading order (``ickkw = 0``).

MadEvent (MadGraph 5 3.5, ``SubProcesses/cluster.f`` and ``setclscales`` in ``reweight.f``) clusters every event
back to a 2 -> 2 (or 2 -> 1) core, kT-style, along the Feynman diagrams of the process, and reads the scales off
the clustering history. This module builds the process tables; the per-event work is the core's
``ClusteringScale`` (``csrc/kernels/clustering.h``), one event per call on the CPU or the GPU.

Clustering, in the partonic centre-of-mass frame. The lines are the external particles. A pair may combine only
if a surviving diagram has an internal line with exactly those legs (the diagrams made of three-point vertices:
MadGraph's ``configs.inc``; only those with the channel diagram's QCD order); the two beams never combine.
A final-state pair i, j is measured by (GeV^2)

    d_ij = max(m_i^2, m_j^2) + min(pT_i^2, pT_j^2) * 2 (cosh(eta_i - eta_j) - cos(phi_i - phi_j))

(with D = 1), by the massless line's m_T^2 (1 + 1e-6) when the other is heavy (m^2 >= 1 GeV^2 for
maxjetflavor = 4), by its invariant mass^2 when it is one of the channel's resonances within bwcutoff widths of
its mass; a final-state line i with a beam by d_iB = m_i^2 + pT_i^2 = (E - pz)(E + pz), times (1 + 1e-6) when
the line goes against that beam. The smallest d wins (the first pair in the order (3,1), (3,2), (4,1), (4,2),
(4,3), ... on ties); the surviving diagrams are those holding the new line. A beam line absorbs its emission as
p_beam - p_i, and while more than two final-state lines remain everything is then boosted to the rest frame of
the new beam line and the other beam and rotated to put the new line on the z axis. The m_T^2 of an emission
off a beam is kept (mt2ij). When one final-state line remains, the last vertex is that line against the two
beams with d = its (E - pz)(E + pz); if the last combination was a final-state one (t t~ -> the core) the
geometric mean of the two lines' m_T^2 is kept as mt2last.

Scales (setclscales). Walking the history, each beam b's line records jfirst_b (its first clustering), jlast_b
(the last clustering while the line is a light parton radiating light jets) and jcentral_b (the last one while
the t-channel line is coloured: the core). With pt2(k) the measure of clustering k:

* the core vertex takes the m_T^2 kept there (mt2ij), and both core vertices take mt2last when the core was a
  coloured final-state pair (QCD mother and daughters), e.g. the top pair in p p > t t~ + jets;
* pt2(jlast_b) = max(pt2(jlast_b), pt2(jfirst_b));
* mu_F,b^2 = sqrt(pt2(jlast_b) pt2(jcentral_b)), both beams taking the larger one when their lines meet in the
  same core vertex; mu_R = (pt2(jlast_1) pt2(jcentral_1) pt2(jlast_2) pt2(jcentral_2))^(1/8);
* fall-backs: one beam's line only: mu_R^2 = sqrt(pt2(jlast_b) pt2(jcentral_b)); no light-parton line:
  the geometric mean of the core scales; no coloured line: mu_R^2 = pt2 of the last vertex and
  mu_F,b^2 = pt2(jfirst_b) (2 -> 1: the particle's mass^2);
* mu_R and mu_F are multiplied by scalefact; an event whose factorisation scale on a hadron beam is below 2 GeV
  has weight zero (setclscales returns false).

Consequences: p p > t t~ gives mu = m_T(t) = m_T(t~) (the tops' common m_T); Drell-Yan gives sqrt(s-hat); for
p p > t t~ j the jet is clustered first (to a beam, d = pT_j^2) whenever pT_j < m_T(t), and then
mu^2 = max(m_T,t* m_T,t~*, pT_j^2) with the top m_T taken in the frame of the clustered 2 -> 2 core, which tends
to the 2 -> 2 scale as the jet becomes soft or collinear. At ickkw = 0 MadGraph evaluates every power of alpha_s
at mu_R (rewgt returns 1; no alpha_s is taken at the clustering scales), so the matrix element is called with
alpha_s(mu_R) and the PDFs of beam b at mu_F,b.

Not reproduced: setclscales' re-clustering along the channel's own diagram (chcluster) when the free
clustering flags a different number of jets than the channel's first event did (MadGraph's iqjets bookkeeping,
which only matters for matching); MadGraph evaluates beam b's PDF at q2fact(IB(b)), i.e. swaps the two
factorisation scales for mirrored subprocesses, whereas here the process legs are in beam order and beam b
always takes leg b's scale (the two differ only when the beams' QCD lines end in different vertices).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from madnis_py.arrays import contiguous, empty, on_device_of
from madnis_py.core import _core

#: per-line flag bits, as csrc/kernels/clustering.h reads them
LINE_QCD, LINE_JET, LINE_RESONANT = 1, 2, 4
#: status codes of clustering_scale
STATUS_OK, STATUS_FAILED, STATUS_LOW_FACT_SCALE = 0, 1, 2
MAX_LEGS = 12


@dataclass(frozen=True)
class ClusterChannel:
    """The channel side of the clustering for one diagram.

    candidates: uint64 (n_words,) bit set of the graphs with the diagram's QCD order; this_graph: the diagram's
    graph index (-1 when it has a four-point vertex); bw_*: its s-channel resonances (width/mass < 0.1): leg
    mask (int32), mass and width (GeV), index of a daughter resonance with the same PDG code (int32, -1 none).
    """

    candidates: np.ndarray
    this_graph: int
    bw_mask: np.ndarray
    bw_mass: np.ndarray
    bw_width: np.ndarray
    bw_twin: np.ndarray


@dataclass(frozen=True)
class ClusterScales:
    """Scales of a batch: mu_r (n,), mu_f (n, 2) per beam, GeV; status (n,) int8 (0 ok, 1 clustering failed,
    2 a hadron beam's factorisation scale below 2 GeV: MadGraph gives the event weight zero)."""

    mu_r: np.ndarray
    mu_f: np.ndarray
    status: np.ndarray


def _mask(legs) -> int:
    m = 0
    for k in legs:
        m |= 1 << k
    return m


def _flags(particle, width: float, maxjetflavor: int) -> int:
    pdg = abs(particle.pdg_code)
    f = LINE_QCD if abs(particle.color) > 1 else 0
    if pdg <= maxjetflavor or pdg == 21:
        f |= LINE_JET
    if width > 0.0:
        f |= LINE_RESONANT
    return f


def _three_point_only(diagram) -> bool:
    return len(diagram.vertex.particles) == 3 and all(len(c.vertex.particles) == 3 for c in diagram.internal())


@dataclass(frozen=True)
class ClusteringTables:
    """The process side of MadGraph's kT clustering for one matrix element (see the module docstring).

    graphs_of_mask: uint64 (2^n_legs, n_words), bit g set when graph g has an internal line with those legs (or
    the complementary ones); line_pdg int32 / line_flags uint8 (n_graphs, 2^n_legs): PDG code and
    LINE_QCD | LINE_JET | LINE_RESONANT of that line in graph g, single legs the external particles;
    channels: one ClusterChannel per diagram of the matrix element; maxjetflavor, bwcutoff: from the run_card.
    """

    n_legs: int
    graphs_of_mask: np.ndarray
    line_pdg: np.ndarray
    line_flags: np.ndarray
    channels: tuple[ClusterChannel, ...]
    maxjetflavor: int
    bwcutoff: float

    @classmethod
    def build(cls, matrix_element, parameters, maxjetflavor: int = 4, bwcutoff: float = 15.0) -> "ClusteringTables":
        """Tables of a ProcessMatrixElement; parameters: the model parameters (masses and widths).
        Raises ValueError for more than 12 external particles or a process without three-point diagrams."""
        n = matrix_element.n_particles
        if n > MAX_LEGS:
            raise ValueError(f"MadGraph's clustering scale is implemented for at most {MAX_LEGS} particles, "
                             f"{matrix_element.process} has {n}")
        diagrams = matrix_element.diagrams.diagrams
        full = (1 << n) - 1
        graph_of = [-1] * len(diagrams)
        graphs = []
        for d, diagram in enumerate(diagrams):
            if _three_point_only(diagram):
                graph_of[d] = len(graphs)
                graphs.append(d)
        if not graphs:
            raise ValueError(f"{matrix_element.process} has no diagram made of three-point vertices to cluster along")
        n_graphs = len(graphs)
        n_words = (n_graphs + 63) // 64
        graphs_of_mask = np.zeros((1 << n, n_words), dtype=np.uint64)
        line_pdg = np.zeros((n_graphs, 1 << n), dtype=np.int32)
        line_flags = np.zeros((n_graphs, 1 << n), dtype=np.uint8)
        props = [matrix_element.propagators(d) for d in range(len(diagrams))]
        for g, d in enumerate(graphs):
            word, bit = divmod(g, 64)
            for p in props[d]:
                width = float(parameters.width_of(p.particle))
                flags = _flags(p.particle, width, maxjetflavor)
                for m in (_mask(p.legs), full ^ _mask(p.legs)):
                    graphs_of_mask[m, word] |= np.uint64(1 << bit)
                    if m & (m - 1):  # a single leg keeps the external particle's identity
                        line_pdg[g, m] = p.particle.pdg_code
                        line_flags[g, m] = flags
        for k, particle in enumerate(matrix_element.particles):
            line_pdg[:, 1 << k] = particle.pdg_code
            line_flags[:, 1 << k] = _flags(particle, 0.0, maxjetflavor)

        qcd = [int(diagram.orders.get("QCD", 0)) for diagram in diagrams]
        channels = []
        for d in range(len(diagrams)):
            same = [g for g, dg in enumerate(graphs) if qcd[dg] == qcd[d]] or list(range(n_graphs))
            candidates = np.zeros(n_words, dtype=np.uint64)
            for g in same:
                candidates[g // 64] |= np.uint64(1 << (g % 64))
            channels.append(_channel(props[d], matrix_element.pdgs, parameters, candidates, graph_of[d]))
        return cls(n, graphs_of_mask, line_pdg, line_flags, tuple(channels), int(maxjetflavor), float(bwcutoff))

    def scales(self, momenta: np.ndarray, diagram: int, lpp: tuple[int, int] = (1, 1),
               scalefact: float = 1.0) -> ClusterScales:
        """MadGraph's clustering scales of events of channel `diagram`.

        momenta: float64 (n, n_legs, 4) GeV, (E, px, py, pz), incoming first, in the lab or partonic c.m. frame
        (numpy, or a torch tensor: the scales are then tensors on its device);
        lpp: the beam types (0: no PDF); scalefact: the run_card's scalefact (multiplies mu_R and mu_F).
        """
        momenta = contiguous(momenta)
        n = momenta.shape[0]
        ch = self.channels[diagram]
        mu_r, mu_f, status = empty(momenta, (n,)), empty(momenta, (n, 2)), empty(momenta, (n,), np.int8)
        tables = (self.graphs_of_mask, self.line_pdg, self.line_flags, ch.candidates)
        resonances = (ch.bw_mask, ch.bw_mass, ch.bw_width, ch.bw_twin)
        _core.clustering_scale(momenta, *(on_device_of(momenta, t) for t in tables), ch.this_graph,
                               *(on_device_of(momenta, t) for t in resonances), lpp[0] != 0, lpp[1] != 0,
                               self.maxjetflavor, self.bwcutoff, float(scalefact), 1.0, mu_r, mu_f, status)
        return ClusterScales(mu_r, mu_f, status)


def _channel(props, pdgs, parameters, candidates, this_graph) -> ClusterChannel:
    """The channel's resonances as cut_bw (cuts.f) sees them: s-channel lines with 0 < width < mass / 10; one
    with a final-state daughter of its own PDG code never counts as on its peak."""
    s_props = [p for p in props if p.s_channel and len(p.final_legs) >= 2]
    entries = []
    for p in s_props:
        mass, width = float(parameters.mass_of(p.particle)), float(parameters.width_of(p.particle))
        if not (width > 0.0 and mass > 0.0 and width / mass < 0.1):
            continue
        inner = [q for q in s_props if q.final_legs < p.final_legs]
        maximal = [q for q in inner if not any(q.final_legs < o.final_legs for o in inner)]
        covered = frozenset().union(*(q.final_legs for q in maximal)) if maximal else frozenset()
        if any(pdgs[k] == p.particle.pdg_code for k in p.final_legs - covered):
            continue
        twin = [q for q in maximal if q.particle.pdg_code == p.particle.pdg_code]
        entries.append((p, mass, width, twin[0] if twin else None))
    index = {id(p): k for k, (p, _, _, _) in enumerate(entries)}
    return ClusterChannel(
        candidates, int(this_graph),
        np.array([_mask(p.final_legs) for p, _, _, _ in entries], dtype=np.int32),
        np.array([m for _, m, _, _ in entries], dtype=np.float64),
        np.array([w for _, _, w, _ in entries], dtype=np.float64),
        np.array([index.get(id(t), -1) if t is not None else -1 for _, _, _, t in entries], dtype=np.int32))
