"""Turns generated events into the LHE record: particle ids, statuses, mothers, colours, helicities."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from madnis_py import __version__
from madnis_py.output.lhe import (LHEEvents, LHEHeader, LHEInit, LHEProcessInfo, lhe_event_weights,
                                  weighting_strategy_for, write_lhe)


def choose_helicities(matrix_element, momenta: np.ndarray, alpha_s: np.ndarray, rng) -> np.ndarray:
    """One helicity combination per event, drawn with probability |M_h|^2 / sum_h |M_h|^2 (as MadGraph does).

    momenta: (n, n_particles, 4) GeV; returns float64 (n, n_particles) physical helicities (+-1, 0).
    """
    _, _, per_helicity = matrix_element.compiled.evaluate(momenta, alpha_s, helicities=True)
    cumulative = np.cumsum(per_helicity, axis=1)
    u = rng.random(len(momenta)) * cumulative[:, -1]
    chosen = np.minimum((cumulative < u[:, None]).sum(axis=1), per_helicity.shape[1] - 1)
    return matrix_element.program.helicities[chosen].astype(np.float64)


def lhe_events(events, setup, rng) -> LHEEvents:
    """The LHE record of ``events`` (a GeneratedEvents) of the subprocesses in ``setup``; rng draws helicities."""
    n, n_particles = events.momenta.shape[:2]
    subs = setup.subprocesses
    helicities = np.empty((n, n_particles))
    for k, sub in enumerate(subs):
        rows = np.flatnonzero(events.channel == k)
        if rows.size:
            helicities[rows] = choose_helicities(sub.matrix_element, np.ascontiguousarray(events.momenta[rows]),
                                                 np.ascontiguousarray(events.alpha_s[rows]), rng)
    pdg = np.array([sub.pdgs for sub in subs], dtype=np.int64)[events.channel]
    masses = np.array([sub.masses for sub in subs])[events.channel]
    status = np.ones((n, n_particles), dtype=np.int64)
    status[:, :2] = -1
    mothers = np.zeros((n, n_particles, 2), dtype=np.int64)
    mothers[:, 2:, 0], mothers[:, 2:, 1] = 1, 2
    colour = np.array([sub.colour_flow() for sub in subs], dtype=np.int64)[events.channel]
    return LHEEvents(
        pdg=pdg,
        status=status,
        mothers=mothers,
        colour=colour,
        momenta=events.momenta,
        masses=masses,
        helicities=helicities,
        weights=lhe_event_weights(events.weights, events.cross_section.value, setup.event_norm),
        scale=events.scale,
        alpha_qed=np.full(n, setup.alpha_qed),
        alpha_s=events.alpha_s,
        process_id=np.array([sub.process_id for sub in subs], dtype=np.int64)[events.channel],
    )


def write_events_lhe(path: Path, events, setup, rng) -> None:
    """Writes ``events`` with the run's cards in the header and the cross section in <init>."""
    header = LHEHeader(
        proc_card=setup.proc_card_text,
        run_card=setup.run_card.to_text(),
        param_card=setup.param_card.to_text(),
        generator_name="madnis-py",
        generator_version=__version__,
        extra={},
    )
    xs = events.cross_section
    ids = sorted({sub.process_id for sub in setup.subprocesses})
    processes = []
    for pid in ids:
        chans = [k for k, sub in enumerate(setup.subprocesses) if sub.process_id == pid]
        mask = np.isin(events.channel, chans)
        frac = mask.mean() if len(ids) > 1 else 1.0
        processes.append(LHEProcessInfo(xsec_pb=xs.value * frac, xerr_pb=xs.error * frac,
                                        xmax=float(events.weights.max()), process_id=pid))
    beams = setup.beams
    init = LHEInit(
        beam_pdg=beams.pdg,
        beam_energy=beams.energy,
        pdf_group=(0, 0),
        pdf_set=(0, 0),
        weighting_strategy=weighting_strategy_for(setup.event_norm),
        processes=processes,
    )
    write_lhe(path, lhe_events(events, setup, rng), init, header)
