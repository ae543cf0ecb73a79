"""The `madnis-py` command line.

    madnis-py launch PROCESS [--run-card F] [--param-card F] [--set NAME=VALUE ...] [--seed N] [-o OUTDIR]
                     [--force] [--format lhe,hepmc] [--shower none|pythia8] [--pythia-set SETTING ...]
                     [--no-plots] [--resume] [-q]
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from madnis_py import __version__
from madnis_py.errors import UserError


def _formats(text: str) -> tuple[str, ...]:
    """--format's value: a comma-separated list of lhe, hepmc."""
    from madnis_py.run import OUTPUT_FORMATS

    names = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [n for n in names if n not in OUTPUT_FORMATS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or repr(text)}; choose from {', '.join(OUTPUT_FORMATS)}")
    return names


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="madnis-py",
        description="Leading-order event generation with MadGraph cards and MadNIS neural importance sampling.",
    )
    parser.add_argument("--version", action="version", version=f"madnis-py {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    launch = commands.add_parser(
        "launch",
        help="integrate a process and write unweighted events",
        description="Integrates PROCESS, unweights events and writes them into OUTDIR: events.lhe.gz (LHE 3.0), "
                    "optionally events.hepmc (HepMC3) and events_showered.hepmc (Pythia 8), plots/*.png, "
                    "results.json and summary.txt.",
        epilog="Examples:\n"
               "  madnis-py launch processes/ee_mumu --set nevents=10000 -o ee_mumu_run\n"
               "  madnis-py launch processes/pp_tt --format lhe,hepmc --shower pythia8 -o pp_tt_run\n"
               "  madnis-py launch processes/pp_ttj --set use_madnis=True -o ttj_run --resume   # continue a run\n\n"
               "The trained state is saved as OUTDIR/madnis_state.pkl after each training phase and after the\n"
               "integration; --resume reloads it (same cards; nevents, iseed, madnis_threads may change) and\n"
               "skips what is done. EventGenerator.load(OUTDIR/madnis_state.pkl) reads it in Python.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    launch.add_argument("process", type=Path, metavar="PROCESS",
                        help="a proc_card.dat, or a directory holding one (e.g. processes/ee_mumu)")
    launch.add_argument("--run-card", type=Path, metavar="F",
                        help="run_card.dat (default: the process directory's, else cards/run_card.dat)")
    launch.add_argument("--param-card", type=Path, metavar="F",
                        help="param_card.dat (default: the process directory's, else cards/param_card.dat)")
    launch.add_argument("--set", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                        help="override a run_card entry, e.g. --set nevents=10000 (repeatable)")
    launch.add_argument("--seed", type=int, help="random seed (default: the run_card's iseed; 0 picks one)")
    launch.add_argument("-o", "--output", type=Path, metavar="OUTDIR",
                        help="output directory (default: the proc_card's output name)")
    launch.add_argument("--force", action="store_true", help="write into OUTDIR even if it holds a previous run")
    launch.add_argument("--format", dest="formats", type=_formats, default=("lhe",), metavar="LIST",
                        help="event files to write, comma-separated: lhe (events.lhe.gz), hepmc (events.hepmc, "
                             "HepMC3 ASCII with the same events); default: lhe")
    launch.add_argument("--shower", choices=("none", "pythia8"), default="none",
                        help="shower and hadronise events.lhe.gz with Pythia 8 (default tune) into "
                             "events_showered.hepmc; default: none")
    launch.add_argument("--pythia-set", dest="pythia_settings", action="append", default=[], metavar="SETTING",
                        help="a Pythia 8 setting for --shower pythia8, e.g. --pythia-set 'PartonLevel:MPI = off' "
                             "(repeatable)")
    launch.add_argument("--no-plots", dest="plots", action="store_false",
                        help="do not write the control plots (OUTDIR/plots/*.png)")
    launch.add_argument("--device", choices=("cpu", "cuda"),
                        help="where the per-event work runs (the run_card's device; default cpu)")
    launch.add_argument("--workers", type=int, default=1, metavar="N",
                        help="generate the events on N Dask workers (a local cluster unless --cluster is given; "
                             "needs dask[distributed])")
    launch.add_argument("--cluster", metavar="ADDRESS",
                        help="run the generation on an existing Dask scheduler (tcp://host:8786), or on 'slurm' / "
                             "'htcondor' through dask-jobqueue")
    launch.add_argument("--resume", action="store_true",
                        help="continue the run saved in OUTDIR (OUTDIR/madnis_state.pkl, written after each training "
                             "phase): skip the training done, then integrate and generate; same cards needed")
    launch.add_argument("-q", "--quiet", action="store_true", help="print only the final summary")
    return parser


def _error(message: str) -> int:
    text = textwrap.fill(str(message), width=100, initial_indent="madnis-py: error: ",
                         subsequent_indent="    ", break_long_words=False, break_on_hyphens=False)
    print(text, file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 1
    if args.shower != "none" and "lhe" not in args.formats:
        parser.error("--shower pythia8 reads events.lhe.gz: keep lhe in --format (e.g. --format lhe,hepmc)")
    if args.pythia_settings and args.shower == "none":
        parser.error("--pythia-set applies to --shower pythia8 only")
    from madnis_py.run import RunOptions, launch  # imported here so that --help is instant

    try:
        options = RunOptions(
            process=args.process,
            run_card=args.run_card,
            param_card=args.param_card,
            settings=tuple(args.settings) + ((f"device={args.device}",) if args.device else ()),
            seed=args.seed,
            output=args.output,
            force=args.force,
            verbose=not args.quiet,
            formats=tuple(args.formats),
            shower=args.shower,
            pythia_settings=tuple(args.pythia_settings),
            plots=args.plots,
            workers=args.workers,
            cluster=args.cluster,
            resume=args.resume,
        )
        result = launch(options)
    except UserError as exc:
        return _error(str(exc))
    except KeyboardInterrupt:
        return _error("interrupted; no output was written (besides a trained state, if training got that far).")
    print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
