"""Channels as MadGraph makes them (diagrams with three-point vertices only) and channel symmetries (channels that
differ by a permutation of identical final-state particles, one MadNIS flow per class, arXiv:2311.01548)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from madnis_py.cards import ProcCard
from madnis_py.generator import Generator
from madnis_py.integrator import VegasConfig
from madnis_py.madnis_bridge import PhysicsIntegrand
from madnis_py.setup import load_setup
from refdata_paths import PROJECT_ROOT


def _setup(process: str, settings: tuple[str, ...] = ()):
    card = ProcCard.from_text(f"import model sm\ngenerate {process}\noutput test\n", path="<test>")
    return load_setup(card, settings=settings)


def test_four_point_vertex_diagrams_are_no_channels():
    # g g > g g: four diagrams (s, t, u and the four-gluon vertex), three channels in MadGraph
    group = _setup("g g > g g").groups[0]
    assert group.matrix_element.n_diagrams == 4 and len(group.topologies) == 3
    assert all(group.matrix_element.diagrams.diagrams[d].max_vertex_legs() == 3 for d in group.channel_diagrams)


def test_gg_wduxgg_has_madgraphs_channel_count():
    # g g > w+ d u~ g g: MadGraph makes 384 channels of its 428 diagrams (arXiv:2311.01548, table 1)
    group = load_setup(PROJECT_ROOT / "processes" / "gg_wduxgg").groups[0]
    assert group.matrix_element.n_diagrams == 428 and len(group.topologies) == 384
    reps = set(group.channel_symmetry)
    assert all(group.channel_symmetry[r] == r for r in reps)
    assert len(reps) < 384  # the two final gluons pair channels up


@pytest.fixture(scope="module")
def three_gluons():
    setup = _setup("u u~ > g g g", ("me_precision=double",))  # symmetric to 1e-10 needs double precision
    generator = Generator(setup, np.random.default_rng(0), VegasConfig(adapt_iterations=1, adapt_points=100,
                                                                       integrate_iterations=1, integrate_points=100))
    return setup, generator


def test_symmetric_channels_are_relabelled_copies(three_gluons):
    """A channel and its class representative give, at the same r, the same event with the gluons exchanged:
    the same weight, and each its own diagram's enhancement (so one flow fits both exactly)."""
    setup, generator = three_gluons
    group = setup.groups[0]
    reps = group.channel_symmetry
    assert any(r != k for k, r in enumerate(reps))
    r = np.random.default_rng(1).random((200, generator.channels[0].integrand.dim))
    gluons = (2, 3, 4)
    for k, rep in enumerate(reps):
        if rep == k:
            continue
        ev_k, enh_k = generator.channels[k].integrand.evaluate(r)
        ev_r, enh_r = generator.channels[rep].integrand.evaluate(r)
        assert np.any(ev_k.weights > 0)
        np.testing.assert_allclose(ev_k.weights, ev_r.weights, rtol=1e-10)
        np.testing.assert_allclose(enh_k[:, k], enh_r[:, rep], rtol=1e-9, atol=1e-14)
        # the momenta agree up to a permutation of the gluons, the same permutation for every event
        matches = [perm for perm in itertools.permutations(gluons)
                   if np.allclose(ev_k.momenta[:, list(perm)], ev_r.momenta[:, list(gluons)])]
        assert len(matches) == 1, (k, rep)
        # ... the one the group records, by which the generator turns the leader's events into this channel's
        np.testing.assert_array_equal(ev_k.momenta, ev_r.momenta[:, list(group.channel_legs[k])])


def test_only_class_leaders_are_integrated(three_gluons):
    """MadEvent's symfact: one channel per class is integrated and counted once per member."""
    setup, generator = three_gluons
    generator.train(log=lambda *a: None)
    members = np.concatenate([m for _, m in generator.classes])
    assert sorted(members) == list(range(len(generator.channels)))
    for k, m in generator.classes:
        assert generator.channels[k].leader is None and m[0] == k
        assert all(generator.channels[j].leader is generator.channels[k] for j in m[1:])
        assert all(generator.channels[j].survey is None for j in m[1:])  # no points spent on the members
    total = generator.integrate()
    assert total.value == pytest.approx(sum(c.result.value for c in generator.channels), rel=1e-12)
    assert total.n_eval == sum(generator.channels[k].result.n_eval for k, _ in generator.classes)


def test_events_of_a_class_are_symmetric_in_identical_particles(three_gluons):
    """Events drawn from a class leader are relabelled as a uniformly chosen member: the gluons, identical
    particles, must then be exchangeable, e.g. each is the hardest in a third of the events (binomial,
    sigma = sqrt(2/9 / n) = 0.0086 for n = 3000; 5 sigma allowed). The leader alone is far from that."""
    setup, generator = three_gluons
    generator.train(log=lambda *a: None)
    events = generator.generate(3000, log=lambda *a: None)
    pt = np.hypot(events.momenta[:, 2:, 1], events.momenta[:, 2:, 2])
    hardest = np.bincount(pt.argmax(axis=1), minlength=3) / len(events)
    np.testing.assert_allclose(hardest, 1 / 3, atol=5 * np.sqrt(2 / 9 / len(events)))
    relabelled = np.array([generator.channels[c].leader is not None for c in events.channel])
    assert 0.2 < relabelled.mean() < 0.9  # events were given to members that are not leaders


def test_enhancement_sums_to_one_and_madnis_shares_flows(three_gluons):
    setup, generator = three_gluons
    r = np.random.default_rng(2).random((300, generator.channels[0].integrand.dim))
    events, enhancement = generator.channels[0].integrand.evaluate(r)
    passed = events.weights > 0
    np.testing.assert_allclose(enhancement[passed].sum(axis=1), 1.0, rtol=1e-12)
    physics = PhysicsIntegrand([c.integrand for c in generator.channels], generator.sqrt_s)
    groups = physics.channel_groups
    assert sorted(itertools.chain(*groups)) == list(range(len(generator.channels)))
    assert len(groups) == len(set(setup.groups[0].channel_symmetry)) < len(generator.channels)
