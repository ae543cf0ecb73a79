"""The Python API for generator scripts: build, train, integrate, generate, save and reload.

    import madnis_py

    gen = madnis_py.EventGenerator.from_process("p p > t t~", settings={"nevents": 1000}, seed=1)
    xs = gen.integrate()                      # IntegrationResult: xs.value, xs.error in pb
    events = gen.generate(1000)               # Events: arrays (pdg, momenta, weights, helicities, ...)
    gen.write_lhe("ttbar.lhe.gz", events)     # the same events as an LHE 3.0 file
    gen.save("ttbar.state")                   # the trained sampler; EventGenerator.load("ttbar.state")
"""

from __future__ import annotations

import math

import pickle
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from madnis_py import __version__
from madnis_py.cards import ParamCard, ProcCard, RunCard
from madnis_py.errors import UserError
from madnis_py.generator import Generator, MadnisGenerator
from madnis_py.integrator import IntegrationResult
from madnis_py.output import atomic_write_bytes
from madnis_py.output.events import lhe_events, write_events_lhe
from madnis_py.output.lhe import LHEEvents
from madnis_py.setup import RunSetup, load_setup

#: Precision the integration aims at by default, and the most points it may spend on it.
TARGET_RELATIVE_ERROR = 1e-3
MAX_REFINE_POINTS = 20_000_000


def precision_goal(n_events: int) -> float:
    """The relative error a run of ``n_events`` unweighted events refines the cross section to: half the
    events' own statistical precision, 0.5 / sqrt(n_events) (0.5% for 10000 events), or 0.1% when that is
    larger -- MadEvent too refines for the events it must produce rather than for a fixed precision. The
    integration sample that aims at it is sized by the spread of the weights so far."""
    return max(TARGET_RELATIVE_ERROR, 0.5 / math.sqrt(max(n_events, 1)))


@dataclass(frozen=True)
class Events:
    """Unweighted events as arrays: ``record`` holds the LHE fields (pdg (n, n_particles), momenta
    (n, n_particles, 4) GeV as (E, px, py, pz), weights (n,) pb, helicities, status, mothers, colour, scale,
    alpha_s, process_id); ``cross_section`` the cross section they represent; ``efficiency`` the
    unweighting efficiency."""

    record: LHEEvents
    cross_section: IntegrationResult
    efficiency: float

    def __len__(self) -> int:
        return self.record.momenta.shape[0]

    @property
    def momenta(self) -> np.ndarray:
        return self.record.momenta

    @property
    def pdg(self) -> np.ndarray:
        return self.record.pdg

    @property
    def weights(self) -> np.ndarray:
        return self.record.weights


#: run_card entries that may differ between a saved run and its resumption: they change neither the channels nor
#: the integrand nor the shapes of the networks.
RESUME_FREE_ENTRIES = frozenset({"nevents", "iseed", "device", "madnis_threads", "madnis_integrate_batch",
                                 "madnis_train_steps", "madnis_max_calls"})


def _card_differences(state: dict, setup: RunSetup) -> list[str]:
    """What differs between the cards of a saved state and those of ``setup`` (empty when resumable)."""
    out = []
    if state["proc_card"].strip() != setup.proc_card.text.strip():
        out.append("proc_card differs")
    if state["param_card"] != setup.param_card.to_text():
        out.append("param_card differs")
    saved = RunCard.from_text(state["run_card"], "<saved run_card>").as_dict()
    now = setup.run_card.as_dict()
    for name in sorted(set(saved) | set(now)):
        if name not in RESUME_FREE_ENTRIES and saved.get(name) != now.get(name):
            out.append(f"run_card {name} = {saved.get(name)!r} saved, {now.get(name)!r} now")
    return out


def _settings(settings: Mapping[str, object] | None) -> tuple[str, ...]:
    return tuple(f"{name}={value}" for name, value in (settings or {}).items())


