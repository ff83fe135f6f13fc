"""The history events a case's thread hears of, by the names stored in outbox payloads."""

from __future__ import annotations

from enum import StrEnum


class TimelineEvent(StrEnum):
    """What a ``timeline`` notice reports (its payload's ``what``)."""

    LOGGED = "logged"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    INVESTIGATOR_ASSIGNED = "investigator_assigned"
    INVESTIGATION_CONCLUDED = "investigation_concluded"
    REPLIED = "replied"
    WITHDRAWN = "withdrawn"
    CLOSED = "closed"
    NOTE = "note"
    REVIEW_REQUESTED = "review_requested"
    REVIEW_ACKNOWLEDGED = "review_acknowledged"
    REVIEW_DELEGATED = "review_delegated"
    PERSON_RESPONDED = "person_responded"
    NO_RESPONSE = "no_response"
    PROGRESS_UPDATE = "progress_update"
    CHANGES_REQUESTED = "changes_requested"
    DECISION_APPROVED = "decision_approved"


def event_of(what: object) -> TimelineEvent | None:
    """The event a stored name stands for; None for a name this version does not know."""
    try:
        return TimelineEvent(str(what))
    except ValueError:
        return None
