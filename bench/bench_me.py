"""Matrix elements per second on the CPU (one thread by default), helicity and colour summed, in double and in
single precision.

    python bench/bench_me.py [--threads N] [--events N] [--repeat N]

One line per process, built by the diagram generator exactly as `madnis-py launch` builds it, evaluated on
flat (RAMBO) phase-space points at sqrt(s) = 1 TeV, in double precision and in single precision (float
amplitudes on twice the SIMD lanes, colour sum in double: madgraph4gpu's FPTYPE=m), with the largest relative
deviation of |M|^2 between the two on these (cut-free) points. Each rate is the best of --repeat timings of at
least a second (the machine may be shared). For comparison, measured on this kind of machine (one core,
g g > t t~ g g): MadGraph5's Fortran 2.2e3/s; madgraph4gpu cudacpp 3.1e3/s scalar, 1.4e4/s AVX2, 1.9e4/s
AVX-512 (double). Where a CUDA device is visible (and the core was built with nvcc), a second table gives the
CUDA driver's rate (double) on 64 times more points, with its largest deviation from the CPU's double result.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import madnis_py
from madnis_py.amplitudes import sample_momenta
from madnis_py.core import _core

PROCESSES = ("e+ e- > mu+ mu-", "g g > t t~", "g g > t t~ g", "g g > t t~ g g")
MADGRAPH_FORTRAN_GGTTGG = 2.2e3
CUDACPP_GGTTGG = {"AVX2": 1.4e4, "AVX-512": 1.9e4}  # double precision, one core


def rate(me, momenta, alpha_s: float, precision: str, min_seconds: float = 1.0) -> float:
    """Events per second of me.compiled.evaluate on `momenta` (n, n_particles, 4) GeV."""
    me.compiled.evaluate(momenta[:64], alpha_s, precision=precision)  # warm-up
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < min_seconds:
        me.compiled.evaluate(momenta, alpha_s, precision=precision)
        calls += len(momenta)
    return calls / elapsed


def process_and_points(process: str, n_events: int):
    """The matrix element of `process` and flat points at sqrt(s) = 1 TeV (a quarter as many from 100 diagrams)."""
    me = madnis_py.matrix_element(process)
    masses = [0.0, 0.0] + [173.0 if name in ("t", "t~") else 0.0 for name in process.split()[3:]]
    n = n_events if me.n_diagrams < 100 else n_events // 4
    return me, sample_momenta(masses, 1000.0, n, seed=1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--events", type=int, default=4096)
    ap.add_argument("--repeat", type=int, default=3, help="timings per rate; the best is shown")
    args = ap.parse_args()
    _core.set_num_threads(args.threads)
    print(f"{'process':<20} {'diagrams':>8} {'helicities':>10} {'double ME/s':>12} {'single ME/s':>12} "
          f"{'ratio':>6} {'max |dev|':>9}   ({args.threads} thread(s))")
    for process in PROCESSES:
        me, momenta = process_and_points(process, args.events)
        rates = {}
        for precision in ("double", "single"):
            rates[precision] = max(rate(me, momenta, 0.118, precision) for _ in range(args.repeat))
        m_d = me.compiled.evaluate(momenta, 0.118, precision="double")[0]
        m_s = me.compiled.evaluate(momenta, 0.118, precision="single")[0]
        dev = np.max(np.abs(m_s / m_d - 1.0))
        print(f"{process:<20} {me.n_diagrams:>8} {me.n_helicities:>10} {rates['double']:>12.3g} "
              f"{rates['single']:>12.3g} {rates['single'] / rates['double']:>6.2f} {dev:>9.1e}")
        if process == "g g > t t~ g g":
            print(f"  MadGraph5 Fortran (same machine type, one core): {MADGRAPH_FORTRAN_GGTTGG:.2g}/s; cudacpp double: "
                  + ", ".join(f"{v:.2g}/s {k}" for k, v in CUDACPP_GGTTGG.items())
                  + f"; madnis-py double {rates['double']:.2g}/s, single {rates['single']:.2g}/s")
    if _core.cuda_available():
        cuda_rates(args.events * 64, args.repeat)


def cuda_rates(n_events: int, repeat: int) -> None:
    """Matrix elements per second of the CUDA driver (double), points already on the device."""
    import torch

    print(f"\n{'process':<20} {'CUDA ME/s':>12} {'max |dev| vs CPU':>17}   ({torch.cuda.get_device_name()})")
    for process in PROCESSES:
        me, host = process_and_points(process, n_events)
        momenta = torch.as_tensor(host, device="cuda")
        best = max(rate(me, momenta, 0.118, "double") for _ in range(repeat))
        on_device = me.compiled.evaluate(momenta, 0.118)[0].cpu().numpy()
        m_d = me.compiled.evaluate(host[:4096], 0.118, precision="double")[0]
        dev = np.max(np.abs(on_device[:4096] / m_d - 1.0))
        print(f"{process:<20} {best:>12.3g} {dev:>17.1e}")


if __name__ == "__main__":
    main()