class EventGenerator:
    """A process with its cards and its trained sampler (VEGAS, or MadNIS with ``use_madnis = True``)."""

    def __init__(self, setup: RunSetup, seed: int | None = None):
        self.setup = setup
        iseed = int(setup.run_card["iseed"])
        self.seed = seed if seed is not None else (iseed or int(time.time_ns() % 2**31) or 1)
        self.rng = np.random.default_rng(self.seed)
        config = setup.madnis_config
        self.sampler = MadnisGenerator(setup, self.rng, config) if config.use_madnis else Generator(setup, self.rng)
        self._trained = False

    @classmethod
    def from_cards(cls, process: str | Path, run_card: str | Path | None = None,
                   param_card: str | Path | None = None, settings: Mapping[str, object] | None = None,
                   seed: int | None = None) -> "EventGenerator":
        """From MadGraph cards: ``process`` is a proc_card or a directory holding one (e.g. processes/pp_tt);
        ``settings`` override run_card entries, e.g. {"nevents": 1000, "ptj": 30}."""
        as_path = lambda p: None if p is None else Path(p)
        return cls(load_setup(Path(process), as_path(run_card), as_path(param_card), _settings(settings)), seed)

    @classmethod
    def from_process(cls, process: str, settings: Mapping[str, object] | None = None, model: str = "sm",
                     param_card: str | Path | None = None, seed: int | None = None) -> "EventGenerator":
        """From a process string in MadGraph syntax ("p p > t t~", "e+ e- > mu+ mu- / z") with the default
        cards of ``cards/`` (lepton or proton beams chosen from the initial state)."""
        proc = ProcCard.from_text(f"import model {model}\ngenerate {process}\noutput madnis_run\n",
                                  path="<process string>")
        return cls(load_setup(proc, None, None if param_card is None else Path(param_card), _settings(settings)),
                   seed)

    @property
    def trained(self) -> bool:
        """Whether the sampler is trained (False for a new generator, or one restored from a checkpoint written
        before the end of its training)."""
        return self._trained or getattr(self.sampler, "phase", None) == "trained"

    def train(self, log=None, checkpoint: str | Path | Callable[[], None] | None = None) -> IntegrationResult:
        """Learns the sampling (VEGAS grids per channel, then flows with MadNIS); returns the first estimate.

        ``checkpoint``: a file that receives the state (as :meth:`save` writes it) after each training phase
        (MadNIS: after the VEGAS pre-training and after the flows), or a function called then; :meth:`load` or
        :meth:`resume` continue from such a file. A generator restored before the end of its training continues it here."""
        log = log or (lambda *a: None)
        write = checkpoint if callable(checkpoint) or checkpoint is None else (
            lambda: self.write_checkpoint(checkpoint))
        if isinstance(self.sampler, MadnisGenerator):
            self.sampler.train(log=log, checkpoint=write)
            self._trained = True
        else:
            self.sampler.train(log=log)
            self._trained = True
            if write is not None:
                write()
        return self.sampler.integrate()

    def integrate(self, target_relative_error: float = TARGET_RELATIVE_ERROR, log=None, n_events: int = 0
                  ) -> IntegrationResult:
        """The cross section in pb with its error, from an integration sample sized for ``target_relative_error``
        and, with VEGAS, large enough to supply ``n_events`` unweighted events to the next :meth:`generate`
        (trains first if needed; see :meth:`Generator.refine`)."""
        if not self._trained:
            self.train(log)
        return self.sampler.refine(target_relative_error, MAX_REFINE_POINTS, log=log or (lambda *a: None),
                                   n_events=n_events)

    def generate(self, n_events: int, log=None) -> Events:
        """Exactly ``n_events`` unweighted events (integrates first if needed)."""
        if n_events < 1:
            raise UserError(f"generate: n_events = {n_events}; ask for at least one event.")
        if not self._trained:
            self.integrate(log=log, n_events=n_events)
        events = self.sampler.generate(int(n_events), log=log or (lambda *a: None))
        return Events(lhe_events(events, self.setup, self.rng), events.cross_section, events.efficiency)

    def write_lhe(self, path: str | Path, events: Events) -> Path:
        """Writes ``events`` as LHE 3.0 (gzip if the name ends in .gz), whole or not at all; returns the path."""
        write_events_lhe(Path(path), events.record, events.cross_section, self.setup)
        return Path(path)

    def state_bytes(self) -> bytes:
        """The cards and the trained sampler, serialised (for :meth:`save` and for generation workers)."""
        if not self.trained:
            raise UserError("save: nothing trained yet; call train() or integrate() first.")
        return self._state_bytes()

    def _state_bytes(self) -> bytes:
        state = {"version": __version__, "seed": self.seed, "proc_card": self.setup.proc_card.text,
                 "proc_card_path": str(self.setup.proc_card_path), "run_card": self.setup.run_card.to_text(),
                 "param_card": self.setup.param_card.to_text(), "sampler": self.sampler.state_dict(),
                 "trained": self.trained}
        return pickle.dumps(state)

    def write_checkpoint(self, path: str | Path) -> Path:
        """Saves the state as :meth:`save` does, also in the middle of training (then :meth:`load` or
        :meth:`resume` give a generator whose :meth:`train` continues the training)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, self._state_bytes())
        return path

    @staticmethod
    def _read_state(data: bytes, source: str) -> dict:
        try:
            state = pickle.loads(data)
            state["sampler"]
        except (pickle.UnpicklingError, EOFError, KeyError, AttributeError, TypeError, ValueError) as exc:
            raise UserError(f"{source}: cannot read a saved madnis-py state ({exc}); give a file written by "
                            "EventGenerator.save or by madnis-py launch.") from None
        return state

    @classmethod
    def from_state_bytes(cls, data: bytes, seed: int | None = None, source: str = "<state>") -> "EventGenerator":
        """The inverse of :meth:`state_bytes` (new random numbers unless ``seed`` repeats)."""
        state = cls._read_state(data, source)
        setup = load_setup(ProcCard.from_text(state["proc_card"], state["proc_card_path"]),
                           RunCard.from_text(state["run_card"], f"{source} (run_card)"),
                           ParamCard.from_text(state["param_card"], f"{source} (param_card)"))
        generator = cls(setup, seed)
        generator._restore(state, source)
        return generator

    @classmethod
    def resume(cls, setup: RunSetup, path: str | Path, seed: int | None = None) -> "EventGenerator":
        """A generator for ``setup`` that continues from the state in ``path`` (written by :meth:`save`,
        :meth:`write_checkpoint` or ``madnis-py launch``). The cards must be those of the saved run, except for
        the entries in :data:`RESUME_FREE_ENTRIES` (e.g. nevents); UserError otherwise."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise UserError(f"{path}: cannot read a saved madnis-py state ({exc.strerror}); --resume needs the "
                            "output directory of an earlier run (its madnis_state.pkl).") from None
        state = cls._read_state(data, str(path))
        differences = _card_differences(state, setup)
        if differences:
            raise UserError(f"{path}: the saved run used other cards ({'; '.join(differences)}); resume with the "
                            "cards of that run, or start a new run in another directory (-o).")
        generator = cls(setup, seed)
        generator._restore(state, str(path))
        return generator

    def _restore(self, state: dict, source: str) -> None:
        try:
            self.sampler.load_state_dict(state["sampler"])
        except (ValueError, KeyError) as exc:
            raise UserError(f"{source}: the saved state does not fit this process and configuration ({exc}).") \
                from None
        self._trained = bool(state.get("trained", True))

    def save(self, path: str | Path) -> Path:
        """Saves the cards and the trained sampler, to be reloaded with :meth:`load`."""
        atomic_write_bytes(path, self.state_bytes())
        return Path(path)

    @classmethod
    def load(cls, path: str | Path, seed: int | None = None) -> "EventGenerator":
        """A generator from a state written by :meth:`save` (new random numbers unless ``seed`` repeats)."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise UserError(f"{path}: cannot read a saved madnis-py state ({exc.strerror}).") from None
        return cls.from_state_bytes(data, seed, str(path))
