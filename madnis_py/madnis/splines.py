"""Rational-quadratic splines on the unit interval (Durkan et al., arXiv:1906.04032).

A monotone spline with ``K`` bins maps [0, 1] onto [0, 1]; it is fixed by the bin widths, the
bin heights (each positive, summing to 1) and the derivatives at the ``K + 1`` knots (positive).
:func:`spline_parameters` turns unconstrained network outputs into these; an all-zero network
output gives equal bins and unit derivatives, i.e. the identity map, which is how the flows start.
:func:`rational_quadratic_spline` evaluates the map or its inverse, element-wise over any batch
shape, and returns ``(y, log_det)`` together, ``log_det = log |dy/dx|`` per element.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor
from torch.nn import functional as F

__all__ = ["spline_parameters", "rational_quadratic_spline", "n_spline_parameters"]


def n_spline_parameters(n_bins: int) -> int:
    """Number of unconstrained parameters per transformed dimension: K widths, K heights,
    K + 1 knot derivatives."""
    return 3 * n_bins + 1


def spline_parameters(raw: Tensor, n_bins: int, min_bin: float = 1e-3,
                      min_derivative: float = 1e-3) -> tuple[Tensor, Tensor, Tensor]:
    """Unconstrained ``raw`` (..., 3K+1) -> widths (..., K), heights (..., K) and
    derivatives (..., K+1).

    Widths and heights are ``min_bin + (1 - K min_bin) softmax(raw)``; derivatives are
    ``min_derivative + softplus(raw + c)`` with ``c`` chosen so that ``raw = 0`` gives 1.
    """
    if raw.shape[-1] != n_spline_parameters(n_bins):
        raise ValueError(f"spline parameters: last dimension {raw.shape[-1]} != 3*{n_bins}+1")
    if not 0.0 < min_bin * n_bins < 1.0:
        raise ValueError(f"min_bin={min_bin} too large for {n_bins} bins")
    if not 0.0 < min_derivative < 1.0:
        raise ValueError(f"min_derivative={min_derivative} must be in (0, 1)")
    # split, not slices: the gradient of split is one concatenation, that of each slice a zero-filled copy of raw
    rw, rh, rd = torch.split(raw, (n_bins, n_bins, n_bins + 1), dim=-1)
    scale = 1.0 - n_bins * min_bin
    widths = min_bin + scale * torch.softmax(rw, dim=-1)
    heights = min_bin + scale * torch.softmax(rh, dim=-1)
    shift = math.log(math.expm1(1.0 - min_derivative))
    derivatives = min_derivative + F.softplus(rd + shift)
    return widths, heights, derivatives


def _knots(sizes: Tensor) -> Tensor:
    """Cumulative knot positions (..., K+1) from bin sizes (..., K); first 0, last exactly 1."""
    knots = F.pad(torch.cumsum(sizes, dim=-1), (1, 0), value=0.0)
    knots[..., -1] = 1.0
    return knots


def rational_quadratic_spline(x: Tensor, widths: Tensor, heights: Tensor, derivatives: Tensor,
                              inverse: bool = False) -> tuple[Tensor, Tensor]:
    """Monotone rational-quadratic spline on [0, 1], applied element-wise.

    Args:
        x: shape S, values in [0, 1] (clamped).
        widths, heights: shape (*S, K), positive, summing to 1 along the last axis.
        derivatives: shape (*S, K+1), positive.
        inverse: evaluate the inverse map instead.

    Returns:
        ``(y, log_det)``, both of shape S: the image and ``log |dy/dx|`` of the map that was
        applied (for ``inverse=True`` that is the inverse's log-Jacobian, i.e. minus the forward
        one at the image point).
    """
    n_bins = widths.shape[-1]
    x = x.clamp(0.0, 1.0)
    xk = _knots(widths)
    yk = _knots(heights)
    search = yk if inverse else xk
    inner = search[..., 1:-1].contiguous()
    idx = torch.searchsorted(inner, x.unsqueeze(-1).contiguous(), right=True).clamp(0, n_bins - 1)

    def take(t: Tensor) -> Tensor:
        return torch.gather(t, -1, idx).squeeze(-1)

    x_lo, w = take(xk), take(widths)
    y_lo, h = take(yk), take(heights)
    d_lo = take(derivatives)
    d_hi = torch.gather(derivatives, -1, idx + 1).squeeze(-1)
    s = h / w
    d_sum = d_lo + d_hi - 2.0 * s

    if inverse:
        dy = x - y_lo
        a = h * (s - d_lo) + dy * d_sum
        b = h * d_lo - dy * d_sum
        c = -s * dy
        disc = (b * b - 4.0 * a * c).clamp_min(0.0)
        xi = (2.0 * c) / (-b - torch.sqrt(disc))
        xi = torch.nan_to_num(xi, nan=0.0).clamp(0.0, 1.0)
        out = x_lo + xi * w
    else:
        xi = ((x - x_lo) / w).clamp(0.0, 1.0)
        xi1 = xi * (1.0 - xi)
        out = y_lo + h * (s * xi * xi + d_lo * xi1) / (s + d_sum * xi1)

    xi1 = xi * (1.0 - xi)
    denom = s + d_sum * xi1
    numer = s * s * (d_hi * xi * xi + 2.0 * s * xi1 + d_lo * (1.0 - xi) ** 2)
    log_deriv = torch.log(numer) - 2.0 * torch.log(denom)
    if inverse:
        return out.clamp(0.0, 1.0), -log_deriv
    return out.clamp(0.0, 1.0), log_deriv
