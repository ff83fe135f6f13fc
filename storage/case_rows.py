"""Case rows <-> the domain ``Case``: explicitly, field by field, both ways."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from cases.intake import stored_intake
from cases.learning import Learning
from cases.model import (
    Case,
    Deadline,
    DeadlineKind,
    Decision,
    HistoryEvent,
    Outcome,
    ProgressUpdate,
    State,
)
from cases.report_facts import email_key, phone_contact_key
from storage.models import CaseEventRow


def _opt_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None



def _progress_to_json(updates: Iterable[ProgressUpdate]) -> list[Any]:
    return [{"at": u.at.isoformat(), "by": u.by, "reason": u.reason,
             "new_due_at": u.new_due_at.isoformat()} for u in updates]


def _progress_from_json(data: list[Any] | None) -> list[ProgressUpdate]:
    return [ProgressUpdate(at=datetime.fromisoformat(u["at"]), by=u["by"], reason=u["reason"],
                           new_due_at=datetime.fromisoformat(u["new_due_at"]))
            for u in data or []]


def _decision_to_json(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "outcome": decision.outcome.value,
        "reasons": decision.reasons,
        "remedy": decision.remedy,
        "drafted_by": decision.drafted_by,
        "drafted_at": decision.drafted_at.isoformat(),
        "approved_by": decision.approved_by,
        "approved_at": decision.approved_at.isoformat() if decision.approved_at else None,
        "change_requests": [dict(c) for c in decision.change_requests],
        "learning": decision.learning.as_json() if decision.learning else None,
    }


def _decision_from_json(data: dict[str, Any] | None) -> Decision | None:
    if data is None:
        return None
    return Decision(
        outcome=Outcome(data["outcome"]),
        reasons=data["reasons"],
        remedy=data["remedy"],
        drafted_by=data["drafted_by"],
        drafted_at=datetime.fromisoformat(data["drafted_at"]),
        approved_by=data.get("approved_by"),
        approved_at=_opt_dt(data.get("approved_at")),
        change_requests=[dict(c) for c in data.get("change_requests", [])],
        learning=Learning.from_json(data.get("learning")),
    )


def case_values(case: Case) -> dict[str, Any]:
    """Every stored column of a case except ``id`` and ``version``."""
    return {
        "reference": case.reference,
        "state": case.state.value,
        "intake": case.intake.model_dump(mode="json"),
        "category": case.intake.category.value,
        "channel": case.intake.channel.value,
        "relationship": case.intake.relationship.value,
        "subject_user_id": case.intake.subject_user_id,
        "contact_email_key": email_key(str(case.intake.email) if case.intake.email else None),
        "contact_phone_key": phone_contact_key(case.intake.phone, normalised=True),
        "intake_key": case.intake_key,
        "received_at": case.received_at,
        "effective_receipt": case.effective_receipt,
        "logged_by": case.logged_by,
        "logged_at": case.logged_at,
        "owner": case.owner,
        "promised_reply_by": case.promised_reply_by,
        "investigator": case.investigator,
        "resolution": case.resolution,
        "findings": case.findings,
        "outcome": case.outcome.value if case.outcome else None,
        "suggestions": case.suggestions,
        "replied_at": case.replied_at,
        "root_cause": case.learning.root_cause if case.learning else None,
        "remedies": [r.value for r in case.learning.remedies] if case.learning else None,
        "remedy_amount_pence": case.learning.amount_pence if case.learning else None,
        "review_requested_at": case.review_requested_at,
        "review_effective_receipt": case.review_effective_receipt,
        "review_request_how": case.review_request_how,
        "review_late_reason": case.review_late_reason,
        "reviewer": case.reviewer,
        "delegate": case.delegate,
        "review_reply_by": case.review_reply_by,
        "person_informed_at": case.person_informed_at,
        "person_response": case.person_response,
        "person_responded_at": case.person_responded_at,
        "progress_updates": _progress_to_json(case.progress_updates),
        "decision": _decision_to_json(case.decision),
        "final_letter": case.final_letter,
        "closed_at": case.closed_at,
        "withdrawn_reason": case.withdrawn_reason,
        "last_actor": case.last_actor,
        "last_action_at": case.last_action_at,
    }


def deadline_from_row(row: Row[Any]) -> Deadline:
    """A row of the deadlines table as the domain's ``Deadline``."""
    return Deadline(kind=DeadlineKind(row.kind), due_at=row.due_at,
                    original_due_at=row.original_due_at, started_at=row.started_at,
                    met_at=row.met_at, retired_at=row.retired_at)


