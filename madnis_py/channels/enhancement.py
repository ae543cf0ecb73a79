"""Channel weights from propagator denominators: MadEvent's ``sde_strategy = 2`` (arXiv:2102.00773).

The multi-channel weight of channel i at a point is alpha_i = P_i / sum_j P_j over the channels of the subprocess
group, with P_i the product over channel i's propagators of 1 / ((q^2 - m^2)^2 + m^2 Gamma^2). Unlike the default
alpha_i = |M_i|^2 / sum_j |M_j|^2 (``sde_strategy = 1``) it does not follow the diagrams' numerators, whose
gauge cancellations make single |M_i|^2 large where |M|^2 is small. Any alpha_i >= 0 summing to 1 over the
channels leaves the cross section unchanged; only the variance of the weights differs. Computed per event by the
core (``kernels/propagators.h``), on the device of the momenta.
"""

from __future__ import annotations

import numpy as np

from madnis_py.arrays import contiguous, empty, on_device_of
from madnis_py.core import _core


class PropagatorEnhancement:
    """alpha (n, n_channels) of the channels given by their topologies (each with ``propagators``, see
    :class:`madnis_py.channels.topology.Topology`), from momenta (n, n_particles, 4) in GeV."""

    def __init__(self, topologies) -> None:
        keys = sorted({prop for t in topologies for prop in t.propagators},
                      key=lambda p: (p[0], sorted(p[1]), p[2], p[3]))
        index = {key: k for k, key in enumerate(keys)}
        #: per distinct propagator: the final legs it sums as a bit mask (bit 0: leg 2), whether it is t-channel,
        #: mass^2 (GeV^2) and (mass width)^2 (GeV^4)
        self.legs = np.array([sum(1 << (leg - 2) for leg in key[1]) for key in keys], dtype=np.int32)
        self.t_channel = np.array([key[0] for key in keys], dtype=np.int32)
        self.mass2 = np.array([key[2] ** 2 for key in keys], dtype=np.float64)
        self.mass_width2 = np.array([(key[2] * key[3]) ** 2 for key in keys], dtype=np.float64)
        #: each channel's propagators, padded with len(keys), int32 (n_channels, width)
        width = max(max((len(t.propagators) for t in topologies), default=0), 1)
        self.columns = np.full((len(topologies), width), len(keys), dtype=np.int32)
        for i, t in enumerate(topologies):
            self.columns[i, :len(t.propagators)] = [index[prop] for prop in t.propagators]

    def __call__(self, momenta):
        """alpha, rows summing to 1: numpy, or a torch tensor on the device of a torch ``momenta``."""
        momenta = contiguous(momenta)
        n = momenta.shape[0]
        alpha = empty(momenta, (n, self.columns.shape[0]))
        tables = [on_device_of(momenta, a) for a in (self.legs, self.t_channel, self.mass2, self.mass_width2,
                                                     self.columns)]
        _core.propagator_weights(momenta, *tables, empty(momenta, (n, self.legs.size)), alpha)
        return alpha
