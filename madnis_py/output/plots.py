"""Control plots of a run, as PNG files in ``OUTDIR/plots/`` (matplotlib, Agg backend: no display needed).

* ``weights.png``: the distribution of the event weights w / <w> on a log scale. From the weighted
  sample the unweighting drew from when the generator hands it over (its spread sets the
  unweighting efficiency); otherwise the unweighted events' LHE weights (1, except overweight events).
* ``kinematics.png``: for every final-state particle its transverse momentum pT (GeV) and rapidity
  y, and the invariant mass of the whole final state (GeV), as dσ/dX in pb per unit, from the
  unweighted events with their LHE weights (normalised so that the histograms integrate to σ).
* ``training.png``: the loss and, where recorded, the cross-section estimate (pb, with its error)
  against the training step, when the run recorded a ``training_history``
  (a list of ``{"step", "loss", "cross_section_pb", "error_pb"}``; missing keys skip their panel).

Every file is written atomically.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from .atomic import atomic_write_bytes
from .lhe import LHEEvents

__all__ = ["PARTICLE_NAMES", "kinematics", "make_plots", "particle_label"]

#: LaTeX-free names of the particles that appear in final states (PDG id -> name).
PARTICLE_NAMES = {
    1: "d", 2: "u", 3: "s", 4: "c", 5: "b", 6: "t", 11: "e-", 12: "ve", 13: "mu-", 14: "vm", 15: "ta-",
    16: "vt", 21: "g", 22: "a", 23: "z", 24: "w+", 25: "h",
}
#: Histogram bins per distribution.
N_BINS = 40


def particle_label(pdg: int) -> str:
    """MadGraph's name of a PDG id (``t~``, ``mu+``, ``w-``), else ``pdg <id>``."""
    name = PARTICLE_NAMES.get(abs(int(pdg)))
    if name is None:
        return f"pdg {int(pdg)}"
    if pdg > 0:
        return name
    if name.endswith("-"):
        return name[:-1] + "+"
    if name.endswith("+"):
        return name[:-1] + "-"
    return name if abs(pdg) in (21, 22, 23, 25) else name + "~"


def kinematics(record: LHEEvents) -> dict[str, np.ndarray]:
    """Observables of the final state of every event.

    Returns a dict with ``pt`` and ``y``: float64, shape (n, n_final), GeV and dimensionless (rapidity,
    ±inf never occurs for massive or non-collinear particles; collinear ones give ±30 at most); ``mass``:
    shape (n,), GeV, the invariant mass of all final-state particles; ``final``: int, the particle
    positions (0-based) in the record with LHE status 1, the same in all events.
    """
    final = np.flatnonzero(record.status[0] == 1)
    p = record.momenta[:, final, :]
    e, px, py, pz = p[..., 0], p[..., 1], p[..., 2], p[..., 3]
    pt = np.hypot(px, py)
    y = 0.5 * np.log(np.maximum(e + pz, 1e-300) / np.maximum(e - pz, 1e-300))
    total = p.sum(axis=1)
    mass = np.sqrt(np.maximum(total[:, 0] ** 2 - (total[:, 1:] ** 2).sum(axis=1), 0.0))
    return {"pt": pt, "y": np.clip(y, -30.0, 30.0), "mass": mass, "final": final}


def _slot_label(record: LHEEvents, position: int) -> str:
    ids = np.unique(record.pdg[:, position])
    if ids.size == 1:
        return particle_label(int(ids[0]))
    return f"particle {position + 1}"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _fixed_margins(fig, top: float = 0.93) -> None:
    """Margins for the axis labels of a figure 4.2 inches tall, set once: tight_layout would draw the figure a
    second time (0.5 s of a 3.8 s p p > t t~ launch)."""
    fig.subplots_adjust(left=0.85 / fig.get_figwidth(), right=0.98, bottom=0.13, top=top, wspace=0.28)


def _save(fig, path: Path) -> Path:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    _pyplot().close(fig)
    atomic_write_bytes(path, buffer.getvalue(), compress=False)
    return path


