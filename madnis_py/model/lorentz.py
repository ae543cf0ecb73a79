"""Lorentz structures of the UFO ``sm`` used by its unitary-gauge vertices.

Each structure is UFO's ``structure`` string, in UFO notation: particle indices 1..n refer to the
vertex's particles in order; ``Gamma(mu,i,j)`` is the Dirac matrix gamma^mu with spinor indices
i (row) and j (column); ``ProjM``/``ProjP`` are (1 -/+ gamma5)/2; ``Metric(mu,nu)`` is g^{mu nu}
(mostly-minus); ``P(mu,n)`` is the incoming momentum of particle n; negative indices are summed.
In the ``sm`` every fermion pair is listed as ``[f~, f, ...]``: spinor index 1 belongs to the
antifermion ``f~``, index 2 to the fermion ``f``, index 3 to the boson.

The Goldstone/ghost structures of the UFO (FFS1-3, VSS1, UUS1, UUV1) are not listed: no
unitary-gauge vertex uses them. The full vertex is ``sum coupling * colour * structure``; see
:mod:`madnis_py.model.vertices`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

__all__ = ["LorentzStructure", "LORENTZ"]


@dataclass(frozen=True)
class LorentzStructure:
    """One UFO Lorentz structure.

    Attributes:
        name: UFO name (``"FFV2"``); ALOHA names its HELAS routines after it (``FFV2_0``...).
        spins: 2S+1 of the vertex particles in order (``(2, 2, 3)``).
        structure: UFO ``structure`` string, verbatim.
    """

    name: str
    spins: tuple[int, ...]
    structure: str


def _table(*structures: LorentzStructure) -> Mapping[str, LorentzStructure]:
    return MappingProxyType({s.name: s for s in structures})


#: Lorentz structures by name, verbatim from the UFO ``sm`` ``lorentz.py``.
LORENTZ: Mapping[str, LorentzStructure] = _table(
    LorentzStructure("SSS1", (1, 1, 1), "1"),
    LorentzStructure("FFS4", (2, 2, 1), "ProjM(2,1) + ProjP(2,1)"),
    LorentzStructure("FFV1", (2, 2, 3), "Gamma(3,2,1)"),
    LorentzStructure("FFV2", (2, 2, 3), "Gamma(3,2,-1)*ProjM(-1,1)"),
    LorentzStructure("FFV3", (2, 2, 3),
                     "Gamma(3,2,-1)*ProjM(-1,1) - 2*Gamma(3,2,-1)*ProjP(-1,1)"),
    LorentzStructure("FFV4", (2, 2, 3),
                     "Gamma(3,2,-1)*ProjM(-1,1) + 2*Gamma(3,2,-1)*ProjP(-1,1)"),
    LorentzStructure("FFV5", (2, 2, 3),
                     "Gamma(3,2,-1)*ProjM(-1,1) + 4*Gamma(3,2,-1)*ProjP(-1,1)"),
    LorentzStructure("VVS1", (3, 3, 1), "Metric(1,2)"),
    LorentzStructure("VVV1", (3, 3, 3),
                     "P(3,1)*Metric(1,2) - P(3,2)*Metric(1,2) - P(2,1)*Metric(1,3) "
                     "+ P(2,3)*Metric(1,3) + P(1,2)*Metric(2,3) - P(1,3)*Metric(2,3)"),
    LorentzStructure("SSSS1", (1, 1, 1, 1), "1"),
    LorentzStructure("VVSS1", (3, 3, 1, 1), "Metric(1,2)"),
    LorentzStructure("VVVV1", (3, 3, 3, 3), "Metric(1,4)*Metric(2,3) - Metric(1,3)*Metric(2,4)"),
    LorentzStructure("VVVV2", (3, 3, 3, 3),
                     "Metric(1,4)*Metric(2,3) + Metric(1,3)*Metric(2,4) "
                     "- 2*Metric(1,2)*Metric(3,4)"),
    LorentzStructure("VVVV3", (3, 3, 3, 3), "Metric(1,4)*Metric(2,3) - Metric(1,2)*Metric(3,4)"),
    LorentzStructure("VVVV4", (3, 3, 3, 3), "Metric(1,3)*Metric(2,4) - Metric(1,2)*Metric(3,4)"),
    LorentzStructure("VVVV5", (3, 3, 3, 3),
                     "Metric(1,4)*Metric(2,3) - (Metric(1,3)*Metric(2,4))/2. "
                     "- (Metric(1,2)*Metric(3,4))/2."),
)
