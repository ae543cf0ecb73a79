"""The event weight of one phase-space channel, in pb.

For channel (group g, diagram d) and r in [0, 1]^dim:

    w(r) = CONV * flux(s_hat) * L_g(x1, x2, mu_F) * |M_g|^2(p, alpha_s(mu_R)) * alpha_d(p) * dPhi/dr * cuts(p)

with L_g the summed parton luminosity of the group's members (1 for lepton beams), alpha_d = |M_d|^2 /
sum_k |M_k|^2 the single-diagram-enhancement weight (hep-ph/0208156; d, k run over the group's channel diagrams), and dPhi/dr the channel mapping's
Jacobian (including dx1 dx2 for hadron beams). The mean of w over uniform r is the channel's share of the
cross section; the channels of a group add up to its cross section.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from madnis_py.arrays import contiguous, empty, full, is_torch, nonzero, on_device_of, to_device, to_host, zeros
from madnis_py.clustering import STATUS_FAILED, STATUS_LOW_FACT_SCALE
from madnis_py.core import _core

#: Largest (points x diagrams) array of one evaluation (32 MiB of float64), see ChannelIntegrand.slice_size.
SLICE_ELEMENTS = 1 << 22
#: (hbar c)^2 in pb GeV^2 (CODATA 2018: 0.3893793721 GeV^2 mb).
GEV2_TO_PB = 0.3893793721e9


@dataclass(frozen=True)
class ScaleSettings:
    """Renormalisation and factorisation scales from the run_card (GeV).

    fixed_ren / fixed_fac: use ``ren_scale`` / ``fac_scale``; otherwise the dynamical choice
    (-1: MadGraph's kT-clustering scale, madnis_py/clustering.py, with one mu_F per beam; 1: sum E_T; 2: H_T;
    3: H_T/2; 4: sqrt(s-hat)) times ``factor`` (scalefact).
    """

    fixed_ren: bool
    fixed_fac: bool
    ren_scale: float
    fac_scale: float
    choice: int
    factor: float


FIELDS = ("momenta", "weights", "alpha_s", "scale", "mu_f", "x")


@dataclass(frozen=True)
class WeightedEvents:
    """A batch of weighted events: momenta float64 (n, n_particles, 4) GeV (lab frame), weights (n,) pb,
    alpha_s (n,), scale (n,) = mu_R and mu_f (n, 2) = mu_F of each beam in GeV, x (n, 2) the beams' momentum
    fractions."""

    momenta: np.ndarray
    weights: np.ndarray
    alpha_s: np.ndarray
    scale: np.ndarray
    mu_f: np.ndarray
    x: np.ndarray

    def __len__(self) -> int:
        return self.weights.size

    def take(self, index: np.ndarray) -> "WeightedEvents":
        return WeightedEvents(*(getattr(self, f)[index] for f in FIELDS))

    @staticmethod
    def concatenate(parts: "list[WeightedEvents]") -> "WeightedEvents":
        return WeightedEvents(*(np.concatenate([getattr(p, f) for p in parts])
                                for f in FIELDS))

    def numpy(self) -> "WeightedEvents":
        """These events as numpy arrays (torch tensors are copied from their device; CPU ones are shared)."""
        return WeightedEvents(*(to_host(getattr(self, f)) for f in FIELDS))


def flux_factor(s: np.ndarray | float, m1: float, m2: float):
    """1 / (2 lambda^(1/2)(s, m1^2, m2^2)) in GeV^-2: the incoming flux of a 2 -> n process."""
    lam = (s - (m1 + m2) ** 2) * (s - (m1 - m2) ** 2)
    return 0.5 / lam**0.5


class ChannelIntegrand:
    """One channel: a diagram's phase-space mapping for a subprocess group.

    group: SubprocessGroup; channel: the channel's index in the group (its diagram in the group's matrix element is
    ``group.channel_diagrams[channel]``, :attr:`diagram`); mapping: ChannelMapping;
    pdf: a PDF (None for lepton beams); lpp: the beam types; alpha_s: alpha_s(Q) (Q in GeV, (n,) -> (n,));
    helicity_sampler: one helicity combination per event instead of the sum (madnis_py.helicity_sampling);
    precision_check: the group's run_card ``me_precision = auto`` check (madnis_py.me_precision), or None;
    channel_weights: the multi-channel weights of the group's channels, momenta -> alpha (n, n_channels)
    (run_card ``sde_strategy = 2``: madnis_py.channels.enhancement), or None: |M_i|^2 / sum_j |M_j|^2;
    device: see :attr:`device`. The same code weighs numpy arrays and torch tensors (on the CPU or a GPU).
    """

    def __init__(self, group, channel: int, mapping, scales: ScaleSettings, alpha_s, pdf=None, lpp=(0, 0),
                 helicity_sampler=None, precision_check=None, device=None, channel_weights=None):
        self.group = group
        #: where the per-event work of numpy points runs: None on the host, else a torch device (``"cuda"``; the
        #: pdf must then be that device's, ``PDF.to``)
        self.device = device
        self.channel = channel
        self.diagram = group.channel_diagrams[channel]
        self._amp2_columns = np.asarray(group.channel_diagrams, dtype=np.int64)
        #: a HelicitySampler of the group (run_card nhel = 1), or None: |M|^2 summed over helicities
        self.helicity_sampler = helicity_sampler
        self.precision_check = precision_check
        self.channel_weights = channel_weights
        self.mapping = mapping
        self.scales = scales
        self.alpha_s = alpha_s
        self.pdf = pdf
        self.lpp = tuple(lpp)
        self.n_matrix_element_calls = 0

    @property
    def dim(self) -> int:
        return self.mapping.dim

    @property
    def name(self) -> str:
        return f"{self.group.members[0].name} (diagram {self.diagram + 1})"

    def _scales(self, momenta):
        """mu_R (n,), mu_F (n, 2) per beam in GeV, and whether the event may be kept (n,) bool, arrays like
        ``momenta`` (n, n_particles, 4): MadGraph's clustering scale gives weight zero to an event whose
        factorisation scale is below 2 GeV."""
        s = self.scales
        n = momenta.shape[0]
        keep = full(momenta, (n,), True, bool)
        clustering = self.group.clustering if s.choice == -1 else None
        if s.fixed_ren and s.fixed_fac:
            dyn_r, dyn_f = None, None
        elif clustering is not None:
            res = clustering.scales(momenta, self.diagram, self.lpp, s.factor)
            dyn_r, dyn_f = res.mu_r, res.mu_f
            failed = res.status == STATUS_FAILED
            if failed.any():  # no allowed pair (never for diagrams of three-point vertices): H_T/2
                fallback = empty(momenta, (int(failed.sum()),))
                _core.dynamical_scale(contiguous(momenta[failed]), 3, False, s.factor, fallback)
                dyn_r[failed] = fallback
                dyn_f[failed] = fallback[:, None]
            if not s.fixed_fac:
                low = res.status == STATUS_LOW_FACT_SCALE
                keep &= ~low
                dyn_f[low] = dyn_f[low].clip(2.0, None)  # a valid scale for the (discarded) PDF call
        else:
            dyn_r, dyn_f = empty(momenta, (n,)), empty(momenta, (n, 2))
            _core.dynamical_scale(momenta, s.choice, self.group.single_resonance, s.factor, dyn_r)
            dyn_f[...] = dyn_r[:, None]
        mu_r = full(momenta, (n,), s.ren_scale) if s.fixed_ren else dyn_r
        mu_f = full(momenta, (n, 2), s.fac_scale) if s.fixed_fac else dyn_f
        return mu_r, mu_f, keep

    def evaluate(self, r):
        """Weighted events for r, float64 (n, dim) in [0, 1]^dim, WITHOUT the single-diagram enhancement,
        and the enhancement weights of all channels of the group, |M_d|^2 / sum_k |M_k|^2 over the channels'
        diagrams d, k (or :attr:`channel_weights`), (n, n_channels of the group). Numpy arrays for numpy r
        (computed on :attr:`device`, the points copied there and the weighted events back), torch tensors on r's
        device for a tensor r."""
        if self.device is not None and not is_torch(r):
            return self._host_result(self.evaluate(to_device(r, self.device)))
        mapped = self.mapping.map(contiguous(r))
        return self.weigh(mapped.momenta, mapped.x, mapped.weight)

    def weigh(self, momenta, x, jacobian):
        """:meth:`evaluate` for mapped points: momenta (n, n_particles, 4) GeV, x (n, 2), jacobian (n,) the
        mapping's weight, all numpy arrays (the result too; weighed on :attr:`device`) or all torch tensors on one
        device (the work stays there). Any channel of the group gives the same result: the points of several
        channels of one group can be weighed together (one matrix-element call)."""
        if self.device is not None and not is_torch(momenta):
            return self._host_result(self.weigh(*(to_device(a, self.device) for a in (momenta, x, jacobian))))
        n = momenta.shape[0]
        weights, alpha_s, scale, fac = (zeros(momenta, shape) for shape in ((n,), (n,), (n,), (n, 2)))
        enhancement = zeros(momenta, (n, len(self.group.topologies)))
        keep = nonzero(self.passes_cuts(momenta, jacobian))
        if len(keep):
            mu_r, mu_f, allowed = self._scales(contiguous(momenta[keep]))
            keep, mu_r, mu_f = keep[allowed], mu_r[allowed], mu_f[allowed]
        if len(keep):
            p = contiguous(momenta[keep])
            a_s = self.alpha_s(mu_r)
            me, amp2 = self._matrix_element(p, a_s)
            self.n_matrix_element_calls += len(keep)
            if self.channel_weights is None:
                amp2 = amp2[:, on_device_of(amp2, self._amp2_columns)]
                total = amp2.sum(axis=1, keepdims=True)
                enhancement[keep] = amp2 / (total + (total == 0))  # zero where every |M_k|^2 is (all are >= 0)
            else:
                enhancement[keep] = self.channel_weights(p)
            m1, m2 = self.group.masses[:2]
            q = p[:, 0] + p[:, 1]
            shat = q[:, 0] ** 2 - (q[:, 1:] ** 2).sum(axis=1)
            # LO grids dip below zero by ~1e-8 at x -> 1; clipping keeps leading-order weights non-negative
            luminosity = self.luminosities(x[keep], mu_f).sum(axis=1).clip(0.0, None)
            weights[keep] = GEV2_TO_PB * flux_factor(shat, m1, m2) * luminosity * me * jacobian[keep]
            alpha_s[keep], scale[keep], fac[keep] = a_s, mu_r, mu_f
        return WeightedEvents(momenta, weights, alpha_s, scale, fac, x), enhancement

    def passes_cuts(self, momenta, jacobian):
        """Whether each mapped point (momenta (n, n_particles, 4) GeV, the mapping's weight jacobian (n,)) lies in
        the phase space and passes the cuts, bool (n,): the points :meth:`weigh` evaluates."""
        return (jacobian > 0) & self.group.cuts.passes(momenta)

    @staticmethod
    def _host_result(result):
        events, enhancement = result
        return events.numpy(), to_host(enhancement)

    def _matrix_element(self, p, a_s):
        """|M|^2 (n,) and the per-diagram |M_i|^2 (n, n_diagrams) of momenta p (n, n_particles, 4) at alpha_s (n,),
        arrays like p: the compiled program runs where p is; the helicity sampler and the precision check work on
        host copies."""
        if self.precision_check is not None:
            self.precision_check.observe(to_host(p), to_host(a_s))
        if self.helicity_sampler is None:
            return self.group.matrix_element.evaluate(p, a_s)
        me, amp2 = self.helicity_sampler.evaluate(to_host(p), to_host(a_s))
        return on_device_of(p, me), on_device_of(p, amp2)

    def events(self, r: np.ndarray) -> WeightedEvents:
        """Weighted events of this channel for r, float64 (n, dim) in [0, 1]^dim (enhancement included).
        Evaluated in slices of :attr:`slice_size` points, so that the per-diagram arrays stay small."""
        parts = []
        for start in range(0, max(len(r), 1), self.slice_size):
            events, enhancement = self.evaluate(r[start:start + self.slice_size])
            parts.append(WeightedEvents(events.momenta, events.weights * enhancement[:, self.channel],
                                        events.alpha_s, events.scale, events.mu_f, events.x))
        return parts[0] if len(parts) == 1 else WeightedEvents.concatenate(parts)

    @property
    def slice_size(self) -> int:
        """Points per evaluation: the (points, diagrams) arrays of |M_i|^2 and enhancements hold at most
        :data:`SLICE_ELEMENTS` numbers (g g > w+ d u~ g g, 428 diagrams: 9800 points)."""
        return max(1024, SLICE_ELEMENTS // max(self.group.matrix_element.n_diagrams, len(self.group.topologies), 1))

    def luminosities(self, x: np.ndarray, mu_f: np.ndarray) -> np.ndarray:
        """f1(x1, mu_F1) f2(x2, mu_F2) of each member of the group, (n, n_members); ones for lepton beams.
        mu_f: (n,) or (n, 2) per beam, GeV."""
        return self.group.luminosities(self.pdf, self.lpp, x, mu_f)

    def __call__(self, r: np.ndarray) -> np.ndarray:
        return self.events(r).weights
