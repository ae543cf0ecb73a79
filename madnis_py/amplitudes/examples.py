"""Hand-written amplitude programs that mirror MadGraph's standalone output call by call (HELAS call order,
fermion flows, colour coefficients as in MadGraph 3.5's CPPProcess.cc). They validate the engine against
MadGraph's numbers and serve the benchmarks; processes in general come from the diagram generator.

Couplings of the UFO ``sm`` model used here: GC_10 = -G (VVV1), GC_11 = i G (FFV1 quark-gluon),
GC_12 = i G^2 (VVVV1/3/4), GC_3 = -i e, GC_50 = -i cw e / (2 sw), GC_59 = i e sw / (2 cw).
"""

from __future__ import annotations

import numpy as np

from madnis_py.amplitudes.colour import ColourSpace, colour_matrix, quark_line_permutation_basis
from madnis_py.amplitudes.program import Program, ProgramBuilder

__all__ = ["ee_mumu", "gg_ttx", "gg_ttxg"]


def ee_mumu(ee: float, sw: float, cw: float, mz: float, wz: float) -> Program:
    """e+ e- > mu+ mu- (particles e+ e- mu+ mu-): photon and Z exchange."""
    b = ProgramBuilder(n_particles=4, n_flows=1)
    w0 = b.external("o", 0, nsf=-1)
    w1 = b.external("i", 1, nsf=+1)
    w2 = b.external("i", 2, nsf=-1)
    w3 = b.external("o", 3, nsf=+1)
    gc3 = b.coupling(-1j * ee)
    gc50 = b.coupling(-1j * cw * ee / (2 * sw))
    gc59 = b.coupling(1j * ee * sw / (2 * cw))
    w4 = b.current("FFV1", gc3, [w1, w0], leg=3)
    b.amplitude("FFV1", gc3, [w2, w3, w4], diagram=0, colour={0: -1})
    w5 = b.current(["FFV2", "FFV4"], [gc50, gc59], [w1, w0], leg=3, mass=mz, width=wz)
    b.amplitude(["FFV2", "FFV4"], [gc50, gc59], [w2, w3, w5], diagram=1, colour={0: -1})
    return b.build(colour_matrix=np.ones((1, 1)), factor=1.0 / 4.0)


def _qcd_couplings(b: ProgramBuilder):
    return b.coupling(-1.0, power=1), b.coupling(1j, power=1), b.coupling(1j, power=2)


def gg_ttx(mt: float, wt: float) -> Program:
    """g g > t t~ (particles g g t t~): 3 diagrams, colour flows (T^a1 T^a2)_{t tbar}, (T^a2 T^a1)_{t tbar}."""
    b = ProgramBuilder(n_particles=4, n_flows=2)
    gc10, gc11, _ = _qcd_couplings(b)
    w0 = b.external("v", 0, nsf=-1)
    w1 = b.external("v", 1, nsf=-1)
    w2 = b.external("o", 2, nsf=+1, mass=mt)
    w3 = b.external("i", 3, nsf=-1, mass=mt)
    w4 = b.current("VVV1", gc10, [w0, w1], leg=1)
    b.amplitude("FFV1", gc11, [w3, w2, w4], diagram=0, colour={0: 1j, 1: -1j})
    w5 = b.current("FFV1", gc11, [w2, w0], leg=1, mass=mt, width=wt)
    b.amplitude("FFV1", gc11, [w3, w5, w1], diagram=1, colour={0: -1})
    w6 = b.current("FFV1", gc11, [w3, w0], leg=2, mass=mt, width=wt)
    b.amplitude("FFV1", gc11, [w6, w2, w1], diagram=2, colour={1: -1})
    space = ColourSpace(["8", "8", "3", "3"])
    cm = colour_matrix(quark_line_permutation_basis(space, [0, 1], 2, 3))
    return b.build(colour_matrix=cm, factor=1.0 / 256.0)


