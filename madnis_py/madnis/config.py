"""MadNIS training configuration and its run_card entries (``madnis_*``).

:class:`MadnisConfig` is a frozen dataclass whose defaults work for processes with a few to a
few hundred channels on a CPU. Every field has a run_card entry ``madnis_<field>`` (plus
``use_madnis``) listed in :data:`RUN_CARD_ENTRIES`; :func:`register_run_card_entries` adds them to
the :class:`madnis_py.cards.run_card.RunCard` and :meth:`MadnisConfig.from_run_card` reads them
back.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

__all__ = ["MadnisConfig", "RunCardField", "RUN_CARD_ENTRIES", "register_run_card_entries"]


@dataclass(frozen=True)
class MadnisConfig:
    """Training and sampling options (see :data:`RUN_CARD_ENTRIES` for each field's meaning)."""

    use_madnis: bool = True
    seed: int = 0
    dtype: str = "float32"
    lr: float = 1e-3
    lr_schedule: str = "cosine"
    keep_best: bool = True
    batch_size: int = 1024
    train_steps: int = 400
    max_calls: int = 0
    buffer_steps: int = 3
    buffer_capacity: int = 32768
    loss: str = "variance"
    uniform_ratio: float = 0.1
    drop_threshold: float = 1e-4
    drop_interval: int = 100
    flow_blocks: int = 0
    flow_bins: int = 16
    hidden: int = 32
    hidden_layers: int = 2
    flow_condition: bool = False
    max_flows: int = 256
    channel_weights: bool = True
    channel_weight_bound: float = 1.5
    cross_channels: int = 10
    vegas_iterations: int = 5
    vegas_points: int = 2048
    vegas_bins: int = 256
    vegas_damping: float = 0.7
    history_length: int = 20
    surrogate: bool = False
    surrogate_steps: int = 200
    surrogate_fit_steps: int = 2000
    surrogate_min_samples: int = 4096
    integrate_batch: int = 65536
    threads: int = 0

    def __post_init__(self) -> None:
        if self.loss not in ("variance", "kl"):
            raise ValueError(f"madnis_loss = {self.loss!r}: use 'variance' or 'kl'")
        if self.lr_schedule not in ("constant", "cosine"):
            raise ValueError(f"madnis_lr_schedule = {self.lr_schedule!r}: use 'constant' or 'cosine'")
        if self.dtype not in ("float64", "float32"):
            raise ValueError(f"madnis_dtype = {self.dtype!r}: use 'float64' or 'float32'")
        for name in ("batch_size", "flow_bins", "hidden", "hidden_layers", "vegas_bins",
                     "history_length", "buffer_capacity", "integrate_batch", "drop_interval"):
            if getattr(self, name) < 1:
                raise ValueError(f"madnis_{name} = {getattr(self, name)} must be >= 1")
        for name in ("train_steps", "max_calls", "buffer_steps", "flow_blocks",
                     "vegas_iterations", "vegas_points", "surrogate_steps", "surrogate_fit_steps",
                     "surrogate_min_samples", "threads", "max_flows", "cross_channels"):
            if getattr(self, name) < 0:
                raise ValueError(f"madnis_{name} = {getattr(self, name)} must be >= 0")
        if not 0.0 <= self.uniform_ratio <= 1.0:
            raise ValueError(f"madnis_uniform_ratio = {self.uniform_ratio} must be in [0, 1]")
        if not 0.0 <= self.drop_threshold < 1.0:
            raise ValueError(f"madnis_drop_threshold = {self.drop_threshold} must be in [0, 1)")
        if self.channel_weight_bound < 0:
            raise ValueError(f"madnis_channel_weight_bound = {self.channel_weight_bound} must be >= 0")
        if self.lr <= 0:
            raise ValueError(f"madnis_lr = {self.lr} must be > 0")
        if not 0.0 <= self.vegas_damping <= 2.0:
            raise ValueError(f"madnis_vegas_damping = {self.vegas_damping} must be in [0, 2]")

    @classmethod
    def from_run_card(cls, card: Any, **overrides: Any) -> "MadnisConfig":
        """Read every registered ``madnis_*`` entry (and ``use_madnis``) from a RunCard (or any
        mapping with ``get``); entries the card lacks keep their defaults."""
        values: dict[str, Any] = {}
        for entry in RUN_CARD_ENTRIES:
            value = card.get(entry.name, None) if hasattr(card, "get") else None
            if value is not None:
                values[entry.field] = entry.type(value)
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes: Any) -> "MadnisConfig":
        """A copy with some fields changed."""
        return replace(self, **changes)


@dataclass(frozen=True)
class RunCardField:
    """One run_card entry: card ``name``, :class:`MadnisConfig` ``field``, Python ``type``,
    ``default``, one-line ``doc`` (with unit) and the ``allowed`` values (or None)."""

    name: str
    field: str
    type: type
    default: Any
    doc: str
    allowed: tuple | None = None


