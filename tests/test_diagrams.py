"""Diagram generation against MadGraph's diagram counts and process syntax, fermion-flow signs, symmetry factors,
and the exact colour algebra against the dense one."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from madnis_py.amplitudes.colour import ColourSpace, colour_matrix as dense_colour_matrix
from madnis_py.amplitudes.colour import quark_line_permutation_basis
from madnis_py.amplitudes.colour_flow import Chain, Trace, colour_matrix, reduce_product, ufo_colour
from madnis_py.amplitudes.diagrams import (DiagramFilter, NoDiagramsError, generate_diagrams,
                                           minimal_weighted_order)
from madnis_py.model import UnknownParticleError, load_model

SM = load_model("sm")


def _gen(process: str, **kw):
    initial, final = process.split(">")
    return generate_diagrams(SM, initial.split() + final.split(), 2, DiagramFilter(**kw))


# MadGraph 5 diagram counts: the ttx family and e+e- > mu+mu- from MadGraph's standalone output (the reference dumps'
# processes), u u~ > d d~ with QED=2 (4) and "/ w+ QCD=0" (2) from MadGraph's process-syntax examples, the n-gluon
# amplitudes (4, 25, 220) and g g > t t~ g g g (1240) as MadGraph reports them.
COUNTS = [
    ("e+ e- > mu+ mu-", {}, 2),
    ("g g > t t~", {}, 3),
    ("g g > t t~ g", {}, 16),
    ("g g > t t~ g g", {}, 123),
    ("u u~ > d d~", {}, 1),
    ("u u~ > d d~", {"coupling_orders": {"QED": ("<=", 2)}}, 4),
    ("u u~ > d d~", {"coupling_orders": {"QCD": ("<=", 0)}, "excluded": ("w+",)}, 2),
    ("g g > g g", {}, 4),
    ("g g > g g g", {}, 25),
    ("g g > g g g g", {}, 220),
    ("e+ e- > w+ w-", {}, 3),
    ("e+ e- > z h", {}, 1),
    ("e+ e- > e+ e-", {}, 4),
    ("u u~ > u u~", {}, 2),
]


@pytest.mark.parametrize("process,kw,n", COUNTS, ids=[c[0] + ("*" if c[1] else "") for c in COUNTS])
def test_diagram_counts(process, kw, n):
    assert len(_gen(process, **kw).diagrams) == n


def test_gg_ttxggg_count():
    assert len(_gen("g g > t t~ g g g").diagrams) == 1240


def test_default_orders_are_minimal_weighted():
    """MadGraph's default: the lowest WEIGHTED = QCD + 2 QED (u u~ > d d~: the gluon only; e+ e- > u u~ g: QED 2)."""
    ds = _gen("u u~ > d d~")
    assert ds.weighted == 2 and ds.diagrams[0].orders == {"QCD": 2, "QED": 0}
    ds = _gen("e+ e- > u u~ g")
    assert ds.weighted == 5 and all(d.orders == {"QCD": 1, "QED": 2} for d in ds.diagrams)
    assert minimal_weighted_order(SM, ["u", "u~", "t", "t~", "h"]) == 4


def test_exact_and_lower_bounds():
    assert len(_gen("u u~ > d d~", coupling_orders={"QED": ("==", 2)}).diagrams) == 3
    assert len(_gen("u u~ > d d~", coupling_orders={"QED": (">=", 1)}).diagrams) == 3
    assert len(_gen("u u~ > d d~", coupling_orders={"WEIGHTED": ("<=", 4)}).diagrams) == 4


def test_s_channel_syntax():
    # "$$ z" removes the s-channel Z, "/ z" every Z line, "> z >" keeps the s-channel Z diagrams; "$" is a cut
    assert len(_gen("e+ e- > mu+ mu-", s_channel_removed=("z",)).diagrams) == 1
    assert len(_gen("e+ e- > e+ e-", s_channel_removed=("z",)).diagrams) == 3
    assert len(_gen("e+ e- > e+ e-", excluded=("z",)).diagrams) == 2
    ds = _gen("u u~ > d d~", required_s_channels=("z",))
    assert len(ds.diagrams) == 1 and ds.weighted == 4
    (prop,) = ds.diagrams[0].propagators(SM, 4)
    assert prop.particle.name == "z" and prop.s_channel and prop.final_legs == {2, 3}
    # W+ flows from u d~ into e+ ve: as the s-channel particle it is w+ (not w-)
    assert len(_gen("u d~ > e+ ve", required_s_channels=("w+",)).diagrams) == 1
    with pytest.raises(NoDiagramsError):
        _gen("u d~ > e+ ve", required_s_channels=("w-",))


def test_propagators_s_and_t():
    ds = _gen("u d~ > w+ g")
    for d in ds.diagrams:
        (prop,) = d.propagators(SM, 4)
        assert not prop.s_channel and prop.particle.name in ("d", "u~")


def test_fermion_flow_signs():
    """Bhabha: s- and t-channel photon exchange with opposite signs; u u~ > u u~ likewise."""
    ds = _gen("e+ e- > e+ e-", excluded=("z",))
    assert sorted(d.sign for d in ds.diagrams) == [-1, 1]
    ds = _gen("u u~ > u u~")
    assert sorted(d.sign for d in ds.diagrams) == [-1, 1]
    ds = _gen("g g > t t~ g")
    assert len({d.sign for d in ds.diagrams}) == 1


def test_symmetry_factor():
    assert _gen("g g > g g g").symmetry_factor == 6
    assert _gen("u u~ > g g a").symmetry_factor == 2
    assert _gen("u u > u u").symmetry_factor == 2
    assert _gen("g g > t t~ g").symmetry_factor == 1


