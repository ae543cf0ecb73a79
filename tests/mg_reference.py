"""Readers for the MadGraph standalone dumps and the sm parameters/couplings they were made with."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Dump:
    """Phase-space points and |M|^2 of a MadGraph standalone SMATRIX dump."""

    momenta: np.ndarray  # (n, n_external, 4)
    me: np.ndarray  # (n,)
    g: float  # the strong coupling G used for all points
    header: str


def read_dump(path: Path) -> Dump:
    text = path.read_text()
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    g = float(re.search(r"G=\s*([-+0-9.Ee]+)", header).group(1))
    moms: dict[int, dict[int, list[float]]] = {}
    mes: dict[int, float] = {}
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split()
        if parts[1] == "ME":
            mes[int(parts[0])] = float(parts[2])
        else:
            moms.setdefault(int(parts[0]), {})[int(parts[1])] = [float(x) for x in parts[2:6]]
    points = sorted(mes)
    momenta = np.array([[moms[i][j] for j in sorted(moms[i])] for i in points])
    return Dump(momenta=momenta, me=np.array([mes[i] for i in points]), g=g, header=header)


def read_slha(path: Path) -> dict[tuple[str, int], float]:
    """{(block, pdg/index): value} for the BLOCK entries and ("decay", pdg) for the DECAY lines."""
    values: dict[tuple[str, int], float] = {}
    block = None
    for raw in path.read_text().splitlines():
        line = raw.split("#")[0].strip()
        if not line:
            continue
        parts = line.split()
        if parts[0].lower() == "block":
            block = parts[1].lower()
        elif parts[0].lower() == "decay":
            values[("decay", int(parts[1]))] = float(parts[2])
            block = None
        elif block is not None and len(parts) >= 2:
            try:
                values[(block, int(parts[0]))] = float(parts[-1])
            except ValueError:
                pass
    return values


@dataclass(frozen=True)
class SMParameters:
    """The sm model's derived parameters (Gmu scheme), as MadGraph's Parameters_sm computes them."""

    MZ: float
    MW: float
    MT: float
    MH: float
    WZ: float
    WW: float
    WT: float
    WH: float
    ee: float
    sw: float
    cw: float

    @classmethod
    def from_card(cls, path: Path) -> "SMParameters":
        c = read_slha(path)
        mz, gf, aewm1 = c[("mass", 23)], c[("sminputs", 2)], c[("sminputs", 1)]
        aew = 1.0 / aewm1
        mw = math.sqrt(mz**2 / 2.0 + math.sqrt(mz**4 / 4.0 - (aew * math.pi * mz**2) / (gf * math.sqrt(2.0))))
        ee = 2.0 * math.sqrt(aew) * math.sqrt(math.pi)
        sw2 = 1.0 - mw**2 / mz**2
        cw = math.sqrt(1.0 - sw2)
        sw = math.sqrt(sw2)
        return cls(MZ=mz, MW=mw, MT=c[("mass", 6)], MH=c[("mass", 25)], WZ=c[("decay", 23)], WW=c[("decay", 24)],
                   WT=c[("decay", 6)], WH=c[("decay", 25)], ee=ee, sw=sw, cw=cw)

    # couplings of the UFO sm model (couplings.py), constant parts
    @property
    def GC_3(self) -> complex:  # photon - lepton: -i e
        return -(self.ee * 1j)

    @property
    def GC_50(self) -> complex:  # Z - fermion, FFV2 part: -i cw e / (2 sw)
        return -(self.cw * self.ee * 1j) / (2.0 * self.sw)

    @property
    def GC_59(self) -> complex:  # Z - fermion, FFV4 part: i e sw / (2 cw)
        return (self.ee * 1j * self.sw) / (2.0 * self.cw)


# QCD couplings of the sm model: GC_10 = -G (ggg), GC_11 = i G (qqg), GC_12 = i G^2 (gggg); as (value, power of G)
GC_10 = (-1.0 + 0j, 1)
GC_11 = (1j, 1)
GC_12 = (1j, 2)

