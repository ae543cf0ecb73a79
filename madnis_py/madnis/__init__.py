"""MadNIS: neural importance sampling for multi-channel integrands (arXiv:2212.06172,
arXiv:2311.01548).

Modules, one job each: :mod:`.splines` (rational-quadratic splines), :mod:`.flow` (coupling
flows on the unit cube), :mod:`.vegas_init` (VEGAS grids as a fixed layer), :mod:`.density`
(per-channel densities: VEGAS layer + flow per channel group), :mod:`.channel_weights`
(learned channel weights), :mod:`.losses` (multi-channel variance and KL), :mod:`.buffer`
(buffered training), :mod:`.surrogate` (integrand regression, two-stage unweighting),
:mod:`.integrator` (training, integration, sampling, checkpoints), :mod:`.config` (run_card
entries), :mod:`.integrand` (the protocol an integrand implements), :mod:`.toy` (a test integrand).
"""

from .buffer import SampleBatch, SampleBuffer
from .channel_weights import ChannelWeights
from .config import RUN_CARD_ENTRIES, MadnisConfig, RunCardField, register_run_card_entries
from .density import ChannelDensity
from .flow import CouplingBlock, Flow, coupling_masks
from .integrand import (IntegrandOutput, MappedPoints, MultiChannelIntegrand, SupportsMapping,
                        channel_groups_of)
from .integrator import (MadnisIntegrator, TrainingStatus, TrainingSummary, TwoStageEvents,
                         WeightedSamples)
from .losses import LOSSES, kl_divergence_loss, stratified_variance_loss
from .metrics import relative_std, unweighting_efficiency
from .splines import rational_quadratic_spline, spline_parameters
from .surrogate import Surrogate, TwoStageResult, two_stage_unweight
from .toy import GaussianPeaks
from .vegas_init import VegasLayer, grid_from_adaptive_map, uniform_grid

__all__ = [
    "ChannelDensity", "ChannelWeights", "CouplingBlock", "Flow", "GaussianPeaks",
    "IntegrandOutput", "LOSSES", "MadnisConfig", "MadnisIntegrator", "MappedPoints",
    "MultiChannelIntegrand", "RUN_CARD_ENTRIES", "RunCardField", "SampleBatch", "SampleBuffer",
    "SupportsMapping", "Surrogate", "TrainingStatus", "TrainingSummary", "TwoStageEvents",
    "TwoStageResult", "VegasLayer", "WeightedSamples", "channel_groups_of", "coupling_masks",
    "grid_from_adaptive_map", "kl_divergence_loss", "rational_quadratic_spline",
    "register_run_card_entries", "relative_std", "spline_parameters", "stratified_variance_loss",
    "two_stage_unweight", "unweighting_efficiency", "uniform_grid",
]
