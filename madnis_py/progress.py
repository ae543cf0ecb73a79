"""The live lines that `madnis-py launch` prints: one per stage, and a progress counter for long loops.

On a terminal a counter rewrites its line in place (carriage return), at most every
:data:`REFRESH_SECONDS`; into a file or a pipe it prints a line at every quarter, so that logs stay short.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Least time between two in-place updates of a counter on a terminal, s.
REFRESH_SECONDS = 0.2


class Console:
    """Where the run's messages go. ``enabled=False`` (``--quiet``) silences everything.

    stream: the text stream to print to (default: ``sys.stdout`` at the time of printing).
    """

    def __init__(self, enabled: bool = True, stream: TextIO | None = None):
        self.enabled = enabled
        self._stream = stream

    @property
    def stream(self) -> TextIO:
        return self._stream or sys.stdout

    def __call__(self, *parts, **_ignored) -> None:
        """Print a message line, as ``print`` would (the ``log=`` callbacks of the generator use this)."""
        if self.enabled:
            print(*parts, file=self.stream, flush=True)

    def stage(self, name: str, text: str) -> None:
        """One summary line of a finished stage: ``[name] text``."""
        self(f"[{name}] {text}")

    def counter(self, label: str, total: int, unit: str = "events") -> "Counter":
        """A :class:`Counter` for a loop over ``total`` items that prints on this console."""
        return Counter(self, label, total, unit)


class Counter:
    """A progress line ``label: done/total unit (pct%), rate/s[, extra]``; call :meth:`update`, then
    :meth:`done`."""

    def __init__(self, console: Console, label: str, total: int, unit: str = "events"):
        self.console = console
        self.label = label
        self.total = max(int(total), 0)
        self.unit = unit
        self.start = time.perf_counter()
        self._last_print = 0.0
        self._last_quarter = -1
        self._live = console.enabled and bool(getattr(console.stream, "isatty", lambda: False)())
        self._pending_newline = False

    def _text(self, done: int, extra: str) -> str:
        elapsed = max(time.perf_counter() - self.start, 1e-9)
        pct = f" ({100 * done / self.total:.0f}%)" if self.total else ""
        text = f"{self.label}: {done}/{self.total} {self.unit}{pct}, {done / elapsed:.3g}/s"
        return f"{text}, {extra}" if extra else text

    def update(self, done: int, extra: str = "") -> None:
        """Report that ``done`` items are finished; ``extra`` is appended (e.g. a running cross section)."""
        if not self.console.enabled:
            return
        now = time.perf_counter()
        if self._live:
            if now - self._last_print >= REFRESH_SECONDS:
                self.console.stream.write("\r" + self._text(done, extra) + "\x1b[K")
                self.console.stream.flush()
                self._last_print = now
                self._pending_newline = True
            return
        quarter = 4 * done // self.total if self.total else 4
        if quarter > self._last_quarter and 0 < quarter < 4:
            self._last_quarter = quarter
            self.console(self._text(done, extra))

    def done(self, done: int | None = None, extra: str = "") -> float:
        """Print the final line and return the elapsed wall time, s."""
        elapsed = time.perf_counter() - self.start
        if self.console.enabled:
            final = self._text(self.total if done is None else done, extra) + f" in {elapsed:.1f} s"
            if self._live:
                self.console.stream.write("\r" + final + "\x1b[K\n")
                self.console.stream.flush()
            else:
                self.console(final)
        return elapsed
