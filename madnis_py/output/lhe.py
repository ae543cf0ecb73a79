"""Les Houches Event files, version 3.0, in MadGraph's layout.

The Les Houches accord (hep-ph/0109068) fixes the content of the ``<init>`` and ``<event>``
blocks; LHE files themselves are described in hep-ph/0609017 (version 1.0) and
arXiv:1405.1067 (version 3.0). The number formats are those of the ``unweighted_events.lhe``
that MadGraph5_aMC@NLO delivers (written by ``madgraph/various/lhe_parser.py``)::

    init beam line:    "%d %d %e %e %d %d %d %d %d %d"
    init process line: "%e %e %e %d"
    event line:        "%2d %6d %+13.7e %14.8e %14.8e %14.8e"
    particle line:     " %8d %2d %4d %4d %4d %4d %+13.10e %+13.10e %+13.10e %14.10e %14.10e
                        %10.4e %10.4e"     (one line)

so that tools which parse MadGraph's columns read our files too. The header carries the three
cards as MadGraph writes them: ``<MG5ProcCard>`` and ``<MGRunCard>`` in CDATA sections,
``<slha>`` (the param_card) as plain text, and ``<MGGenerationInfo>`` with the number of events
and the integrated weight.

Files are written atomically (see :mod:`madnis_py.output.atomic`) and gzip-compressed when the
path ends with ``.gz``.
"""

from __future__ import annotations

import math
import os
import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np

from .atomic import atomic_open

__all__ = [
    "EVENT_NORMS",
    "LHEEvents",
    "LHEHeader",
    "LHEInit",
    "LHEProcessInfo",
    "lhe_event_weights",
    "weighting_strategy_for",
    "write_lhe",
]

#: Supported values of the run_card's ``event_norm``.
EVENT_NORMS = ("average", "sum")

INIT_BEAM_FORMAT = "%d %d %e %e %d %d %d %d %d %d\n"
INIT_PROCESS_FORMAT = "%e %e %e %d\n"
EVENT_LINE_FORMAT = "%2d %6d %+13.7e %14.8e %14.8e %14.8e\n"
PARTICLE_LINE_FORMAT = (
    " %8d %2d %4d %4d %4d %4d %+13.10e %+13.10e %+13.10e %14.10e %14.10e %10.4e %10.4e\n"
)

#: Events formatted per string chunk while writing (bounds the memory of the text buffer).
_CHUNK_EVENTS = 4096

_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XML_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_RESERVED_HEADER_TAGS = frozenset(
    {"MGVersion", "MG5ProcCard", "MGRunCard", "slha", "MGGenerationInfo", "initrwgt"}
)


# --------------------------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class LHEProcessInfo:
    """One process line of the ``<init>`` block (XSECUP XERRUP XMAXUP LPRUP).

    Attributes
    ----------
    xsec_pb: cross section of this process, pb.
    xerr_pb: its statistical error, pb.
    xmax: maximum event weight (MadGraph writes the cross section here for unweighted events).
    process_id: LPRUP, the id that events of this process carry (IDPRUP).
    """

    xsec_pb: float
    xerr_pb: float
    xmax: float
    process_id: int

    def __post_init__(self) -> None:
        for name in ("xsec_pb", "xerr_pb", "xmax"):
            value = float(getattr(self, name))
            if not math.isfinite(value):
                raise ValueError(f"LHEProcessInfo.{name} must be finite, got {value!r}")
            object.__setattr__(self, name, value)
        process_id = _as_int(self.process_id, "LHEProcessInfo.process_id")
        object.__setattr__(self, "process_id", process_id)


