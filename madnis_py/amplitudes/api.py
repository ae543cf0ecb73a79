"""Matrix elements of any tree-level Standard Model process, from a process string or a proc_card subprocess.

Typical use::

    import madnis_py
    me = madnis_py.matrix_element("g g > t t~ g")      # default param_card, alpha_s = its aS
    me(momenta)                                         # |M|^2, (n,)
    me.amp2(momenta)                                    # per-diagram |M_i|^2, (n, me.n_diagrams)

``momenta``: float64, shape (n_events, n_particles, 4), GeV, (E, px, py, pz), particles in the order of the
process string (incoming first). |M|^2 is MadGraph's: summed over final-state helicities and colours, averaged over
the initial ones, divided by the identical-particle factor of the final state.

The run setup calls :func:`build_matrix_elements` (all subprocesses of a proc_card, MadGraph's multiprocess rules)
or :func:`build_matrix_element` (one subprocess).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping, Sequence

import numpy as np

from madnis_py.amplitudes.builder import BuiltProgram, build_program
from madnis_py.amplitudes.diagrams import (DiagramFilter, DiagramSet, NoDiagramsError, Propagator,
                                           generate_diagrams, minimal_weighted_order)
from madnis_py.amplitudes.program import MatrixElement, Program
from madnis_py.cards.errors import CardError
from madnis_py.errors import UserError
from madnis_py.model.model import Model, load_model
from madnis_py.model.parameters import Parameters
from madnis_py.model.particles import Particle

__all__ = ["ProcessMatrixElement", "InvalidProcessError", "NoDiagramsCardError", "matrix_element",
           "build_matrix_element", "build_matrix_elements", "sample_momenta"]

#: Events for MadGraph-style helicity filtering: a combination is kept if it is non-zero on any of them.
N_HELICITY_EVENTS = 4
_HELICITY_SEED = 20240917


class InvalidProcessError(UserError, ValueError):
    """A process string that names no definite subprocess or violates a conservation law."""


class NoDiagramsCardError(CardError, NoDiagramsError):
    """A proc_card process (or one of its subprocesses) without diagrams; names the card's line."""


@dataclass(frozen=True)
class ProcessMatrixElement:
    """|M|^2 of one subprocess, compiled.

    Attributes:
        process: "a b > c d ..." with definite particles.
        particles: the particles in process order (incoming first).
        built: the full program with its diagrams and colour basis (all helicities).
        compiled: the compiled, helicity-filtered matrix element.
        alpha_s: the default alpha_s (the param_card's aS unless given).
        model: the model the diagrams come from.
    """

    process: str
    particles: tuple[Particle, ...]
    built: BuiltProgram
    compiled: MatrixElement
    alpha_s: float
    model: Model

    @property
    def diagrams(self) -> DiagramSet:
        return self.built.diagrams

    @property
    def program(self) -> Program:
        """The helicity-filtered program (e.g. for ``with_external_kind``)."""
        return self.compiled.program

    @property
    def n_diagrams(self) -> int:
        return len(self.built.diagrams.diagrams)

    @property
    def precision(self) -> str:
        """The CPU driver's arithmetic for this matrix element: "double" or "single" (see
        :data:`madnis_py.amplitudes.program.PRECISIONS`; set it on :attr:`compiled`)."""
        return self.compiled.precision

    @property
    def n_helicities(self) -> int:
        return self.compiled.n_helicities

    @property
    def n_flows(self) -> int:
        return len(self.built.colour_basis)

    @property
    def n_particles(self) -> int:
        return len(self.particles)

    @property
    def pdgs(self) -> tuple[int, ...]:
        return tuple(p.pdg_code for p in self.particles)

    def propagators(self, diagram: int) -> list[Propagator]:
        """The internal lines of diagram `diagram` (0-based), children before parents, for the phase-space
        channels."""
        return self.diagrams.diagrams[diagram].propagators(self.model, self.n_particles)

    def _check(self, momenta, alpha_s):
        p = momenta if hasattr(momenta, "shape") else np.asarray(momenta, dtype=np.float64)
        if len(p.shape) != 3 or tuple(p.shape[1:]) != (self.n_particles, 4):
            raise ValueError(f"momenta must have shape (n_events, {self.n_particles}, 4) for {self.process}, "
                             f"got {tuple(p.shape)}")
        return p, (self.alpha_s if alpha_s is None else alpha_s)

    def __call__(self, momenta, alpha_s=None) -> np.ndarray:
        """|M|^2, float64 (n,). momenta: (n, n_particles, 4) GeV; alpha_s: float or (n,), default :attr:`alpha_s`."""
        p, a = self._check(momenta, alpha_s)
        return self.compiled.evaluate(p, a)[0]

    def evaluate(self, momenta, alpha_s=None) -> tuple[np.ndarray, np.ndarray]:
        """(|M|^2 (n,), per-diagram |M_i|^2 (n, n_diagrams)) in one pass."""
        p, a = self._check(momenta, alpha_s)
        me, amp2, _ = self.compiled.evaluate(p, a, amp2=True)
        return me, amp2

    def amp2(self, momenta, alpha_s=None) -> np.ndarray:
        """Per-diagram |M_i|^2 summed over helicities (MadGraph's AMP2), float64 (n, n_diagrams)."""
        return self.evaluate(momenta, alpha_s)[1]

    def __repr__(self) -> str:
        return (f"ProcessMatrixElement({self.process!r}: {self.n_diagrams} diagrams, {self.n_flows} colour flows, "
                f"{self.n_helicities} helicity combinations)")


