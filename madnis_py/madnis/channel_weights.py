"""Learned channel weights: a network that corrects the prior (MadNIS, arXiv:2212.06172).

``alpha_i(x) = softmax_i( log prior_i(x) + c_i(x) )`` over the active channels (dropped channels get
``alpha_i = 0`` and their share goes to the others, see :mod:`.integrator`), with the correction
``c_i = B tanh(NN_i(features(x)) / B)`` bounded by ``B`` (``bound``; unbounded ``c_i = NN_i`` when 0). The
network's last layer starts at zero, so training starts from the prior ``alpha_i = |M_i|^2 / sum_j |M_j|^2``.
The weights sum to 1 at every point for any network output, which keeps the multi-channel estimate unbiased
during and after training.

The blind spot, and the cure: a channel's variance term estimated on its own points only (the usual
stratified loss) hardly sees what moving weight from channel i to channel j costs where j rarely samples, so
unbounded training drifted into heavy tails. The cross-channel loss (``madnis_cross_channels``;
:func:`.losses.mixture_variance_loss`) estimates each channel's variance also on the points its neighbours draw.
Measured with bench/bench_madnis.py (efficiency with the maximum weights chosen together, judged on 1M events,
2M for g g > t t~ g; VEGAS 0.027, 0.024 and 0.0035): p p > t t~ j, 1M calls: 0.137 unbounded with 3 candidates,
0.131 with B = 1.5, 0.103 unbounded without the loss, 0.079 with B = 0.5 (the first default), 0.052 with B = 1;
2M calls unbounded without the loss collapsed to 0.013 (a channel whose prior contribution is 0.14 pb took
29 pb where it samples rarely). g g > t t~ g, 300k calls: 0.152 unbounded with 3 candidates, 0.124 with
B = 1.5, 0.086 without the loss, 0.046 with B = 0.5. With many channels the unbounded network still moved weight
into channels of tiny prior (g g > t t~ g g, 300k calls: 0.0036 unbounded, 0.0079 with B = 1.5, both with 3
candidates; 0.027 with B = 1.5 and 10 candidates), hence the defaults B = 1.5 and one candidate per 10 channels
(:func:`.integrator.candidates_per_point`). Before the loss, freezing the weights after half of the training,
replaying the buffer's large weights more often and capping each channel's learned contribution at 5 times its
prior one were tried and did not help.
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
