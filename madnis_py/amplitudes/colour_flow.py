"""SU(3) colour algebra on colour strings (symbolic, float coefficients): colour factors onto a colour-flow basis.

A *colour string* is a product of open quark lines ``(T^{a1} ... T^{an})_{ij}`` (a ``Chain``; with no gluon it is
delta_ij) and traces ``Tr(T^{a1} ... T^{an})``, over external colour labels (integers >= 0, the leg numbers).
Internal labels (negative integers) are summed; each appears exactly twice. :func:`reduce_product` removes them:

* quark indices by joining chains (a chain closed on itself is a trace; ``Tr(1) = N``, ``Tr(T^a) = 0``);
* gluon indices by the Fierz identity ``T^a_ij T^a_kl = 1/2 (delta_il delta_kj - 1/N delta_ij delta_kl)``,

after writing ``f^{abc} = -2 i Tr([T^a, T^b] T^c)``. Coefficients are complex floats; sums that cancel exactly (the
1/N terms of gluon emission) leave float noise far below any genuine coefficient and are dropped
(:data:`ZERO_TOLERANCE`). The result is a linear combination of canonical external strings: MadGraph's colour basis (its
"colour flows", traces and open lines of external indices, 1/N-suppressed products included where they survive).
:func:`colour_matrix` contracts pairs of strings, ``CF_ij = sum_colours conj(B_i) B_j``, in the same algebra.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import numpy as np

__all__ = ["Coefficient", "Chain", "Trace", "ColourString", "clean", "reduce_product", "colour_matrix", "ufo_colour",
           "string_text"]

N_C = 3


#: Coefficients are complex floats; a combined coefficient below this (relative to 1) is an exact cancellation.
#: Genuine coefficients are products of 1/2, 1/N, 2 i and N over a few Fierz steps, far above it.
ZERO_TOLERANCE = 1e-11
Coefficient = complex

ONE = 1.0 + 0.0j
HALF = 0.5
MINUS_HALF_OVER_N = -0.5 / N_C


@dataclass(frozen=True)
class Chain:
    """(T^{gluons[0]} ... T^{gluons[-1]})_{i j}: i the row (quark) label, j the column (antiquark) label."""

    gluons: tuple[int, ...]
    i: int
    j: int


@dataclass(frozen=True)
class Trace:
    """Tr(T^{gluons[0]} ... T^{gluons[-1]}) (cyclic)."""

    gluons: tuple[int, ...]


#: A canonical colour string over external labels: sorted tuple of ``Chain`` and ``Trace`` factors.
ColourString = tuple


def _canonical_trace(gluons: tuple[int, ...]) -> Trace:
    k = gluons.index(min(gluons))
    return Trace(gluons[k:] + gluons[:k])


def _sort_key(f) -> tuple:
    return (0, f.i, f.j, f.gluons) if isinstance(f, Chain) else (1, f.gluons)


def _canonical(factors: Iterable) -> ColourString:
    out = [(_canonical_trace(f.gluons) if isinstance(f, Trace) else f) for f in factors]
    return tuple(sorted(out, key=_sort_key))


def _join_quarks(factors: list) -> tuple[list, float] | None:
    """Joins chains over internal quark labels; returns (factors, scalar) or None when the product vanishes."""
    scalar = 1.0
    out: list = []
    closed: list[tuple[int, ...]] = []
    chains = []
    for f in factors:
        if isinstance(f, Trace):
            closed.append(f.gluons)
        else:
            chains.append(f)
    by_row = {c.i: n for n, c in enumerate(chains) if c.i < 0}
    used = [False] * len(chains)
    for n, c in enumerate(chains):
        if c.i >= 0:  # an open line: follow it to its external end
            used[n] = True
            gluons, j = c.gluons, c.j
            while j < 0:
                m = by_row[j]
                used[m] = True
                gluons, j = gluons + chains[m].gluons, chains[m].j
            out.append(Chain(gluons, c.i, j))
    for n, c in enumerate(chains):
        if not used[n]:  # a closed line: a trace
            used[n] = True
            gluons, j = c.gluons, c.j
            while j != c.i:
                m = by_row[j]
                used[m] = True
                gluons, j = gluons + chains[m].gluons, chains[m].j
            closed.append(gluons)
    for gluons in closed:
        if len(gluons) == 0:
            scalar *= N_C
        elif len(gluons) == 1:
            return None
        else:
            out.append(Trace(gluons))
    return out, scalar


def _fierz(factors: list) -> list[tuple[float, list]] | None:
    """One Fierz step on the first internal gluon label, or None if there is none."""
    where: dict[int, list[tuple[int, int]]] = {}
    for n, f in enumerate(factors):
        for p, g in enumerate(f.gluons):
            if g < 0:
                where.setdefault(g, []).append((n, p))
    if not where:
        return None
    label = max(where)  # any internal label; the largest is deterministic
    (n1, p1), (n2, p2) = where[label]
    rest = [f for k, f in enumerate(factors) if k not in (n1, n2)]
    f1, f2 = factors[n1], factors[n2]
    if n1 == n2:
        g = f1.gluons
        a, b, c = g[:p1], g[p1 + 1:p2], g[p2 + 1:]
        if isinstance(f1, Chain):
            t1 = [Chain(a + c, f1.i, f1.j), Trace(b)]
            t2 = [Chain(a + b + c, f1.i, f1.j)]
        else:  # Tr(A a B a C) = Tr(a B a C A)
            t1 = [Trace(b), Trace(c + a)]
            t2 = [Trace(b + c + a)]
        return [(HALF, rest + t1), (MINUS_HALF_OVER_N, rest + t2)]

    def split(f, p):
        if isinstance(f, Chain):
            return f.gluons[:p], f.gluons[p + 1:]
        return (), f.gluons[p + 1:] + f.gluons[:p]  # Tr(a X): A = (), B = X

    a, b = split(f1, p1)
    c, d = split(f2, p2)
    if isinstance(f1, Chain) and isinstance(f2, Chain):
        t1 = [Chain(a + d, f1.i, f2.j), Chain(c + b, f2.i, f1.j)]
        t2 = [Chain(a + b, f1.i, f1.j), Chain(c + d, f2.i, f2.j)]
    elif isinstance(f1, Chain) or isinstance(f2, Chain):
        if isinstance(f2, Chain):
            f1, f2, (a, b), (c, d) = f2, f1, (c, d), (a, b)
        x = d  # the trace is Tr(a X)
        t1 = [Chain(a + x + b, f1.i, f1.j)]
        t2 = [Chain(a + b, f1.i, f1.j), Trace(x)]
    else:
        t1 = [Trace(b + d)]
        t2 = [Trace(b), Trace(d)]
    return [(HALF, rest + t1), (MINUS_HALF_OVER_N, rest + t2)]


def reduce_product(factors: Sequence, coefficient: Coefficient = ONE) -> dict[ColourString, Coefficient]:
    """The product of ``Chain``/``Trace`` factors (internal labels < 0 summed) as {canonical string: coefficient}."""
    out: dict[ColourString, Coefficient] = {}
    stack: list[tuple[Coefficient, list]] = [(coefficient, list(factors))]
    while stack:
        coef, fs = stack.pop()
        joined = _join_quarks(fs)
        if joined is None:
            continue
        fs, scalar = joined
        if scalar != 1:
            coef = coef * scalar
        steps = _fierz(fs)
        if steps is None:
            key = _canonical(fs)
            out[key] = out.get(key, 0.0) + coef
            continue
        for q, new in steps:
            stack.append((coef * q, new))
    return clean(out)


def clean(expr: dict[ColourString, Coefficient]) -> dict[ColourString, Coefficient]:
    """Drops the cancelled entries and rounds the float noise of exact zeros in real and imaginary parts."""
    out = {}
    for key, c in expr.items():
        re = c.real if abs(c.real) > ZERO_TOLERANCE else 0.0
        im = c.imag if abs(c.imag) > ZERO_TOLERANCE else 0.0
        if re or im:
            out[key] = complex(re, im)
    return out


def ufo_colour(text: str, labels: Sequence[int], colours: Sequence[int], fresh: Iterable[int]
               ) -> list[tuple[Coefficient, list]]:
    """A UFO colour structure as a sum of (coefficient, factors).

    text: UFO string (``'1'``, ``'Identity(1,2)'``, ``'T(3,2,1)'``, ``'f(1,2,3)'``, products with ``*`` and negative
    summed indices); labels: the colour label of each vertex position (1-based in ``text``); colours: the colour
    representation of each position's particle (3, -3, 8, 1); fresh: an iterator of unused negative labels for the
    string's own summed indices.
    """
    fresh = iter(fresh)
    local: dict[int, int] = {}

    def lab(k: int) -> int:
        if k > 0:
            return labels[k - 1]
        if k not in local:
            local[k] = next(fresh)
        return local[k]

    terms: list[tuple[Coefficient, list]] = [(ONE, [])]
    text = text.replace(" ", "")
    if text == "1":
        return terms
    for atom in text.split("*"):
        name, args = atom[:-1].split("(")
        idx = [int(x) for x in args.split(",")]
        if name == "T":
            new = [(ONE, [Chain((lab(idx[0]),), lab(idx[1]), lab(idx[2]))])]
        elif name == "Identity":
            p, q = idx
            if colours[p - 1] == 8:
                raise ValueError(f"Identity between gluons is not supported ({text})")
            row, col = (p, q) if colours[p - 1] == 3 else (q, p)
            new = [(ONE, [Chain((), lab(row), lab(col))])]
        elif name == "f":
            a, b, c = (lab(k) for k in idx)
            new = [(-2j, [Trace((a, b, c))]), (2j, [Trace((b, a, c))])]
        else:
            raise ValueError(f"colour structure {atom!r} is not supported (only T, f, Identity)")
        terms = [(c1 * c2, f1 + f2) for c1, f1 in terms for c2, f2 in new]
    return terms


def _conjugate(string: ColourString, shift: int) -> list:
    out = []
    for f in string:
        if isinstance(f, Chain):
            out.append(Chain(tuple(-g - shift for g in reversed(f.gluons)), -f.j - shift, -f.i - shift))
        else:
            out.append(Trace(tuple(-g - shift for g in reversed(f.gluons))))
    return out


def _internal(string: ColourString, shift: int) -> list:
    out = []
    for f in string:
        if isinstance(f, Chain):
            out.append(Chain(tuple(-g - shift for g in f.gluons), -f.i - shift, -f.j - shift))
        else:
            out.append(Trace(tuple(-g - shift for g in f.gluons)))
    return out


def _relabel(string: ColourString, mapping: dict[int, int]) -> list:
    out = []
    for f in string:
        g = tuple(mapping.setdefault(x, len(mapping)) for x in f.gluons)
        if isinstance(f, Chain):
            out.append(Chain(g, mapping.setdefault(f.i, len(mapping)), mapping.setdefault(f.j, len(mapping))))
        else:
            out.append(Trace(g))
    return out


def _contract(a: ColourString, b: ColourString) -> complex:
    """sum_colours conj(a) b, with the labels renamed in order of appearance in `a` (so that pairs related by a
    relabelling, e.g. the entries of a permutation basis, share one computation)."""
    mapping: dict[int, int] = {}
    ra = _canonical(_relabel(a, mapping))
    rb = _canonical(_relabel(b, mapping))
    return _contract_canonical(ra, rb)


@lru_cache(maxsize=None)
def _contract_canonical(a: ColourString, b: ColourString) -> complex:
    res = reduce_product(_conjugate(a, 1) + _internal(b, 1))
    if not res:
        return 0.0
    if set(res) != {()}:
        raise ValueError("colour strings do not carry the same external labels")
    return complex(res[()])


def colour_matrix(basis: Sequence[ColourString]) -> np.ndarray:
    """CF_ij = sum over all external colours of conj(B_i) B_j, real (n, n)."""
    n = len(basis)
    cf = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            v = _contract(basis[i], basis[j])
            if abs(v.imag) > 1e-12 * max(1.0, abs(v.real)):
                raise ValueError("the colour matrix of this basis is not real")
            cf[i, j] = cf[j, i] = v.real
    return cf


def string_text(string: ColourString) -> str:
    """A readable form, e.g. ``T(0,1)_{2,3} Tr(4,5)`` (legs numbered from 0)."""
    if not string:
        return "1"
    parts = []
    for f in string:
        if isinstance(f, Chain):
            parts.append(f"T({','.join(map(str, f.gluons))})_{{{f.i},{f.j}}}" if f.gluons else f"delta_{{{f.i},{f.j}}}")
        else:
            parts.append(f"Tr({','.join(map(str, f.gluons))})")
    return " ".join(parts)
