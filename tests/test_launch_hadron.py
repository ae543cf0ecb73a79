"""End to end at the LHC: `madnis-py launch processes/{pp_tt,gg_tt,pp_ee}` against MadGraph's cross sections,
and the distributions and colour flows of p p > t t~ events against MadGraph's own events."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from madnis_py.run import RunOptions, launch
from refdata_paths import PROJECT_ROOT, madgraph_cross_section, refdata_file

#: catalogue entry -> (reference id, allowed relative deviation from MadGraph as the issue states it)
CASES = {
    "pp_tt": ("pp_tt_rep__run_13TeV_10k_rep", 5e-3),
    "gg_tt": ("gg_tt_13TeV", 3e-3),
    "pp_ee": ("pp_ee__run_13TeV_mll50_only", 5e-3),
}



@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    for name in CASES:
        path = tmp_path_factory.mktemp(name)
        launch(RunOptions(process=PROJECT_ROOT / "processes" / name, seed=7, output=path, force=True, verbose=False))
        out[name] = path
    return out


@pytest.mark.parametrize("name", CASES)
def test_cross_section_matches_madgraph(runs, name):
    run_id, tolerance = CASES[name]
    result = json.loads((runs[name] / "results.json").read_text())
    sigma, error = result["cross_section_pb"], result["cross_section_error_pb"]
    mg_sigma, mg_error = madgraph_cross_section(run_id)
    assert error / sigma <= 2e-3
    # Within the tolerance, and statistically compatible (PDF interpolation and alpha_s details aside).
    assert abs(sigma / mg_sigma - 1) <= tolerance, (sigma, error, mg_sigma, mg_error)
    assert abs(sigma - mg_sigma) <= 3 * math.hypot(error, mg_error), (sigma, error, mg_sigma, mg_error)


def top_observables(momenta: np.ndarray, pdg: np.ndarray) -> dict[str, np.ndarray]:
    """Top pT, top rapidity and m(t t~) from (n, n_particles, 4) (E, px, py, pz) momenta."""
    top = momenta[pdg == 6].reshape(-1, 4)
    antitop = momenta[pdg == -6].reshape(-1, 4)
    pair = top + antitop
    return {
        "pt": np.hypot(top[:, 1], top[:, 2]),
        "y": 0.5 * np.log((top[:, 0] + top[:, 3]) / (top[:, 0] - top[:, 3])),
        "m_tt": np.sqrt(pair[:, 0] ** 2 - (pair[:, 1:] ** 2).sum(-1)),
    }


def read_lhe(path, colours: bool = False):
    """(momenta (n, n_particles, 4), pdg (n, n_particles)[, colour tags (n, n_particles, 2)]) read with pylhe."""
    pylhe = pytest.importorskip("pylhe")
    events = list(pylhe.LHEFile.fromfile(str(path)).events)
    momenta = np.array([[[p.e, p.px, p.py, p.pz] for p in ev.particles] for ev in events])
    pdg = np.array([[p.id for p in ev.particles] for ev in events])
    if not colours:
        return momenta, pdg
    tags = np.array([[[p.color1, p.color2] for p in ev.particles] for ev in events], dtype=np.int64)
    return momenta, pdg, tags


def test_colour_flows_are_valid(runs):
    """Every colour line is opened once and closed once (incoming particles crossed), and each parton carries
    the tags of its representation: quarks a colour, antiquarks an anticolour, gluons both, the rest none."""
    _, pdg, tags = read_lhe(runs["pp_tt"] / "events.lhe.gz", colours=True)
    outgoing = tags.copy()
    outgoing[:, :2] = tags[:, :2, ::-1]
    quark = (np.abs(pdg) <= 6) & (pdg != 0)
    is_colour = np.where(quark, pdg > 0, pdg == 21)
    is_anticolour = np.where(quark, pdg < 0, pdg == 21)
    incoming = np.zeros(pdg.shape, dtype=bool)
    incoming[:, :2] = True
    wants_colour = np.where(incoming, is_anticolour, is_colour)
    wants_anticolour = np.where(incoming, is_colour, is_anticolour)
    assert np.array_equal(outgoing[..., 0] > 0, wants_colour)
    assert np.array_equal(outgoing[..., 1] > 0, wants_anticolour)
    for row in outgoing:
        colour, anticolour = row[:, 0][row[:, 0] > 0], row[:, 1][row[:, 1] > 0]
        assert sorted(colour) == sorted(anticolour) and len(set(colour)) == len(colour), row


def top_follows_its_colour_partner(momenta, pdg, tags) -> tuple[int, int]:
    """Over g g > t t~ events: (events whose top carries the colour of the gluon it moves along in the partonic
    frame, events). Which flow MadGraph draws depends on the kinematics through |JAMP|^2: this tests the choice."""
    gg = (pdg[:, 0] == 21) & (pdg[:, 1] == 21)
    p, c, ids = momenta[gg], tags[gg], pdg[gg]
    top, antitop = p[ids == 6].reshape(-1, 4), p[ids == -6].reshape(-1, 4)
    rapidity = lambda q: 0.5 * np.log((q[:, 0] + q[:, 3]) / (q[:, 0] - q[:, 3]))
    forward = rapidity(top) > rapidity(antitop)  # the top follows the beam along +z
    plus_z_gluon = np.where(p[:, 0, 3] > 0, 0, 1)
    partner = np.where(forward, plus_z_gluon, 1 - plus_z_gluon)
    top_colour = c[ids == 6][:, 0]
    connected = c[np.arange(len(c)), partner, 0] == top_colour
    return int(connected.sum()), int(len(c))


def test_colour_connections_match_madgraph_events(runs):
    """The top follows its colour partner in 84.6% of MadGraph's g g > t t~ events and in 80% of ours (seed 7);
    a flow drawn without regard to kinematics gives 50%, the reversed convention about 20%. Both use MadGraph's
    rule (|JAMP|^2 over the flows the channel's diagram feeds, madevent's select_color); the 4.6-point gap is
    the difference left open (see the closing note), so the tolerance is 0.07."""
    ours = top_follows_its_colour_partner(*read_lhe(runs["pp_tt"] / "events.lhe.gz", colours=True))
    theirs = top_follows_its_colour_partner(*read_lhe(
        refdata_file("lhe", "pp_tt_rep__run_13TeV_10k_rep__unweighted_events.lhe.gz"), colours=True))
    (k1, n1), (k2, n2) = ours, theirs
    assert n1 > 5000 and n2 > 5000
    assert abs(k1 / n1 - k2 / n2) < 0.07, (ours, theirs)


def test_top_distributions_match_madgraph_events(runs):
    stats = pytest.importorskip("scipy.stats")
    ours = top_observables(*read_lhe(runs["pp_tt"] / "events.lhe.gz"))
    theirs = top_observables(*read_lhe(refdata_file("lhe", "pp_tt_rep__run_13TeV_10k_rep__unweighted_events.lhe.gz")))
    for name in ("pt", "y", "m_tt"):
        p_value = stats.ks_2samp(ours[name], theirs[name]).pvalue
        assert p_value > 0.01, (name, p_value)
