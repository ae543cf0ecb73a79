"""ALOHA vertices: every off-shell current is consistent with its amplitude (exact identities of the Feynman rules).

For a vertex with amplitude A = -i COUP L(w_1..w_n) and the current J_k of leg k (massless propagator, D = P_k^2):
  vector leg:  A = D * (J_k . w_k)                  (J_k = -i COUP O / D, O = dL/dw_k)
  scalar leg:  A = -D * J_k w_k                     (J_k = +i COUP O / D)
  F1 leg:      A = (J_k Pslash) . w_k               (J_k = -i COUP O Pslash / D; Pslash Pslash = P^2)
  F2 leg:      A = -(Pslash J_k) . w_k              (J_k = +i COUP Pslash O / D)
The absolute normalisation of FFV1, FFV2, FFV4, VVV1, VVVV1/3/4 is checked against MadGraph elsewhere
(test_me_*.py); this test extends the conventions to every structure and leg.
"""

from __future__ import annotations

import numpy as np
import pytest

from madnis_py._core import helas_vertex
from madnis_py.amplitudes.program import LORENTZ, LORENTZ_LEGS

SPINS = {"F": 2, "V": 3, "S": 1}
METRIC = np.array([1.0, -1.0, -1.0, -1.0])


def _spins(name):
    return [SPINS[c] for c in name.rstrip("0123456789")]


def _pslash(p):
    """Chiral-basis gamma^mu p_mu, p (n, 4) real -> (n, 4, 4)."""
    p0, p1, p2, p3 = p.T
    z = np.zeros_like(p0)
    return np.stack([
        np.stack([z, z, p0 - p3, -(p1 - 1j * p2)], -1),
        np.stack([z, z, -(p1 + 1j * p2), p0 + p3], -1),
        np.stack([p0 + p3, p1 - 1j * p2, z, z], -1),
        np.stack([p1 + 1j * p2, p0 - p3, z, z], -1),
    ], 1)


def _random_wavefunctions(rng, n, n_legs, open_leg):
    w = rng.normal(size=(n, n_legs, 6)) + 1j * rng.normal(size=(n, n_legs, 6))
    others = [k for k in range(n_legs) if k != open_leg]
    w[:, open_leg, :2] = -w[:, others, :2].sum(axis=1)  # momentum conservation
    return w


@pytest.mark.parametrize("name", list(LORENTZ))
def test_current_contracts_to_amplitude(name):
    rng = np.random.default_rng(LORENTZ[name])
    n, n_legs = 8, LORENTZ_LEGS[name]
    coup = [0.3 - 0.7j]
    for leg, spin in enumerate(_spins(name)):
        w = _random_wavefunctions(rng, n, n_legs, leg)
        amp = helas_vertex([LORENTZ[name]], coup, -1, 0.0, 0.0, w)
        cur = helas_vertex([LORENTZ[name]], coup, leg, 0.0, 0.0, w)
        np.testing.assert_allclose(cur[:, :2], -w[:, leg, :2], rtol=1e-14)  # flow = sum of the other legs
        flow = -cur[:, :2]
        p = np.stack([flow[:, 0].real, flow[:, 1].real, flow[:, 1].imag, flow[:, 0].imag], -1)
        d = (p**2 * METRIC).sum(-1)
        wk, jk = w[:, leg, 2:], cur[:, 2:]
        if spin == 3:
            back = d * (jk * METRIC * wk).sum(-1)
        elif spin == 1:
            back = -d * jk[:, 0] * wk[:, 0]
        elif leg == 0:
            back = np.einsum("nj,njk,nk->n", jk, _pslash(p), wk)
        else:
            back = -np.einsum("nj,njk,nk->n", wk, _pslash(p), jk)
        np.testing.assert_allclose(back, amp, rtol=1e-10, atol=1e-10 * np.abs(amp).max())


def test_combined_vertex_is_the_sum():
    rng = np.random.default_rng(7)
    w = _random_wavefunctions(rng, 5, 3, 2)
    c1, c2 = 0.2 + 0.1j, -0.4j
    for leg in (-1, 0, 1, 2):
        both = helas_vertex([LORENTZ["FFV2"], LORENTZ["FFV4"]], [c1, c2], leg, 91.0, 2.5, w)
        one = helas_vertex([LORENTZ["FFV2"]], [c1], leg, 91.0, 2.5, w)
        two = helas_vertex([LORENTZ["FFV4"]], [c2], leg, 91.0, 2.5, w)
        if leg >= 0:
            one, two = one[:, 2:], two[:, 2:]
            both = both[:, 2:]
        np.testing.assert_allclose(both, one + two, rtol=1e-13)


def test_massive_vector_current_is_transverse_to_conserved_current():
    """The unitary-gauge numerator (g - P P / M^2): for a vector current of two on-shell massless spinors of equal
    mass (FFV1 with m = 0), P.J = 0, so the massive current equals the massless one times the propagator ratio."""
    from madnis_py._core import helas_wavefunction

    rng = np.random.default_rng(3)
    p1 = rng.normal(size=(6, 3)) * 50
    p2 = rng.normal(size=(6, 3)) * 50
    e1, e2 = np.linalg.norm(p1, axis=1), np.linalg.norm(p2, axis=1)
    f_in = helas_wavefunction(0, np.column_stack([e1, p1]), 0.0, 1, 1)
    f_out = helas_wavefunction(1, np.column_stack([e2, p2]), 0.0, 1, 1)
    w = np.stack([f_in, f_out, np.zeros_like(f_in)], 1)
    jm = helas_vertex([LORENTZ["FFV1"]], [1.0], 2, 91.188, 2.44, w)
    j0 = helas_vertex([LORENTZ["FFV1"]], [1.0], 2, 0.0, 0.0, w)
    flow = -jm[:, :2]
    p = np.stack([flow[:, 0].real, flow[:, 1].real, flow[:, 1].imag, flow[:, 0].imag], -1)
    q2 = (p**2 * METRIC).sum(-1)
    ratio = q2 / (q2 - 91.188**2 + 1j * 91.188 * 2.44)
    np.testing.assert_allclose(jm[:, 2:], j0[:, 2:] * ratio[:, None], rtol=1e-10)
