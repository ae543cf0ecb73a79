"""Learned channel weights: a network that corrects the prior (MadNIS, arXiv:2212.06172).

``alpha_i(x) = softmax_i( log prior_i(x) + c_i(x) )`` over the active channels (dropped channels get
``alpha_i = 0`` and their share goes to the others, see :mod:`.integrator`), with the correction
``c_i = B tanh(NN_i(features(x)) / B)`` bounded by ``B`` (``bound``; unbounded ``c_i = NN_i`` when 0). The
network's last layer starts at zero, so training starts from the prior ``alpha_i = |M_i|^2 / sum_j |M_j|^2``.
The weights sum to 1 at every point for any network output, which keeps the multi-channel estimate unbiased
during and after training.

Why the bound: a channel's variance term sees only the points that channel samples. Moving weight from
channel i to channel j where j rarely samples costs variance that a batch seldom shows, so unbounded
training drifts towards such moves and the weights' tail grows. With ``|c_i| <= B``, ``alpha_i / prior_i``
stays within ``[exp(-2B), exp(2B)]``. Measured with bench/bench_madnis.py (seed 1, unweighting efficiency with
the maximum weights chosen together, judged on 1M events, 2M for g g > t t~ g; bootstrap errors 5-15%, and single
channels' tails move single runs by more): p p > t t~ j, 1M calls: 0.079 with B = 0.5, 0.052 with B = 1 (one
channel's tail), 0.097 with B = 1.5, 0.103 unbounded (VEGAS 0.027); but unbounded, 2M calls give 0.013: a channel
whose prior contribution is 0.14 pb took 29 pb where it samples rarely (B = 0.5: 0.091 at 2M calls, judged on 200k
events). Freezing the unbounded weights after half of the 2M calls did not help (0.002), nor did replaying the
buffer's large weights more often (0.084 at 1M calls) or capping each channel's learned contribution at 5 times its
prior one (0.029 at 1M calls: a large channel took 245 of its prior 65 pb with a tail). g g > t t~ g, 300k
calls: 0.086 unbounded, 0.046 with B = 0.5, 0.041 with B = 1, 0.052 with B = 2 (VEGAS 0.024).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .nets import StackedMLP

__all__ = ["ChannelWeights"]


class ChannelWeights(nn.Module):
    """Channel weights from the prior and a correction network.

    Args:
        features_dim: features per event (0: the correction is one constant per channel).
        n_channels: number of channels.
        hidden, n_layers: network shape.
        trainable: False gives the prior itself (no parameters are used).
        bound: largest ``|log correction|`` of a channel's prior (0: unbounded).
    """

    def __init__(self, features_dim: int, n_channels: int, hidden: int = 32, n_layers: int = 2,
                 trainable: bool = True, bound: float = 0.0):
        super().__init__()
        if bound < 0:
            raise ValueError(f"bound = {bound} must be >= 0")
        self.n_channels = n_channels
        self.features_dim = features_dim
        self.trainable = trainable
        self.bound = bound
        self.net = (StackedMLP(1, features_dim, n_channels, hidden, n_layers, zero_last=True)
                    if trainable else None)

    def log_alpha(self, features: Tensor, prior: Tensor, active: Tensor | None = None) -> Tensor:
        """log alpha, shape (n, n_channels); ``-inf`` for inactive channels.

        Args:
            features: (n, features_dim); prior: (n, n_channels), >= 0 (rows of zeros allowed);
            active: bool (n_channels,) or None for all channels.
        """
        return self._normalised(prior, active, features)

    def log_prior(self, prior: Tensor, active: Tensor | None = None) -> Tensor:
        """log of the prior normalised over the active channels, as :meth:`log_alpha` without the network."""
        return self._normalised(prior, active)

    def _normalised(self, prior: Tensor, active: Tensor | None, features: Tensor | None = None) -> Tensor:
        """log_softmax of log prior, corrected by the network when ``features`` are given."""
        if prior.shape[-1] != self.n_channels:
            raise ValueError(f"prior must have {self.n_channels} columns, got {prior.shape[-1]}")
        tiny = torch.finfo(prior.dtype).tiny
        logits = torch.log(prior.clamp_min(tiny))
        if features is not None and self.net is not None:
            correction = self.net.forward_flat(features)
            if self.bound > 0:
                correction = self.bound * torch.tanh(correction / self.bound)
            logits = logits + correction
        if active is not None:
            logits = logits.masked_fill(~active, float("-inf"))
        return torch.log_softmax(logits, dim=-1)

    def forward(self, features: Tensor, prior: Tensor, active: Tensor | None = None) -> Tensor:
        """alpha, shape (n, n_channels), rows summing to 1 over the active channels."""
        return self.log_alpha(features, prior, active).exp()
