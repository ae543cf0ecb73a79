"""e+ e- > mu+ mu- (photon and Z exchange) against MadGraph 3.5 standalone, built by hand as MadGraph writes it."""

from __future__ import annotations

import numpy as np
import pytest

from madnis_py.amplitudes import ProgramBuilder
from madnis_py.amplitudes.examples import ee_mumu
from mg_reference import SMParameters, read_dump
from refdata_paths import refdata_file


def ee_mumu_program(sm: SMParameters):
    """The HELAS calls of MadGraph's P1_Sigma_sm_epem_mupmum (particles e+ e- mu+ mu-)."""
    b = ProgramBuilder(n_particles=4, n_flows=1)
    w0 = b.external("o", 0, nsf=-1)  # e+ incoming: vbar
    w1 = b.external("i", 1, nsf=+1)  # e- incoming: u
    w2 = b.external("i", 2, nsf=-1)  # mu+ outgoing: v
    w3 = b.external("o", 3, nsf=+1)  # mu- outgoing: ubar
    gc3, gc50, gc59 = b.coupling(sm.GC_3), b.coupling(sm.GC_50), b.coupling(sm.GC_59)
    w4 = b.current("FFV1", gc3, [w1, w0], leg=3)  # FFV1P0_3: photon
    b.amplitude("FFV1", gc3, [w2, w3, w4], diagram=0, colour={0: -1})
    w5 = b.current(["FFV2", "FFV4"], [gc50, gc59], [w1, w0], leg=3, mass=sm.MZ, width=sm.WZ)  # FFV2_4_3: Z
    b.amplitude(["FFV2", "FFV4"], [gc50, gc59], [w2, w3, w5], diagram=1, colour={0: -1})
    return b.build(colour_matrix=np.ones((1, 1)), factor=1.0 / 4.0)


@pytest.fixture(scope="module")
def ref():
    dump = read_dump(refdata_file("me", "mg5_standalone", "sa_ee_mumu__me_dump.txt"))
    sm = SMParameters.from_card(refdata_file("me", "mg5_standalone", "sa_ee_mumu__param_card.dat"))
    return dump, sm


def test_parameters_match_dump_header(ref):
    dump, sm = ref
    mw = float(dump.header.split("MT MZ MW MH WT WZ=")[1].split()[2])
    assert sm.MW == pytest.approx(mw, rel=1e-14)


def test_ee_mumu_matches_madgraph(ref):
    dump, sm = ref
    me = ee_mumu_program(sm).compile()
    alpha_s = dump.g**2 / (4 * np.pi)
    got, amp2, _ = me.evaluate(dump.momenta, alpha_s, amp2=True)
    np.testing.assert_allclose(got, dump.me, rtol=1e-10)
    assert amp2.shape == (len(dump.me), 2) and np.all(amp2 > 0)


def test_helicity_filtering_keeps_the_value(ref):
    dump, sm = ref
    me = ee_mumu_program(sm).compile()
    assert me.n_helicities == 16
    filtered = me.filter_helicities(dump.momenta[:4])
    assert filtered.n_helicities == 4  # massless: only opposite helicities in each fermion line
    np.testing.assert_allclose(filtered(dump.momenta), dump.me, rtol=1e-10)


def test_threads_and_chunks_give_the_same_numbers(ref):
    from madnis_py.core import _core

    dump, sm = ref
    me = ee_mumu_program(sm).compile()
    mom = np.tile(dump.momenta, (300, 1, 1))  # more than one chunk
    old = _core.num_threads()
    try:
        _core.set_num_threads(1)
        one = me(mom)
        _core.set_num_threads(2)
        two = me(mom)
    finally:
        _core.set_num_threads(old)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_allclose(one, np.tile(dump.me, 300), rtol=1e-10)


def test_example_program_is_the_same(ref):
    dump, sm = ref
    me = ee_mumu(sm.ee, sm.sw, sm.cw, sm.MZ, sm.WZ).compile()
    np.testing.assert_allclose(me(dump.momenta), dump.me, rtol=1e-10)
