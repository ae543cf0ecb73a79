"""Couplings of the UFO ``sm`` used by its unitary-gauge vertices, as functions of the parameters.

Each coupling is split as ``full value = value * G**g_power`` with ``value`` independent of the
strong coupling G, so that per-event alpha_s only rescales: the three QCD couplings are
``GC_10 = -G`` (value -1, power 1), ``GC_11 = i G`` (1j, 1) and ``GC_12 = i G**2`` (1j, 2); every
electroweak coupling has power 0.

Names and expressions are those of the UFO ``sm`` ``couplings.py`` (MadGraph 2.x/3.x, the model
with Goldstones, Wolfenstein CKM and c, e, mu Yukawas), e.g. ``GC_3 = -(ee*complex(0,1))``,
``GC_50 = -(cw*ee*complex(0,1))/(2.*sw)``, ``GC_59 = (ee*complex(0,1)*sw)/(2.*cw)``,
``GC_94 = -((complex(0,1)*yt)/cmath.sqrt(2))``. The numbers not defined here (GC_6-9, GC_13-32,
GC_37-39, ...) belong to Goldstone and ghost vertices, which unitary gauge does not use.

MadGraph's restriction step additionally merges couplings that are numerically identical under
the restriction card (after ``restrict_default`` every W-fermion coupling is called ``GC_100`` in
MadGraph's output). That renaming changes no amplitude and is not done here: the UFO names stay.
"""

from __future__ import annotations

import cmath
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Callable, Iterable, Mapping

from .parameters import Parameters

__all__ = ["Coupling", "COUPLING_ORDERS", "COUPLING_EXPRESSIONS", "couplings", "coupling"]

_I = 1j
_SQRT2 = math.sqrt(2.0)


@dataclass(frozen=True)
class Coupling:
    """A coupling constant ``value * G**g_power``.

    Attributes:
        name: UFO name (``"GC_11"``).
        value: the G-independent factor, complex, dimensionless except for couplings that
            contain the vev (``GC_69``, ``GC_72``, ``GC_81``: GeV).
        g_power: the power k in {0, 1, 2} of the strong coupling G.
    """

    name: str
    value: complex
    g_power: int

    def evaluate(self, g):
        """The full coupling for the strong coupling ``g`` (float or array): value * g**k."""
        if self.g_power == 0:
            return self.value
        return self.value * g ** self.g_power


# name -> (orders, g_power, G-independent factor as a function of the parameters, UFO expression)
_Entry = tuple[Mapping[str, int], int, Callable[[Parameters], complex], str]

_QED1 = MappingProxyType({"QED": 1})
_QED2 = MappingProxyType({"QED": 2})
_QCD1 = MappingProxyType({"QCD": 1})
_QCD2 = MappingProxyType({"QCD": 2})


def _w_quark(i: int, j: int, conjugate: bool) -> Callable[[Parameters], complex]:
    if conjugate:
        return lambda p: (p.ee * _I * p.CKM[i][j].conjugate()) / (p.sw * _SQRT2)
    return lambda p: (p.CKM[i][j] * p.ee * _I) / (p.sw * _SQRT2)


