"""Finding LHAPDF6 sets on disk, by name or LHAPDF ID, the way LHAPDF and MadGraph users expect.

Searched, in order: the directories in ``LHAPDF_DATA_PATH`` (colon-separated; also the legacy ``LHAPATH``),
``<prefix>/share/LHAPDF`` of this Python environment, ``lhapdf-config --datadir`` when LHAPDF is installed, and the
``share/Pythia8/pdfdata`` directory of the ``pythia8mc`` wheel (which ships a few LHAPDF6 grids, among them MadGraph's
default NNPDF23_lo_as_0130_qed, as flat ``<set>_0000.dat`` files without ``.info``).
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from madnis_py.errors import UserError

#: MadGraph's default PDF (``pdlabel = nn23lo1``), LHAPDF ID 247000.
DEFAULT_PDF_SET = "NNPDF23_lo_as_0130_qed"

#: LHAPDF IDs (member 0) of the sets that ship with pythia8mc, and of MadGraph's run_card default ``lhaid``
#: (230000), from LHAPDF 6.2.3's pdfsets.index.
LHAID_TO_NAME: dict[int, str] = {
    10042: "cteq6l1",
    13300: "CT14qed_proton",
    33000: "GKG18_DPDF_FitA_LO",
    33020: "GKG18_DPDF_FitB_LO",
    33040: "GKG18_DPDF_FitA_NLO",
    33060: "GKG18_DPDF_FitB_NLO",
    230000: "NNPDF23_nlo_as_0119",
    244800: "NNPDF23_nlo_as_0119_qed",
    246000: "NNPDF23_nnlo_as_0119_qed",
    246800: "NNPDF23_lo_as_0119_qed",
    247000: "NNPDF23_lo_as_0130_qed",
    315000: "NNPDF31_lo_as_0118",
    315200: "NNPDF31_lo_as_0130",
    324900: "NNPDF31_nlo_as_0118_luxqed",
    325100: "NNPDF31_nnlo_as_0118_luxqed",
}

#: MadGraph's built-in ``pdlabel`` values whose grids are LHAPDF sets.
MADGRAPH_PDLABELS: dict[str, str] = {
    "nn23lo1": "NNPDF23_lo_as_0130_qed",
    "nn23lo": "NNPDF23_lo_as_0119_qed",
}


class PDFSetNotFoundError(UserError):
    """The requested PDF set (or member) is in none of the searched directories."""


@dataclass(frozen=True)
class PDFSetLocation:
    """Where one member of a PDF set lives.

    name: set name (LHAPDF spelling); member: member number (0 = central); data_file: the member's ``.dat``;
    info_file: the set's ``.info`` or None (the pythia8mc copies have none); lhaid: LHAPDF ID of the member if known.
    """

    name: str
    member: int
    data_file: Path
    info_file: Path | None
    lhaid: int | None


@functools.lru_cache(maxsize=1)
def _lhapdf_config_datadir() -> Path | None:
    exe = shutil.which("lhapdf-config")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "--datadir"], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    text = out.stdout.strip()
    return Path(text) if text else None


@functools.lru_cache(maxsize=1)
def _pythia8mc_pdfdata() -> Path | None:
    """The pdfdata directory listed in the installed pythia8mc wheel's RECORD, if any."""
    try:
        dist = importlib.metadata.distribution("pythia8mc")
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in dist.files or ():
        if f.name.endswith(".dat") and f.parent.name == "pdfdata" and f.parent.parent.name == "Pythia8":
            return Path(dist.locate_file(f)).resolve().parent
    return None


def pdf_search_paths() -> list[Path]:
    """The directories searched for PDF sets, in order (existing or not), without duplicates."""
    paths: list[Path] = []
    for var in ("LHAPDF_DATA_PATH", "LHAPATH"):
        paths += [Path(p).expanduser() for p in os.environ.get(var, "").split(os.pathsep) if p]
    for prefix in (sys.prefix, sys.base_prefix):
        paths.append(Path(prefix) / "share" / "LHAPDF")
    datadir = _lhapdf_config_datadir()
    if datadir is not None:
        paths.append(datadir)
    if os.environ.get("PYTHIA8DATA"):
        paths.append(Path(os.environ["PYTHIA8DATA"]).expanduser().parent / "pdfdata")
    for prefix in (sys.prefix, sys.base_prefix):
        paths.append(Path(prefix) / "share" / "Pythia8" / "pdfdata")
    wheel = _pythia8mc_pdfdata()
    if wheel is not None:
        paths.append(wheel)
    unique: list[Path] = []
    for p in paths:
        if p not in unique:
            unique.append(p)
    return unique


