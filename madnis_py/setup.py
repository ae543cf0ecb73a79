"""Everything a run needs, read and checked before any work starts: cards, model, process, beams, PDFs.

Card lookup: an explicit path, else the process directory's card, else the default in ``cards/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from madnis_py.alpha_s import AlphaS
from madnis_py.amplitudes import build_matrix_elements
from madnis_py.beams import Beams
from madnis_py.cards import CardError, ParamCard, ProcCard, RunCard, parse_set_argument
from madnis_py.errors import UserError
from madnis_py.groups import SubprocessGroup, group_subprocesses
from madnis_py.integrand import ScaleSettings
from madnis_py.madnis.config import MadnisConfig, register_run_card_entries
from madnis_py.model import load_model
from madnis_py.pdf import PDF
from madnis_py.process import expand_subprocesses

PROC_CARD_NAMES = ("proc_card.dat", "proc_card_mg5.dat")
register_run_card_entries()  # use_madnis and the madnis_* training options are run_card entries
LEPTONS = {11, 13, 15}


@dataclass(frozen=True)
class RunSetup:
    """The checked inputs of a run. ``notes``: things the user should know (printed once)."""

    proc_card: ProcCard
    proc_card_path: Path
    run_card: RunCard
    run_card_path: Path
    param_card: ParamCard
    param_card_path: Path
    model: object
    parameters: object
    groups: tuple[SubprocessGroup, ...]
    beams: Beams
    pdf: PDF | None
    alpha_s: AlphaS
    scales: ScaleSettings
    ignored_entries: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

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
    def alpha_qed(self) -> float:
        return 1.0 / float(self.param_card.value("SMINPUTS", 1))

    @property
    def madnis_config(self) -> MadnisConfig:
        return MadnisConfig.from_run_card(self.run_card)

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
        explicit = Path(explicit)
        if not Path(explicit).is_file():
            raise CardError(explicit, None, f"the {name} does not exist", "Check the path given on the command line")
        return Path(explicit)
    local = process_dir / name
    return local if local.is_file() else None


def _pdf(run: RunCard, beams: Beams) -> PDF | None:
    """The PDF set the run_card asks for (pdlabel nn23lo1, or lhapdf with lhaid); None for lepton beams."""
    if not beams.has_pdfs:
        return None
    label = str(run["pdlabel"]).lower()
    if label == "lhapdf":
        return PDF(int(run["lhaid"]))
    if label in ("nn23lo1", "nn23lo"):
        return PDF(label)
    raise UserError(f"{run.path}: pdlabel = {run['pdlabel']} is not available; use nn23lo1 (MadGraph's default) or "
                    "lhapdf with lhaid set to an installed LHAPDF set.")


def _scales(run: RunCard, groups, notes: list[str]) -> ScaleSettings:
    """The scale settings; MadGraph's default -1 is its kT-clustering scale (madnis_py/clustering.py), H_T/2
    (with a note) for a process it cannot cluster (more than 12 particles, no three-point diagram)."""
    choice = int(run["dynamical_scale_choice"])
    if choice == 0 or choice < -1 or choice > 4:
        raise UserError(f"{run.path}: dynamical_scale_choice = {choice}; madnis-py offers -1 (MadGraph's default), "
                        "1 (sum E_T), 2 (H_T), 3 (H_T/2) and 4 (sqrt(s-hat)).")
    fixed_ren, fixed_fac = bool(run["fixed_ren_scale"]), bool(run["fixed_fac_scale"])
    q1, q2 = float(run["dsqrt_q2fact1"]), float(run["dsqrt_q2fact2"])
    if fixed_fac and q1 != q2:
        raise UserError(f"{run.path}: dsqrt_q2fact1 = {q1} and dsqrt_q2fact2 = {q2}: different fixed factorisation "
                        "scales per beam are not supported; give both the same value.")
    if choice == -1 and not (fixed_ren and fixed_fac) and any(g.clustering is None for g in groups):
        notes.append("dynamical_scale_choice = -1 (MadGraph's kT-clustering scale) needs diagrams of three-point "
                     "vertices and at most 12 particles; this process uses H_T/2 (choice 3) instead.")
        choice = 3
    return ScaleSettings(fixed_ren, fixed_fac, float(run["scale"]), q1, choice, float(run["scalefact"]))


def load_setup(process: Path | ProcCard, run_card: Path | RunCard | None = None,
               param_card: Path | ParamCard | None = None, settings: tuple[str, ...] = ()) -> RunSetup:
    """Reads and checks the cards and the process; raises UserError (CardError) for any mistake.

    process: a proc_card path, a directory holding one, or a ProcCard; run_card, param_card: paths or card
    objects (default: the process directory's, else cards/); settings: run_card overrides "NAME=VALUE".
    """
    if isinstance(process, ProcCard):
        proc, proc_path = process, Path(str(process.path))
    else:
        proc_path = find_proc_card(process)
        proc = ProcCard.read(proc_path)
    model = load_model(proc.model)
    if proc.option("complex_mass_scheme"):
        raise UserError(f"{proc_path}: 'set complex_mass_scheme True' is not supported yet: madnis-py uses real "
                        "masses with fixed widths in the propagators (MadGraph's default); remove the line.")

    if isinstance(param_card, ParamCard):
        param, param_path = param_card, None
    else:
        param_path = _card_path(param_card, proc_path.parent, "param_card.dat")
        param = ParamCard.read(param_path) if param_path else ParamCard.default()
    parameters = model.parameters(param)

    subprocesses = expand_subprocesses(proc, model, lambda p: float(parameters.mass_of(p)))
    lepton_beams = all(abs(p) in LEPTONS for p in subprocesses[0].pdgs[:2])
    if isinstance(run_card, RunCard):
        run = run_card
    else:
        run_path = _card_path(run_card, proc_path.parent, "run_card.dat")
        run = RunCard.read(run_path) if run_path else RunCard.default(lepton_beams=lepton_beams)
    for text in settings:
        name, value = parse_set_argument(text)
        run.set(name, value, source=f"--set {text}")
    beams = Beams.from_run_card(run, subprocesses[0].pdgs[:2], str(run.path))
    if not beams.has_pdfs and any(s.pdgs[:2] != subprocesses[0].pdgs[:2] for s in subprocesses):
        raise UserError(f"{proc_path}: lepton beams without PDF (lpp1 = lpp2 = 0) need one initial state; "
                        f"'{proc.processes[0].text}' has several.")
    if beams.has_pdfs and any(abs(p) in LEPTONS for s in subprocesses for p in s.pdgs[:2]):
        raise UserError(f"{proc_path}: '{proc.processes[0].text}' has leptons in the initial state but the beams "
                        f"are (anti)protons (lpp1 = {beams.lpp[0]}); use partons (p, j, g, u, ...) or lpp = 0.")
    pdf = _pdf(run, beams)
    alpha_s = AlphaS.for_pdf(pdf, nloop=2) if pdf is not None else AlphaS(float(parameters.alpha_s), nloop=2)

    pairs = build_matrix_elements(subprocesses, model, parameters, proc)
    groups = group_subprocesses(pairs, run, parameters, bool(proc.option("zerowidth_tchannel")))
    notes: list[str] = []
    scales = _scales(run, groups, notes)
    return RunSetup(proc, proc_path, run, Path(run.path), param, param_path or Path(param.path), model, parameters,
                    tuple(groups), beams, pdf, alpha_s, scales, tuple(run.ignored()), tuple(notes))
