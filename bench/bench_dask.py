"""Scale-out on a Dask local cluster: the integration sample that gives the events, on 1 worker against N.

    python bench/bench_dask.py [PROCESS] [--events N] [--workers 1 2] [--seed S]

Trains the process once in this process and plans one integration sample for N unweighted events (its size and
shares fixed, as `madnis-py launch --workers N` plans it). Then for each worker count it starts a local cluster
(one process per worker, one core thread each), warms the workers up (imports, matrix-element setup) and times
the sample drawn on the workers plus the pick of the events here, twice: the sample shared among the workers
(what a run does), and the whole sample on every worker (the same work per worker: the parallel scaling alone).
Prints points and events per second, the speed-up over the first worker count, and checks the merged events: the
requested number, none duplicated.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from madnis_py.distributed import _client, _integrate_part, _seeds, collect
from madnis_py.event_generator import MAX_REFINE_POINTS, EventGenerator, precision_goal

ROOT = Path(__file__).resolve().parents[1]


def timed_sample(state: bytes, seed: int, shares: list[np.ndarray], n_events: int) -> tuple[float, np.ndarray]:
    """(seconds, momenta of the n_events events): shares[k] points per class leader drawn on worker k of a fresh
    local cluster, then the events picked from what survived unweighting, as a launch does."""
    workers = len(shares)
    generator = EventGenerator.from_state_bytes(state, seed)
    leaders = generator.sampler.leaders
    with _client(workers, None) as client:
        client.wait_for_workers(workers)
        warm = [client.submit(_integrate_part, state, 1000 + k, [1] * len(leaders), pure=False, workers=[w])
                for k, w in enumerate(client.scheduler_info()["workers"])]
        client.gather(warm)
        start = time.perf_counter()
        parts = client.gather([client.submit(_integrate_part, state, s, share.tolist(), pure=False)
                               for s, share in zip(_seeds(generator, workers), shares)])
        collect(generator.sampler, parts)
        events = generator.sampler.generate(n_events, log=lambda *a: None)
        seconds = time.perf_counter() - start
    return seconds, events.momenta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("process", nargs="?", default="gg_ttg")
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    generator = EventGenerator.from_cards(ROOT / "processes" / args.process, seed=args.seed)
    generator.train(log=lambda *a: None)
    points = generator.sampler.plan_sample(precision_goal(args.events), MAX_REFINE_POINTS, args.events)
    state = generator.state_bytes()  # with the maximum weights the plan fixed
    print(f"{args.process}: {args.events} unweighted events from an integration sample of {points.sum()} points, "
          f"trained state {len(state) / 1e6:.1f} MB")
    for label, share in (("shared", True), ("per worker", False)):
        baseline = None
        for workers in args.workers:
            shares = [points // workers + (k < points % workers) for k in range(workers)] if share else \
                [points] * workers
            seconds, momenta = timed_sample(state, args.seed, shares, args.events)
            rate = sum(int(s.sum()) for s in shares) / seconds
            baseline = baseline or rate
            distinct = len(np.unique(momenta.reshape(len(momenta), -1), axis=0))
            print(f"  {label:>10}: {workers} worker(s) {seconds:6.1f} s, {rate:8.0f} points/s, x{rate / baseline:.2f}"
                  f" over {args.workers[0]} worker(s); {len(momenta)} events, {distinct} distinct")


if __name__ == "__main__":
    main()