def _hist(ax, values: np.ndarray, weights: np.ndarray, label: str, xlabel: str, unit: str, log_x=False):
    values = values[np.isfinite(values)]
    if values.size == 0:
        return
    lo, hi = float(values.min()), float(values.max())
    if hi - lo <= 1e-6 * max(abs(hi), 1.0):  # a fixed value (e.g. the mass at a lepton collider): one bin
        lo, hi = lo - 0.01 * max(abs(lo), 1.0), hi + 0.01 * max(abs(hi), 1.0)
    if log_x and lo > 0:
        bins = np.geomspace(lo, hi * 1.0001 if hi > lo else lo * 2, N_BINS + 1)
    else:
        bins = np.linspace(lo, hi, N_BINS + 1)
    counts, edges = np.histogram(values, bins=bins, weights=weights)
    density = counts / np.diff(edges)
    ax.stairs(density, edges, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(f"dσ/d{xlabel.split(' ')[0]} [pb{('/' + unit) if unit else ''}]")
    if log_x:
        ax.set_xscale("log")


def plot_weights(path: Path, record: LHEEvents, weighted_weights: np.ndarray | None) -> Path:
    """``weights.png``: w/<w> of the weighted sample (if given) or of the unweighted events."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4.2))
    if weighted_weights is not None and np.size(weighted_weights):
        w = np.asarray(weighted_weights, dtype=np.float64)
        title = f"weighted sample ({w.size} points) used for unweighting"
    else:
        w = record.weights
        title = f"unweighted events ({w.size}): LHE weights"
    positive = w[w > 0]
    ratio = positive / positive.mean() if positive.size else positive
    if ratio.size:
        lo, hi = max(ratio.min(), 1e-8), ratio.max()
        wide = hi > 10 * lo  # a log axis only where the weights span decades
        if wide:
            bins = np.geomspace(lo, hi * 1.0001, N_BINS + 1)
        else:
            bins = np.linspace(lo - 0.05 * lo, hi + 0.05 * lo, N_BINS + 1)
        ax.hist(ratio, bins=bins, histtype="step")
        if wide:
            ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("w / <w>")
    ax.set_ylabel("events")
    n_zero = int(np.count_nonzero(w <= 0))
    ax.set_title(title + (f"; {n_zero} zero" if n_zero else ""), fontsize=9)
    _fixed_margins(fig)
    return _save(fig, path)


def plot_kinematics(path: Path, record: LHEEvents, cross_section_pb: float, title: str = "") -> Path:
    """``kinematics.png``: pT and y of each final-state particle, and the final state's invariant mass, as
    dσ/dX with the events' weights scaled to sum to ``cross_section_pb`` (whatever the run_card's event_norm)."""
    plt = _pyplot()
    obs = kinematics(record)
    weights = record.weights * (cross_section_pb / record.weights.sum())
    n_final = obs["final"].size
    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    for k, position in enumerate(obs["final"]):
        label = _slot_label(record, int(position))
        _hist(axes[0], obs["pt"][:, k], weights, label, "pT [GeV]", "GeV")
        _hist(axes[1], obs["y"][:, k], weights, label, "y", "")
    _hist(axes[2], obs["mass"], weights, "final state", "m [GeV]", "GeV")
    axes[0].set_yscale("log")
    axes[0].set_title("transverse momentum", fontsize=10)
    axes[1].set_title("rapidity", fontsize=10)
    axes[2].set_title(f"invariant mass of the {n_final} final-state particles", fontsize=10)
    axes[2].set_yscale("log")
    for ax in axes[:2]:
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    _fixed_margins(fig, top=0.84 if title else 0.9)
    return _save(fig, path)


def plot_training(path: Path, history: Sequence[Mapping]) -> Path | None:
    """``training.png``: loss and cross section (pb) against the step; ``None`` when nothing to plot."""
    steps = np.array([float(h.get("step", i)) for i, h in enumerate(history)])
    panels = []
    if any("loss" in h for h in history):
        panels.append("loss")
    if any("cross_section_pb" in h for h in history):
        panels.append("cross_section_pb")
    if not panels:
        return None
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.2), squeeze=False)
    for ax, key in zip(axes[0], panels):
        rows = [i for i, h in enumerate(history) if key in h and h[key] is not None]
        x = steps[rows]
        y = np.array([float(history[i][key]) for i in rows])
        err = np.array([float(history[i].get("error_pb") or 0.0) for i in rows])
        kinds = [str(history[i].get("kind", "")) for i in rows]
        for kind in dict.fromkeys(kinds):
            sel = np.array([k == kind for k in kinds])
            if key == "loss":
                ax.plot(x[sel], y[sel], ".", ms=3, label=kind or None)
            else:
                ax.errorbar(x[sel], y[sel], yerr=err[sel], fmt=".", ms=3, label=kind or None)
        if any(kinds):
            ax.legend(fontsize=8)
        if key == "loss":
            if np.all(y > 0):
                ax.set_yscale("log")
            ax.set_ylabel("loss")
        else:
            ax.set_ylabel("cross section [pb]")
        ax.set_xlabel("training step")
    _fixed_margins(fig)
    return _save(fig, path)


def make_plots(
    directory: str | os.PathLike[str],
    record: LHEEvents,
    *,
    weighted_weights: np.ndarray | None = None,
    cross_section_pb: float,
    training_history: Sequence[Mapping] | None = None,
    title: str = "",
) -> list[Path]:
    """Write the control plots of a run into ``directory`` (created if needed); returns the files written.

    record: the events as written to the LHE file (momenta GeV, weights pb).
    cross_section_pb: the run's cross section, pb: the kinematic histograms integrate to it.
    weighted_weights: float64, shape (n,): the weights (any unit) of the weighted sample the events were
        unweighted from, when available.
    training_history: the run's ``training_history`` (see the module docstring), when available.
    title: shown above the kinematic plots, e.g. the process.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        written.append(plot_weights(directory / "weights.png", record, weighted_weights))
        written.append(plot_kinematics(directory / "kinematics.png", record, cross_section_pb, title))
        if training_history:
            path = plot_training(directory / "training.png", training_history)
            if path is not None:
                written.append(path)
    except BaseException:
        for path in written:  # all or nothing, like every other output file
            path.unlink(missing_ok=True)
        raise
    return written

