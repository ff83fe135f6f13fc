"""Turning the policy's rules into due times, in UK working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cases.model import STAGE_ONE_DEADLINES, Case, Deadline, DeadlineKind
from cases.policy import DayUnit, Policy, Rule
from cases.ports import WorkingCalendar

STAGE_ONE_KINDS = STAGE_ONE_DEADLINES


def due_from_day(rule: Rule, start: date, calendar: WorkingCalendar) -> datetime:
    """Close of business on the day the rule falls due, counting from ``start``.

    Working days: the Nth working day after ``start`` (``start`` not counted).
    Calendar days: N days after ``start``, moved to the next working day if needed.
    """
    if rule.unit is DayUnit.WORKING:
        day = calendar.add_working_days(start, rule.days)
    else:
        day = calendar.next_working_day_on_or_after(start + timedelta(days=rule.days))
    return calendar.close_of_business(day)


def due_after(rule: Rule, started_at: datetime, calendar: WorkingCalendar) -> datetime:
    """When ``rule`` falls due for an event at ``started_at`` (effective-receipt rule applies)."""
    return due_from_day(rule, calendar.effective_receipt(started_at), calendar)


@dataclass(frozen=True)
class PolicyDates:
    """Every date staff may quote to a complainant for a receipt at one time."""

    received_at: datetime
    effective_receipt: date
    stage_one_acknowledge_by: datetime
    stage_one_investigate_by: datetime
    stage_one_reply_expected_by: datetime
    stage_two_acknowledge_by: datetime
    stage_two_reply_by: datetime
    stage_one_reply_by: datetime | None = None


def expected_reply_by(policy: Policy, investigate_by: datetime,
                      calendar: WorkingCalendar) -> datetime:
    """The latest Stage One reply if the investigation runs its full course."""
    return due_from_day(policy.stage_one_reply, calendar.local_date(investigate_by), calendar)


def policy_dates(policy: Policy, calendar: WorkingCalendar, received_at: datetime,
                 concluded_at: datetime | None = None) -> PolicyDates:
    """All policy due times for a complaint (or review request) received at ``received_at``."""
    investigate_by = due_after(policy.investigation, received_at, calendar)
    return PolicyDates(
        received_at=received_at,
        effective_receipt=calendar.effective_receipt(received_at),
        stage_one_acknowledge_by=due_after(policy.stage_one_acknowledgement, received_at,
                                           calendar),
        stage_one_investigate_by=investigate_by,
        stage_one_reply_expected_by=expected_reply_by(policy, investigate_by, calendar),
        stage_two_acknowledge_by=due_after(policy.stage_two_acknowledgement, received_at,
                                           calendar),
        stage_two_reply_by=due_after(policy.stage_two_reply, received_at, calendar),
        stage_one_reply_by=(
            due_after(policy.stage_one_reply, concluded_at, calendar) if concluded_at else None
        ),
    )


def open_deadline(case: Case, kind: DeadlineKind, due_at: datetime, started_at: datetime) -> None:
    """Start (or restart) a deadline on the case."""
    case.deadlines[kind] = Deadline(kind=kind, due_at=due_at, original_due_at=due_at,
                                    started_at=started_at)


def meet_deadline(case: Case, kind: DeadlineKind, at: datetime) -> None:
    """Mark a deadline as met at ``at`` (no-op if it is not open)."""
    deadline = case.deadlines.get(kind)
    if deadline is not None and deadline.is_open:
        deadline.met_at = at


def retire_open_deadlines(case: Case, at: datetime) -> None:
    """Stop every open deadline: the case no longer owes them (withdrawn, final)."""
    for deadline in case.deadlines.values():
        if deadline.is_open:
            deadline.retired_at = at
