"""View models: what people see about a case, as plain data any chat adapter can render.

Pure functions of the case, the time and the calendar. No chat-platform imports here:
the Slack adapter (``handlers/blocks/``) and a Teams adapter later render the same models.
Who hears of what is ``cases.audience``; the words of messages are ``cases.wording`` and
``cases.messages``.
Nothing here carries the complainant's personal data (name, email, phone, address, facts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cases.audience import Audience, team
from cases.deadlines import PolicyDates
from cases.decision_view import DecisionView as DecisionView
from cases.decision_view import decision_view as decision_view
from cases.formatting import DisplayCalendar as DisplayCalendar
from cases.formatting import format_day as format_day
from cases.formatting import format_when as format_when
from cases.formatting import plural as _plural
from cases.lifecycle import ACTION_LABELS, STATE_LABELS, TRANSITIONS, Action
from cases.model import (
    ALERTED_DEADLINES,
    DEADLINE_LABELS,
    OUTCOME_LABELS,
    STAGE_TWO_STATES,
    TERMINAL_STATES,
    Case,
    Deadline,
    DeadlineKind,
    State,
)
from cases.phases import PHASES as PHASES
from cases.phases import PhaseStatus as PhaseStatus
from cases.phases import PhaseStep, phase_tracker
from cases.policy import Policy
from cases.roles import Role, short_who

# Actions only the bot's own sweeps take: never a button.
SYSTEM_ACTIONS = frozenset({Action.CLOSE_REVIEW_WINDOW, Action.RECORD_NO_RESPONSE})
# Taken on the decision message in the directors' thread, not on a card.
DECISION_ACTIONS = frozenset({Action.APPROVE_DECISION, Action.REQUEST_CHANGES})
# The named person responds from their DM, not from a channel card.
PERSONAL_ACTIONS = frozenset({Action.RECORD_PERSON_RESPONSE})
STAGE_TWO_ACTIONS = frozenset({
    Action.ACKNOWLEDGE_REVIEW, Action.DELEGATE_REVIEW, Action.RECORD_PERSON_RESPONSE,
    Action.SEND_PROGRESS_UPDATE, Action.PROPOSE_DECISION, *DECISION_ACTIONS,
})

IN_STAGE_TWO_LABEL = "In Stage Two review"


class Marker(StrEnum):
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    # Not a task: the complainant's own time (the review window), shown for information.
    INFORMATION = "information"


MARKER_LABELS: dict[Marker, str] = {
    Marker.ON_TIME: "On time",
    Marker.DUE_SOON: "Due soon",
    Marker.OVERDUE: "Overdue",
    Marker.INFORMATION: "For information",
}

# The review window is the complainant's time to ask, not a task of staff.
WINDOW_WORDS = "the complainant may ask for a Stage Two review until then"


@dataclass(frozen=True)
class DeadlineView:
    """The next thing owed: what, when (local), how long is left, and a marker."""

    kind: DeadlineKind
    label: str
    due: str
    time_left: str
    marker: Marker


@dataclass(frozen=True)
class ProgressUpdateView:
    at: str
    by: str
    new_reply_by: str
    reason: str


@dataclass(frozen=True)
class StageTwoView:
    """Stage Two detail for the directors' card. Never the named person's response text."""

    requested_at: str | None
    reviewer: str | None
    delegate: str | None
    reply_by: str | None
    original_reply_by: str | None
    progress_updates: tuple[ProgressUpdateView, ...]
    person_named: bool
    person_informed: bool
    person_response_received: bool


@dataclass(frozen=True)
class CaseCardView:
    """Everything the case card shows; a pure function of case, time, calendar and policy."""

    case_id: int | None
    version: int
    reference: str
    summary: str
    stage: int
    state: State
    phase_label: str
    owner: str | None
    investigator: str | None
    received: str
    deadline: DeadlineView | None
    phases: tuple[PhaseStep, ...]
    actions: tuple[Action, ...]
    outcome: str | None
    final_decision: str | None
    is_final: bool
    surface: Audience
    stage_two: StageTwoView | None
    # Every deadline still owed, soonest first: a message names its reader's own one.
    owed: tuple[DeadlineView, ...] = ()
    # Button labels where a step is for someone in particular ("... (director)").
    labels: tuple[tuple[Action, str], ...] = ()
    # The approved decision's letter has not gone to the complainant (shown until it has).
    final_letter_unsent: bool = False

    def deadline_of(self, kind: DeadlineKind) -> DeadlineView | None:
        """The owed deadline of ``kind``, if it is still owed."""
        return next((d for d in self.owed if d.kind is kind), None)

    def label_of(self, action: Action) -> str:
        """The label of ``action``'s button on this card."""
        return dict(self.labels).get(action, ACTION_LABELS[action])


