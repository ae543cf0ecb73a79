"""VEGAS vs MadNIS on one process with one budget of integrand calls: cross section, unweighting efficiency,
spread of the weights, calls and wall time.

Run: python bench/bench_madnis.py PROCESS [--budget N] [--seed S] [--eval N] [--set [madnis_]X=V ...] [--channels K]
     [--two-stage N]

Both start from the same MadEvent-like VEGAS survey (madnis_py.generator.SurveyPlan, one grid per channel) and
then spend ``--budget`` more integrand calls:

* VEGAS: the survey's second stage gets the budget on top of its own (more adaptation of every channel's grid,
  shared by the channels' cross sections) -- the generator's default path with a larger survey;
* MadNIS: madnis_py.generator.MadnisGenerator -- normalising flows on the survey's grids and learned channel
  weights, trained with the budget (``madnis_max_calls``).

Both are then judged on ``--eval`` fresh weighted events (not counted in the budget), shared by the channels'
cross sections (at least 2000 each), each channel unweighted on its own as MadEvent does: the unweighting
efficiency is sum_c I_c / sum_c w_max,c, with the w_max,c chosen together as the generator chooses them
(madnis_py.unweighting.choose_joint_w_max: the events above their channel's w_max carry at most 0.1 % of the cross
section), with its error from 20 bootstrap resamplings of the evaluation events (the efficiency hangs on the few
largest weights: 200k events judge it to +-30%, 1-2M to 5-15%). rel.std: sum_c std(w_c) / sum_c I_c. Beside it the
efficiency as the madnis package measures it (:func:`paper_efficiency`: no overweight allowance, channels averaged
by cross section), to compare with the figures of the MadNIS papers.
Wall time: survey plus training, and drawing the evaluation sample. ``--two-stage N`` trains MadNIS with the
surrogate and prints the matrix-element calls per unweighted event of two-stage unweighting of N proposals beside
one-stage unweighting. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from madnis_py.integrator import IntegrationResult
from madnis_py.setup import load_setup
from madnis_py.unweighting import choose_joint_w_max

OVERWEIGHT = 1e-3
MIN_PER_CHANNEL = 2000
BOOTSTRAP = 20
PAPER_REPLICAS = 100


@dataclass(frozen=True)
class Figures:
    name: str
    xsec: IntegrationResult
    efficiency: float
    efficiency_error: float
    rel_std: float
    #: the efficiency by the madnis package's metric (:func:`paper_efficiency`)
    paper_efficiency: float
    me_calls: int
    train_s: float
    eval_s: float
    #: per judged channel: (channel, I_c, w_max,c, contribution with the prior channel weights or nan), pb
    channels: tuple[tuple[int, float, float, float], ...] = ()


def figures(name, draw, integrals, n_eval, me_calls, train_s, priors=None) -> Figures:
    """Judge a sampler by n_eval fresh weighted events, shared by the channels' integrals (at least MIN_PER_CHANNEL
    each): every channel unweighted on its own (MadEvent) against the w_max,c the generator would choose,
    efficiency sum_c I_c / sum_c w_max,c."""
    t0 = time.perf_counter()
    share = np.maximum(integrals, 0.0) / np.maximum(integrals, 0.0).sum()
    judged = np.flatnonzero(share > 0)
    samples = [draw(int(c), max(MIN_PER_CHANNEL, int(n_eval * share[c]))) for c in judged]
    means = [w.mean() for w in samples]
    variances = [w.var() / w.size for w in samples]
    spreads = [w.std() for w in samples]
    eval_s = time.perf_counter() - t0
    eff, w_max = efficiency(samples)
    rng = np.random.default_rng(0)
    replicas = [efficiency([w[rng.integers(0, w.size, w.size)] for w in samples])[0] for _ in range(BOOTSTRAP)]
    xsec = IntegrationResult(float(np.sum(means)), float(np.sqrt(np.sum(variances))))
    return Figures(name, xsec, eff, float(np.std(replicas)),
                   float(np.sum(spreads) / np.sum(means)), paper_efficiency(samples),
                   me_calls, train_s, eval_s,
                   tuple((int(c), float(i), float(m), float(priors[c]) if priors is not None else math.nan)
                         for c, i, m in zip(judged, means, w_max)))


def paper_efficiency(samples: list[np.ndarray], replicas: int = PAPER_REPLICAS) -> float:
    """The unweighting efficiency as the madnis package computes it (``madnis.integrator.metrics.
    unweighting_metrics``, after arXiv:2001.10028): per channel, mean(w) over the median, across bootstrap replicas
    of the channel's sample size drawn from its non-zero weights, of the replica's largest weight; averaged over the
    channels with weights I_c / I. No overweight allowance, but a channel with a heavy tail costs in proportion to its
    cross section, where sum_c I_c / sum_c w_max,c (the cost of generating events) charges its whole w_max,c."""
    rng = np.random.default_rng(0)
    integrals = np.array([w.mean() for w in samples])
    effs = np.zeros(len(samples))
    for k, w in enumerate(samples):
        nonzero = w[w != 0]
        if nonzero.size:
            maxima = [nonzero[rng.integers(0, nonzero.size, w.size)].max() for _ in range(replicas)]
            effs[k] = w.mean() / np.median(maxima)
    return float(np.sum(integrals / integrals.sum() * effs))


def efficiency(samples: list[np.ndarray]) -> tuple[float, np.ndarray]:
    """sum_c I_c / sum_c w_max,c of the channels' weights, and the w_max,c (pb) chosen together."""
    w_max = choose_joint_w_max(samples, max_overweight_fraction=OVERWEIGHT)
    return float(sum(w.mean() for w in samples) / np.sum(w_max)), w_max


