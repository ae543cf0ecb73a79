"""The proc_card: MadGraph commands that choose the model and the processes.

Understood commands::

    import model sm                      # also sm-no_b_mass, sm-ckm_no_b_mass
    define l+ = e+ mu+                   # or: define l+ e+ mu+
    generate p p > t t~ QCD<=2 @1
    add process p p > t t~ j
    output pp_tt
    set zerowidth_tchannel True          # kept in ProcCard.options

Each process is parsed into a :class:`ProcessDefinition`; particle and multiparticle labels stay
strings here (they are expanded and checked against the model later, which can name the line
through ``ProcessDefinition.line``). MadGraph's harmless commands (``launch``, ``display``, ...)
are accepted and ignored with a note in ``ProcCard.notes``.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import CardError, read_card_text

__all__ = ["ProcCard", "ProcessDefinition", "SUPPORTED_MODELS", "default_multiparticles"]

#: Models madnis-py knows: MadGraph's ``sm`` and two of its restrictions.
SUPPORTED_MODELS = ("sm", "sm-no_b_mass")

#: Models whose b quark is massless: MadGraph then puts b and b~ in p and j.

#: MadGraph defaults of the ``set`` options madnis-py looks at.
OPTION_DEFAULTS: dict[str, Any] = {
    "zerowidth_tchannel": True,
    "complex_mass_scheme": False,
    "gauge": "unitary",
}

_IGNORED_COMMANDS = {
    "launch": "madnis-py runs the integration itself; run settings belong in the run_card "
              "(or --set NAME=VALUE)",
    "display": "display commands have no effect on the run",
    "history": "history has no effect on the run",
    "help": "help has no effect on the run",
    "exit": "exit has no effect on the run",
    "quit": "quit has no effect on the run",
    "check": "check commands are not run",
    "install": "install commands are not run",
    "open": "open has no effect on the run",
    "shell": "shell commands are not run",
    "tutorial": "tutorial has no effect on the run",
    "print_results": "print_results has no effect on the run",
}
_COMMANDS = ("import", "define", "generate", "add", "output", "set") + tuple(_IGNORED_COMMANDS)

_LABEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-~]*$")
_ORDER_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\^2)?(==|<=|>=|=|<|>)(-?\d+)$")


def default_multiparticles(model: str = "sm") -> dict[str, list[str]]:
    """MadGraph's predefined multiparticle labels for a model (p, j, l+, l-, vl, vl~).

    For the restrictions with a massless b quark (``sm-no_b_mass``), p and j include b and b~,
    as MadGraph defines them.
    """
    from ..model import load_model

    return {label: list(members) for label, members in load_model(model).multiparticles.items()}


@dataclass
class ProcessDefinition:
    """One ``generate`` / ``add process`` statement.

    Attributes:
        initial: initial-state labels (one or two), e.g. ``["p", "p"]``.
        final: final-state labels, e.g. ``["t", "t~"]``.
        coupling_orders: ``{"QCD": ("<=", 2)}``; MadGraph's ``QED=2`` means at most 2 and is
            stored as ``("<=", 2)``; ``==`` and ``>=`` are kept as written.
        excluded: particles removed from all propagators (``/ a z``).
        s_channel_excluded: particles forbidden on-shell in the s-channel (``$ z``).
        s_channel_removed: particles removed from the s-channel entirely (``$$ z``).
        required_s_channels: particles required in the s-channel (``e+ e- > z > mu+ mu-``).
        process_id: the ``@N`` number, or None.
        line, path: where the statement is, for later error messages.
        text: the statement as written (without the command).
    """

    initial: list[str]
    final: list[str]
    coupling_orders: dict[str, tuple[str, int]] = field(default_factory=dict)
    excluded: list[str] = field(default_factory=list)
    s_channel_excluded: list[str] = field(default_factory=list)
    s_channel_removed: list[str] = field(default_factory=list)
    required_s_channels: list[str] = field(default_factory=list)
    process_id: int | None = None
    line: int | None = None
    path: str = "<proc_card>"
    text: str = ""

    def __str__(self) -> str:
        parts = list(self.initial) + [">"]
        if self.required_s_channels:
            parts += list(self.required_s_channels) + [">"]
        parts += list(self.final)
        if self.excluded:
            parts += ["/"] + list(self.excluded)
        if self.s_channel_excluded:
            parts += ["$"] + list(self.s_channel_excluded)
        if self.s_channel_removed:
            parts += ["$$"] + list(self.s_channel_removed)
        parts += [f"{name}{op}{n}" for name, (op, n) in self.coupling_orders.items()]
        if self.process_id is not None:
            parts.append(f"@{self.process_id}")
        return " ".join(parts)

    def error(self, message: str, hint: str = "") -> CardError:
        """A :class:`CardError` that names this statement's file and line."""
        return CardError(self.path, self.line, message, hint)


