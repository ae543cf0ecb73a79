"""Colour flows of the event record: one flow of the colour basis per event, written as LHE colour tags.

A basis string is a product of open quark lines ``(T^{a1} ... T^{an})_{ij}`` and traces ``Tr(T^{a1} ... T^{an})``
(:mod:`madnis_py.amplitudes.colour_flow`), over the 0-based leg numbers. Read with all particles outgoing, a line
``(T^{a1} ... T^{an})_{ij}`` is the colour line of quark i continued by gluons a1, ..., an into antiquark j (the
gluon next to a leg in the product is the one it is colour-connected to); a trace closes the gluons into a ring.
Incoming particles then swap colour and anticolour. The flow of an event is drawn with probability proportional
to its |JAMP|^2, among the flows that the diagram of the event's channel feeds (MadGraph's choice); tags count up
from 501, as MadGraph's.
"""

from __future__ import annotations

import numpy as np

from madnis_py.amplitudes.colour_flow import Chain, ColourString

__all__ = ["FIRST_TAG", "flow_tags", "flows_of_diagrams", "tag_table", "flow_weights"]

FIRST_TAG = 501


def flow_tags(string: ColourString, n_particles: int, n_incoming: int = 2) -> np.ndarray:
    """LHE (colour, anticolour) tags of one basis string, int64 (n_particles, 2); 0 = no colour."""
    outgoing = np.zeros((n_particles, 2), dtype=np.int64)  # (colour, anticolour), all particles outgoing
    tag = FIRST_TAG
    for factor in string:
        if isinstance(factor, Chain):
            legs = [factor.i, *factor.gluons, factor.j]
            for left, right in zip(legs[:-1], legs[1:]):
                outgoing[left, 0] = outgoing[right, 1] = tag
                tag += 1
        else:
            ring = list(factor.gluons)
            for left, right in zip(ring, ring[1:] + ring[:1]):
                outgoing[left, 0] = outgoing[right, 1] = tag
                tag += 1
    tags = outgoing.copy()
    tags[:n_incoming] = outgoing[:n_incoming, ::-1]
    return tags


def flows_of_diagrams(amp_diagram: np.ndarray, amp_colour: np.ndarray, n_diagrams: int) -> np.ndarray:
    """bool (n_diagrams, n_flows): which colour flows each diagram's amplitudes contribute to (MadGraph's
    ICOLAMP). amp_diagram (n_amps,); amp_colour (n_amps, n_flows, 2)."""
    feeds = np.zeros((n_diagrams, amp_colour.shape[1]), dtype=bool)
    np.logical_or.at(feeds, amp_diagram, np.any(amp_colour != 0.0, axis=2))
    return feeds


def tag_table(matrix_element) -> np.ndarray:
    """LHE tags of every flow of the matrix element's colour basis, int64 (n_flows, n_particles, 2)."""
    n_particles = matrix_element.n_particles
    strings = matrix_element.built.colour_basis or ((),)
    return np.stack([flow_tags(s, n_particles) for s in strings])


def flow_weights(matrix_element, momenta: np.ndarray, alpha_s: np.ndarray, diagrams: np.ndarray) -> np.ndarray:
    """Weights by which each event's colour flow is drawn, float64 (n, n_flows): |JAMP_c|^2 of the flows that the
    diagram of the event's channel feeds (of all flows where that leaves no weight).

    matrix_element: a ProcessMatrixElement; momenta (n, n_particles, 4) GeV; alpha_s (n,); diagrams (n,) the
    0-based diagram of each event's channel.
    """
    if matrix_element.n_flows <= 1:
        return np.ones((len(momenta), 1))
    program = matrix_element.program
    weights = matrix_element.compiled.colour_flows(momenta, alpha_s)
    feeds = flows_of_diagrams(program.amp_diagram, program.amp_colour, matrix_element.n_diagrams)[diagrams]
    restricted = weights * feeds
    use_all = ~(restricted.sum(axis=1) > 0)
    restricted[use_all] = weights[use_all]
    return restricted
