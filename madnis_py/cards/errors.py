"""Errors in MadGraph cards, and the file access the three card readers share.

A mistake in a card is reported as :class:`CardError`, whose ``str()`` is one paragraph that names
the file, the line and the fix::

    run_card.dat, line 110: unknown run_card entry 'ptll'. Did you mean 'ptl'? ...

The command line catches it and prints that paragraph instead of a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import UserError

__all__ = ["CardError", "default_card_path", "read_card_text"]


class CardError(UserError):
    """A card (or a command-line setting of a card entry) that cannot be used as written.

    Attributes:
        path: the file (or the source of the setting, e.g. ``"--set"``) as a string.
        line: 1-based line number, or ``None`` when the problem is not tied to one line.
        message: what is wrong, one sentence without the final full stop.
        hint: how to fix it (may be empty).
    """

    def __init__(self, path: str | os.PathLike | None, line: int | None, message: str,
                 hint: str = "") -> None:
        self.path = str(path) if path is not None else "<card>"
        self.line = line
        self.message = message.strip().rstrip(".")
        self.hint = hint.strip()
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}, line {self.line}"
        text = f"{where}: {self.message}."
        if self.hint:
            text += " " + self.hint
            if not self.hint.endswith((".", "!", "?")):
                text += "."
        return text

    def __reduce__(self):  # keep the attributes through pickling (multiprocessing, Dask)
        return (type(self), (self.path, self.line, self.message, self.hint))


def default_card_path(name: str) -> Path:
    """Path of one of the default cards (``"run_card.dat"``, ``"param_card.dat"``).

    Looks first in the installed package data (``madnis_py/data/cards``), then in the ``cards/``
    directory of a source checkout.

    Raises:
        CardError: when neither location holds the card.
    """
    package = Path(__file__).resolve().parents[1]
    candidates = [package / "data" / "cards" / name, package.parent / "cards" / name]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise CardError(name, None, "the default card is missing from the installation",
                    "Looked in " + " and ".join(str(c.parent) for c in candidates)
                    + "; reinstall madnis-py or pass the card explicitly")


def read_card_text(path: str | os.PathLike, kind: str) -> str:
    """Read a card file as text; a missing or unreadable file raises :class:`CardError`.

    Args:
        path: the card file.
        kind: what the card is (``"run_card"``, ``"param_card"``, ``"proc_card"``), for the hint.
    """
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8", errors="strict")
    except FileNotFoundError:
        hint = f"Check the path; a {kind} in MadGraph's format is expected"
        if kind in ("run_card", "param_card"):
            hint += f" (a default one is in cards/{kind}.dat of madnis-py)"
        raise CardError(path, None, "file not found", hint) from None
    except IsADirectoryError:
        raise CardError(path, None, "this is a directory, not a card file",
                        f"Give the path of the {kind} file itself") from None
    except UnicodeDecodeError as exc:
        raise CardError(path, None, f"not a text file ({exc.reason} at byte {exc.start})",
                        f"A {kind} is a plain-text file; check that the right file was given"
                        ) from None
    except OSError as exc:
        raise CardError(path, None, f"cannot read the file ({exc.strerror})",
                        "Check the file permissions") from None