# -- phase-space points --------------------------------------------------------------------------------------------
def sample_momenta(masses: Sequence[float], sqrt_s: float, n: int, seed: int | None = None) -> np.ndarray:
    """Random physical momenta, flat in phase space (RAMBO: Kleiss, Stirling, Ellis, Comput. Phys. Commun. 40
    (1986) 359, with its massive rescaling) in the centre-of-mass frame, beams along z.

    masses: GeV, incoming first (2 + n_final); sqrt_s: GeV (for one final particle it must equal its mass);
    returns float64 (n, len(masses), 4), (E, px, py, pz).
    """
    masses = np.asarray(masses, dtype=float)
    m1, m2 = masses[:2]
    mf = masses[2:]
    if len(mf) == 1:
        if not np.isclose(sqrt_s, mf[0], rtol=1e-12) or sqrt_s <= m1 + m2:
            raise ValueError(f"a 2 -> 1 process needs sqrt_s = the final mass {mf[0]} GeV above {m1 + m2} GeV")
    elif sqrt_s <= max(m1 + m2, mf.sum()):
        raise ValueError(f"sqrt_s = {sqrt_s} GeV is below the threshold of masses {list(masses)}")
    rng = np.random.default_rng(seed)
    nf = len(mf)
    out = np.zeros((n, 2 + nf, 4))
    s = sqrt_s ** 2
    e1 = (s + m1 ** 2 - m2 ** 2) / (2 * sqrt_s)
    pz = np.sqrt(max(e1 ** 2 - m1 ** 2, 0.0))
    out[:, 0] = (e1, 0, 0, pz)
    out[:, 1] = (sqrt_s - e1, 0, 0, -pz)
    if nf == 1:
        out[:, 2] = (sqrt_s, 0, 0, 0)
        return out
    # massless RAMBO
    r = rng.random((n, nf, 4))
    c = 2 * r[..., 0] - 1
    phi = 2 * np.pi * r[..., 1]
    q0 = -np.log(r[..., 2] * r[..., 3])
    sn = np.sqrt(1 - c ** 2)
    q = np.stack([q0, q0 * sn * np.cos(phi), q0 * sn * np.sin(phi), q0 * c], axis=-1)
    qs = q.sum(axis=1)
    m_q = np.sqrt(qs[:, 0] ** 2 - (qs[:, 1:] ** 2).sum(-1))
    b = -qs[:, 1:] / m_q[:, None]
    x = sqrt_s / m_q
    gamma = qs[:, 0] / m_q
    a = 1 / (1 + gamma)
    bq = (b[:, None, :] * q[..., 1:]).sum(-1)
    p0 = x[:, None] * (gamma[:, None] * q[..., 0] + bq)
    pv = x[:, None, None] * (q[..., 1:] + b[:, None, :] * (q[..., :1] + a[:, None, None] * bq[..., None]))
    # massive rescaling: sum_i sqrt(m_i^2 + xi^2 |p_i|^2) = sqrt_s
    xi = np.full(n, 1.0)
    if np.any(mf > 0):
        xi = np.full(n, np.sqrt(1 - (mf.sum() / sqrt_s) ** 2))
        for _ in range(50):
            e = np.sqrt(mf[None, :] ** 2 + (xi[:, None] * p0) ** 2)
            f = e.sum(-1) - sqrt_s
            df = (xi[:, None] * p0 ** 2 / e).sum(-1)
            xi = xi - f / df
    out[:, 2:, 1:] = xi[:, None, None] * pv
    out[:, 2:, 0] = np.sqrt(mf[None, :] ** 2 + (xi[:, None] * p0) ** 2)
    return out