@dataclass(frozen=True)
class LHEInit:
    """The ``<init>`` block.

    Attributes
    ----------
    beam_pdg: PDG ids of the two beams (IDBMUP), e.g. (2212, 2212) or (-11, 11).
    beam_energy: beam energies in GeV (EBMUP).
    pdf_group: PDFLIB group ids (PDFGUP); MadGraph writes (0, 0).
    pdf_set: LHAPDF set ids (PDFSUP), e.g. (247000, 247000) for NNPDF2.3 LO; (0, 0) for none.
    weighting_strategy: IDWTUP; MadGraph 3 writes -4 for ``event_norm = average`` and -3 for
        ``sum`` (see :func:`weighting_strategy_for`).
    processes: one :class:`LHEProcessInfo` per process id (stored as a tuple).
    """

    beam_pdg: tuple[int, int]
    beam_energy: tuple[float, float]
    pdf_group: tuple[int, int]
    pdf_set: tuple[int, int]
    weighting_strategy: int
    processes: Sequence[LHEProcessInfo]

    def __post_init__(self) -> None:
        object.__setattr__(self, "beam_pdg", _pair(self.beam_pdg, "beam_pdg", int))
        object.__setattr__(self, "beam_energy", _pair(self.beam_energy, "beam_energy", float))
        object.__setattr__(self, "pdf_group", _pair(self.pdf_group, "pdf_group", int))
        object.__setattr__(self, "pdf_set", _pair(self.pdf_set, "pdf_set", int))
        strategy = _as_int(self.weighting_strategy, "LHEInit.weighting_strategy")
        if abs(strategy) not in (1, 2, 3, 4):
            raise ValueError(f"LHEInit.weighting_strategy (IDWTUP) must be +-1..4, got {strategy}")
        object.__setattr__(self, "weighting_strategy", strategy)
        processes = tuple(self.processes)
        if not processes:
            raise ValueError(
                "LHEInit.processes is empty: the <init> block needs at least one process"
            )
        for p in processes:
            if not isinstance(p, LHEProcessInfo):
                raise TypeError(
                    f"LHEInit.processes must hold LHEProcessInfo, got {type(p).__name__}"
                )
        ids = [p.process_id for p in processes]
        if len(set(ids)) != len(ids):
            raise ValueError(f"LHEInit.processes has duplicate process ids: {ids}")
        if any(e <= 0 or not math.isfinite(e) for e in self.beam_energy):
            raise ValueError(
                f"LHEInit.beam_energy must be positive and finite, got {self.beam_energy}"
            )
        object.__setattr__(self, "processes", processes)

    @property
    def total_xsec_pb(self) -> float:
        """Sum of the process cross sections, pb."""
        return float(sum(p.xsec_pb for p in self.processes))


@dataclass(frozen=True)
class LHEHeader:
    """The ``<header>`` block: the run's cards and the generator that wrote the file.

    Attributes
    ----------
    proc_card: proc_card.dat text, written in ``<MG5ProcCard>``.
    run_card: run_card.dat text, written in ``<MGRunCard>``.
    param_card: param_card.dat (SLHA) text, written in ``<slha>``.
    generator_name: written in ``<init>``'s ``<generator name=...>``.
    generator_version: written in ``<MGVersion>`` and ``<generator version=...>``; ``None``
        (default) means the installed ``madnis_py.__version__``.
    extra: further header blocks, tag -> text (tags must be XML names and must not clash
        with the blocks above); each written as ``<tag><![CDATA[text]]></tag>``, in the
        order given. Stored as a read-only mapping.
    """

    proc_card: str
    run_card: str
    param_card: str
    generator_name: str = "madnis-py"
    generator_version: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.generator_version is None:
            import madnis_py  # resolved late: this module may be imported by the package itself

            version = str(getattr(madnis_py, "__version__", "unknown"))
            object.__setattr__(self, "generator_version", version)
        for name in ("proc_card", "run_card", "param_card", "generator_name", "generator_version"):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"LHEHeader.{name} must be a str, got {type(value).__name__}")
            _check_xml_text(value, f"LHEHeader.{name}")
        extra = dict(self.extra)
        for tag, text in extra.items():
            valid = isinstance(tag, str) and _XML_NAME.match(tag) is not None
            if not valid or tag.lower().startswith("xml"):
                raise ValueError(f"LHEHeader.extra: {tag!r} is not a valid XML tag name")
            if tag in _RESERVED_HEADER_TAGS:
                raise ValueError(
                    f"LHEHeader.extra: tag {tag!r} is written by the LHE writer itself"
                )
            if not isinstance(text, str):
                raise TypeError(
                    f"LHEHeader.extra[{tag!r}] must be a str, got {type(text).__name__}"
                )
            _check_xml_text(text, f"LHEHeader.extra[{tag!r}]")
        object.__setattr__(self, "extra", types.MappingProxyType(extra))