@dataclass(frozen=True)
class HomeRow:
    case_id: int | None
    reference: str
    summary: str
    phase_label: str
    your_part: str
    deadline: DeadlineView | None


@dataclass(frozen=True)
class HomeViewModel:
    """The App Home: what needs attention first, then every open case of the user."""

    attention: tuple[HomeRow, ...]
    open_cases: tuple[HomeRow, ...]


@dataclass(frozen=True)
class DatesToTell:
    """The policy dates, in words, that staff tell a complainant."""

    received_at: datetime
    received: str
    acknowledge_by: str
    investigate_by: str
    reply_expected_by: str


def deadline_view(deadline: Deadline, now: datetime, calendar: DisplayCalendar,
                  policy: Policy) -> DeadlineView:
    """Label, local due time, time left in words and marker for one deadline."""
    if deadline.kind not in ALERTED_DEADLINES:
        return DeadlineView(kind=deadline.kind, label=DEADLINE_LABELS[deadline.kind],
                            due=format_when(deadline.due_at, calendar),
                            time_left=WINDOW_WORDS, marker=Marker.INFORMATION)
    due_local = calendar.local(deadline.due_at)
    due_day = due_local.date()
    today = calendar.local_date(now)
    clock = f"{due_local:%H:%M}"
    if now > deadline.due_at:
        late = calendar.working_days_between(due_day, today)
        if late <= 0:
            left = f"overdue since {clock} today" if due_day == today else "overdue"
        else:
            left = f"overdue by {_plural(late, 'working day')}"
        marker = Marker.OVERDUE
    elif due_day == today:
        left, marker = f"due today by {clock}", Marker.DUE_SOON
    else:
        remaining = calendar.working_days_between(today, due_day)
        left = f"{_plural(remaining, 'working day')} left"
        soon = remaining <= policy.alerts.warn_before_working_days
        marker = Marker.DUE_SOON if soon else Marker.ON_TIME
    return DeadlineView(
        kind=deadline.kind,
        label=DEADLINE_LABELS[deadline.kind],
        due=format_when(deadline.due_at, calendar),
        time_left=left,
        marker=marker,
    )


# ---- buttons ----------------------------------------------------------------------------

def card_actions(case: Case, surface: Audience) -> tuple[Action, ...]:
    """Buttons the state allows on this team's card, for any role (the server checks clicks)."""
    audience = team(surface)
    if case.state in TERMINAL_STATES:
        return ()
    hidden = SYSTEM_ACTIONS | DECISION_ACTIONS | PERSONAL_ACTIONS
    in_stage_two = case.state in STAGE_TWO_STATES
    found: list[Action] = []
    for (state, action) in TRANSITIONS:
        if state is not case.state or action in hidden or action in found:
            continue
        if audience is Audience.CUSTOMER_SERVICES:
            # Once escalated, the review belongs to the directors' card.
            if in_stage_two:
                continue
        elif not in_stage_two or action not in STAGE_TWO_ACTIONS | {Action.WITHDRAW}:
            continue
        found.append(action)
    return tuple(found)


def button_labels(case: Case, actions: Iterable[Action], audience: Audience
                  ) -> tuple[tuple[Action, str], ...]:
    """Labels saying who a button is for, where this card's team may not take it.

    A review request outside the window is a "Late review request (director)" (or an
    early one, before the Stage One reply) on the customer-services card.
    """
    cs_card = audience is Audience.CUSTOMER_SERVICES
    team_role = Role.CUSTOMER_SERVICES if cs_card else Role.DIRECTOR
    found: list[tuple[Action, str]] = []
    for action in actions:
        row = TRANSITIONS[(case.state, action)]
        label = ACTION_LABELS[action]
        if row.exceptional:
            label = ("Late review request" if case.state is State.CLOSED
                     else "Early review request")
        if team_role not in row.roles:
            label += f" ({short_who(row.roles)})"
        if label != ACTION_LABELS[action]:
            found.append((action, label))
    return tuple(found)


# ---- the card ---------------------------------------------------------------------------

