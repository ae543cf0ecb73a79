"""The process's phase-space channels as a MadNIS multi-channel integrand (arXiv:2212.06172, 2311.01548).

Channel c = (subprocess group g, diagram d). A point generated in channel c belongs to group g: its prior
channel weights are MadGraph's |M_k|^2 / sum_j |M_j|^2 over the diagrams k of g and zero for the channels of
other groups, so that the weights of every point sum to one and the groups' cross sections add up.
"""

from __future__ import annotations

import numpy as np
import torch

from madnis_py.integrand import ChannelIntegrand, WeightedEvents
from madnis_py.madnis.integrand import IntegrandOutput


class PhysicsIntegrand:
    """MadNIS view of ``channels`` (ChannelIntegrand, all of one dimension); see madnis_py.madnis.integrand.

    features: the final-state momenta divided by sqrt(S) and the beam fractions x1, x2 — the same for a
    phase-space point whatever channel generated it; shape (n, 4 n_final + 2).
    """

    def __init__(self, channels: list[ChannelIntegrand], sqrt_s: float):
        dims = {c.dim for c in channels}
        if len(dims) != 1:
            raise ValueError(f"all channels must have one dimension for MadNIS, got {sorted(dims)}")
        self.channels = channels
        self.n_channels = len(channels)
        self.dim = dims.pop()
        self.sqrt_s = float(sqrt_s)
        n_final = len(channels[0].group.masses) - 2
        self.features_dim = 4 * n_final + 2
        self._first_channel = {}
        parts: dict[int, list[int]] = {}
        for index, c in enumerate(channels):
            self._first_channel.setdefault(id(c.group), index)
            parts.setdefault(id(c.group), []).append(index)
        #: the channels of each subprocess group: the prior of a point lives on its group's channels only, so
        #: channel dropping keeps at least one channel of every group (madnis_py.madnis.integrator)
        self.prior_partition = list(parts.values())
        #: channels that differ by a permutation of identical final-state particles, whose mappings are one
        #: another's with the legs relabelled (SubprocessGroup.channel_symmetry): one flow serves each class
        classes: dict[int, list[int]] = {}
        for index, c in enumerate(channels):
            rep = self._first_channel[id(c.group)] + c.group.channel_symmetry[c.channel]
            classes.setdefault(rep, []).append(index)
        self.channel_groups = list(classes.values())

    def features(self, events: WeightedEvents) -> np.ndarray:
        final = events.momenta[:, 2:].reshape(len(events), -1) / self.sqrt_s
        return np.concatenate([final, events.x], axis=1)

    def physics(self, channel: int, r: np.ndarray) -> tuple[WeightedEvents, np.ndarray]:
        """(events without enhancement, prior (n, n_channels)) of points r of one channel."""
        c = self.channels[channel]
        events, enhancement = c.evaluate(r)
        prior = np.zeros((len(r), self.n_channels))
        first = self._first_channel[id(c.group)]
        prior[:, first:first + enhancement.shape[1]] = enhancement
        return events, prior

    def evaluate(self, channel: torch.Tensor, r: torch.Tensor) -> IntegrandOutput:
        ch = channel.cpu().numpy()
        r_np = r.detach().cpu().numpy().astype(np.float64)
        n = len(ch)
        f, prior, feats = np.zeros(n), np.zeros((n, self.n_channels)), np.zeros((n, self.features_dim))
        # map channel by channel, then weigh each subprocess group's points together (one matrix-element call
        # per group: with thousands of channels a batch holds only a few points of each)
        by_group: dict[int, list] = {}
        for c in np.unique(ch):
            rows = np.flatnonzero(ch == c)
            mapped = self.channels[int(c)].mapping.map(np.ascontiguousarray(r_np[rows]))
            by_group.setdefault(id(self.channels[int(c)].group), []).append((int(c), rows, mapped))
        for parts in by_group.values():
            rows = np.concatenate([p[1] for p in parts])
            integrand = self.channels[parts[0][0]]
            events, enhancement = integrand.weigh(np.concatenate([p[2].momenta for p in parts]),
                                                  np.concatenate([p[2].x for p in parts]),
                                                  np.concatenate([p[2].weight for p in parts]))
            first = self._first_channel[id(integrand.group)]
            prior[rows, first:first + enhancement.shape[1]] = enhancement
            f[rows] = events.weights
            feats[rows] = self.features(events)
        as_tensor = lambda a: torch.as_tensor(a, dtype=r.dtype)
        return IntegrandOutput(as_tensor(f), as_tensor(prior), as_tensor(feats))