@dataclass(frozen=True, eq=False)
class LHEEvents:
    """A block of events with the same number of particles, as arrays.

    ``n`` is the number of events, ``npart`` the number of particles per event (NUP).

    Attributes
    ----------
    pdg: int64, shape (n, npart): PDG ids (IDUP).
    status: int64, shape (n, npart): ISTUP, -1 incoming, 1 outgoing, 2 intermediate resonance.
    mothers: int64, shape (n, npart, 2): MOTHUP, 1-based particle positions, 0 = none.
    colour: int64, shape (n, npart, 2): ICOLUP (colour, anticolour) tags, MadGraph numbering
        from 501, 0 = none.
    momenta: float64, shape (n, npart, 4): (E, px, py, pz), GeV.
    masses: float64, shape (n, npart): generated masses (PUP5), GeV.
    helicities: float64, shape (n, npart): SPINUP, e.g. -1., 1., 0.; 9. = unknown.
    weights: float64, shape (n,): XWGTUP, pb (see :func:`lhe_event_weights`).
    scale: float64, shape (n,): SCALUP, GeV.
    alpha_qed: float64, shape (n,): AQEDUP.
    alpha_s: float64, shape (n,): AQCDUP.
    process_id: int64, shape (n,): IDPRUP, one of the ids in :attr:`LHEInit.processes`.

    Arrays are converted to these dtypes on construction; inconsistent shapes, non-finite
    values or out-of-range mother indices raise ``ValueError``.
    """

    pdg: np.ndarray
    status: np.ndarray
    mothers: np.ndarray
    colour: np.ndarray
    momenta: np.ndarray
    masses: np.ndarray
    helicities: np.ndarray
    weights: np.ndarray
    scale: np.ndarray
    alpha_qed: np.ndarray
    alpha_s: np.ndarray
    process_id: np.ndarray

    def __post_init__(self) -> None:
        int_fields = ("pdg", "status", "mothers", "colour", "process_id")
        for name in int_fields:
            arr = np.asarray(getattr(self, name))
            if arr.size and not np.issubdtype(arr.dtype, np.integer):
                if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
                    raise ValueError(f"LHEEvents.{name} must hold integers")
            object.__setattr__(self, name, arr.astype(np.int64, copy=False))
        for name in ("momenta", "masses", "helicities", "weights", "scale", "alpha_qed", "alpha_s"):
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            n_bad = int(np.count_nonzero(~np.isfinite(arr)))
            if n_bad:
                raise ValueError(f"LHEEvents.{name} has {n_bad} NaN or infinite entries")
            object.__setattr__(self, name, arr)

        if self.pdg.ndim != 2:
            raise ValueError(f"LHEEvents.pdg must have shape (n, npart), got {self.pdg.shape}")
        n, npart = self.pdg.shape
        if npart < 1:
            raise ValueError("LHEEvents: events must have at least one particle")
        expected = {
            "status": (n, npart),
            "mothers": (n, npart, 2),
            "colour": (n, npart, 2),
            "momenta": (n, npart, 4),
            "masses": (n, npart),
            "helicities": (n, npart),
            "weights": (n,),
            "scale": (n,),
            "alpha_qed": (n,),
            "alpha_s": (n,),
            "process_id": (n,),
        }
        for name, shape in expected.items():
            got = getattr(self, name).shape
            if got != shape:
                raise ValueError(
                    f"LHEEvents.{name} has shape {got}, expected {shape} "
                    f"(from pdg's shape (n={n}, npart={npart}))"
                )
        if np.any((self.mothers < 0) | (self.mothers > npart)):
            raise ValueError(f"LHEEvents.mothers must lie in 0..{npart} (1-based, 0 = none)")
        if np.any(self.colour < 0):
            raise ValueError("LHEEvents.colour tags must be >= 0 (0 = none)")

    @property
    def n_events(self) -> int:
        """Number of events."""
        return int(self.pdg.shape[0])

    @property
    def n_particles(self) -> int:
        """Number of particles per event (NUP)."""
        return int(self.pdg.shape[1])


# --------------------------------------------------------------------------------------------
# weights


def weighting_strategy_for(event_norm: str) -> int:
    """IDWTUP as MadGraph 3 writes it for unweighted events: -4 for ``average``, -3 for ``sum``."""
    _check_event_norm(event_norm)
    return -4 if event_norm == "average" else -3


