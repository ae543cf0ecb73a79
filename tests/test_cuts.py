"""The core's cut kernel, checked against a direct numpy evaluation of MadGraph's cut definitions."""

import numpy as np

from madnis_py.cards import RunCard
from madnis_py.cuts import BOTTOM, JET, LEPTON, PHOTON, CutSpec, cut_class


def minkowski(p):
    return p[..., 0] ** 2 - (p[..., 1:] ** 2).sum(-1)


def run_card(**entries):
    """MadGraph's default run_card with the given entries changed (as --set would)."""
    card = RunCard.default(lepton_beams=True)
    for name in ("ptl", "etal", "drll", "mmll", "ptj", "etaj", "pta", "etaa", "draa", "drjj", "drjl", "dral"):
        card.set(name, str(entries.get(name, -1.0 if name.startswith("eta") else 0.0)))
    return card


def eta(p):
    pt = np.hypot(p[..., 1], p[..., 2])
    return np.arcsinh(p[..., 3] / pt)


def reference_pass(p, pdgs, card):
    """Direct numpy evaluation of the lepton cuts (ptl, etal, drll, mmll) as MadGraph defines them."""
    fin = p[:, 2:]
    ok = np.ones(len(p), bool)
    leptons = [i for i, q in enumerate(pdgs) if abs(q) in (11, 13, 15)]
    for i in leptons:
        ok &= np.hypot(fin[:, i, 1], fin[:, i, 2]) >= card["ptl"]
        ok &= np.abs(eta(fin[:, i])) <= card["etal"]
    for a in leptons:
        for b in leptons:
            if b <= a:
                continue
            dphi = np.abs(np.angle(np.exp(1j * (np.arctan2(fin[:, a, 2], fin[:, a, 1])
                                                - np.arctan2(fin[:, b, 2], fin[:, b, 1])))))
            ok &= np.hypot(eta(fin[:, a]) - eta(fin[:, b]), dphi) >= card["drll"]
            if pdgs[a] == -pdgs[b]:
                ok &= np.sqrt(minkowski(fin[:, a] + fin[:, b])) >= card["mmll"]
    return ok


def test_lepton_cuts_match_direct_evaluation():
    rng = np.random.default_rng(3)
    n = 20_000
    # Two leptons with random directions and energies (not back to back, so that drll matters).
    def random_momenta(e):
        cos_t, phi = rng.uniform(-1, 1, n), rng.uniform(0, 2 * np.pi, n)
        sin_t = np.sqrt(1 - cos_t**2)
        return np.stack([e, e * sin_t * np.cos(phi), e * sin_t * np.sin(phi), e * cos_t], -1)
    p = np.zeros((n, 4, 4))
    p[:, 2], p[:, 3] = random_momenta(rng.uniform(1, 60, n)), random_momenta(rng.uniform(1, 60, n))
    card = run_card(ptl=10.0, etal=2.5, drll=0.4, mmll=30.0)
    pdgs = (-13, 13)
    cuts = CutSpec.from_run_card(card, pdgs)
    got = cuts.passes(p)
    want = reference_pass(p, pdgs, card)
    assert 0.05 < want.mean() < 0.95
    np.testing.assert_array_equal(got, want)


def test_cut_classes_follow_madgraph():
    assert [cut_class(x) for x in (21, 1, -4, 5, 22, 11, -13, 15, 12, 6, 23)] == \
        [JET, JET, JET, BOTTOM, PHOTON, LEPTON, LEPTON, LEPTON, 0, 0, 0]
    assert cut_class(5, maxjetflavor=5) == JET


def test_no_cuts_is_trivial():
    assert CutSpec.from_run_card(run_card(), (-13, 13)).is_trivial
    assert not CutSpec.from_run_card(run_card(ptl=10.0), (-13, 13)).is_trivial
