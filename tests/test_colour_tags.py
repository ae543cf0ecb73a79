"""Colour flows as LHE tags (madnis_py.output.colour): every basis string of a process becomes a valid flow, and
the choice per event follows |JAMP|^2 restricted to the flows of the channel's diagram."""

from __future__ import annotations

import numpy as np
import pytest

from madnis_py.amplitudes import matrix_element, sample_momenta
from madnis_py.output.colour import flow_tags, flow_weights, flows_of_diagrams, tag_table
from madnis_py.output.events import choose_colours


def assert_valid_flow(tags: np.ndarray, pdgs) -> None:
    """Crossed to all-outgoing, each tag is opened once (colour) and closed once (anticolour), and each particle
    carries the tags of its colour representation."""
    out = tags.copy()
    out[:2] = tags[:2, ::-1]
    for k, pdg in enumerate(pdgs):
        colour = (pdg == 21) or (1 <= pdg <= 6) if k >= 2 else (pdg == 21) or (-6 <= pdg <= -1)
        anticolour = (pdg == 21) or (-6 <= pdg <= -1) if k >= 2 else (pdg == 21) or (1 <= pdg <= 6)
        assert (out[k, 0] > 0) == colour and (out[k, 1] > 0) == anticolour, (k, pdg, tags)
    opened, closed = out[:, 0][out[:, 0] > 0], out[:, 1][out[:, 1] > 0]
    assert sorted(opened) == sorted(closed) and len(set(opened)) == len(opened), tags


@pytest.mark.parametrize("process, pdgs", [
    ("g g > t t~", (21, 21, 6, -6)),
    ("u u~ > t t~", (2, -2, 6, -6)),
    ("u u~ > d d~", (2, -2, 1, -1)),
    ("u d > u d", (2, 1, 2, 1)),
    ("g g > t t~ g", (21, 21, 6, -6, 21)),
    ("g g > t t~ g g", (21, 21, 6, -6, 21, 21)),
    ("u g > u g g", (2, 21, 2, 21, 21)),
])
def test_every_basis_flow_is_a_valid_colour_flow(process, pdgs):
    table = tag_table(matrix_element(process))
    assert len(table) >= 1
    for tags in table:
        assert_valid_flow(tags, pdgs)
        assert tags[tags > 0].min() == 501


def test_gg_ttx_flow_follows_the_fermion_line():
    """(T^a T^b)_{t t~}: the top's colour line continues into gluon a, gluon a's into gluon b, b's into the
    antitop. Crossed into the initial state: the top carries incoming gluon a's colour, gluon a carries gluon b's
    anticolour as its anticolour... written out by hand for g(0) g(1) > t(2) t~(3)."""
    me = matrix_element("g g > t t~")
    (flow,) = [s for s in me.built.colour_basis if s[0].gluons == (0, 1)]
    tags = flow_tags(flow, 4)
    top, antitop, g0, g1 = tags[2], tags[3], tags[0], tags[1]
    assert top[0] == g0[0] and g0[1] == g1[0] and g1[1] == antitop[1]
    assert top[1] == 0 and antitop[0] == 0


def test_flow_choice_follows_jamp_and_the_channel_diagram():
    me = matrix_element("g g > t t~ g")
    p = sample_momenta([0, 0, 173, 173, 0], 1500.0, 2000, seed=4)
    alpha_s = np.full(len(p), 0.118)
    jamp2 = me.compiled.colour_flows(p, alpha_s)
    assert jamp2.shape == (2000, me.n_flows) and np.all(jamp2 >= 0)
    # sum_c CF_cc |JAMP_c|^2 is |M|^2 without the interference of flows: leading colour, good to O(1/N^2)
    leading = jamp2 @ np.diag(me.program.colour_matrix.reshape(me.n_flows, me.n_flows))
    assert 0.7 < np.median(leading / me(p, alpha_s)) < 1.3
    feeds = flows_of_diagrams(me.program.amp_diagram, me.program.amp_colour, me.n_diagrams)
    assert feeds.any(axis=1).all() and feeds.any(axis=0).all()
    diagram = 3
    weights = flow_weights(me, p, alpha_s, np.full(len(p), diagram))
    assert np.all(weights[:, ~feeds[diagram]] == 0)
    tags = choose_colours(me, p, alpha_s, np.full(len(p), diagram), np.random.default_rng(1))
    table = tag_table(me)
    chosen = [int(np.flatnonzero((table == t).all(axis=(1, 2)))[0]) for t in tags]
    assert set(chosen) <= set(np.flatnonzero(feeds[diagram]))
    # the most probable flow per event is drawn most often
    top = np.argmax(weights, axis=1)
    assert np.mean(np.array(chosen) == top) > 0.5
