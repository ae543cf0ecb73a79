"""madnis-py: a leading-order event generator with MadNIS neural importance sampling.

``madnis_py.matrix_element(process)`` gives |M|^2 of any tree-level SM process; ``madnis_py.EventGenerator``
integrates a process and generates unweighted events (see madnis_py.event_generator).
"""

__version__ = "0.1.0"

from madnis_py.amplitudes.api import matrix_element  # noqa: E402

__all__ = ["EventGenerator", "Events", "IntegrationResult", "matrix_element", "__version__"]


def __getattr__(name: str):
    # the generator pulls in torch (MadNIS): import it on first use only
    if name in ("EventGenerator", "Events"):
        from madnis_py import event_generator

        return getattr(event_generator, name)
    if name == "IntegrationResult":
        from madnis_py.integrator import IntegrationResult

        return IntegrationResult
    raise AttributeError(f"module 'madnis_py' has no attribute {name!r}")