def run_vegas(setup, budget: int, seed: int, n_eval: int) -> Figures:
    from madnis_py.generator import Generator, SurveyPlan

    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    plan = SurveyPlan()
    gen = Generator(setup, rng, plan=replace(plan, budget=plan.budget + budget,
                                             budget_per_channel=plan.budget_per_channel + budget))
    gen.train(log=lambda *a: None)
    train_s = time.perf_counter() - t0
    integrals = np.array([c.result.value for c in gen.channels])
    return figures("VEGAS", lambda c, n: gen._weighted(gen.channels[c], n).weights, integrals, n_eval,
                   gen.n_matrix_element_calls, train_s)


def run_madnis(setup, budget: int, seed: int, n_eval: int, settings: dict, two_stage: int = 0) -> Figures:
    from madnis_py.generator import MadnisGenerator

    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    config = replace(setup.madnis_config, use_madnis=True, max_calls=budget, **settings)
    if "train_steps" not in settings:
        config = replace(config, train_steps=10**9)  # the budget stops the training
    gen = MadnisGenerator(setup, rng, config)
    gen.train(log=lambda *a: None)
    train_s = time.perf_counter() - t0
    integrator = gen.madnis
    me_calls = gen.n_matrix_element_calls
    means, _, _ = integrator.channel_statistics()

    def draw(c: int, n: int) -> np.ndarray:
        return integrator.sample_channel(c, n).weight.double().numpy()

    result = figures("MadNIS", draw, means.numpy(), n_eval, me_calls, train_s, integrator.prior_contributions().numpy())
    if two_stage:
        print_two_stage(integrator, two_stage)
    return result


