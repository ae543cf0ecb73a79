"""Parton shower and hadronisation of the LHE events with Pythia 8, written as HepMC3.

Pythia 8 (arXiv:2203.11601, through the ``pythia8mc`` package) reads the run's LHE file itself
(``Beams:frameType = 4``), with its default tune: initial- and final-state showers, multiparton
interactions, hadronisation and hadron decays all on. ``PDF:lepton = off``: the events of lepton
collisions carry the full beam energy (no structure function in the matrix element), as MadGraph
sets it for its Pythia 8 interface. The param_card in the LHE header sets Pythia's masses and widths.

Each showered event is converted to a ``pyhepmc.GenEvent`` the way Pythia's own ``Pythia8ToHepMC3``
does it: the event-record entry 0 (the "system") is left out; statuses from
``Particle.statusHepMC()`` (4 beams, 1 final, 2 decayed, otherwise Pythia's absolute status);
one vertex per set of mothers (the end vertex of the first mother, shared by all its products),
with the production position in mm where Pythia set one; colour tags as the ``flow1``/``flow2``
particle attributes. Each event carries its LHE weight (pb), Pythia's running cross section
(``GenCrossSection``, pb), ``GenPdfInfo`` and the attributes ``signal_process_id``,
``event_scale``, ``alphaQCD``, ``alphaQED``.
"""

from __future__ import annotations

import contextlib
import gzip
import importlib.metadata
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from madnis_py.errors import UserError

from .atomic import atomic_open
from .hepmc import NOMINAL_WEIGHT_NAME, CheckedStream

__all__ = ["SHOWERS", "PYTHIA_SETTINGS", "ShowerResult", "pythia_to_hepmc", "shower_lhe"]

#: The values of ``--shower``.
SHOWERS = ("none", "pythia8")
#: Settings every run gets (before the user's ``--pythia-set`` lines, which may override them).
PYTHIA_SETTINGS = (
    "Beams:frameType = 4",
    "PDF:lepton = off",
    "Print:quiet = on",
    "SLHA:verbose = 0",
    "Next:numberCount = 0",
    "Random:setSeed = on",
)
#: Pythia gives up on an event after this many consecutive failures at the start of the file.
MAX_INITIAL_FAILURES = 20
#: 1 mb in pb: Pythia's cross sections are in mb.
MB_TO_PB = 1e9


@dataclass(frozen=True)
class ShowerResult:
    """What the shower stage did.

    n_events: events written to the HepMC3 file; n_failed: LHE events Pythia could not shower
    (skipped); cross_section_pb, cross_section_error_pb: Pythia's estimate from the LHE weights, pb;
    seconds: wall time; path: the HepMC3 file.
    """

    n_events: int
    n_failed: int
    cross_section_pb: float
    cross_section_error_pb: float
    seconds: float
    path: Path

    def to_json(self) -> dict:
        return {"program": "pythia8", "n_events": self.n_events, "n_failed": self.n_failed,
                "cross_section_pb": self.cross_section_pb, "cross_section_error_pb": self.cross_section_error_pb,
                "seconds": self.seconds, "file": self.path.name}


def _import_pythia():
    try:
        import pythia8mc
    except ImportError as exc:
        raise UserError(
            f"--shower pythia8 needs Pythia 8's Python module (pythia8mc), which cannot be imported ({exc}); "
            "install it with 'pip install pythia8mc==8.317.2', or run without --shower."
        ) from None
    return pythia8mc


def _pythia_version() -> str:
    try:
        return importlib.metadata.version("pythia8mc")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _pythia_seed(seed: int) -> int:
    """Pythia's Random:seed must lie in 1..900000000 (0 would mean a time-based seed)."""
    return int(seed) % 899_999_999 + 1


def _configure(pythia, lhe_path: Path, seed: int, settings: Sequence[str]) -> None:
    lines = (*PYTHIA_SETTINGS, f"Random:seed = {_pythia_seed(seed)}", f"Beams:LHEF = {lhe_path}", *settings)
    for line in lines:
        if not pythia.readString(line):
            raise UserError(
                f"Pythia 8 does not accept the setting '{line}'; check its spelling against Pythia's manual "
                "(settings read 'Name:key = value')."
            )