def _filter_helicities(me: MatrixElement, masses: Sequence[float]) -> MatrixElement:
    if len(masses) == 3:  # 2 -> 1: at the final particle's mass
        if masses[2] <= masses[0] + masses[1]:
            return me
        sqrt_s = masses[2]
    else:
        sqrt_s = max(1000.0, 2.0 * (sum(masses[2:]) + sum(masses[:2])))
    p = sample_momenta(masses, sqrt_s, N_HELICITY_EVENTS, seed=_HELICITY_SEED)
    return me.filter_helicities(p, 0.118)


def _compile(diagrams: DiagramSet, model: Model, parameters: Parameters, zerowidth_tchannel: bool,
             process: str, alpha_s: float | None) -> ProcessMatrixElement:
    try:
        built = build_program(diagrams, model, parameters, zerowidth_tchannel=zerowidth_tchannel)
        program = built.program.compile()
    except ValueError as exc:  # a size limit of the compiled core (the number of colour flows)
        raise InvalidProcessError(f"{process} ({len(diagrams.diagrams)} diagrams) is too large for the compiled "
                                  f"core: {exc}") from None
    particles = tuple(leg.particle for leg in diagrams.legs)
    masses = [parameters.mass_of(p) for p in particles]
    compiled = _filter_helicities(program, masses)
    return ProcessMatrixElement(process, particles, built, compiled,
                                float(parameters.aS if alpha_s is None else alpha_s), model)


# -- from a process string -----------------------------------------------------------------------------------------
def _load_parameters(model: Model, param_card) -> Parameters:
    from madnis_py.cards.param_card import ParamCard

    if isinstance(param_card, Parameters):
        return param_card
    if param_card is None:
        card = ParamCard.default()
    elif isinstance(param_card, (str, os.PathLike)):
        card = ParamCard.read(param_card)
    else:
        card = param_card
    return model.parameters(card)


def _particles(model: Model, labels: Sequence[str], text: str) -> list[Particle]:
    out = []
    for label in labels:
        if label not in model.particles and label.lower() in {k.lower() for k in model.multiparticles}:
            members = " ".join(model.expand(label))
            raise InvalidProcessError(
                f"'{label}' in '{text}' is a multiparticle label ({members}); matrix_element computes one "
                f"subprocess: give definite particles, e.g. '{text.replace(label, model.expand(label)[0], 1)}'")
        out.append(model.particle(label))
    return out


def _filter_from(definition, model: Model) -> DiagramFilter:
    def names(labels) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n for label in labels for n in model.expand(label)))

    required = []
    for label in definition.required_s_channels:
        members = model.expand(label)
        required.append(members[0] if len(members) == 1 else tuple(members))
    return DiagramFilter(coupling_orders=dict(definition.coupling_orders), excluded=names(definition.excluded),
                         s_channel_removed=names(definition.s_channel_removed), required_s_channels=tuple(required))


def matrix_element(process: str, param_card: Any = None, alpha_s: float | None = None,
                   zerowidth_tchannel: bool = False, model: str | Model = "sm") -> ProcessMatrixElement:
    """The compiled |M|^2 of a process written as in MadGraph (``"u u~ > d d~ g"``, ``"e+ e- > mu+ mu- / z"``,
    ``"u u~ > d d~ QED<=2"``), with definite particles.

    Args:
        process: the process; coupling orders, ``/``, ``$$`` and ``> x >`` as in MadGraph (``$ x`` is accepted and
            changes no diagram: it is a phase-space cut).
        param_card: path, :class:`~madnis_py.cards.param_card.ParamCard`, :class:`~madnis_py.model.Parameters`
            or None (MadGraph's default card).
        alpha_s: default alpha_s of the calls (None: the param_card's aS).
        zerowidth_tchannel: zero width in t-channel propagators (MadGraph 3.5's event generation); False as
            MadGraph's standalone output.
        model: "sm", "sm-no_b_mass" or a loaded :class:`~madnis_py.model.Model`.

    Raises:
        UnknownParticleError, InvalidProcessError (multiparticle labels, charge violation, not 2 -> n),
        NoDiagramsError (no diagram, or none within the coupling orders), CardError (unreadable process string);
        all are :class:`madnis_py.errors.UserError`.
    """
    from madnis_py.cards.proc_card import parse_process

    mdl = load_model(model) if isinstance(model, str) else model
    definition = parse_process(process, path="process")
    text = " ".join(definition.initial) + " > " + " ".join(definition.final)
    if len(definition.initial) != 2:
        raise InvalidProcessError(f"'{process}' has {len(definition.initial)} incoming particles; "
                                  f"matrix_element computes 2 -> n scattering")
    parts = _particles(mdl, list(definition.initial) + list(definition.final), text)
    charge_in = sum((p.charge for p in parts[:2]), Fraction(0))
    charge_out = sum((p.charge for p in parts[2:]), Fraction(0))
    if charge_in != charge_out:
        raise InvalidProcessError(f"'{process}' violates electric charge conservation (in: {charge_in}, "
                                  f"out: {charge_out}); check the particles")
    flt = _filter_from(definition, mdl)
    parameters = _load_parameters(mdl, param_card)
    diagrams = generate_diagrams(mdl, parts, 2, flt)
    return _compile(diagrams, mdl, parameters, zerowidth_tchannel, " ".join(p.name for p in parts[:2]) + " > "
                    + " ".join(p.name for p in parts[2:]), alpha_s)


