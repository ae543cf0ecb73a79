"""Reading LHAPDF6 ``lhagrid1`` member files (``<set>_<member>.dat``) and set ``.info`` files into numpy arrays.

A member file is a metadata block followed by subgrid blocks, each terminated by a ``---`` line: x knots, Q knots
(GeV), the PDG codes of the columns, then one row per (x, Q) knot (x outer, Q inner) of x f(x, Q) values. Subgrids
split the Q range at the heavy-flavour thresholds; the knot at a threshold appears in both neighbouring blocks.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from madnis_py.errors import UserError


class PDFFormatError(UserError):
    """A PDF file that is not a readable LHAPDF6 lhagrid1 member."""


@dataclass(frozen=True)
class LHAGrid:
    """The data of one lhagrid1 member.

    x_knots[s]: float64 (n_x,); q_knots[s]: float64 (n_q,), GeV; values[s]: float64 (n_flavours, n_x, n_q), x f(x, Q);
    one entry per Q subgrid, ordered by Q. flavours: PDG codes of the value columns (21 gluon, 22 photon).
    metadata: the member file's header block (``PdfType``, ``Format``, ...). source: the file read.
    """

    x_knots: tuple[np.ndarray, ...]
    q_knots: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...]
    flavours: tuple[int, ...]
    metadata: dict = field(default_factory=dict)
    source: Path | None = None


def _scalar(text: str):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if text.startswith("[") and text.endswith("]"):
        return [_scalar(t) for t in text[1:-1].split(",") if t.strip()]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_info(text: str) -> dict:
    """Parses the flat ``Key: value`` YAML of LHAPDF ``.info`` files and member headers (numbers, strings, and
    ``[a, b, ...]`` lists); comment lines (``#``) and nested structures are skipped."""
    info: dict = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or line.startswith((" ", "\t")):
            continue
        key, sep, value = line.partition(":")
        if sep:
            info[key.strip()] = _scalar(value)
    return info


def read_info(path: str | os.PathLike) -> dict:
    """Reads a set's ``.info`` file into a dict (see parse_info)."""
    return parse_info(Path(path).read_text(errors="replace"))


_NUMBER = re.compile(r"[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf(?:inity)?)", re.IGNORECASE)


def _numbers(text: str) -> np.ndarray:
    """The numbers in `text`, read like LHAPDF's strtod-based parser: numbers written without a separating space
    (``0.0e+000.0e+00``, as in some shipped grids) are split where strtod would split them."""
    try:
        return np.array(text.split(), dtype=np.float64)
    except ValueError:
        tokens = _NUMBER.findall(text)
        rest = _NUMBER.sub(" ", text)
        if rest.strip():
            raise ValueError(f"not a number: {rest.split()[0]!r}") from None
        return np.array(tokens, dtype=np.float64)


def _block_error(path: Path, iblock: int, what: str) -> PDFFormatError:
    return PDFFormatError(f"{path}: subgrid block {iblock} is not valid lhagrid1 data: {what}. Replace the file with "
                          f"a fresh copy of the set (LHAPDF6 format).")


def read_lhagrid1(path: str | os.PathLike) -> LHAGrid:
    """Reads an LHAPDF6 lhagrid1 member file; raises PDFFormatError naming the file and block on bad content."""
    path = Path(path)
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        raise PDFFormatError(f"{path}: cannot read the PDF grid ({exc.strerror}).") from exc
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if not ln.startswith("#")]
    while lines and not lines[-1]:
        lines.pop()
    if not lines or lines[-1] != "---":
        raise PDFFormatError(f"{path}: an lhagrid1 file must end with a '---' line; the file is truncated or not an "
                             f"LHAPDF6 grid.")
    blocks: list[list[str]] = [[]]
    for ln in lines[:-1]:
        if ln == "---":
            blocks.append([])
        elif ln:
            blocks[-1].append(ln)
    metadata = parse_info("\n".join(blocks[0]))
    fmt = metadata.get("Format", "lhagrid1")
    if fmt != "lhagrid1":
        raise PDFFormatError(f"{path}: format {fmt!r} is not supported, only LHAPDF6 'lhagrid1' grids are.")
    if len(blocks) < 2:
        raise PDFFormatError(f"{path}: no subgrid blocks after the header.")
    xs, qs, vals = [], [], []
    flavours: tuple[int, ...] | None = None
    for iblock, block in enumerate(blocks[1:]):
        if len(block) < 4:
            raise _block_error(path, iblock, "fewer than 4 lines (x knots, Q knots, flavours, values)")
        try:
            x = _numbers(block[0])
            q = _numbers(block[1])
            pids = tuple(int(t) for t in block[2].split())
            table = _numbers(" ".join(block[3:]))
        except ValueError as exc:
            raise _block_error(path, iblock, str(exc)) from exc
        nx, nq, nf = len(x), len(q), len(pids)
        if len(block) - 3 != nx * nq or table.size != nx * nq * nf:
            raise _block_error(path, iblock, f"expected {nx}x{nq} rows of {nf} values, got {len(block) - 3} rows "
                                             f"and {table.size} values")
        v = np.ascontiguousarray(table.reshape(nx, nq, nf).transpose(2, 0, 1))
        if flavours is None:
            flavours = pids
        elif set(pids) != set(flavours) or len(pids) != len(flavours):
            raise _block_error(path, iblock, f"flavours {pids} differ from the first block's {flavours}")
        else:
            v = np.ascontiguousarray(v[[pids.index(p) for p in flavours]])
        xs.append(x)
        qs.append(q)
        vals.append(v)
    return LHAGrid(tuple(xs), tuple(qs), tuple(vals), flavours, metadata, path)
