"""A fast regression of the integrand, and two-stage unweighting with it (arXiv:2109.11964).

:class:`Surrogate` is a small MLP that predicts, from the channel-independent features of a
phase-space point, ``log F(x)`` (the differential cross section without the channel Jacobian:
PDFs x |M|^2 x flux, pb) and the prior channel weights. With the integrand's cheap mapping
(:class:`.integrand.MappedPoints`: features, log-Jacobian, cuts) it gives
``f_hat_i(r) = exp(s(x)) |dx_i/dr|`` inside the cuts and 0 outside, without a matrix-element
call. It is fitted to the training buffer and used for the first training steps.

:func:`two_stage_unweight` unweights events with the surrogate weight first and evaluates the
true weight only for the survivors; the ratio true/surrogate is unweighted in a second stage.
Overweights of either stage are kept with weight ``max(1, w/w_max)``, so the product of the
acceptance probability and the event weight is ``w / (s_max x_max)`` for every proposal: the
result is exact for any surrogate that is positive wherever the true weight is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor, nn

from .buffer import SampleBatch
from .integrand import MappedPoints
from .nets import StackedMLP

__all__ = ["Surrogate", "TwoStageResult", "robust_max", "two_stage_unweight"]


class Surrogate(nn.Module):
    """Regression of ``log F`` and the prior channel weights on the features.

    Args:
        features_dim: features per event (>= 1).
        n_channels: number of channels.
        hidden, n_layers: MLP shape.
    """

    def __init__(self, features_dim: int, n_channels: int, hidden: int = 32, n_layers: int = 2):
        super().__init__()
        if features_dim < 1:
            raise ValueError("the surrogate needs features (features_dim >= 1)")
        self.n_channels = n_channels
        self.net = StackedMLP(1, features_dim, 1 + n_channels, hidden, n_layers, zero_last=False)
        self.register_buffer("x_mean", torch.zeros(features_dim))
        self.register_buffer("x_std", torch.ones(features_dim))
        self.register_buffer("y_mean", torch.zeros(()))
        self.register_buffer("y_std", torch.ones(()))
        self.register_buffer("s_lo", torch.full((), -10.0))
        self.register_buffer("s_hi", torch.full((), 10.0))
        self.register_buffer("fitted", torch.zeros((), dtype=torch.bool))

    def _raw(self, features: Tensor, clamp: bool = True) -> tuple[Tensor, Tensor]:
        out = self.net.forward_flat((features - self.x_mean) / self.x_std)
        s = out[:, 0]
        if clamp:  # no extrapolation beyond the range of the fit sample (+- 1 standard deviation)
            s = torch.minimum(torch.maximum(s, self.s_lo), self.s_hi)
        return s, out[:, 1:]

    def log_f(self, features: Tensor) -> Tensor:
        """Predicted ``log F(x)`` (pb), shape (n,)."""
        s, _ = self._raw(features)
        return s * self.y_std + self.y_mean

    def predict(self, mapped: MappedPoints) -> tuple[Tensor, Tensor]:
        """``(f_hat, prior_hat)``: f_hat (n,) pb (0 outside the cuts), prior_hat (n, n_channels)."""
        s, logits = self._raw(mapped.features)
        log_f = s * self.y_std + self.y_mean + mapped.log_jacobian
        f_hat = torch.where(mapped.passes_cuts, torch.exp(log_f), torch.zeros_like(log_f))
        return f_hat, torch.softmax(logits, dim=-1)

    def fit(self, batch: SampleBatch, steps: int, lr: float = 1e-2, batch_size: int = 1024,
            generator: torch.Generator | None = None) -> float:
        """Fit to evaluated events (those with f > 0 and a log-Jacobian).

        Loss: squared error of the standardised ``log F`` plus the cross entropy of the prior,
        per event weighted with its importance ``f / q`` (floored at 5 % of the mean). Returns
        the final loss on the fit sample.
        """
        if batch.log_jacobian is None:
            raise ValueError("the surrogate needs IntegrandOutput.log_jacobian from the integrand")
        keep = batch.f > 0
        if int(keep.sum()) < 2:
            raise ValueError("the surrogate needs at least two events with f > 0")
        x = batch.features[keep]
        y = torch.log(batch.f[keep]) - batch.log_jacobian[keep]
        prior = batch.prior[keep]
        # events count by their weight f/q (floored at 5 % of the mean): the surrogate must be
        # good where the events that matter for unweighting are, not in the far tails
        imp = batch.f[keep] * torch.exp(-batch.log_q[keep])
        imp = (imp / imp.mean()).clamp_min(0.05)
        imp = imp / imp.mean()
        with torch.no_grad():
            self.x_mean.copy_(x.mean(0))
            self.x_std.copy_(x.std(0).clamp_min(1e-6))
            self.y_mean.copy_(y.mean())
            self.y_std.copy_(y.std().clamp_min(1e-6))
        ys = (y - self.y_mean) / self.y_std
        with torch.no_grad():
            self.s_lo.copy_(ys.min() - 1.0)
            self.s_hi.copy_(ys.max() + 1.0)
        opt = torch.optim.Adam(self.net.parameters(), lr=lr, fused=True)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, max(1, steps))
        n = x.shape[0]
        for _ in range(steps):
            idx = torch.randint(0, n, (min(batch_size, n),), generator=generator)
            s, logits = self._raw(x[idx], clamp=False)
            per_event = (s - ys[idx]) ** 2 \
                - (prior[idx] * torch.log_softmax(logits, -1)).sum(-1)
            loss = (imp[idx] * per_event).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        with torch.no_grad():
            s, logits = self._raw(x, clamp=False)
            final = (imp * ((s - ys) ** 2
                            - (prior * torch.log_softmax(logits, -1)).sum(-1))).mean()
            self.fitted.fill_(True)
        return float(final)


def robust_max(w: Tensor, overweight_fraction: float = 1e-3) -> float:
    """The smallest reference weight ``w_ref`` such that the weight above it,
    ``sum(max(0, w - w_ref))``, is at most ``overweight_fraction`` of ``sum(w)`` (w >= 0, (n,)).

    Unweighting against ``w_ref`` instead of ``max(w)`` raises the efficiency; the few events
    above it are kept with weight ``w / w_ref`` (overweights), so the result stays exact.
    ``overweight_fraction = 0`` gives ``max(w)``.
    """
    if w.numel() == 0:
        return 0.0
    ws = torch.sort(w.flatten(), descending=True).values
    total = float(ws.sum())
    if total <= 0 or overweight_fraction <= 0:
        return float(ws[0])
    k = torch.arange(1, ws.numel() + 1, dtype=ws.dtype)
    excess = torch.cumsum(ws, 0) - k * ws  # weight above ws[k-1]
    ok = torch.nonzero(excess <= overweight_fraction * total).flatten()
    return float(ws[int(ok.max())])


@dataclass(frozen=True)
class TwoStageResult:
    """Unweighted events from :func:`two_stage_unweight`.

    Attributes:
        index: int64 (k,), the accepted proposals.
        event_weight: (k,) 1, or > 1 for overweights of either stage (``max(1, w_s/s_max) *
            max(1, x/x_max)``).
        unit_weight: pb: the weight of an event with ``event_weight = 1`` such that
            ``unit_weight * event_weight.sum()`` estimates the sum of the true weights divided
            by the number of proposals (the cross section for i.i.d. proposals).
        n_proposed, n_true_calls: proposals and true-weight evaluations (stage-1 survivors).
        n_calls_saved: ``n_proposed - n_true_calls``.
        s_max, x_max: the stage-1 and stage-2 reference maxima.
        efficiency_1, efficiency_2: acceptance rates of the two stages.
    """

    index: Tensor
    event_weight: Tensor
    unit_weight: float
    n_proposed: int
    n_true_calls: int
    n_calls_saved: int
    s_max: float
    x_max: float
    efficiency_1: float
    efficiency_2: float


def two_stage_unweight(w_surrogate: Tensor, true_weight: Callable[[Tensor], Tensor], *,
                       generator: torch.Generator | None = None, s_max: float | None = None,
                       x_max: float | None = None,
                       overweight_fraction: float = 1e-3) -> TwoStageResult:
    """Two-stage unweighting (arXiv:2109.11964).

    Args:
        w_surrogate: (n,) surrogate weights (> 0 wherever the true weight is not 0; 0 elsewhere).
        true_weight: given int64 indices of proposals, returns their true weights (the only
            expensive call).
        generator: random numbers for the accept/reject decisions.
        s_max, x_max: reference maxima; None takes :func:`robust_max` of the sample at hand
            (of the surrogate weights, then of the ratios of the stage-1 survivors).
        overweight_fraction: passed to :func:`robust_max`.

    Returns:
        :class:`TwoStageResult`. Events need ``x = w / w_s`` only where ``w_s > 0``.
    """
    if w_surrogate.dim() != 1:
        raise ValueError("w_surrogate must have shape (n,)")
    if torch.any(w_surrogate < 0):
        raise ValueError("two-stage unweighting needs non-negative surrogate weights")
    n = w_surrogate.shape[0]
    s_ref = robust_max(w_surrogate, overweight_fraction) if s_max is None else float(s_max)
    if not s_ref > 0:
        raise ValueError("all surrogate weights are zero")
    u1 = torch.rand(n, generator=generator, dtype=w_surrogate.dtype)
    acc1 = u1 * s_ref < w_surrogate
    idx1 = torch.nonzero(acc1).flatten()
    ws = w_surrogate[idx1]
    wt = true_weight(idx1)
    if wt.shape != ws.shape:
        raise ValueError(f"true_weight returned shape {tuple(wt.shape)}, "
                         f"expected {tuple(ws.shape)}")
    if torch.any(wt < 0):
        raise ValueError("two-stage unweighting needs non-negative true weights")
    ratio = wt / ws
    if x_max is None:
        x_ref = robust_max(ratio, overweight_fraction) if ratio.numel() else 1.0
    else:
        x_ref = float(x_max)
    if not x_ref > 0:
        x_ref = 1.0
    u2 = torch.rand(idx1.shape[0], generator=generator, dtype=ratio.dtype)
    acc2 = u2 * x_ref < ratio
    index = idx1[acc2]
    ew = (ws[acc2] / s_ref).clamp_min(1.0) * (ratio[acc2] / x_ref).clamp_min(1.0)
    return TwoStageResult(
        index=index, event_weight=ew, unit_weight=s_ref * x_ref / max(n, 1), n_proposed=n,
        n_true_calls=int(idx1.shape[0]), n_calls_saved=n - int(idx1.shape[0]),
        s_max=s_ref, x_max=x_ref, efficiency_1=idx1.shape[0] / max(n, 1),
        efficiency_2=index.shape[0] / max(idx1.shape[0], 1))
