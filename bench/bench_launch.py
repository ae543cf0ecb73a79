"""End-to-end wall time of `madnis-py launch` for 10000 unweighted events, against MadGraph5 on the same
kind of machine (2 cores; MadGraph 3.5.7 including its compilation).

    python bench/bench_launch.py [PROCESS ...] [--events N] [--seed S] [--set NAME=VALUE ...]

e.g. `--set nhel=1` samples the helicities; `--set me_precision=double` keeps the matrix elements in double
precision (the default, auto, chooses single where it agrees with double: g g > t t~ g g 32 s against 55 s).

Runs the command as a user would (a fresh Python process), prints the stages from results.json, the cross
section, and the ratio of MadGraph's time to ours.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: MadGraph5 3.5.7 wall times for 10000 unweighted events, this kind of machine (2 cores), in seconds.
MADGRAPH_SECONDS = {"pp_tt": 10.8, "gg_ttgg": 107.0, "pp_ttj": 29.0, "pp_ttjj": 247.0, "gg_wduxgg": 1166.0}


def run(process: str, events: int, seed: int, settings: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        command = [sys.executable, "-m", "madnis_py.cli", "launch", str(ROOT / "processes" / process), "-o",
                   str(out), "--seed", str(seed), "--set", f"nevents={events}", "-q"]
        for setting in settings:
            command += ["--set", setting]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - start
        result = json.loads((out / "results.json").read_text())
    stages = ", ".join(f"{k} {v:.1f} s" for k, v in result["timings_s"].items() if k != "total")
    print(f"{process:<10} {' '.join(settings):<8} {wall:7.1f} s  ({stages})")
    print(f"{'':<10} sigma = {result['cross_section_pb']:.5g} +- {result['cross_section_error_pb']:.2g} pb, "
          f"efficiency {result['unweighting_efficiency']:.3f}, {result['n_matrix_element_calls']} ME calls")
    if process in MADGRAPH_SECONDS:
        mg = MADGRAPH_SECONDS[process]
        print(f"{'':<10} MadGraph5 3.5.7: {mg:.1f} s -> madnis-py is {mg / wall:.1f}x faster")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("processes", nargs="*", default=["pp_tt", "gg_ttgg"])
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--set", action="append", default=[], help="run_card entry NAME=VALUE for every process")
    args = ap.parse_args()
    for process in args.processes:
        run(process, args.events, args.seed, args.set)


if __name__ == "__main__":
    main()