_DOCS: dict[str, tuple[str, tuple | None]] = {
    "use_madnis": ("train normalizing flows and channel weights (False, the default for now: VEGAS grids only)", None),
    "seed": ("seed of the MadNIS random numbers (sampling, buffer, initialisation)", None),
    "dtype": ("floating-point type of the networks and points", ("float64", "float32")),
    "lr": ("Adam learning rate", None),
    "keep_best": ("measure the unweighting efficiency of the online batches during training and return to "
                  "the best state at the end", None),
    "lr_schedule": ("learning-rate schedule over one training call: constant, or cosine decay to 1% of "
                    "madnis_lr", ("constant", "cosine")),
    "batch_size": ("integrand evaluations per online training step", None),
    "train_steps": ("optimisation steps (online + buffered + surrogate)", None),
    "max_calls": ("budget of integrand calls for training (0: no budget)", None),
    "buffer_steps": ("buffered optimisation steps after each online step (0: no buffer)", None),
    "buffer_capacity": ("events kept for buffered training", None),
    "loss": ("training loss: stratified variance or KL divergence", ("variance", "kl")),
    "uniform_ratio": ("share of each training batch split equally between channels", None),
    "drop_threshold": ("drop the channels whose summed relative contribution with the prior channel weights "
                       "is below this (0: never)", None),
    "drop_interval": ("online steps between channel-dropping checks", None),
    "flow_blocks": ("coupling blocks per flow (0: 2*ceil(log2 dim))", None),
    "flow_bins": ("rational-quadratic spline bins per dimension", None),
    "hidden": ("width of the hidden layers (flows, channel weights, surrogate)", None),
    "hidden_layers": ("hidden layers per network", None),
    "flow_condition": ("condition a group's flow on the channel inside the group", None),
    "max_flows": ("flows only for this many channel classes, those whose weights spread most after the "
                  "VEGAS survey; the others keep their VEGAS grid (0: a flow for every class)", None),
    "channel_weights": ("train the channel-weight network (False: prior weights)", None),
    "channel_weight_bound": ("largest log correction of a channel's prior weight by the network: alpha / prior "
                             "stays within exp(-2B)..exp(2B) (0: unbounded)", None),
    "cross_channels": ("estimate each channel's variance also on the points other channels draw, for the "
                       "channels with the largest weights at each point: one per 10 channels that reach it, at "
                       "least 3 and at most this many (variance loss; 0, or an integrand that cannot remap "
                       "points between channels: on its own points only)", None),
    "vegas_iterations": ("VEGAS iterations per channel group before the flows (0: none); madnis_vegas_* apply "
                         "only to MadnisIntegrator used on its own: a launch starts from the generator's survey", None),
    "vegas_points": ("integrand calls per channel group per VEGAS iteration", None),
    "vegas_bins": ("VEGAS bins per dimension", None),
    "vegas_damping": ("VEGAS grid damping exponent alpha", None),
    "history_length": ("batches of per-channel statistics kept for stratification and dropping",
                       None),
    "surrogate": ("train on a regression of the integrand for the first steps", None),
    "surrogate_steps": ("optimisation steps on the surrogate", None),
    "surrogate_fit_steps": ("Adam steps fitting the surrogate to the buffer", None),
    "surrogate_min_samples": ("true evaluations gathered before the surrogate is fitted", None),
    "integrate_batch": ("events per integrand call when integrating or sampling", None),
    "threads": ("torch CPU threads while training and sampling (0: leave torch's setting, all cores unless set; "
                "1 for jobs side by side). On 2 cores, 2 threads train 1.5x faster than 1 (p p > t t~ j j 30.7 "
                "against 48.3 s, g g > t t~ g 13.5 against 20.3 s)", None),
}


def _entries() -> tuple[RunCardField, ...]:
    out = []
    for f in fields(MadnisConfig):
        doc, allowed = _DOCS[f.name]
        name = f.name if f.name == "use_madnis" else f"madnis_{f.name}"
        py_type = {"bool": bool, "int": int, "float": float, "str": str}[
            f.type if isinstance(f.type, str) else f.type.__name__]
        out.append(RunCardField(name, f.name, py_type, RUN_CARD_DEFAULTS.get(name, f.default), doc, allowed))
    return tuple(out)


#: run_card defaults that differ from the integrator's: VEGAS alone is the generator's default until MadNIS
#: beats it on the benchmark processes (bench/bench_madnis.py).
RUN_CARD_DEFAULTS = {"use_madnis": False}


#: run_card entry name -> MadnisConfig field, type, default, doc (``use_madnis`` and ``madnis_*``).
RUN_CARD_ENTRIES: tuple[RunCardField, ...] = _entries()


def register_run_card_entries() -> None:
    """Register every entry of :data:`RUN_CARD_ENTRIES` with
    :meth:`madnis_py.cards.run_card.RunCard.register` (idempotent)."""
    from madnis_py.cards.run_card import RunCard

    for e in RUN_CARD_ENTRIES:
        RunCard.register(e.name, e.type, e.default, e.doc, e.allowed)
