"""MadGraph's Standard Model (UFO ``sm``) in unitary gauge, with MadGraph's restrictions.

Typical use::

    from madnis_py.model import load_model
    model = load_model("sm")                      # as `import model sm` in MadGraph
    params = model.parameters(param_card)         # GeV; G_mu scheme
    couplings = model.couplings(params)           # {"GC_11": Coupling("GC_11", 1j, 1), ...}
    for vertex in model.vertices:                 # particles, colour, Lorentz, couplings
        ...
    model.expand("p")                             # ('g', 'u', 'c', 'd', 's', 'u~', ...)

Pieces: :mod:`.particles` (particle table), :mod:`.parameters` (param_card -> parameters),
:mod:`.couplings` (GC_n as value * G**k), :mod:`.lorentz` (UFO Lorentz structures),
:mod:`.vertices` (UFO vertices), :mod:`.restrictions` (restrict_default, restrict_no_b_mass),
:mod:`.multiparticles` (p, j, l+, ...), :mod:`.model` (the bundle and :func:`load_model`).
"""

from .couplings import COUPLING_EXPRESSIONS, COUPLING_ORDERS, Coupling, coupling, couplings
from .lorentz import LORENTZ, LorentzStructure
from .model import AVAILABLE_MODELS, Model, UnknownModelError, load_model
from .multiparticles import MG_DEFAULT_MULTIPARTICLES, default_multiparticles, expand_label
from .parameters import EXTERNAL_PARAMETERS, ExternalParameter, ParamCardLike, Parameters
from .particles import (SM_PARTICLES, Particle, ParticleTable, UnknownParticleError,
                        sm_particle_table)
from .restrictions import RESTRICTIONS, Restriction, get_restriction
from .vertices import SM_VERTICES, Vertex

__all__ = [
    "AVAILABLE_MODELS", "COUPLING_EXPRESSIONS", "COUPLING_ORDERS", "Coupling",
    "EXTERNAL_PARAMETERS", "ExternalParameter", "LORENTZ", "LorentzStructure",
    "MG_DEFAULT_MULTIPARTICLES", "Model", "ParamCardLike", "Parameters", "Particle",
    "ParticleTable", "RESTRICTIONS", "Restriction", "SM_PARTICLES", "SM_VERTICES",
    "UnknownModelError", "UnknownParticleError", "Vertex", "coupling", "couplings",
    "default_multiparticles", "expand_label", "get_restriction", "load_model",
    "sm_particle_table",
]
