"""The Python API as a generator script uses it: build, integrate, generate, write, save and reload."""

import gzip

import numpy as np
import pytest

import madnis_py
from refdata_paths import PROJECT_ROOT, madgraph_cross_section


@pytest.fixture(scope="module")
def generator():
    gen = madnis_py.EventGenerator.from_process("e+ e- > mu+ mu-", settings={"ptl": 0, "etal": -1, "drll": 0},
                                                seed=3)
    gen.integrate(target_relative_error=2e-3)
    return gen


def test_integrate_returns_value_with_error(generator):
    xs = generator.integrate()
    assert isinstance(xs, madnis_py.IntegrationResult)
    # e+ e- > gamma/Z > mu+ mu- at 1 TeV without cuts (MadGraph rounds sigma to 4 digits: 5e-5)
    mg_sigma, mg_error = madgraph_cross_section("ee_mumu__run_sqrts1000_nocuts")
    assert abs(xs.value - mg_sigma) < 3 * np.hypot(xs.error, mg_error) + 5e-5


def test_generate_arrays_and_file(generator, tmp_path):
    events = generator.generate(500)
    assert len(events) == 500 and events.momenta.shape == (500, 4, 4)
    assert np.all(events.pdg == [-11, 11, -13, 13])
    assert events.weights.mean() == pytest.approx(events.cross_section.value, rel=1e-12)
    # the weighted points the events were unweighted from (weights.png): w / <w> per channel
    sample = generator.sampler.weighted_sample
    assert sample.size >= 500 / events.efficiency * 0.9 and sample.mean() == pytest.approx(1.0, rel=1e-5)
    assert [h["kind"] for h in generator.sampler.history][:2] == ["survey", "survey"]
    path = generator.write_lhe(tmp_path / "ee.lhe.gz", events)
    with gzip.open(path, "rt") as fh:
        assert fh.read().count("<event>") == 500


def test_save_and_reload_gives_the_same_sampler(generator, tmp_path):
    path = generator.save(tmp_path / "ee.state")
    again = madnis_py.EventGenerator.load(path, seed=3)
    assert again.sampler.integrate().value == generator.sampler.integrate().value
    a = generator.sampler.channels[0].sampler.map.grid
    b = again.sampler.channels[0].sampler.map.grid
    np.testing.assert_array_equal(a, b)
    assert len(again.generate(100)) == 100


def test_from_cards_uses_the_catalogue():
    gen = madnis_py.EventGenerator.from_cards(PROJECT_ROOT / "processes" / "pp_tt", settings={"nevents": 10}, seed=1)
    assert gen.setup.beams.sqrt_s == 13000.0
    assert {m.name for g in gen.setup.groups for m in g.members} >= {"g g > t t~", "u u~ > t t~"}


def test_the_cross_section_comes_from_one_fresh_sample():
    # pooling points with the later points whose number they chose is biased low on heavy-tailed weights, so the
    # quoted cross section is the integration sample's alone, drawn after its size and shares were fixed
    gen = madnis_py.EventGenerator.from_process("e+ e- > mu+ mu-", seed=5)
    xs = gen.integrate(target_relative_error=2e-3)
    leaders = gen.sampler.leaders
    assert xs.n_eval == sum(c.final.n_eval for c, _ in leaders) < sum(c.result.n_eval for c, _ in leaders)
    assert xs.relative_error <= 2e-3
    # sized for the target from the spread of the weights so far (REFINE_MARGIN: 1.25 times the points)
    target = xs.relative_error / 2
    tighter = gen.integrate(target_relative_error=target)
    assert tighter.n_eval > 3 * xs.n_eval and tighter.relative_error <= 1.2 * target
    mg_sigma, mg_error = madgraph_cross_section("ee_mumu__run_sqrts1000")  # MadGraph's default cuts
    assert abs(tighter.value - mg_sigma) < 3 * np.hypot(tighter.error, mg_error)


def test_the_integration_sample_supplies_the_events():
    # as MadEvent's refine: the points that give the cross section also give the events, so generating them
    # evaluates no further matrix element (the launch tests compare the events' distributions with MadGraph's)
    gen = madnis_py.EventGenerator.from_process("e+ e- > mu+ mu-", settings={"ptl": 0, "etal": -1, "drll": 0},
                                                seed=7)
    gen.integrate(target_relative_error=5e-3, n_events=2000)
    calls = gen.sampler.n_matrix_element_calls
    events = gen.generate(2000)
    assert gen.sampler.n_matrix_element_calls == calls and len(events) == 2000
    again = gen.generate(2000)  # each point gives at most one event: now fresh points are drawn
    assert gen.sampler.n_matrix_element_calls > calls and len(again) == 2000
