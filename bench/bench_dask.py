"""Generation throughput on a Dask local cluster: 1 worker against N workers, same trained state, same events.

    python bench/bench_dask.py [PROCESS] [--events N] [--workers 1 2] [--seed S]

Trains the process once in this process, then for each worker count starts a local cluster (one process per
worker, one core thread each), warms the workers up (imports, matrix-element setup) and times only the generation,
as `madnis-py launch --workers N` runs it, twice: N events shared among the workers (what a run does), and N
events per worker (the same work per worker: the parallel scaling alone, since the per-channel unweighting of a
larger share samples the weight tail further and so costs more per event). Prints events per second, the
speed-up over the first worker count, and checks the merged sample: the requested number of events, none
duplicated.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from madnis_py.distributed import _client, _generate_part, merge
from madnis_py.event_generator import EventGenerator

ROOT = Path(__file__).resolve().parents[1]


def timed_generation(state: bytes, seed: int, counts: list[int]) -> tuple[float, np.ndarray]:
    """(seconds, merged momenta) for counts[k] events on worker k of a fresh local cluster."""
    workers = len(counts)
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(workers)]
    with _client(workers, None) as client:
        client.wait_for_workers(workers)
        warm = [client.submit(_generate_part, state, 1000 + k, 10, pure=False, workers=[w])
                for k, w in enumerate(client.scheduler_info()["workers"])]
        client.gather(warm)
        start = time.perf_counter()
        futures = [client.submit(_generate_part, state, s, n, pure=False) for s, n in zip(seeds, counts)]
        parts = client.gather(futures)
        seconds = time.perf_counter() - start
    return seconds, merge([record for record, _ in parts]).momenta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("process", nargs="?", default="gg_ttg")
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    generator = EventGenerator.from_cards(ROOT / "processes" / args.process, seed=args.seed)
    generator.train(log=lambda *a: None)
    generator.integrate(log=lambda *a: None)
    state = generator.state_bytes()
    print(f"{args.process}: {args.events} unweighted events per run, trained state {len(state) / 1e6:.1f} MB")
    for label, share in (("shared", True), ("per worker", False)):
        baseline = None
        for workers in args.workers:
            n = args.events
            counts = [n // workers + (1 if k < n % workers else 0) for k in range(workers)] if share else [n] * workers
            seconds, momenta = timed_generation(state, args.seed, counts)
            rate = sum(counts) / seconds
            baseline = baseline or rate
            distinct = len(np.unique(momenta.reshape(len(momenta), -1), axis=0))
            print(f"  {label:>10}: {workers} worker(s) {seconds:6.1f} s, {rate:8.0f} events/s, x{rate / baseline:.2f}"
                  f" over {args.workers[0]} worker(s); {len(momenta)} events, {distinct} distinct")


if __name__ == "__main__":
    main()
