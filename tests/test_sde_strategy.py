"""run_card sde_strategy = 2: channel weights from propagator denominators (MadEvent's, arXiv:2102.00773)."""

import numpy as np

import madnis_py
from refdata_paths import PROJECT_ROOT, madgraph_cross_section


def test_weights_of_photon_and_z_channels_follow_their_propagators():
    gen = madnis_py.EventGenerator.from_process("e+ e- > mu+ mu-", settings={"sde_strategy": 2}, seed=1)
    group = gen.setup.groups[0]
    weights = gen.sampler.channels[0].integrand.channel_weights
    (photon_s, _, _, _), (z_s, _, m_z, w_z) = sorted(t.propagators[0] for t in group.topologies)
    assert not photon_s and not z_s and m_z > 90 and w_z > 2  # one s-channel propagator each: photon, Z
    photon_channel = [t.propagators[0][2] for t in group.topologies].index(0.0)
    for sqrt_s in (60.0, 91.0, 1000.0):
        e = sqrt_s / 2
        momenta = np.array([[[e, 0, 0, e], [e, 0, 0, -e], [e, e, 0, 0], [e, -e, 0, 0]]])
        s = sqrt_s ** 2
        photon, z = 1 / s ** 2, 1 / ((s - m_z ** 2) ** 2 + (m_z * w_z) ** 2)
        alpha = weights(momenta)[0]
        np.testing.assert_allclose(alpha[photon_channel], photon / (photon + z), rtol=1e-12)
        np.testing.assert_allclose(alpha.sum(), 1.0, rtol=1e-14)


def test_cross_section_does_not_depend_on_the_channel_weights():
    # g g > t t~ at 13 TeV with sde_strategy = 2: the same integral, against MadGraph's
    gen = madnis_py.EventGenerator.from_cards(PROJECT_ROOT / "processes" / "gg_tt", settings={"sde_strategy": 2},
                                              seed=2)
    assert all(c.integrand.channel_weights is not None for c in gen.sampler.channels)
    xs = gen.integrate(target_relative_error=2e-3)
    mg_sigma, mg_error = madgraph_cross_section("gg_tt_13TeV")
    assert xs.relative_error <= 2e-3 and abs(xs.value - mg_sigma) < 3 * np.hypot(xs.error, mg_error)
