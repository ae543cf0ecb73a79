"""Turns generated events into the LHE record: particle ids, statuses, mothers, colours, helicities."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from madnis_py import __version__
from madnis_py.output.lhe import (LHEEvents, LHEHeader, LHEInit, LHEProcessInfo, lhe_event_weights,
                                  weighting_strategy_for, write_lhe)


def lhe_events(events, setup) -> LHEEvents:
    """The LHE record of ``events`` (a GeneratedEvents) of the subprocesses in ``setup``."""
    n, n_particles = events.momenta.shape[:2]
    subs = setup.subprocesses
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
        helicities=np.full((n, n_particles), 9.0),
        weights=lhe_event_weights(events.weights, events.cross_section.value, setup.event_norm),
        scale=events.scale,
        alpha_qed=np.full(n, setup.alpha_qed),
        alpha_s=events.alpha_s,
        process_id=np.array([sub.process_id for sub in subs], dtype=np.int64)[events.channel],
    )


def write_events_lhe(path: Path, events, setup) -> None:
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
    write_lhe(path, lhe_events(events, setup), init, header)
