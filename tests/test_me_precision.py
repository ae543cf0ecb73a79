"""Single-precision matrix elements (float amplitudes on twice the SIMD lanes, colour sum in double) against
MadGraph and against double precision; run_card ``me_precision`` and its ``auto`` check."""

from __future__ import annotations

import numpy as np
import pytest

import madnis_py
from madnis_py.amplitudes import sample_momenta
from madnis_py.cards import ProcCard
from madnis_py.cards.errors import CardError
from madnis_py.cards.run_card import RunCard
from madnis_py.generator import Generator
from madnis_py.integrator import VegasConfig
from madnis_py.me_precision import PrecisionCheck
from madnis_py.setup import load_setup
from mg_reference import read_dump
from refdata_paths import refdata_file

MG_CASES = {
    "ee_mumu": ("e+ e- > mu+ mu-", "sa_ee_mumu__me_dump.txt", "sa_ee_mumu__param_card.dat"),
    "gg_ttx": ("g g > t t~", "sa_gg_ttx__me_dump.txt", "sa_gg_ttx__param_card.dat"),
    "gg_ttxg": ("g g > t t~ g", "sa_gg_ttxg__me_dump.txt", "sa_gg_ttxg__param_card.dat"),
    "gg_ttxg-WT0": ("g g > t t~ g", "sa_gg_ttxg__me_dump_WT0.txt", "param_card_WT0.dat"),
}


def _rel(a, b) -> np.ndarray:
    return np.abs(a / b - 1.0)


@pytest.mark.parametrize("key", list(MG_CASES))
def test_single_matches_madgraph(key):
    process, dump_name, card = MG_CASES[key]
    dump = read_dump(refdata_file("me", "mg5_standalone", dump_name))
    me = madnis_py.matrix_element(process, param_card=refdata_file("me", "mg5_standalone", card))
    single = me.compiled.evaluate(dump.momenta, dump.g ** 2 / (4 * np.pi), precision="single")[0]
    assert _rel(single, dump.me).max() < 1e-5


@pytest.fixture(scope="module")
def gg_ttgg():
    me = madnis_py.matrix_element("g g > t t~ g g")
    return me, sample_momenta([0, 0, 173, 173, 0, 0], 1000.0, 256, seed=3)


def test_single_gg_ttgg_agrees_with_double(gg_ttgg):
    """Flat points without cuts, collinear ones included: the propagator denominators computed in double keep
    single precision at the 1e-6 level (from float momenta they would be off by 1e-3 .. 1e-1 there)."""
    me, p = gg_ttgg
    double = me.compiled.evaluate(p, 0.118, precision="double")[0]
    single = me.compiled.evaluate(p, 0.118, precision="single")[0]
    rel = _rel(single, double)
    assert rel.max() < 1e-4 and np.median(rel) < 1e-6
    assert rel.max() > 0.0  # it really is a different arithmetic


def test_single_is_independent_of_the_lane_and_chunk(gg_ttgg):
    me, p = gg_ttgg
    full = me.compiled.evaluate(p, 0.118, precision="single")[0]
    for n in (1, 15, 17, 33):
        np.testing.assert_array_equal(me.compiled.evaluate(p[:n], 0.118, precision="single")[0], full[:n])
    np.testing.assert_array_equal(me.compiled.evaluate(p[7:40], 0.118, precision="single")[0], full[7:40])


def test_single_amp2_flows_and_helicities_agree_with_double():
    me = madnis_py.matrix_element("g g > t t~ g")
    p = sample_momenta([0, 0, 173, 173, 0], 1000.0, 200, seed=5)
    c = me.compiled
    _, a2_d, h_d = c.evaluate(p, 0.118, amp2=True, helicities=True, precision="double")
    _, a2_s, h_s = c.evaluate(p, 0.118, amp2=True, helicities=True, precision="single")
    np.testing.assert_allclose(a2_s, a2_d, rtol=1e-4, atol=1e-6 * a2_d.max())
    np.testing.assert_allclose(h_s, h_d, rtol=1e-4, atol=1e-6 * h_d.max())
    flows_d = c.colour_flows(p, 0.118, precision="double")
    flows_s = c.colour_flows(p, 0.118, precision="single")
    np.testing.assert_allclose(flows_s, flows_d, rtol=1e-4, atol=1e-6 * flows_d.max())


def test_precision_attribute_and_bad_values():
    me = madnis_py.matrix_element("e+ e- > mu+ mu-")
    p = sample_momenta([0, 0, 0, 0], 500.0, 10, seed=1)
    assert me.precision == "double"
    double = me(p)
    me.compiled.precision = "single"
    assert me.precision == "single" and not np.array_equal(me(p), double)
    np.testing.assert_allclose(me(p), double, rtol=1e-6)
    with pytest.raises(ValueError, match="must be one of double, single, not 'half'"):
        me.compiled.evaluate(p, 0.118, precision="half")
    n = len(p)
    with pytest.raises(ValueError, match="precision must be 'double' or 'single'"):
        me.compiled._core_program.evaluate(p, np.full(n, 0.118), np.empty(n), None, None, None, "float")


def test_precision_check_decides_on_its_first_points():
    me = madnis_py.matrix_element("g g > t t~ g")
    p = sample_momenta([0, 0, 173, 173, 0], 1000.0, 300, seed=2)
    a = np.full(len(p), 0.118)
    check = PrecisionCheck(me, "g g > t t~ g", points=500)
    check.observe(p, a)
    assert not check.decided and me.precision == "double" and 0 < check.max_deviation < 1e-5
    check.observe(p, a)
    assert check.decided and check.n_points == 600 and me.precision == "single"
    assert "single precision" in check.describe() and "600 points" in check.describe()
    strict = PrecisionCheck(me, "g g > t t~ g", points=100, tolerance=1e-9)
    assert me.precision == "double"
    strict.observe(p, a)
    assert strict.decided and me.precision == "double"
    assert PrecisionCheck(me, "no points").decide() == "double"


def test_run_card_entry():
    assert RunCard()["me_precision"] == "auto"
    assert RunCard.from_text("single = me_precision ! float amplitudes\n")["me_precision"] == "single"
    with pytest.raises(CardError) as err:
        RunCard.from_text("float = me_precision\n", path="run_card.dat")
    text = str(err.value)
    assert "run_card.dat, line 1" in text and "one of auto, double, single" in text
    assert "the default is `auto = me_precision`" in text


@pytest.fixture(scope="module")
def ee_setup():
    card = ProcCard.from_text("import model sm\ngenerate e+ e- > mu+ mu-\noutput test\n", path="<test>")
    return card


@pytest.mark.parametrize("setting, expected", [("auto", "single"), ("double", "double"), ("single", "single")])
def test_generator_applies_me_precision(ee_setup, setting, expected):
    setup = load_setup(ee_setup, settings=(f"me_precision={setting}",))
    config = VegasConfig(adapt_iterations=1, adapt_points=300, integrate_iterations=1, integrate_points=300)
    generator = Generator(setup, np.random.default_rng(0), config)
    me = setup.groups[0].matrix_element
    assert me.precision == ("double" if setting == "auto" else setting)  # auto starts in double
    lines = []
    generator.train(log=lines.append)
    assert me.precision == expected
    chosen = [line for line in lines if "precision" in line]
    assert len(chosen) == (setting == "auto")
    if setting == "auto":
        assert "e+ e- > mu+ mu-: single precision" in chosen[0]
    assert generator.describe()[0]["me_precision"] == expected  # written to results.json per subprocess group
