"""MadGraph's restrictions of the UFO ``sm``: which external parameters are fixed to zero.

A restriction card (``restrict_<name>.dat`` in MadGraph's ``models/sm``) sets some parameters to
zero; MadGraph then removes them from the model and the param_card, turns the masses and widths
that depended on them into ``ZERO``, and drops every coupling that vanishes and every vertex left
without couplings. The models ``import model sm`` and ``import model sm-no_b_mass`` use:

- ``sm`` = ``restrict_default.dat``: MC, Me, MM (c, e, mu massless), their Yukawas ymc, yme, ymm,
  the tau width WTA and the Wolfenstein parameters (CKM = identity) are zero; MB = 4.7 GeV,
  MTA = 1.777 GeV and their Yukawas stay.
- ``sm-no_b_mass`` = ``restrict_no_b_mass.dat``: the same, and MB = ymb = 0 (massless b, no
  Higgs-b coupling).

``sm-full`` is the unrestricted UFO, kept for checks (it needs the Wolfenstein and all Yukawa
entries in the param_card); :func:`madnis_py.model.load_model` does not offer it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Restriction", "RESTRICTIONS", "get_restriction"]


@dataclass(frozen=True)
class Restriction:
    """One restriction of the ``sm``.

    Attributes:
        name: model name as in ``import model`` (``"sm"``, ``"sm-no_b_mass"``).
        card: MadGraph's restriction file it mirrors.
        zero_parameters: external parameters fixed to zero (UFO names).
        description: one line for messages.
    """

    name: str
    card: str
    zero_parameters: frozenset[str]
    description: str


_DEFAULT_ZERO = frozenset({"MC", "Me", "MM", "WTA", "ymc", "yme", "ymm",
                           "lamWS", "AWS", "rhoWS", "etaWS"})

#: The restrictions by model name.
RESTRICTIONS: dict[str, Restriction] = {
    "sm": Restriction("sm", "restrict_default.dat", _DEFAULT_ZERO,
                      "MadGraph's default sm: massless u d s c e mu, massive b (MB) and tau "
                      "(MTA), CKM = identity"),
    "sm-no_b_mass": Restriction("sm-no_b_mass", "restrict_no_b_mass.dat",
                                _DEFAULT_ZERO | {"MB", "ymb"},
                                "as sm, with a massless b quark and no Higgs-b coupling "
                                "(5-flavour p and j)"),
    "sm-full": Restriction("sm-full", "(none)", frozenset(),
                           "the unrestricted UFO sm (for checks only)"),
}


def get_restriction(name: str) -> Restriction:
    """The restriction called ``name``.

    Raises:
        ValueError: for any other name, listing the known ones.
    """
    try:
        return RESTRICTIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown sm restriction {name!r}; known: "
                         + ", ".join(RESTRICTIONS)) from None