def lhe_event_weights(
    weights: np.ndarray, xsec_pb: float, event_norm: str = "average"
) -> np.ndarray:
    """Event weights (XWGTUP) for an unweighted sample, following the run_card's ``event_norm``.

    Parameters
    ----------
    weights:
        float64, shape (n_events,), > 0, any common unit: the relative weights of the
        unweighted events, e.g. ``UnweightResult.event_weights`` (equal except for
        overweight events).
    xsec_pb:
        The cross section the sample represents, pb (normally the integration's result).
    event_norm:
        ``"average"``: the weights average to ``xsec_pb`` (each ordinary event carries about
        ``xsec_pb``); ``"sum"``: they sum to ``xsec_pb`` (each carries about ``xsec_pb / n``).

    Returns
    -------
    float64, shape (n_events,), pb.
    """
    _check_event_norm(event_norm)
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"weights must be a non-empty 1-d array, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("weights must be finite and > 0")
    xsec = float(xsec_pb)
    if not math.isfinite(xsec) or xsec < 0:
        raise ValueError(f"xsec_pb must be finite and >= 0, got {xsec_pb!r}")
    norm = w.mean() if event_norm == "average" else w.sum()
    return xsec * (w / norm)


# --------------------------------------------------------------------------------------------
# writing


def write_lhe(
    path: str | os.PathLike[str],
    events: LHEEvents | Sequence[LHEEvents],
    init: LHEInit,
    header: LHEHeader,
) -> None:
    """Write an LHE 3.0 file (gzip-compressed if ``path`` ends with ``.gz``), atomically.

    Parameters
    ----------
    path:
        Destination; its directory must exist. A file already there is replaced only when the
        new one is complete.
    events:
        The events, one :class:`LHEEvents` or several (e.g. one per particle multiplicity),
        written in the order given. Their ``weights`` are written as they are: normalise them
        with :func:`lhe_event_weights` first.
    init:
        The ``<init>`` block; every event's ``process_id`` must be one of its process ids.
    header:
        The cards and generator information for ``<header>``.

    Raises
    ------
    ValueError
        If an event refers to a process id that ``init`` does not declare. Nothing is written
        then, and nothing is left behind if writing fails later.
    """
    blocks = (events,) if isinstance(events, LHEEvents) else tuple(events)
    for block in blocks:
        if not isinstance(block, LHEEvents):
            raise TypeError(
                f"events must be LHEEvents or a sequence of them, got {type(block).__name__}"
            )
    if not isinstance(init, LHEInit):
        raise TypeError(f"init must be an LHEInit, got {type(init).__name__}")
    if not isinstance(header, LHEHeader):
        raise TypeError(f"header must be an LHEHeader, got {type(header).__name__}")
    declared = {p.process_id for p in init.processes}
    for block in blocks:
        unknown = sorted(set(np.unique(block.process_id).tolist()) - declared)
        if unknown:
            raise ValueError(
                f"events carry process ids {unknown} that the <init> block does not declare "
                f"(declared: {sorted(declared)})"
            )
    n_total = sum(block.n_events for block in blocks)

    with atomic_open(path, "w") as stream:
        stream.write('<LesHouchesEvents version="3.0">\n')
        stream.write(_header_text(header, init, n_total))
        stream.write(_init_text(init, header))
        for block in blocks:
            for start in range(0, block.n_events, _CHUNK_EVENTS):
                stop = min(start + _CHUNK_EVENTS, block.n_events)
                stream.write(_format_events(block, start, stop))
        stream.write("</LesHouchesEvents>\n")


_BANNER_COMMENT = """<!--
#*********************************************************************
#                                                                    *
#                            madnis-py                               *
#     leading-order event generation with neural importance sampling *
#                                                                    *
# This file contains all the information necessary to reproduce      *
# the events generated:                                              *
#                                                                    *
# 1. software version                                                *
# 2. proc_card          : code generation info including model       *
# 3. param_card         : model primary parameters in the LH format  *
# 4. run_card           : running parameters (collider and cuts)     *
#                                                                    *
#*********************************************************************
-->
"""


def _header_text(header: LHEHeader, init: LHEInit, n_events: int) -> str:
    parts = [
        "<header>\n",
        _BANNER_COMMENT,
        f"<MGVersion>\n{_plain(header.generator_version)}\n</MGVersion>\n",
        f"<MG5ProcCard>\n{_cdata(header.proc_card)}\n</MG5ProcCard>\n",
        f"<MGRunCard>\n{_cdata(header.run_card)}\n</MGRunCard>\n",
        f"<slha>\n{_plain(header.param_card)}\n</slha>\n",
        "<MGGenerationInfo>\n",
        f"#  Number of Events        :       {n_events}\n",
        f"#  Integrated weight (pb)  :       {init.total_xsec_pb!r}\n",
        "</MGGenerationInfo>\n",
    ]
    for tag, text in header.extra.items():
        parts.append(f"<{tag}>\n{_cdata(text)}\n</{tag}>\n")
    parts.append("</header>\n")
    return "".join(parts)


