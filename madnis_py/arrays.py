"""Array plumbing for the wrappers of the compiled core: numpy arrays stay numpy, torch tensors (CPU or CUDA)
stay torch tensors on their device, so one wrapper serves the CPU and the CUDA driver."""

from __future__ import annotations

from typing import Any

import numpy as np


def is_torch(a: Any) -> bool:
    return type(a).__module__.startswith("torch")


def contiguous(a: Any, dtype=np.float64) -> Any:
    """``a`` as a C-contiguous array of ``dtype`` (a numpy dtype), numpy or torch (no copy when already so)."""
    if is_torch(a):
        return a.detach().to(torch_dtype(dtype)).contiguous()
    return np.ascontiguousarray(a, dtype=dtype)


def as_float64(a: Any, name: str, ndim: int) -> Any:
    """``a`` as a C-contiguous float64 array of rank ``ndim`` (numpy or torch, no copy when already so)."""
    a = contiguous(a)
    if a.ndim != ndim:
        raise ValueError(f"{name}: expected {ndim} dimensions, got shape {tuple(a.shape)}")
    return a


def empty(like: Any, shape: tuple[int, ...], dtype=np.float64) -> Any:
    """An uninitialised array of ``shape`` and ``dtype`` (a numpy dtype) of the same kind and on the same device as
    ``like``."""
    if is_torch(like):
        import torch

        return torch.empty(shape, dtype=torch_dtype(dtype), device=like.device)
    return np.empty(shape, dtype=dtype)


def zeros(like: Any, shape: tuple[int, ...], dtype=np.float64) -> Any:
    """:func:`empty`, filled with zeros."""
    out = empty(like, shape, dtype)
    out[...] = 0
    return out


def full(like: Any, shape: tuple[int, ...], value, dtype=np.float64) -> Any:
    """:func:`empty`, filled with ``value``."""
    out = empty(like, shape, dtype)
    out[...] = value
    return out


def nonzero(mask: Any) -> Any:
    """The indices of the true entries of a 1-D mask, int64 (k,), numpy or torch like the mask."""
    return mask.nonzero().reshape(-1) if is_torch(mask) else np.flatnonzero(mask)


def to_host(a: Any) -> np.ndarray:
    """``a`` as a numpy array (a torch tensor copied from its device; a CPU one shared)."""
    return a.detach().cpu().numpy() if is_torch(a) else a


def to_device(a: Any, device) -> Any:
    """``a`` as a float64 torch tensor on ``device`` (a copy unless it is there already)."""
    import torch

    return torch.as_tensor(a, dtype=torch.float64, device=device)


def on_device_of(like: Any, a: np.ndarray) -> Any:
    """The host array ``a`` where the compiled core can read it beside ``like``: ``a`` itself on the host (numpy
    ``like`` or CPU tensor), else a copy on ``like``'s device."""
    if not is_torch(like) or like.device.type == "cpu":
        return a
    import torch

    return torch.as_tensor(a, device=like.device)


def torch_dtype(dtype):
    import torch

    return {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32,
            np.dtype(np.int8): torch.int8, np.dtype(np.uint8): torch.uint8, np.dtype(np.int32): torch.int32,
            np.dtype(np.int64): torch.int64, np.dtype(bool): torch.bool}[np.dtype(dtype)]
