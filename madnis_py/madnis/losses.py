"""Multi-channel losses for training the flows and channel weights (arXiv:2212.06172, 2311.01548).

All losses take, per event of a batch:

* ``f_alpha``: ``alpha_i(x) f_i(r)`` (differentiable in the channel-weight network), pb;
* ``log_q_test``: ``log q_i(r)`` of the current flow (differentiable in the flow);
* ``log_q_sample``: the log density the point was *drawn* from (no gradient). For fresh samples it
  equals ``log_q_test``; for buffered samples it is the density at the time they were drawn, and
  the ratio ``q_test / q_sample`` is the importance correction that keeps the loss an unbiased
  estimate of its value under the current density;
* ``channels``: int64 channel of each event.

The losses are built from per-channel terms, so a channel's term does not depend on how many
events of the batch it received (stratification); :func:`mixture_variance_loss` takes rows of points in
several channels' coordinates instead (the cross-channel loss, see :func:`mixture_moments`). They compute in
float64 whatever the networks' type: in float32 ``exp(-log q)`` overflows beyond ``log q < -88``, which VEGAS
grids in a dozen dimensions reach (g g > w+ d u~ g g), and ``0 * inf`` at a point outside the cuts would poison
the loss with NaN.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

__all__ = ["importance_weight", "channel_moments", "stratified_variance_loss", "mixture_moments",
           "mixture_variance_loss", "kl_divergence_loss", "LOSSES", "MultiChannelLoss"]

MultiChannelLoss = Callable[[Tensor, Tensor, Tensor, Tensor, int], Tensor]


def importance_weight(f: Tensor, log_q: Tensor) -> Tensor:
    """``f / q`` in float64 from ``f`` (n,) and ``log q`` (n,) of any floating type (differentiable)."""
    return f.double() * torch.exp(-log_q.double())


def channel_moments(w: Tensor, channels: Tensor, n_channels: int) -> tuple[Tensor, Tensor, Tensor]:
    """Per-channel mean, variance (ddof = 1; 0 for fewer than 2 events) and count of weights w.

    Shapes: w (n,), channels (n,) -> three tensors of shape (n_channels,).
    """
    counts = torch.bincount(channels, minlength=n_channels).to(w.dtype)
    sums = torch.zeros(n_channels, dtype=w.dtype, device=w.device).index_add_(0, channels, w)
    means = sums / counts.clamp_min(1.0)
    dev2 = (w - means[channels]) ** 2
    ss = torch.zeros_like(sums).index_add_(0, channels, dev2)
    variances = torch.where(counts > 1, ss / (counts - 1.0).clamp_min(1.0), torch.zeros_like(ss))
    return means, variances, counts


def _per_channel_mean(v: Tensor, channels: Tensor, counts: Tensor) -> Tensor:
    sums = torch.zeros(counts.shape[0], dtype=v.dtype, device=v.device).index_add(0, channels, v)
    return sums / counts.clamp_min(1.0)


def _relative_stratified_variance(integrals: Tensor, variances: Tensor, f_alpha: Tensor,
                                  log_q_test: Tensor) -> Tensor:
    """``(sum_i sqrt(V_i))^2 / (sum_i |I_i|)^2`` of the channels present, the integral detached; a zero that keeps
    the graph of ``f_alpha`` and ``log_q_test`` when the integral is 0 or not finite."""
    norm = integrals.detach().abs().sum()
    if not torch.isfinite(norm) or norm <= 0:
        return (f_alpha * 0.0).sum() + (log_q_test * 0.0).sum()
    eps = 1e-12 * norm ** 2
    return (torch.sqrt(variances + eps).sum() / norm) ** 2


def stratified_variance_loss(f_alpha: Tensor, log_q_test: Tensor, log_q_sample: Tensor,
                             channels: Tensor, n_channels: int) -> Tensor:
    """Relative variance of the optimally stratified multi-channel estimate (arXiv:2311.01548).

    Per channel, with ``w = f_alpha / q_test`` and ``rho = q_test / q_sample``:
    ``V_i = < (w - I_i)^2 rho >_i``, ``I_i = < f_alpha / q_sample >_i``. The loss is
    ``(sum_i sqrt(V_i))^2 / (sum_i |I_i|)^2``: the variance of the integral when channel ``i``
    gets a share of events proportional to ``sqrt(V_i)``, relative to the (detached) integral.
    Gradients reach the flow through ``q_test`` and the channel weights through ``f_alpha``.
    """
    f_alpha, log_q_test, log_q_sample = f_alpha.double(), log_q_test.double(), log_q_sample.double()
    counts = torch.bincount(channels, minlength=n_channels).to(f_alpha.dtype)
    present = counts > 0
    rho = torch.exp(log_q_test - log_q_sample)
    w_sample = importance_weight(f_alpha, log_q_sample)
    integrals = _per_channel_mean(w_sample, channels, counts)
    w_test = importance_weight(f_alpha, log_q_test)
    dev2 = (w_test - integrals[channels]) ** 2 * rho
    variances = _per_channel_mean(dev2, channels, counts)
    return _relative_stratified_variance(integrals[present], variances[present], f_alpha, log_q_test)


def mixture_moments(f_alpha: Tensor, log_q_test: Tensor, log_q_sample: Tensor, channels: Tensor, n_channels: int,
                    n_points: int) -> tuple[Tensor, Tensor]:
    """Every channel's integral ``I_j`` and variance ``V_j = int (alpha_j f_j - I_j q_j)^2 / q_j`` estimated on the
    points of all channels (multiple importance sampling), each float64 (n_channels,).

    Each of the ``n_points`` points ``x`` of a batch comes with rows for its own channel and for candidate
    channels ``j`` (those with large weights there); a row holds, in channel ``j``'s coordinates ``r_j(x)``,
    ``f_alpha = alpha_j(x) f_j(r_j)``, ``log_q_test = log q_j(r_j)`` (current density) and ``log_q_sample``,
    the log density of the batch's mixture of channels, ``sum_k (n_k / n_points) q_k``, at that point in
    channel ``j``'s coordinates. With ``w = f_alpha / q_test``: ``I_j = sum_rows f_alpha / q_sample / n_points``
    and ``V_j = sum_rows (w - I_j)^2 q_test / q_sample / n_points``, unbiased (up to O(1/n) for ``V_j``) when the
    candidates include every channel that samples the point. With only the own channel's rows
    (``q_sample = (n_i / n_points) q_i``) they are :func:`stratified_variance_loss`'s per-channel estimates.
    Subtracting ``I_j`` row by row keeps ``V_j``'s noise small for a well-trained channel (``M_j - I_j^2`` would
    carry the noise of the rows' summed importance ratios).
    Shapes: every tensor (rows,); ``channels`` int64 (rows,).
    """
    f_alpha, log_q_test, log_q_sample = f_alpha.double(), log_q_test.double(), log_q_sample.double()
    sums = lambda v: torch.zeros(n_channels, dtype=v.dtype, device=v.device).index_add(0, channels, v) / n_points
    integrals = sums(importance_weight(f_alpha, log_q_sample))
    w_test = importance_weight(f_alpha, log_q_test)
    variances = sums((w_test - integrals[channels]) ** 2 * torch.exp(log_q_test - log_q_sample))
    return integrals, variances


def mixture_variance_loss(f_alpha: Tensor, log_q_test: Tensor, log_q_sample: Tensor,
                          channels: Tensor, n_channels: int, n_points: int) -> Tensor:
    """The loss of :func:`stratified_variance_loss` with every channel's integral and variance from
    :func:`mixture_moments` (same arguments): estimated on the points of all channels, not only on its own.

    Why: a channel's own points rarely land where its density is small, so its own estimate hardly sees the
    variance that a large ``alpha_j`` costs there, and trained channel weights drift into heavy tails
    (:mod:`.channel_weights`); the other channels' points show it at every step.
    """
    integrals, variances = mixture_moments(f_alpha, log_q_test, log_q_sample, channels, n_channels, n_points)
    present = torch.bincount(channels, minlength=n_channels) > 0
    return _relative_stratified_variance(integrals[present], variances[present], f_alpha, log_q_test)


def kl_divergence_loss(f_alpha: Tensor, log_q_test: Tensor, log_q_sample: Tensor,
                       channels: Tensor, n_channels: int) -> Tensor:
    """Kullback-Leibler divergence ``KL(p_i || q_i)`` of each channel's target density
    ``p_i = |alpha_i f_i| / I_i`` from its flow, summed with the channels' shares ``I_i / I``
    (detached): the KL divergence of the joint (channel, point) distributions up to a term
    without flow parameters. Importance corrected by ``p_i / q_sample``; ``p_i`` carries the
    channel-weight gradient, so the weights are trained towards ``alpha_i f ~ q_i`` as well.
    """
    f_alpha, log_q_test, log_q_sample = f_alpha.double(), log_q_test.double(), log_q_sample.double()
    counts = torch.bincount(channels, minlength=n_channels).to(f_alpha.dtype)
    present = counts > 0
    fa = f_alpha.abs()
    w_sample = importance_weight(fa, log_q_sample)
    integrals = _per_channel_mean(w_sample, channels, counts)
    norm = integrals.detach()[present].sum()
    if not torch.isfinite(norm) or norm <= 0:
        return (f_alpha * 0.0).sum() + (log_q_test * 0.0).sum()
    tiny = torch.finfo(fa.dtype).tiny
    i_ev = integrals[channels].clamp_min(tiny)
    p = fa / i_ev
    # E_{q_sample}[ p / q_sample * (log p - log q_test) ], with 0 log 0 = 0
    pos = fa > 0
    log_p = torch.log(torch.where(pos, p, torch.ones_like(p)))  # no NaN gradient where p = 0
    term = (torch.where(pos, p * log_p, torch.zeros_like(p)) - p * log_q_test) \
        * torch.exp(-log_q_sample)
    kl = _per_channel_mean(term, channels, counts)
    shares = integrals.detach() / norm
    return (shares[present] * kl[present]).sum()


#: Loss functions by run_card name (``madnis_loss``).
LOSSES: dict[str, MultiChannelLoss] = {
    "variance": stratified_variance_loss,
    "kl": kl_divergence_loss,
}
