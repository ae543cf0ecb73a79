"""VEGAS vs MadNIS on one process with one budget of integrand calls: cross section, unweighting efficiency,
spread of the weights, calls and wall time.

Run: python bench/bench_madnis.py PROCESS [--budget N] [--seed S] [--eval N] [--set madnis_X=V ...]

* VEGAS: the generator's per-channel path (madnis_py.generator.Generator): one VEGAS grid per channel,
  adapted with an equal share of the budget (3/4 adaptation, 1/4 frozen-grid estimate of the channel's cross
  section).
* MadNIS: madnis_py.madnis.MadnisIntegrator on the same channels (madnis_py.madnis_bridge.PhysicsIntegrand),
  VEGAS pre-training and flow/channel-weight training stopped by the same budget (``max_calls``).

Both are then judged on ``--eval`` fresh weighted events (not counted in the budget), drawn channel by channel
with probabilities p_c proportional to the channel's cross section (as MadGraph draws its channels) and weighted
``w / p_c``. The unweighting efficiency is mean(w) / w_max with w_max chosen as madnis_py.unweighting does (events
above it carry at most 0.1 % of the cross section). Wall time: training (including the VEGAS survey) and
drawing the evaluation sample. Never part of the test suite.
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from madnis_py.integrator import IntegrationResult, VegasConfig
from madnis_py.setup import load_setup
from madnis_py.unweighting import choose_w_max

OVERWEIGHT = 1e-3


@dataclass(frozen=True)
class Figures:
    name: str
    xsec: IntegrationResult
    efficiency: float
    rel_std: float
    calls: int
    me_calls: int
    train_s: float
    eval_s: float


def efficiency(w: np.ndarray) -> float:
    w = np.asarray(w, dtype=np.float64)
    return float(w.mean() / choose_w_max(w, OVERWEIGHT))


def draw_pooled(draw, probabilities: np.ndarray, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n events, channel c with probability p_c: (weights w / p_c, channels)."""
    counts = rng.multinomial(n, probabilities)
    ws, chs = [], []
    for c in np.flatnonzero(counts):
        ws.append(draw(int(c), int(counts[c])) / probabilities[c])
        chs.append(np.full(counts[c], c))
    return np.concatenate(ws), np.concatenate(chs)


def figures(name, draw, p, n_eval, rng, calls, me_calls, train_s) -> Figures:
    t0 = time.perf_counter()
    w, _ = draw_pooled(draw, p, n_eval, rng)
    eval_s = time.perf_counter() - t0
    return Figures(name, IntegrationResult.from_weights(w), efficiency(w),
                   float(w.std() / w.mean()), calls, me_calls, train_s, eval_s)


def run_vegas(setup, budget: int, seed: int, n_eval: int) -> Figures:
    from madnis_py.generator import Generator

    rng = np.random.default_rng(seed)
    probe = Generator(setup, rng)
    per_channel = max(budget // len(probe.channels), 800)
    adapt_its, int_its = 8, 2
    config = VegasConfig(adapt_iterations=adapt_its, adapt_points=max(per_channel * 3 // (4 * adapt_its), 100),
                         integrate_iterations=int_its, integrate_points=max(per_channel // (4 * int_its), 100))
    t0 = time.perf_counter()
    gen = Generator(setup, rng, config)
    gen.train(log=lambda *a: None)
    train_s = time.perf_counter() - t0
    calls = len(gen.channels) * (adapt_its * config.adapt_points + int_its * config.integrate_points)
    me_calls = gen.n_matrix_element_calls
    values = np.array([max(c.result.value, 0.0) for c in gen.channels])
    p = values / values.sum()
    return figures("VEGAS", lambda c, n: gen._weighted(gen.channels[c], n).weights, p, n_eval, rng, calls,
                   me_calls, train_s)


def run_madnis(setup, budget: int, seed: int, n_eval: int, settings: dict) -> Figures:
    from madnis_py.generator import Generator
    from madnis_py.madnis import MadnisIntegrator
    from madnis_py.madnis_bridge import PhysicsIntegrand

    rng = np.random.default_rng(seed + 1)
    torch.manual_seed(seed)
    t0 = time.perf_counter()
    gen = Generator(setup, rng)
    physics = PhysicsIntegrand([c.integrand for c in gen.channels], gen.sqrt_s)
    config = replace(setup.madnis_config, use_madnis=True, seed=seed, max_calls=budget, **settings)
    integrator = MadnisIntegrator(physics, config)
    integrator.train(steps=10**9 if "train_steps" not in settings else None)
    train_s = time.perf_counter() - t0
    calls = integrator.n_calls
    me_calls = gen.n_matrix_element_calls
    p = integrator.channel_probabilities().numpy()

    def draw(c: int, n: int) -> np.ndarray:
        return integrator.sample_channel(c, n).weight.double().numpy()

    return figures("MadNIS", draw, p, n_eval, rng, calls, me_calls, train_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("process", type=Path)
    parser.add_argument("--budget", type=int, default=1_000_000, help="integrand calls for training")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--eval", type=int, default=200_000, help="weighted events to judge each method")
    parser.add_argument("--set", action="append", default=[], metavar="madnis_NAME=VALUE",
                        help="MadNIS configuration change (run_card name), repeatable")
    parser.add_argument("--only", choices=("vegas", "madnis"), default=None)
    args = parser.parse_args()

    setup = load_setup(args.process)
    from madnis_py.madnis.config import RUN_CARD_ENTRIES

    by_name = {e.name: e for e in RUN_CARD_ENTRIES}
    settings = {}
    for item in args.set:
        key, value = item.split("=", 1)
        entry = by_name[key if key.startswith("madnis_") else f"madnis_{key}"]
        settings[entry.field] = (value.lower() in ("1", "true", "t")) if entry.type is bool else entry.type(value)
    torch.set_num_threads(1)
    n_ch = sum(len(g.topologies) for g in setup.groups)
    print(f"{setup.process_text}: {len(setup.groups)} group(s), {n_ch} channel(s); budget {args.budget} calls, "
          f"seed {args.seed}, {args.eval} evaluation events", flush=True)
    results = []
    if args.only != "madnis":
        results.append(run_vegas(setup, args.budget, args.seed, args.eval))
        print_row(results[-1])
    if args.only != "vegas":
        results.append(run_madnis(setup, args.budget, args.seed, args.eval, settings))
        print_row(results[-1])
    if len(results) == 2:
        v, m = results
        diff = m.xsec.value - v.xsec.value
        sigma = math.hypot(m.xsec.error, v.xsec.error)
        print(f"efficiency ratio MadNIS/VEGAS: {m.efficiency / v.efficiency:.2f}; cross sections differ by "
              f"{diff / sigma:+.1f} sigma")


def print_row(f: Figures) -> None:
    print(f"{f.name:7s} xsec {f.xsec.value:.5g} +- {f.xsec.error:.2g} pb  eff {f.efficiency:.4f}  rel.std {f.rel_std:.3f}  calls {f.calls} (ME {f.me_calls})  "
          f"train {f.train_s:.1f} s  eval {f.eval_s:.1f} s", flush=True)


if __name__ == "__main__":
    main()
