"""Everything a run needs, read and checked before any work starts: cards, model, subprocesses, beams.

Card lookup: an explicit path, else the process directory's card, else the default in ``cards/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from madnis_py.alpha_s import AlphaS
from madnis_py.beams import Beams
from madnis_py.cards import CardError, ParamCard, ProcCard, RunCard, parse_set_argument
from madnis_py.cuts import CutSpec
from madnis_py.errors import UserError
from madnis_py.amplitudes import build_matrix_elements
from madnis_py.model import load_model
from madnis_py.phasespace import TwoBodyPhaseSpace
from madnis_py.process import Subprocess, expand_subprocesses

PROC_CARD_NAMES = ("proc_card.dat", "proc_card_mg5.dat")
LEPTONS = {11, 13, 15}


@dataclass(frozen=True)
class SubprocessSetup:
    """A subprocess with its matrix element (momenta, alpha_s -> |M|^2) and its cuts."""

    subprocess: Subprocess
    matrix_element: object
    cuts: CutSpec

    @property
    def name(self) -> str:
        return self.subprocess.name

    @property
    def pdgs(self) -> tuple[int, ...]:
        return self.subprocess.pdgs

    @property
    def masses(self) -> tuple[float, ...]:
        return self.subprocess.masses

    @property
    def process_id(self) -> int:
        return self.subprocess.process_id

    def phase_space(self, sqrt_s: float):
        """The phase-space mapping at partonic energy sqrt_s (GeV)."""
        if len(self.masses) != 4:
            raise UserError(
                f"{self.subprocess.definition.path}, line {self.subprocess.definition.line}: {self.name} has "
                f"{len(self.masses) - 2} final-state particles; only 2 -> 2 processes are supported so far."
            )
        return TwoBodyPhaseSpace(sqrt_s, self.masses)

    def colour_flow(self) -> np.ndarray:
        """LHE colour tags (n_particles, 2) of the event's colour flow (zero for colourless particles)."""
        return np.zeros((len(self.masses), 2), dtype=np.int64)


@dataclass(frozen=True)
class RunSetup:
    """The checked inputs of a run."""

    proc_card: ProcCard
    proc_card_path: Path
    run_card: RunCard
    run_card_path: Path
    param_card: ParamCard
    param_card_path: Path
    model: object
    parameters: object
    subprocesses: tuple[SubprocessSetup, ...]
    beams: Beams
    ignored_entries: tuple[str, ...]

    @property
    def proc_card_text(self) -> str:
        return self.proc_card.text

    @property
    def output_name(self) -> str:
        return self.proc_card.output or self.proc_card_path.parent.name or "madnis_run"

    @property
    def process_text(self) -> str:
        return "; ".join(str(d) for d in self.proc_card.processes)

    @property
    def alpha_s(self) -> AlphaS:
        """alpha_s(Q) as MadGraph runs it for lepton beams: 2 loops from the param_card's aS at MZ."""
        return AlphaS(float(self.parameters.alpha_s), nloop=2)

    def renormalisation_scale(self, sqrt_s_hat: float) -> float:
        """mu_R in GeV: the run_card's ``scale`` if ``fixed_ren_scale``, else sqrt(s-hat) (MadGraph's choice
        for 2 -> 2 lepton collisions), times ``scalefact``."""
        if self.run_card["fixed_ren_scale"]:
            return float(self.run_card["scale"])
        return float(self.run_card["scalefact"]) * sqrt_s_hat

    @property
    def alpha_qed(self) -> float:
        return 1.0 / float(self.param_card.value("SMINPUTS", 1))

    @property
    def event_norm(self) -> str:
        return str(self.run_card["event_norm"])


def find_proc_card(process: Path) -> Path:
    """The proc_card for PROCESS: the file itself, or proc_card.dat / proc_card_mg5.dat in the directory."""
    process = Path(process)
    if process.is_dir():
        for name in PROC_CARD_NAMES:
            if (process / name).is_file():
                return process / name
        raise UserError(f"{process}: no proc_card.dat in this directory; give a proc_card file or a process "
                        "directory such as processes/ee_mumu.")
    if not process.exists():
        raise UserError(f"{process}: no such file or directory; give a proc_card.dat or a process directory "
                        "(the built-in ones are in processes/).")
    return process


def _card_path(explicit: Path | None, process_dir: Path, name: str) -> Path | None:
    if explicit is not None:
        if not Path(explicit).is_file():
            raise CardError(explicit, None, f"the {name} does not exist", "Check the path given on the command line")
        return Path(explicit)
    local = process_dir / name
    return local if local.is_file() else None


def load_setup(process: Path, run_card: Path | None = None, param_card: Path | None = None,
               settings: tuple[str, ...] = ()) -> RunSetup:
    """Reads and checks the cards and the process; raises UserError (CardError) for any mistake."""
    proc_path = find_proc_card(process)
    proc = ProcCard.read(proc_path)
    model = load_model(proc.model)

    param_path = _card_path(param_card, proc_path.parent, "param_card.dat")
    param = ParamCard.read(param_path) if param_path else ParamCard.default()
    parameters = model.parameters(param)

    subprocesses = expand_subprocesses(proc, model, lambda p: float(parameters.mass_of(p)))
    initial_pdgs = subprocesses[0].pdgs[:2]
    lepton_beams = all(abs(p) in LEPTONS for p in initial_pdgs)
    run_path = _card_path(run_card, proc_path.parent, "run_card.dat")
    run = RunCard.read(run_path) if run_path else RunCard.default(lepton_beams=lepton_beams)
    for text in settings:
        name, value = parse_set_argument(text)
        run.set(name, value, source=f"--set {text}")
    beams = Beams.from_run_card(run, initial_pdgs, str(run.path))
    if any(s.pdgs[:2] != initial_pdgs for s in subprocesses):
        raise UserError(f"{proc_path}: lepton beams without PDF need one initial state; "
                        f"'{proc.processes[0].text}' has several.")

    setups = [SubprocessSetup(sub, me, CutSpec.from_run_card(run, sub.pdgs[2:]))
              for sub, me in build_matrix_elements(subprocesses, model, parameters, proc)]
    return RunSetup(proc, proc_path, run, Path(run.path), param, param_path or Path(param.path), model, parameters,
                    tuple(setups), beams, tuple(run.ignored()))