# -- from the run setup --------------------------------------------------------------------------------------------
def _option(options, name: str, default):
    if options is None:
        return default
    if hasattr(options, "option"):
        try:
            return options.option(name)
        except KeyError:
            return default
    return options.get(name, default) if isinstance(options, Mapping) else default


def _card_error(definition, exc: Exception) -> NoDiagramsCardError:
    return NoDiagramsCardError(definition.path, definition.line, str(exc),
                               f"Check '{definition.text}' in the proc_card")


def build_matrix_element(subprocess, model: Model, parameters: Parameters, proc_card_options=None,
                         weighted: int | None = None) -> ProcessMatrixElement:
    """The matrix element of one proc_card subprocess (:class:`madnis_py.process.Subprocess`).

    proc_card_options: the proc_card's ``set`` options (a mapping or the ProcCard); ``zerowidth_tchannel``
    defaults to True (MadGraph 3.5). weighted: the WEIGHTED limit of the process definition when it gives no
    coupling orders (see :func:`build_matrix_elements`); None: this subprocess's own minimum.

    Raises:
        NoDiagramsCardError: (a CardError naming the proc_card line) when the subprocess has no diagram.
    """
    definition = subprocess.definition
    flt = _filter_from(definition, model)
    try:
        diagrams = generate_diagrams(model, subprocess.particles, 2, flt, weighted=weighted)
    except NoDiagramsError as exc:
        raise _card_error(definition, exc) from None
    zero_t = bool(_option(proc_card_options, "zerowidth_tchannel", True))
    return _compile(diagrams, model, parameters, zero_t, subprocess.name, None)


def build_matrix_elements(subprocesses: Sequence, model: Model, parameters: Parameters, proc_card_options=None
                          ) -> list[tuple[Any, ProcessMatrixElement]]:
    """(subprocess, matrix element) for the subprocesses that have diagrams, with MadGraph's multiprocess rules.

    For a process definition without coupling orders the WEIGHTED limit is the lowest minimal WEIGHTED order of its
    subprocesses (MadGraph's ``find_optimal_process_orders``); subprocesses without diagrams within the orders are
    dropped, as MadGraph drops them.

    Raises:
        NoDiagramsCardError: naming the proc_card line of a definition none of whose subprocesses has a diagram.
    """
    by_definition: dict[int, list] = {}
    for sub in subprocesses:
        by_definition.setdefault(id(sub.definition), []).append(sub)
    kept: dict[int, ProcessMatrixElement] = {}
    for subs in by_definition.values():
        definition = subs[0].definition
        flt = _filter_from(definition, model)
        weighted = None
        if not flt.coupling_orders:
            mins = [w for w in (minimal_weighted_order(model, s.particles, 2, flt) for s in subs) if w is not None]
            if not mins:
                raise _card_error(definition, NoDiagramsError(
                    f"'{definition.text}' has no tree-level diagram in any of its {len(subs)} subprocesses"))
            weighted = min(mins)
        first_error = None
        for sub in subs:
            try:
                kept[id(sub)] = build_matrix_element(sub, model, parameters, proc_card_options, weighted)
            except NoDiagramsCardError as exc:
                first_error = first_error or exc
        if not any(id(s) in kept for s in subs):
            raise first_error
    return [(sub, kept[id(sub)]) for sub in subprocesses if id(sub) in kept]