# A deadline's columns, in the order of each array ``deadlines_from_json`` reads.
DEADLINE_COLUMNS = ("id", "kind", "due_at", "original_due_at", "started_at", "met_at",
                    "retired_at")


def _when(value: str) -> datetime:
    """An instant as a JSON array gives it (SQLite: its stored text, naive UTC;
    PostgreSQL: ISO 8601 with the offset), UTC-aware as ``UTCDateTime`` gives it."""
    instant = datetime.fromisoformat(value)
    return (instant.replace(tzinfo=UTC) if instant.tzinfo is None
            else instant.astimezone(UTC))


def deadlines_from_json(items: Iterable[list[Any]] | None) -> list[Deadline]:
    """A case's deadlines from the JSON array of arrays its load read them as, each in
    ``DEADLINE_COLUMNS``' order (``None``: it has none), in the order they were added (by
    id, as every other load gives them: the aggregate's order is not defined)."""
    return [Deadline(kind=DeadlineKind(kind), due_at=_when(due),
                     original_due_at=_when(original), started_at=_when(started),
                     met_at=_when(met) if met is not None else None,
                     retired_at=_when(retired) if retired is not None else None)
            for _, kind, due, original, started, met, retired
            in sorted(items or (), key=lambda item: int(item[0]))]


def case_from_row(row: Row[Any], deadlines: Iterable[Row[Any] | Deadline]) -> Case:
    """A row of the cases table and its rows of the deadlines table as the domain ``Case``."""
    return Case(
        id=row.id,
        version=row.version,
        reference=row.reference,
        state=State(row.state),
        intake=stored_intake(row.intake),
        intake_key=row.intake_key,
        received_at=row.received_at,
        effective_receipt=row.effective_receipt,
        logged_by=row.logged_by,
        logged_at=row.logged_at,
        owner=row.owner,
        promised_reply_by=row.promised_reply_by,
        investigator=row.investigator,
        resolution=row.resolution,
        findings=row.findings,
        outcome=Outcome(row.outcome) if row.outcome else None,
        suggestions=row.suggestions,
        replied_at=row.replied_at,
        learning=Learning.from_json({"root_cause": row.root_cause, "remedies": row.remedies,
                                     "amount_pence": row.remedy_amount_pence}),
        review_requested_at=row.review_requested_at,
        review_effective_receipt=row.review_effective_receipt,
        review_request_how=row.review_request_how,
        review_late_reason=row.review_late_reason,
        reviewer=row.reviewer,
        delegate=row.delegate,
        review_reply_by=row.review_reply_by,
        person_informed_at=row.person_informed_at,
        person_response=row.person_response,
        person_responded_at=row.person_responded_at,
        progress_updates=_progress_from_json(row.progress_updates),
        decision=_decision_from_json(row.decision),
        final_letter=row.final_letter,
        closed_at=row.closed_at,
        withdrawn_reason=row.withdrawn_reason,
        last_actor=row.last_actor,
        last_action_at=row.last_action_at,
        deadlines={(d := r if isinstance(r, Deadline) else deadline_from_row(r)).kind: d
                   for r in deadlines},
    )


def event_from_row(row: CaseEventRow) -> HistoryEvent:
    """A history row as the domain's ``HistoryEvent``."""
    return HistoryEvent(
        case_id=row.case_id, seq=row.seq, at=row.at, actor=row.actor, action=row.action,
        from_state=State(row.from_state) if row.from_state else None,
        to_state=State(row.to_state) if row.to_state else None,
        details=dict(row.details or {}),
    )
