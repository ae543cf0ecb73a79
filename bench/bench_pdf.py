"""PDF and alpha_s evaluations per second on the CPU driver (one thread, then all threads).

Usage: python bench/bench_pdf.py [n_events]. Prints one line per configuration; never part of the tests.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from madnis_py.alpha_s import AlphaS
from madnis_py.core import _core
from madnis_py.pdf import PDF


def rate(fn, n: int, repeat: int = 5) -> float:
    fn()
    best = min(_timed(fn) for _ in range(repeat))
    return n / best


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(n: int = 1_000_000) -> None:
    pdf = PDF()
    alphas = AlphaS.for_pdf(pdf)
    rng = np.random.default_rng(0)
    x = np.exp(rng.uniform(np.log(1e-6), 0.0, n))
    q = np.exp(rng.uniform(np.log(5.0), np.log(5e3), n))
    x2 = np.exp(rng.uniform(np.log(1e-6), 0.0, n))
    pid = rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 21], size=n).astype(np.int32)
    flavours = [-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 21]
    pairs = ([21, 2, -2, 1, -1], [21, -2, 2, -1, 1])
    print(f"{pdf.name}, {n} points, x in [1e-6, 1], Q in [5, 5000] GeV (log-uniform)")
    threads = _core.num_threads()
    for nt in (1, threads):
        _core.set_num_threads(nt)
        r1 = rate(lambda: pdf.xfxq_per_event(x, q, pid), n)
        r11 = rate(lambda: pdf.xfxq(x, q, flavours), n)
        r2 = rate(lambda: pdf.f1f2(x, x2, q, *pairs), n)
        ra = rate(lambda: alphas(q), n)
        print(f"threads={nt:3d}  xfxQ one flavour/event: {r1 / 1e6:7.2f} M/s   "
              f"11 flavours/event: {r11 / 1e6:7.2f} M events/s ({11 * r11 / 1e6:.1f} M values/s)   "
              f"f1*f2, 5 pairs: {r2 / 1e6:7.2f} M events/s   alpha_s: {ra / 1e6:7.2f} M/s")
    _core.set_num_threads(threads)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
