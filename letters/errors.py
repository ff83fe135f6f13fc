"""Why the letters surface cannot start: printed at start without a traceback."""

from __future__ import annotations

from cases.errors import DomainError


class LettersUnavailable(DomainError):
    """Letters cannot be written as configured; the message says what to change."""
