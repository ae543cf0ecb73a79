"""Multi-channel phase space: one channel per Feynman diagram (MadEvent's single-diagram enhancement).

``Topology`` describes a diagram's propagators, ``ChannelMapping`` maps the unit hypercube to momenta and
back with the phase-space weight, ``Rambo`` is the flat fallback. The per-event work runs in
``madnis_py._core`` (C++ threads or CUDA).
"""

from madnis_py.channels.mapping import ChannelMapping, FixedEnergy, InvertedEvents, Luminosity, MappedEvents
from madnis_py.channels.rambo import Rambo
from madnis_py.channels.topology import SChannel, TChannel, Topology
from madnis_py.channels.volume import massless_volume, two_body_volume

__all__ = [
    "ChannelMapping",
    "FixedEnergy",
    "InvertedEvents",
    "Luminosity",
    "MappedEvents",
    "Rambo",
    "SChannel",
    "TChannel",
    "Topology",
    "massless_volume",
    "two_body_volume",
]
