"""Readers for MadGraph's three cards: run_card, param_card and proc_card.

Each reader raises :class:`CardError` for a user mistake, with the file, the line and the fix.
"""

from .errors import CardError, default_card_path
from .param_card import DecayChannel, ParamCard
from .proc_card import (SUPPORTED_MODELS, ProcCard, ProcessDefinition, default_multiparticles,
                        parse_process)
from .run_card import SUPPORTED, RunCard, RunCardEntry, parse_set_argument

__all__ = [
    "CardError",
    "DecayChannel",
    "ParamCard",
    "ProcCard",
    "ProcessDefinition",
    "RunCard",
    "RunCardEntry",
    "SUPPORTED",
    "SUPPORTED_MODELS",
    "default_card_path",
    "default_multiparticles",
    "parse_process",
    "parse_set_argument",
]
