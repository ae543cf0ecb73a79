"""Buffered training: keep expensive integrand evaluations and re-use them (arXiv:2311.01548).

Each stored event keeps the point ``r``, its channel, the integrand value ``f`` (pb), the log
density it was drawn from (``log_q``), the prior channel weights and the features (and the
mapping's log-Jacobian when the integrand gives it; the candidate channels of the cross-channel loss when
it is on). A later optimisation step evaluates the
*current* flow and channel-weight network on these events; the losses (:mod:`.losses`) weight
each event by ``q_now / q_then``, which keeps them unbiased although the events were drawn from an
older density. So one matrix-element call serves several optimisation steps.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch
from torch import Tensor

__all__ = ["SampleBatch", "SampleBuffer"]


@dataclass(frozen=True)
class SampleBatch:
    """A batch of evaluated events (all tensors share the first dimension n).

    Attributes:
        r: (n, dim) points of the unit cube; channel: int64 (n,); f: (n,) pb;
        log_q: (n,) log density the points were drawn from; prior: (n, n_channels);
        features: (n, features_dim); log_jacobian: (n,) or None.
        candidates: int64 (n, m) or None: the point's own channel (column 0) and other channels that could
            have drawn it (-1: none), for :func:`.losses.mixture_variance_loss`; candidate_r (n, m, dim)
            and candidate_log_jacobian (n, m): the point in their coordinates and ``log |dx/dr|`` there;
            candidate_log_q_sample (n, m): the density the point was drawn with, in each candidate's coordinates
            (the batch's mixture of channels, see :meth:`.integrator.MadnisIntegrator._with_candidates`).
    """

    r: Tensor
    channel: Tensor
    f: Tensor
    log_q: Tensor
    prior: Tensor
    features: Tensor
    log_jacobian: Tensor | None = None
    candidates: Tensor | None = None
    candidate_r: Tensor | None = None
    candidate_log_jacobian: Tensor | None = None
    candidate_log_q_sample: Tensor | None = None

    def __len__(self) -> int:
        return self.f.shape[0]

    def select(self, index: Tensor) -> "SampleBatch":
        """The events at ``index`` (int64 indices or a bool mask)."""
        return SampleBatch(*(None if t is None else t[index] for t in self._tensors()))

    def _tensors(self) -> list[Tensor | None]:
        return [getattr(self, f.name) for f in fields(self)]

    @staticmethod
    def cat(batches: "list[SampleBatch]") -> "SampleBatch":
        """Concatenate batches (an optional field is kept only if every batch has it)."""
        cols = list(zip(*(b._tensors() for b in batches)))
        return SampleBatch(*(None if any(t is None for t in c) else torch.cat(c) for c in cols))


_FIELDS = [f.name for f in fields(SampleBatch)]


class SampleBuffer:
    """Ring buffer of evaluated events with capacity ``capacity`` (oldest overwritten first)."""

    def __init__(self, capacity: int):
        if capacity < 1:
            raise ValueError(f"buffer capacity must be >= 1, got {capacity}")
        self.capacity = int(capacity)
        self._data: dict[str, Tensor] | None = None
        self._size = 0
        self._next = 0
        self.n_stored_total = 0

    def __len__(self) -> int:
        return self._size

    def store(self, batch: SampleBatch) -> None:
        """Add a batch (only its last ``capacity`` events if it is larger than the buffer)."""
        n = len(batch)
        if n == 0:
            return
        if self._data is None:
            self._data = {}
            for name in _FIELDS:
                t = getattr(batch, name)
                if t is not None:
                    self._data[name] = t.new_zeros((self.capacity, *t.shape[1:]))
        else:
            for name in _FIELDS:
                if (getattr(batch, name) is None) != (name not in self._data):
                    raise ValueError(f"buffer: all batches must agree on having {name}")
        self.n_stored_total += n
        if n > self.capacity:
            batch = batch.select(torch.arange(n - self.capacity, n))
            n = self.capacity
        idx = (self._next + torch.arange(n)) % self.capacity
        for name, store in self._data.items():
            store[idx] = getattr(batch, name).detach().to(store.dtype)
        self._next = int((self._next + n) % self.capacity)
        self._size = min(self.capacity, self._size + n)

    def all(self) -> SampleBatch:
        """Every stored event (oldest first order is not guaranteed)."""
        if self._data is None or self._size == 0:
            raise ValueError("buffer is empty")
        return self._batch(torch.arange(self._size))

    def _batch(self, idx: Tensor) -> SampleBatch:
        assert self._data is not None
        return SampleBatch(**{name: self._data[name][idx] if name in self._data else None
                              for name in _FIELDS})

    def sample(self, n: int, generator: torch.Generator | None = None) -> SampleBatch:
        """``min(n, len(self))`` distinct stored events, drawn uniformly."""
        if self._size == 0:
            raise ValueError("buffer is empty")
        perm = torch.randperm(self._size, generator=generator)[: min(n, self._size)]
        return self._batch(perm)

    def filter(self, keep_channel: Tensor) -> int:
        """Remove the events whose channel is False in ``keep_channel`` (bool, (n_channels,)).
        Returns the number removed."""
        if self._data is None or self._size == 0:
            return 0
        ch = self._data["channel"][: self._size]
        keep = keep_channel[ch]
        n_keep = int(keep.sum())
        removed = self._size - n_keep
        if removed:
            for name, store in self._data.items():
                store[:n_keep] = store[: self._size][keep].clone()
            self._size = n_keep
            self._next = n_keep % self.capacity
        return removed

    def state_dict(self) -> dict:
        """Plain tensors and ints (for checkpoints)."""
        data = {}
        if self._data is not None:
            data = {k: (v[: self._size] if self._size < self.capacity else v).clone()
                    for k, v in self._data.items()}
        return {"capacity": self.capacity, "size": self._size, "next": self._next,
                "n_stored_total": self.n_stored_total, "data": data}

    def load_state_dict(self, state: dict) -> None:
        self.capacity = int(state["capacity"])
        self._size = int(state["size"])
        self._next = int(state["next"])
        self.n_stored_total = int(state["n_stored_total"])
        if not state["data"]:
            self._data = None
            return
        self._data = {}
        for k, v in state["data"].items():
            store = v.new_zeros((self.capacity, *v.shape[1:]))
            store[: v.shape[0]] = v
            self._data[k] = store
