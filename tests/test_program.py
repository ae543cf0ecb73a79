"""Program building: validation errors, helicity ordering and the reuse of unchanged sub-amplitudes."""

from __future__ import annotations

import numpy as np
import pytest

from madnis_py.amplitudes import ProgramBuilder
from madnis_py.amplitudes.examples import gg_ttxg
from madnis_py.amplitudes.program import order_helicities


def test_order_helicities_is_a_gray_code_for_complete_sets():
    b = ProgramBuilder(5)
    for p in range(5):
        b.external("v", p, nsf=1)
    hel = b.all_helicities()
    ordered = order_helicities(hel)
    assert sorted(map(tuple, ordered)) == sorted(map(tuple, hel))
    assert np.all((ordered[1:] != ordered[:-1]).sum(1) == 1)


def test_reuse_is_enabled_and_order_does_not_matter():
    rng = np.random.default_rng(0)
    program = gg_ttxg(173.0, 1.4915)
    mom = np.zeros((3, 5, 4))
    mom[:, 0] = [500, 0, 0, 500]
    mom[:, 1] = [500, 0, 0, -500]
    # a fixed valid point: t, t~, g back to back pairs rotated
    k = 300.0
    for e in range(3):
        ct, phi = rng.uniform(-1, 1), rng.uniform(0, 2 * np.pi)
        st = np.sqrt(1 - ct**2)
        n = np.array([st * np.cos(phi), st * np.sin(phi), ct])
        mom[e, 4] = [k, *(k * n)]
        q = np.array([1000.0 - k, *(-k * n)])  # t t~ system
        m2 = q[0] ** 2 - k**2
        pt = np.sqrt(m2 / 4 - 173.0**2)
        u = np.cross(n, [0, 0, 1.0])
        u /= np.linalg.norm(u)
        p_rest = np.array([np.sqrt(m2) / 2, *(pt * u)])
        # boost from the t t~ rest frame
        bvec = q[1:] / q[0]
        gam = q[0] / np.sqrt(m2)
        bp = bvec @ p_rest[1:]
        e1 = gam * (p_rest[0] + bp)
        p1 = p_rest[1:] + ((gam - 1) * bp / (bvec @ bvec) + gam * p_rest[0]) * bvec
        mom[e, 2] = [e1, *p1]
        mom[e, 3] = q - mom[e, 2]
    me = program.compile()
    assert me._core_program.reuses_across_helicities
    shuffled = program.helicities[rng.permutation(len(program.helicities))]
    from madnis_py.amplitudes.program import Program

    unordered = Program(**{**program.__dict__, "helicities": np.ascontiguousarray(shuffled)}).compile()
    np.testing.assert_allclose(unordered(mom), me(mom), rtol=1e-13)


def test_builder_rejects_bad_input():
    b = ProgramBuilder(4)
    with pytest.raises(ValueError, match="unknown wavefunction kind"):
        b.external("x", 0, nsf=1)
    w0 = b.external("v", 0, nsf=-1)
    c = b.coupling(1.0)
    with pytest.raises(ValueError, match="unknown Lorentz"):
        b.current("XYZ1", c, [w0, w0], leg=1)
    with pytest.raises(ValueError, match="takes 2 input"):
        b.current("VVV1", c, [w0], leg=1)
    with pytest.raises(ValueError, match="not registered"):
        b.current("VVV1", 5, [w0, w0], leg=1)


@pytest.mark.parametrize(
    "process, masses",
    [("g g > t t~ g", [0, 0, 173.0, 173.0, 0]), ("e+ e- > mu+ mu-", [0, 0, 0, 0]), ("u u~ > e+ e- g", [0] * 5)],
)
def test_open_leg_summation_matches_plain_summation(process, masses):
    """The CPU driver sums the helicities of a particle that enters every amplitude directly by contracting
    amplitudes computed once with that leg open. A second, unused external wavefunction of that particle rules the
    particle out, so the plain summation runs on the same program; both must agree (|M|^2, AMP2, per helicity)."""
    import madnis_py
    from madnis_py.amplitudes import sample_momenta
    from madnis_py.amplitudes.program import MatrixElement, Program

    me = madnis_py.matrix_element(process)
    assert me.compiled._core_program.open_leg_particle >= 0
    plain = me.compiled
    while (p_open := plain._core_program.open_leg_particle) >= 0:  # rule out every eligible particle
        program = plain.program
        instr, row = program.instructions, (program.instructions[:, 0] == 0) & (program.instructions[:, 2] == p_open)
        ext = instr[row][0].copy()
        ext[1] = instr[instr[:, 0] != 2, 1].max() + 1  # a fresh slot, read by nothing
        plain = MatrixElement(Program(**{**program.__dict__, "instructions": np.vstack([instr, ext[None]]),
                                         "fparams": np.vstack([program.fparams, program.fparams[row][:1]])}))
    mom = sample_momenta(masses, 1000.0, 37, seed=2)  # 37: not a multiple of the SIMD width
    alpha_s = np.linspace(0.1, 0.13, len(mom))
    got = me.compiled.evaluate(mom, alpha_s, amp2=True, helicities=True)
    ref = plain.evaluate(mom, alpha_s, amp2=True, helicities=True)
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13 * np.abs(b).max())
