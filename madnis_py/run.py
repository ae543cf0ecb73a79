"""`madnis-py launch`: cards -> process -> training -> integration -> unweighted events -> files.

The output files appear whole at the end, except the trained state (STATE_FILE), which is written into the output
directory after each training phase and after the integration, so that a run that stops (interrupted, killed, out
of time) can continue with `madnis-py launch ... --resume`.
"""

from __future__ import annotations

import errno
import json
import time
from dataclasses import dataclass, field
from pathlib import Path


from madnis_py import __version__
from madnis_py.errors import UserError
from madnis_py.distributed import generate_distributed, integrate_distributed
from madnis_py.event_generator import EventGenerator, precision_goal
from madnis_py.integrator import IntegrationResult
from madnis_py.output import atomic_write_text
from madnis_py.output.events import write_events_lhe
from madnis_py.progress import Console
from madnis_py.setup import RunSetup, load_setup
from madnis_py.timing import StageTimer




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
    #: Event files to write: "lhe" (events.lhe.gz), "hepmc" (events.hepmc, HepMC3 ASCII).
    formats: tuple[str, ...] = ("lhe",)
    #: "none" or "pythia8" (shower + hadronisation of events.lhe.gz into events_showered.hepmc).
    shower: str = "none"
    #: Extra Pythia 8 settings, "Name:key = value".
    pythia_settings: tuple[str, ...] = ()
    #: Write the control plots into OUTDIR/plots/.
    plots: bool = True
    #: Generation on Dask: the number of workers, and a scheduler address or "slurm"/"htcondor" (None: local).
    workers: int = 1
    cluster: str | None = None
    #: Continue the run saved in the output directory (its STATE_FILE) instead of starting afresh.
    resume: bool = False

    def __post_init__(self) -> None:
        unknown = sorted(set(self.formats) - set(OUTPUT_FORMATS))
        if unknown or not self.formats:
            raise UserError(f"unknown or empty output format {unknown or list(self.formats)}; "
                            f"choose from {', '.join(OUTPUT_FORMATS)} (e.g. --format lhe,hepmc).")
        if self.shower not in ("none", "pythia8"):
            raise UserError(f"unknown shower '{self.shower}'; choose 'none' or 'pythia8'.")
        if self.shower != "none" and "lhe" not in self.formats:
            raise UserError("--shower pythia8 showers events.lhe.gz: keep 'lhe' in --format (e.g. --format lhe,hepmc).")


