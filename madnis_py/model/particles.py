"""The particles of MadGraph's UFO model ``sm`` in unitary gauge.

The UFO ``sm`` also defines the Goldstone bosons ``G0``, ``G+``, ``G-`` (PDG 250, 251) and the
Faddeev-Popov ghosts; MadGraph drops them in its default unitary gauge, and so does this module.
What remains are the 17 particles MadGraph lists after ``import model sm`` (``g u c d s b a ve vm
vt e- mu- t z w+ h ta-``) and the antiparticles of the 13 that are not self-conjugate, 30
entries in all.

Names follow MadGraph's convention after its "change particles name to pass to MG5 convention"
step: lower case (``z``, ``w+``, ``h``, ``a``), antiparticles with ``~`` (``u~``, ``ve~``) except
for the charged leptons and the W (``e+``, ``mu+``, ``ta+``, ``w-``). Look-ups by name are case
insensitive, as in MadGraph for this model (``Z`` and ``z`` are the same particle).

Mass and width are the *names* of parameters (``"MT"``, ``"WT"``, ``"ZERO"``), as in UFO; their
values in GeV come from :class:`madnis_py.model.parameters.Parameters` (``params["MT"]``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Iterable, Iterator, Mapping

from ..errors import UserError

__all__ = ["Particle", "ParticleTable", "UnknownParticleError", "SM_PARTICLES",
           "sm_particle_table"]


class UnknownParticleError(UserError, KeyError):
    """A particle name (or PDG code) that the model does not define.

    Derives from :class:`KeyError` (a failed look-up) and from :class:`madnis_py.errors.UserError`
    (the command line prints the message without a traceback). The message lists the known names.

    Attributes:
        name: the name or PDG code that was asked for, as given.
        known: the names the model defines (and, where relevant, multiparticle labels).
    """

    def __init__(self, name: str | int, known: Iterable[str] = (), what: str = "particle") -> None:
        self.name = name
        self.known = tuple(known)
        self.what = what
        super().__init__(name)

    def __str__(self) -> str:
        text = f"unknown {self.what} {self.name!r}"
        close = difflib.get_close_matches(str(self.name), self.known, n=3, cutoff=0.6)
        if close:
            text += " (did you mean " + " or ".join(repr(c) for c in close) + "?)"
        if self.known:
            text += ". Known: " + " ".join(self.known)
        return text

    def __reduce__(self):  # keep the attributes through pickling (multiprocessing, Dask)
        return (type(self), (self.name, self.known, self.what))


@dataclass(frozen=True)
class Particle:
    """One particle (or antiparticle) of the model.

    Attributes:
        name: MadGraph name, e.g. ``"t"``, ``"t~"``, ``"e-"``, ``"w+"``.
        antiname: name of the antiparticle (equal to ``name`` when self-conjugate).
        pdg_code: PDG Monte Carlo code, negative for antiparticles (``-6`` for ``t~``).
        spin: 2S+1 as in UFO: 1 scalar, 2 spin-1/2 fermion, 3 vector.
        color: SU(3) representation as in UFO: 1 singlet, 3 triplet, -3 antitriplet, 8 octet.
        charge: electric charge in units of the positron charge, exact (``Fraction(2, 3)``).
        mass: name of the mass parameter (``"MT"``), ``"ZERO"`` when massless; GeV.
        width: name of the width parameter (``"WT"``), ``"ZERO"`` when stable; GeV.
    """

    name: str
    antiname: str
    pdg_code: int
    spin: int
    color: int
    charge: Fraction
    mass: str = "ZERO"
    width: str = "ZERO"

    def __post_init__(self) -> None:
        if self.spin not in (1, 2, 3):
            raise ValueError(f"particle {self.name!r}: spin (2S+1) must be 1, 2 or 3, "
                             f"not {self.spin!r}")
        if self.color not in (1, 3, -3, 8):
            raise ValueError(f"particle {self.name!r}: colour must be 1, 3, -3 or 8, "
                             f"not {self.color!r}")
        object.__setattr__(self, "charge", Fraction(self.charge))

    @property
    def is_fermion(self) -> bool:
        """True for spin-1/2 particles (UFO spin 2)."""
        return self.spin == 2

    @property
    def is_boson(self) -> bool:
        """True for scalars and vectors."""
        return self.spin != 2

    @property
    def self_conjugate(self) -> bool:
        """True when the particle is its own antiparticle (``g``, ``a``, ``z``, ``h``)."""
        return self.name == self.antiname

    @property
    def is_antiparticle(self) -> bool:
        """True for the antiparticle of a particle pair (negative PDG code)."""
        return self.pdg_code < 0

    @property
    def is_massless(self) -> bool:
        """True when the mass parameter is ``ZERO`` (so massless for every param_card)."""
        return self.mass == "ZERO"

    def anti(self) -> "Particle":
        """The antiparticle (itself when self-conjugate)."""
        if self.self_conjugate:
            return self
        return Particle(name=self.antiname, antiname=self.name, pdg_code=-self.pdg_code,
                        spin=self.spin, color=-self.color if self.color in (3, -3) else self.color,
                        charge=-self.charge, mass=self.mass, width=self.width)


@dataclass(frozen=True)
class ParticleTable(Mapping[str, Particle]):
    """The particles of a model, looked up by name (case-insensitive) or by PDG code.

    Iterating yields the names in model order (each particle followed by its antiparticle).

    Raises (on look-up):
        UnknownParticleError: for a name or PDG code the model does not define.
    """

    particles: tuple[Particle, ...]
    _by_name: Mapping[str, Particle] = field(init=False, repr=False, compare=False)
    _by_pdg: Mapping[int, Particle] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name: dict[str, Particle] = {}
        by_pdg: dict[int, Particle] = {}
        for p in self.particles:
            key = p.name.lower()
            if key in by_name:
                raise ValueError(f"particle name {p.name!r} defined twice")
            if p.pdg_code in by_pdg:
                raise ValueError(f"PDG code {p.pdg_code} defined twice")
            by_name[key] = p
            by_pdg[p.pdg_code] = p
        object.__setattr__(self, "_by_name", by_name)
        object.__setattr__(self, "_by_pdg", by_pdg)

    @property
    def names(self) -> tuple[str, ...]:
        """All particle names in model order."""
        return tuple(p.name for p in self.particles)

    def __getitem__(self, name: str) -> Particle:
        if isinstance(name, str):
            found = self._by_name.get(name.strip().lower())
            if found is not None:
                return found
        raise UnknownParticleError(name, self.names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.strip().lower() in self._by_name

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.particles)

    def by_pdg(self, pdg_code: int) -> Particle:
        """The particle with this PDG code (negative for antiparticles)."""
        try:
            return self._by_pdg[int(pdg_code)]
        except (KeyError, TypeError, ValueError):
            known = [f"{p.pdg_code}({p.name})" for p in self.particles]
            raise UnknownParticleError(pdg_code, known, what="PDG code") from None

    def get_particle(self, key: str | int) -> Particle:
        """Look up by name (``str``) or PDG code (``int``)."""
        if isinstance(key, str):
            return self[key]
        return self.by_pdg(key)

    def with_massless(self, parameter_names: Iterable[str]) -> "ParticleTable":
        """A copy in which masses and widths named in ``parameter_names`` become ``ZERO``.

        This is what a MadGraph restriction does to particles whose mass or width parameter it
        sets to zero (e.g. ``MB`` in ``sm-no_b_mass``).
        """
        zero = set(parameter_names)
        return ParticleTable(tuple(
            replace(p, mass="ZERO" if p.mass in zero else p.mass,
                    width="ZERO" if p.width in zero else p.width)
            for p in self.particles))


def _pair(name: str, antiname: str, pdg: int, spin: int, color: int, charge: Fraction | int,
          mass: str = "ZERO", width: str = "ZERO") -> tuple[Particle, ...]:
    p = Particle(name, antiname, pdg, spin, color, Fraction(charge), mass, width)
    return (p,) if p.self_conjugate else (p, p.anti())


_THIRD = Fraction(1, 3)

#: The UFO ``sm`` particles (unitary gauge) before any restriction: particle, then antiparticle.
#: Masses and widths as in the UFO: u, d, s and the neutrinos are massless by definition; c, e-,
#: mu- have mass parameters (``MC``, ``Me``, ``MM``) that ``restrict_default`` sets to zero.
SM_PARTICLES: tuple[Particle, ...] = (
    *_pair("d", "d~", 1, 2, 3, -_THIRD),
    *_pair("u", "u~", 2, 2, 3, 2 * _THIRD),
    *_pair("s", "s~", 3, 2, 3, -_THIRD),
    *_pair("c", "c~", 4, 2, 3, 2 * _THIRD, "MC"),
    *_pair("b", "b~", 5, 2, 3, -_THIRD, "MB"),
    *_pair("t", "t~", 6, 2, 3, 2 * _THIRD, "MT", "WT"),
    *_pair("e-", "e+", 11, 2, 1, -1, "Me"),
    *_pair("ve", "ve~", 12, 2, 1, 0),
    *_pair("mu-", "mu+", 13, 2, 1, -1, "MM"),
    *_pair("vm", "vm~", 14, 2, 1, 0),
    *_pair("ta-", "ta+", 15, 2, 1, -1, "MTA", "WTA"),
    *_pair("vt", "vt~", 16, 2, 1, 0),
    *_pair("g", "g", 21, 3, 8, 0),
    *_pair("a", "a", 22, 3, 1, 0),
    *_pair("z", "z", 23, 3, 1, 0, "MZ", "WZ"),
    *_pair("w+", "w-", 24, 3, 1, 1, "MW", "WW"),
    *_pair("h", "h", 25, 1, 1, 0, "MH", "WH"),
)


def sm_particle_table() -> ParticleTable:
    """The unrestricted UFO ``sm`` particle table (30 entries)."""
    return ParticleTable(SM_PARTICLES)
