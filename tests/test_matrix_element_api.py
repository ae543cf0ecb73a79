"""madnis_py.matrix_element: automatic programs against MadGraph, analytic 2 -> 2 formulas, gauge and Lorentz
invariance, crossing, and the errors a user can act on."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import madnis_py
from madnis_py.amplitudes import (InvalidProcessError, NoDiagramsCardError, NoDiagramsError,
                                  build_matrix_element, build_matrix_elements, sample_momenta)
from madnis_py.cards.proc_card import ProcCard
from madnis_py.errors import UserError
from madnis_py.model import UnknownParticleError, load_model
from madnis_py.process import expand_subprocesses
from mg_reference import read_dump
from refdata_paths import refdata_file

SM = load_model("sm")
DEFAULT = SM.default_parameters()
NO_TOP_WIDTH = dataclasses.replace(DEFAULT, WT=0.0)


def _masses(me) -> list[float]:
    return [DEFAULT.mass_of(p) for p in me.particles]


def _dot(a, b):
    return a[..., 0] * b[..., 0] - (a[..., 1:] * b[..., 1:]).sum(-1)


# -- MadGraph standalone -----------------------------------------------------------------------------------------
MG_CASES = {
    "ee_mumu": ("e+ e- > mu+ mu-", "sa_ee_mumu__me_dump.txt", "sa_ee_mumu__param_card.dat"),
    "gg_ttx": ("g g > t t~", "sa_gg_ttx__me_dump.txt", "sa_gg_ttx__param_card.dat"),
    "gg_ttx-WT0": ("g g > t t~", "sa_gg_ttx__me_dump_WT0.txt", "param_card_WT0.dat"),
    "gg_ttxg": ("g g > t t~ g", "sa_gg_ttxg__me_dump.txt", "sa_gg_ttxg__param_card.dat"),
    "gg_ttxg-WT0": ("g g > t t~ g", "sa_gg_ttxg__me_dump_WT0.txt", "param_card_WT0.dat"),
}


@pytest.mark.parametrize("key", list(MG_CASES))
def test_matches_madgraph(key):
    process, dump_name, card = MG_CASES[key]
    dump = read_dump(refdata_file("me", "mg5_standalone", dump_name))
    me = madnis_py.matrix_element(process, param_card=refdata_file("me", "mg5_standalone", card))
    alpha_s = dump.g ** 2 / (4 * np.pi)
    np.testing.assert_allclose(me(dump.momenta, alpha_s), dump.me, rtol=1e-10)
    amp2 = me.amp2(dump.momenta, alpha_s)
    assert amp2.shape == (len(dump.me), me.n_diagrams) and np.all(amp2 >= 0)


def test_zerowidth_tchannel_gg_ttx():
    """All top lines of g g > t t~ are t-channel: with zerowidth_tchannel the top width drops out (WT0 dump)."""
    dump = read_dump(refdata_file("me", "mg5_standalone", "sa_gg_ttx__me_dump_WT0.txt"))
    me = madnis_py.matrix_element("g g > t t~", param_card=refdata_file("me", "mg5_standalone",
                                                                         "sa_gg_ttx__param_card.dat"),
                                  zerowidth_tchannel=True)
    np.testing.assert_allclose(me(dump.momenta, dump.g ** 2 / (4 * np.pi)), dump.me, rtol=1e-10)


# -- analytic massless 2 -> 2 (Ellis, Stirling, Webber, table 7.1; |M|^2 / g^4, identical-particle factor added) --
def _stu(p):
    return _dot(p[:, 0] + p[:, 1], p[:, 0] + p[:, 1]), _dot(p[:, 0] - p[:, 2], p[:, 0] - p[:, 2]), \
        _dot(p[:, 0] - p[:, 3], p[:, 0] - p[:, 3])


ANALYTIC = {
    "u u~ > d d~": lambda s, t, u: 4 / 9 * (t**2 + u**2) / s**2,
    "u d > u d": lambda s, t, u: 4 / 9 * (s**2 + u**2) / t**2,
    "u u~ > u u~": lambda s, t, u: 4 / 9 * ((s**2 + u**2) / t**2 + (u**2 + t**2) / s**2) - 8 / 27 * u**2 / (s * t),
    "u u > u u": lambda s, t, u: (4 / 9 * ((s**2 + u**2) / t**2 + (s**2 + t**2) / u**2) - 8 / 27 * s**2 / (t * u)) / 2,
    "u u~ > g g": lambda s, t, u: (32 / 27 * (t**2 + u**2) / (t * u) - 8 / 3 * (t**2 + u**2) / s**2) / 2,
    "g g > u u~": lambda s, t, u: 1 / 6 * (t**2 + u**2) / (t * u) - 3 / 8 * (t**2 + u**2) / s**2,
    "u g > u g": lambda s, t, u: -4 / 9 * (s**2 + u**2) / (s * u) + (u**2 + s**2) / t**2,
    "g g > g g": lambda s, t, u: 9 / 4 * (3 - t * u / s**2 - s * u / t**2 - s * t / u**2),
}


@pytest.mark.parametrize("process", list(ANALYTIC))
def test_qcd_2to2_analytic(process):
    """Normalisation, colour and the relative fermion-flow signs of s-, t- and u-channel diagrams."""
    p = sample_momenta([0.0] * 4, 500.0, 6, seed=3)
    me = madnis_py.matrix_element(process)
    g4 = (4 * np.pi * 0.118) ** 2
    np.testing.assert_allclose(me(p, 0.118), g4 * ANALYTIC[process](*_stu(p)), rtol=1e-10)


def test_bhabha_qed_analytic():
    p = sample_momenta([0.0] * 4, 300.0, 6, seed=4)
    me = madnis_py.matrix_element("e+ e- > e+ e- / z")
    s, t, u = _stu(p)
    ref = 2 * DEFAULT.ee ** 4 * ((s**2 + u**2) / t**2 + 2 * u**2 / (s * t) + (u**2 + t**2) / s**2)
    np.testing.assert_allclose(me(p), ref, rtol=1e-10)


# -- gauge invariance ----------------------------------------------------------------------------------------------
GAUGE = [("g g > t t~ g", [0, 1, 4]), ("u u~ > g g a", [2, 3, 4]), ("e+ e- > a a", [2, 3]), ("g g > g g g", [0, 4]),
         ("u d~ > w+ g", [3]), ("e+ e- > u u~ g", [4])]


@pytest.mark.parametrize("process,vectors", GAUGE, ids=[g[0] for g in GAUGE])
def test_gauge_invariance(process, vectors):
    """A gluon or photon polarisation replaced by its momentum gives zero (top width 0: a width in t-channel
    propagators breaks the Ward identity at O(WT/MT))."""
    me = madnis_py.matrix_element(process, param_card=NO_TOP_WIDTH)
    p = sample_momenta(_masses(me), 1500.0, 4, seed=5)
    ref = me(p)
    assert np.all(ref > 0)
    for k in vectors:
        broken = me.program.with_external_kind(k, "vmom").compile()(p, me.alpha_s)
        # eps -> k multiplies each amplitude by an energy: compare with |M|^2 E^2; rounding gives ~1e-30
        assert np.all(np.abs(broken) < 1e-20 * ref * p[:, k, 0] ** 2), (k, broken / (ref * p[:, k, 0] ** 2))


# -- Lorentz invariance --------------------------------------------------------------------------------------------
def _boost_rotate(p, seed):
    rng = np.random.default_rng(seed)
    beta = rng.uniform(-0.9, 0.9, 3) / np.sqrt(3)
    b2 = beta @ beta
    gamma = 1 / np.sqrt(1 - b2)
    lam = np.eye(4)
    lam[0, 0] = gamma
    lam[0, 1:] = lam[1:, 0] = gamma * beta
    lam[1:, 1:] += (gamma - 1) * np.outer(beta, beta) / b2
    q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    rot = np.eye(4)
    rot[1:, 1:] = q * np.sign(np.linalg.det(q))
    return p @ (lam @ rot).T


LORENTZ = ["u d~ > w+ g", "e+ e- > z h", "e+ e- > w+ w-", "u u~ > d d~ g", "g g > t t~ h", "u u~ > w+ w- z",
           "e+ e- > mu+ mu- e+ e-"]


@pytest.mark.parametrize("process", LORENTZ)
def test_lorentz_invariance(process):
    """Boosted and rotated events give the same |M|^2. Top width 0: with external gluons the sum over their two
    physical helicities is frame independent only where the Ward identity holds, which a width in t-channel top
    propagators breaks (g g > t t~ h: 1e-6 with the width)."""
    me = madnis_py.matrix_element(process, param_card=NO_TOP_WIDTH)
    p = sample_momenta(_masses(me), 2000.0, 5, seed=6)
    q = _boost_rotate(p, seed=7)
    np.testing.assert_allclose(_dot(q, q), _dot(p, p), atol=1e-6)
    np.testing.assert_allclose(me(q), me(p), rtol=1e-10)


# -- unitarity: electroweak gauge cancellations -------------------------------------------------------------------
ZERO_WIDTHS = dataclasses.replace(DEFAULT, WZ=0.0, WW=0.0, WH=0.0, WT=0.0)


@pytest.mark.parametrize("process,bounded", [("e+ e- > w+ w-", True), ("w+ w- > w+ w-", True), ("w+ w- > z z", True),
                                             ("t t~ > w+ w-", True), ("w+ w- > w+ w- / h", False)])
def test_high_energy_unitarity(process, bounded):
    """|M|^2 at fixed angles stays bounded from 5 to 50 TeV only if the gauge and Higgs diagrams cancel each
    other's growth: checks the relative signs and sizes of the VVV, VVVV, VVS and Yukawa couplings (widths zero;
    fixed widths spoil the cancellation, as in MadGraph)."""
    me = madnis_py.matrix_element(process, param_card=ZERO_WIDTHS)
    masses = _masses(me)
    ratio = me(sample_momenta(masses, 5e4, 3, seed=11)) / me(sample_momenta(masses, 5e3, 3, seed=11))
    if bounded:
        np.testing.assert_allclose(ratio, 1.0, rtol=0.02)
    else:
        assert np.all(ratio > 1e3)  # longitudinal W scattering without the Higgs grows like s^2


def test_dollar_keeps_diagrams():
    """'$ z' forbids an on-shell s-channel Z in phase space (MadGraph FAQ 2212); the diagrams stay."""
    assert madnis_py.matrix_element("e+ e- > mu+ mu- $ z").n_diagrams == 2
    assert madnis_py.matrix_element("e+ e- > mu+ mu- $$ z").n_diagrams == 1


# -- crossing ------------------------------------------------------------------------------------------------------
CROSSING = [("u u~ > g g", "g g > u u~"), ("e+ e- > w+ w-", "w+ w- > e+ e-"), ("u d~ > w+ g", "w+ g > u d~"),
            ("e+ e- > mu+ mu-", "mu+ mu- > e+ e-")]


@pytest.mark.parametrize("a,b", CROSSING, ids=[c[0] for c in CROSSING])
def test_crossing_time_reversal(a, b):
    """Sum over all spins and colours is the same for a -> b and b -> a at the same momenta: the averaged |M|^2
    differ by the initial-state averaging and final-state symmetry factors."""
    me_a, me_b = madnis_py.matrix_element(a), madnis_py.matrix_element(b)
    p = sample_momenta(_masses(me_a), 1200.0, 4, seed=8)
    swapped = p[:, [2, 3, 0, 1]]
    total_a = me_a(p) / me_a.program.factor
    total_b = me_b(swapped) / me_b.program.factor
    np.testing.assert_allclose(total_a, total_b, rtol=1e-10)


def test_alpha_s_default_and_scaling():
    me = madnis_py.matrix_element("g g > t t~ g")
    assert me.alpha_s == pytest.approx(DEFAULT.aS)
    p = sample_momenta(_masses(me), 1000.0, 3, seed=9)
    np.testing.assert_allclose(me(p, 0.2), me(p, 0.1) * 8, rtol=1e-12)
    np.testing.assert_allclose(me(p), me(p, DEFAULT.aS), rtol=1e-14)


def test_helicity_filtering_keeps_the_sum():
    me = madnis_py.matrix_element("u u~ > d d~ g")
    full = me.built.program.compile()
    assert me.n_helicities < full.n_helicities
    p = sample_momenta(_masses(me), 800.0, 5, seed=10)
    np.testing.assert_allclose(me(p), full(p, me.alpha_s), rtol=1e-13)


def test_bad_momenta_shape():
    me = madnis_py.matrix_element("e+ e- > mu+ mu-")
    with pytest.raises(ValueError, match=r"\(n_events, 4, 4\)"):
        me(np.zeros((3, 5, 4)))


# -- errors --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("process,error,text", [
    ("e+ e- > mu+ ex", UnknownParticleError, "unknown particle"),
    ("u u~ > e+ ve", InvalidProcessError, "charge"),
    ("e+ e- > mu+ e-", NoDiagramsError, "no tree-level diagram"),
    ("e+ e- > mu+ mu- QED=1", NoDiagramsError, "coupling orders QED<=1"),
    ("p p > t t~", InvalidProcessError, "multiparticle"),
    ("e+ > mu+ mu- e+", InvalidProcessError, "incoming"),
])
def test_user_errors(process, error, text):
    with pytest.raises(error, match=text) as info:
        madnis_py.matrix_element(process)
    assert isinstance(info.value, UserError)


def test_build_matrix_element_from_card():
    card = ProcCard.from_text("import model sm\ngenerate e+ e- > mu+ mu-\nadd process e+ e- > mu+ e-\n",
                              path="proc_card.dat")
    subs = expand_subprocesses(card, SM, DEFAULT.mass_of)
    me = build_matrix_element(subs[0], SM, DEFAULT, card.options)
    assert me.n_diagrams == 2
    with pytest.raises(NoDiagramsCardError, match="proc_card.dat, line 3"):
        build_matrix_element(subs[1], SM, DEFAULT, card.options)


def test_build_matrix_elements_multiprocess():
    """p p > e+ e-: g g > e+ e- has no diagram and is dropped, as MadGraph drops it; the quark channels stay.
    zerowidth_tchannel defaults to True (MadGraph 3.5)."""
    card = ProcCard.from_text("import model sm\ngenerate p p > e+ e-\n", path="proc_card.dat")
    subs = expand_subprocesses(card, SM, DEFAULT.mass_of)
    built = build_matrix_elements(subs, SM, DEFAULT, card.options)
    names = [sub.name for sub, _ in built]
    assert "g g > e+ e-" not in names and "u u~ > e+ e-" in names
    assert all(me.n_diagrams == 2 for _, me in built)
    card = ProcCard.from_text("import model sm\ngenerate g g > e+ e-\n", path="proc_card.dat")
    with pytest.raises(NoDiagramsCardError, match="line 2"):
        build_matrix_elements(expand_subprocesses(card, SM, DEFAULT.mass_of), SM, DEFAULT, card.options)
