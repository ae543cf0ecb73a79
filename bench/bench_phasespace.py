"""Phase-space mapping throughput: events per second, one CPU thread and all threads (and CUDA if present).

Run: python bench/bench_phasespace.py [n_events]. Never part of the test suite.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from madnis_py.channels import ChannelMapping, FixedEnergy, Luminosity, Rambo, Topology
from madnis_py.core import _core

MT, WT, MW, MB = 173.0, 1.4915, 80.419, 4.7


def rate(fn, arg, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(arg)
        best = min(best, time.perf_counter() - t0)
    return len(arg) / best


def main(n: int = 1_000_000) -> None:
    tt = Topology.from_propagators([0, 0, MB, MW, MB, MW], [((2, 3), MT, WT), ((4, 5), MT, WT)], [(-1, MT, WT)])
    cases = {
        "gg>ttx>bW+bW- (2->4, t-channel top, fixed 1 TeV)": ChannelMapping(tt, FixedEnergy(1000.0)),
        "gg>ttx>bW+bW- (2->4, luminosity 13 TeV)": ChannelMapping(tt, Luminosity(6500.0, 6500.0)),
        "4-jet t-chain (2->4 massless)": ChannelMapping(
            Topology.from_propagators([0] * 6, [], [(2, 0, 0), (3, 0, 0), (4, 0, 0)]), FixedEnergy(1000.0)),
    }
    rng = np.random.default_rng(1)
    for threads in (1, 0):
        _core.set_num_threads(threads)
        label = "1 thread" if threads == 1 else f"{_core.num_threads()} threads"
        for name, cm in cases.items():
            r = rng.random((n, cm.dim))
            p = cm.map(r).momenta
            print(f"cpu {label:10s} {name:52s} forward {rate(cm.map, r) / 1e6:6.2f} M/s   "
                  f"inverse {rate(cm.inverse, p) / 1e6:6.2f} M/s")
        rambo = Rambo(1000.0, [0, 0, MB, MW, MB, MW])
        r = rng.random((n, rambo.dim))
        print(f"cpu {label:10s} {'RAMBO 2->4 massive':52s} forward {rate(rambo.map, r) / 1e6:6.2f} M/s")
    if _core.cuda_available():
        import torch

        for name, cm in cases.items():
            r = torch.rand((n, cm.dim), dtype=torch.float64, device="cuda")
            cm.map(r)
            print(f"cuda {name:62s} forward {rate(cm.map, r) / 1e6:8.2f} M/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
