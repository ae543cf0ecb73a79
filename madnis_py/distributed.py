"""Generation on Dask workers: each worker rebuilds the trained generator from its serialised state, draws
its share of the events with its own seed, and the parts are merged into one sample.

A local cluster (processes, one thread each) is the default; ``cluster`` may be a scheduler address
("tcp://host:8786") or "slurm" / "htcondor" (through dask-jobqueue).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from madnis_py.errors import UserError
from madnis_py.output.lhe import LHEEvents, lhe_event_weights


def _generate_part(state: bytes, seed: int, n_events: int):
    """Runs on a worker: n_events unweighted events from the trained state with its own seed."""
    from madnis_py.core import _core
    from madnis_py.event_generator import EventGenerator

    _core.set_num_threads(1)  # one process per core
    generator = EventGenerator.from_state_bytes(state, seed)
    events = generator.generate(n_events)
    return events.record, events.efficiency


def _client(workers: int, cluster: str | None):
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UserError("--workers and --cluster need Dask: pip install 'dask[distributed]' "
                        "(and dask-jobqueue for SLURM or HTCondor).") from None
    if cluster is None:
        return Client(LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None))
    if cluster in ("slurm", "htcondor"):
        try:
            import dask_jobqueue
        except ImportError:
            raise UserError(f"--cluster {cluster} needs dask-jobqueue: pip install dask-jobqueue.") from None
        kind = dask_jobqueue.SLURMCluster if cluster == "slurm" else dask_jobqueue.HTCondorCluster
        jobs = kind(cores=1, processes=1, memory="4GB", disk="4GB") if cluster == "htcondor" else \
            kind(cores=1, processes=1, memory="4GB")
        jobs.scale(workers)
        return Client(jobs)
    return Client(cluster)


def merge(records: list[LHEEvents]) -> LHEEvents:
    """One record from several (the parts' weights must already share a normalisation)."""
    return LHEEvents(**{f.name: np.concatenate([getattr(r, f.name) for r in records])
                        for f in fields(LHEEvents)})


def generate_distributed(generator, n_events: int, workers: int, cluster: str | None = None, log=print):
    """n_events unweighted events from ``generator`` (trained EventGenerator) on ``workers`` Dask workers.

    Returns (record, efficiency): the merged LHE record, its weights normalised to the generator's cross
    section (following event_norm), and the events-weighted unweighting efficiency.
    """
    if workers < 1:
        raise UserError(f"--workers {workers}: give at least one worker.")
    state = generator.state_bytes()
    seeds = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(generator.seed).spawn(workers)]
    counts = [n_events // workers + (1 if k < n_events % workers else 0) for k in range(workers)]
    with _client(workers, cluster) as client:
        log(f"  generation on {workers} Dask worker(s): {client.dashboard_link or client.scheduler.address}")
        futures = [client.submit(_generate_part, state, seed, n, pure=False)
                   for seed, n in zip(seeds, counts) if n > 0]
        parts = client.gather(futures)
    records = [record for record, _ in parts]
    efficiency = sum(len(r.weights) * eff for r, eff in parts) / n_events
    merged = merge(records)
    weights = lhe_event_weights(merged.weights, generator.sampler.integrate().value, generator.setup.event_norm)
    return LHEEvents(**{**{f.name: getattr(merged, f.name) for f in fields(LHEEvents)}, "weights": weights}), \
        efficiency
