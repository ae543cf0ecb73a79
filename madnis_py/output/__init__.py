"""Output of generated events: LHE 3.0 files, written atomically.

Public API:

* :func:`write_lhe` with :class:`LHEEvents`, :class:`LHEInit`, :class:`LHEProcessInfo`,
  :class:`LHEHeader`; :func:`lhe_event_weights` and :func:`weighting_strategy_for` turn an
  unweighted sample and the run_card's ``event_norm`` into LHE weights;
* :func:`atomic_open`, :func:`atomic_write_text`, :func:`atomic_write_bytes` for any output
  file that must appear whole or not at all.
"""

from .atomic import atomic_open, atomic_write_bytes, atomic_write_text
from .lhe import (
    EVENT_NORMS,
    LHEEvents,
    LHEHeader,
    LHEInit,
    LHEProcessInfo,
    lhe_event_weights,
    weighting_strategy_for,
    write_lhe,
)

__all__ = [
    "EVENT_NORMS",
    "LHEEvents",
    "LHEHeader",
    "LHEInit",
    "LHEProcessInfo",
    "atomic_open",
    "atomic_write_bytes",
    "atomic_write_text",
    "lhe_event_weights",
    "weighting_strategy_for",
    "write_lhe",
]
