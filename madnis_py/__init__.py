"""madnis-py: a leading-order event generator with MadNIS neural importance sampling."""

__version__ = "0.1.0"

from madnis_py.amplitudes.api import matrix_element  # noqa: E402

__all__ = ["matrix_element", "__version__"]
