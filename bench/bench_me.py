"""Matrix elements per second of the amplitude engine (CPU, one thread by default), helicity and colour summed.

    python bench/bench_me.py [--threads N] [--events N]

Prints one line per process. Momenta are flat (RAMBO) phase-space points at sqrt(s) = 1 TeV; helicities are
filtered first (combinations that vanish on 16 sample events are dropped, as MadGraph does).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from madnis_py.amplitudes.examples import ee_mumu, gg_ttx, gg_ttxg
from madnis_py.core import _core

# sm defaults (param_card of MadGraph 3.5)
MZ, WZ, MT, WT = 91.188, 2.441404, 173.0, 1.4915
EE, SW, CW = 0.30795376724436879, 0.48082172235878958, 0.87680100000000001


def rambo(rng, n, sqrt_s, masses):
    """Flat n-body phase space (massive RAMBO): returns (n, 2 + len(masses), 4) with the beams along z."""
    nf = len(masses)
    masses = np.asarray(masses, dtype=float)
    c = 2 * rng.random((n, nf)) - 1
    phi = 2 * np.pi * rng.random((n, nf))
    q0 = -np.log(rng.random((n, nf)) * rng.random((n, nf)))
    s = np.sqrt(1 - c**2)
    q = np.stack([q0, q0 * s * np.cos(phi), q0 * s * np.sin(phi), q0 * c], -1)
    r = q.sum(1)
    rm = np.sqrt(r[:, 0] ** 2 - (r[:, 1:] ** 2).sum(-1))
    b = -r[:, 1:] / rm[:, None]
    g = r[:, :1] / rm[:, None]
    a = 1 / (1 + g)
    x = sqrt_s / rm
    bq = (b[:, None, :] * q[..., 1:]).sum(-1)
    p0 = x[:, None] * (g * q[..., 0] + bq)
    p3 = x[:, None, None] * (q[..., 1:] + b[:, None, :] * q[..., :1] + (a * bq)[..., None] * b[:, None, :])
    p = np.concatenate([p0[..., None], p3], -1)
    if np.any(masses > 0):  # rescale momenta for the masses (Newton iteration on xi)
        e = p[..., 0]
        xi = np.full(n, 0.9)
        for _ in range(50):
            ee = np.sqrt(masses**2 + (xi[:, None] * e) ** 2)
            f = ee.sum(1) - sqrt_s
            df = (xi[:, None] * e**2 / ee).sum(1)
            xi = xi - f / df
        p[..., 1:] *= xi[:, None, None]
        p[..., 0] = np.sqrt(masses**2 + (p[..., 1:] ** 2).sum(-1))
    beams = np.zeros((n, 2, 4))
    beams[:, 0] = [sqrt_s / 2, 0, 0, sqrt_s / 2]
    beams[:, 1] = [sqrt_s / 2, 0, 0, -sqrt_s / 2]
    return np.ascontiguousarray(np.concatenate([beams, p], 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--events", type=int, default=0, help="events per process (default: about 2 s each)")
    args = ap.parse_args()
    _core.set_num_threads(args.threads)
    rng = np.random.default_rng(42)
    cases = [
        ("e+ e- > mu+ mu-", ee_mumu(EE, SW, CW, MZ, WZ), [0.0, 0.0], 400_000),
        ("g g > t t~", gg_ttx(MT, WT), [MT, MT], 200_000),
        ("g g > t t~ g", gg_ttxg(MT, WT), [MT, MT, 0.0], 20_000),
    ]
    print(f"# madnis-py amplitude engine, CPU, {args.threads} thread(s)")
    print(f"# {'process':<20} {'hel':>4} {'diagrams':>8} {'events':>9} {'ME/s':>12}")
    for name, program, masses, n_default in cases:
        n = args.events or n_default
        me = program.compile()
        sample = rambo(rng, 16, 1000.0, masses)
        me = me.filter_helicities(sample)
        mom = rambo(rng, n, 1000.0, masses)
        me(mom[:1000])  # warm up
        t0 = time.perf_counter()
        out = me(mom)
        dt = time.perf_counter() - t0
        assert np.all(np.isfinite(out)) and np.all(out > 0)
        print(f"  {name:<20} {me.n_helicities:>4} {me.n_diagrams:>8} {n:>9} {n / dt:>12.4g}")


if __name__ == "__main__":
    main()