def _definitions() -> dict[str, _Entry]:
    d: dict[str, _Entry] = {
        "GC_1": (_QED1, 0, lambda p: -(p.ee * _I) / 3.0, "-(ee*complex(0,1))/3."),
        "GC_2": (_QED1, 0, lambda p: (2 * p.ee * _I) / 3.0, "(2*ee*complex(0,1))/3."),
        "GC_3": (_QED1, 0, lambda p: -(p.ee * _I), "-(ee*complex(0,1))"),
        "GC_4": (_QED1, 0, lambda p: p.ee * _I, "ee*complex(0,1)"),
        "GC_5": (_QED2, 0, lambda p: p.ee ** 2 * _I, "ee**2*complex(0,1)"),
        "GC_10": (_QCD1, 1, lambda p: complex(-1.0), "-G"),
        "GC_11": (_QCD1, 1, lambda p: _I, "complex(0,1)*G"),
        "GC_12": (_QCD2, 2, lambda p: _I, "complex(0,1)*G**2"),
        "GC_33": (_QED2, 0, lambda p: -6 * _I * p.lam, "-6*complex(0,1)*lam"),
        "GC_34": (_QED2, 0, lambda p: (p.ee ** 2 * _I) / (2.0 * p.sw ** 2),
                  "(ee**2*complex(0,1))/(2.*sw**2)"),
        "GC_35": (_QED2, 0, lambda p: -((p.ee ** 2 * _I) / p.sw ** 2),
                  "-((ee**2*complex(0,1))/sw**2)"),
        "GC_36": (_QED2, 0, lambda p: (p.cw ** 2 * p.ee ** 2 * _I) / p.sw ** 2,
                  "(cw**2*ee**2*complex(0,1))/sw**2"),
        "GC_40": (_QED1, 0, lambda p: (p.ee * _I) / (p.sw * _SQRT2),
                  "(ee*complex(0,1))/(sw*cmath.sqrt(2))"),
        "GC_50": (_QED1, 0, lambda p: -(p.cw * p.ee * _I) / (2.0 * p.sw),
                  "-(cw*ee*complex(0,1))/(2.*sw)"),
        "GC_51": (_QED1, 0, lambda p: (p.cw * p.ee * _I) / (2.0 * p.sw),
                  "(cw*ee*complex(0,1))/(2.*sw)"),
        "GC_53": (_QED1, 0, lambda p: (p.cw * p.ee * _I) / p.sw, "(cw*ee*complex(0,1))/sw"),
        "GC_57": (_QED2, 0, lambda p: (-2 * p.cw * p.ee ** 2 * _I) / p.sw,
                  "(-2*cw*ee**2*complex(0,1))/sw"),
        "GC_58": (_QED1, 0, lambda p: -(p.ee * _I * p.sw) / (6.0 * p.cw),
                  "-(ee*complex(0,1)*sw)/(6.*cw)"),
        "GC_59": (_QED1, 0, lambda p: (p.ee * _I * p.sw) / (2.0 * p.cw),
                  "(ee*complex(0,1)*sw)/(2.*cw)"),
        "GC_62": (_QED1, 0,
                  lambda p: (p.cw * p.ee * _I) / (2.0 * p.sw) + (p.ee * _I * p.sw) / (2.0 * p.cw),
                  "(cw*ee*complex(0,1))/(2.*sw) + (ee*complex(0,1)*sw)/(2.*cw)"),
        "GC_65": (_QED2, 0,
                  lambda p: (p.ee ** 2 * _I + (p.cw ** 2 * p.ee ** 2 * _I) / (2.0 * p.sw ** 2)
                             + (p.ee ** 2 * _I * p.sw ** 2) / (2.0 * p.cw ** 2)),
                  "ee**2*complex(0,1) + (cw**2*ee**2*complex(0,1))/(2.*sw**2) "
                  "+ (ee**2*complex(0,1)*sw**2)/(2.*cw**2)"),
        "GC_69": (_QED1, 0, lambda p: -6 * _I * p.lam * p.vev, "-6*complex(0,1)*lam*vev"),
        "GC_72": (_QED1, 0, lambda p: (p.ee ** 2 * _I * p.vev) / (2.0 * p.sw ** 2),
                  "(ee**2*complex(0,1)*vev)/(2.*sw**2)"),
        "GC_81": (_QED1, 0,
                  lambda p: (p.ee ** 2 * _I * p.vev
                             + (p.cw ** 2 * p.ee ** 2 * _I * p.vev) / (2.0 * p.sw ** 2)
                             + (p.ee ** 2 * _I * p.sw ** 2 * p.vev) / (2.0 * p.cw ** 2)),
                  "ee**2*complex(0,1)*vev + (cw**2*ee**2*complex(0,1)*vev)/(2.*sw**2) "
                  "+ (ee**2*complex(0,1)*sw**2*vev)/(2.*cw**2)"),
        "GC_83": (_QED1, 0, lambda p: -((_I * p.yb) / _SQRT2),
                  "-((complex(0,1)*yb)/cmath.sqrt(2))"),
        "GC_84": (_QED1, 0, lambda p: -((_I * p.yc) / _SQRT2),
                  "-((complex(0,1)*yc)/cmath.sqrt(2))"),
        "GC_89": (_QED1, 0, lambda p: -((_I * p.ye) / _SQRT2),
                  "-((complex(0,1)*ye)/cmath.sqrt(2))"),
        "GC_93": (_QED1, 0, lambda p: -((_I * p.ym) / _SQRT2),
                  "-((complex(0,1)*ym)/cmath.sqrt(2))"),
        "GC_94": (_QED1, 0, lambda p: -((_I * p.yt) / _SQRT2),
                  "-((complex(0,1)*yt)/cmath.sqrt(2))"),
        "GC_99": (_QED1, 0, lambda p: -((_I * p.ytau) / _SQRT2),
                  "-((complex(0,1)*ytau)/cmath.sqrt(2))"),
    }
    for i in range(3):
        for j in range(3):
            ckm = f"CKM{i + 1}x{j + 1}"
            d[f"GC_{41 + 3 * i + j}"] = (
                _QED1, 0, _w_quark(i, j, conjugate=False),
                f"({ckm}*ee*complex(0,1))/(sw*cmath.sqrt(2))")
            d[f"GC_{100 + 3 * i + j}"] = (
                _QED1, 0, _w_quark(i, j, conjugate=True),
                f"(ee*complex(0,1)*complexconjugate({ckm}))/(sw*cmath.sqrt(2))")
    return dict(sorted(d.items(), key=lambda item: int(item[0][3:])))


_DEFINITIONS = _definitions()

#: Coupling orders per coupling, as the UFO defines them: ``{"GC_11": {"QCD": 1}, ...}``.
COUPLING_ORDERS: Mapping[str, Mapping[str, int]] = MappingProxyType(
    {name: entry[0] for name, entry in _DEFINITIONS.items()})

#: The UFO expression of each coupling (``value`` strings of ``couplings.py``), for reference.
COUPLING_EXPRESSIONS: Mapping[str, str] = MappingProxyType(
    {name: entry[3] for name, entry in _DEFINITIONS.items()})


def coupling(name: str, params: Parameters) -> Coupling:
    """One coupling evaluated for ``params`` (its G-independent factor and power of G).

    Raises:
        KeyError: for a name that is not a unitary-gauge coupling of the ``sm``.
    """
    try:
        _, g_power, func, _ = _DEFINITIONS[name]
    except KeyError:
        raise KeyError(f"unknown coupling {name!r}; the sm defines "
                       + ", ".join(_DEFINITIONS)) from None
    value = complex(func(params))
    if not (cmath.isfinite(value)):
        raise ValueError(f"coupling {name} is not finite ({value}) for these parameters")
    return Coupling(name, value, g_power)


def couplings(params: Parameters, names: Iterable[str] | None = None) -> dict[str, Coupling]:
    """Couplings evaluated for ``params``, by name.

    Args:
        params: the model parameters (any alpha_s: the values do not depend on it).
        names: which couplings; all unitary-gauge couplings of the ``sm`` when omitted (those a
            restriction removes are then present with value 0).
    """
    selected = _DEFINITIONS if names is None else names
    return {name: coupling(name, params) for name in selected}
