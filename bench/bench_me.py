"""Matrix elements per second on the CPU (one thread by default), helicity and colour summed, double precision.

    python bench/bench_me.py [--threads N] [--events N]

One line per process, built by the diagram generator exactly as `madnis-py launch` builds it, evaluated on
flat (RAMBO) phase-space points at sqrt(s) = 1 TeV. For comparison, measured on this kind of machine (one core,
g g > t t~ g g): MadGraph5's Fortran 2.2e3/s; madgraph4gpu cudacpp 3.1e3/s scalar, 1.4e4/s AVX2, 1.9e4/s AVX-512.
"""

from __future__ import annotations

import argparse
import time

import madnis_py
from madnis_py.amplitudes import sample_momenta
from madnis_py.core import _core

PROCESSES = ("e+ e- > mu+ mu-", "g g > t t~", "g g > t t~ g", "g g > t t~ g g")
MADGRAPH_FORTRAN_GGTTGG = 2.2e3


def rate(me, momenta, alpha_s: float, min_seconds: float = 1.0) -> float:
    me(momenta[:64], alpha_s)  # warm-up
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        me(momenta, alpha_s)
        calls += len(momenta)
    return calls / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--events", type=int, default=4096)
    args = ap.parse_args()
    _core.set_num_threads(args.threads)
    print(f"{'process':<20} {'diagrams':>8} {'helicities':>10} {'ME/s':>10}   ({args.threads} thread(s))")
    for process in PROCESSES:
        me = madnis_py.matrix_element(process)
        masses = [0.0, 0.0] + [173.0 if name in ("t", "t~") else 0.0 for name in process.split()[3:]]
        n = args.events if me.n_diagrams < 100 else args.events // 4
        momenta = sample_momenta(masses, 1000.0, n, seed=1)
        r = rate(me, momenta, 0.118)
        print(f"{process:<20} {me.n_diagrams:>8} {me.n_helicities:>10} {r:>10.3g}")
        if process == "g g > t t~ g g":
            print(f"  MadGraph5 Fortran (same machine type, one core): {MADGRAPH_FORTRAN_GGTTGG:.2g}/s;"
                  f" ratio {r / MADGRAPH_FORTRAN_GGTTGG:.2f}")


if __name__ == "__main__":
    main()
