"""HepMC3 ASCII output of the parton-level events, built from the same record as the LHE file.

The HepMC3 event record (arXiv:1912.08005) of one LHE event, laid out as Pythia 8 writes a
parton-level event (``Pythia8ToHepMC3``), so that Rivet and detector simulations read it as they
read MadGraph + Pythia output:

* the two beam particles, status 4, along +z (beam 1) and -z (beam 2) with the run's beam
  energies;
* one vertex per beam that turns the beam into the incoming parton (LHE status -1 -> HepMC
  status 21); for lepton collisions without structure functions the parton carries the beam's
  whole momentum;
* the hard vertex with the incoming partons in and the outgoing particles out; LHE intermediate
  resonances (status 2) become status 22 with their own decay vertex, final-state particles
  (LHE status 1) are status 1;
* per event: the weight (pb, the LHE XWGTUP), a ``GenCrossSection`` (pb), and the attributes
  ``signal_process_id`` (IDPRUP), ``event_scale`` (SCALUP, GeV), ``alphaQCD``, ``alphaQED``;
  colour tags as the particle attributes ``flow1`` (colour) and ``flow2`` (anticolour) where
  non-zero, as Pythia writes them;
* the run info names the generator and the one event weight (:data:`NOMINAL_WEIGHT_NAME`).

Momenta are in GeV and positions in mm (no displaced vertices at parton level).

HepMC's writer ignores errors of the stream it writes to, so the file is written through a
wrapper that records them and re-raises after every event: a full disk ends with ``OSError``,
and :func:`madnis_py.output.atomic.atomic_open` then leaves no partial file.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np

from .atomic import atomic_open
from .lhe import LHEEvents

__all__ = [
    "HEPMC_STATUS",
    "NOMINAL_WEIGHT_NAME",
    "BEAM_MASSES_GEV",
    "HepMCRunInfo",
    "CheckedStream",
    "hepmc_events",
    "hepmc_status",
    "write_hepmc",
]

#: LHE status (ISTUP) -> HepMC3 status, as Pythia 8 writes the hard process.
HEPMC_STATUS = {-1: 21, 1: 1, 2: 22, 3: 3, -2: 21, -9: 4}
#: HepMC3 status of the beam particles.
BEAM_STATUS = 4
#: Name of the one event weight, Pythia 8's name for its nominal weight.
NOMINAL_WEIGHT_NAME = "Weight"
#: Rest masses of the beam particles (GeV, PDG 2024); other beams are written massless.
BEAM_MASSES_GEV = {2212: 0.93827208816, 2112: 0.93956542052, 11: 0.00051099895, 13: 0.1056583755}


@dataclass(frozen=True)
class HepMCRunInfo:
    """What the HepMC3 file says about the run as a whole.

    Attributes
    ----------
    beam_pdg: PDG ids of beam 1 (moving along +z) and beam 2 (along -z).
    beam_energy: their energies, GeV.
    cross_section_pb: the cross section the events represent, pb.
    cross_section_error_pb: its statistical error, pb.
    generator: tool name written in the run info.
    version: tool version written in the run info.
    weight_name: name of the one event weight.
    """

    beam_pdg: tuple[int, int]
    beam_energy: tuple[float, float]
    cross_section_pb: float
    cross_section_error_pb: float
    generator: str = "madnis-py"
    version: str = ""
    weight_name: str = NOMINAL_WEIGHT_NAME

    def __post_init__(self) -> None:
        if len(self.beam_pdg) != 2 or len(self.beam_energy) != 2:
            raise ValueError(f"HepMCRunInfo: two beams expected, got {self.beam_pdg}, {self.beam_energy}")
        if any(not (e > 0 and math.isfinite(e)) for e in self.beam_energy):
            raise ValueError(f"HepMCRunInfo.beam_energy must be positive and finite, got {self.beam_energy}")
        for name in ("cross_section_pb", "cross_section_error_pb"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"HepMCRunInfo.{name} must be finite, got {getattr(self, name)!r}")

    def beam_momenta(self) -> np.ndarray:
        """float64, shape (2, 4): the beams' (E, px, py, pz) in GeV, beam 1 along +z."""
        out = np.zeros((2, 4))
        for i, (pdg, energy) in enumerate(zip(self.beam_pdg, self.beam_energy)):
            mass = BEAM_MASSES_GEV.get(abs(int(pdg)), 0.0)
            out[i, 0] = energy
            out[i, 3] = (1 - 2 * i) * math.sqrt(max(energy * energy - mass * mass, 0.0))
        return out