def print_two_stage(integrator, n: int) -> None:
    """Two-stage unweighting against the surrogate (arXiv:2109.11964) of n proposals drawn from all channels, beside
    one-stage unweighting of n fresh proposals (the w_max of both at 0.1% of the cross section): matrix-element
    calls per unweighted event and the cross section each gives."""
    from madnis_py.madnis.surrogate import robust_max

    t0 = time.perf_counter()
    res = integrator.unweight_two_stage(n).result
    events = float(res.event_weight.sum())
    two_s = time.perf_counter() - t0
    w = integrator.sample(n).weight.double()
    one_eff = float(w.mean()) / robust_max(w, OVERWEIGHT)
    print(f"MadNIS two-stage: {n} proposals, {res.n_true_calls} matrix-element calls ({res.n_calls_saved} saved), "
          f"{res.index.numel()} events, efficiencies {res.efficiency_1:.4f} x {res.efficiency_2:.4f}, "
          f"{res.n_true_calls / max(events, 1):.1f} calls per event, xsec {res.unit_weight * events:.5g} pb, "
          f"{two_s:.1f} s; one-stage: {1 / one_eff:.1f} calls per event, xsec {float(w.mean()):.5g} pb", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("process", type=Path)
    parser.add_argument("--budget", type=int, default=1_000_000, help="integrand calls after the survey")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eval", type=int, default=1_000_000, help="weighted events to judge each method")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="run_card entry for both methods (e.g. sde_strategy=2), or a MadNIS configuration "
                        "change (madnis_NAME=VALUE); repeatable")
    parser.add_argument("--only", choices=("vegas", "madnis"), default=None)
    parser.add_argument("--two-stage", type=int, default=0, metavar="N",
                        help="train with the surrogate (madnis_surrogate) and unweight N proposals in two stages")
    parser.add_argument("--channels", type=int, default=0, metavar="K",
                        help="also print the K channels with the largest w_max,c (those that cost the efficiency)")
    args = parser.parse_args()

    setup = load_setup(args.process, settings=tuple(s for s in args.set if not s.startswith("madnis_")))
    from madnis_py.madnis.config import RUN_CARD_ENTRIES

    by_name = {e.name: e for e in RUN_CARD_ENTRIES}
    settings = {}
    for item in (s for s in args.set if s.startswith("madnis_")):
        key, value = item.split("=", 1)
        entry = by_name[key]
        settings[entry.field] = (value.lower() in ("1", "true", "t")) if entry.type is bool else entry.type(value)
    torch.set_num_threads(1)
    n_ch = sum(len(g.topologies) for g in setup.groups)
    print(f"{setup.process_text}: {len(setup.groups)} group(s), {n_ch} channel(s); budget {args.budget} calls, "
          f"seed {args.seed}, {args.eval} evaluation events", flush=True)
    results = []
    if args.only != "madnis":
        results.append(run_vegas(setup, args.budget, args.seed, args.eval))
        print_row(results[-1], args.channels)
    if args.only != "vegas":
        if args.two_stage:
            settings["surrogate"] = True
        results.append(run_madnis(setup, args.budget, args.seed, args.eval, settings, args.two_stage))
        print_row(results[-1], args.channels)
    if len(results) == 2:
        v, m = results
        diff = m.xsec.value - v.xsec.value
        sigma = math.hypot(m.xsec.error, v.xsec.error)
        ratio = m.efficiency / v.efficiency
        ratio_error = ratio * math.hypot(m.efficiency_error / m.efficiency, v.efficiency_error / v.efficiency)
        print(f"efficiency ratio MadNIS/VEGAS: {ratio:.2f} +- {ratio_error:.2f} (madnis package's metric: "
              f"{m.paper_efficiency / v.paper_efficiency:.2f}); cross sections differ by {diff / sigma:+.1f} sigma")


def print_row(f: Figures, n_channels: int = 0) -> None:
    print(f"{f.name:7s} xsec {f.xsec.value:.5g} +- {f.xsec.error:.2g} pb  eff {f.efficiency:.4f} +- "
          f"{f.efficiency_error:.4f}  (madnis metric {f.paper_efficiency:.4f})  rel.std {f.rel_std:.3f}  ME calls {f.me_calls}  "
          f"survey+training {f.train_s:.1f} s  eval {f.eval_s:.1f} s", flush=True)
    for c, integral, w_max, prior in sorted(f.channels, key=lambda t: -t[2])[:n_channels]:
        print(f"    channel {c:4d}  I {integral:.4g} pb  w_max {w_max:.4g} pb  eff {integral / w_max:.4f}"
              + ("" if math.isnan(prior) else f"  with prior weights {prior:.4g} pb"), flush=True)


if __name__ == "__main__":
    main()