def _normalise(text: str) -> str:
    """Put spaces around the process arrow and the / $ $$ markers; glue coupling orders."""
    text = re.sub(r"\s*(\^2)?\s*(==|<=|>=)\s*(?=-?\d)", r"\1\2", text)
    text = re.sub(r"([A-Za-z_][A-Za-z0-9_]*)\s*(\^2)?\s*=\s*(?=-?\d)", r"\1\2=", text)
    text = re.sub(r"(?<![<>=])>(?!=)", " > ", text)
    text = re.sub(r"\$\$|\$|/", lambda m: f" {m.group(0)} ", text)
    text = re.sub(r"@\s*", " @", text)
    return " ".join(text.split())


def parse_process(text: str, path: str = "<proc_card>", line: int | None = None
                  ) -> ProcessDefinition:
    """Parse a process statement such as ``p p > t t~ QED=0 @1``.

    Raises:
        CardError: for a malformed statement, naming ``path`` and ``line``.
    """
    def fail(message: str, hint: str) -> CardError:
        return CardError(path, line, message, hint)

    statement = text.strip()
    if "," in statement or "(" in statement or ")" in statement:
        raise fail(f"decay chains are not supported yet (`{statement}`)",
                   "Generate the full final state instead, e.g. `p p > b w+ b~ w-` with "
                   "`$ t t~` or required s-channels")
    if "[" in statement or "]" in statement:
        raise fail(f"loop or NLO processes are not supported (`{statement}`)",
                   "madnis-py computes leading-order tree-level processes; remove the [...]")
    if "{" in statement or "}" in statement:
        raise fail(f"polarised particles are not supported (`{statement}`)",
                   "Remove the {...} polarisation from the process")
    tokens = _normalise(statement).split()
    if ">" not in tokens:
        raise fail(f"`{statement}` is not a process: there is no `>`",
                   "Write the process as `initial > final`, e.g. `generate e+ e- > mu+ mu-`")
    process = ProcessDefinition(initial=[], final=[], line=line, path=str(path), text=statement)
    segments: list[list[str]] = [[]]
    target: list[str] | None = None  # where labels after / $ $$ go
    for token in tokens:
        if token == ">":
            if target is not None:
                raise fail(f"`>` after `/` or `$` in `{statement}`",
                           "Put the excluded particles (/ a, $ z) after the final state")
            segments.append([])
        elif token == "/":
            target = process.excluded
        elif token == "$":
            target = process.s_channel_excluded
        elif token == "$$":
            target = process.s_channel_removed
        elif token.startswith("@"):
            if not re.fullmatch(r"@\d+", token):
                raise fail(f"cannot read the process number `{token}`",
                           "Write it as @N with an integer N, e.g. @1")
            process.process_id = int(token[1:])
        elif token.startswith("--"):
            continue  # MadGraph options such as --no_warning=duplicate have no effect here
        elif _ORDER_RE.match(token):
            name, squared, op, value = _ORDER_RE.match(token).groups()
            if squared:
                raise fail(f"squared coupling-order constraints ({token}) are not supported",
                           "Use amplitude orders, e.g. QCD<=2 or QED=0")
            if op in ("<", ">"):
                raise fail(f"cannot read the coupling order `{token}`",
                           "Write NAME<=N, NAME=N (at most N), NAME==N or NAME>=N")
            name = name.upper()
            if name in process.coupling_orders:
                raise fail(f"coupling order {name} is given twice", "Keep one constraint")
            process.coupling_orders[name] = ("<=" if op == "=" else op, int(value))
        elif _LABEL_RE.match(token):
            (target if target is not None else segments[-1]).append(token)
        else:
            raise fail(f"cannot read `{token}` in the process `{statement}`",
                       "Particles are written with MadGraph's names (e+, mu-, t~, g, p, j)")
    process.initial, process.final = segments[0], segments[-1]
    process.required_s_channels = [label for segment in segments[1:-1] for label in segment]
    if not process.initial:
        raise fail(f"the process `{statement}` has no initial state",
                   "Write the incoming particles before `>`, e.g. `e+ e- > mu+ mu-`")
    if len(process.initial) > 2:
        raise fail(f"the process `{statement}` has {len(process.initial)} incoming particles",
                   "A process has one (decay) or two (collision) incoming particles")
    if not process.final:
        raise fail(f"the process `{statement}` has an empty final state",
                   "Write the outgoing particles after `>`, e.g. `e+ e- > mu+ mu-`")
    if any(not segment for segment in segments[1:-1]):
        raise fail(f"empty s-channel requirement between two `>` in `{statement}`",
                   "Write `a b > z > c d` to require a z in the s-channel")
    for name, labels in (("/", process.excluded), ("$", process.s_channel_excluded),
                         ("$$", process.s_channel_removed)):
        if name in tokens and not labels:
            raise fail(f"`{name}` is not followed by any particle in `{statement}`",
                       f"Write e.g. `{name} z`, or remove the `{name}`")
    return process


