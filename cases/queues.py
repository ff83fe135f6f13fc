"""Work queues for the App Home (or any surface's home): what each team must pick up next.

Customer services: complaints waiting for acknowledgement (oldest first) and what falls
due in the next 2 working days. Directors: Stage Two reviews waiting for acknowledgement
and decisions waiting for approval. The HR manager (who owns the policy): overdue counts
and the cases behind them, to open read-only. Staff without a role get no queue.
Rows carry no personal data: reference, summary, phase, the deadline and what to press.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from cases.lifecycle import STATE_LABELS, Action
from cases.model import ALERTED_DEADLINES, DEADLINE_LABELS, Case, DeadlineKind, State
from cases.policy import Policy
from cases.roles import Role
from cases.views import DeadlineView, DisplayCalendar, deadline_view

SOON_WORKING_DAYS = 2


@dataclass(frozen=True)
class QueueRow:
    case_id: int
    version: int
    reference: str
    summary: str
    phase_label: str
    deadline: DeadlineView | None
    action: Action | None   # the step the row offers beside Open and Case file


@dataclass(frozen=True)
class Queue:
    title: str
    empty: str
    rows: tuple[QueueRow, ...]
    counts: tuple[tuple[str, int], ...] = ()   # (deadline label, cases overdue)


def _row(case: Case, kind: DeadlineKind | None, action: Action | None, now: datetime,
         calendar: DisplayCalendar, policy: Policy) -> QueueRow:
    assert case.id is not None
    deadline = case.deadlines.get(kind) if kind else case.next_deadline()
    if deadline is not None and not deadline.is_open:
        deadline = None
    return QueueRow(case.id, case.version, case.reference, case.intake.summary,
                    STATE_LABELS[case.state],
                    deadline_view(deadline, now, calendar, policy) if deadline else None,
                    action)


def _due_at(case: Case, kind: DeadlineKind) -> datetime:
    deadline = case.deadlines.get(kind)
    return deadline.due_at if deadline is not None else case.received_at


def _waiting(cases: Sequence[Case], state: State, kind: DeadlineKind) -> list[Case]:
    return sorted((c for c in cases if c.state is state),
                  key=lambda c: (_due_at(c, kind), c.received_at, c.reference))


def _customer_services(cases: Sequence[Case], now: datetime, calendar: DisplayCalendar,
                       policy: Policy) -> list[Queue]:
    ack = DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT
    waiting = _waiting(cases, State.LOGGED, ack)
    horizon = calendar.close_of_business(
        calendar.add_working_days(calendar.local_date(now), SOON_WORKING_DAYS))
    shown = {c.id for c in waiting}
    soon = sorted(((c, d) for c in cases if c.id not in shown and c.stage == 1
                   and (d := c.next_deadline()) is not None and d.kind in ALERTED_DEADLINES
                   and d.due_at <= horizon), key=lambda cd: (cd[1].due_at, cd[0].reference))
    return [
        Queue("Waiting for acknowledgement", "No complaint is waiting to be acknowledged.",
              tuple(_row(c, ack, Action.ACKNOWLEDGE, now, calendar, policy) for c in waiting)),
        Queue(f"Due in the next {SOON_WORKING_DAYS} working days",
              "Nothing else falls due in the next 2 working days.",
              tuple(_row(c, d.kind, None, now, calendar, policy) for c, d in soon)),
    ]


def _directors(cases: Sequence[Case], now: datetime, calendar: DisplayCalendar,
               policy: Policy) -> list[Queue]:
    ack = DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT
    reply = DeadlineKind.STAGE_TWO_REPLY
    return [
        Queue("Stage Two waiting for acknowledgement", "No review is waiting to be taken.",
              tuple(_row(c, ack, Action.ACKNOWLEDGE_REVIEW, now, calendar, policy)
                    for c in _waiting(cases, State.REVIEW_REQUESTED, ack))),
        Queue("Decisions waiting for approval", "No drafted decision is waiting.",
              tuple(_row(c, reply, None, now, calendar, policy)
                    for c in _waiting(cases, State.DECISION_PROPOSED, reply))),
    ]


def _overdue(cases: Sequence[Case], now: datetime, calendar: DisplayCalendar,
             policy: Policy) -> Queue:
    late: dict[DeadlineKind, int] = {}
    rows = []
    for case in cases:
        kinds = [d.kind for d in case.open_deadlines()
                 if d.kind in ALERTED_DEADLINES and d.due_at < now]
        for kind in kinds:
            late[kind] = late.get(kind, 0) + 1
        if kinds:
            rows.append(_row(case, kinds[0], None, now, calendar, policy))
    counts = tuple((DEADLINE_LABELS[k], n) for k, n in sorted(late.items(),
                                                               key=lambda kn: -kn[1]))
    return Queue("Overdue (oversight)", "Nothing is overdue.", tuple(rows), counts)


def queues_for(roles: frozenset[Role], open_cases: Iterable[Case], now: datetime,
               calendar: DisplayCalendar, policy: Policy) -> tuple[Queue, ...]:
    """The queues a person with ``roles`` works from; none for staff without a role."""
    cases = [c for c in open_cases if c.is_open and c.id is not None]
    queues: list[Queue] = []
    if Role.CUSTOMER_SERVICES in roles:
        queues += _customer_services(cases, now, calendar, policy)
    if Role.DIRECTOR in roles:
        queues += _directors(cases, now, calendar, policy)
    if Role.HR_MANAGER in roles:
        queues.append(_overdue(cases, now, calendar, policy))
    return tuple(queues)