class CheckedStream:
    """A binary file object for pyhepmc that remembers the first error of the stream it wraps.

    pyhepmc's C++ stream adapter swallows exceptions raised by ``write``; :meth:`check` re-raises
    the recorded one (e.g. ``OSError(ENOSPC)``), so that a failed write is never silent.
    """

    def __init__(self, inner: IO[bytes]):
        self._inner = inner
        self.error: BaseException | None = None

    def write(self, data) -> int:
        if self.error is not None:
            raise self.error
        try:
            return self._inner.write(data)
        except BaseException as exc:
            self.error = exc
            raise

    def read(self, size: int = -1) -> bytes:
        raise OSError("CheckedStream is write-only")

    def flush(self) -> None:
        if self.error is None:
            self._inner.flush()

    def check(self) -> None:
        """Raise the first error the wrapped stream raised, if any."""
        if self.error is not None:
            raise self.error


def hepmc_status(lhe_status: np.ndarray) -> np.ndarray:
    """HepMC3 status codes (int32) for LHE status codes (ISTUP), any shape; unknown codes keep their absolute
    value (HepMC's generator-specific range)."""
    lhe_status = np.asarray(lhe_status, dtype=np.int64)
    out = np.abs(lhe_status).astype(np.int32)
    for lhe, hep in HEPMC_STATUS.items():
        out[lhe_status == lhe] = hep
    return out


def _hepevt_parents(record: LHEEvents) -> np.ndarray:
    """int32, shape (n, 2 + npart, 2): 1-based parent ranges for ``GenEvent.from_hepevt``, beams prepended.

    LHE's MOTHUP pair is the first and last mother (Les Houches accord, hep-ph/0109068), the same range
    convention HEPEVT uses; particles without mothers (the incoming partons) get their beam as parent.
    """
    n, npart = record.pdg.shape
    parents = np.zeros((n, npart + 2, 2), dtype=np.int32)
    m1 = record.mothers[:, :, 0]
    m2 = np.where(record.mothers[:, :, 1] > 0, record.mothers[:, :, 1], m1)
    lo, hi = np.minimum(m1, m2), np.maximum(m1, m2)
    parents[:, 2:, 0] = np.where(lo > 0, lo + 2, 0)
    parents[:, 2:, 1] = np.where(hi > 0, hi + 2, 0)
    orphans = lo == 0
    if np.any(orphans & (record.status > 0)):
        raise ValueError("LHEEvents: an outgoing particle has no mother; HepMC needs every particle in the tree")
    incoming = np.argwhere(orphans)
    if incoming.size:
        per_event = np.bincount(incoming[:, 0], minlength=n)
        if np.any(per_event != 2):
            raise ValueError("LHEEvents: each event needs exactly two particles without mothers (the incoming)")
        beam = np.tile([1, 2], n)
        parents[incoming[:, 0], incoming[:, 1] + 2] = beam[:, None]
    return parents