def _value(text: str) -> Any:
    """Value of a ``set`` option: bool, int, float or the text."""
    word = text.strip()
    if word.lower() in ("true", "t", ".true."):
        return True
    if word.lower() in ("false", "f", ".false."):
        return False
    try:
        return int(word)
    except ValueError:
        pass
    try:
        return float(word)
    except ValueError:
        return word


class ProcCard:
    """A proc_card (MadGraph command file) with the model, multiparticles and processes.

    Attributes:
        path: the file.
        model: the model name as imported (``"sm"`` when the card has no ``import model``).
        multiparticles: label -> list of labels, MadGraph's predefined ones plus ``define``s.
        multiparticle_lines: label -> line of its ``define`` (None for predefined labels).
        processes: the process statements, in order (``generate`` starts the list anew).
        output: the ``output`` directory name, or None; ``output_format`` e.g. ``"madevent"``.
        options: ``set NAME VALUE`` lines, values converted to bool/int/float where they read so.
        notes: commands that were accepted and ignored, one sentence each with the line.
        text: the card as read.
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        """An empty card (model sm, no process); use :meth:`read` or :meth:`from_text`."""
        self.path: str = str(path) if path is not None else "<proc_card>"
        self.model: str = "sm"
        self.model_line: int | None = None
        self.multiparticles: dict[str, list[str]] = default_multiparticles("sm")
        self.multiparticle_lines: dict[str, int | None] = dict.fromkeys(self.multiparticles)
        self.processes: list[ProcessDefinition] = []
        self.output: str | None = None
        self.output_format: str | None = None
        self.output_options: list[str] = []
        self.options: dict[str, Any] = {}
        self.notes: list[str] = []
        self.text: str = ""

    @classmethod
    def read(cls, path: str | os.PathLike) -> ProcCard:
        """Read a proc_card file; mistakes raise :class:`CardError` naming the line."""
        return cls.from_text(read_card_text(path, "proc_card"), path)

    @classmethod
    def from_text(cls, text: str, path: str | os.PathLike = "<proc_card>") -> ProcCard:
        """Read a proc_card from its text (e.g. from an LHE header); ``path`` is for messages."""
        card = cls(path)
        card.text = text
        after_launch = False
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if after_launch:
                card.notes.append(f"line {number}: `{line}` answers the launch dialogue and is "
                                  "ignored; put run settings in the run_card or use --set")
                continue
            command, *tail = line.split(None, 1)
            command, rest = command.lower(), (tail[0].strip() if tail else "")
            handler = getattr(card, f"_cmd_{command}", None)
            if handler is not None:
                handler(rest, number)
            elif command in _IGNORED_COMMANDS:
                card.notes.append(f"line {number}: `{line}` ignored: {_IGNORED_COMMANDS[command]}")
                after_launch = command == "launch"
            else:
                close = difflib.get_close_matches(command, _COMMANDS, n=1, cutoff=0.6)
                hint = f"Did you mean '{close[0]}'? " if close else ""
                raise CardError(card.path, number, f"unknown command '{command}'",
                                hint + "A proc_card holds MadGraph commands: import model, "
                                "define, generate, add process, output, set")
        return card

    # --- commands ------------------------------------------------------------------------

    def _cmd_import(self, rest: str, number: int) -> None:
        words = rest.split()
        if len(words) < 2 or words[0].lower() != "model":
            raise CardError(self.path, number, f"cannot use `import {rest}`",
                            "Only `import model sm` (or sm-no_b_mass, sm-ckm_no_b_mass) is "
                            "supported")
        if len(words) > 2:
            raise CardError(self.path, number, f"options of import model are not supported "
                            f"(`{' '.join(words[2:])}`)", f"Write `import model {words[1]}`")
        if self.processes:
            raise CardError(self.path, number, "import model comes after generate",
                            "Import the model before the first generate, as MadGraph requires")
        model = words[1]
        if model not in SUPPORTED_MODELS:
            raise CardError(self.path, number, f"the model '{model}' is not supported",
                            "madnis-py provides " + ", ".join(SUPPORTED_MODELS))
        self.model, self.model_line = model, number
        for label, members in default_multiparticles(model).items():
            if self.multiparticle_lines.get(label) is None:  # keep the user's own defines
                self.multiparticles[label] = members
                self.multiparticle_lines[label] = None

    def _cmd_define(self, rest: str, number: int) -> None:
        name, *tail = rest.split(None, 1) if rest else [""]
        members = tail[0].strip() if tail else ""
        if "=" in name:  # define p=g u
            name, _, head = name.partition("=")
            members = (head + " " + members).strip()
        elif members.startswith("="):
            members = members[1:].strip()
        labels = members.split()
        if not name or not _LABEL_RE.match(name):
            raise CardError(self.path, number, f"cannot read the multiparticle name in "
                            f"`define {rest}`", "Write `define NAME = a b c`, e.g. "
                            "`define l+ = e+ mu+`")
        bad = [label for label in labels if not _LABEL_RE.match(label)]
        if not labels or bad:
            raise CardError(self.path, number, f"`define {rest}` lists no valid particles"
                            if not labels else f"cannot read `{bad[0]}` in `define {rest}`",
                            "Write `define NAME = a b c` with MadGraph particle names")
        self.multiparticles[name] = labels
        self.multiparticle_lines[name] = number

    def _cmd_generate(self, rest: str, number: int) -> None:
        self.processes = [parse_process(rest, self.path, number)]

    def _cmd_add(self, rest: str, number: int) -> None:
        what, *tail = rest.split(None, 1) if rest else [""]
        statement = tail[0] if tail else ""
        if what.lower() != "process":
            raise CardError(self.path, number, f"cannot use `add {rest}`",
                            "Only `add process ...` is supported")
        self.processes.append(parse_process(statement, self.path, number))

    def _cmd_output(self, rest: str, number: int) -> None:
        words = [w for w in rest.split() if not w.startswith("-")]
        self.output_options = [w for w in rest.split() if w.startswith("-")]
        formats = ("madevent", "standalone", "standalone_cpp", "standalone_cudacpp",
                   "madevent_simd", "madevent_gpu", "matchbox", "pythia8", "aloha",
                   "madweight", "madevent_forhel")
        if words and words[0].lower() in formats:
            self.output_format = words.pop(0).lower()
        if len(words) > 1:
            raise CardError(self.path, number, f"cannot read `output {rest}`",
                            "Write `output NAME` (or `output madevent NAME`)")
        self.output = words[0] if words else None

    def _cmd_set(self, rest: str, number: int) -> None:
        name, *tail = rest.split(None, 1) if rest else [""]
        value = tail[0].strip() if tail else ""
        if "=" in name and not value:
            name, _, value = name.partition("=")
        if value.startswith("="):
            value = value[1:].strip()
        if not name or not value:
            raise CardError(self.path, number, f"`set {rest}` has no value",
                            "Write `set NAME VALUE`, e.g. `set zerowidth_tchannel True`")
        self.options[name.lower()] = _value(value)

    # --- access --------------------------------------------------------------------------

    def option(self, name: str) -> Any:
        """A ``set`` option, or MadGraph's default for the options in :data:`OPTION_DEFAULTS`."""
        key = name.lower()
        if key in self.options:
            return self.options[key]
        if key in OPTION_DEFAULTS:
            return OPTION_DEFAULTS[key]
        raise KeyError(f"proc_card option {name!r} is neither set nor has a known default")

    def to_text(self) -> str:
        """The card as read (for the LHE header)."""
        return self.text if self.text.endswith("\n") or not self.text else self.text + "\n"

    def __repr__(self) -> str:
        procs = "; ".join(str(p) for p in self.processes)
        return f"ProcCard({self.path!r}, model={self.model!r}, processes=[{procs}])"
