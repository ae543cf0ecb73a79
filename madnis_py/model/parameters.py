"""Parameters of MadGraph's UFO ``sm``: external inputs from the param_card, internal ones derived.

The electroweak inputs are those of the G_mu scheme of the UFO ``sm``: ``aEWM1`` (1/alpha_EW at
MZ), ``Gf`` (Fermi constant, GeV^-2) and ``MZ`` (GeV). Everything else follows the UFO's
``parameters.py`` formula by formula::

    aEW  = 1/aEWM1
    G    = 2*sqrt(aS*pi)       (UFO: 2*sqrt(aS)*sqrt(pi); MadGraph's Fortran evaluates
                                2*DSQRT(AS*PI), which can differ in the last bit: that one)
    MW   = sqrt(MZ**2/2 + sqrt(MZ**4/4 - (aEW*pi*MZ**2)/(Gf*sqrt(2))))
    ee   = 2*sqrt(aEW)*sqrt(pi)
    sw2  = 1 - MW**2/MZ**2,   cw = sqrt(1 - sw2),   sw = sqrt(sw2)
    g1   = ee/cw,   gw = ee/sw
    vev  = (2*MW*sw)/ee
    lam  = MH**2/(2*vev**2)
    yb   = ymb*sqrt(2)/vev    (likewise yc, yt, ye, ym, ytau from ymc, ymt, yme, ymm, ymtau)
    muH  = sqrt(lam*vev**2)
    CKM  = Wolfenstein to O(lambda^3): CKM1x1 = 1 - lamWS**2/2, CKM1x2 = lamWS,
           CKM1x3 = AWS*lamWS**3*(rhoWS - i*etaWS), CKM2x1 = -lamWS, CKM2x2 = 1 - lamWS**2/2,
           CKM2x3 = AWS*lamWS**2, CKM3x1 = AWS*lamWS**3*(1 - rhoWS - i*etaWS),
           CKM3x2 = -AWS*lamWS**2, CKM3x3 = 1

A restriction (``sm`` = MadGraph's ``restrict_default.dat``, ``sm-no_b_mass``) fixes some
external parameters to zero: those are not read from the param_card (MadGraph ignores them too)
and are exactly 0.0 here. With ``restrict_default`` the light-quark and lepton masses, their
Yukawas and the Wolfenstein parameters vanish (CKM = identity); MB = 4.7 GeV and MTA = 1.777 GeV
stay as given by the card.

alpha_s varies per event: :meth:`Parameters.with_alpha_s` returns a copy with another ``aS``
(and ``G``); nothing else depends on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping, Protocol

from .restrictions import get_restriction

__all__ = ["ExternalParameter", "EXTERNAL_PARAMETERS", "ParamCardLike", "Parameters"]


class ParamCardLike(Protocol):
    """What :meth:`Parameters.from_param_card` needs from a param_card.

    ``value(block, index)`` returns the entry of an SLHA block, with the block name given in lower
    case (``"mass"``, ``"sminputs"``, ``"yukawa"``, ``"wolfenstein"``; SLHA block names are
    case-insensitive); ``width(pdg)`` returns the ``DECAY`` width of a PDG code in GeV.
    :class:`madnis_py.cards.param_card.ParamCard` is one such object.
    """

    def value(self, block: str, index: int) -> float: ...

    def width(self, pdg: int) -> float: ...


@dataclass(frozen=True)
class ExternalParameter:
    """One external (param_card) parameter of the UFO ``sm``.

    Attributes:
        name: UFO name (``"MT"``); MadGraph's generated code calls it ``mdl_MT``.
        block: SLHA block in lower case (``"mass"``), or ``"decay"`` for widths.
        code: index in the block (PDG code for ``mass`` and ``decay``).
        default: value in MadGraph 3.5's default param_card of ``sm`` (0 for the parameters that
            ``restrict_default`` removes, whose UFO value is irrelevant to MadGraph).
        unit: unit of the value (``"GeV"``, ``"GeV^-2"`` or ``""``).
        doc: what it is.
    """

    name: str
    block: str
    code: int
    default: float
    unit: str
    doc: str


#: External parameters of the UFO ``sm``, in param_card order.
EXTERNAL_PARAMETERS: tuple[ExternalParameter, ...] = (
    ExternalParameter("aEWM1", "sminputs", 1, 132.507, "",
                      "inverse electroweak coupling 1/alpha_EW(MZ)"),
    ExternalParameter("Gf", "sminputs", 2, 1.16639e-5, "GeV^-2", "Fermi constant"),
    ExternalParameter("aS", "sminputs", 3, 0.118, "", "strong coupling alpha_s(MZ)"),
    ExternalParameter("lamWS", "wolfenstein", 1, 0.0, "", "Wolfenstein lambda"),
    ExternalParameter("AWS", "wolfenstein", 2, 0.0, "", "Wolfenstein A"),
    ExternalParameter("rhoWS", "wolfenstein", 3, 0.0, "", "Wolfenstein rho"),
    ExternalParameter("etaWS", "wolfenstein", 4, 0.0, "", "Wolfenstein eta"),
    ExternalParameter("ymc", "yukawa", 4, 0.0, "GeV", "charm Yukawa mass"),
    ExternalParameter("ymb", "yukawa", 5, 4.7, "GeV", "bottom Yukawa mass"),
    ExternalParameter("ymt", "yukawa", 6, 173.0, "GeV", "top Yukawa mass"),
    ExternalParameter("yme", "yukawa", 11, 0.0, "GeV", "electron Yukawa mass"),
    ExternalParameter("ymm", "yukawa", 13, 0.0, "GeV", "muon Yukawa mass"),
    ExternalParameter("ymtau", "yukawa", 15, 1.777, "GeV", "tau Yukawa mass"),
    ExternalParameter("MC", "mass", 4, 0.0, "GeV", "charm mass"),
    ExternalParameter("MB", "mass", 5, 4.7, "GeV", "bottom mass"),
    ExternalParameter("MT", "mass", 6, 173.0, "GeV", "top mass"),
    ExternalParameter("Me", "mass", 11, 0.0, "GeV", "electron mass"),
    ExternalParameter("MM", "mass", 13, 0.0, "GeV", "muon mass"),
    ExternalParameter("MTA", "mass", 15, 1.777, "GeV", "tau mass"),
    ExternalParameter("MZ", "mass", 23, 91.188, "GeV", "Z mass"),
    ExternalParameter("MH", "mass", 25, 125.0, "GeV", "Higgs mass"),
    ExternalParameter("WT", "decay", 6, 1.4915, "GeV", "top width"),
    ExternalParameter("WTA", "decay", 15, 0.0, "GeV", "tau width"),
    ExternalParameter("WZ", "decay", 23, 2.441404, "GeV", "Z width"),
    ExternalParameter("WW", "decay", 24, 2.0476, "GeV", "W width"),
    ExternalParameter("WH", "decay", 25, 6.382339e-3, "GeV", "Higgs width"),
)

_EXTERNAL_BY_NAME = {p.name: p for p in EXTERNAL_PARAMETERS}

CKMMatrix = tuple[tuple[complex, complex, complex], tuple[complex, complex, complex],
                  tuple[complex, complex, complex]]


@dataclass(frozen=True)
class Parameters:
    """All parameters of the ``sm``, external and internal, as plain floats (CKM complex).

    Masses, widths and Yukawa masses in GeV, ``Gf`` in GeV^-2, the rest dimensionless.
    Construct with :meth:`from_param_card` or :meth:`from_external`, never field by field (the
    internal parameters must follow from the external ones). ``params["MT"]`` looks up any
    parameter by its UFO name; ``params["ZERO"]`` is 0.0.

    Attributes:
        model: name of the (restricted) model the parameters belong to (``"sm"``).
        CKM: the CKM matrix, ``CKM[i][j]`` = UFO ``CKM{i+1}x{j+1}`` (row: u c t, column: d s b).
    """

    model: str
    # external (param_card)
    aEWM1: float
    Gf: float
    aS: float
    lamWS: float
    AWS: float
    rhoWS: float
    etaWS: float
    ymc: float
    ymb: float
    ymt: float
    yme: float
    ymm: float
    ymtau: float
    MC: float
    MB: float
    MT: float
    Me: float
    MM: float
    MTA: float
    MZ: float
    MH: float
    WT: float
    WTA: float
    WZ: float
    WW: float
    WH: float
    # internal (derived)
    aEW: float
    G: float
    MW: float
    ee: float
    sw2: float
    cw: float
    sw: float
    g1: float
    gw: float
    vev: float
    lam: float
    yb: float
    yc: float
    ye: float
    ym: float
    yt: float
    ytau: float
    muH: float
    CKM: CKMMatrix

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_external(cls, values: Mapping[str, float], model: str = "sm") -> "Parameters":
        """Derive all parameters from the external ones.

        Args:
            values: external parameter values by UFO name (see :data:`EXTERNAL_PARAMETERS`);
                missing ones take their default, and those that ``model``'s restriction fixes to
                zero are set to zero whatever is given.
            model: ``"sm"`` or ``"sm-no_b_mass"`` (or ``"sm-full"``, unrestricted, for checks).

        Raises:
            ValueError: for an unknown parameter name, a non-finite or negative input, or
                electroweak inputs with no real W mass (MZ**2/4 < pi*aEW/(sqrt(2)*Gf)).
        """
        restriction = get_restriction(model)
        unknown = set(values) - set(_EXTERNAL_BY_NAME)
        if unknown:
            raise ValueError("unknown external parameter(s) " + ", ".join(sorted(unknown))
                             + "; known: " + ", ".join(_EXTERNAL_BY_NAME))
        ext: dict[str, float] = {}
        for p in EXTERNAL_PARAMETERS:
            if p.name in restriction.zero_parameters:
                ext[p.name] = 0.0
                continue
            value = float(values.get(p.name, p.default))
            if not math.isfinite(value):
                raise ValueError(f"parameter {p.name} ({p.doc}) must be finite, got {value!r}")
            if value < 0.0 and p.block in ("mass", "decay", "sminputs"):
                raise ValueError(f"parameter {p.name} ({p.doc}) must not be negative, "
                                 f"got {value!r} {p.unit}".rstrip())
            ext[p.name] = value
        for name in ("aEWM1", "Gf", "aS", "MZ"):
            if ext[name] <= 0.0:
                raise ValueError(f"parameter {name} ({_EXTERNAL_BY_NAME[name].doc}) must be "
                                 f"positive, got {ext[name]!r}")
        return cls(model=restriction.name, **ext, **_derive(ext))

    @classmethod
    def from_param_card(cls, card: ParamCardLike, model: str = "sm") -> "Parameters":
        """Read the external parameters from a param_card and derive the rest.

        Only the parameters that survive ``model``'s restriction are read (``card.value(block,
        index)`` for masses, couplings and Yukawas, ``card.width(pdg)`` for widths), exactly the
        entries MadGraph reads; the param_card's dependent entries (e.g. the W mass, 24 in
        ``Block mass``) are ignored, as MadGraph ignores them.

        Raises:
            ValueError: as :meth:`from_external`; whatever the card raises for a missing entry
                propagates unchanged.
        """
        restriction = get_restriction(model)
        values: dict[str, float] = {}
        for p in EXTERNAL_PARAMETERS:
            if p.name in restriction.zero_parameters:
                continue
            raw = card.width(p.code) if p.block == "decay" else card.value(p.block, p.code)
            values[p.name] = float(raw)
        return cls.from_external(values, model=restriction.name)

    def with_alpha_s(self, alpha_s: float) -> "Parameters":
        """A copy with alpha_s = ``alpha_s`` and G = 2*sqrt(alpha_s*pi).

        Raises:
            ValueError: unless 0 < alpha_s < infinity.
        """
        alpha_s = float(alpha_s)
        if not (alpha_s > 0.0 and math.isfinite(alpha_s)):
            raise ValueError(f"alpha_s must be positive and finite, got {alpha_s!r}")
        return replace(self, aS=alpha_s, G=_g_from_alpha_s(alpha_s))

    def with_g(self, g: float) -> "Parameters":
        """A copy with the strong coupling G = ``g`` (alpha_s = G**2/(4 pi))."""
        g = float(g)
        if not (g > 0.0 and math.isfinite(g)):
            raise ValueError(f"the strong coupling G must be positive and finite, got {g!r}")
        return replace(self, aS=g * g / (4.0 * math.pi), G=g)

    # ------------------------------------------------------------------ look-ups
    def __getitem__(self, name: str) -> Any:
        """Any parameter by UFO name (``"MT"``, ``"vev"``, ``"CKM2x3"``); ``"ZERO"`` is 0.0."""
        if name == "ZERO":
            return 0.0
        if name.startswith("CKM") and len(name) == 6 and name[4] == "x":
            try:
                return self.CKM[int(name[3]) - 1][int(name[5]) - 1]
            except (ValueError, IndexError):
                pass
        elif name != "model" and name in _FIELD_NAMES:
            return getattr(self, name)
        raise KeyError(f"unknown parameter {name!r}; known: ZERO, "
                       + ", ".join(n for n in _FIELD_NAMES if n not in ("model", "CKM"))
                       + ", CKM1x1 ... CKM3x3")

    def mass_of(self, particle: Any) -> float:
        """Mass in GeV of a :class:`~madnis_py.model.particles.Particle` (its ``mass`` name)."""
        return float(self[particle.mass])

    def width_of(self, particle: Any) -> float:
        """Width in GeV of a :class:`~madnis_py.model.particles.Particle` (its ``width`` name)."""
        return float(self[particle.width])

    def as_dict(self) -> dict[str, float | complex]:
        """All parameters by UFO name (CKM entries as ``CKM1x1`` ... ``CKM3x3``), plus ZERO."""
        out: dict[str, float | complex] = {"ZERO": 0.0}
        for name in _FIELD_NAMES:
            if name not in ("model", "CKM"):
                out[name] = getattr(self, name)
        for i in range(3):
            for j in range(3):
                out[f"CKM{i + 1}x{j + 1}"] = self.CKM[i][j]
        return out

    @property
    def alpha_s(self) -> float:
        """alpha_s (same as ``aS``)."""
        return self.aS


_FIELD_NAMES = tuple(f.name for f in fields(Parameters))


def _g_from_alpha_s(alpha_s: float) -> float:
    """G = 2*sqrt(alpha_s*pi), bit for bit as MadGraph's Fortran (``G = 2*DSQRT(AS*PI)``)."""
    return 2.0 * math.sqrt(alpha_s * math.pi)