def hepmc_events(record: LHEEvents, info: HepMCRunInfo, start: int = 0, stop: int | None = None) -> Iterator:
    """The events ``start:stop`` of ``record`` as ``pyhepmc.GenEvent`` objects (event numbers = positions in
    the record, from 0), sharing one ``GenRunInfo``."""
    import pyhepmc

    stop = record.n_events if stop is None else min(stop, record.n_events)
    run = _run_info(info)
    beams = info.beam_momenta()
    n_total = record.n_events
    for lo in range(start, stop, 1024):
        hi = min(lo + 1024, stop)
        chunk = _slice(record, lo, hi)
        parents = _hepevt_parents(chunk)
        m = hi - lo
        pdg = np.concatenate([np.broadcast_to(np.asarray(info.beam_pdg), (m, 2)), chunk.pdg], axis=1).astype(np.int32)
        status = np.concatenate([np.full((m, 2), BEAM_STATUS), hepmc_status(chunk.status)], axis=1).astype(np.int32)
        momenta = np.concatenate([np.broadcast_to(beams, (m, 2, 4)), chunk.momenta], axis=1)
        beam_mass = [BEAM_MASSES_GEV.get(abs(int(p)), 0.0) for p in info.beam_pdg]
        masses = np.concatenate([np.broadcast_to(beam_mass, (m, 2)), chunk.masses], axis=1)
        colour = chunk.colour
        for k in range(m):
            event = pyhepmc.GenEvent(pyhepmc.Units.GEV, pyhepmc.Units.MM)
            p = momenta[k]
            event.from_hepevt(lo + k, np.ascontiguousarray(p[:, 1]), np.ascontiguousarray(p[:, 2]),
                              np.ascontiguousarray(p[:, 3]), np.ascontiguousarray(p[:, 0]), masses[k], pdg[k],
                              status[k], parents[k])
            event.run_info = run
            event.weights = [float(chunk.weights[k])]
            xs = pyhepmc.GenCrossSection()
            xs.set_cross_section(info.cross_section_pb, info.cross_section_error_pb, n_total, n_total)
            event.cross_section = xs
            event.attributes["signal_process_id"] = int(chunk.process_id[k])
            event.attributes["event_scale"] = float(chunk.scale[k])
            event.attributes["alphaQCD"] = float(chunk.alpha_s[k])
            event.attributes["alphaQED"] = float(chunk.alpha_qed[k])
            coloured = np.flatnonzero(colour[k].any(axis=1))
            if coloured.size:
                particles = event.particles
                for j in coloured:
                    col, acol = int(colour[k, j, 0]), int(colour[k, j, 1])
                    if col:
                        particles[j + 2].attributes["flow1"] = col
                    if acol:
                        particles[j + 2].attributes["flow2"] = acol
            yield event


def write_hepmc(
    path: str | os.PathLike[str],
    record: LHEEvents,
    info: HepMCRunInfo,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write ``record`` as a HepMC3 ASCII file (gzip-compressed if ``path`` ends in ``.gz``), atomically.

    Parameters
    ----------
    path: destination; its directory must exist. It appears only when complete.
    record: the events exactly as written to the LHE file (momenta GeV, weights pb).
    info: beams and cross section for the run info and the per-event ``GenCrossSection``.
    progress: called as ``progress(events_written, n_events)`` every few thousand events.

    Raises
    ------
    OSError
        If writing fails (e.g. a full disk); no file is left behind.
    """
    import pyhepmc

    with atomic_open(path, "wb") as raw:
        stream = CheckedStream(raw)
        writer = pyhepmc.open(stream, "w")
        try:
            for i, event in enumerate(hepmc_events(record, info)):
                writer.write(event)
                stream.check()
                if progress is not None and (i + 1) % 5000 == 0:
                    progress(i + 1, record.n_events)
        finally:
            writer.close()
        stream.check()
    if progress is not None:
        progress(record.n_events, record.n_events)


def _run_info(info: HepMCRunInfo):
    import pyhepmc

    run = pyhepmc.GenRunInfo()
    run.tools = [pyhepmc.GenRunInfo.ToolInfo(info.generator, info.version, "leading-order matrix elements")]
    run.weight_names = [info.weight_name]
    return run


def _slice(record: LHEEvents, lo: int, hi: int) -> LHEEvents:
    return LHEEvents(**{name: getattr(record, name)[lo:hi] for name in (
        "pdg", "status", "mothers", "colour", "momenta", "masses", "helicities", "weights", "scale",
        "alpha_qed", "alpha_s", "process_id")})