def gg_ttxg(mt: float, wt: float) -> Program:
    """g g > t t~ g (particles g g t t~ g): 16 diagrams (18 amplitudes), 6 colour flows
    (T^{s1} T^{s2} T^{s3})_{t tbar} over the permutations s of the gluons (1, 2, 5) in lexicographic order."""
    b = ProgramBuilder(n_particles=5, n_flows=6)
    gc10, gc11, gc12 = _qcd_couplings(b)
    w0 = b.external("v", 0, nsf=-1)
    w1 = b.external("v", 1, nsf=-1)
    w2 = b.external("o", 2, nsf=+1, mass=mt)
    w3 = b.external("i", 3, nsf=-1, mass=mt)
    w4 = b.external("v", 4, nsf=+1)
    I = 1j
    w5 = b.current("VVV1", gc10, [w0, w1], leg=1)
    w6 = b.current("FFV1", gc11, [w3, w2], leg=3)
    b.amplitude("VVV1", gc10, [w5, w6, w4], diagram=0, colour={0: -1, 2: 1, 4: 1, 5: -1})
    w7 = b.current("FFV1", gc11, [w2, w4], leg=1, mass=mt, width=wt)
    b.amplitude("FFV1", gc11, [w3, w7, w5], diagram=1, colour={4: I, 5: -I})
    w8 = b.current("FFV1", gc11, [w3, w4], leg=2, mass=mt, width=wt)
    b.amplitude("FFV1", gc11, [w8, w2, w5], diagram=2, colour={0: I, 2: -I})
    w5b = b.current("FFV1", gc11, [w2, w0], leg=1, mass=mt, width=wt)
    w9 = b.current("FFV1", gc11, [w3, w1], leg=2, mass=mt, width=wt)
    b.amplitude("FFV1", gc11, [w9, w5b, w4], diagram=3, colour={1: -1})
    w10 = b.current("VVV1", gc10, [w1, w4], leg=1)
    b.amplitude("FFV1", gc11, [w3, w5b, w10], diagram=4, colour={0: I, 1: -I})
    b.amplitude("FFV1", gc11, [w8, w5b, w1], diagram=5, colour={0: -1})
    w5c = b.current("FFV1", gc11, [w3, w0], leg=2, mass=mt, width=wt)
    w11 = b.current("FFV1", gc11, [w2, w1], leg=1, mass=mt, width=wt)
    b.amplitude("FFV1", gc11, [w5c, w11, w4], diagram=6, colour={3: -1})
    b.amplitude("FFV1", gc11, [w5c, w2, w10], diagram=7, colour={3: I, 5: -I})
    b.amplitude("FFV1", gc11, [w5c, w7, w1], diagram=8, colour={5: -1})
    w5d = b.current("VVV1", gc10, [w0, w4], leg=1)
    b.amplitude("FFV1", gc11, [w3, w11, w5d], diagram=9, colour={2: I, 3: -I})
    b.amplitude("FFV1", gc11, [w9, w2, w5d], diagram=10, colour={1: I, 4: -I})
    b.amplitude("VVV1", gc10, [w5d, w1, w6], diagram=11, colour={1: 1, 2: -1, 3: 1, 4: -1})
    b.amplitude("FFV1", gc11, [w8, w11, w0], diagram=12, colour={2: -1})
    b.amplitude("FFV1", gc11, [w9, w7, w0], diagram=13, colour={4: -1})
    b.amplitude("VVV1", gc10, [w0, w10, w6], diagram=14, colour={0: 1, 1: -1, 3: -1, 5: 1})
    w12 = b.current("VVVV1", gc12, [w0, w1, w4], leg=1)
    w13 = b.current("VVVV3", gc12, [w0, w1, w4], leg=1)
    w14 = b.current("VVVV4", gc12, [w0, w1, w4], leg=1)
    b.amplitude("FFV1", gc11, [w3, w2, w12], diagram=15, colour={0: 1, 1: -1, 3: -1, 5: 1})
    b.amplitude("FFV1", gc11, [w3, w2, w13], diagram=15, colour={1: -1, 2: 1, 3: -1, 4: 1})
    b.amplitude("FFV1", gc11, [w3, w2, w14], diagram=15, colour={0: -1, 2: 1, 4: 1, 5: -1})
    space = ColourSpace(["8", "8", "3", "3", "8"])
    cm = colour_matrix(quark_line_permutation_basis(space, [0, 1, 4], 2, 3))
    return b.build(colour_matrix=cm, factor=1.0 / 256.0)