#: The values of --format and the file each writes.
OUTPUT_FORMATS = {"lhe": "events.lhe.gz", "hepmc": "events.hepmc"}
SHOWERED_FILE = "events_showered.hepmc"
#: The trained state in the output directory: written after each training phase, after the integration and at the
#: end; `madnis-py launch ... --resume` continues from it, EventGenerator.load reads it.
STATE_FILE = "madnis_state.pkl"


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
    files: tuple[str, ...] = ()
    shower: dict | None = None

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
            "files": list(self.files),
            **({"shower": self.shower} if self.shower else {}),
        }

    def summary(self) -> str:
        xs = self.cross_section
        return (
            f"Cross section: {xs.value:.6g} +- {xs.error:.3g} pb  ({100 * xs.relative_error:.3f}%)\n"
            f"Events: {self.n_events} unweighted, efficiency {100 * self.unweighting_efficiency:.1f}%\n"
            + (f"Shower: Pythia 8, {self.shower['n_events']} events ({self.shower['n_failed']} failed)\n"
               if self.shower else "")
            + f"Output: {self.output_dir}/ " + ", ".join(self.files or ("events.lhe.gz", "results.json")) + "\n"
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
    if options.resume:
        if not (out / STATE_FILE).is_file():
            raise UserError(f"--resume: {out / STATE_FILE} does not exist; give the output directory of an "
                            "earlier run with -o, or leave out --resume to start a new run.")
        return out
    if out.is_dir() and any(out.iterdir()) and not options.force:
        raise UserError(
            f"output directory {out} already holds files; choose another with -o, pass --force to overwrite, "
            "or --resume to continue the run saved there."
        )
    return out


def launch(options: RunOptions) -> RunResult:
    """Runs a whole generation as `madnis-py launch` does and returns its result."""
    timer = StageTimer()
    say = Console(options.verbose)
    with timer("setup"):
        setup = load_setup(options.process, options.run_card, options.param_card, options.settings)
        out = _prepare_output_dir(options, setup)
        seed = _resolve_seed(options, setup)
        for name in setup.ignored_entries:
            say(f"note: run_card entry '{name}' does not apply to madnis-py and is ignored")
        for note in setup.notes:
            say(f"note: {note}")
        state_file = out / STATE_FILE
        created = not out.exists()  # before the first checkpoint: a failed run then leaves no directory behind
        if options.resume:
            generator = EventGenerator.resume(setup, state_file, seed)
        else:
            generator = EventGenerator(setup, seed)
        say(f"Process: {setup.process_text}  ({len(setup.groups)} subprocess group(s), "
            f"{len(generator.sampler.channels)} channel(s)), "
            f"sqrt(s) = {setup.beams.sqrt_s:g} GeV, seed {seed}")

    def save_state() -> None:
        try:
            generator.write_checkpoint(state_file)
        except OSError as exc:
            raise UserError(_write_error_message(exc, out)) from None

    n_events = int(setup.run_card["nevents"])
    goal = precision_goal(n_events)
    distributed = options.workers > 1 or options.cluster
    try:
        with timer("training"):
            if generator.trained:
                say(f"resumed from {state_file}: the training is done, skipped")
            else:
                if options.resume:
                    say(f"resumed from {state_file}: continuing the training")
                generator.train(log=say, checkpoint=save_state)
        say.stage("training", f"sigma = {generator.sampler.integrate()} after {timer.seconds['training']:.1f} s")
        # the integration sample (on the workers, if any) also gives the events, unless the sampler's generation
        # draws its own points (then on the workers, if any)
        events_on_workers = distributed and not generator.sampler.integration_gives_events
        with timer("integration"):
            if distributed and not events_on_workers:
                cross_section = integrate_distributed(generator, goal, n_events, options.workers, options.cluster,
                                                      say)
            else:
                cross_section = generator.integrate(goal, log=say, n_events=n_events)
            save_state()
        say.stage("integration", f"sigma = {cross_section} ({100 * cross_section.relative_error:.3f}%) after "
                  f"{timer.seconds['integration']:.1f} s")
        with timer("generation"):
            if events_on_workers:
                record, efficiency = generate_distributed(generator, n_events, options.workers, options.cluster,
                                                          say)
            else:
                events = generator.generate(n_events, log=say)
                record, efficiency = events.record, events.efficiency
        say.stage("generation", f"{record.n_events} unweighted events, efficiency {100 * efficiency:.1f}%, "
                  f"sigma = {cross_section} after {timer.seconds['generation']:.1f} s")
    except KeyboardInterrupt:
        if state_file.is_file():
            raise UserError(f"interrupted; the state saved so far is in {state_file}: run the same command with "
                            "--resume to continue from it.") from None
        raise
    result = RunResult(
        cross_section=cross_section,
        n_events=record.n_events,
        unweighting_efficiency=efficiency,
        seed=seed,
        output_dir=out,
        timings={},
        subprocesses=generator.sampler.describe(),
        ignored_entries=tuple(setup.ignored_entries),
        n_matrix_element_calls=generator.sampler.n_matrix_element_calls,
    )
    written: list[Path] = [state_file] if created else []  # a new run's checkpoint goes with a failed output
    try:
        with timer("output"):
            out.mkdir(parents=True, exist_ok=True)
            shower = _write_events(out, record, cross_section, setup, options, seed, say, written)
            if options.plots:
                from madnis_py.output.plots import make_plots

                history = result.to_json().get("training_history") or getattr(generator.sampler, "history", None)
                written += make_plots(out / "plots", record, cross_section_pb=cross_section.value,
                                      weighted_weights=generator.sampler.weighted_sample,
                                      training_history=history, title=setup.process_text)
                say.stage("plots", f"{out / 'plots'}/ " + ", ".join(p.name for p in written if p.suffix == ".png"))
            generator.write_checkpoint(state_file)  # with the generation's points, which plan a later refine
        timings = dict(timer.seconds)
        timings["total"] = timer.total
        files = tuple(str(p.relative_to(out)) for p in written if p != state_file) + (STATE_FILE, "results.json",
                                                                                       "summary.txt")
        result = RunResult(**{**result.__dict__, "timings": timings, "files": files, "shower": shower})
        atomic_write_text(out / "results.json", json.dumps(result.to_json(), indent=2) + "\n")
        written.append(out / "results.json")
        atomic_write_text(out / "summary.txt", _summary_text(result, setup, options))
    except OSError as exc:
        _remove_partial_output(written, out if created else None)
        raise UserError(_write_error_message(exc, out)) from None
    except BaseException:
        _remove_partial_output(written, out if created else None)
        raise
    return result


def _write_events(out: Path, record, cross_section, setup, options: RunOptions, seed: int, say: Console,
                  written: list[Path]) -> dict | None:
    """Writes the event files asked for (LHE, HepMC3, showered HepMC3) into ``out``, appending each to
    ``written`` once complete; returns the shower's summary (or None)."""
    if "lhe" in options.formats:
        write_events_lhe(out / OUTPUT_FORMATS["lhe"], record, cross_section, setup)
        written.append(out / OUTPUT_FORMATS["lhe"])
    if "hepmc" in options.formats:
        from madnis_py.output.hepmc import HepMCRunInfo, write_hepmc

        info = HepMCRunInfo(beam_pdg=tuple(setup.beams.pdg), beam_energy=tuple(setup.beams.energy),
                            cross_section_pb=cross_section.value,
                            cross_section_error_pb=cross_section.error, version=__version__)
        counter = say.counter("HepMC3", record.n_events)
        write_hepmc(out / OUTPUT_FORMATS["hepmc"], record, info, progress=lambda done, n: counter.update(done))
        written.append(out / OUTPUT_FORMATS["hepmc"])
        counter.done()
    if options.shower == "none":
        return None
    from madnis_py.output.shower import shower_lhe

    counter = say.counter("Pythia 8 shower", record.n_events)
    result = shower_lhe(out / OUTPUT_FORMATS["lhe"], out / SHOWERED_FILE, seed=seed,
                        settings=options.pythia_settings, n_expected=record.n_events, version=__version__,
                        progress=lambda done, n, text: counter.update(done, f"sigma = {text}"))
    written.append(out / SHOWERED_FILE)
    counter.done(result.n_events + result.n_failed,
                 f"{result.n_failed} failed, sigma = {result.cross_section_pb:.6g} pb")
    return result.to_json()


def _remove_partial_output(written: list[Path], created_dir: Path | None) -> None:
    """Removes the files this run wrote (a failed output stage keeps nothing), and the directory if this run
    created it and it is empty now."""
    for path in reversed(written):
        try:
            path.unlink()
        except OSError:
            pass
    if created_dir is not None:
        for directory in (created_dir / "plots", created_dir):
            try:
                directory.rmdir()
            except OSError:
                pass


def _write_error_message(exc: OSError, out: Path) -> str:
    what = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else (exc.strerror or str(exc))
    where = f" ({exc.filename})" if exc.filename else ""
    return (f"could not write the output into {out}: {what}{where}. No output file was kept; free some space "
            f"or choose another directory with -o, and run again.")


def _summary_text(result: RunResult, setup: RunSetup, options: RunOptions) -> str:
    """The human-readable OUTDIR/summary.txt."""
    xs = result.cross_section
    lines = [
        f"madnis-py {__version__} run summary",
        "",
        f"process        : {setup.process_text}",
        f"proc_card      : {setup.proc_card_path}",
        f"run_card       : {setup.run_card_path}",
        f"param_card     : {setup.param_card_path}",
        f"overrides      : {' '.join(options.settings) or '(none)'}",
        f"beams          : {setup.beams.pdg[0]} ({setup.beams.energy[0]:g} GeV) x "
        f"{setup.beams.pdg[1]} ({setup.beams.energy[1]:g} GeV)",
        f"seed           : {result.seed}",
        "",
        f"cross section  : {xs.value:.6g} +- {xs.error:.3g} pb ({100 * xs.relative_error:.3f}%)",
        f"events         : {result.n_events} unweighted (unweighting efficiency {100 * result.unweighting_efficiency:.2f}%)",
        f"matrix elements: {result.n_matrix_element_calls} evaluations",
    ]
    for group in result.subprocesses:
        lines.append(f"  {', '.join(group['subprocesses'])}: {group['cross_section_pb']:.6g} +- "
                     f"{group['error_pb']:.3g} pb ({group['channels']} channel(s), {group['me_precision']} precision)")
    if result.shower:
        lines.append(f"shower         : Pythia 8, {result.shower['n_events']} events showered, "
                     f"{result.shower['n_failed']} failed, sigma = {result.shower['cross_section_pb']:.6g} pb")
    lines += ["", "files:"] + [f"  {name}" for name in result.files]
    lines += ["", "wall time:"] + [f"  {k:<12} {v:8.2f} s" for k, v in result.timings.items()]
    return "\n".join(lines) + "\n"
