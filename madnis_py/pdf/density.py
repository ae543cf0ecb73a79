"""Parton densities evaluated in batches by the compiled core, exactly as LHAPDF 6.2.3 evaluates a grid member:
log-bicubic interpolation in (log x, log Q^2) within each Q subgrid, continuation extrapolation outside the grid.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from madnis_py.arrays import contiguous, empty, is_torch
from madnis_py.core import _core
from madnis_py.pdf.lhagrid import LHAGrid, read_info, read_lhagrid1
from madnis_py.pdf.locate import DEFAULT_PDF_SET, PDFSetLocation, find_pdf_set

_GRID_CACHE: dict[tuple[str, int, int], tuple[LHAGrid, object]] = {}


def _load(path: Path) -> tuple[LHAGrid, object]:
    """Reads and packs a member file once per (path, size, mtime)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _GRID_CACHE:
        grid = read_lhagrid1(path)
        packed = _core.PdfGrid(list(grid.x_knots), list(grid.q_knots), list(grid.values),
                               np.asarray(grid.flavours, dtype=np.int32), str(path))
        _GRID_CACHE[key] = (grid, packed)
    return _GRID_CACHE[key]


def _events(name: str, a, n: int | None = None):
    """float64 C-contiguous 1-D array (numpy, a scalar made (1,), or a torch tensor left on its device)."""
    a = contiguous(a)
    if a.ndim == 0 and not is_torch(a):
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValueError(f"{name}: expected shape (n,), got {tuple(a.shape)}")
    if n is not None and a.shape[0] != n:
        raise ValueError(f"{name}: expected {n} entries like the first argument, got {a.shape[0]}")
    return a