def test_errors():
    with pytest.raises(NoDiagramsError, match="no tree-level diagram"):
        _gen("e+ e- > mu+ e-")
    with pytest.raises(NoDiagramsError, match="QED<=1"):
        _gen("e+ e- > mu+ mu-", coupling_orders={"QED": ("<=", 1)})
    with pytest.raises(NoDiagramsError, match="unknown coupling order"):
        _gen("e+ e- > mu+ mu-", coupling_orders={"QXD": ("<=", 1)})
    with pytest.raises(UnknownParticleError):
        _gen("e+ e- > mu+ mu-", excluded=("zz",))


# -- colour -------------------------------------------------------------------------------------------------------
def test_colour_matrix_matches_dense():
    space = ColourSpace(["8", "8", "3", "3", "8"])
    dense = dense_colour_matrix(quark_line_permutation_basis(space, [0, 1, 4], 2, 3))
    exact = colour_matrix([(Chain(p, 2, 3),) for p in itertools.permutations((0, 1, 4))])
    np.testing.assert_allclose(exact, dense, atol=1e-13)


def test_colour_matrix_two_quark_lines_and_traces():
    """The basis of q q~ > Q Q~ g (a gluon on either of two quark-line pairings) and a gluon trace, against the
    dense algebra."""
    pairs = [(0, 1, 2, 3), (0, 3, 2, 1), (2, 3, 0, 1), (2, 1, 0, 3)]
    exact = colour_matrix([(Chain((4,), i, j), Chain((), k, l)) for i, j, k, l in pairs])
    space = ColourSpace(["3", "3", "3", "3", "8"])
    dense = dense_colour_matrix([space.product([("chain", (4,), i, j), ("chain", (), k, l)]) for i, j, k, l in pairs])
    np.testing.assert_allclose(exact, dense, atol=1e-13)
    gluons = ColourSpace(["8", "8", "8", "8"])
    traces = [(0, 1, 2, 3), (0, 2, 1, 3), (0, 1, 3, 2)]
    exact = colour_matrix([(Trace(t),) for t in traces] + [(Trace((0, 1)), Trace((2, 3)))])
    dense = dense_colour_matrix([gluons.trace(t) for t in traces] + [gluons.product([("trace", (0, 1)),
                                                                                     ("trace", (2, 3))])])
    np.testing.assert_allclose(exact, dense, atol=1e-13)


def test_ffT_decomposition():
    """f^{a1 a2 e} T^e_{ij} = -i (T^a1 T^a2 - T^a2 T^a1)_{ij}: the 1/N trace terms cancel exactly."""
    terms = ufo_colour("f(1,2,3)", [0, 1, -1], [8, 8, 8], iter(range(-100, -200, -1)))
    terms2 = ufo_colour("T(3,2,1)", [3, 2, -1], [-3, 3, 8], iter(range(-200, -300, -1)))
    out: dict = {}
    for c1, f1 in terms:
        for c2, f2 in terms2:
            for k, v in reduce_product(f1 + f2, c1 * c2).items():
                out[k] = out.get(k, 0) + v
    out = {k: v for k, v in out.items() if abs(v) > 1e-12}
    assert out == {(Chain((0, 1), 2, 3),): -1j, (Chain((1, 0), 2, 3),): 1j}


def _dense(space: ColourSpace, factors) -> np.ndarray:
    return space.product([("chain", f.gluons, f.i, f.j) if isinstance(f, Chain) else ("trace", f.gluons)
                          for f in factors])


REDUCTIONS = [
    # kinds of the external labels 0.., factors with internal labels < 0 (f's written as traces by ufo_colour)
    (["3", "3", "3", "3", "8"], [("T(1,2,3)", [-1, 0, 1]), ("f(1,2,3)", [-1, 4, -2]), ("T(1,2,3)", [-2, 2, 3])]),
    (["3", "3", "3", "3"], [("T(1,2,3)*T(4,3,5)", [-1, 0, -3, -2, 1]), ("T(1,2,3)*T(4,3,5)", [-2, 2, -4, -1, 3])]),
    (["3", "3", "8"], [("T(1,2,3)*T(4,3,5)*T(1,5,6)", [-1, 0, -3, 2, -4, 1])]),
    (["8", "8"], [("f(1,2,3)", [-1, -2, 0]), ("f(1,2,3)", [-1, -2, 1])]),
    (["8", "8", "8", "3", "3"], [("f(-1,1,2)*f(3,4,-1)", [0, 1, -5, -8]), ("f(1,2,3)", [-5, 2, -6]),
                                 ("T(1,2,3)*T(4,3,5)", [-6, 3, -9, -8, 4])]),
    (["3", "3", "3", "3"], [("Identity(1,2)", [0, -1]), ("T(1,2,3)", [-2, -1, 1]), ("Identity(1,2)", [2, -3]),
                            ("T(1,2,3)", [-2, -3, 3])]),
]


@pytest.mark.parametrize("kinds,structures", REDUCTIONS)
def test_reduction_matches_dense(kinds, structures):
    """Exact reduction (joins, Fierz, f -> traces) against dense index summation."""
    space = ColourSpace(kinds)
    fresh = iter(range(-100, -1000, -1))
    terms = [(1.0 + 0j, [])]
    for text, labels in structures:
        colours = [3, -3] if text.startswith("Identity") else [8] * len(labels)  # orientation of Identity only
        new = ufo_colour(text, labels, colours, fresh)
        terms = [(c1 * c2, f1 + f2) for c1, f1 in terms for c2, f2 in new]
    expected = sum(c * _dense(space, fs) for c, fs in terms)
    got = np.zeros(space.shape, dtype=complex)
    for c, fs in terms:
        for string, v in reduce_product(fs, c).items():
            got += v * _dense(space, string)
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert np.abs(expected).max() > 0.01  # a non-trivial structure
