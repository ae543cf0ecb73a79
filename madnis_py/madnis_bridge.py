"""The process's phase-space channels as a MadNIS multi-channel integrand (arXiv:2212.06172, 2311.01548).

Channel c = (subprocess group g, diagram d). A point generated in channel c belongs to group g: its prior
channel weights are MadGraph's |M_k|^2 / sum_j |M_j|^2 over the diagrams k of g and zero for the channels of
other groups, so that the weights of every point sum to one and the groups' cross sections add up.
``map`` does the mapping and the cuts alone, without the matrix element, for the surrogate
(madnis_py.madnis.surrogate; two-stage unweighting); ``remap`` expresses points in other channels' coordinates
(inverse mappings) for the cross-channel variance loss (madnis_py.madnis.losses.mixture_variance_loss).
"""

from __future__ import annotations

import numpy as np
import torch

from madnis_py.integrand import ChannelIntegrand, WeightedEvents
from madnis_py.madnis.integrand import IntegrandOutput, MappedPoints


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
        return self._features(events.momenta, events.x)

    def _features(self, momenta: np.ndarray, x: np.ndarray) -> np.ndarray:
        final = momenta[:, 2:].reshape(len(momenta), -1) / self.sqrt_s
        return np.concatenate([final, x], axis=1)

    def _mapped(self, ch: np.ndarray, r: np.ndarray) -> dict[int, list]:
        """The points of each channel mapped, by subprocess group: {group: [(channel, rows, MappedEvents)]}."""
        by_group: dict[int, list] = {}
        for c in np.unique(ch):
            rows = np.flatnonzero(ch == c)
            mapped = self.channels[int(c)].mapping.map(np.ascontiguousarray(r[rows]))
            by_group.setdefault(id(self.channels[int(c)].group), []).append((int(c), rows, mapped))
        return by_group

    def map(self, channel: torch.Tensor, r: torch.Tensor) -> MappedPoints:
        """Features, log |dx/dr| of the mapping and the cuts of a batch, without the matrix element (for the
        surrogate, madnis_py.madnis.surrogate)."""
        ch = channel.cpu().numpy()
        n = len(ch)
        feats, log_jac, passes = np.zeros((n, self.features_dim)), np.zeros(n), np.zeros(n, dtype=bool)
        for parts in self._mapped(ch, r.detach().cpu().numpy().astype(np.float64)).values():
            for c, rows, mapped in parts:
                feats[rows] = self._features(mapped.momenta, mapped.x)
                log_jac[rows] = _log_jacobian(mapped.weight)
                passes[rows] = self.channels[c].passes_cuts(mapped.momenta, mapped.weight)
        return MappedPoints(torch.as_tensor(feats, dtype=r.dtype), torch.as_tensor(log_jac, dtype=r.dtype),
                            torch.as_tensor(passes))

    def remap(self, channel: torch.Tensor, r: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The points in the coordinates of the channels ``targets`` (n, k) and log |dx/dr'| there (-inf where a
        channel cannot reach a point); shapes (n, k, dim) and (n, k). See madnis_py.madnis.integrand.SupportsRemap."""
        ch, t = channel.cpu().numpy(), targets.cpu().numpy()
        n, k = t.shape
        momenta = np.zeros((n, self.channels[0].mapping.n_particles, 4))
        for parts in self._mapped(ch, r.detach().cpu().numpy().astype(np.float64)).values():
            for _, rows, mapped in parts:
                momenta[rows] = mapped.momenta
        r_t, log_jac = np.full((n, k, self.dim), 0.5), np.full((n, k), -np.inf)
        for c in np.unique(t[t >= 0]):
            rows, cols = np.nonzero(t == c)
            inverted = self.channels[int(c)].mapping.inverse(momenta[rows])
            reached = inverted.weight > 0
            r_t[rows[reached], cols[reached]] = inverted.r[reached]
            log_jac[rows[reached], cols[reached]] = np.log(inverted.weight[reached])
        return torch.as_tensor(r_t, dtype=r.dtype), torch.as_tensor(log_jac, dtype=r.dtype)

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
        log_jac = np.zeros(n)
        # map channel by channel, then weigh each subprocess group's points together (one matrix-element call
        # per group: with thousands of channels a batch holds only a few points of each)
        for parts in self._mapped(ch, r_np).values():
            rows = np.concatenate([p[1] for p in parts])
            integrand = self.channels[parts[0][0]]
            jacobian = np.concatenate([p[2].weight for p in parts])
            events, enhancement = integrand.weigh(np.concatenate([p[2].momenta for p in parts]),
                                                  np.concatenate([p[2].x for p in parts]), jacobian)
            first = self._first_channel[id(integrand.group)]
            prior[rows, first:first + enhancement.shape[1]] = enhancement
            f[rows] = events.weights
            feats[rows] = self.features(events)
            log_jac[rows] = _log_jacobian(jacobian)
        as_tensor = lambda a: torch.as_tensor(a, dtype=r.dtype)
        return IntegrandOutput(as_tensor(f), as_tensor(prior), as_tensor(feats), as_tensor(log_jac))


def _log_jacobian(jacobian: np.ndarray) -> np.ndarray:
    """log of the mapping's weight (n,); 0 where it is 0 (points outside the phase space, whose f is 0)."""
    return np.log(np.where(jacobian > 0, jacobian, 1.0))
