"""The MadNIS multi-channel integrator: training, integration, sampling, checkpoints.

An event of channel ``i`` is drawn as ``r ~ q_i`` (VEGAS layer + flow of the channel's group,
:mod:`.density`) and weighted with ``w = alpha_i(x) f_i(r) / q_i(r)`` (channel weights from
:mod:`.channel_weights`, integrand from :mod:`.integrand`). The cross section is
``I = sum_i E_{q_i}[w]``; its estimate uses a stratified sample with ``n_i`` events in channel
``i``: ``I_hat = sum_i mean_i(w)``, ``var(I_hat) = sum_i var_i(w) / n_i``.

Training (:meth:`MadnisIntegrator.train`): optional VEGAS pre-training of one grid per channel
group, then Adam steps on the stratified variance (or KL) loss (:mod:`.losses`) of three kinds:
*online* steps on fresh integrand evaluations (stored in the buffer), *buffered* steps that re-use
stored evaluations with the importance correction ``q_now / q_then`` (:mod:`.buffer`), and, when
enabled, *surrogate* steps on a regression of the integrand that cost no matrix-element call
(:mod:`.surrogate`). With ``cross_channels`` (the default) each channel's variance is estimated also on
the points that the channels with the largest weights beside it draw (:func:`.losses.mixture_variance_loss`;
the integrand's ``remap`` gives the points in every candidate channel's coordinates). Events per channel in
every batch: a share ``uniform_ratio`` split equally between the active channels, the rest proportional to
each channel's standard deviation ``sigma_i``
measured over the last ``history_length`` batches (the allocation that minimises the variance of
the stratified estimate).

Channel dropping: every ``drop_interval`` online steps the channels whose summed relative
contribution ``|P_i| / sum_j |P_j|`` (smallest first) stays below ``drop_threshold`` are
deactivated: they are no longer sampled or trained and their events leave the buffer (with the cross-channel
loss they stay, weighing 0 in their own channel). ``P_i`` is the
channel's contribution with the prior channel weights, ``E_{q_i}[prior_i f_i / q_i]``, measured on the same
events as ``I_i``: a channel is dropped because its diagrams matter little, never because the learned
weights have emptied it. Those can move weight off a channel towards channels that sample its region more
rarely, at a variance that batches seldom show (:mod:`.channel_weights`); a channel so emptied must stay
active for the move to be undone. Judged by ``I_i`` with unbounded channel weights, dropping removed what the
network had emptied: good for g g > t t~ g (efficiency 0.145 at 300k calls) and bad for p p > t t~ j at 2M
calls (36 of 105 channels dropped, efficiency 0.008) and p p > t t~ j j (0.0018).
*Unbiasedness*: a dropped channel gets ``alpha_i = 0`` and the softmax of the channel weights runs
over the active channels only, so the active weights still sum to 1 at every phase-space point
(the dropped channel's alpha mass is redistributed, in proportion to the other channels'
weights). Every active channel's density is positive on the whole cube and its mapping covers
the whole phase space, so ``sum_{i active} E_{q_i}[alpha_i f_i / q_i] = integral of F`` exactly:
the estimate stays unbiased, only its variance can grow where a dropped channel's peak is now
covered by the other channels. We chose this over keeping a frozen estimate of the dropped
channel's contribution because a frozen estimate would carry its (unknown) statistical error and
any residual training bias into every later result and could not be combined with fresh
samples; redistribution needs no bookkeeping and is exact.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import tempfile
import warnings
from dataclasses import asdict, dataclass
from typing import Callable, Literal

import numpy as np
import torch
from torch import Tensor

from madnis_py.integrator.result import IntegrationResult

from .buffer import SampleBatch, SampleBuffer
from .channel_weights import ChannelWeights
from .config import MadnisConfig
from .density import ChannelDensity
from .integrand import (IntegrandOutput, MultiChannelIntegrand, SupportsMapping, SupportsRemap,
                        channel_groups_of, check_mapped, check_output)
from .losses import LOSSES, channel_moments, importance_weight, mixture_variance_loss
from .metrics import unweighting_efficiency
from .surrogate import Surrogate, TwoStageResult, two_stage_unweight
from .vegas_init import VegasLayer, adaptive_map_sample, grid_from_adaptive_map

__all__ = ["MadnisIntegrator", "TrainingStatus", "TrainingSummary", "WeightedSamples",
           "TwoStageEvents"]

#: Checkpoint format tag.
CHECKPOINT_FORMAT = "madnis_py.madnis/3"

#: Largest number of entries of an (events, n_channels) array (priors, channel weights) made at once when
#: integrating or sampling: with thousands of channels (p p > t t~ j j) the batch is cut into slices.
PRIOR_ELEMENTS = 1 << 22

#: Largest share of a training budget (``max_calls``) spent on the VEGAS pre-training.
VEGAS_BUDGET_SHARE = 0.3

#: The cross-channel loss gives each point one candidate channel per this many channels that reach it (a finite
#: prior or learned weight there), at least MIN_CROSS_CHANNELS and at most config.cross_channels: few where few
#: channels compete, many where many do (the measurements are in channel_weights.py's docstring and the README).
CHANNELS_PER_CANDIDATE = 10
MIN_CROSS_CHANNELS = 3

#: Config fields that fix the networks' shapes and functions (must agree when loading a checkpoint).
_ARCHITECTURE = ("dtype", "flow_blocks", "flow_bins", "hidden", "hidden_layers", "flow_condition", "max_flows",
                 "channel_weights", "channel_weight_bound", "vegas_bins", "surrogate", "history_length",
                 "cross_channels")


def candidates_per_point(score: Tensor) -> Tensor:
    """Candidate channels of each point in the cross-channel loss, (n,) int64, from the channels' log weights at
    the points, (n, n_channels), -inf where a channel cannot reach a point (see :data:`CHANNELS_PER_CANDIDATE`)."""
    return (torch.isfinite(score).sum(1) // CHANNELS_PER_CANDIDATE).clamp_min(MIN_CROSS_CHANNELS)


@dataclass(frozen=True)
class TrainingStatus:
    """One training step, passed to the ``train`` callback.

    Attributes:
        step: index of the step (counting all kinds, over the integrator's lifetime).
        kind: ``"online"``, ``"buffered"``, ``"surrogate"`` or ``"vegas"`` (one VEGAS iteration).
        loss: loss value (for VEGAS: the relative variance of the weights).
        n_calls: integrand evaluations so far (lifetime).
        n_active: active channels after this step.
    """

    step: int
    kind: str
    loss: float
    n_calls: int
    n_active: int


@dataclass(frozen=True)
class TrainingSummary:
    """What one call of :meth:`MadnisIntegrator.train` did.

    Attributes:
        steps: optimisation steps done (online + buffered + surrogate).
        online_steps, buffered_steps, surrogate_steps: steps of each kind.
        vegas_iterations: VEGAS iterations done (per group).
        n_calls: integrand evaluations made by this call (VEGAS included).
        losses: loss of every optimisation step, in order.
        dropped_channels: channels dropped during this call.
        stopped_by_budget: True when ``max_calls`` ended the training.
    """

    steps: int
    online_steps: int
    buffered_steps: int
    surrogate_steps: int
    vegas_iterations: int
    n_calls: int
    losses: tuple[float, ...]
    dropped_channels: tuple[int, ...]
    stopped_by_budget: bool


@dataclass(frozen=True)
class WeightedSamples:
    """Independent weighted events from :meth:`MadnisIntegrator.sample`.

    Attributes:
        r: (n, dim) points of the unit cube; channel: int64 (n,) the channel they came from;
        weight: (n,) pb, ``alpha_i f_i / (p_i q_i)`` with ``p_i`` the channel probability, so that
            ``weight.mean()`` estimates the cross section; features: (n, features_dim).
    """

    r: Tensor
    channel: Tensor
    weight: Tensor
    features: Tensor

    def __len__(self) -> int:
        return self.weight.shape[0]

    def integral(self) -> IntegrationResult:
        """Mean weight and its standard error, pb."""
        return IntegrationResult.from_weights(self.weight.detach().cpu().numpy())

    def unweighting_efficiency(self, max_overweight_fraction: float = 1e-3) -> float:
        """``mean(w) / w_max``, the events above ``w_max`` carrying at most ``max_overweight_fraction`` of the cross
        section (:func:`.metrics.unweighting_efficiency`)."""
        return unweighting_efficiency(self.weight, max_overweight_fraction)


@dataclass(frozen=True)
class TwoStageEvents:
    """Unweighted events from :meth:`MadnisIntegrator.unweight_two_stage`.

    Attributes:
        r: (k, dim) and channel: int64 (k,) of the accepted events; result: the bookkeeping
        (event weights, unit weight in pb, calls saved, efficiencies).
    """

    r: Tensor
    channel: Tensor
    result: TwoStageResult


def _own_weight(log_alpha: Tensor, channels: Tensor) -> Tensor:
    """alpha of each event's own channel (n,) from log alpha (n, n_channels): picked before exp, which costs the
    whole matrix otherwise (30 ms for 1024 x 1491)."""
    return log_alpha.gather(1, channels[:, None]).squeeze(1).exp()


def _with_threads(method):
    """Run a method inside :meth:`MadnisIntegrator._threads`."""

    @functools.wraps(method)
    def wrapped(self, *args, **kwargs):
        with self._threads():
            return method(self, *args, **kwargs)

    return wrapped


def _window_efficiency(parts: list[tuple[Tensor, Tensor]]) -> float:
    """Unweighting efficiency ``sum_i I_i / sum_i w_max,i`` of the online weights of a training window, with the
    w_max,i chosen together as the generator chooses them (madnis_py.unweighting.choose_joint_w_max); 0 when
    undefined (no channel with positive weights only)."""
    from madnis_py.unweighting import choose_joint_w_max

    w = torch.cat([p[0] for p in parts]).numpy()
    ch = torch.cat([p[1] for p in parts]).numpy()
    samples = [sel for sel in (w[ch == c] for c in np.unique(ch)) if sel.max() > 0 and sel.min() >= 0]
    if not samples:
        return 0.0
    w_max = float(choose_joint_w_max(samples).sum())
    return sum(float(sel.mean()) for sel in samples) / w_max if w_max > 0 else 0.0


class _BestState:
    """Keeps the flows, channel weights and active channels that unweight best (MadNIS trains on the variance,
    but the unweighting efficiency is set by the largest weights, which can grow while the variance falls).

    The planned online steps are cut into WINDOWS windows; the online weights of each window measure the
    efficiency of the state at its start. At the end the integrator returns to the best state if it beats the
    last window's by more than MARGIN (smaller differences are noise)."""

    WINDOWS = 8
    MARGIN = 1.1

    def __init__(self, integrator: "MadnisIntegrator", planned: int):
        self.integrator = integrator
        self.size = max(1, planned // self.WINDOWS)
        self.start = integrator.online_steps_done
        self.best: tuple[float, dict] | None = None
        self.current: dict | None = None
        self.last = 0.0

    def _snapshot(self) -> dict:
        it = self.integrator
        return {"density": {k: v.clone() for k, v in it.density.state_dict().items()},
                "channel_weights": {k: v.clone() for k, v in it.channel_weights.state_dict().items()},
                "active": it.active.clone()}

    def _close(self) -> None:
        it = self.integrator
        if self.current is not None and it._window:
            self.last = _window_efficiency(it._window)
            if self.best is None or self.last > self.best[0]:
                self.best = (self.last, self.current)

    def step(self) -> bool:
        """Call before every training step; True when a new window starts (a point where the training can be
        checkpointed: the tracker's state is then :meth:`state` and the current networks)."""
        it = self.integrator
        done = it.online_steps_done - self.start
        if done % self.size == 0 and (it._window is None or len(it._window) > 0):
            self._close()
            self.current = self._snapshot()
            it._window = []
            return True
        return False

    def state(self) -> dict:
        """The tracker at the start of a window (for checkpoints)."""
        return {"size": self.size, "start": self.start, "last": self.last,
                "best_efficiency": None if self.best is None else self.best[0],
                "best": None if self.best is None else self.best[1]}

    def load_state(self, state: dict) -> None:
        """Continue from :meth:`state`, at the start of a window with the integrator's current networks."""
        self.size, self.start, self.last = int(state["size"]), int(state["start"]), float(state["last"])
        self.best = None if state["best"] is None else (float(state["best_efficiency"]), state["best"])
        self.current = self._snapshot()
        self.integrator._window = []

    def finish(self) -> None:
        it = self.integrator
        if it._window and len(it._window) >= self.size // 2:
            self._close()
        it._window = None
        if self.best is not None and self.best[0] > self.MARGIN * self.last:
            it.density.load_state_dict(self.best[1]["density"])
            it.channel_weights.load_state_dict(self.best[1]["channel_weights"])
            # the networks were measured with the channels then active: those dropped since come back
            it.active = self.best[1]["active"].clone()
            it.dropped = [c for c in it.dropped if not bool(it.active[c])]


class MadnisIntegrator:
    """Neural importance sampling of a multi-channel integrand (MadNIS, arXiv:2212.06172,
    arXiv:2311.01548).

    Args:
        integrand: satisfies :class:`.integrand.MultiChannelIntegrand` (and
            :class:`.integrand.SupportsMapping` when ``config.surrogate``).
        config: :class:`.config.MadnisConfig` (defaults when None).

    All randomness comes from the integrator's own ``torch.Generator`` (seeded with
    ``config.seed``; saved in checkpoints), and the network initialisation from ``config.seed``.
    """

    def __init__(self, integrand: MultiChannelIntegrand, config: MadnisConfig | None = None):
        config = MadnisConfig() if config is None else config
        for attr in ("n_channels", "dim", "features_dim", "evaluate"):
            if not hasattr(integrand, attr):
                raise TypeError(f"integrand {type(integrand).__name__} lacks {attr!r} "
                                "(see madnis_py.madnis.integrand.MultiChannelIntegrand)")
        self.integrand = integrand
        self.config = config
        self.n_channels = int(integrand.n_channels)
        self.dim = int(integrand.dim)
        self.features_dim = int(integrand.features_dim)
        if self.n_channels < 1 or self.dim < 1 or self.features_dim < 0:
            raise ValueError(f"integrand sizes n_channels={self.n_channels}, dim={self.dim}, "
                             f"features_dim={self.features_dim} are invalid")
        self.groups = channel_groups_of(integrand)
        self.dtype = torch.float64 if config.dtype == "float64" else torch.float32
        if config.surrogate:
            if not isinstance(integrand, SupportsMapping):
                raise TypeError("madnis_surrogate = True needs an integrand with a map(channel, r) "
                                "method (see madnis_py.madnis.integrand.SupportsMapping)")
            if self.features_dim < 1:
                raise ValueError("madnis_surrogate = True needs features (features_dim >= 1)")
        #: candidate channels per point of the cross-channel loss (config.cross_channels; 0 without remap and with
        #: the KL loss)
        remaps = isinstance(integrand, SupportsRemap) and config.loss == "variance"
        self.cross_channels = config.cross_channels if remaps else 0

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            self.density = ChannelDensity(
                self.dim, self.groups, n_blocks=config.flow_blocks or None,
                n_bins=config.flow_bins, hidden=config.hidden,
                n_layers=config.hidden_layers,
                vegas_bins=config.vegas_bins, condition_on_channel=config.flow_condition,
                max_flows=config.max_flows,
            ).to(self.dtype)
            self.channel_weights = ChannelWeights(
                self.features_dim, self.n_channels, config.hidden, config.hidden_layers,
                trainable=config.channel_weights, bound=config.channel_weight_bound).to(self.dtype)
            self.surrogate = (Surrogate(self.features_dim, self.n_channels, config.hidden,
                                        config.hidden_layers).to(self.dtype)
                              if config.surrogate else None)
        self._parameters = list(self.density.parameters()) + list(self.channel_weights.parameters())
        # fused: one kernel for all parameters (on a CPU 7 times faster than the default loop over tensors)
        self.optimizer = torch.optim.Adam(self._parameters, lr=config.lr, fused=True)
        self.loss_fn = LOSSES[config.loss]
        self.buffer = (SampleBuffer(config.buffer_capacity)
                       if config.buffer_steps > 0 or config.surrogate else None)
        self.generator = torch.Generator().manual_seed(config.seed)
        self.active = torch.ones(self.n_channels, dtype=torch.bool)
        h, c = config.history_length, self.n_channels
        self._hist_means = torch.zeros(h, c, dtype=torch.float64)
        self._hist_prior_means = torch.zeros(h, c, dtype=torch.float64)
        self._hist_vars = torch.zeros(h, c, dtype=torch.float64)
        self._hist_counts = torch.zeros(h, c, dtype=torch.float64)
        self._hist_next = 0
        self.step = 0
        self.n_calls = 0
        self.n_nonfinite = 0
        self.vegas_done = False
        self.surrogate_steps_done = 0
        self._pending_buffered = 0
        self.online_steps_done = 0
        self.dropped: list[int] = []
        self.channel_max_weights = torch.zeros(self.n_channels, dtype=torch.float64)
        self._window: list[tuple[Tensor, Tensor]] | None = None
        #: progress of a train() call saved in the middle (see train), else None
        self._run: dict | None = None

    @contextlib.contextmanager
    def _threads(self):
        """Use ``config.threads`` torch threads inside the block (restored afterwards)."""
        n = self.config.threads
        old = torch.get_num_threads()
        if n > 0 and n != old:
            torch.set_num_threads(n)
        try:
            yield
        finally:
            if n > 0 and n != old:
                torch.set_num_threads(old)

    # ------------------------------------------------------------------ integrand access --
    def _evaluate(self, channels: Tensor, r: Tensor) -> IntegrandOutput:
        """Call the integrand (no gradient), check shapes, count calls, zero non-finite events."""
        n = channels.shape[0]
        with torch.no_grad():
            out = self.integrand.evaluate(channels, r)
        check_output(out, n, self.n_channels, self.features_dim)
        self.n_calls += n
        f = out.f.to(self.dtype)
        prior = out.prior.to(self.dtype)
        features = out.features.to(self.dtype)
        lj = None if out.log_jacobian is None else out.log_jacobian.to(self.dtype)
        bad = ~torch.isfinite(f) | ~torch.isfinite(prior).all(-1) \
            | ~torch.isfinite(features).all(-1)
        if bool(bad.any()):
            n_bad = int(bad.sum())
            self.n_nonfinite += n_bad
            warnings.warn(f"integrand returned {n_bad} non-finite events (weight set to 0; "
                          f"{self.n_nonfinite} so far)", RuntimeWarning, stacklevel=3)
            f = torch.where(bad, torch.zeros_like(f), f)
            prior = torch.where(bad[:, None], torch.full_like(prior, 1.0 / self.n_channels), prior)
            features = torch.where(bad[:, None], torch.zeros_like(features), features)
            if lj is not None:
                lj = torch.where(bad, torch.zeros_like(lj), lj)
        return IntegrandOutput(f, prior, features, lj)

    def _alpha(self, features: Tensor, prior: Tensor, channels: Tensor) -> Tensor:
        """alpha of each event's own channel, shape (n,)."""
        return _own_weight(self.channel_weights.log_alpha(features, prior, self.active), channels)

    def _prior_alpha(self, prior: Tensor, channels: Tensor) -> Tensor:
        """The prior weight (normalised over the active channels) of each event's own channel, shape (n,)."""
        return _own_weight(self.channel_weights.log_prior(prior, self.active), channels)

    # --------------------------------------------------------------------- statistics ----
    def _record(self, means: Tensor, variances: Tensor, counts: Tensor, prior_means: Tensor | None = None) -> None:
        """Store one batch's per-channel statistics (n_channels,): mean and variance of the weights, events, and
        the mean weight with the prior in place of the learned channel weights (None: ``means``, for the VEGAS
        stages, where the untrained network leaves the prior)."""
        i = self._hist_next % self.config.history_length
        self._hist_means[i] = means.detach().to(torch.float64)
        self._hist_prior_means[i] = (means if prior_means is None else prior_means).detach().to(torch.float64)
        self._hist_vars[i] = variances.detach().to(torch.float64)
        self._hist_counts[i] = counts.detach().to(torch.float64)
        self._hist_next += 1

    def channel_statistics(self) -> tuple[Tensor, Tensor, Tensor]:
        """Per-channel mean weight (pb), standard deviation (pb) and number of events over the
        recorded history, each float64 (n_channels,); channels without events have 0."""
        var = self._history_mean(self._hist_vars)
        return self._history_mean(self._hist_means), var.clamp_min(0.0).sqrt(), self._hist_counts.sum(0)

    def prior_contributions(self) -> Tensor:
        """Each channel's mean weight (pb) over the recorded history with the prior channel weights in place of
        the learned ones, float64 (n_channels,): what the channel would carry had the network not moved the
        weights (channel dropping is judged by it)."""
        return self._history_mean(self._hist_prior_means)

    def _history_mean(self, per_batch: Tensor) -> Tensor:
        """Event-weighted mean over the recorded batches of a per-batch, per-channel quantity (history, n_channels)."""
        c = self._hist_counts
        return (c * per_batch).sum(0) / c.sum(0).clamp_min(1.0)

    def _allocate(self, n: int, uniform_ratio: float, min_per_channel: int = 0) -> Tensor:
        """Events per channel (int64 (n_channels,)): ``uniform_ratio`` of n equally over the
        active channels (at least ``min_per_channel`` each), the rest proportional to sigma_i."""
        act = torch.nonzero(self.active).flatten()
        k = act.numel()
        _, sigma, counts = self.channel_statistics()
        weights = torch.where(counts > 0, sigma, torch.zeros_like(sigma))[act]
        if not bool(torch.isfinite(weights).all()) or float(weights.sum()) <= 0:
            weights = torch.ones(k, dtype=torch.float64)
        elif bool((counts[act] == 0).any()):
            # channels never seen yet: give them the mean sigma of the others
            seen = counts[act] > 0
            weights = torch.where(seen, weights, weights[seen].mean())
        out = torch.zeros(self.n_channels, dtype=torch.long)
        n_uni = max(int(n * uniform_ratio) // k, min_per_channel)
        out[act] = n_uni
        rest = n - n_uni * k
        if rest > 0:
            share = weights / weights.sum() * rest
            base = torch.floor(share).long()
            left = rest - int(base.sum())
            if left > 0:
                extra = torch.argsort(share - base, descending=True)[:left]
                base[extra] += 1
            out[act] += base
        return out

    # ----------------------------------------------------------------------- training ----
    def _optimize(self, batch: SampleBatch) -> tuple[float, Tensor]:
        """One Adam step on a batch; returns (loss, detached weights alpha f / q_sample)."""
        if batch.candidates is None:
            log_q = self.density.log_prob(batch.r, batch.channel)
            fa = self._alpha(batch.features, batch.prior, batch.channel) * batch.f
            loss = self.loss_fn(fa, log_q, batch.log_q, batch.channel, self.n_channels)
        else:
            loss, fa = self._mixture_loss(batch)
        value = float(loss.detach())
        if math.isfinite(value):
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            grads = [p.grad for p in self._parameters if p.grad is not None]
            if not grads or math.isfinite(float(torch.nn.utils.get_total_norm(grads))):
                self.optimizer.step()
            else:
                warnings.warn("non-finite gradient: optimisation step skipped", RuntimeWarning, stacklevel=3)
        else:
            warnings.warn("non-finite loss: optimisation step skipped", RuntimeWarning,
                          stacklevel=3)
        return value, importance_weight(fa.detach(), batch.log_q)

    def _mixture_loss(self, batch: SampleBatch) -> tuple[Tensor, Tensor]:
        """:func:`.losses.mixture_variance_loss` of a batch with candidates; returns (loss, alpha f of the own
        channels (n,))."""
        log_alpha = self.channel_weights.log_alpha(batch.features, batch.prior, self.active)
        rows = self._candidate_rows(batch, log_alpha)
        loss = mixture_variance_loss(*rows, self.n_channels, len(batch))
        return loss, _own_weight(log_alpha, batch.channel) * batch.f

    def _candidate_rows(self, batch: SampleBatch, log_alpha: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """The rows of :func:`.losses.mixture_moments` of a batch with candidates and the log of its channel
        weights (n, n_channels): ``(f_alpha, log_q_test, log_q_sample, channels)``, each (rows,)."""
        cand = batch.candidates
        valid = cand >= 0
        point = torch.arange(len(batch))[:, None].expand_as(cand)[valid]
        channels = cand[valid]
        log_q = self.density.log_prob(batch.candidate_r[valid], channels)
        lj = batch.candidate_log_jacobian.double()
        # F(x) |dx/dr_j| of each candidate from the own channel's f = F(x) |dx/dr_own|
        f = batch.f.double()[point] * torch.exp(lj[valid] - lj[point, 0])
        return log_alpha[point, channels].double().exp() * f, log_q, batch.candidate_log_q_sample[valid], channels

    def _with_candidates(self, batch: SampleBatch, counts: Tensor) -> SampleBatch:
        """The batch with the candidates of the cross-channel loss (``config.cross_channels``): for each point the
        channels with the largest weights there (learned or prior), the point in their coordinates and the density
        it was drawn with in each (see :class:`.buffer.SampleBatch`, :func:`.losses.mixture_variance_loss`).

        A point whose own channel is among its top channels ``T(x)`` (chosen by x alone, :func:`candidates_per_point`
        of them) gets a row for each channel of ``T(x)``, weighted with the density of the batch's mixture of the
        channels of ``T(x)``; any other point only its own channel's row, weighted with its own density times its
        share of the batch (the usual estimate). Every row's estimate is then unbiased."""
        own = batch.channel
        n = len(batch)
        if batch.log_jacobian is None:
            raise ValueError("madnis_cross_channels > 0 needs the integrand's log_jacobian (IntegrandOutput)")
        with torch.no_grad():
            score = torch.maximum(self.channel_weights.log_alpha(batch.features, batch.prior, self.active),
                                  self.channel_weights.log_prior(batch.prior, self.active))
            top, targets = score.topk(min(self.cross_channels, self.n_channels), dim=1)
            usable = torch.isfinite(top) & (torch.arange(top.shape[1]) < candidates_per_point(score)[:, None])
            own_on_top = (usable & (targets == own[:, None])).any(1)
            # rows of the top channels T(x) come from the points that channels of T(x) draw: then the mixture of
            # T(x) is the density they were drawn with, whatever the channels outside T(x) do there
            targets = torch.where(own_on_top[:, None] & usable & (targets != own[:, None]), targets, -1)
            r_t, lj_t = self.integrand.remap(own, batch.r, targets)  # type: ignore[attr-defined]
            lj_t = lj_t.to(self.dtype)
            targets = torch.where(torch.isfinite(lj_t), targets, -1)
            cand = torch.cat([own[:, None], targets], 1)
            cand_r = torch.cat([batch.r[:, None], r_t.to(self.dtype)], 1)
            cand_lj = torch.cat([batch.log_jacobian[:, None], torch.where(targets >= 0, lj_t, 0.0)], 1).double()
            log_q = torch.full(cand.shape, float("-inf"), dtype=torch.float64)
            log_q[:, 0] = batch.log_q.double()
            other = cand[:, 1:] >= 0
            log_q[:, 1:][other] = self.density.log_prob(cand_r[:, 1:][other], cand[:, 1:][other]).double()
            log_share = torch.log(counts.double() / n)
            # log of sum_k (n_k / n) q_k / |dx/dr_k| over the candidates: the mixture's phase-space density
            log_mix = torch.logsumexp(torch.where(cand >= 0, log_q - cand_lj + log_share[cand.clamp_min(0)],
                                                  float("-inf")), dim=1)
            log_q_sample = log_mix[:, None] + cand_lj
            log_q_sample[:, 0] = torch.where(own_on_top, log_q_sample[:, 0], log_share[own] + log_q[:, 0])
        return SampleBatch(batch.r, own, batch.f, batch.log_q, batch.prior, batch.features, batch.log_jacobian,
                           cand, cand_r, cand_lj.to(self.dtype), log_q_sample)

    def _draw(self, counts: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        channels = torch.repeat_interleave(torch.arange(self.n_channels), counts)
        with torch.no_grad():
            r, log_q = self.density.sample(channels, self.generator)
        return channels, r, log_q

    def _online_step(self) -> float:
        counts = self._allocate(self.config.batch_size, self.config.uniform_ratio)
        channels, r, log_q = self._draw(counts)
        out = self._evaluate(channels, r)
        batch = SampleBatch(r, channels, out.f, log_q, out.prior, out.features, out.log_jacobian)
        if self.cross_channels > 0:
            batch = self._with_candidates(batch, counts)
        loss, w = self._optimize(batch)
        with torch.no_grad():
            w_prior = importance_weight(self._prior_alpha(out.prior, channels) * out.f, log_q)
        self._record(*channel_moments(w, channels, self.n_channels),
                     channel_moments(w_prior, channels, self.n_channels)[0])
        if self._window is not None:
            self._window.append((w.detach().to(torch.float64), channels))
        if self.buffer is not None:
            self.buffer.store(batch)
        self.online_steps_done += 1
        self._pending_buffered = self.config.buffer_steps if self.buffer is not None else 0
        return loss

    def _buffered_step(self) -> float:
        assert self.buffer is not None
        batch = self.buffer.sample(self.config.batch_size, self.generator)
        loss, _ = self._optimize(batch)
        self._pending_buffered -= 1
        return loss

    def _surrogate_step(self) -> float:
        assert self.surrogate is not None
        counts = self._allocate(self.config.batch_size, self.config.uniform_ratio)
        channels, r, log_q = self._draw(counts)
        with torch.no_grad():
            mapped = self.integrand.map(channels, r)  # type: ignore[attr-defined]
            check_mapped(mapped, channels.shape[0], self.features_dim)
            f_hat, prior_hat = self.surrogate.predict(mapped)
        batch = SampleBatch(r, channels, f_hat, log_q, prior_hat, mapped.features.to(self.dtype),
                            mapped.log_jacobian.to(self.dtype))
        loss, _ = self._optimize(batch)
        self.surrogate_steps_done += 1
        return loss

    def fit_surrogate(self, steps: int | None = None) -> float:
        """Fit the surrogate to the whole buffer; returns its final loss."""
        if self.surrogate is None or self.buffer is None:
            raise ValueError("the surrogate is off (madnis_surrogate = False)")
        steps = self.config.surrogate_fit_steps if steps is None else steps
        return self.surrogate.fit(self.buffer.all(), steps, batch_size=self.config.batch_size,
                                  generator=self.generator)

    def _drop_channels(self) -> list[int]:
        thr = self.config.drop_threshold
        if thr <= 0 or self.online_steps_done % self.config.drop_interval != 0:
            return []
        counts = self._hist_counts.sum(0)
        means = self.prior_contributions()
        act = torch.nonzero(self.active & (counts > 0)).flatten()
        if act.numel() < 2 or int(self.active.sum()) != act.numel():
            return []
        contrib = means[act].abs()
        total = float(contrib.sum())
        if total <= 0:
            return []
        order = torch.argsort(contrib)
        cums = torch.cumsum(contrib[order] / total, 0)
        drop = act[order[cums < thr]][: act.numel() - 1].tolist()
        # channels whose priors live on one part of the phase space (e.g. one subprocess group) must keep an
        # active channel there, or that part's cross section would be lost
        for part in getattr(self.integrand, "prior_partition", None) or ():
            alive = [c for c in part if bool(self.active[c]) and c not in drop]
            if not alive:
                keep = max((c for c in part if bool(self.active[c])), key=lambda c: float(means[c].abs()),
                           default=None)
                if keep is not None:
                    drop.remove(keep)
        if drop:
            self.active[drop] = False
            self.dropped.extend(int(c) for c in drop)
            if self.buffer is not None and self.cross_channels == 0:
                # (with the cross-channel loss the dropped channels' points stay: they are part of the mixtures
                # that the other channels' rows were weighted with, and their own rows now weigh 0)
                self.buffer.filter(self.active)
        return [int(c) for c in drop]

    @_with_threads
    def pretrain_vegas(self, iterations: int | None = None, points: int | None = None,
                       max_calls: int | None = None,
                       callback: Callable[[TrainingStatus], None] | None = None) -> int:
        """Train one VEGAS grid per channel group (``vegas`` package) and install the grids
        in front of the flows. Each iteration evaluates ``points`` events per group (channels of
        a group used in turn), weighted with the current channel weights; the events go to the
        buffer with the density they were drawn from. Returns the iterations done (fewer when
        ``max_calls`` runs out)."""
        import vegas

        iterations = self.config.vegas_iterations if iterations is None else iterations
        points = self.config.vegas_points if points is None else points
        maps = [vegas.AdaptiveMap([[0.0, 1.0]] * self.dim, ninc=self.config.vegas_bins)
                for _ in self.groups]
        if max_calls is not None and iterations > 0:
            # at most VEGAS_BUDGET_SHARE of a training budget goes to the grids; the flows need the rest
            points = max(min(points, int(VEGAS_BUDGET_SHARE * max_calls / (iterations * len(self.groups)))),
                         min(points, 256))
        start = self.n_calls
        done = 0
        for _ in range(iterations):
            needed = points * len(self.groups)
            if max_calls is not None and self.n_calls - start + needed > max_calls:
                break
            sums = [torch.zeros(self.n_channels, dtype=torch.float64) for _ in range(3)]
            batches = []
            for amap, group in zip(maps, self.groups):
                group_t = torch.tensor(group, dtype=torch.long)
                channels = group_t[torch.arange(points) % len(group)]
                keep = self.active[channels]
                channels = channels[keep]
                if channels.numel() == 0:
                    continue
                y = torch.rand((channels.shape[0], self.dim), generator=self.generator,
                               dtype=torch.float64).numpy()
                x, jac = adaptive_map_sample(amap, y)
                r = torch.as_tensor(x, dtype=self.dtype)
                out = self._evaluate(channels, r)
                with torch.no_grad():
                    alpha = self._alpha(out.features, out.prior, channels)
                w = (alpha * out.f).to(torch.float64) * torch.as_tensor(jac)
                amap.add_training_data(y, (w ** 2).numpy())
                amap.adapt(alpha=self.config.vegas_damping)
                m, v, c = channel_moments(w, channels, self.n_channels)
                sums[0] += m * c
                sums[1] += v * c
                sums[2] += c
                # (with the cross-channel loss the buffer holds online batches only, whose candidates are known)
                if self.buffer is not None and self.cross_channels == 0:
                    # every group keeps its share of the buffer (the points are random: the first ones will
                    # do); storing all would hold points x groups x n_channels priors at once
                    k = max(1, math.ceil(self.buffer.capacity / len(self.groups)))
                    lj = None if out.log_jacobian is None else out.log_jacobian[:k]
                    batches.append(SampleBatch(r[:k], channels[:k], out.f[:k],
                                               -torch.log(torch.as_tensor(jac[:k], dtype=self.dtype)),
                                               out.prior[:k], out.features[:k], lj))
            c = sums[2].clamp_min(1.0)
            self._record(sums[0] / c, sums[1] / c, sums[2])
            if self.buffer is not None and batches:
                self.buffer.store(SampleBatch.cat(batches))
            done += 1
            means, sig, _ = self.channel_statistics()
            rel = float(sig.sum() / means.abs().sum().clamp_min(1e-300)) ** 2
            if callback is not None:
                callback(TrainingStatus(self.step, "vegas", rel, self.n_calls,
                                        int(self.active.sum())))
        if done:
            grids = np.stack([grid_from_adaptive_map(m) for m in maps])
            self.density.vegas.set_grids(torch.as_tensor(grids))
            self._assign_flows()
        self.vegas_done = True
        return done

    def install_vegas(self, grids: np.ndarray | Tensor, means: Tensor, stddevs: Tensor, counts: Tensor) -> None:
        """Start from VEGAS grids trained elsewhere instead of :meth:`pretrain_vegas` (the generator's survey).

        Args:
            grids: bin edges per channel group, shape (n_groups, dim, n_bins + 1) (any n_bins).
            means, stddevs, counts: each channel's integral estimate (pb), the standard deviation of its weights
                (pb) and its number of points, float (n_channels,): the statistics that allocate the first
                training batches and drop channels.
        """
        self._set_vegas_grids(torch.as_tensor(np.asarray(grids), dtype=torch.float64))
        counts = torch.as_tensor(counts, dtype=torch.float64)
        self._record(torch.as_tensor(means, dtype=torch.float64),
                     torch.as_tensor(stddevs, dtype=torch.float64) ** 2, counts)
        self._assign_flows()
        self.vegas_done = True

    def _assign_flows(self) -> None:
        """Give the flows to the channel classes whose weights spread most (sum of the channels' standard
        deviations, the variance of an optimally stratified estimate), before the flows train."""
        _, sigma, _ = self.channel_statistics()
        scores = torch.zeros(len(self.groups), dtype=torch.float64).index_add_(
            0, self.density.group_of, sigma)
        self.density.assign_flows(scores)

    def _set_vegas_grids(self, grids: Tensor) -> None:
        if grids.shape == self.density.vegas.grids.shape:
            self.density.vegas.set_grids(grids)
        else:  # another number of bins: a new (parameter-free) layer
            self.density.vegas = VegasLayer(grids).to(self.density.vegas.grids.device)

    @_with_threads
    def train(self, steps: int | None = None, *, max_calls: int | None = None,
              callback: Callable[[TrainingStatus], None] | None = None,
              after_vegas: Callable[[], None] | None = None,
              checkpoint: Callable[[], None] | None = None) -> TrainingSummary:
        """Train for ``steps`` optimisation steps (default ``config.train_steps``) or until
        ``max_calls`` integrand evaluations (default ``config.max_calls``; 0 or None: no budget)
        have been made by this call, whichever comes first.

        The first call runs the VEGAS pre-training (``config.vegas_iterations``). With
        ``config.use_madnis = False`` only the VEGAS grids are trained. Each online step is
        followed by ``config.buffer_steps`` buffered steps; with ``config.surrogate`` the first
        ``config.surrogate_steps`` steps (after ``surrogate_min_samples`` true evaluations)
        use the surrogate, which is refitted on the whole buffer at the end (for
        :meth:`unweight_two_stage`).

        Checkpoints: ``after_vegas`` is called once the VEGAS pre-training of this call is over,
        ``checkpoint`` at the start of every window of the keep-best tracker (seven times per call;
        the caller saves the end itself), e.g. to :meth:`save`. A state saved in the middle of a call records its
        progress: ``train()`` on an integrator restored from it finishes that call (same steps,
        budget, learning-rate schedule and best-state tracking) and ignores its own arguments.
        """
        cfg = self.config
        run = self._run
        if run is None:
            steps = cfg.train_steps if steps is None else steps
            if max_calls is None:
                max_calls = cfg.max_calls or None
            start_calls = self.n_calls
            vegas_its = 0
            by_budget = False
            if not self.vegas_done and cfg.vegas_iterations > 0:
                vegas_its = self.pretrain_vegas(max_calls=max_calls, callback=callback)
                by_budget = vegas_its < cfg.vegas_iterations
            self.vegas_done = True
            if not cfg.use_madnis:
                steps = 0
            # the learning-rate schedule runs over the online steps this call will make
            planned = math.ceil(steps / (1 + cfg.buffer_steps)) if self.buffer is not None else steps
            if max_calls is not None:
                planned = min(planned, max(1, (max_calls - (self.n_calls - start_calls)) // cfg.batch_size))
            run = {"steps": steps, "max_calls": max_calls, "start_calls": start_calls, "done": 0,
                   "planned": planned, "online_start": self.online_steps_done, "vegas_its": vegas_its,
                   "by_budget": by_budget, "losses": [], "dropped": [],
                   "kinds": {"online": 0, "buffered": 0, "surrogate": 0}, "tracker": None}
            self._run = run
            if vegas_its and after_vegas is not None:
                after_vegas()
        steps, max_calls, start_calls = run["steps"], run["max_calls"], run["start_calls"]
        planned, online_start, kinds = run["planned"], run["online_start"], run["kinds"]
        losses, dropped = run["losses"], run["dropped"]
        tracker = _BestState(self, planned) if cfg.keep_best and planned >= 2 * _BestState.WINDOWS else None
        if tracker is not None and run["tracker"] is not None:
            tracker.load_state(run["tracker"])
        while run["done"] < steps:
            if tracker is not None and tracker.step() and checkpoint is not None and run["done"] > 0:
                run["tracker"] = tracker.state()
                checkpoint()
            if cfg.lr_schedule == "cosine" and planned > 0:
                t = min(1.0, (self.online_steps_done - online_start) / planned)
                for group in self.optimizer.param_groups:
                    group["lr"] = cfg.lr * (0.01 + 0.99 * 0.5 * (1.0 + math.cos(math.pi * t)))
            kind = "online"
            if self.surrogate is not None and self.surrogate_steps_done < cfg.surrogate_steps:
                assert self.buffer is not None
                if not bool(self.surrogate.fitted) \
                        and len(self.buffer) >= cfg.surrogate_min_samples:
                    self.fit_surrogate()
                if bool(self.surrogate.fitted):
                    kind = "surrogate"
            if kind == "online" and self._pending_buffered > 0 and self.buffer is not None \
                    and len(self.buffer) > 0:
                kind = "buffered"
            if kind == "online" and max_calls is not None \
                    and self.n_calls - start_calls + cfg.batch_size > max_calls:
                run["by_budget"] = True
                break
            if kind == "online":
                loss = self._online_step()
                dropped.extend(self._drop_channels())
            elif kind == "buffered":
                loss = self._buffered_step()
            else:
                loss = self._surrogate_step()
            kinds[kind] += 1
            losses.append(loss)
            if callback is not None:
                callback(TrainingStatus(self.step, kind, loss, self.n_calls,
                                        int(self.active.sum())))
            self.step += 1
            run["done"] += 1
        if tracker is not None:
            tracker.finish()
        if self.surrogate is not None and self.buffer is not None and steps > 0 \
                and len(self.buffer) >= 2:
            # refit on everything gathered, for two-stage unweighting after training
            self.fit_surrogate()
        self._run = None
        return TrainingSummary(
            steps=sum(kinds.values()), online_steps=kinds["online"],
            buffered_steps=kinds["buffered"], surrogate_steps=kinds["surrogate"],
            vegas_iterations=run["vegas_its"], n_calls=self.n_calls - start_calls,
            losses=tuple(losses), dropped_channels=tuple(c for c in dropped if not bool(self.active[c])),
            stopped_by_budget=run["by_budget"])

    # -------------------------------------------------------------- integration, sampling --
    def _weights(self, channels: Tensor, r: Tensor, log_q: Tensor,
                 with_prior: bool = False) -> tuple[Tensor, Tensor | None, Tensor]:
        """alpha f / q of points of given channels (no gradient), the same with the prior in place of alpha
        (``with_prior``; None otherwise), and the features; evaluated in slices small enough that the
        (events, n_channels) prior and channel-weight arrays stay below PRIOR_ELEMENTS entries."""
        step = max(256, PRIOR_ELEMENTS // self.n_channels)
        ws, ws_prior, feats = [], [], []
        for start in range(0, channels.shape[0], step):
            sl = slice(start, start + step)
            out = self._evaluate(channels[sl], r[sl])
            with torch.no_grad():
                ws.append(importance_weight(self._alpha(out.features, out.prior, channels[sl]) * out.f, log_q[sl]))
                if with_prior:
                    ws_prior.append(importance_weight(self._prior_alpha(out.prior, channels[sl]) * out.f,
                                                      log_q[sl]))
            feats.append(out.features)
        if not ws:
            empty = torch.zeros(0, dtype=torch.float64)
            return empty, empty if with_prior else None, torch.zeros((0, self.features_dim), dtype=self.dtype)
        return torch.cat(ws), torch.cat(ws_prior) if with_prior else None, torch.cat(feats)

    @_with_threads
    def integrate(self, n: int, min_per_channel: int = 10) -> IntegrationResult:
        """Estimate the integral (pb) with about ``n`` integrand calls, stratified over channels.

        The events are split into ``ceil(n / config.integrate_batch)`` iterations, all allocated before the
        first is drawn (``min_per_channel`` per active channel, the rest in proportion to sigma_i as known
        then). The value and error pool all events per channel; ``chi2_dof``
        compares the iterations' estimates with it (0 for one iteration). The per-channel
        results feed the statistics used for allocation and dropping.
        """
        if n < 1:
            raise ValueError(f"integrate: n = {n} must be >= 1")
        n_it = max(1, math.ceil(n / self.config.integrate_batch))
        sizes = [n // n_it + (1 if k < n % n_it else 0) for k in range(n_it)]
        c = self.n_channels
        tot_s = torch.zeros(c, dtype=torch.float64)
        tot_s2 = torch.zeros(c, dtype=torch.float64)
        tot_n = torch.zeros(c, dtype=torch.float64)
        estimates = []
        pooled_w: list[Tensor] = []
        pooled_c: list[Tensor] = []
        n_eval = 0
        # allocated before any point is drawn: points that chose their own number would bias the estimate
        allocations = [self._allocate(size, 0.0, min_per_channel) for size in sizes]
        for counts in allocations:
            channels, r, log_q = self._draw(counts)
            w, w_prior, _ = self._weights(channels, r, log_q, with_prior=True)
            n_eval += channels.shape[0]
            m, v, k = channel_moments(w, channels, c)
            estimates.append((float(m.sum()), float((v / k.clamp_min(1.0)).sum())))
            pooled_w.append(w)
            pooled_c.append(channels)
            tot_s.index_add_(0, channels, w)
            tot_s2.index_add_(0, channels, w * w)
            tot_n += k
            self._record(m, v, k, channel_moments(w_prior, channels, c)[0])
        safe = tot_n.clamp_min(1.0)
        means = tot_s / safe
        var = torch.where(tot_n > 1, (tot_s2 - tot_n * means ** 2) / (tot_n - 1).clamp_min(1.0),
                          torch.zeros_like(means)).clamp_min(0.0)
        value = float(means.sum())
        error = float((var / safe).sum().sqrt())
        chi2 = 0.0
        if len(estimates) > 1:
            terms = [(e - value) ** 2 / s2 for e, s2 in estimates if s2 > 0]
            chi2 = float(sum(terms) / max(1, len(terms) - 1))
        self.channel_results = (means, (var / safe).sqrt())
        self._update_max_weights(torch.cat(pooled_w), torch.cat(pooled_c))
        return IntegrationResult(value, error, chi2, n_eval)

    def _update_max_weights(self, w: Tensor, channels: Tensor) -> None:
        """Per-channel robust maximum weight (the events above it carry at most 0.1 % of the channel's
        integral, as in madnis_py.unweighting) from one integration sample."""
        from madnis_py.unweighting import choose_w_max

        w_np, c_np = w.detach().cpu().numpy(), channels.cpu().numpy()
        wmax = self.channel_max_weights.clone()
        for c in np.unique(c_np):
            sel = w_np[c_np == c]
            if sel.size >= 100 and np.all(sel >= 0) and sel.max() > 0:
                wmax[int(c)] = choose_w_max(sel, 1e-3)
        self.channel_max_weights = wmax

    def _channel_probabilities(self, allocation: str) -> Tensor:
        means, sigma, counts = self.channel_statistics()
        if allocation == "integral":
            score = means.abs()
        elif allocation == "variance":
            score = sigma
        elif allocation == "max_weight":
            # p_i proportional to the channel's maximum weight: then one global w_max is optimal for
            # unweighting (efficiency sum_i I_i / sum_i w_max,i); channels not measured yet: integral
            # (half of p stays proportional to the integral: a channel whose maximum was underestimated
            # cannot get a tiny probability)
            wmax = torch.where(self.channel_max_weights > 0, self.channel_max_weights, means.abs())
            wmax = torch.where(self.active, wmax, torch.zeros_like(wmax))
            integral = torch.where(self.active, means.abs(), torch.zeros_like(means))
            if float(wmax.sum()) > 0 and float(integral.sum()) > 0:
                score = 0.5 * integral / integral.sum() + 0.5 * wmax / wmax.sum()
            else:
                score = wmax
        else:
            raise ValueError(f"allocation {allocation!r}: use 'integral', 'variance' or 'max_weight'")
        act = self.active
        k = int(act.sum())
        score = torch.where(act & (counts > 0), score, torch.zeros_like(score))
        uniform = act.to(torch.float64) / k
        if float(score.sum()) <= 0 or not bool(torch.isfinite(score).all()):
            return uniform
        # a small uniform admixture keeps p_i > 0 for every active channel (unbiased)
        return 0.95 * score / score.sum() + 0.05 * uniform

    def _draw_iid(self, n: int, p: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        channels = torch.multinomial(p, n, replacement=True, generator=self.generator)
        with torch.no_grad():
            r, log_q = self.density.sample(channels, self.generator)
        return channels, r, log_q

    @_with_threads
    def sample(self, n: int,
               allocation: Literal["integral", "variance", "max_weight"] = "integral") -> WeightedSamples:
        """``n`` independent weighted events (``n`` integrand calls).

        Each event's channel is drawn with probability ``p_i`` proportional to the channel's
        integral (``"integral"``), standard deviation (``"variance"``) or robust maximum weight as
        measured by the last :meth:`integrate` (``"max_weight"``, best for unweighting),
        mixed with 5 % uniform over the active channels; ``weight = alpha_i f_i / (p_i q_i)``.
        """
        if n < 1:
            raise ValueError(f"sample: n = {n} must be >= 1")
        p = self._channel_probabilities(allocation)
        parts = []
        for start in range(0, n, self.config.integrate_batch):
            size = min(self.config.integrate_batch, n - start)
            channels, r, log_q = self._draw_iid(size, p)
            w, _, feats = self._weights(channels, r, log_q)
            parts.append((r, channels, w / p[channels].to(w.dtype), feats))
        r, ch, w, feats = (torch.cat(t) for t in zip(*parts))
        return WeightedSamples(r, ch, w, feats)

    def channel_probabilities(self, allocation: Literal["integral", "variance", "max_weight"] = "integral"
                              ) -> Tensor:
        """The probabilities (float64, (n_channels,)) with which :meth:`sample` draws the channels."""
        return self._channel_probabilities(allocation)

    @_with_threads
    def sample_channel(self, channel: int, n: int) -> WeightedSamples:
        """``n`` weighted events of one channel: ``weight = alpha_i f_i / q_i`` (its mean estimates
        the channel's contribution to the cross section, pb)."""
        if not 0 <= channel < self.n_channels:
            raise ValueError(f"channel {channel} is not in [0, {self.n_channels})")
        parts = []
        for start in range(0, n, self.config.integrate_batch):
            size = min(self.config.integrate_batch, n - start)
            channels = torch.full((size,), channel, dtype=torch.long)
            with torch.no_grad():
                r, log_q = self.density.sample(channels, self.generator)
            w, _, feats = self._weights(channels, r, log_q)
            parts.append((r, channels, w, feats))
        r, ch, w, feats = (torch.cat(t) for t in zip(*parts))
        return WeightedSamples(r, ch, w, feats)

    @_with_threads
    def unweight_two_stage(self, n: int) -> TwoStageEvents:
        """Unweighted events by two-stage unweighting against the surrogate (arXiv:2109.11964):
        ``n`` proposals are drawn as in :meth:`sample` and weighted with the surrogate; the
        integrand is evaluated only for the survivors of the first stage."""
        if self.surrogate is None or not bool(self.surrogate.fitted):
            raise ValueError("two-stage unweighting needs a fitted surrogate "
                             "(madnis_surrogate = True, then train)")
        p = self._channel_probabilities("integral")
        channels, r, log_q = self._draw_iid(n, p)
        with torch.no_grad():
            mapped = self.integrand.map(channels, r)  # type: ignore[attr-defined]
            check_mapped(mapped, n, self.features_dim)
            f_hat, prior_hat = self.surrogate.predict(mapped)
            alpha_hat = self._alpha(mapped.features.to(self.dtype), prior_hat, channels)
            w_s = importance_weight(alpha_hat * f_hat, log_q) / p[channels]

        def true_weight(idx: Tensor) -> Tensor:
            w, _, _ = self._weights(channels[idx], r[idx], log_q[idx])
            return w / p[channels[idx]].to(w.dtype)

        res = two_stage_unweight(w_s, true_weight, generator=self.generator)
        return TwoStageEvents(r[res.index], channels[res.index], res)

    # -------------------------------------------------------------------- checkpoints ----
    def state_dict(self) -> dict:
        """Everything needed to resume: networks, optimiser, buffer, statistics, counters,
        active channels and the random generator state."""
        return {
            "format": CHECKPOINT_FORMAT,
            "config": asdict(self.config),
            "n_channels": self.n_channels, "dim": self.dim, "features_dim": self.features_dim,
            "groups": self.groups,
            "density": self.density.state_dict(),
            "channel_weights": self.channel_weights.state_dict(),
            "surrogate": None if self.surrogate is None else self.surrogate.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "buffer": None if self.buffer is None else self.buffer.state_dict(),
            "history": {"means": self._hist_means.clone(), "prior_means": self._hist_prior_means.clone(),
                        "vars": self._hist_vars.clone(),
                        "counts": self._hist_counts.clone(), "next": self._hist_next},
            "active": self.active.clone(),
            "counters": {"step": self.step, "n_calls": self.n_calls,
                         "n_nonfinite": self.n_nonfinite, "vegas_done": self.vegas_done,
                         "surrogate_steps_done": self.surrogate_steps_done,
                         "pending_buffered": self._pending_buffered,
                         "online_steps_done": self.online_steps_done},
            "dropped": list(self.dropped),
            "channel_max_weights": self.channel_max_weights.clone(),
            "generator": self.generator.get_state(),
            "run": self._run,
        }

    def load_state_dict(self, state: dict) -> None:
        """Restore a :meth:`state_dict`. The integrand sizes, channel groups and the network
        shapes of the config must agree; other config fields (steps, lr, ...) are this
        integrator's. ValueError otherwise."""
        if state.get("format") != CHECKPOINT_FORMAT:
            raise ValueError(f"not a MadNIS checkpoint (format {state.get('format')!r}, "
                             f"expected {CHECKPOINT_FORMAT!r})")
        for key, mine in (("n_channels", self.n_channels), ("dim", self.dim),
                          ("features_dim", self.features_dim), ("groups", self.groups)):
            if state[key] != mine:
                raise ValueError(f"checkpoint {key} = {state[key]} does not match the "
                                 f"integrand's {mine}")
        saved = state["config"]
        for key in _ARCHITECTURE:
            if saved[key] != getattr(self.config, key):
                raise ValueError(f"checkpoint madnis_{key} = {saved[key]!r} differs from this "
                                 f"configuration's {getattr(self.config, key)!r}")
        self._set_vegas_grids(state["density"]["vegas.grids"])
        self.density.load_state_dict(state["density"])
        self.channel_weights.load_state_dict(state["channel_weights"])
        if self.surrogate is not None and state["surrogate"] is not None:
            self.surrogate.load_state_dict(state["surrogate"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.buffer is not None and state["buffer"] is not None:
            self.buffer.load_state_dict(state["buffer"])
        hist = state["history"]
        self._hist_means = hist["means"].clone()
        self._hist_prior_means = hist["prior_means"].clone()
        self._hist_vars = hist["vars"].clone()
        self._hist_counts = hist["counts"].clone()
        self._hist_next = int(hist["next"])
        self.active = state["active"].clone()
        cnt = state["counters"]
        self.step = int(cnt["step"])
        self.n_calls = int(cnt["n_calls"])
        self.n_nonfinite = int(cnt["n_nonfinite"])
        self.vegas_done = bool(cnt["vegas_done"])
        self.surrogate_steps_done = int(cnt["surrogate_steps_done"])
        self._pending_buffered = int(cnt["pending_buffered"])
        self.online_steps_done = int(cnt["online_steps_done"])
        self.dropped = [int(c) for c in state["dropped"]]
        if "channel_max_weights" in state:
            self.channel_max_weights = state["channel_max_weights"].clone()
        self.generator.set_state(state["generator"])
        self._run = state.get("run")

    def save(self, path: str | os.PathLike) -> None:
        """Write a checkpoint (written to a temporary file, then renamed: never half-written)."""
        path = os.fspath(path)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".madnis-", suffix=".tmp", dir=folder)
        os.close(fd)
        try:
            torch.save(self.state_dict(), tmp)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def load(self, path: str | os.PathLike) -> None:
        """Restore a checkpoint written by :meth:`save` into this integrator."""
        try:
            state = torch.load(os.fspath(path), map_location="cpu", weights_only=True)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"MadNIS checkpoint {os.fspath(path)!r} does not exist") from None
        self.load_state_dict(state)

    @classmethod
    def from_checkpoint(cls, integrand: MultiChannelIntegrand, path: str | os.PathLike,
                        **config_changes) -> "MadnisIntegrator":
        """A new integrator with the checkpoint's configuration (optionally changed, e.g.
        ``train_steps``) and state."""
        state = torch.load(os.fspath(path), map_location="cpu", weights_only=True)
        config = MadnisConfig(**state["config"]).replace(**config_changes)
        integrator = cls(integrand, config)
        integrator.load_state_dict(state)
        return integrator
