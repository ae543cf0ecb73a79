"""g g > t t~ and g g > t t~ g against MadGraph 3.5 standalone (with the top width and with WT = 0), and gauge
invariance (a gluon polarisation replaced by its momentum gives zero)."""

from __future__ import annotations

import numpy as np
import pytest

from madnis_py.amplitudes.examples import gg_ttx, gg_ttxg
from mg_reference import SMParameters, read_dump
from refdata_paths import refdata_file

CASES = {
    ("gg_ttx", ""): (gg_ttx, "sa_gg_ttx__me_dump.txt", "sa_gg_ttx__param_card.dat"),
    ("gg_ttx", "WT0"): (gg_ttx, "sa_gg_ttx__me_dump_WT0.txt", "param_card_WT0.dat"),
    ("gg_ttxg", ""): (gg_ttxg, "sa_gg_ttxg__me_dump.txt", "sa_gg_ttxg__param_card.dat"),
    ("gg_ttxg", "WT0"): (gg_ttxg, "sa_gg_ttxg__me_dump_WT0.txt", "param_card_WT0.dat"),
}


def _load(key):
    build, dump_name, card = CASES[key]
    dump = read_dump(refdata_file("me", "mg5_standalone", dump_name))
    sm = SMParameters.from_card(refdata_file("me", "mg5_standalone", card))
    return build(sm.MT, sm.WT), dump


@pytest.mark.parametrize("key", list(CASES), ids=["-".join(filter(None, k)) for k in CASES])
def test_matches_madgraph(key):
    program, dump = _load(key)
    me = program.compile()
    got, amp2, _ = me.evaluate(dump.momenta, dump.g**2 / (4 * np.pi), amp2=True)
    np.testing.assert_allclose(got, dump.me, rtol=1e-10)
    assert amp2.shape[1] == (3 if key[0] == "gg_ttx" else 16)


@pytest.mark.parametrize("key", [("gg_ttx", "WT0"), ("gg_ttxg", "WT0")], ids=["gg_ttx", "gg_ttxg"])
def test_alpha_s_scaling(key):
    """|M|^2 scales as alpha_s^n (n = 2 for gg > t t~, 3 for gg > t t~ g), event by event."""
    program, dump = _load(key)
    me = program.compile()
    n = 2 if key[0] == "gg_ttx" else 3
    a1 = np.full(len(dump.me), 0.118)
    a2 = np.linspace(0.08, 0.2, len(dump.me))
    np.testing.assert_allclose(me(dump.momenta, a2), me(dump.momenta, a1) * (a2 / a1) ** n, rtol=1e-12)


@pytest.mark.parametrize("key", [("gg_ttx", "WT0"), ("gg_ttxg", "WT0")], ids=["gg_ttx", "gg_ttxg"])
def test_gauge_invariance(key):
    """Ward identity: with one gluon's polarisation replaced by its momentum, every colour-flow amplitude
    vanishes (with zero top width; a width in t-channel propagators breaks it at O(WT/MT))."""
    program, dump = _load(key)
    ref = program.compile()(dump.momenta)
    gluons = [0, 1] if key[0] == "gg_ttx" else [0, 1, 4]
    for g in gluons:
        broken = program.with_external_kind(g, "vmom").compile()(dump.momenta)
        # dimension: eps -> k multiplies each amplitude by an energy; compare with |M|^2 * E^2
        scale = ref * (dump.momenta[:, g, 0] ** 2)
        assert np.all(np.abs(broken) < 1e-20 * scale + 1e-300), (g, broken / scale)


def test_gauge_violation_with_width_is_small_but_nonzero():
    program, dump = _load(("gg_ttxg", ""))
    ref = program.compile()(dump.momenta)
    broken = program.with_external_kind(0, "vmom").compile()(dump.momenta)
    rel = broken / (ref * dump.momenta[:, 0, 0] ** 2)
    assert np.all(rel < 1e-3) and np.any(rel > 1e-20)


def test_helicity_filtering_gg_ttxg():
    program, dump = _load(("gg_ttxg", ""))
    me = program.compile()
    assert me.n_helicities == 32
    filtered = me.filter_helicities(dump.momenta[:3])
    np.testing.assert_allclose(filtered(dump.momenta), dump.me, rtol=1e-10)
