"""HELAS external wavefunctions against madgraph4gpu's unit-test expectations (testxxx_cc_ref.txt).

The reference file is the list that madgraph4gpu's testxxx.cc compares with: for nsp in (-1, +1), for each of
the 32 test momenta, in this order: ixxxxx(m), ixxxxx(-m), [ipzxxx | imzxxx | ixzxxx when their assumptions
hold], vxxxxx(m), vxxxxx(-m), sxxxxx twice, oxxxxx(m), oxxxxx(-m), [opzxxx | omzxxx | oxzxxx], always with
nhel = +1 and m = sqrt(max(p^2, 0)). Each block's comment names the function, the event, nsp and int(mass).
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from madnis_py._core import helas_wavefunction
from refdata_paths import refdata_file

KINDS = {"ixxxxx": 0, "oxxxxx": 1, "vxxxxx": 2, "sxxxxx": 3, "ipzxxx": 4, "imzxxx": 5, "ixzxxx": 6,
         "opzxxx": 7, "omzxxx": 8, "oxzxxx": 9}
LABEL = re.compile(r"itest=(\d+): (\w+)#(\d+) nsp=(-?\d+) mass=(-?\d+)")


def _read_momenta():
    rows = []
    for line in refdata_file("me", "helas", "testxxx_input_momenta.txt").read_text().splitlines():
        line = line.split("#")[0].split()
        if line:
            rows.append([float(x) for x in line[1:5]])
    return np.array(rows)


def _read_reference():
    """Returns a list of (function, event, nsp, sign of mass, expected complex[6])."""
    text = refdata_file("me", "helas", "testxxx_cc_ref.txt").read_text()
    blocks = text.split("expwfs.push_back(")[1:]
    out = []
    for block in blocks:
        nums, labels = [], set()
        for line in block.splitlines():
            code, _, comment = line.partition("//")
            nums += [float(x) for x in re.findall(r"[-+]?\d\.\d+e[-+]\d+", code)]
            m = LABEL.search(comment)
            if m:
                labels.add(m.groups())
        assert len(nums) == 12 and len(labels) == 1, block
        itest, fn, ievt, nsp, mass = labels.pop()
        w = np.array(nums[0::2]) + 1j * np.array(nums[1::2])
        out.append((int(itest), fn, int(ievt), int(nsp), -1.0 if mass.startswith("-") else 1.0, w))
    return out


def test_reference_file_is_complete():
    ref = _read_reference()
    assert [r[0] for r in ref] == list(range(len(ref)))
    assert len(ref) == 576  # 2 x (16 massless x 10 + 16 massive x 8)


def test_wavefunctions_match_madgraph4gpu():
    momenta = _read_momenta()
    assert momenta.shape == (32, 4)
    mass0 = np.sqrt(np.maximum(momenta[:, 0] ** 2 - (momenta[:, 1:] ** 2).sum(axis=1), 0.0))
    worst = 0.0
    for itest, fn, ievt, nsp, msign, expected in _read_reference():
        mass = msign * mass0[ievt]
        got = helas_wavefunction(KINDS[fn], momenta[ievt : ievt + 1], mass, 1, nsp)[0]
        scale = np.maximum(np.abs(expected), 1e-300)
        # relative 1e-12 per component (exact zeros must be reproduced to 1e-12 absolute)
        err = np.abs(got - expected) / np.where(np.abs(expected) > 0, scale, 1.0)
        worst = max(worst, float(err.max()))
        assert np.all(err < 1e-12), (itest, fn, ievt, nsp, mass, got, expected)
    assert worst < 1e-12


@pytest.mark.parametrize("kind", [0, 1])
@pytest.mark.parametrize("nsf", [-1, 1])
@pytest.mark.parametrize("hel", [-1, 1])
def test_massive_spinors_are_on_shell(kind, nsf, hel):
    """A massive spinor satisfies the Dirac equation: sum over spins gives pslash +- m (trace = 4 E for u ubar)."""
    rng = np.random.default_rng(1)
    m = 173.0
    p3 = rng.normal(size=(20, 3)) * 300
    e = np.sqrt(m**2 + (p3**2).sum(axis=1))
    p = np.column_stack([e, p3])
    w = helas_wavefunction(kind, p, m, hel, nsf)
    # |spinor|^2 = 2 E (for both u and v, massive or massless)
    np.testing.assert_allclose((np.abs(w[:, 2:]) ** 2).sum(axis=1), 2 * e, rtol=1e-12)


@pytest.mark.parametrize("mass", [0.0, 91.188])
@pytest.mark.parametrize("hel", [-1, 0, 1])
def test_polarisation_vectors_are_transverse_and_normalised(mass, hel):
    if mass == 0.0 and hel == 0:
        pytest.skip("no longitudinal state for a massless vector")
    rng = np.random.default_rng(2)
    p3 = rng.normal(size=(20, 3)) * 300
    e = np.sqrt(mass**2 + (p3**2).sum(axis=1))
    p = np.column_stack([e, p3])
    for nsv in (-1, 1):
        eps = helas_wavefunction(2, p, mass, hel, nsv)[:, 2:]
        metric = np.array([1.0, -1.0, -1.0, -1.0])
        np.testing.assert_allclose((eps * metric * p).sum(axis=1), 0.0, atol=1e-10)  # eps.p = 0
        np.testing.assert_allclose((np.abs(eps) ** 2 * metric).sum(axis=1), -1.0, rtol=1e-12)  # eps.eps* = -1
