"""SU(3) colour algebra by explicit index summation (numpy), once per process.

A colour structure is a dense complex tensor over the external colour indices of a process, in a fixed order of
the coloured external legs: dimension 3 for a (anti)quark index, 8 for a gluon index. Structures are built from
the generators T^a_ij (Gell-Mann matrices / 2), the structure constants f^abc (T^a T^b - T^b T^a = i f^abc T^c)
and deltas, then

* :func:`colour_matrix` gives MadGraph's colour matrix CF_ij = sum_colours conj(B_i) B_j of a basis, and
* :func:`decompose` gives the coefficients of a diagram's colour structure on the basis.

Sizes: a process with g gluons and q quark lines has 8^g 3^(2q) entries (gg > t t~ g g: 36864) -- fine for the
processes an LO generator meets.
"""

from __future__ import annotations

import itertools
from typing import Sequence

import numpy as np

__all__ = ["T", "F", "N_COLOURS", "ColourSpace", "colour_matrix", "decompose"]

N_COLOURS = 3


def _gell_mann() -> np.ndarray:
    lam = np.zeros((8, 3, 3), dtype=complex)
    lam[0][0, 1] = lam[0][1, 0] = 1
    lam[1][0, 1], lam[1][1, 0] = -1j, 1j
    lam[2][0, 0], lam[2][1, 1] = 1, -1
    lam[3][0, 2] = lam[3][2, 0] = 1
    lam[4][0, 2], lam[4][2, 0] = -1j, 1j
    lam[5][1, 2] = lam[5][2, 1] = 1
    lam[6][1, 2], lam[6][2, 1] = -1j, 1j
    lam[7][0, 0] = lam[7][1, 1] = 1 / np.sqrt(3)
    lam[7][2, 2] = -2 / np.sqrt(3)
    return lam


#: T[a, i, j] = (lambda^a / 2)_ij, normalised Tr(T^a T^b) = delta^ab / 2.
T: np.ndarray = _gell_mann() / 2
#: F[a, b, c] = f^abc, real and totally antisymmetric: f^abc = -2 i Tr([T^a, T^b] T^c).
F: np.ndarray = np.real(-2j * (np.einsum("aij,bjk,cki->abc", T, T, T) - np.einsum("bij,ajk,cki->abc", T, T, T)))


class ColourSpace:
    """The external colour indices of a process, in order, each "3" (quark or antiquark index) or "8" (gluon).

    Builds structures as tensors over all indices (indices a structure does not carry are summed with a delta:
    a structure must carry every index once).
    """

    def __init__(self, kinds: Sequence[str]):
        for k in kinds:
            if k not in ("3", "8"):
                raise ValueError(f"colour index kinds must be '3' or '8', got {k!r}")
        self.kinds = list(kinds)
        self.shape = tuple(3 if k == "3" else 8 for k in kinds)

    def _letters(self):
        return "abcdefghijklmnopqrstuvwxyz"[: len(self.kinds)]

    def chain(self, gluons: Sequence[int], i: int, j: int) -> np.ndarray:
        """(T^{a_g1} T^{a_g2} ... )_{i j} for the gluon positions `gluons` and quark positions i (row), j (column);
        an empty chain is delta_ij."""
        return self.product([("chain", tuple(gluons), i, j)])

    def trace(self, gluons: Sequence[int]) -> np.ndarray:
        """Tr(T^{a_g1} ... T^{a_gn})."""
        return self.product([("trace", tuple(gluons))])

    def f(self, a: int, b: int, c: int) -> np.ndarray:
        """f^{a b c} of three gluon positions."""
        return self.product([("f", (a, b, c))])

    def product(self, factors: Sequence[tuple]) -> np.ndarray:
        """Product of factors ("chain", gluons, i, j), ("trace", gluons), ("f", (a, b, c)), ("delta", i, j) with
        internal gluon indices as negative integers (summed), each external index appearing exactly once."""
        letters = iter("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        internal: dict[int, str] = {}
        ext = self._letters()

        def idx(k: int) -> str:
            if k >= 0:
                return ext[k]
            if k not in internal:
                internal[k] = next(letters)
            return internal[k]

        terms, operands = [], []
        for fac in factors:
            kind = fac[0]
            if kind == "chain":
                _, gl, i, j = fac
                if not gl:
                    terms.append(idx(i) + idx(j))
                    operands.append(np.eye(3))
                    continue
                row = idx(i)
                for n, g in enumerate(gl):
                    col = idx(j) if n == len(gl) - 1 else next(letters)
                    terms.append(idx(g) + row + col)
                    operands.append(T)
                    row = col
            elif kind == "trace":
                _, gl = fac
                first = next(letters)
                row = first
                for n, g in enumerate(gl):
                    col = first if n == len(gl) - 1 else next(letters)
                    terms.append(idx(g) + row + col)
                    operands.append(T)
                    row = col
            elif kind == "f":
                terms.append("".join(idx(k) for k in fac[1]))
                operands.append(F)
            elif kind == "delta":
                terms.append(idx(fac[1]) + idx(fac[2]))
                operands.append(np.eye(3) if self.shape[fac[1]] == 3 else np.eye(8))
            else:
                raise ValueError(f"unknown colour factor {kind!r}")
        used = "".join(terms)
        for k, letter in enumerate(ext):
            if used.count(letter) != 1:
                raise ValueError(f"external colour index {k} must appear exactly once, appears {used.count(letter)}")
        return np.einsum(",".join(terms) + "->" + ext, *operands, optimize=True).astype(complex)


def colour_matrix(basis: Sequence[np.ndarray]) -> np.ndarray:
    """CF_ij = sum over all colour indices of conj(B_i) B_j (real for the usual bases)."""
    flat = np.array([b.ravel() for b in basis])
    cf = flat.conj() @ flat.T
    if np.abs(cf.imag).max() > 1e-12 * max(1.0, np.abs(cf.real).max()):
        raise ValueError("the colour matrix of this basis is not real")
    return cf.real


def decompose(structure: np.ndarray, basis: Sequence[np.ndarray], tol: float = 1e-10) -> np.ndarray:
    """Coefficients c with structure = sum_i c_i B_i (complex, shape (n_basis,)); raises if the structure is not
    in the span of the basis."""
    flat = np.array([b.ravel() for b in basis]).T
    c, *_ = np.linalg.lstsq(flat, structure.ravel(), rcond=None)
    resid = np.abs(flat @ c - structure.ravel()).max()
    if resid > tol * max(1.0, np.abs(structure).max()):
        raise ValueError(f"colour structure is not in the span of the basis (residual {resid:.3g})")
    c = np.where(np.abs(c.real) < tol, 0.0, c.real) + 1j * np.where(np.abs(c.imag) < tol, 0.0, c.imag)
    return c


def quark_line_permutation_basis(space: ColourSpace, gluons: Sequence[int], i: int, j: int) -> list[np.ndarray]:
    """The colour-flow basis of one quark line with gluons: (T^{a_s1} ... T^{a_sn})_{ij} for all permutations s of
    `gluons`, in lexicographic order of the permutation (MadGraph's order for gg > t t~ (g))."""
    return [space.chain(p, i, j) for p in itertools.permutations(gluons)]
