"""MadGraph's dynamical scales in the core, against their definitions written out with numpy
(MadGraph's run_card: 1 sum of E_T, 2 H_T = sum of m_T, 3 H_T/2, 4 sqrt(s-hat); -1 its central m_T scale)."""

import numpy as np
import pytest

from madnis_py.amplitudes import sample_momenta
from madnis_py.core import _core


def scale(momenta, choice, single_resonance=False, factor=1.0):
    out = np.empty(len(momenta))
    _core.dynamical_scale(momenta, choice, single_resonance, factor, out)
    return out


@pytest.fixture(params=[(0.0, 0.0, 173.0, 173.0), (0.0, 0.0, 173.0, 0.0, 80.4)])
def momenta(request):
    return sample_momenta(request.param, 1000.0, 500, seed=3)


def mt(p):
    m2 = np.maximum(p[..., 0] ** 2 - (p[..., 1:] ** 2).sum(-1), 0)
    return np.sqrt(m2 + p[..., 1] ** 2 + p[..., 2] ** 2)


def test_fixed_choices(momenta):
    final = momenta[:, 2:]
    pt = np.hypot(final[..., 1], final[..., 2])
    et = final[..., 0] * pt / np.linalg.norm(final[..., 1:], axis=-1)
    shat = (momenta[:, 0] + momenta[:, 1])
    np.testing.assert_allclose(scale(momenta, 1), et.sum(1), rtol=1e-12)
    np.testing.assert_allclose(scale(momenta, 2), mt(final).sum(1), rtol=1e-12)
    np.testing.assert_allclose(scale(momenta, 3, factor=2.0), mt(final).sum(1), rtol=1e-12)
    np.testing.assert_allclose(scale(momenta, 4), np.sqrt(shat[:, 0] ** 2 - (shat[:, 1:] ** 2).sum(-1)), rtol=1e-12)


def test_central_transverse_mass_of_a_pair():
    p = sample_momenta((0.0, 0.0, 173.0, 173.0), 800.0, 200, seed=4)
    np.testing.assert_allclose(scale(p, -1), np.sqrt(mt(p[:, 2]) * mt(p[:, 3])), rtol=1e-12)
    # back to back with equal masses: both m_T are equal, the scale is the top's m_T
    np.testing.assert_allclose(scale(p, -1), mt(p[:, 2]), rtol=1e-12)
    np.testing.assert_allclose(scale(p, -1, single_resonance=True), 800.0, rtol=1e-12)