def _start_pythia(pythia8mc, lhe_path: Path, seed: int, settings: Sequence[str], scratch: Path):
    """An initialised Pythia reading ``lhe_path``; a gzip file that this Pythia cannot read directly is
    decompressed into ``scratch`` first. Returns (pythia, path of a temporary file to remove or None)."""
    pythia = pythia8mc.Pythia("", False)
    _configure(pythia, lhe_path, seed, settings)
    if pythia.init():
        return pythia, None
    if lhe_path.suffix != ".gz":
        raise UserError(f"Pythia 8 could not start on {lhe_path} (its messages above say why).")
    fd, plain = tempfile.mkstemp(prefix=".pythia_input.", suffix=".lhe", dir=scratch)
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(lhe_path, "rb") as src:
            shutil.copyfileobj(src, out, 1 << 20)
        pythia = pythia8mc.Pythia("", False)
        _configure(pythia, Path(plain), seed, settings)
        if not pythia.init():
            raise UserError(f"Pythia 8 could not start on {lhe_path} (its messages above say why).")
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(plain)
        raise
    return pythia, Path(plain)


def pythia_to_hepmc(event, info, event_number: int, run_info):
    """One Pythia event record (``pythia.event``) as a ``pyhepmc.GenEvent`` (GeV, mm).

    info: ``pythia.infoPython()`` taken after this event; run_info: the shared ``pyhepmc.GenRunInfo``.
    """
    import pyhepmc

    size = event.size()
    particles = [None] * size
    entries = [event[i] for i in range(size)]
    for i in range(1, size):
        q = entries[i]
        p = pyhepmc.GenParticle(pyhepmc.FourVector(q.px(), q.py(), q.pz(), q.e()), q.id(), q.statusHepMC())
        p.generated_mass = q.m()
        particles[i] = p
    end_vertex: dict[int, object] = {}
    for i in range(1, size):
        q = entries[i]
        mothers = [j for j in q.motherList() if j > 0]
        if not mothers:
            continue
        vertex = end_vertex.get(mothers[0])
        if vertex is None:
            vertex = pyhepmc.GenVertex()
            for j in mothers:
                if j not in end_vertex:
                    vertex.add_particle_in(particles[j])
                    end_vertex[j] = vertex
        if q.hasVertex() and not vertex.has_set_position():
            vertex.position = pyhepmc.FourVector(q.xProd(), q.yProd(), q.zProd(), q.tProd())
        vertex.add_particle_out(particles[i])

    hep = pyhepmc.GenEvent(pyhepmc.Units.GEV, pyhepmc.Units.MM)
    hep.event_number = event_number
    hep.add_tree([particles[1], particles[2]])
    if len(hep.particles) != size - 1:  # entries outside the beams' tree: keep them, as free particles
        in_tree = {id(p) for p in hep.particles}
        for p in particles[1:]:
            if id(p) not in in_tree:
                hep.add_particle(p)
    for i in range(1, size):
        q = entries[i]
        col_type = q.colType()
        if col_type in (1, 2):
            particles[i].attributes["flow1"] = q.col()
        if col_type in (-1, 2):
            particles[i].attributes["flow2"] = q.acol()

    hep.run_info = run_info
    hep.weights = [float(info.eventWeightLHEF)]
    xs = pyhepmc.GenCrossSection()
    xs.set_cross_section(info.sigmaGen() * MB_TO_PB, info.sigmaErr() * MB_TO_PB, info.nAccepted(), info.nTried())
    hep.cross_section = xs
    pdf = pyhepmc.GenPdfInfo()
    pdf.parton_id1, pdf.parton_id2 = info.id1pdf(), info.id2pdf()
    pdf.x1, pdf.x2 = info.x1pdf(), info.x2pdf()
    pdf.scale = info.QFac()
    pdf.xf1, pdf.xf2 = info.pdf1(), info.pdf2()
    pdf.pdf_id1 = pdf.pdf_id2 = 0
    hep.pdf_info = pdf
    hep.attributes["signal_process_id"] = int(info.code())
    hep.attributes["event_scale"] = float(info.QRen())
    hep.attributes["alphaQCD"] = float(info.alphaS())
    hep.attributes["alphaQED"] = float(info.alphaEM())
    return hep