def _member_file(directory: Path, name: str, member: int) -> tuple[Path, Path | None] | None:
    stem = f"{name}_{member:04d}.dat"
    for data, info in ((directory / name / stem, directory / name / f"{name}.info"),
                       (directory / stem, directory / f"{name}.info")):
        if data.is_file():
            return data, (info if info.is_file() else None)
    return None


def _lhaid_from_index(lhaid: int, paths: list[Path]) -> tuple[str, int] | None:
    """(name, member) from the first pdfsets.index found: the set with the largest ID <= lhaid (LHAPDF's rule)."""
    for directory in paths:
        index = directory / "pdfsets.index"
        if not index.is_file():
            continue
        best: tuple[int, str] | None = None
        for line in index.read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) >= 2 and parts[0].isdigit() and int(parts[0]) <= lhaid:
                if best is None or int(parts[0]) > best[0]:
                    best = (int(parts[0]), parts[1])
        if best is not None:
            return best[1], lhaid - best[0]
    return None


def _describe(paths: list[Path]) -> str:
    return "; ".join(f"{p}{'' if p.is_dir() else ' (missing)'}" for p in paths) or "(none)"


def _fix_hint(name: str) -> str:
    return (f"To fix: put the LHAPDF6 set in a directory and add it to LHAPDF_DATA_PATH (colon-separated), e.g. "
            f"download https://lhapdfsets.web.cern.ch/current/{name}.tar.gz and unpack it there; or "
            f"`pip install pythia8mc==8.317.2`, whose wheel ships {DEFAULT_PDF_SET} (MadGraph's default) "
            f"and a few other sets.")


def find_pdf_set(name_or_lhaid: str | int = DEFAULT_PDF_SET, member: int = 0) -> PDFSetLocation:
    """Locates one member of a PDF set.

    name_or_lhaid: an LHAPDF set name (``"NNPDF23_lo_as_0130_qed"``, optionally ``"name/member"``), a MadGraph
    ``pdlabel`` (``"nn23lo1"``), or an LHAPDF ID (``247000``, also as a string). An ID selects the member itself
    (ID = set ID + member) and overrides ``member``; it is resolved with LHAID_TO_NAME (set IDs, member 0) or else
    with the first ``pdfsets.index`` found in the searched directories (LHAPDF's rule: the largest set ID <= ID).
    Raises PDFSetNotFoundError naming every directory searched and how to install the set.
    """
    paths = pdf_search_paths()
    lhaid: int | None = None
    if isinstance(name_or_lhaid, bool) or not isinstance(name_or_lhaid, (str, int)):
        raise TypeError(f"PDF set: expected a set name or an LHAPDF ID, got {name_or_lhaid!r}")
    key = str(name_or_lhaid).strip()
    if re.fullmatch(r"\d+", key):
        lhaid = int(key)
        if lhaid in LHAID_TO_NAME:
            name, member = LHAID_TO_NAME[lhaid], 0
        else:
            found = _lhaid_from_index(lhaid, paths)
            if found is None:
                known = ", ".join(f"{i} {n}" for i, n in sorted(LHAID_TO_NAME.items()))
                raise PDFSetNotFoundError(
                    f"LHAPDF ID {lhaid} is not in madnis-py's table ({known}) and no pdfsets.index was found in "
                    f"the directories searched: {_describe(paths)}. Give the set by name instead. "
                    f"{_fix_hint('<set name>')}")
            name, member = found
    else:
        name = MADGRAPH_PDLABELS.get(key.lower(), key)
        if "/" in name:
            name, _, mem = name.partition("/")
            if not mem.isdigit():
                raise PDFSetNotFoundError(f"PDF set {key!r}: the member after '/' must be a number")
            member = int(mem)
    if member < 0:
        raise ValueError(f"PDF member must be >= 0, got {member}")
    for directory in paths:
        hit = _member_file(directory, name, member)
        if hit is not None:
            if lhaid is None:
                base = next((i for i, n in LHAID_TO_NAME.items() if n == name), None)
                lhaid = None if base is None else base + member
            return PDFSetLocation(name, member, hit[0], hit[1], lhaid)
    raise PDFSetNotFoundError(
        f"PDF set {name} member {member} (file {name}_{member:04d}.dat) was not found. Searched: "
        f"{_describe(paths)}. {_fix_hint(name)}")
