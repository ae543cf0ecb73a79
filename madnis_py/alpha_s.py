"""The running strong coupling as MadGraph5 computes it (Source/alfas_functions.f, ALPHAS_not_timed / NEWTON1).

1-, 2- or 3-loop running from alpha_s(MZ) with MZ = 91.188 GeV, matched at the charm (1.42 GeV) and bottom (4.7 GeV)
thresholds: nf = 5 above the bottom mass, 4 between charm and bottom, 3 below; no top threshold. For p p collisions
MadGraph takes alpha_s(MZ) from the PDF set (0.130 for its default nn23lo1 = NNPDF23_lo_as_0130_qed) and runs it
at 2 loops. Evaluated per event in the compiled core.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from madnis_py.arrays import contiguous, empty, is_torch
from madnis_py.core import _core

#: MadGraph's Z mass and heavy-quark thresholds for the running (GeV).
MZ = 91.188
CMASS = 1.42
BMASS = 4.7


@dataclass(frozen=True)
class AlphaS:
    """alpha_s(Q) with MadGraph's running.

    alphas_mz: alpha_s at MZ; nloop: 1, 2 or 3 loops; mz, cmass, bmass: GeV (MadGraph's values by default).
    Call with Q (GeV), float64 (n,) numpy array or torch tensor (CPU or CUDA) → alpha_s, same shape and device.
    """

    alphas_mz: float
    nloop: int = 2
    mz: float = MZ
    cmass: float = CMASS
    bmass: float = BMASS

    def __post_init__(self):
        if not self.alphas_mz > 0.0:
            raise ValueError(f"alphas_mz must be positive, got {self.alphas_mz!r}")
        if self.nloop not in (1, 2, 3):
            raise ValueError(f"nloop must be 1, 2 or 3, got {self.nloop!r}")
        if not 0.3 < self.cmass < self.bmass < self.mz:
            raise ValueError(f"need 0.3 GeV < cmass < bmass < mz, got cmass={self.cmass}, bmass={self.bmass}, "
                             f"mz={self.mz}")

    @classmethod
    def for_pdf(cls, pdf, nloop: int = 2) -> AlphaS:
        """MadGraph's choice for p p: alpha_s(MZ) of the PDF set (`pdf.alphas_mz`), run at `nloop` loops."""
        if pdf.alphas_mz is None:
            raise ValueError(f"PDF set {pdf.name} has no known alpha_s(MZ); give AlphaS(alphas_mz=...) explicitly")
        return cls(pdf.alphas_mz, nloop)

    def __call__(self, q):
        """alpha_s at scale q (GeV), float64 (n,) or a scalar; NaN where q <= 0 for device inputs."""
        scalar = np.ndim(q) == 0
        q = contiguous(q)
        if not is_torch(q):
            q = q.reshape(-1)
            bad = ~(q > 0.0)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ValueError(f"q[{i}] = {q[i]!r} GeV: alpha_s needs a positive scale")
        out = empty(q, tuple(q.shape))
        if q.ndim != 1:
            raise ValueError(f"q: expected shape (n,), got {tuple(q.shape)}")
        _core.alpha_s(q, out, self.alphas_mz, self.nloop, self.mz, self.cmass, self.bmass)
        return float(out[0]) if scalar else out


def alpha_s(q, alphas_mz: float, nloop: int = 2):
    """alpha_s(q) with MadGraph's running; q in GeV, float64 (n,) or scalar. See :class:`AlphaS`."""
    return AlphaS(alphas_mz, nloop)(q)
