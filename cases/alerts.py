"""Deadline alerts as domain data: which deadline, which kind, which occurrence.

The rules that decide when an alert is due live in ``scheduling.sweep``; the ledger that
claims each alert exactly once is a port implemented by ``storage.alerts``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from cases.audience import Audience, deadline_audience
from cases.model import STAGE_ONE_DEADLINES, DeadlineKind, Notice


class AlertKind(StrEnum):
    DUE_SOON = "due_soon"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ESCALATED = "escalated"


@dataclass(frozen=True)
class OpenDeadline:
    """An open, alerted deadline as the sweep reads it (no personal data)."""

    deadline_id: int
    case_id: int
    reference: str
    kind: DeadlineKind
    due_at: datetime
    owner: str | None = None
    reviewer: str | None = None
    delegate: str | None = None
    investigator: str | None = None

    @property
    def responsible(self) -> str | None:
        """Who answers for this deadline and gets its reminders by DM; None: the channel.

        The investigation: the investigator once one is assigned, else the owner. The
        rest of Stage One (acknowledgement, reply): the owner. The review
        acknowledgement: no one yet (any director may take it; the directors channel is
        told). The named person's response: not the
        reviewer, who cannot give it (the person got their Respond button when told).
        Other Stage Two deadlines: the delegate, else the reviewer.
        """
        if self.kind is DeadlineKind.INVESTIGATION:
            return self.investigator or self.owner
        if self.kind in STAGE_ONE_DEADLINES:
            return self.owner
        if self.kind in (DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT, DeadlineKind.PERSON_RESPONSE):
            return None
        return self.delegate or self.reviewer

    @property
    def responsible_part(self) -> str:
        """What ``responsible`` is on the case, for the alert's label ('Investigator')."""
        if self.kind is DeadlineKind.INVESTIGATION and self.investigator:
            return "Investigator"
        if self.kind in STAGE_ONE_DEADLINES:
            return "Owner"
        return "Delegate" if self.delegate else "Reviewer"

    @property
    def audience(self) -> Audience:
        """The team whose card and thread the deadline belongs to."""
        return deadline_audience(self.kind)


@dataclass(frozen=True)
class Alert:
    """One alert occurrence, identified by ``key``, with the messages it posts."""

    key: str
    case_id: int
    reference: str
    deadline_kind: DeadlineKind
    alert_kind: AlertKind
    occurrence: int
    due_at: datetime
    not_before: datetime
    notices: tuple[Notice, ...] = ()


class AlertLedger(Protocol):
    """What the sweep needs from the database (``storage.alerts.SqlAlertLedger``)."""

    def open_deadlines_before(self, horizon: datetime, *, batch: int
                              ) -> Iterator[Sequence[OpenDeadline]]:
        """Open alerted deadlines due at or before ``horizon``, soonest first, in pages."""
        ...

    def claimed(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are claimed already (a read; the sweep skips their messages)."""
        ...

    def claim(self, alerts: Sequence[Alert], now: datetime) -> list[Alert]:
        """Insert-if-absent each alert's key and queue its notices; returns the ones won."""
        ...

    def queue(self, notices: Sequence[Notice], now: datetime) -> int:
        """Queue notices (ignoring dedupe keys already queued); returns how many were new."""
        ...

    def person_responses_due(self, now: datetime) -> bool:
        """Is any named person's response window open and past due?"""
        ...

    def unsent_final_letters(self, limit: int) -> Sequence[tuple[int, str, str | None]]:
        """(case id, reference, owner) of approved decisions whose letter has not gone."""
        ...
