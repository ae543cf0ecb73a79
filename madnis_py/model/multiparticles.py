"""MadGraph's default multiparticle labels and their expansion into particle names.

After ``import model sm`` MadGraph defines::

    p   = g u c d s u~ c~ d~ s~
    j   = g u c d s u~ c~ d~ s~
    l+  = e+ mu+
    l-  = e- mu-
    vl  = ve vm vt
    vl~ = ve~ vm~ vt~

so ``p`` and ``j`` never contain the b quark in the default ``sm`` (4-flavour scheme: the b is
massive). When the loaded model has a massless b, as ``sm-no_b_mass`` does, MadGraph prints
"Pass the definition of 'j' and 'p' to 5 flavour scheme." and appends ``b b~`` to both labels;
:func:`default_multiparticles` does the same, so the labels depend on the restriction, not only on
the literal text above. A proc_card's own ``define`` lines replace these defaults.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Iterable, Mapping

from .particles import ParticleTable, UnknownParticleError, sm_particle_table

__all__ = ["MG_DEFAULT_MULTIPARTICLES", "default_multiparticles", "expand_label"]

#: MadGraph's default labels for the sm as written in its proc_card (4-flavour).
MG_DEFAULT_MULTIPARTICLES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "p": ("g", "u", "c", "d", "s", "u~", "c~", "d~", "s~"),
    "j": ("g", "u", "c", "d", "s", "u~", "c~", "d~", "s~"),
    "l+": ("e+", "mu+"),
    "l-": ("e-", "mu-"),
    "vl": ("ve", "vm", "vt"),
    "vl~": ("ve~", "vm~", "vt~"),
})


def default_multiparticles(particles: ParticleTable) -> Mapping[str, tuple[str, ...]]:
    """MadGraph's default labels for a model with these particles.

    ``p`` and ``j`` gain ``b b~`` when the b quark (PDG 5) is massless, as MadGraph does.
    """
    labels = dict(MG_DEFAULT_MULTIPARTICLES)
    b = particles.by_pdg(5)
    if b.is_massless:
        for name in ("p", "j"):
            labels[name] = labels[name] + (b.name, b.antiname)
    return MappingProxyType(labels)


def expand_label(name: str, defines: Mapping[str, Iterable[str]],
                 particles: ParticleTable | None = None) -> tuple[str, ...]:
    """The particle names a label stands for.

    A multiparticle label (a key of ``defines``) expands to its members, recursively (a member
    may itself be a label) and without duplicates, in order; a particle name expands to itself
    in the model's spelling (``"Z"`` gives ``("z",)``).

    Args:
        name: a particle name or a multiparticle label.
        defines: multiparticle labels, e.g. :data:`MG_DEFAULT_MULTIPARTICLES` or a proc_card's
            ``define`` lines; labels are matched exactly, then case-insensitively.
        particles: the model's particles (default: the unrestricted sm table).

    Raises:
        UnknownParticleError: when ``name`` (or a member of a label) is neither a label nor a
            particle; the message lists both.
        ValueError: when labels refer to each other in a cycle.
    """
    table = particles if particles is not None else sm_particle_table()
    lowered = {key.lower(): key for key in defines}
    out: list[str] = []

    def visit(item: str, stack: tuple[str, ...]) -> None:
        key = item if item in defines else lowered.get(item.strip().lower())
        if key is not None and item not in table:
            if key in stack:
                raise ValueError("multiparticle labels refer to each other in a cycle: "
                                 + " -> ".join(stack + (key,)))
            for member in defines[key]:
                visit(member, stack + (key,))
            return
        if item in table:
            particle = table[item].name
            if particle not in out:
                out.append(particle)
            return
        raise UnknownParticleError(item, tuple(defines) + table.names,
                                   what="particle or multiparticle label")

    visit(name, ())
    return tuple(out)
