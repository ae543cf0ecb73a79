"""Sampling and integration: VEGAS grids (and, later, MadNIS flows)."""

from madnis_py.integrator.result import IntegrationResult
from madnis_py.integrator.vegas_sampler import VegasConfig, VegasSampler

__all__ = ["IntegrationResult", "VegasConfig", "VegasSampler"]
