"""Scale-out on Dask workers: each worker rebuilds the trained generator from its serialised state and, with its
own seed, draws its share of the integration sample (VEGAS: its estimates and the points that survive unweighting
come back and give the cross section and the events, :func:`integrate_distributed`) or of the events (MadNIS,
:func:`generate_distributed`); the parts are merged into one sample.

A local cluster (processes, one thread each) is the default; ``cluster`` may be a scheduler address
("tcp://host:8786") or "slurm" / "htcondor" (through dask-jobqueue).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from madnis_py.errors import UserError
from madnis_py.integrator import IntegrationResult
from madnis_py.output.lhe import LHEEvents, lhe_event_weights


def _generate_part(state: bytes, seed: int, n_events: int):
    """Runs on a worker: n_events unweighted events from the trained state with its own seed."""
    from madnis_py.core import _core
    from madnis_py.event_generator import EventGenerator

    _core.set_num_threads(1)  # one process per core
    generator = EventGenerator.from_state_bytes(state, seed)
    events = generator.generate(n_events)
    return events.record, events.efficiency


def _integrate_part(state: bytes, seed: int, points: list[int]):
    """Runs on a worker: its share of the integration sample (points per class leader) from the trained state with
    its own seed; per leader, the estimate (pb), the points that survived unweighting with their weights over
    w_max, and the weights of all points (float32)."""
    from madnis_py.core import _core
    from madnis_py.event_generator import EventGenerator

    _core.set_num_threads(1)  # one process per core
    sampler = EventGenerator.from_state_bytes(state, seed).sampler
    estimates = sampler.draw_sample(np.array(points))
    return [(estimate, c.candidates, c.unweighted) for (c, _), estimate in zip(sampler.leaders, estimates)]


def _seeds(generator, workers: int) -> list[int]:
    """One seed per worker, spawned from the run's seed (distinct streams)."""
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(generator.seed).spawn(workers)]


def integrate_distributed(generator, target_relative_error: float, n_events: int, workers: int,
                          cluster: str | None = None, log=print):
    """The cross section (pb) of ``generator`` (a trained EventGenerator with VEGAS) from an integration sample
    planned here (Generator.plan_sample, sized also for ``n_events`` events) and drawn on ``workers`` Dask
    workers, each a share of every class's points with its own seed. The shares pool into one estimate per class
    (their sizes were fixed before they were drawn) and their unweighted points wait for the generation here."""
    from madnis_py.event_generator import MAX_REFINE_POINTS

    if workers < 1:
        raise UserError(f"--workers {workers}: give at least one worker.")
    sampler = generator.sampler
    if sampler.meets(target_relative_error):
        return sampler.integrate()
    points = sampler.plan_sample(target_relative_error, MAX_REFINE_POINTS, n_events)
    shares = [points // workers + (k < points % workers) for k in range(workers)]
    state = generator.state_bytes()  # with the maximum weights just fixed
    with _client(workers, cluster) as client:
        log(f"  integration sample of {int(points.sum())} points on {workers} Dask worker(s): "
            f"{client.dashboard_link or client.scheduler.address}")
        parts = client.gather([client.submit(_integrate_part, state, seed, share.tolist(), pure=False)
                               for seed, share in zip(_seeds(generator, workers), shares)])
    return collect(sampler, parts)


def collect(sampler, parts: list) -> IntegrationResult:
    """Pools the workers' shares (:func:`_integrate_part`) into the integration sample of ``sampler`` (a VEGAS
    Generator), whose generation then picks its events from their unweighted points; returns the cross section."""
    for i, (c, _) in enumerate(sampler.leaders):
        if c.w_max is not None:  # else each worker chose its own: the events come from fresh points here
            for part in parts:
                c.candidates += part[i][1]
                c.unweighted += part[i][2]
    return sampler.quote([IntegrationResult.pool([part[i][0] for part in parts])
                          for i in range(len(sampler.leaders))])


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
    seeds = _seeds(generator, workers)
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
