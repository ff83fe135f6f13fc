"""Typed errors the adapters turn into friendly messages."""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """Base for every error a user can cause; the message is safe to show them."""


class NotFound(DomainError):
    """No such case (or it is not visible to the asker)."""


class InvalidTransition(DomainError):
    """The action does not apply to the case in its current state."""

    def __init__(self, message: str, *, last_actor: str | None = None,
                 last_at: datetime | None = None) -> None:
        super().__init__(message)
        self.last_actor = last_actor
        self.last_at = last_at


class NotAllowed(DomainError):
    """The actor's roles do not allow the action (or the need-to-know rule refuses)."""


class ConcurrentChange(DomainError):
    """Somebody else changed the case first; the message says who and when."""


class NotAComplaint(DomainError):
    """Intake refused: e.g. a staff grievance, which the Grievance Policy covers."""


class PolicyFileError(DomainError):
    """A policy override file is unreadable or has a bad value; names the key."""


class IntakeInvalid(DomainError):
    """Intake fields failed validation; ``errors`` maps field name to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
