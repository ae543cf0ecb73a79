"""Phase-space channels from Feynman diagrams (MadEvent's single-diagram enhancement, hep-ph/0208156).

Each diagram of a subprocess gives one channel: its s-channel propagators become decay trees, its
t-channel propagators the chain from the first to the second incoming parton. Momentum indices are the
process order: 0, 1 incoming, 2 .. n+1 outgoing (the diagram generator numbers its legs the same way).
"""

from __future__ import annotations

from typing import Mapping

from madnis_py.channels import SChannel, TChannel, Topology


def _mass_width(particle, parameters) -> tuple[float, float]:
    return float(parameters.mass_of(particle)), float(parameters.width_of(particle))


def diagram_topology(propagators, masses, parameters, *, zerowidth_tchannel: bool = True,
                     min_masses: Mapping[frozenset, float] | None = None) -> Topology:
    """The channel of one diagram.

    propagators: the diagram's internal lines (``ProcessMatrixElement.propagators(i)``); masses: the
    external masses in GeV (process order); parameters: model parameters (masses and widths of the
    propagators); zerowidth_tchannel: drop widths in t-channel propagators (MadGraph 3.5's default);
    min_masses: lower limits (GeV) on invariant masses of sets of final legs (from cuts).
    """
    n_legs = len(masses)
    finals = frozenset(range(2, n_legs))
    s_props = [p for p in propagators if p.s_channel]
    s_channels = [SChannel(tuple(sorted(p.final_legs)), *_mass_width(p.particle, parameters))
                  for p in s_props if len(p.final_legs) >= 2]
    t_chain = []
    for p in propagators:
        if p.s_channel:
            continue
        side_a = p.legs if 0 in p.legs else frozenset(range(n_legs)) - p.legs
        mass, width = _mass_width(p.particle, parameters)
        t_chain.append((side_a, mass, 0.0 if zerowidth_tchannel else width))
    t_chain.sort(key=lambda item: len(item[0]))
    s_sets = [frozenset(s.daughters) for s in s_channels]
    t_channels, previous = [], frozenset([0])
    for side_a, mass, width in t_chain:
        blocks = _top_blocks(side_a - previous, s_sets)
        # a vertex on the chain with more than one emission (a four-point vertex) becomes several steps
        # joined by dummy propagators (flat in t), as MadGraph splits it with fake propagators
        for k, block in enumerate(blocks):
            last = k == len(blocks) - 1
            t_channels.append(TChannel(next(iter(block)) if len(block) == 1 else block,
                                       mass if last else None, width if last else 0.0))
        previous = side_a
    if t_channels:
        # a four-point vertex at p_b: all but one of its emissions join the chain through dummy propagators
        rest = _top_blocks(finals - (previous - {0}), s_sets)
        t_channels.extend(TChannel(next(iter(b)) if len(b) == 1 else b, None) for b in rest[:-1])
    if not t_channels and not any(set(s.daughters) == finals for s in s_channels):
        s_channels.append(SChannel(tuple(sorted(finals)), None))  # contact vertex at the root: flat in s-hat
    usable = {k: v for k, v in (min_masses or {}).items() if v > 0 and (
        k == finals or any(frozenset(s.daughters) == k for s in s_channels))}
    return Topology.from_propagators(masses, s_channels, t_channels, min_masses=usable or None)


def _top_blocks(emitted: frozenset, s_sets: list[frozenset]) -> list[frozenset]:
    """The maximal s-channel blocks and single legs that make up ``emitted`` (ordered by smallest leg)."""
    inner = [s for s in s_sets if s <= emitted]
    blocks = [s for s in inner if not any(s < o for o in inner)]
    covered = frozenset().union(*blocks) if blocks else frozenset()
    blocks += [frozenset([leg]) for leg in emitted - covered]
    return sorted(blocks, key=min)


def is_single_resonance(diagram_propagators: list, n_legs: int) -> bool:
    """True if every diagram is an s-channel of one colourless particle carrying the whole final state
    (Drell-Yan-like: MadGraph's clustering then ends on a single particle of mass sqrt(s-hat))."""
    finals = frozenset(range(2, n_legs))
    return all(
        any(p.s_channel and p.final_legs == finals and p.particle.color == 1 for p in props)
        for props in diagram_propagators
    )
