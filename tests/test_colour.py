"""Colour algebra against exact SU(3) identities and MadGraph's colour matrices."""

from __future__ import annotations

import numpy as np

from madnis_py.amplitudes.colour import F, T, ColourSpace, colour_matrix, decompose, quark_line_permutation_basis


def test_generators():
    np.testing.assert_allclose(np.einsum("aij,bji->ab", T, T), 0.5 * np.eye(8), atol=1e-15)
    comm = np.einsum("aij,bjk->abik", T, T) - np.einsum("bij,ajk->abik", T, T)
    np.testing.assert_allclose(comm, 1j * np.einsum("abc,cik->abik", F, T), atol=1e-15)
    np.testing.assert_allclose(np.einsum("acd,bcd->ab", F, F), 3 * np.eye(8), atol=1e-14)  # C_A = 3
    np.testing.assert_allclose(np.einsum("aij,ajk->ik", T, T), 4 / 3 * np.eye(3), atol=1e-15)  # C_F = 4/3


def test_gg_ttx_matrix_is_madgraphs():
    space = ColourSpace(["8", "8", "3", "3"])
    cm = colour_matrix(quark_line_permutation_basis(space, [0, 1], 2, 3))
    np.testing.assert_allclose(cm, np.array([[16, -2], [-2, 16]]) / 3, atol=1e-13)


def test_gg_ttxg_matrix_is_madgraphs():
    space = ColourSpace(["8", "8", "3", "3", "8"])
    cm = colour_matrix(quark_line_permutation_basis(space, [0, 1, 4], 2, 3))
    mg = np.array([[64, -8, -8, 1, 1, 10], [-8, 64, 1, 10, -8, 1], [-8, 1, 64, -8, 10, 1],
                   [1, 10, -8, 64, 1, -8], [1, -8, 10, 1, 64, -8], [10, 1, 1, -8, -8, 64]]) / 9
    np.testing.assert_allclose(cm, mg, atol=1e-13)


def test_decompose_s_channel_gluon():
    """f^{a1 a2 e} T^e_{ij} = -i [T^a1, T^a2]_{ij}: coefficients (-i, +i) on the two flows (MadGraph's diagram 1 of
    g g > t t~ has (+i, -i) with its overall sign convention -1 for all diagrams)."""
    space = ColourSpace(["8", "8", "3", "3"])
    basis = quark_line_permutation_basis(space, [0, 1], 2, 3)
    c = decompose(space.product([("f", (0, 1, -1)), ("chain", (-1,), 2, 3)]), basis)
    np.testing.assert_allclose(c, [-1j, 1j], atol=1e-14)


def test_decompose_four_gluon_vertex_colour():
    """The three colour structures f f T of the four-gluon vertex in g g > t t~ g decompose onto the flow basis
    as MadGraph's three four-gluon amplitudes do (up to the sign of each, which goes with the Lorentz part)."""
    space = ColourSpace(["8", "8", "3", "3", "8"])
    basis = quark_line_permutation_basis(space, [0, 1, 4], 2, 3)
    mg = [np.array([1, -1, 0, -1, 0, 1]), np.array([0, -1, 1, -1, 1, 0]), np.array([-1, 0, 1, 0, 1, -1])]
    for fs in [((0, -1, -2), (1, 4, -1)), ((0, 4, -1), (-1, 1, -2)), ((0, 1, -1), (-1, 4, -2))]:
        c = decompose(space.product([("f", fs[0]), ("f", fs[1]), ("chain", (-2,), 2, 3)]), basis)
        assert np.abs(c.imag).max() < 1e-13
        assert any(np.allclose(c.real, s * v, atol=1e-13) for v in mg for s in (1, -1)), c
