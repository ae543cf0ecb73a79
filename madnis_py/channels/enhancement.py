"""Channel weights from propagator denominators: MadEvent's ``sde_strategy = 2`` (arXiv:2102.00773).

The multi-channel weight of channel i at a point is alpha_i = P_i / sum_j P_j over the channels of the subprocess
group, with P_i the product over channel i's propagators of 1 / ((q^2 - m^2)^2 + m^2 Gamma^2). Unlike the default
alpha_i = |M_i|^2 / sum_j |M_j|^2 (``sde_strategy = 1``) it does not follow the diagrams' numerators, whose
gauge cancellations make single |M_i|^2 large where |M|^2 is small. Any alpha_i >= 0 summing to 1 over the
channels leaves the cross section unchanged; only the variance of the weights differs.

Plain numpy without BLAS: a BLAS call leaves OpenBLAS threads spinning, which slowed the matrix elements' own
threads that follow (g g > t t~ g g survey: 32 s instead of 21 s).
"""

from __future__ import annotations

import numpy as np

from madnis_py.arrays import is_torch, on_device_of, to_host


class PropagatorEnhancement:
    """alpha (n, n_channels) of the channels given by their topologies (each with ``propagators``, see
    :class:`madnis_py.channels.topology.Topology`), from momenta (n, n_particles, 4) in GeV."""

    def __init__(self, topologies) -> None:
        keys = sorted({prop for t in topologies for prop in t.propagators},
                      key=lambda p: (p[0], sorted(p[1]), p[2], p[3]))
        index = {key: k for k, key in enumerate(keys)}
        #: the final legs each distinct propagator sums, as bit masks over legs 2, 3, ... (bit 0: leg 2)
        self.masks = [sum(1 << (leg - 2) for leg in key[1]) for key in keys]
        self.t_channel = np.array([key[0] for key in keys], dtype=bool)
        self.mass2 = np.array([key[2] ** 2 for key in keys])
        self.mass_width2 = np.array([(key[2] * key[3]) ** 2 for key in keys])
        #: each channel's propagators as columns of the denominators, padded with the column of ones (n_props)
        width = max((len(t.propagators) for t in topologies), default=0)
        self.columns = np.full((len(topologies), width), len(keys), dtype=np.int64)
        for i, t in enumerate(topologies):
            self.columns[i, :len(t.propagators)] = [index[prop] for prop in t.propagators]

    def _sums(self, final: np.ndarray) -> np.ndarray:
        """The momentum of each distinct propagator's final legs, (n, n_props, 4), each leg set built from a
        smaller one plus one leg (shared between the propagators)."""
        sums: dict[int, np.ndarray] = {}

        def total(mask: int) -> np.ndarray:
            if mask not in sums:
                low = mask & -mask
                leg = final[:, low.bit_length() - 1]
                sums[mask] = leg if mask == low else total(mask ^ low) + leg
            return sums[mask]

        return np.stack([total(mask) for mask in self.masks], axis=1)

    def __call__(self, momenta):
        """alpha, rows summing to 1 (numpy, or a torch tensor on the device of a torch ``momenta``)."""
        if is_torch(momenta):
            return on_device_of(momenta, self(to_host(momenta)))
        n = momenta.shape[0]
        q = self._sums(momenta[:, 2:]) if self.masks else np.zeros((n, 0, 4))
        q[:, self.t_channel] = momenta[:, None, 0] - q[:, self.t_channel]
        q2 = q[..., 0] ** 2 - q[..., 1] ** 2 - q[..., 2] ** 2 - q[..., 3] ** 2
        log_den = np.zeros((n, len(self.masks) + 1))
        log_den[:, :-1] = np.log(np.maximum((q2 - self.mass2) ** 2 + self.mass_width2, 1e-300))
        log_p = np.zeros((n, self.columns.shape[0]))
        for column in self.columns.T:
            log_p -= log_den[:, column]
        p = np.exp(log_p - log_p.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)