def _check_physical(x_name: str, x, q) -> None:
    """ValueError for the first x outside (0, 1] or negative/NaN scale (numpy inputs; device inputs give NaN)."""
    if is_torch(x) or is_torch(q):
        return
    bad = ~((x > 0.0) & (x <= 1.0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{x_name}[{i}] = {x[i]!r}: momentum fractions must lie in (0, 1]")
    bad = ~(q >= 0.0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"scale[{i}] = {q[i]!r} GeV: the factorisation scale must be >= 0")


def _pids(values, name: str) -> tuple[np.ndarray, bool]:
    """int32 (k,) PDG codes and whether a single code was given."""
    scalar = np.ndim(values) == 0
    arr = np.atleast_1d(np.asarray(values))
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name}: expected a PDG code or a sequence of PDG codes, got {values!r}")
    return np.ascontiguousarray(arr, dtype=np.int32), scalar


class PDF:
    """One member of an LHAPDF6 grid set, evaluated in batches (CPU threads, or CUDA after ``.to("cuda")``).

    ``PDF()`` loads MadGraph's default NNPDF23_lo_as_0130_qed member 0; ``PDF(name_or_lhaid, member)`` any set
    found by :func:`madnis_py.pdf.find_pdf_set`; ``PDF.from_file(path)`` a member file directly.
    """

    def __init__(self, name_or_lhaid: str | int = DEFAULT_PDF_SET, member: int = 0):
        self._init(find_pdf_set(name_or_lhaid, member))

    @classmethod
    def from_file(cls, path: str | os.PathLike, info_file: str | os.PathLike | None = None) -> PDF:
        """Loads the lhagrid1 member file `path` (``<set>_<member>.dat``) with an optional ``.info`` file."""
        path = Path(path)
        m = re.fullmatch(r"(.+)_(\d{4})\.dat", path.name)
        name, member = (m.group(1), int(m.group(2))) if m else (path.stem, 0)
        if info_file is None and (path.parent / f"{name}.info").is_file():
            info_file = path.parent / f"{name}.info"
        self = cls.__new__(cls)
        self._init(PDFSetLocation(name, member, path, None if info_file is None else Path(info_file), None))
        return self

    def _init(self, location: PDFSetLocation) -> None:
        self.location = location
        self.grid, self._packed = _load(location.data_file)
        self.info: dict = read_info(location.info_file) if location.info_file is not None else {}
        self._device_data = None

    # --- description -------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The set name."""
        return self.location.name

    @property
    def member(self) -> int:
        return self.location.member

    @property
    def lhaid(self) -> int | None:
        """LHAPDF ID of this member, where known."""
        if self.location.lhaid is not None:
            return self.location.lhaid
        index = self.info.get("SetIndex")
        return index + self.member if isinstance(index, int) else None

    @property
    def flavours(self) -> tuple[int, ...]:
        """PDG codes the set provides (21 gluon, 22 photon); other codes evaluate to 0."""
        return tuple(self._packed.pids)

    @property
    def x_min(self) -> float:
        return self._packed.x_min

    @property
    def x_max(self) -> float:
        return self._packed.x_max

    @property
    def q_min(self) -> float:
        """Lowest Q knot, GeV."""
        return self._packed.q_min

    @property
    def q_max(self) -> float:
        """Highest Q knot, GeV."""
        return self._packed.q_max

    @property
    def subgrid_edges(self) -> tuple[float, ...]:
        """Q (GeV) where each Q subgrid starts (the flavour thresholds), then the last Q knot."""
        return tuple(self._packed.q_edges)

    @property
    def alphas_mz(self) -> float | None:
        """alpha_s(MZ) of the set: ``AlphaS_MZ`` from the .info file, else the ``_as_0NNN`` tag of the set name
        (the pythia8mc copies come without .info), else None."""
        if isinstance(self.info.get("AlphaS_MZ"), (int, float)):
            return float(self.info["AlphaS_MZ"])
        m = re.search(r"_as_(\d)(\d{3})(?:_|$)", self.name)
        return float(f"{m.group(1)}.{m.group(2)}") if m else None

    def __repr__(self) -> str:
        return (f"PDF({self.name!r}, member={self.member}, lhaid={self.lhaid}, x in [{self.x_min:g}, {self.x_max:g}], "
                f"Q in [{self.q_min:g}, {self.q_max:g}] GeV, file={str(self.location.data_file)!r})")

    # --- device ------------------------------------------------------------------------------------------
    def to(self, device) -> PDF:
        """A PDF sharing this grid whose data lives on `device` (a torch device such as ``"cuda"``); evaluate it
        with torch tensors on that device. ``"cpu"`` returns a host PDF."""
        import torch

        other = PDF.__new__(PDF)
        other.location, other.grid, other._packed, other.info = self.location, self.grid, self._packed, self.info
        dev = torch.device(device)
        other._device_data = None if dev.type == "cpu" else torch.as_tensor(self._packed.data).to(dev)
        return other

    # --- evaluation --------------------------------------------------------------------------------------
    def xfxq(self, x, q, pid: int | Sequence[int]):
        """x f(x, Q) for one flavour or several.

        x: float64 (n,) momentum fractions in (0, 1]; q: float64 (n,) scale Q in GeV; pid: a PDG code (0 and 21:
        gluon) → result (n,), or a sequence of k codes → result (n, k). Flavours the set lacks give 0.
        """
        x = _events("x", x)
        q = _events("q", q, x.shape[0])
        _check_physical("x", x, q)
        pids, scalar = _pids(pid, "pid")
        out = empty(x, (x.shape[0], pids.shape[0]))
        _core.pdf_xfxq(self._packed, x, q, pids, out, self._device_data)
        return out[:, 0] if scalar else out

    def xfxq_per_event(self, x, q, pid):
        """x f(x, Q) with one flavour per event: x, q float64 (n,) (q in GeV), pid int32 (n,) PDG codes → (n,)."""
        x = _events("x", x)
        q = _events("q", q, x.shape[0])
        _check_physical("x", x, q)
        if is_torch(pid):
            import torch

            pid = pid.to(torch.int32).contiguous()
        else:
            pid = np.ascontiguousarray(pid, dtype=np.int32)
        if pid.shape != (x.shape[0],):
            raise ValueError(f"pid: expected shape ({x.shape[0]},), got {tuple(pid.shape)}")
        out = empty(x, (x.shape[0],))
        _core.pdf_xfxq_per_event(self._packed, x, q, pid, out, self._device_data)
        return out

    def f1f2(self, x1, x2, mu_f, pdg1: int | Sequence[int], pdg2: int | Sequence[int], lpp: tuple[int, int] = (1, 1)):
        """The product of the two beams' parton densities, f1(x1, muF1) f2(x2, muF2) (densities, not x f).

        x1, x2: float64 (n,) momentum fractions; mu_f: float64 (n,) factorisation scale of both beams, or (n, 2)
        one per beam, GeV; pdg1, pdg2: the partons' PDG codes, both scalars → result (n,), or sequences of equal
        length k (e.g. the flavour combinations of a subprocess group) → result (n, k). lpp: MadGraph's beam
        types, 1 proton, -1 antiproton (flavours conjugated), 0 no PDF (that beam's factor is 1).
        """
        x1 = _events("x1", x1)
        x2 = _events("x2", x2, x1.shape[0])
        if getattr(mu_f, "ndim", np.ndim(mu_f)) == 2:
            if tuple(mu_f.shape) != (x1.shape[0], 2):
                raise ValueError(f"mu_f: expected shape ({x1.shape[0]},) or ({x1.shape[0]}, 2), got {tuple(mu_f.shape)}")
            mu_1, mu_2 = _events("mu_f", mu_f[:, 0]), _events("mu_f", mu_f[:, 1])
            if not is_torch(mu_1) and np.array_equal(mu_1, mu_2):
                mu_2 = mu_1
        else:
            mu_1 = mu_2 = _events("mu_f", mu_f, x1.shape[0])
        if lpp[0] != 0:
            _check_physical("x1", x1, mu_1)
        if lpp[1] != 0:
            _check_physical("x2", x2, mu_2)
        p1, s1 = _pids(pdg1, "pdg1")
        p2, s2 = _pids(pdg2, "pdg2")
        if p1.shape != p2.shape or s1 != s2:
            raise ValueError(f"pdg1 and pdg2 must both be scalars or sequences of equal length, got {pdg1!r}, {pdg2!r}")
        out = empty(x1, (x1.shape[0], p1.shape[0]))
        if mu_1 is mu_2:
            _core.pdf_two_beam(self._packed, x1, x2, mu_1, p1, p2, int(lpp[0]), int(lpp[1]), out, self._device_data)
        else:  # one beam at a time, each at its own scale
            other = empty(x1, (x1.shape[0], p1.shape[0]))
            _core.pdf_two_beam(self._packed, x1, x2, mu_1, p1, p2, int(lpp[0]), 0, out, self._device_data)
            _core.pdf_two_beam(self._packed, x1, x2, mu_2, p1, p2, 0, int(lpp[1]), other, self._device_data)
            out *= other
        return out[:, 0] if s1 else out
