"""Access to the compiled core `madnis_py._core`, with a message that says how to build it."""

try:
    from madnis_py import _core
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "madnis_py._core (the compiled C++ core) is not built. Install the package with "
        "`pip install -e .` from the project root (needs a C++17 compiler and CMake)."
    ) from exc

__all__ = ["_core"]
