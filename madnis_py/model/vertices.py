"""Vertices of the UFO ``sm`` in unitary gauge.

A vertex is UFO's ``Vertex``: the particles (all incoming, in UFO order), a list of colour
structures, a list of Lorentz structures, and a coupling for some (colour, Lorentz) pairs. The
Feynman rule is

    sum over (c, l) in couplings:  coupling[c, l] * colour[c] * LORENTZ[lorentz[l]].structure

(with i's and signs inside the couplings, as in UFO). Colour strings are UFO's, with particle
indices 1..n and negative indices summed: ``'1'`` (singlet), ``'Identity(1,2)'`` (delta between
the antiquark 1 and the quark 2), ``'T(3,2,1)'`` (T^a_{ij}, a = gluon 3, i = quark 2,
j = antiquark 1), ``'f(1,2,3)'``, and for four gluons ``'f(-1,1,2)*f(3,4,-1)'``,
``'f(-1,1,3)*f(2,4,-1)'``, ``'f(-1,1,4)*f(2,3,-1)'``.

The unrestricted UFO ``sm`` has 71 unitary-gauge vertices (the UFO's ``vertices.py`` minus every
vertex with a Goldstone boson or a ghost):

    14 purely bosonic: a w- w+, g g g, g g g g, a a w- w+, w- w+ h h, w- w+ h, w- w- w+ w+,
       a w- w+ z, w- w+ z, z z h h, z z h, w- w+ z z, h h h, h h h h;
     9 photon-fermion (d s b u c t e mu ta), 6 gluon-quark, 12 Z-fermion (incl. neutrinos),
     6 W-lepton, 18 W-quark (full 3x3 CKM), 6 Higgs Yukawa (b c t e mu ta).

``restrict_default`` (model ``sm``) removes the 12 off-diagonal W-quark vertices (CKM = identity)
and the c, e, mu Yukawas: 56 vertices remain. ``sm-no_b_mass`` also removes h b~ b: 55.

The vertex numbering ``V_1 ... V_71`` is this module's own (MadGraph's interaction ids differ);
vertices keep their number under a restriction.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from .couplings import COUPLING_ORDERS
from .lorentz import LORENTZ, LorentzStructure
from .particles import SM_PARTICLES

__all__ = ["Vertex", "SM_VERTICES", "LORENTZ", "LorentzStructure"]

_PDG = {p.name: p.pdg_code for p in SM_PARTICLES}


@dataclass(frozen=True)
class Vertex:
    """One UFO vertex.

    Attributes:
        id: this module's vertex number (``name`` is ``f"V_{id}"``).
        particles: particle names, all incoming, in UFO order (``("e+", "e-", "z")``).
        color: UFO colour structures (``("1",)``, ``("Identity(1,2)",)``, ``("T(3,2,1)",)``).
        lorentz: names of Lorentz structures, keys of :data:`LORENTZ`.
        couplings: ``{(colour_index, lorentz_index): coupling name}``, indices 0-based into
            ``color`` and ``lorentz``; read-only.
    """

    id: int
    particles: tuple[str, ...]
    color: tuple[str, ...]
    lorentz: tuple[str, ...]
    couplings: Mapping[tuple[int, int], str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "couplings", MappingProxyType(dict(self.couplings)))
        for (ci, li), name in self.couplings.items():
            if not (0 <= ci < len(self.color) and 0 <= li < len(self.lorentz)):
                raise ValueError(f"{self.name}: coupling {name} at ({ci}, {li}) is outside the "
                                 f"{len(self.color)} colour x {len(self.lorentz)} Lorentz table")
        for name in self.lorentz:
            if name not in LORENTZ:
                raise ValueError(f"{self.name}: unknown Lorentz structure {name!r}")

    def __reduce__(self):  # the read-only couplings mapping does not pickle by itself
        return (type(self), (self.id, self.particles, self.color, self.lorentz,
                             dict(self.couplings)))

    def __hash__(self) -> int:
        return hash((self.id, self.particles, self.color, self.lorentz,
                     tuple(sorted(self.couplings.items()))))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vertex):
            return NotImplemented
        return (self.id, self.particles, self.color, self.lorentz, dict(self.couplings)) == (
            other.id, other.particles, other.color, other.lorentz, dict(other.couplings))

    @property
    def name(self) -> str:
        """``"V_<id>"``."""
        return f"V_{self.id}"

    @property
    def pdg_codes(self) -> tuple[int, ...]:
        """PDG codes of the particles, in vertex order."""
        return tuple(_PDG[name] for name in self.particles)

    @property
    def coupling_names(self) -> tuple[str, ...]:
        """The distinct couplings of the vertex, sorted by UFO number."""
        return tuple(sorted(set(self.couplings.values()), key=lambda n: int(n[3:])))

    @property
    def orders(self) -> Mapping[str, int]:
        """Coupling orders of the vertex (``{"QED": 1}``); all its couplings share them."""
        return COUPLING_ORDERS[self.coupling_names[0]]

    def lorentz_structures(self) -> tuple[LorentzStructure, ...]:
        """The Lorentz structures of :attr:`lorentz`, resolved in :data:`LORENTZ`."""
        return tuple(LORENTZ[name] for name in self.lorentz)

    def __repr__(self) -> str:
        couplings = ", ".join(f"{k}: {v}" for k, v in sorted(self.couplings.items()))
        return (f"Vertex({self.name}: {' '.join(self.particles)}; color={list(self.color)}; "
                f"lorentz={list(self.lorentz)}; couplings={{{couplings}}})")


def _build() -> tuple[Vertex, ...]:
    rows: list[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...],
                     dict[tuple[int, int], str]]] = []

    def add(particles: str, color: tuple[str, ...], lorentz: tuple[str, ...],
            couplings: dict[tuple[int, int], str] | str) -> None:
        if isinstance(couplings, str):
            couplings = {(0, 0): couplings}
        rows.append((tuple(particles.split()), color, lorentz, couplings))

    singlet = ("1",)
    delta = ("Identity(1,2)",)

    # Pure gauge and Higgs self-interactions.
    add("a w- w+", singlet, ("VVV1",), "GC_4")
    add("g g g", ("f(1,2,3)",), ("VVV1",), "GC_10")
    add("g g g g", ("f(-1,1,2)*f(3,4,-1)", "f(-1,1,3)*f(2,4,-1)", "f(-1,1,4)*f(2,3,-1)"),
        ("VVVV1", "VVVV3", "VVVV4"), {(0, 0): "GC_12", (1, 1): "GC_12", (2, 2): "GC_12"})
    add("a a w- w+", singlet, ("VVVV2",), "GC_5")
    add("w- w+ h h", singlet, ("VVSS1",), "GC_34")
    add("w- w+ h", singlet, ("VVS1",), "GC_72")
    add("w- w- w+ w+", singlet, ("VVVV2",), "GC_35")
    add("a w- w+ z", singlet, ("VVVV5",), "GC_57")
    add("w- w+ z", singlet, ("VVV1",), "GC_53")
    add("z z h h", singlet, ("VVSS1",), "GC_65")
    add("z z h", singlet, ("VVS1",), "GC_81")
    add("w- w+ z z", singlet, ("VVVV2",), "GC_36")
    add("h h h", singlet, ("SSS1",), "GC_69")
    add("h h h h", singlet, ("SSSS1",), "GC_33")

    down, up = ("d", "s", "b"), ("u", "c", "t")
    leptons, neutrinos = ("e-", "mu-", "ta-"), ("ve", "vm", "vt")
    antilepton = {"e-": "e+", "mu-": "mu+", "ta-": "ta+"}

    # Photon: coupling i*e*Q of the fermion.
    for q in down:
        add(f"{q}~ {q} a", delta, ("FFV1",), "GC_1")
    for q in up:
        add(f"{q}~ {q} a", delta, ("FFV1",), "GC_2")
    for lep in leptons:
        add(f"{antilepton[lep]} {lep} a", singlet, ("FFV1",), "GC_3")
    # Gluon.
    for q in down + up:
        add(f"{q}~ {q} g", ("T(3,2,1)",), ("FFV1",), "GC_11")
    # Z: i e/(sw cw) [(T3 - Q sw2) P_L - Q sw2 P_R] split over FFV2 and FFV3/4/5.
    for q in down:
        add(f"{q}~ {q} z", delta, ("FFV2", "FFV3"), {(0, 0): "GC_50", (0, 1): "GC_58"})
    for q in up:
        add(f"{q}~ {q} z", delta, ("FFV2", "FFV5"), {(0, 0): "GC_51", (0, 1): "GC_58"})
    for lep in leptons:
        add(f"{antilepton[lep]} {lep} z", singlet, ("FFV2", "FFV4"),
            {(0, 0): "GC_50", (0, 1): "GC_59"})
    for nu in neutrinos:
        add(f"{nu}~ {nu} z", singlet, ("FFV2",), "GC_62")
    # W and leptons (no lepton mixing).
    for lep, nu in zip(leptons, neutrinos):
        add(f"{antilepton[lep]} {nu} w-", singlet, ("FFV2",), "GC_40")
        add(f"{nu}~ {lep} w+", singlet, ("FFV2",), "GC_40")
    # W and quarks: d_j~ u_i W- carries conj(CKM_ij) (GC_100..108), u_i~ d_j W+ carries CKM_ij
    # (GC_41..49); i runs over u c t, j over d s b.
    for j, dq in enumerate(down):
        for i, uq in enumerate(up):
            add(f"{dq}~ {uq} w-", delta, ("FFV2",), f"GC_{100 + 3 * i + j}")
    for i, uq in enumerate(up):
        for j, dq in enumerate(down):
            add(f"{uq}~ {dq} w+", delta, ("FFV2",), f"GC_{41 + 3 * i + j}")
    # Higgs Yukawas: -i m_f/v.
    for q, gc in (("b", "GC_83"), ("c", "GC_84"), ("t", "GC_94")):
        add(f"{q}~ {q} h", delta, ("FFS4",), gc)
    for lep, gc in (("e-", "GC_89"), ("mu-", "GC_93"), ("ta-", "GC_99")):
        add(f"{antilepton[lep]} {lep} h", singlet, ("FFS4",), gc)

    return tuple(Vertex(n, *row) for n, row in enumerate(rows, start=1))


#: The unitary-gauge vertices of the unrestricted UFO ``sm`` (71).
SM_VERTICES: tuple[Vertex, ...] = _build()
