"""The param_card: model parameters in the SLHA format that MadGraph writes.

::

    BLOCK MASS            # optional "Q= scale" after the name
        6 1.730000e+02    # MT
    DECAY 6 1.491500e+00  # WT
    #  BR         NDA  ID1  ID2    (decay channels, kept but not used)
       1.0        2    5    24

Masses and widths are in GeV. Block names are case-insensitive. Values may use Fortran
exponents (``1.73d2``).
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field

from .errors import CardError, default_card_path, read_card_text
from ..output.atomic import atomic_write_text

__all__ = ["ParamCard", "DecayChannel"]

Index = tuple[int, ...]

_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?$")
_INT_RE = re.compile(r"^[+-]?\d+$")


def _number(text: str) -> float | None:
    """A finite float from SLHA text (Fortran ``d`` exponents allowed), else None."""
    if not _NUMBER_RE.match(text):
        return None
    value = float(text.replace("d", "e").replace("D", "e"))
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class DecayChannel:
    """One decay channel under a DECAY line: branching ratio and daughter PDG codes."""

    branching_ratio: float
    daughters: tuple[int, ...]


@dataclass
class _Block:
    name: str
    line: int | None
    scale: float | None = None
    entries: dict[Index, float] = field(default_factory=dict)
    entry_lines: dict[Index, int | None] = field(default_factory=dict)
    comments: dict[Index, str] = field(default_factory=dict)


@dataclass
class _Decay:
    pdg: int
    width: float
    line: int | None
    comment: str = ""
    channels: list[DecayChannel] = field(default_factory=list)


@dataclass
class _Line:
    """One line of the card text; ``key`` marks an entry line: (block, index) or ("decay", (pdg,))."""

    raw: str
    key: tuple[str, Index] | None = None
    read_value: float | None = None
    header: str | None = None


def _key(index: int | Index | list) -> Index:
    if isinstance(index, (tuple, list)):
        return tuple(int(i) for i in index)
    return (int(index),)


class ParamCard:
    """An SLHA param_card: blocks of numbered parameters, and DECAY widths.

    ``card.value("MASS", 6)`` is the top mass in GeV, ``card.width(6)`` the top width in GeV,
    ``card.block("SMINPUTS")`` a dict ``{1: 132.507, 2: 1.16639e-05, 3: 0.118}`` (keys are ints
    for one index, tuples for several).
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        """An empty card; use :meth:`read`, :meth:`from_text` or :meth:`default`."""
        self.path: str = str(path) if path is not None else "<param_card>"
        self._blocks: dict[str, _Block] = {}
        self._decays: dict[int, _Decay] = {}
        self._lines: list[_Line] = []

    # --- construction --------------------------------------------------------------------

    @classmethod
    def read(cls, path: str | os.PathLike) -> ParamCard:
        """Read a param_card file; mistakes raise :class:`CardError` naming the line."""
        return cls.from_text(read_card_text(path, "param_card"), path)

    @classmethod
    def default(cls) -> ParamCard:
        """MadGraph's default param_card of the ``sm`` model (``cards/param_card.dat``)."""
        return cls.read(default_card_path("param_card.dat"))

    @classmethod
    def from_text(cls, text: str, path: str | os.PathLike = "<param_card>") -> ParamCard:
        """Read a param_card from its text; ``path`` is used in messages."""
        card = cls(path)
        current: _Block | _Decay | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            content, _, comment = raw.partition("#")
            tokens = content.split()
            line = _Line(raw)
            card._lines.append(line)
            if not tokens:
                continue
            head = tokens[0].upper()
            if head == "BLOCK":
                current = card._parse_block_header(tokens, number)
                line.header = current.name
            elif head == "DECAY":
                current = card._parse_decay(tokens, comment.strip(), number)
                line.key, line.read_value = ("decay", (current.pdg,)), current.width
            elif isinstance(current, _Block):
                index, value = card._parse_entry(tokens, current, number)
                current.entries[index] = value
                current.entry_lines[index] = number
                current.comments[index] = comment.strip()
                line.key, line.read_value = (current.name, index), value
            elif isinstance(current, _Decay):
                current.channels.append(card._parse_channel(tokens, current, number))
            else:
                raise CardError(card.path, number, f"`{raw.strip()}` is outside any block",
                                "Entries follow a `BLOCK NAME` line (or a `DECAY pdg width` "
                                "line for decay channels); add the block header above it")
        return card

    def _parse_block_header(self, tokens: list[str], number: int) -> _Block:
        if len(tokens) < 2:
            raise CardError(self.path, number, "BLOCK without a name",
                            "Write `BLOCK NAME`, e.g. `BLOCK MASS`")
        name = tokens[1].lower()
        rest = tokens[2:]
        scale = None
        if rest and rest[0].upper().startswith("Q="):
            scale_text = rest[0][2:] or (rest[1] if len(rest) > 1 else "")
            scale = _number(scale_text)
            if scale is None:
                raise CardError(self.path, number, f"cannot read the scale of BLOCK {tokens[1]}",
                                "Write it as `BLOCK NAME Q= 91.188` (GeV)")
        elif rest:
            name = " ".join([name] + [t.lower() for t in rest])  # e.g. BLOCK QNUMBERS 9000001
        if name in self._blocks:
            first = self._blocks[name].line
            raise CardError(self.path, number, f"BLOCK {tokens[1]} appears twice "
                            f"(first on line {first})", "Merge the two blocks into one")
        block = _Block(name, number, scale)
        self._blocks[name] = block
        return block

    def _parse_decay(self, tokens: list[str], comment: str, number: int) -> _Decay:
        if len(tokens) != 3 or not _INT_RE.match(tokens[1]):
            raise CardError(self.path, number, f"cannot read `{' '.join(tokens)}`",
                            "A decay line reads `DECAY pdg width # name`, width in GeV, "
                            "e.g. `DECAY 6 1.491500e+00 # WT`")
        pdg = int(tokens[1])
        width = _number(tokens[2])
        if width is None:
            hint = "Give the width in GeV as a number"
            if tokens[2].lower() == "auto":
                hint = ("madnis-py does not compute widths (MadGraph's `Auto`); give the width "
                        "in GeV as a number, e.g. the sm default param_card values")
            raise CardError(self.path, number,
                            f"the width of particle {pdg} is '{tokens[2]}', not a number", hint)
        if pdg in self._decays:
            first = self._decays[pdg].line
            raise CardError(self.path, number, f"DECAY {pdg} appears twice "
                            f"(first on line {first})", "Keep only one width per particle")
        decay = _Decay(pdg, width, number, comment)
        self._decays[pdg] = decay
        return decay

    def _parse_entry(self, tokens: list[str], block: _Block, number: int
                     ) -> tuple[Index, float]:
        *index_text, value_text = tokens
        for text in index_text:
            if not _INT_RE.match(text):
                raise CardError(self.path, number,
                                f"'{text}' is not an integer index in BLOCK {block.name.upper()}",
                                "An entry reads `index value # name`, e.g. `6 1.730000e+02 # MT`")
        index = tuple(int(t) for t in index_text)
        value = _number(value_text)
        if value is None:
            shown = " ".join(str(i) for i in index)
            raise CardError(self.path, number,
                            f"the value of {block.name.upper()} {shown} is '{value_text}', "
                            f"not a number", "Write a number such as 1.730000e+02 (GeV for "
                            "masses); Fortran exponents like 1.73d2 are accepted")
        if index in block.entries:
            first = block.entry_lines[index]
            raise CardError(self.path, number,
                            f"BLOCK {block.name.upper()} has entry {' '.join(index_text)} twice "
                            f"(first on line {first})", "Keep only one of the two lines")
        return index, value

    def _parse_channel(self, tokens: list[str], decay: _Decay, number: int) -> DecayChannel:
        values = [_number(t) for t in tokens]
        ok = (len(tokens) >= 3 and values[0] is not None and _INT_RE.match(tokens[1])
              and all(_INT_RE.match(t) for t in tokens[2:]) and int(tokens[1]) == len(tokens) - 2)
        if not ok:
            raise CardError(self.path, number,
                            f"cannot read the decay channel `{' '.join(tokens)}` of particle "
                            f"{decay.pdg}", "A channel reads `BR NDA ID1 ID2 ...` with NDA "
                            "daughter PDG codes; start a new block with `BLOCK NAME`")
        return DecayChannel(values[0], tuple(int(t) for t in tokens[2:]))

    # --- access --------------------------------------------------------------------------

    def blocks(self) -> list[str]:
        """Names of the blocks (lower-case), in card order."""
        return list(self._blocks)

    def block(self, name: str) -> dict:
        """Entries of a block as ``{index: value}``; int keys for one index, tuples otherwise.

        Raises:
            CardError: when the block is missing.
        """
        block = self._get_block(name)
        return {(k[0] if len(k) == 1 else k): v for k, v in block.entries.items()}

    def scale(self, name: str) -> float | None:
        """The ``Q=`` scale of a block in GeV, or None."""
        return self._get_block(name).scale

    def has(self, block: str, *index: int) -> bool:
        """Whether the card gives the entry (``has("DECAY", 6)`` for a width)."""
        if block.strip().upper() == "DECAY":
            return len(index) == 1 and int(index[0]) in self._decays
        found = self._blocks.get(block.strip().lower())
        return found is not None and _key(index) in found.entries

    def value(self, block: str, *index: int) -> float:
        """One parameter, e.g. ``value("MASS", 6)`` (GeV) or ``value("DECAY", 6)`` (width).

        Raises:
            CardError: when the block or entry is missing.
        """
        if block.strip().upper() == "DECAY":
            if len(index) != 1:
                raise ValueError("value('DECAY', pdg) takes one PDG code")
            return self.width(index[0])
        key = _key(index[0] if len(index) == 1 and isinstance(index[0], tuple) else index)
        found = self._get_block(block)
        if key not in found.entries:
            shown = " ".join(str(i) for i in key)
            raise CardError(self.path, None, f"BLOCK {block.upper()} has no entry {shown}",
                            f"Add a line `{shown} <value> # name` to BLOCK {block.upper()} "
                            "(compare with cards/param_card.dat)")
        return found.entries[key]

    def comment(self, block: str, *index: int) -> str:
        """The comment after an entry (MadGraph writes the parameter name there, e.g. ``MT``)."""
        if block.strip().upper() == "DECAY":
            return self._decays[int(index[0])].comment if self.has("DECAY", *index) else ""
        found = self._blocks.get(block.strip().lower())
        return found.comments.get(_key(index), "") if found else ""

    def width(self, pdg: int) -> float:
        """Total width in GeV of the particle with PDG code ``pdg`` (its antiparticle's too).

        Raises:
            CardError: when the card has no DECAY line for it.
        """
        decay = self._decays.get(abs(int(pdg))) or self._decays.get(int(pdg))
        if decay is None:
            raise CardError(self.path, None, f"no DECAY line for particle {pdg}",
                            f"Add `DECAY {abs(int(pdg))} <width in GeV>` (0 for a stable particle)")
        return decay.width

    def widths(self) -> dict[int, float]:
        """All widths in GeV, by PDG code."""
        return {pdg: d.width for pdg, d in self._decays.items()}

    def decay_channels(self, pdg: int) -> list[DecayChannel]:
        """Decay channels listed under ``DECAY pdg`` (empty when none)."""
        decay = self._decays.get(int(pdg))
        return list(decay.channels) if decay else []

    def _get_block(self, name: str) -> _Block:
        block = self._blocks.get(name.strip().lower())
        if block is None:
            raise CardError(self.path, None, f"the param_card has no BLOCK {name.upper()}",
                            "Add the block (compare with cards/param_card.dat, MadGraph's sm "
                            "default)")
        return block

    # --- modification and output --------------------------------------------------------

    def set(self, block: str, index: int | Index, value: float) -> None:
        """Set one parameter (``set("MASS", 6, 172.5)``; ``set("DECAY", 6, 1.4)`` for a width).

        A missing entry is added to its block, a missing block at the end of the card.
        """
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"param_card value for {block} {index} must be finite, got {value}")
        key = _key(index)
        if block.strip().upper() == "DECAY":
            if len(key) != 1:
                raise ValueError("set('DECAY', pdg, width) takes one PDG code")
            if key[0] in self._decays:
                self._decays[key[0]].width = value
            else:
                self._decays[key[0]] = _Decay(key[0], value, None)
                self._lines.append(_Line(self._format("decay", key, value, ""),
                                         ("decay", key), value))
            return
        name = block.strip().lower()
        if name not in self._blocks:
            self._blocks[name] = _Block(name, None)
            self._lines.append(_Line(f"BLOCK {name.upper()} #", header=name))
        found = self._blocks[name]
        if key not in found.entries:
            found.comments[key] = ""
            found.entry_lines[key] = None
            new = _Line(self._format(name, key, value, ""), (name, key), value)
            self._lines.insert(self._end_of_block(name), new)
        found.entries[key] = value

    def _end_of_block(self, name: str) -> int:
        """Position after the last entry line of a block (after its header when empty)."""
        position = len(self._lines)
        for i, line in enumerate(self._lines):
            if line.header == name or (line.key is not None and line.key[0] == name):
                position = i + 1
        return position

    @staticmethod
    def _format(block: str, key: Index, value: float, comment: str) -> str:
        tail = f" # {comment}" if comment else ""
        if block == "decay":
            return f"DECAY {key[0]:>3} {value:.6e}{tail}"
        return "  " + " ".join(f"{i:>3}" for i in key) + f" {value:.6e}{tail}"

    def to_text(self) -> str:
        """The card in SLHA format; lines of unchanged entries are kept as read."""
        out = []
        for line in self._lines:
            if line.key is None:
                out.append(line.raw)
                continue
            block, key = line.key
            current = (self._decays[key[0]].width if block == "decay"
                       else self._blocks[block].entries[key])
            if current == line.read_value:
                out.append(line.raw)
            else:
                comment = (self._decays[key[0]].comment if block == "decay"
                           else self._blocks[block].comments.get(key, ""))
                out.append(self._format(block, key, current, comment))
        return "\n".join(out) + "\n"

    def write(self, path: str | os.PathLike) -> None:
        """Write :meth:`to_text` to ``path`` atomically."""
        atomic_write_text(path, self.to_text(), compress=False)

    def __repr__(self) -> str:
        return f"ParamCard({self.path!r}, blocks={self.blocks()}, {len(self._decays)} widths)"