def _init_text(init: LHEInit, header: LHEHeader) -> str:
    lines = [
        "<init>\n",
        INIT_BEAM_FORMAT
        % (*init.beam_pdg, *init.beam_energy, *init.pdf_group, *init.pdf_set,
           init.weighting_strategy, len(init.processes)),
    ]
    for p in init.processes:
        lines.append(INIT_PROCESS_FORMAT % (p.xsec_pb, p.xerr_pb, p.xmax, p.process_id))
    lines.append(
        f"<generator name={_attr(header.generator_name)} "
        f"version={_attr(header.generator_version)}>"
        "leading-order events with MadNIS importance sampling</generator>\n"
    )
    lines.append("</init>\n")
    return "".join(lines)


def _format_events(events: LHEEvents, start: int, stop: int) -> str:
    """The ``<event>`` blocks of events ``start:stop`` as one string.

    All numbers of one event go into one row of a float64 table (integers are exact in
    float64 below 2**53, and ``%d`` formats a float's integer value), and each event is
    formatted with a single ``%`` operation on a per-multiplicity template.
    """
    n = stop - start
    npart = events.n_particles
    table = np.empty((n, 6 + 13 * npart), dtype=np.float64)
    table[:, 0] = npart
    table[:, 1] = events.process_id[start:stop]
    table[:, 2] = events.weights[start:stop]
    table[:, 3] = events.scale[start:stop]
    table[:, 4] = events.alpha_qed[start:stop]
    table[:, 5] = events.alpha_s[start:stop]
    particles = table[:, 6:].reshape(n, npart, 13)
    particles[:, :, 0] = events.pdg[start:stop]
    particles[:, :, 1] = events.status[start:stop]
    particles[:, :, 2:4] = events.mothers[start:stop]
    particles[:, :, 4:6] = events.colour[start:stop]
    momenta = events.momenta[start:stop]
    particles[:, :, 6:9] = momenta[:, :, 1:4]  # px, py, pz
    particles[:, :, 9] = momenta[:, :, 0]  # E
    particles[:, :, 10] = events.masses[start:stop]
    particles[:, :, 11] = 0.0  # VTIMUP: proper lifetime, mm
    particles[:, :, 12] = events.helicities[start:stop]
    template = "<event>\n" + EVENT_LINE_FORMAT + PARTICLE_LINE_FORMAT * npart + "</event>\n"
    return "".join([template % tuple(row) for row in table.tolist()])


# --------------------------------------------------------------------------------------------
# helpers


def _check_event_norm(event_norm: str) -> None:
    if event_norm not in EVENT_NORMS:
        raise ValueError(f"event_norm must be one of {EVENT_NORMS}, got {event_norm!r}")


def _as_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    return int(value)


def _pair(value: object, name: str, kind: type) -> tuple:
    try:
        items = tuple(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"LHEInit.{name} must be a pair, got {value!r}") from None
    if len(items) != 2:
        raise ValueError(f"LHEInit.{name} must have two entries (one per beam), got {value!r}")
    if kind is int:
        return tuple(_as_int(v, f"LHEInit.{name}") for v in items)
    return tuple(float(v) for v in items)


def _check_xml_text(text: str, name: str) -> None:
    match = _INVALID_XML_CHARS.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise ValueError(
            f"{name} contains the character {match.group()!r} on line {line}, which XML (and "
            "therefore LHE) cannot carry; remove it from the card"
        )


def _attr(value: str) -> str:
    """An XML attribute value in single quotes, as MadGraph writes them."""
    return "'" + escape(value, {"'": "&apos;", '"': "&quot;"}) + "'"


def _cdata(text: str) -> str:
    """``text`` as a CDATA section (a ``]]>`` inside is split across two sections)."""
    body = text.strip("\n").replace("]]>", "]]]]><![CDATA[>")
    return f"<![CDATA[\n{body}\n]]>"


def _plain(text: str) -> str:
    """``text`` as element content: verbatim (as MadGraph writes it) when that is valid XML,
    else as a CDATA section."""
    body = text.strip("\n")
    if "<" in body or "&" in body or "]]>" in body:
        return _cdata(body)
    return body