def _derive(ext: Mapping[str, float]) -> dict[str, Any]:
    """Internal parameters from the external ones, formula by formula as in the UFO ``sm``."""
    pi = math.pi
    sqrt2 = math.sqrt(2.0)
    mz2 = ext["MZ"] ** 2
    mz4 = ext["MZ"] ** 4
    aew = 1.0 / ext["aEWM1"]
    radicand = mz4 / 4.0 - (aew * pi * mz2) / (ext["Gf"] * sqrt2)
    if radicand < 0.0:
        raise ValueError(
            "the electroweak inputs have no real W mass: MZ**4/4 - pi*aEW*MZ**2/(sqrt(2)*Gf) = "
            f"{radicand:.6g} GeV^4 < 0 (aEWM1={ext['aEWM1']}, Gf={ext['Gf']}, MZ={ext['MZ']}); "
            "check Block sminputs and MZ in the param_card")
    mw = math.sqrt(mz2 / 2.0 + math.sqrt(radicand))
    ee = 2.0 * math.sqrt(aew) * math.sqrt(pi)
    sw2 = 1.0 - mw ** 2 / mz2
    cw = math.sqrt(1.0 - sw2)
    sw = math.sqrt(sw2)
    vev = (2.0 * mw * sw) / ee
    lam = ext["MH"] ** 2 / (2.0 * vev ** 2)
    lws, aws, rho, eta = ext["lamWS"], ext["AWS"], ext["rhoWS"], ext["etaWS"]
    ckm: CKMMatrix = (
        (complex(1.0 - lws ** 2 / 2.0), complex(lws), aws * lws ** 3 * complex(rho, -eta)),
        (complex(-lws), complex(1.0 - lws ** 2 / 2.0), complex(aws * lws ** 2)),
        (aws * lws ** 3 * complex(1.0 - rho, -eta), complex(-(aws * lws ** 2)), complex(1.0)),
    )
    return {
        "aEW": aew,
        "G": _g_from_alpha_s(ext["aS"]),
        "MW": mw,
        "ee": ee,
        "sw2": sw2,
        "cw": cw,
        "sw": sw,
        "g1": ee / cw,
        "gw": ee / sw,
        "vev": vev,
        "lam": lam,
        "yb": (ext["ymb"] * sqrt2) / vev,
        "yc": (ext["ymc"] * sqrt2) / vev,
        "ye": (ext["yme"] * sqrt2) / vev,
        "ym": (ext["ymm"] * sqrt2) / vev,
        "yt": (ext["ymt"] * sqrt2) / vev,
        "ytau": (ext["ymtau"] * sqrt2) / vev,
        "muH": math.sqrt(lam * vev ** 2),
        "CKM": ckm,
    }
