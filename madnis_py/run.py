"""`madnis-py launch`: cards -> process -> training -> integration -> unweighted events -> files.

Nothing is written before the run has succeeded: the output files appear whole at the end.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from madnis_py import __version__
from madnis_py.errors import UserError
from madnis_py.generator import GeneratedEvents, Generator, MadnisGenerator
from madnis_py.integrator import IntegrationResult
from madnis_py.output import atomic_write_text
from madnis_py.output.events import lhe_events, write_events_lhe
from madnis_py.setup import RunSetup, load_setup
from madnis_py.timing import StageTimer


#: Precision the integration aims at before generating events, and the most points it may spend on it.
TARGET_RELATIVE_ERROR = 1e-3
MAX_REFINE_POINTS = 20_000_000


@dataclass(frozen=True)
class RunOptions:
    """What the user asked for on the command line (paths as given; settings as 'NAME=VALUE')."""

    process: Path
    run_card: Path | None = None
    param_card: Path | None = None
    settings: tuple[str, ...] = ()
    seed: int | None = None
    output: Path | None = None
    force: bool = False
    verbose: bool = True


@dataclass(frozen=True)
class RunResult:
    """The outcome of a launch: cross section (pb) with its error, events written, efficiency, timings (s)."""

    cross_section: IntegrationResult
    n_events: int
    unweighting_efficiency: float
    seed: int
    output_dir: Path
    timings: dict[str, float] = field(default_factory=dict)
    subprocesses: tuple[dict, ...] = ()
    ignored_entries: tuple[str, ...] = ()
    n_matrix_element_calls: int = 0

    def to_json(self) -> dict:
        return {
            "cross_section_pb": self.cross_section.value,
            "cross_section_error_pb": self.cross_section.error,
            "chi2_dof": self.cross_section.chi2_dof,
            "n_events": self.n_events,
            "unweighting_efficiency": self.unweighting_efficiency,
            "seed": self.seed,
            "n_matrix_element_calls": self.n_matrix_element_calls,
            "timings_s": self.timings,
            "subprocesses": list(self.subprocesses),
            "ignored_run_card_entries": list(self.ignored_entries),
            "generator": f"madnis-py {__version__}",
        }

    def summary(self) -> str:
        xs = self.cross_section
        return (
            f"Cross section: {xs.value:.6g} +- {xs.error:.3g} pb  ({100 * xs.relative_error:.3f}%)\n"
            f"Events: {self.n_events} unweighted, efficiency {100 * self.unweighting_efficiency:.1f}%\n"
            f"Output: {self.output_dir / 'events.lhe.gz'}, {self.output_dir / 'results.json'}\n"
            f"Wall time: " + ", ".join(f"{k} {v:.1f} s" for k, v in self.timings.items())
        )


def _resolve_seed(options: RunOptions, setup: RunSetup) -> int:
    seed = options.seed if options.seed is not None else int(setup.run_card["iseed"])
    if seed == 0:  # MadGraph: 0 means "assign one"
        seed = int(time.time_ns() % 2**31) or 1
    return seed


def _prepare_output_dir(options: RunOptions, setup: RunSetup) -> Path:
    out = options.output or Path(setup.output_name)
    if out.exists() and not out.is_dir():
        raise UserError(f"output path {out} exists and is not a directory; choose another with -o.")
    if out.is_dir() and any(out.iterdir()) and not options.force:
        raise UserError(
            f"output directory {out} already holds files; choose another with -o, or pass --force to overwrite."
        )
    return out


def launch(options: RunOptions) -> RunResult:
    """Runs a whole generation as `madnis-py launch` does and returns its result."""
    timer = StageTimer()
    say = print if options.verbose else (lambda *a, **k: None)
    with timer("setup"):
        setup = load_setup(options.process, options.run_card, options.param_card, options.settings)
        out = _prepare_output_dir(options, setup)
        seed = _resolve_seed(options, setup)
        for name in setup.ignored_entries:
            say(f"note: run_card entry '{name}' does not apply to madnis-py and is ignored")
        for note in setup.notes:
            say(f"note: {note}")
        rng = np.random.default_rng(seed)
        config = setup.madnis_config
        generator = MadnisGenerator(setup, rng, config) if config.use_madnis else Generator(setup, rng)
        say(f"Process: {setup.process_text}  ({len(setup.groups)} subprocess group(s), "
            f"{len(generator.channels)} channel(s)), "
            f"sqrt(s) = {generator.sqrt_s:g} GeV, seed {seed}")
    with timer("training"):
        generator.train(log=say)
    with timer("integration"):
        xs = generator.refine(TARGET_RELATIVE_ERROR, MAX_REFINE_POINTS, log=say)
        say(f"Cross section: {xs}")
    with timer("generation"):
        n_events = int(setup.run_card["nevents"])
        events: GeneratedEvents = generator.generate(n_events, log=say)
    result = RunResult(
        cross_section=events.cross_section,
        n_events=len(events),
        unweighting_efficiency=events.efficiency,
        seed=seed,
        output_dir=out,
        timings={},
        subprocesses=generator.describe(),
        ignored_entries=tuple(setup.ignored_entries),
        n_matrix_element_calls=generator.n_matrix_element_calls,
    )
    with timer("output"):
        out.mkdir(parents=True, exist_ok=True)
        record = lhe_events(events, setup, rng)
        write_events_lhe(out / "events.lhe.gz", record, events.cross_section, setup)
    timings = dict(timer.seconds)
    timings["total"] = timer.total
    result = RunResult(**{**result.__dict__, "timings": timings})
    atomic_write_text(out / "results.json", json.dumps(result.to_json(), indent=2) + "\n")
    return result
