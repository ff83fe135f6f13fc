"""Who must hear of what: the one place that decides the audience of every message.

Three audiences: customer services (their channel holds every case's card and thread),
the directors (their channel holds the Stage Two card and thread, and escalations), and
one person (a direct message). A surface maps an audience to its own place (a Slack
channel, a Teams channel, an email address); nothing here knows which.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from cases.events import TimelineEvent as E
from cases.model import ALERTED_DEADLINES, STAGE_ONE_DEADLINES, Case, DeadlineKind
from cases.ports import WorkingCalendar


class Audience(StrEnum):
    """Who a message is for. The values are those stored in outbox payloads and card rows."""

    CUSTOMER_SERVICES = "cs"
    DIRECTORS = "directors"
    PERSON = "person"


# The team audiences, in the order their digests and cards go out.
TEAMS: tuple[Audience, ...] = (Audience.CUSTOMER_SERVICES, Audience.DIRECTORS)

# History events whose timeline line belongs in the directors' Stage Two thread.
DIRECTORS_EVENTS: frozenset[str] = frozenset({
    E.REVIEW_ACKNOWLEDGED, E.REVIEW_DELEGATED, E.PERSON_RESPONDED, E.NO_RESPONSE,
    E.PROGRESS_UPDATE, E.CHANGES_REQUESTED, E.DECISION_APPROVED,
})


def team(value: object) -> Audience:
    """A stored audience name (``"cs"``, ``"directors"``) as a team audience.

    Anything else (absent, unknown) is customer services, whose channel sees every case.
    """
    return Audience.DIRECTORS if value == Audience.DIRECTORS.value else Audience.CUSTOMER_SERVICES


def card_audiences(case: Case) -> list[Audience]:
    """The cards a case has: customer services always; directors once Stage Two began."""
    if case.review_requested_at is not None:
        return [Audience.CUSTOMER_SERVICES, Audience.DIRECTORS]
    return [Audience.CUSTOMER_SERVICES]


def timeline_audience(what: object) -> Audience:
    """The thread a history event's line goes to."""
    return Audience.DIRECTORS if what in DIRECTORS_EVENTS else Audience.CUSTOMER_SERVICES


def channel_audience(payload: Mapping[str, Any]) -> Audience:
    """The team a channel notice (alert, digest, decision) is posted to.

    Rows queued before the key was named for what it means say ``"surface"``.
    """
    return team(payload.get("audience", payload.get("surface")))


def deadline_audience(kind: DeadlineKind) -> Audience:
    """The team whose card and thread a deadline belongs to."""
    return Audience.CUSTOMER_SERVICES if kind in STAGE_ONE_DEADLINES else Audience.DIRECTORS


def escalation_audience() -> Audience:
    """Who hears of a Stage One deadline overdue long enough to escalate: the directors."""
    return Audience.DIRECTORS


def _working_days_late(due_at: datetime, now: datetime, calendar: WorkingCalendar) -> int:
    return max(0, calendar.working_days_between(calendar.local_date(due_at),
                                                calendar.local_date(now)))


def digest_audiences(kind: DeadlineKind, due_at: datetime, now: datetime,
                     calendar: WorkingCalendar, escalate_after: int) -> list[Audience]:
    """Which teams' digests list a deadline due today or overdue.

    Stage Two deadlines: the directors. Stage One: customer services, and the directors
    too once it is ``escalate_after`` working days overdue.
    """
    if kind not in ALERTED_DEADLINES:
        return []
    if kind not in STAGE_ONE_DEADLINES:
        return [Audience.DIRECTORS]
    if now > due_at and _working_days_late(due_at, now, calendar) >= escalate_after:
        return [Audience.CUSTOMER_SERVICES, Audience.DIRECTORS]
    return [Audience.CUSTOMER_SERVICES]
