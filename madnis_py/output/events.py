"""Turns generated events into the LHE record: particle ids, statuses, mothers, colours, helicities."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from madnis_py import __version__
from madnis_py.output.colour import flow_weights, tag_table
from madnis_py.output.lhe import (LHEEvents, LHEHeader, LHEInit, LHEProcessInfo, lhe_event_weights,
                                  weighting_strategy_for, write_lhe)


def draw_index(weights: np.ndarray, rng) -> np.ndarray:
    """One column per row of ``weights`` (n, k), drawn with probability proportional to the weight; (n,) int."""
    cumulative = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cumulative[:, -1]
    return np.minimum((cumulative < u[:, None]).sum(axis=1), weights.shape[1] - 1)


def choose_helicities(matrix_element, momenta: np.ndarray, alpha_s: np.ndarray, rng) -> np.ndarray:
    """One helicity combination per event, drawn with probability |M_h|^2 / sum_h |M_h|^2 (as MadGraph does).

    momenta: (n, n_particles, 4) GeV; returns float64 (n, n_particles) physical helicities (+-1, 0).
    """
    _, _, per_helicity = matrix_element.compiled.evaluate(momenta, alpha_s, helicities=True)
    return matrix_element.program.helicities[draw_index(per_helicity, rng)].astype(np.float64)


def choose_colours(matrix_element, momenta: np.ndarray, alpha_s: np.ndarray, diagrams: np.ndarray,
                   rng) -> np.ndarray:
    """One colour flow per event as LHE (colour, anticolour) tags, int64 (n, n_particles, 2), drawn by the flows'
    |JAMP|^2 among those the diagram of the event's channel (diagrams (n,)) feeds, as MadGraph does."""
    return tag_table(matrix_element)[draw_index(flow_weights(matrix_element, momenta, alpha_s, diagrams), rng)]


def choose_members(group, events_x: np.ndarray, mu_f: np.ndarray, setup, rng) -> np.ndarray:
    """Which subprocess of the group each event is, drawn by the members' shares of the parton luminosity."""
    if setup.pdf is None or len(group.members) == 1:
        return np.zeros(len(mu_f), dtype=np.int64)
    return draw_index(group.luminosities(setup.pdf, setup.beams.lpp, events_x, mu_f), rng)


def lhe_events(events, setup, rng) -> LHEEvents:
    """The LHE record of ``events`` (a GeneratedEvents): subprocess, colour flow and helicities (drawn with rng),
    statuses, mothers."""
    n, n_particles = events.momenta.shape[:2]
    pdg = np.empty((n, n_particles), dtype=np.int64)
    process_id = np.empty(n, dtype=np.int64)
    masses = np.empty((n, n_particles))
    helicities = np.empty((n, n_particles))
    colour = np.zeros((n, n_particles, 2), dtype=np.int64)
    for g, group in enumerate(setup.groups):
        rows = np.flatnonzero(events.group == g)
        if not rows.size:
            continue
        member = choose_members(group, events.x[rows], events.mu_f[rows], setup, rng)
        pdg[rows] = group.pdg_table[member]
        process_id[rows] = group.process_ids[member]
        masses[rows] = group.masses
        momenta = np.ascontiguousarray(events.momenta[rows])
        alpha_s = np.ascontiguousarray(events.alpha_s[rows])
        helicities[rows] = choose_helicities(group.matrix_element, momenta, alpha_s, rng)
        colour[rows] = choose_colours(group.matrix_element, momenta, alpha_s, events.diagram[rows], rng)
    status = np.ones((n, n_particles), dtype=np.int64)
    status[:, :2] = -1
    mothers = np.zeros((n, n_particles, 2), dtype=np.int64)
    mothers[:, 2:, 0], mothers[:, 2:, 1] = 1, 2
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
        process_id=process_id,
    )


def write_events_lhe(path: Path, record: LHEEvents, cross_section, setup) -> None:
    """Writes the event record (from :func:`lhe_events`) with the run's cards in the header and the cross
    section (an IntegrationResult, pb) in <init>."""
    header = LHEHeader(
        proc_card=setup.proc_card_text,
        run_card=setup.run_card.to_text(),
        param_card=setup.param_card.to_text(),
        generator_name="madnis-py",
        generator_version=__version__,
        extra={},
    )
    xs = cross_section
    processes = []
    for pid in np.unique(record.process_id):
        frac = float(np.mean(record.process_id == pid))
        processes.append(LHEProcessInfo(xsec_pb=xs.value * frac, xerr_pb=xs.error * frac,
                                        xmax=float(record.weights.max()), process_id=int(pid)))
    beams = setup.beams
    init = LHEInit(
        beam_pdg=beams.pdg,
        beam_energy=beams.energy,
        pdf_group=(0, 0),
        pdf_set=(setup.pdf.lhaid or 0,) * 2 if setup.pdf is not None else (0, 0),
        weighting_strategy=weighting_strategy_for(setup.event_norm),
        processes=processes,
    )
    write_lhe(path, record, init, header)
