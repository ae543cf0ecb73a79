"""Array plumbing for the channel wrappers: numpy arrays stay numpy, torch tensors (CPU or CUDA) stay torch."""

from __future__ import annotations

from typing import Any

import numpy as np


def is_torch(a: Any) -> bool:
    return type(a).__module__.startswith("torch")


def as_float64(a: Any, name: str, ndim: int) -> Any:
    """``a`` as a C-contiguous float64 array of rank ``ndim`` (numpy or torch, no copy when already so)."""
    if is_torch(a):
        import torch

        a = a.detach().to(torch.float64).contiguous()
    else:
        a = np.ascontiguousarray(a, dtype=np.float64)
    if a.ndim != ndim:
        raise ValueError(f"{name}: expected {ndim} dimensions, got shape {tuple(a.shape)}")
    return a


def empty(like: Any, shape: tuple[int, ...]) -> Any:
    """An uninitialised float64 array of ``shape`` of the same kind and on the same device as ``like``."""
    if is_torch(like):
        import torch

        return torch.empty(shape, dtype=torch.float64, device=like.device)
    return np.empty(shape, dtype=np.float64)
