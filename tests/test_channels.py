"""Properties of the multi-channel phase-space mappings (madnis_py.channels), run over every channel.

Statistical tests are seeded (deterministic) and compare a Monte Carlo mean with its reference within
5 estimated standard deviations: a correct mapping fails such a test with probability < 1e-6, while a wrong
Jacobian factor (a missing 2 pi, a factor 2 in a range) is off by many sigma at the sample sizes used.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from madnis_py.channels import (
    ChannelMapping,
    FixedEnergy,
    Luminosity,
    Rambo,
    Topology,
    massless_volume,
    two_body_volume,
)

MZ, WZ, MW, WW, MT, WT, MH, MB = 91.1876, 2.4952, 80.419, 2.0476, 173.0, 1.4915, 125.0, 4.7


def phi2(s, m1sq, m2sq):
    """Two-body volume lambda^(1/2)(s, m1^2, m2^2) / (8 pi s) with squared masses."""
    lam = (s - m1sq - m2sq) ** 2 - 4 * m1sq * m2sq
    return math.sqrt(lam) / (8 * math.pi * s) if s > 0 and lam > 0 else 0.0


def three_body_volume(s, m_pair, m3):
    """Phi_3 with a pair (masses m_pair) and m3: int ds12/(2 pi) Phi_2(s; s12, m3^2) Phi_2(s12; pair)."""
    lo, hi = (m_pair[0] + m_pair[1]) ** 2, (math.sqrt(s) - m3) ** 2
    f = lambda s12: phi2(s, s12, m3**2) * phi2(s12, m_pair[0] ** 2, m_pair[1] ** 2) / (2 * math.pi)
    return integrate.quad(f, lo, hi, epsabs=0, epsrel=1e-10, limit=200)[0]


def pair_pair_volume(s, pair1, pair2, window1=None, window2=None):
    """Phi_4 as two pairs: int ds1 ds2/(2 pi)^2 Phi_2(s; s1, s2) Phi_2(s1; pair1) Phi_2(s2; pair2),
    with optional windows (lo, hi) in GeV^2 on s1, s2."""
    rs = math.sqrt(s)
    lo1 = (pair1[0] + pair1[1]) ** 2
    lo2 = (pair2[0] + pair2[1]) ** 2

    def inner(s1):
        a, b = lo2, (rs - math.sqrt(s1)) ** 2
        if window2:
            a, b = max(a, window2[0]), min(b, window2[1])
        if b <= a:
            return 0.0
        g = lambda s2: phi2(s, s1, s2) * phi2(s2, pair2[0] ** 2, pair2[1] ** 2)
        return phi2(s1, pair1[0] ** 2, pair1[1] ** 2) * integrate.quad(g, a, b, epsrel=1e-9, limit=200)[0]

    a, b = lo1, (rs - pair2[0] - pair2[1]) ** 2
    if window1:
        a, b = max(a, window1[0]), min(b, window1[1])
    return integrate.quad(inner, a, b, epsrel=1e-9, limit=200)[0] / (2 * math.pi) ** 2


def window(mass, width, bwcutoff=15.0):
    return (max(mass - bwcutoff * width, 0) ** 2, (mass + bwcutoff * width) ** 2)


# name -> (masses, s_channels, t_channels, energy, reference volume: a callable, or None for the RAMBO
# estimate inside the top on-shell windows)
M4_TT = [0, 0, MB, MW, MB, MW]
TAU0 = 20.0**2 / (4 * 150.0 * 400.0)  # s_hat_min / S of the Drell-Yan-like channels
CHANNELS = {
    "ee>Z>mumu": ([0, 0, 0, 0], [((2, 3), MZ, WZ)], [], FixedEnergy(MZ), lambda: 1 / (8 * math.pi)),
    "ee>Z>mumu@1000": ([0, 0, 0, 0], [((2, 3), MZ, WZ)], [], FixedEnergy(1000.0), lambda: 1 / (8 * math.pi)),
    "ud>ud t-gluon": ([0, 0, 0, 0], [], [(2, 0, 0)], FixedEnergy(1000.0), lambda: 1 / (8 * math.pi)),
    "gg>tt t-top": ([0, 0, MT, MT], [], [(2, MT, WT)], FixedEnergy(1000.0),
                    lambda: two_body_volume(1e6, MT, MT)),
    "gg>tt t-top zero width": ([0, 0, MT, MT], [], [(3, MT, 0)], FixedEnergy(400.0),
                               lambda: two_body_volume(1.6e5, MT, MT)),
    "ee>Zh>mumuh": ([0, 0, 0, 0, MH], [((2, 3), MZ, WZ), ((-1, 4), MZ, WZ)], [], FixedEnergy(500.0),
                    lambda: three_body_volume(2.5e5, (0, 0), MH)),
    "ee>vvh WW-fusion": ([0, 0, 0, 0, MH], [], [(2, MW, WW), (4, MW, WW)], FixedEnergy(500.0),
                         lambda: three_body_volume(2.5e5, (0, 0), MH)),
    "ee>mumua Z>mumu t-e": ([0, 0, 0, 0, 0], [((2, 3), MZ, WZ)], [(4, 0, 0)], FixedEnergy(300.0),
                            lambda: massless_volume(3, 9e4)),
    "gg>ttx>bWbW t-top": (M4_TT, [((2, 3), MT, WT, True), ((4, 5), MT, WT, True)], [(-1, MT, WT)],
                          FixedEnergy(420.0),
                          lambda: pair_pair_volume(420.0**2, (MB, MW), (MB, MW), window(MT, WT), window(MT, WT))),
    "gg>ttx>bWbW s-gluon": (M4_TT, [((2, 3), MT, WT, True), ((4, 5), MT, WT, True), ((-1, -2), 0, 0)], [],
                            FixedEnergy(420.0),
                            lambda: pair_pair_volume(420.0**2, (MB, MW), (MB, MW), window(MT, WT), window(MT, WT))),
    "gg>ttx>bWbW wide tops": (M4_TT, [((2, 3), MT, 25.0), ((4, 5), MT, 25.0)], [(-1, MT, 25.0)],
                              FixedEnergy(600.0), lambda: pair_pair_volume(3.6e5, (MB, MW), (MB, MW))),
    "gg>ttx>bWbW wide tops s-gluon": (M4_TT, [((2, 3), MT, 25.0), ((4, 5), MT, 25.0), ((-1, -2), 0, 0)], [],
                                      FixedEnergy(600.0), lambda: pair_pair_volume(3.6e5, (MB, MW), (MB, MW))),
    "4-jet t-chain": ([0] * 6, [], [(2, 0, 0), (3, 0, 0), (4, 0, 0)], FixedEnergy(1000.0),
                      lambda: massless_volume(4, 1e6)),
    "4-jet s-pairs": ([0] * 6, [((2, 3), 0, 0), ((4, 5), 0, 0)], [(-1, 0, 0)], FixedEnergy(1000.0),
                      lambda: massless_volume(4, 1e6)),
    "4-jet 4-vertex split": ([0] * 6, [((3, 4, 5), 0, 0)], [(2, 0, 0)], FixedEnergy(1000.0),
                             lambda: massless_volume(4, 1e6)),
    "ttj 2->5": ([0, 0, MB, MW, MB, MW, 0], [((2, 3), MT, WT, True), ((4, 5), MT, WT, True)],
                 [(6, 0, 0), (-1, MT, WT)], FixedEnergy(600.0), None),
    "dy Z lumi": ([0, 0, 0, 0], [((2, 3), MZ, WZ)], [], Luminosity(150.0, 400.0, 20.0),
                  lambda: 1 / (8 * math.pi) * (1 - TAU0 + TAU0 * math.log(TAU0))),
    "dy power lumi": ([0, 0, 0, 0], [], [(2, 0, 0)], Luminosity(150.0, 400.0, 20.0),
                      lambda: 1 / (8 * math.pi) * (1 - TAU0 + TAU0 * math.log(TAU0))),
    "gg>tt lumi": ([0, 0, MT, MT], [], [(2, MT, WT)], Luminosity(6500.0, 6500.0),
                   lambda: integrate.quad(lambda tau: -math.log(tau) * two_body_volume(tau * 1.69e8, MT, MT),
                                          4 * MT**2 / 1.69e8, 1, epsrel=1e-10, limit=200)[0]),
}
FIXED = [k for k, v in CHANNELS.items() if isinstance(v[3], FixedEnergy)]


def mapping(name: str) -> ChannelMapping:
    masses, s, t, energy, _ = CHANNELS[name]
    return ChannelMapping(Topology.from_propagators(masses, s, t), energy)


def minkowski(p):
    return p[..., 0] ** 2 - (p[..., 1:] ** 2).sum(-1)


@pytest.mark.parametrize("name", CHANNELS)
def test_dimension_is_3n_minus_4(name):
    cm = mapping(name)
    n = cm.topology.n_final
    assert cm.dim == 3 * n - 4 + (2 if isinstance(cm.energy, Luminosity) else 0)


@pytest.mark.parametrize("name", CHANNELS)
def test_momentum_conservation_and_on_shell(name):
    cm = mapping(name)
    r = np.random.default_rng(11).random((20_000, cm.dim))
    ev = cm.map(r)
    ok = ev.weight > 0
    assert ok.mean() > 0.99, "almost every point of the unit cube is a physical point"
    p, masses = ev.momenta[ok], np.array(cm.topology.masses)
    scale = p[..., 0].max(axis=1)
    balance = p[:, 0] + p[:, 1] - p[:, 2:].sum(axis=1)
    assert np.all(np.abs(balance).max(axis=1) < 1e-9 * scale)
    # on-shell to 1e-9 relative, |p^2 - m^2| < 1e-9 E^2, with a floor of 1e-12 of the event scale squared
    # (the rounding of a boost of a soft particle)
    assert np.all(np.abs(minkowski(p) - masses**2) < 1e-9 * p[..., 0] ** 2 + 1e-12 * scale[:, None] ** 2)
    if isinstance(cm.energy, Luminosity):
        e1, e2 = cm.energy.beam_energy1, cm.energy.beam_energy2
        np.testing.assert_allclose(p[:, 0, 0], ev.x[ok, 0] * e1, rtol=1e-12)
        np.testing.assert_allclose(p[:, 1, 0], ev.x[ok, 1] * e2, rtol=1e-12)
        assert np.all((ev.x[ok] > 0) & (ev.x[ok] <= 1))
    else:
        np.testing.assert_allclose(p[:, :2].sum(axis=1), [[cm.energy.sqrt_s, 0, 0, 0]] * len(p), atol=1e-9 * cm.energy.sqrt_s)


@pytest.mark.parametrize("name", CHANNELS)
def test_inverse_returns_r_and_the_same_weight(name):
    cm = mapping(name)
    # Interior points: near the faces of the cube the power-law maps (r^5 for nu = 0.8) reach -t/s or
    # m^2/s < 1e-14, where an azimuth about a nearly collinear axis, or a decay angle of a system boosted
    # by gamma > 1e4, is not representable in double-precision momenta.
    r = 0.1 + 0.8 * np.random.default_rng(12).random((20_000, cm.dim))
    ev = cm.map(r)
    inv = cm.inverse(ev.momenta)
    assert np.all(ev.weight > 0)
    np.testing.assert_allclose(inv.r, r, rtol=0, atol=1e-9)
    np.testing.assert_allclose(inv.weight, ev.weight, rtol=1e-9)
    np.testing.assert_allclose(inv.x, ev.x, rtol=1e-12)
    # over the whole cube, the degenerate corners are rare
    r = np.random.default_rng(13).random((20_000, cm.dim))
    ev = cm.map(r)
    inv = cm.inverse(ev.momenta)
    good = ev.weight > 0
    # a massless pair at s / s_max = r^5 < 1e-8 (r < 0.025) has gamma > 1e4: a few percent of the cube
    assert np.mean(np.abs(inv.r - r)[good].max(axis=1) > 1e-6) < 0.03


@pytest.mark.parametrize("name", CHANNELS)
def test_normalisation_against_the_phase_space_volume(name):
    masses, _, _, energy, reference = CHANNELS[name]
    cm = mapping(name)
    n_events = 400_000
    w = cm.map(np.random.default_rng(14).random((n_events, cm.dim))).weight
    mean, err = w.mean(), w.std() / math.sqrt(n_events)
    if reference is None:
        # the flat RAMBO estimate inside the same on-shell windows
        rambo = Rambo(energy.sqrt_s, masses)
        ev = rambo.map(np.random.default_rng(15).random((2_000_000, rambo.dim)))
        p = ev.momenta
        inside = np.ones(len(p), bool)
        for legs in ((2, 3), (4, 5)):
            m2 = minkowski(p[:, legs[0]] + p[:, legs[1]])
            lo, hi = window(MT, WT)
            inside &= (m2 > lo) & (m2 < hi)
        wr = np.where(inside, ev.weight, 0.0)
        ref, ref_err = wr.mean(), wr.std() / math.sqrt(len(wr))
    else:
        ref, ref_err = reference(), 0.0
    assert err < 0.05 * mean, "the sample is large enough for a meaningful comparison"
    assert abs(mean - ref) <= 5 * math.hypot(err, ref_err) + 1e-12 * ref, (mean, err, ref, ref_err)


# pairs of channels of the same process: the map r_A -> momenta -> r_B has the Jacobian determinant
# |d r_B / d r_A| = w_A(r_A) / w_B(r_B), checked against central finite differences.
PAIRS = [
    ("ee>Zh>mumuh", "ee>vvh WW-fusion"),
    ("gg>ttx>bWbW wide tops", "gg>ttx>bWbW wide tops s-gluon"),
    ("4-jet t-chain", "4-jet s-pairs"),
    ("4-jet 4-vertex split", "4-jet t-chain"),
    ("ud>ud t-gluon", "ee>Z>mumu@1000"),
    ("dy Z lumi", "dy power lumi"),
]


@pytest.mark.parametrize("a,b", PAIRS)
def test_jacobian_against_finite_differences(a, b):
    ma, mb = mapping(a), mapping(b)
    assert ma.dim == mb.dim
    r = 0.1 + 0.8 * np.random.default_rng(16).random((12, ma.dim))
    h = 1e-6
    # central differences of r_B(r_A): 2 dim shifted copies of every point, one batch
    shifts = np.concatenate([np.eye(ma.dim) * h, -np.eye(ma.dim) * h])
    pts = (r[:, None, :] + shifts[None]).reshape(-1, ma.dim)
    rb = mb.inverse(ma.map(pts).momenta).r.reshape(len(r), 2, ma.dim, mb.dim)
    jac = (rb[:, 0] - rb[:, 1]) / (2 * h)  # (event, d r_A index, d r_B index)
    det = np.abs(np.linalg.det(jac))
    ev = ma.map(r)
    wb = mb.inverse(ev.momenta).weight
    np.testing.assert_allclose(det, ev.weight / wb, rtol=1e-5)


def test_rambo_massless_weight_is_the_volume_and_momenta_are_physical():
    rambo = Rambo(500.0, [0] * 7)
    ev = rambo.map(np.random.default_rng(17).random((10_000, rambo.dim)))
    np.testing.assert_allclose(ev.weight, massless_volume(5, 2.5e5), rtol=1e-13)
    p = ev.momenta
    np.testing.assert_allclose(p[:, 2:].sum(axis=1), [[500.0, 0, 0, 0]] * len(p), atol=1e-9 * 500)
    assert np.all(np.abs(minkowski(p[:, 2:])) < 1e-9 * p[:, 2:, 0] ** 2 + 1e-12 * 500.0**2)


@pytest.mark.parametrize("masses", [[0, 0, MT, MT], [0, 0, MB, MW, MB, MW], [0, 0, 0, 0, MH]])
def test_rambo_massive_volume(masses):
    sqrt_s = 500.0 if len(masses) != 4 else 400.0
    s_scale = sqrt_s**2
    rambo = Rambo(sqrt_s, masses)
    ev = rambo.map(np.random.default_rng(18).random((400_000, rambo.dim)))
    p = ev.momenta
    assert np.all(np.abs(minkowski(p[:, 2:]) - np.square(masses[2:])) < 1e-9 * p[:, 2:, 0] ** 2 + 1e-12 * s_scale)
    s = sqrt_s**2
    ref = {4: lambda: two_body_volume(s, MT, MT), 5: lambda: three_body_volume(s, (0, 0), MH),
           6: lambda: pair_pair_volume(s, (MB, MW), (MB, MW))}[len(masses)]()
    if len(masses) == 4:
        np.testing.assert_allclose(ev.weight, ref, rtol=1e-10)  # exact for two particles
    mean, err = ev.weight.mean(), ev.weight.std() / math.sqrt(len(p))
    assert abs(mean - ref) < 5 * err + 1e-12 * ref


@pytest.mark.parametrize("name", ["4-jet t-chain", "4-jet s-pairs", "ee>vvh WW-fusion"])
def test_smooth_integral_agrees_with_rambo(name):
    masses, _, _, energy, _ = CHANNELS[name]
    s = energy.sqrt_s**2

    def f(p):  # smooth, positive, Lorentz-invariant test function
        return 1 + 4 * (minkowski(p[:, 2] + p[:, 3]) / s) ** 2 + np.abs(minkowski(p[:, 0] - p[:, 2])) / s

    cm = mapping(name)
    ev = cm.map(np.random.default_rng(19).random((400_000, cm.dim)))
    rambo = Rambo(energy.sqrt_s, masses)
    er = rambo.map(np.random.default_rng(20).random((400_000, rambo.dim)))
    vals = [ev.weight * f(ev.momenta), er.weight * f(er.momenta)]
    means = [v.mean() for v in vals]
    errs = [v.std() / math.sqrt(len(v)) for v in vals]
    assert abs(means[0] - means[1]) < 5 * math.hypot(*errs), (means, errs)


def test_below_threshold_gives_zero_weight():
    cm = ChannelMapping(Topology.from_propagators([0, 0, MT, MT], [], [(2, MT, WT)]), FixedEnergy(300.0))
    ev = cm.map(np.full((4, 2), 0.5))
    assert np.all(ev.weight == 0) and np.all(ev.momenta == 0)


def test_inverse_is_zero_outside_an_on_shell_window():
    wide = mapping("gg>ttx>bWbW wide tops")
    onshell = ChannelMapping(Topology.from_propagators(M4_TT, [((2, 3), MT, WT, True), ((4, 5), MT, WT, True)],
                                                       [(-1, MT, WT)]), FixedEnergy(600.0))
    ev = wide.map(np.random.default_rng(21).random((20_000, wide.dim)))
    inv = onshell.inverse(ev.momenta)
    lo, hi = window(MT, WT)
    m23, m45 = minkowski(ev.momenta[:, 2] + ev.momenta[:, 3]), minkowski(ev.momenta[:, 4] + ev.momenta[:, 5])
    inside = (m23 > lo) & (m23 < hi) & (m45 > lo) & (m45 < hi)
    assert 0 < inside.sum() < len(inside)
    assert np.all(inv.weight[~inside] == 0)
    assert np.all(inv.weight[inside] > 0)


def test_minimum_invariant_masses_from_cuts():
    cut = ChannelMapping(Topology.from_propagators([0] * 6, [((2, 3), 0, 0), ((4, 5), 0, 0)], [(-1, 0, 0)],
                                                   min_masses={(2, 3): 20.0, (4, 5): 30.0}), FixedEnergy(1000.0))
    ev = cut.map(np.random.default_rng(23).random((20_000, cut.dim)))
    assert np.mean(ev.weight > 0) > 0.98  # zero only where the first pair leaves no room for the second
    p = ev.momenta[ev.weight > 0]
    assert minkowski(p[:, 2] + p[:, 3]).min() > 20.0**2 * (1 - 1e-9)
    assert minkowski(p[:, 4] + p[:, 5]).min() > 30.0**2 * (1 - 1e-9)
    # the same momenta in the uncut channel: its weight is the same function of the momenta
    free = mapping("4-jet s-pairs")
    full = free.map(np.random.default_rng(24).random((20_000, free.dim)))
    below = minkowski(full.momenta[:, 2] + full.momenta[:, 3]) < 20.0**2
    assert np.all(cut.inverse(full.momenta).weight[below] == 0)
    with pytest.raises(ValueError, match="no s-channel"):
        Topology.from_propagators([0] * 6, [], [(2, 0, 0), (3, 0, 0), (4, 0, 0)], min_masses={(2, 3): 5.0})


def test_topology_description_and_errors():
    t = Topology.from_propagators(M4_TT, [((2, 3), MT, WT), ((4, 5), MT, WT)], [(-1, MT, WT)])
    assert t.n_final == 4 and t.dim == 8
    assert "chain a | 23 | 45 | b" in str(t)
    # the same tree named by legs instead of references
    t2 = Topology.from_propagators([0] * 7, [((2, 3), 0, 0), ((2, 3, 4), MT, WT)], [(5, 0, 0), (6, 0, 0)])
    assert t2.dim == 11
    with pytest.raises(ValueError, match="overlap"):
        Topology.from_propagators([0] * 6, [((2, 3), 0, 0), ((3, 4), 0, 0)], [(5, 0, 0)])
    with pytest.raises(ValueError, match="not a final leg"):
        Topology.from_propagators([0] * 4, [((2, 7), 0, 0)])
    with pytest.raises(ValueError, match="exactly one block"):
        Topology.from_propagators([0] * 6, [], [(2, 0, 0)])
    with pytest.raises(ValueError, match="nu"):
        Topology.from_propagators([0] * 4, [], [(2, 0, 0)], nu=1.0)
    with pytest.raises(ValueError, match="massless incoming"):
        ChannelMapping(Topology.from_propagators([1, 1, 0, 0], [], [(2, 0, 0)]), Luminosity(100, 100))
    cm = mapping("ud>ud t-gluon")
    with pytest.raises(ValueError, match="columns"):
        cm.map(np.zeros((3, 5)))


def test_torch_tensors_pass_through():
    torch = pytest.importorskip("torch")
    cm = mapping("4-jet t-chain")
    r = np.random.default_rng(22).random((100, cm.dim))
    ev_np = cm.map(r)
    ev_t = cm.map(torch.from_numpy(r))
    assert isinstance(ev_t.weight, torch.Tensor)
    np.testing.assert_array_equal(ev_t.weight.numpy(), ev_np.weight)
    inv = cm.inverse(ev_t.momenta)
    np.testing.assert_allclose(inv.r.numpy(), r, atol=1e-9)


@pytest.mark.parametrize("name", CHANNELS)
def test_faces_of_the_cube_give_finite_weights(name):
    """Flows in float32 put points on the faces of the cube (r = 0, 1, 1 - 2^-24): the weight stays finite and
    >= 0 (0 where no event exists, e.g. a massless pair at zero invariant mass) and x a momentum fraction
    (x = 1 + 1e-16 made the PDF refuse the point)."""
    cm = mapping(name)
    rng = np.random.default_rng(13)
    r = rng.random((20_000, cm.dim))
    faces = rng.choice(np.array([0.0, 1.0, 1.0 - 2.0**-24, 2.0**-24]), size=r.shape)
    r = np.where(rng.random(r.shape) < 0.3, faces, r)
    ev = cm.map(r)
    assert np.all(np.isfinite(ev.weight)) and np.all(ev.weight >= 0)
    assert np.all(np.isfinite(ev.momenta[ev.weight > 0]))
    assert np.all((ev.x >= 0) & (ev.x <= 1))