def shower_lhe(
    lhe_path: str | os.PathLike[str],
    hepmc_path: str | os.PathLike[str],
    *,
    seed: int,
    settings: Sequence[str] = (),
    n_expected: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    version: str = "",
) -> ShowerResult:
    """Shower and hadronise the events of an LHE file with Pythia 8 and write them as HepMC3, atomically.

    Parameters
    ----------
    lhe_path: the LHE file (plain or ``.gz``).
    hepmc_path: the HepMC3 ASCII file to write (gzip if it ends in ``.gz``); appears only when complete.
    seed: random seed (any non-negative int; mapped into Pythia's range).
    settings: further Pythia settings, ``"Name:key = value"``, read after the defaults
        (:data:`PYTHIA_SETTINGS`), so they may override them.
    n_expected: number of events in the file, for the progress line.
    progress: called as ``progress(done, n_expected, text)`` after each event.
    version: the madnis-py version, for the run info.

    Raises
    ------
    UserError
        If pythia8mc is missing, a setting is unknown, Pythia cannot read the file, or it fails on every
        one of the first :data:`MAX_INITIAL_FAILURES` events (e.g. coloured partons without colour tags).
    OSError
        If the HepMC3 file cannot be written; nothing is left behind.
    """
    import pyhepmc

    pythia8mc = _import_pythia()
    lhe_path, hepmc_path = Path(lhe_path), Path(hepmc_path)
    start = time.perf_counter()
    pythia, scratch_file = _start_pythia(pythia8mc, lhe_path, seed, settings, hepmc_path.parent)
    run_info = pyhepmc.GenRunInfo()
    run_info.tools = [pyhepmc.GenRunInfo.ToolInfo("madnis-py", version, "leading-order matrix elements"),
                      pyhepmc.GenRunInfo.ToolInfo("Pythia8", _pythia_version(), "parton shower and hadronisation")]
    run_info.weight_names = [NOMINAL_WEIGHT_NAME]
    n_ok = n_failed = 0
    info = None
    try:
        with atomic_open(hepmc_path, "wb") as raw:
            stream = CheckedStream(raw)
            writer = pyhepmc.open(stream, "w")
            try:
                while True:
                    if not pythia.next():
                        info = pythia.infoPython()
                        if info.atEndOfFile():
                            break
                        n_failed += 1
                        if n_ok == 0 and n_failed >= MAX_INITIAL_FAILURES:
                            raise UserError(
                                f"Pythia 8 failed on the first {n_failed} events of {lhe_path} (its messages "
                                "above say why); coloured partons need colour tags in the LHE file."
                            )
                        continue
                    info = pythia.infoPython()
                    writer.write(pythia_to_hepmc(pythia.event, info, n_ok, run_info))
                    stream.check()
                    n_ok += 1
                    if progress is not None:
                        progress(n_ok + n_failed, n_expected or 0,
                                 f"{info.sigmaGen() * MB_TO_PB:.4g} pb")
            finally:
                writer.close()
            stream.check()
            if n_ok == 0:
                raise UserError(f"Pythia 8 showered none of the events of {lhe_path} (its messages above say why).")
    finally:
        if scratch_file is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(scratch_file)
    return ShowerResult(
        n_events=n_ok,
        n_failed=n_failed,
        cross_section_pb=info.sigmaGen() * MB_TO_PB,
        cross_section_error_pb=info.sigmaErr() * MB_TO_PB,
        seconds=time.perf_counter() - start,
        path=hepmc_path,
    )
