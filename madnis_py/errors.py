"""Errors that a user can act on.

Every mistake in the user's input (cards, command line, process) raises a subclass of
:class:`UserError`; the command line prints its message as one paragraph, without a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input, explained in one paragraph with the fix."""


class PhysicsSetupError(UserError):
    """A setup that cannot produce events (energy below threshold, empty phase space, ...)."""
