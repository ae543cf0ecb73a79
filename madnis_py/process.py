"""Processes: the proc_card's statements expanded into subprocesses of definite particles.

``p p > e+ e-`` becomes ``u u~ > e+ e-``, ``d d~ > e+ e-``, ...: every combination of the labels'
members that conserves electric charge, without repeating a final state that differs only in order.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

from madnis_py.errors import UserError
from madnis_py.model.multiparticles import expand_label
from madnis_py.model.particles import Particle, UnknownParticleError


@dataclass(frozen=True)
class Subprocess:
    """One subprocess: particles in the order of the process string, incoming first.

    masses: GeV, from the param_card; process_id: the proc_card's @N (or the statement's index + 1).
    """

    particles: tuple[Particle, ...]
    masses: tuple[float, ...]
    process_id: int
    definition: object  # the proc_card's ProcessDefinition it came from

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.particles)

    @property
    def pdgs(self) -> tuple[int, ...]:
        return tuple(p.pdg_code for p in self.particles)

    @property
    def initial(self) -> tuple[Particle, ...]:
        return self.particles[:2]

    @property
    def final(self) -> tuple[Particle, ...]:
        return self.particles[2:]

    @property
    def name(self) -> str:
        return " ".join(self.names[:2]) + " > " + " ".join(self.names[2:])


def _members(label: str, definition, multiparticles, model) -> list[Particle]:
    """The particles a label of a process statement stands for; unknown names name the card's line."""
    try:
        return [model.particles[name] for name in expand_label(label, multiparticles, model.particles)]
    except UnknownParticleError as exc:
        raise definition.error(str(exc), f"Correct '{label}' in '{definition.text}'") from None


def expand_subprocesses(proc_card, model, mass_of) -> list[Subprocess]:
    """All subprocesses of the proc_card's process statements.

    mass_of: Particle -> mass in GeV (from the param_card). Raises a CardError naming the line of a
    statement with an unknown particle, one with a single initial particle, or one that conserves
    no charge in any of its combinations.
    """
    if not proc_card.processes:
        raise UserError(f"{proc_card.path}: no 'generate' line; add e.g. 'generate e+ e- > mu+ mu-'.")
    subprocesses: list[Subprocess] = []
    seen: set[tuple] = set()
    for index, definition in enumerate(proc_card.processes):
        if len(definition.initial) != 2:
            raise definition.error(f"'{definition.text}' has {len(definition.initial)} initial-state particles",
                                   "Decays (1 -> n) are not supported yet; give two incoming particles")
        labels = list(definition.initial) + list(definition.final)
        choices = [_members(label, definition, proc_card.multiparticles, model) for label in labels]
        pid = definition.process_id if definition.process_id is not None else index + 1
        found = False
        for combo in itertools.product(*choices):
            charge_in = sum((p.charge for p in combo[:2]), Fraction(0))
            charge_out = sum((p.charge for p in combo[2:]), Fraction(0))
            if charge_in != charge_out:
                continue
            found = True
            key = (tuple(p.name for p in combo[:2]), tuple(sorted(p.name for p in combo[2:])))
            if key in seen:
                continue
            seen.add(key)
            subprocesses.append(Subprocess(tuple(combo), tuple(mass_of(p) for p in combo), pid, definition))
        if not found:
            raise definition.error(f"'{definition.text}' violates electric charge conservation",
                                   "Check the particles (e.g. e+ e- > mu+ mu-)")
    return subprocesses
