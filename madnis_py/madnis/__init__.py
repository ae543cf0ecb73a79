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

#: public name -> submodule; imported on first use, so that reading the run_card does not import torch.
_SUBMODULE = {
    "ChannelDensity": "density",
    "ChannelWeights": "channel_weights",
    "CouplingBlock": "flow",
    "Flow": "flow",
    "GaussianPeaks": "toy",
    "IntegrandOutput": "integrand",
    "LOSSES": "losses",
    "MadnisConfig": "config",
    "MadnisIntegrator": "integrator",
    "MappedPoints": "integrand",
    "MultiChannelIntegrand": "integrand",
    "RUN_CARD_ENTRIES": "config",
    "RunCardField": "config",
    "SampleBatch": "buffer",
    "SampleBuffer": "buffer",
    "SupportsMapping": "integrand",
    "SupportsRemap": "integrand",
    "Surrogate": "surrogate",
    "TrainingStatus": "integrator",
    "TrainingSummary": "integrator",
    "TwoStageEvents": "integrator",
    "TwoStageResult": "surrogate",
    "VegasLayer": "vegas_init",
    "WeightedSamples": "integrator",
    "channel_groups_of": "integrand",
    "coupling_masks": "flow",
    "grid_from_adaptive_map": "vegas_init",
    "kl_divergence_loss": "losses",
    "mixture_moments": "losses",
    "mixture_variance_loss": "losses",
    "rational_quadratic_spline": "splines",
    "register_run_card_entries": "config",
    "relative_std": "metrics",
    "spline_parameters": "splines",
    "stratified_variance_loss": "losses",
    "two_stage_unweight": "surrogate",
    "uniform_grid": "vegas_init",
    "unweighting_efficiency": "metrics",
}


def __getattr__(name: str):
    if name in _SUBMODULE:
        import importlib

        return getattr(importlib.import_module(f".{_SUBMODULE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ChannelDensity", "ChannelWeights", "CouplingBlock", "Flow", "GaussianPeaks",
    "IntegrandOutput", "LOSSES", "MadnisConfig", "MadnisIntegrator", "MappedPoints",
    "MultiChannelIntegrand", "RUN_CARD_ENTRIES", "RunCardField", "SampleBatch", "SampleBuffer",
    "SupportsMapping", "SupportsRemap", "Surrogate", "TrainingStatus", "TrainingSummary", "TwoStageEvents",
    "TwoStageResult", "VegasLayer", "WeightedSamples", "channel_groups_of", "coupling_masks",
    "grid_from_adaptive_map", "kl_divergence_loss", "mixture_moments", "mixture_variance_loss",
    "rational_quadratic_spline",
    "register_run_card_entries", "relative_std", "spline_parameters", "stratified_variance_loss",
    "two_stage_unweight", "unweighting_efficiency", "uniform_grid",
]
