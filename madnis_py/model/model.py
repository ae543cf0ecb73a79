"""The loaded model: particles, vertices, Lorentz structures and couplings of a restricted sm."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from ..errors import UserError
from .couplings import COUPLING_ORDERS, Coupling, coupling
from .lorentz import LORENTZ, LorentzStructure
from .multiparticles import default_multiparticles, expand_label
from .parameters import EXTERNAL_PARAMETERS, ParamCardLike, Parameters
from .particles import Particle, ParticleTable, sm_particle_table
from .restrictions import Restriction, get_restriction
from .vertices import SM_VERTICES, Vertex

__all__ = ["Model", "UnknownModelError", "AVAILABLE_MODELS", "load_model"]

#: Model names :func:`load_model` accepts, as in MadGraph's ``import model``.
AVAILABLE_MODELS: tuple[str, ...] = ("sm", "sm-no_b_mass")


class UnknownModelError(UserError, ValueError):
    """A model name that madnis-py does not provide; the message lists the available ones."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        return (f"unknown model {self.name!r}: madnis-py provides MadGraph's Standard Model as "
                + " and ".join(repr(m) for m in AVAILABLE_MODELS)
                + " (import model sm / import model sm-no_b_mass in the proc_card)")

    def __reduce__(self):
        return (type(self), (self.name,))


@dataclass(frozen=True, eq=False)
class Model:
    """A restricted ``sm`` as MadGraph loads it (unitary gauge).

    Attributes:
        name: ``"sm"`` or ``"sm-no_b_mass"``.
        restriction: the restriction applied.
        particles: the particle table (masses/widths fixed to zero by the restriction are
            ``"ZERO"``).
        vertices: the vertices that survive the restriction, in :data:`SM_VERTICES` order.
        lorentz: the Lorentz structures these vertices use, by name (read-only).
        coupling_orders: ``{coupling name: {"QCD": n} or {"QED": n}}`` for the couplings these
            vertices use (read-only).
        multiparticles: MadGraph's default labels for this model (``p``, ``j``, ``l+``, ``l-``,
            ``vl``, ``vl~``), read-only.
    """

    name: str
    restriction: Restriction
    particles: ParticleTable
    vertices: tuple[Vertex, ...]
    lorentz: Mapping[str, LorentzStructure]
    coupling_orders: Mapping[str, Mapping[str, int]]
    multiparticles: Mapping[str, tuple[str, ...]]

    def __reduce__(self):  # pickles as its name (for multiprocessing and Dask workers)
        return (load_model, (self.name,))

    def particle(self, key: str | int) -> Particle:
        """A particle by name (case-insensitive) or PDG code.

        Raises:
            UnknownParticleError: listing the known names.
        """
        return self.particles.get_particle(key)

    def expand(self, label: str, defines: Mapping[str, tuple[str, ...]] | None = None
               ) -> tuple[str, ...]:
        """Particle names for a particle or label (default labels: :attr:`multiparticles`)."""
        return expand_label(label, self.multiparticles if defines is None else defines,
                            self.particles)

    def parameters(self, card: ParamCardLike) -> Parameters:
        """The parameters from a param_card (see :meth:`Parameters.from_param_card`)."""
        return Parameters.from_param_card(card, model=self.name)

    def default_parameters(self) -> Parameters:
        """The parameters of MadGraph 3.5's default param_card for this model."""
        return Parameters.from_external({p.name: p.default for p in EXTERNAL_PARAMETERS},
                                        model=self.name)

    def couplings(self, params: Parameters) -> dict[str, Coupling]:
        """The couplings of this model's vertices, evaluated for ``params``.

        Raises:
            ValueError: when ``params`` belong to another restriction.
        """
        if params.model != self.name:
            raise ValueError(f"parameters of model {params.model!r} given to model "
                             f"{self.name!r}; build them with this model's parameters()")
        return {name: coupling(name, params) for name in self.coupling_orders}

    def mass(self, particle: str | int, params: Parameters) -> float:
        """Mass of a particle in GeV."""
        return float(params[self.particle(particle).mass])

    def width(self, particle: str | int, params: Parameters) -> float:
        """Width of a particle in GeV."""
        return float(params[self.particle(particle).width])

    def vertices_with(self, *names: str) -> tuple[Vertex, ...]:
        """The vertices that contain all the given particles (with multiplicity)."""
        wanted = [self.particle(n).name for n in names]
        found = []
        for vertex in self.vertices:
            pool = list(vertex.particles)
            try:
                for name in wanted:
                    pool.remove(name)
            except ValueError:
                continue
            found.append(vertex)
        return tuple(found)


def _restricted_vertices(restriction: Restriction) -> tuple[Vertex, ...]:
    """The vertices whose couplings do not all vanish once ``restriction`` zeroes parameters.

    As MadGraph, the couplings are evaluated at the restriction's reference point (the default
    param_card values, with the restricted parameters zero); a coupling that is exactly zero
    there is removed, and so is a vertex left without couplings.
    """
    reference = Parameters.from_external({p.name: p.default for p in EXTERNAL_PARAMETERS},
                                         model=restriction.name)
    kept = []
    for vertex in SM_VERTICES:
        nonzero = {key: name for key, name in vertex.couplings.items()
                   if coupling(name, reference).value != 0}
        if not nonzero:
            continue
        if len(nonzero) < len(vertex.couplings):
            vertex = Vertex(vertex.id, vertex.particles, vertex.color, vertex.lorentz, nonzero)
        kept.append(vertex)
    return tuple(kept)


def load_model(name: str = "sm") -> Model:
    """Load MadGraph's Standard Model, restricted as ``import model <name>`` does.

    Args:
        name: ``"sm"`` (MadGraph's ``restrict_default``) or ``"sm-no_b_mass"``.

    Raises:
        UnknownModelError: for any other name; the message lists the available models.
    """
    if name not in AVAILABLE_MODELS:
        raise UnknownModelError(name)
    restriction = get_restriction(name)
    particles = sm_particle_table().with_massless(restriction.zero_parameters)
    vertices = _restricted_vertices(restriction)
    used_lorentz = {lname for v in vertices for lname in v.lorentz}
    used_couplings = sorted({c for v in vertices for c in v.couplings.values()},
                            key=lambda n: int(n[3:]))
    return Model(
        name=name,
        restriction=restriction,
        particles=particles,
        vertices=vertices,
        lorentz=MappingProxyType({k: s for k, s in LORENTZ.items() if k in used_lorentz}),
        coupling_orders=MappingProxyType({c: COUPLING_ORDERS[c] for c in used_couplings}),
        multiparticles=default_multiparticles(particles),
    )
