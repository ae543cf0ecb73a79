"""Unweighting: turn weighted events into (almost) unit-weight events, as MadGraph does.

Given event weights ``w_i`` (pb) from an importance-sampled integration, each event is
accepted with probability ``min(1, w_i / w_max)`` and then carries the weight
``max(w_i, w_max)``:

* an event with ``w_i <= w_max`` is kept with probability ``w_i / w_max`` and weight ``w_max``;
* an *overweight* event (``w_i > w_max``) is always kept, with its own weight ``w_i``.

This is the treatment of MadGraph's ``lhe_parser.EventFile.unweight`` (``event.wgt =
max(wgt, max_wgt)``). It is unbiased: the expected sum of the accepted weights equals
``sum_i w_i``, so ``sum(event_weights) / n_input`` estimates the cross section (pb) exactly as
the weighted mean ``mean(w)`` does. No weight is truncated.

The maximum weight is chosen robustly, not as ``max(w)`` (which a single outlier would make
huge and the efficiency tiny): the events with ``w_i > w_max`` together carry at most
``max_overweight_fraction`` of the total cross section ``sum_i w_i``, and ``w_max`` is the
smallest weight of the sample with this property. (MadGraph bounds the *excess*
``sum (w_i - w_max)`` instead; bounding the full weight of the overweight events is stricter.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

__all__ = ["UnweightResult", "select_exact", "unweight", "choose_w_max", "choose_joint_w_max"]


@dataclass(frozen=True)
class UnweightResult:
    """The outcome of :func:`unweight` (or of :func:`select_exact` applied to one).

    Attributes
    ----------
    indices:
        int64, shape (n_accepted,), ascending: positions of the accepted events in the input
        weight array.
    event_weights:
        float64, shape (n_accepted,), pb: the weight each accepted event carries,
        ``max(w_i, w_max)``: ``w_max`` for ordinary events, ``w_i`` for overweight ones.
    w_max:
        The maximum weight used, pb.
    efficiency:
        ``mean(w) / w_max`` over the input sample: the expected fraction of events accepted,
        up to the small excess of the overweight events.
    n_overweight:
        Number of accepted events with ``w_i > w_max`` (all of them are accepted).
    overweight_fraction:
        ``sum(w_i for w_i > w_max) / sum(w_i)`` over the input sample: the fraction of the
        cross section carried by the overweight events, at most ``max_overweight_fraction``.
    n_input:
        Number of weighted events that were unweighted.
    selected_fraction:
        Fraction of the accepted events retained by :func:`select_exact` (1 for a plain
        :func:`unweight` result).
    """

    indices: np.ndarray
    event_weights: np.ndarray
    w_max: float
    efficiency: float
    n_overweight: int
    overweight_fraction: float
    n_input: int
    selected_fraction: float = 1.0

    @property
    def n_accepted(self) -> int:
        """Number of accepted events."""
        return int(self.indices.shape[0])

    @property
    def relative_weights(self) -> np.ndarray:
        """float64, shape (n_accepted,): ``event_weights / w_max`` (1 except for overweights)."""
        return self.event_weights / self.w_max

    @property
    def xsec_estimate_pb(self) -> float:
        """Cross-section estimate of the unweighted sample, pb:
        ``sum(event_weights) / (n_input * selected_fraction)``; unbiased for ``mean(w)``."""
        return float(self.event_weights.sum() / (self.n_input * self.selected_fraction))


def _check_weights(weights: np.ndarray) -> np.ndarray:
    w = np.asarray(weights)
    if w.ndim != 1:
        raise ValueError(f"weights must be a 1-d array of shape (n_events,), got shape {w.shape}")
    if w.size == 0:
        raise ValueError("weights is empty: there are no events to unweight")
    if not np.issubdtype(w.dtype, np.floating) and not np.issubdtype(w.dtype, np.integer):
        raise TypeError(f"weights must be a real numeric array, got dtype {w.dtype}")
    w = w.astype(np.float64, copy=False)
    n_bad = int(np.count_nonzero(~np.isfinite(w)))
    if n_bad:
        raise ValueError(
            f"{n_bad} of {w.size} weights are NaN or infinite; remove or count these events "
            "before unweighting"
        )
    n_neg = int(np.count_nonzero(w < 0.0))
    if n_neg:
        raise ValueError(
            f"{n_neg} of {w.size} weights are negative; leading-order weights must be >= 0 "
            "(negative weights would need signed unweighting, which is not implemented)"
        )
    if not np.any(w > 0.0):
        raise ValueError(
            f"all {w.size} weights are zero: the cross section is zero, nothing to unweight"
        )
    return w


def choose_w_max(weights: np.ndarray, max_overweight_fraction: float = 1e-3) -> float:
    """Smallest sample weight ``w_max`` such that the events above it carry at most
    ``max_overweight_fraction`` of ``sum(weights)``.

    Parameters
    ----------
    weights:
        float64, shape (n_events,), pb, all >= 0 and not all zero.
    max_overweight_fraction:
        In [0, 1). 0 gives ``w_max = max(weights)``.

    Returns
    -------
    w_max in pb (one of the input weights, > 0).
    """
    return _w_max(_check_weights(weights), max_overweight_fraction)


def _w_max(w: np.ndarray, max_overweight_fraction: float) -> float:
    """:func:`choose_w_max` on weights already checked by :func:`_check_weights`."""
    f = float(max_overweight_fraction)
    if not 0.0 <= f < 1.0:
        raise ValueError(
            f"max_overweight_fraction must be in [0, 1), got {max_overweight_fraction!r}"
        )
    desc = np.sort(w)[::-1]
    total = desc.sum()
    # cum[k] = weight carried by the k+1 largest events. Allowing the k largest to lie above
    # w_max costs cum[k-1]; k = number of leading events whose cumulative weight fits in f*total.
    cum = np.cumsum(desc)
    k = int(np.searchsorted(cum, f * total, side="right"))
    # k < n because cum[-1] == total > f * total. Events tied with desc[k] are not above w_max,
    # so the bound holds with ties too.
    return float(desc[k])


def choose_joint_w_max(samples: Sequence[np.ndarray], multiplicities: Sequence[float] | None = None,
                       max_overweight_fraction: float = 1e-3) -> np.ndarray:
    """Maximum weights of several channels whose events form one sample (each channel unweighted against its own
    w_max, as MadEvent does), chosen together.

    Channel c contributes ``m_c mean(samples[c])`` to the cross section (``m_c``: its multiplicity, e.g. the size
    of its symmetry class) and needs ``m_c w_max,c`` points per unit of luminosity. The w_max,c minimise the total
    ``sum_c m_c w_max,c`` under the bound of :func:`choose_w_max` taken over the whole sample: the events above
    their channel's w_max carry at most ``max_overweight_fraction`` of ``sum_c m_c mean(samples[c])``. A channel
    with a heavy tail thus gets more of the allowance than one with a light tail, where one bound per channel
    would treat them alike. Each w_max,c is one of its sample's weights, at most its largest.

    Parameters
    ----------
    samples: float64 arrays (n_c,), pb, >= 0: each channel's weights (``mean`` estimates its cross section).
    multiplicities: (n_channels,) > 0, or None for ones.
    max_overweight_fraction: in [0, 1).

    Returns
    -------
    float64 (n_channels,), pb; 0 for a channel whose weights are all zero.
    """
    f = float(max_overweight_fraction)
    if not 0.0 <= f < 1.0:
        raise ValueError(f"max_overweight_fraction must be in [0, 1), got {max_overweight_fraction!r}")
    m = np.ones(len(samples)) if multiplicities is None else np.asarray(multiplicities, dtype=np.float64)
    if m.shape != (len(samples),) or not np.all(m > 0):
        raise ValueError(f"multiplicities must be {len(samples)} numbers > 0, got {multiplicities!r}")
    tops, sizes = [], []
    for w in samples:
        w = np.asarray(w, dtype=np.float64)
        tops.append(np.sort(w[w > 0])[::-1])
        sizes.append(max(w.size, 1))
    budget = f * sum(mc * t.sum() / n for mc, t, n in zip(m, tops, sizes))
    # Per channel: with its k largest weights above w_max = top[k], the overweight is o[k] = m cum[k-1] / n and the
    # cost m top[k]. The lower convex frontier of (o, cost) gives the steps worth taking, best saving per unit of
    # overweight first; all channels' steps are then taken in that order while the allowance lasts.
    steps = []
    for c, (top, n) in enumerate(zip(tops, sizes)):
        if top.size < 2:
            continue
        o = m[c] * np.concatenate(([0.0], np.cumsum(top[:-1]))) / n
        keep = int(np.searchsorted(o, budget, side="right"))
        cost = m[c] * top
        hull = [0]
        for k in range(1, keep):
            while len(hull) >= 2:
                a, b = hull[-2], hull[-1]
                if (cost[b] - cost[a]) * (o[k] - o[a]) >= (cost[k] - cost[a]) * (o[b] - o[a]):
                    hull.pop()
                else:
                    break
            hull.append(k)
        for a, b in zip(hull, hull[1:]):
            steps.append(((cost[a] - cost[b]) / (o[b] - o[a]), c, b, o[b] - o[a]))
    chosen = [0] * len(samples)
    blocked = set()
    used = 0.0
    for _, c, k, d_o in sorted(steps, key=lambda s: -s[0]):
        if c in blocked:
            continue
        if used + d_o > budget:
            blocked.add(c)  # its later steps need this one first
            continue
        used += d_o
        chosen[c] = k
    return np.array([top[k] if top.size else 0.0 for top, k in zip(tops, chosen)])


def unweight(
    weights: np.ndarray,
    rng: np.random.Generator,
    max_overweight_fraction: float = 1e-3,
    w_max: float | None = None,
) -> UnweightResult:
    """Unweight events by hit-or-miss against a robust maximum weight (MadGraph's treatment).

    Parameters
    ----------
    weights:
        float64, shape (n_events,), pb: the weight of each weighted event, normalised so that
        ``mean(weights)`` estimates the cross section. Must be finite and >= 0.
    rng:
        Source of the uniform random numbers (one per event).
    max_overweight_fraction:
        In [0, 1): the largest fraction of ``sum(weights)`` that events above ``w_max`` may
        carry (see :func:`choose_w_max`).
    w_max:
        A maximum weight fixed beforehand (pb), e.g. chosen on an earlier sample of the same
        integrand; ``max_overweight_fraction`` is then not used. Unweighting against any fixed
        ``w_max`` is unbiased.

    Returns
    -------
    :class:`UnweightResult`; ``sum(result.event_weights) / n_events`` estimates the cross
    section in pb without bias.

    Raises
    ------
    ValueError
        Naming the count of negative or non-finite weights, or for an empty or all-zero input.
    TypeError
        If ``rng`` is not a :class:`numpy.random.Generator`.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if w_max is not None and not w_max > 0:
        raise ValueError(f"w_max must be > 0, got {w_max}")
    w = np.asarray(weights, dtype=np.float64) if w_max is not None else _check_weights(weights)
    w_max = _w_max(w, max_overweight_fraction) if w_max is None else float(w_max)
    u = rng.random(w.shape[0])
    overweight = w > w_max
    accepted = overweight | (u * w_max < w)
    indices = np.flatnonzero(accepted).astype(np.int64)
    total = float(w.sum())
    return UnweightResult(
        indices=indices,
        event_weights=np.maximum(w[indices], w_max),
        w_max=w_max,
        efficiency=float(total / w.shape[0] / w_max),
        n_overweight=int(np.count_nonzero(overweight)),
        overweight_fraction=float(w[overweight].sum() / total) if total > 0 else 0.0,
        n_input=int(w.shape[0]),
        selected_fraction=1.0,
    )


def select_exact(result: UnweightResult, n_events: int, rng: np.random.Generator) -> UnweightResult:
    """Keep exactly ``n_events`` of the accepted events, chosen uniformly at random.

    Every subset of size ``n_events`` is equally likely, so the selection does not bias any
    distribution; the order of the kept events follows ``result.indices``.

    Parameters
    ----------
    result:
        The output of :func:`unweight`.
    n_events:
        Number of events wanted, 0 <= n_events <= result.n_accepted.
    rng:
        Source of randomness for the choice.

    Returns
    -------
    A new :class:`UnweightResult` with ``n_events`` accepted events; ``w_max``, ``efficiency``,
    ``overweight_fraction`` and ``n_input`` describe the original sample, ``n_overweight``
    counts the overweight events kept, and ``selected_fraction`` is multiplied by
    ``n_events / result.n_accepted``.

    Raises
    ------
    ValueError
        If fewer than ``n_events`` events were accepted (the message says roughly how many
        more weighted events to generate), or if ``n_events`` is negative.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if isinstance(n_events, bool) or int(n_events) != n_events:
        raise ValueError(f"n_events must be an integer, got {n_events!r}")
    n_events = int(n_events)
    n_acc = result.n_accepted
    if n_events < 0:
        raise ValueError(f"n_events must be >= 0, got {n_events}")
    if n_events > n_acc:
        per_event = n_acc / result.n_input if n_acc else result.efficiency
        more = int(np.ceil((n_events - n_acc) / per_event)) if per_event > 0 else -1
        hint = f"; generate about {more} more weighted events" if more > 0 else ""
        raise ValueError(
            f"requested {n_events} unweighted events but only {n_acc} were accepted from "
            f"{result.n_input} weighted events (efficiency {result.efficiency:.3g}){hint}"
        )
    if n_acc == 0:
        keep = np.zeros(0, dtype=np.int64)
    else:
        keep = np.sort(rng.choice(n_acc, size=n_events, replace=False))
    kept_weights = result.event_weights[keep]
    return UnweightResult(
        indices=result.indices[keep],
        event_weights=kept_weights,
        w_max=result.w_max,
        efficiency=result.efficiency,
        n_overweight=int(np.count_nonzero(kept_weights > result.w_max)),
        overweight_fraction=result.overweight_fraction,
        n_input=result.n_input,
        selected_fraction=result.selected_fraction * (n_events / n_acc if n_acc else 1.0),
    )
