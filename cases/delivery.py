"""Delivery, whatever the surface: names of surfaces and slots, deliverer and result types.

A *surface* is where people are reached (Slack today; Teams, email later). Every outbox
row names one, and the dispatcher hands the row to the deliverer registered for it. A
*slot* is one place a case's message lives on a surface: its card for customer services
("cs"), its card for the directors ("directors"), the latest drafted decision
("decision"), the named person's invitation to respond ("person_informed"). Where a
surface put a slot's message is an opaque reference that only that surface's adapter
reads (Slack: channel and timestamp).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

SLACK = "slack"
# Letters to complainants by email (``letters/``); its rows are queued for it alone.
EMAIL = "email"
# The surfaces a notice is delivered to when none are configured.
DEFAULT_SURFACES: tuple[str, ...] = (SLACK,)

# Where the latest drafted decision sits (the directors' thread, on Slack).
DECISION_SLOT = "decision"
# Where the direct message inviting the named person to respond sits, until they have.
PERSON_INFORMED_SLOT = "person_informed"


def require_surfaces(surfaces: Sequence[str]) -> tuple[str, ...]:
    """The surface names, checked: at least one, no blanks, no repeats, order kept."""
    names = tuple(s.strip() for s in surfaces)
    if not names or any(not s for s in names) or len(set(names)) != len(names):
        raise ValueError(f"surfaces must be distinct non-empty names, got {list(surfaces)}")
    return names


class RetryLater(Exception):
    """Not delivered now; try again after ``seconds`` (None: the dispatcher's backoff)."""

    def __init__(self, message: str, seconds: float | None = None) -> None:
        super().__init__(message)
        self.seconds = seconds


class PermanentFailure(Exception):
    """The surface refused the message for a reason retrying will not fix by itself."""


class DeliveryItem(Protocol):
    """One queued message as a deliverer sees it."""

    @property
    def id(self) -> int: ...
    @property
    def case_id(self) -> int | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def surface(self) -> str: ...


class Deliverer(Protocol):
    """Sends one surface's queued messages; raises RetryLater or PermanentFailure."""

    def deliver(self, item: DeliveryItem) -> None:
        """Send one message (render it from the case as it is now)."""
        ...


class MessageRefs(Protocol):
    """Where each surface put each case's messages, one opaque reference per slot."""

    def message_ref(self, surface: str, case_id: int, slot: str) -> str | None:
        """The reference of the case's message in ``slot`` on ``surface``, if any."""
        ...

    def remember_message_ref(self, surface: str, case_id: int, slot: str, ref: str) -> None:
        """Record (or move) the case's message in ``slot`` on ``surface``."""
        ...

    def forget_message_ref(self, surface: str, case_id: int, slot: str) -> None:
        """The message is gone (deleted by someone): the slot is empty again."""
        ...
