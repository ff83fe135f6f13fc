"""The drafted Stage Two decision as the directors see it in their thread (a view model)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cases.formatting import DisplayCalendar, format_when
from cases.lifecycle import Action
from cases.model import OUTCOME_LABELS, Case, State


@dataclass(frozen=True)
class DecisionView:
    """A drafted Stage Two decision, for directors to approve or send back."""

    case_id: int | None
    version: int
    reference: str
    outcome: str
    reasons: str
    remedy: str
    drafted_by: str
    drafted_at: str
    change_requests: tuple[tuple[str, str], ...]
    approved_by: str | None
    approved_at: str | None
    actions: tuple[Action, ...]
    # Approved by the director who drafted it (only where the policy lets a sole director).
    own_approval: bool = False


def decision_view(case: Case, calendar: DisplayCalendar) -> DecisionView:
    """The drafted decision for the directors' thread; raises ValueError if none is drafted."""
    d = case.decision
    if d is None:
        raise ValueError(f"{case.reference} has no drafted decision")
    requests: Sequence[dict[str, str]] = d.change_requests
    actions = (
        (Action.APPROVE_DECISION, Action.REQUEST_CHANGES)
        if case.state is State.DECISION_PROPOSED else ()
    )
    return DecisionView(
        case_id=case.id,
        version=case.version,
        reference=case.reference,
        outcome=OUTCOME_LABELS[d.outcome],
        reasons=d.reasons,
        remedy=d.remedy,
        drafted_by=d.drafted_by,
        drafted_at=format_when(d.drafted_at, calendar),
        change_requests=tuple((r.get("by", ""), r.get("comment", "")) for r in requests),
        approved_by=d.approved_by,
        approved_at=format_when(d.approved_at, calendar) if d.approved_at else None,
        actions=actions,
        own_approval=d.approved_by is not None and d.approved_by == d.drafted_by,
    )