def _stage_two_view(case: Case, calendar: DisplayCalendar) -> StageTwoView:
    reply = case.deadlines.get(DeadlineKind.STAGE_TWO_REPLY)
    moved = reply is not None and reply.due_at != reply.original_due_at
    return StageTwoView(
        requested_at=(format_when(case.review_requested_at, calendar)
                      if case.review_requested_at else None),
        reviewer=case.reviewer,
        delegate=case.delegate,
        reply_by=format_day(case.review_reply_by) if case.review_reply_by else None,
        original_reply_by=(format_when(reply.original_due_at, calendar)
                           if reply is not None and moved else None),
        progress_updates=tuple(
            ProgressUpdateView(
                at=format_when(u.at, calendar), by=u.by,
                new_reply_by=format_when(u.new_due_at, calendar), reason=u.reason,
            )
            for u in case.progress_updates
        ),
        person_named=case.intake.subject_user_id is not None,
        person_informed=case.person_informed_at is not None,
        person_response_received=case.person_responded_at is not None,
    )


def _phase_label(case: Case, audience: Audience) -> str:
    in_review = case.state in STAGE_TWO_STATES and case.state is not State.FINAL
    if audience is Audience.CUSTOMER_SERVICES and in_review:
        return IN_STAGE_TWO_LABEL
    return STATE_LABELS[case.state]


def case_card_view(case: Case, now: datetime, calendar: DisplayCalendar, policy: Policy,
                   surface: Audience = Audience.CUSTOMER_SERVICES) -> CaseCardView:
    """The case card for customer services (or the directors' Stage Two card)."""
    audience = team(surface)
    next_due = case.next_deadline()
    decision = case.decision
    final_decision = (
        OUTCOME_LABELS[decision.outcome]
        if decision is not None and decision.approved_at is not None else None
    )
    return CaseCardView(
        case_id=case.id,
        version=case.version,
        reference=case.reference,
        summary=case.intake.summary,
        stage=case.stage,
        state=case.state,
        phase_label=_phase_label(case, audience),
        owner=case.owner,
        investigator=case.investigator,
        received=format_when(case.received_at, calendar),
        deadline=deadline_view(next_due, now, calendar, policy) if next_due else None,
        phases=phase_tracker(case),
        actions=card_actions(case, audience),
        outcome=OUTCOME_LABELS[case.outcome] if case.outcome else None,
        final_decision=final_decision,
        is_final=case.state in TERMINAL_STATES,
        surface=audience,
        stage_two=(_stage_two_view(case, calendar)
                   if audience is Audience.DIRECTORS and case.stage == 2 else None),
        owed=tuple(deadline_view(d, now, calendar, policy) for d in case.open_deadlines()),
        labels=button_labels(case, card_actions(case, audience), audience),
        final_letter_unsent=case.final_letter_unsent,
    )


# ---- App Home ---------------------------------------------------------------------------

def _your_part(case: Case, user_id: str) -> str:
    parts = [
        label for who, label in (
            (case.owner, "owner"), (case.investigator, "investigator"),
            (case.reviewer, "reviewer"), (case.delegate, "delegate"),
            (case.logged_by, "logged it"),
        ) if who == user_id
    ]
    return ", ".join(parts)


def home_view_model(cases_for_user: Iterable[Case], now: datetime, calendar: DisplayCalendar,
                    policy: Policy, user_id: str) -> HomeViewModel:
    """Rows for the user's App Home: due-soon/overdue first, then all their open cases."""
    rows: list[HomeRow] = []
    for case in cases_for_user:
        if not case.is_open:
            continue
        next_due = case.next_deadline()
        rows.append(HomeRow(
            case_id=case.id,
            reference=case.reference,
            summary=case.intake.summary,
            phase_label=STATE_LABELS[case.state],
            your_part=_your_part(case, user_id),
            deadline=deadline_view(next_due, now, calendar, policy) if next_due else None,
        ))
    order = {Marker.OVERDUE: 0, Marker.DUE_SOON: 1, Marker.ON_TIME: 2}
    calm = (Marker.ON_TIME, Marker.INFORMATION)
    attention = sorted(
        (r for r in rows if r.deadline is not None and r.deadline.marker not in calm),
        key=lambda r: (order[r.deadline.marker] if r.deadline else 3, r.reference),
    )
    return HomeViewModel(attention=tuple(attention), open_cases=tuple(rows))


# ---- dates to tell the complainant --------------------------------------------------------

def dates_to_tell(dates: PolicyDates, calendar: DisplayCalendar) -> DatesToTell:
    """The dates staff quote to the complainant, as words in the business time zone."""
    return DatesToTell(
        received_at=dates.received_at,
        received=format_when(dates.received_at, calendar),
        acknowledge_by=format_day(calendar.local_date(dates.stage_one_acknowledge_by)),
        investigate_by=format_day(calendar.local_date(dates.stage_one_investigate_by)),
        reply_expected_by=format_day(calendar.local_date(dates.stage_one_reply_expected_by)),
    )
