"""The case state machine as a table, and the one function that applies it.

Each row says who may take it, the guards it checks, and the deadlines it meets, retires,
opens and postpones; ``apply`` does all of that, writes the state and records the event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from cases import deadlines as dl
from cases import guards as g
from cases import subject
from cases.errors import IntakeInvalid, InvalidTransition, NotAllowed
from cases.guards import Guard
from cases.model import Case, DeadlineKind, HistoryEvent, State
from cases.policy import ClockStart
from cases.roles import SYSTEM_ACTOR, Role, who_may
from cases.steps import EVERY_DEADLINE, NO_EFFECTS, Attempt, DeadlineEffects, Given, Rules


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"
    ASSIGN_INVESTIGATOR = "assign_investigator"
    CONCLUDE_INVESTIGATION = "conclude_investigation"
    SEND_REPLY = "send_reply"
    CLOSE_REVIEW_WINDOW = "close_review_window"
    REQUEST_REVIEW = "request_review"
    ACKNOWLEDGE_REVIEW = "acknowledge_review"
    DELEGATE_REVIEW = "delegate_review"
    RECORD_PERSON_RESPONSE = "record_person_response"
    RECORD_NO_RESPONSE = "record_no_response"
    SEND_PROGRESS_UPDATE = "send_progress_update"
    PROPOSE_DECISION = "propose_decision"
    REQUEST_CHANGES = "request_changes"
    APPROVE_DECISION = "approve_decision"
    WITHDRAW = "withdraw"


ACTION_LABELS: dict[Action, str] = {
    Action.ACKNOWLEDGE: "Acknowledge",
    Action.RESOLVE: "Resolve",
    Action.ASSIGN_INVESTIGATOR: "Assign investigator",
    Action.CONCLUDE_INVESTIGATION: "Investigation concluded",
    Action.SEND_REPLY: "Send reply",
    Action.CLOSE_REVIEW_WINDOW: "Close after review window",
    Action.REQUEST_REVIEW: "Escalate to Stage Two",
    Action.ACKNOWLEDGE_REVIEW: "Acknowledge review",
    Action.DELEGATE_REVIEW: "Delegate review",
    Action.RECORD_PERSON_RESPONSE: "Respond",
    Action.RECORD_NO_RESPONSE: "Record no response",
    Action.SEND_PROGRESS_UPDATE: "Send progress update",
    Action.PROPOSE_DECISION: "Draft decision",
    Action.REQUEST_CHANGES: "Request changes",
    Action.APPROVE_DECISION: "Approve decision",
    Action.WITHDRAW: "Withdraw",
}

STATE_LABELS: dict[State, str] = {
    State.LOGGED: "Logged",
    State.ACKNOWLEDGED: "Acknowledged",
    State.INVESTIGATING: "Under investigation",
    State.RESOLVED: "Resolved by customer services",
    State.INVESTIGATION_CONCLUDED: "Investigation concluded",
    State.REPLIED: "Stage One reply sent",
    State.CLOSED: "Closed",
    State.REVIEW_REQUESTED: "Stage Two review requested",
    State.UNDER_REVIEW: "In Stage Two review",
    State.DECISION_PROPOSED: "Decision awaiting approval",
    State.FINAL: "Final decision given",
    State.WITHDRAWN: "Withdrawn",
}


@dataclass(frozen=True)
class Transition:
    """One row: the new state, who may take it, its guards and its deadline effects."""

    to: State
    roles: frozenset[Role]
    # Accepting a review request outside the procedure's window: directors only, with a
    # reason (``late_review_needs_director_and_reason`` and ``outside_review_window`` read it).
    exceptional: bool = False
    guards: tuple[Guard, ...] = ()
    deadlines: DeadlineEffects = NO_EFFECTS


def _t(to: State, *roles: Role, exceptional: bool = False, guards: tuple[Guard, ...] = (),
       meets: tuple[DeadlineKind, ...] = (), retires: tuple[DeadlineKind, ...] = (),
       opens: tuple[DeadlineKind, ...] = (), postpones: tuple[DeadlineKind, ...] = (),
       ) -> Transition:
    return Transition(to, frozenset(roles), exceptional, guards,
                      DeadlineEffects(meets=meets, retires=retires, opens=opens,
                                      postpones=postpones))


CS, DIR = Role.CUSTOMER_SERVICES, Role.DIRECTOR
K = DeadlineKind
STAGE_ONE = (K.STAGE_ONE_ACKNOWLEDGEMENT, K.INVESTIGATION, K.STAGE_ONE_REPLY)

_STAGE_ONE_OPEN = (
    State.LOGGED, State.ACKNOWLEDGED, State.INVESTIGATING, State.RESOLVED,
    State.INVESTIGATION_CONCLUDED,
)

# Logging a complaint is not a move between states, but it starts Stage One's clocks.
INTAKE = DeadlineEffects(opens=(K.STAGE_ONE_ACKNOWLEDGEMENT, K.INVESTIGATION))


def outside_review_window(case: Case, requested_at: datetime) -> bool:
    """True if a review requested at ``requested_at`` falls outside the review window.

    Outside means before the Stage One reply or after the window closed (the table marks
    those rows ``exceptional``), or on a replied case whose window passed before the
    request arrived. Such a request needs a director and a reason.
    """
    row = TRANSITIONS.get((case.state, Action.REQUEST_REVIEW))
    if row is None or row.exceptional:
        return True
    window = case.deadlines.get(DeadlineKind.REVIEW_WINDOW)
    return window is not None and requested_at > window.due_at


def requested_outside_window(case: Case) -> bool:
    """After the fact: was the case's review request taken outside the review window?

    No window yet (asked before the Stage One reply) or asked after it closed.
    """
    window = case.deadlines.get(DeadlineKind.REVIEW_WINDOW)
    asked = case.review_requested_at
    return asked is not None and (window is None or asked > window.due_at)


_LATE_REVIEW = ("{ref} is outside the review window (before the Stage One reply, or after "
                "the window closed): only a director may accept it.")


def late_review_needs_director_and_reason(attempt: Attempt) -> None:
    """A review accepted outside the window: a director, who says why."""
    received = attempt.given.received_at or attempt.at
    if not outside_review_window(attempt.case, received):
        return
    if Role.DIRECTOR not in attempt.roles:
        raise NotAllowed(_LATE_REVIEW.format(ref=attempt.case.reference))
    if not attempt.given.reason:
        raise IntakeInvalid({"reason": "say why the review is accepted outside the window"})


def _review(exceptional: bool, *roles: Role) -> Transition:
    return _t(State.REVIEW_REQUESTED, *roles, exceptional=exceptional,
              guards=(g.request_time_not_in_future, late_review_needs_director_and_reason),
              meets=(K.REVIEW_WINDOW,), retires=STAGE_ONE,
              opens=(K.STAGE_TWO_ACKNOWLEDGEMENT, K.STAGE_TWO_REPLY))


def _progress(state: State) -> Transition:
    return _t(state, Role.REVIEWER, Role.DELEGATE, DIR,
              guards=(g.new_date_is_a_later_working_day,), postpones=(K.STAGE_TWO_REPLY,))


_ALL = EVERY_DEADLINE

TRANSITIONS: dict[tuple[State, Action], Transition] = {
    (State.LOGGED, Action.ACKNOWLEDGE): _t(
        State.ACKNOWLEDGED, CS, DIR,
        guards=(g.owner_is_not_the_subject, g.reply_date_within_the_promise),
        meets=(K.STAGE_ONE_ACKNOWLEDGEMENT,)),
    (State.ACKNOWLEDGED, Action.RESOLVE): _t(
        State.RESOLVED, CS, meets=(K.INVESTIGATION,), opens=(K.STAGE_ONE_REPLY,)),
    (State.ACKNOWLEDGED, Action.ASSIGN_INVESTIGATOR): _t(
        State.INVESTIGATING, CS, DIR, guards=(g.investigator_is_not_the_subject,)),
    (State.INVESTIGATING, Action.ASSIGN_INVESTIGATOR): _t(
        State.INVESTIGATING, CS, DIR, guards=(g.investigator_is_not_the_subject,)),
    (State.INVESTIGATING, Action.CONCLUDE_INVESTIGATION): _t(
        State.INVESTIGATION_CONCLUDED, Role.INVESTIGATOR, CS, DIR,
        meets=(K.INVESTIGATION,), opens=(K.STAGE_ONE_REPLY,)),
    (State.RESOLVED, Action.SEND_REPLY): _t(
        State.REPLIED, CS, Role.OWNER, meets=(K.STAGE_ONE_REPLY, K.INVESTIGATION),
        opens=(K.REVIEW_WINDOW,)),
    (State.INVESTIGATION_CONCLUDED, Action.SEND_REPLY): _t(
        State.REPLIED, CS, Role.OWNER, Role.INVESTIGATOR,
        meets=(K.STAGE_ONE_REPLY, K.INVESTIGATION), opens=(K.REVIEW_WINDOW,)),
    (State.REPLIED, Action.CLOSE_REVIEW_WINDOW): _t(
        State.CLOSED, Role.SYSTEM, meets=(K.REVIEW_WINDOW,), retires=_ALL),
    (State.REPLIED, Action.REQUEST_REVIEW): _review(False, CS, DIR),
    (State.CLOSED, Action.REQUEST_REVIEW): _review(True, DIR),
    **{(s, Action.REQUEST_REVIEW): _review(True, DIR) for s in _STAGE_ONE_OPEN},
    (State.REVIEW_REQUESTED, Action.ACKNOWLEDGE_REVIEW): _t(
        State.UNDER_REVIEW, DIR,
        guards=(g.clicker_may_review, g.review_reply_date_within_the_promise),
        meets=(K.STAGE_TWO_ACKNOWLEDGEMENT,), opens=(K.PERSON_RESPONSE,)),
    (State.UNDER_REVIEW, Action.DELEGATE_REVIEW): _t(
        State.UNDER_REVIEW, DIR, guards=(g.delegate_may_review,)),
    (State.UNDER_REVIEW, Action.RECORD_PERSON_RESPONSE): _t(
        State.UNDER_REVIEW, Role.SUBJECT, guards=(g.response_once_and_in_time,),
        meets=(K.PERSON_RESPONSE,)),
    (State.UNDER_REVIEW, Action.RECORD_NO_RESPONSE): _t(
        State.UNDER_REVIEW, Role.SYSTEM, retires=(K.PERSON_RESPONSE,)),
    (State.UNDER_REVIEW, Action.SEND_PROGRESS_UPDATE): _progress(State.UNDER_REVIEW),
    (State.DECISION_PROPOSED, Action.SEND_PROGRESS_UPDATE): _progress(State.DECISION_PROPOSED),
    (State.UNDER_REVIEW, Action.PROPOSE_DECISION): _t(
        State.DECISION_PROPOSED, Role.REVIEWER, Role.DELEGATE,
        guards=(g.named_person_has_had_their_say,)),
    (State.DECISION_PROPOSED, Action.REQUEST_CHANGES): _t(State.UNDER_REVIEW, DIR),
    (State.DECISION_PROPOSED, Action.APPROVE_DECISION): _t(
        State.FINAL, DIR, guards=(g.approver_is_not_the_drafter,),
        meets=(K.STAGE_TWO_REPLY,), retires=_ALL),
    **{
        (s, Action.WITHDRAW): _t(State.WITHDRAWN, CS, DIR, retires=_ALL)
        for s in (*_STAGE_ONE_OPEN, State.REPLIED, State.REVIEW_REQUESTED,
                  State.UNDER_REVIEW, State.DECISION_PROPOSED)
    },
}


def roles_on_case(user_id: str, case: Case, org_roles: frozenset[Role]) -> frozenset[Role]:
    """The user's organisation roles plus the roles the case itself gives them."""
    if user_id == SYSTEM_ACTOR:
        return frozenset({Role.SYSTEM})
    roles = set(org_roles) | {Role.STAFF}
    if user_id == case.owner:
        roles.add(Role.OWNER)
    if user_id == case.investigator:
        roles.add(Role.INVESTIGATOR)
    if user_id == case.reviewer:
        roles.add(Role.REVIEWER)
    if user_id == case.delegate:
        roles.add(Role.DELEGATE)
    if user_id == case.logged_by:
        roles.add(Role.LOGGER)
    if subject.is_about(case, user_id):
        roles.add(Role.SUBJECT)
    return frozenset(roles)


def transition_for(case: Case, action: Action) -> Transition:
    """The table row for the case's state and this action; InvalidTransition if none."""
    row = TRANSITIONS.get((case.state, action))
    if row is None:
        raise InvalidTransition(
            f"{case.reference} is now at “{STATE_LABELS[case.state]}”: "
            f"“{ACTION_LABELS[action]}” no longer applies.",
            last_actor=case.last_actor,
            last_at=case.last_action_at,
        )
    return row


def allowed_actions(case: Case, roles: frozenset[Role]) -> list[Action]:
    """Actions this user could take now, in table order (for buttons and help)."""
    return [
        action for (state, action), row in TRANSITIONS.items()
        if state is case.state and row.roles & roles
    ]


def refuse_subject(case: Case, action: Action, row: Transition,
                   roles: frozenset[Role]) -> None:
    """NotAllowed if the person the complaint is about tries anything but their response."""
    subject.refuse_acting(case, ACTION_LABELS[action], row.roles, roles)


def authorise(case: Case, action: Action, roles: frozenset[Role]) -> Transition:
    """The table row for ``action`` now, if these roles may take it; else the refusal."""
    row = transition_for(case, action)
    refuse_subject(case, action, row, roles)
    if not row.roles & roles:
        if row.exceptional:
            raise NotAllowed(_LATE_REVIEW.format(ref=case.reference))
        raise NotAllowed(f"“{ACTION_LABELS[action]}” on {case.reference} is for "
                         f"{who_may(row.roles)}, and you are not on that list here. "
                         "Ask one of them to do it.")
    return row


def precheck(case: Case, action: Action, *, actor: str, roles: frozenset[Role],
             at: datetime, rules: Rules) -> Transition:
    """Before a form opens: the row's role check and the guards that need no form."""
    row = authorise(case, action, roles)
    attempt = Attempt(case=case, action=action, row=row, actor=actor, roles=roles, at=at,
                      rules=rules)
    for guard in row.guards:
        if guard in g.BEFORE_THE_FORM:
            guard(attempt)
    return row


def clock_started_at(start: ClockStart, case: Case, at: datetime,
                     given: Given) -> datetime | None:
    """When the event that starts a rule's clock happened; None if it has not happened."""
    if start is ClockStart.COMPLAINT_RECEIVED:
        return case.received_at
    if start is ClockStart.REVIEW_REQUEST_RECEIVED:
        return given.received_at or at
    if start is ClockStart.PERSON_INFORMED:
        # Only a complaint about a specific person has somebody to inform.
        return at if subject.names_a_person(case) else None
    return at  # the Stage One work concluding, the Stage One reply: the step itself


def apply_deadlines(case: Case, effects: DeadlineEffects, rules: Rules, at: datetime,
                    given: Given | None = None) -> None:
    """Meet, retire, open and postpone the deadlines a step names."""
    given = given or Given()
    for kind in effects.meets:
        dl.meet_deadline(case, kind, at)
    for kind in effects.retires:
        deadline = case.deadlines.get(kind)
        if deadline is not None and deadline.is_open:
            deadline.retired_at = at
    for kind in effects.opens:
        rule = rules.policy.rule_for(kind.value)
        started = clock_started_at(rule.starts, case, at, given)
        if started is not None:
            dl.open_deadline(case, kind, dl.due_after(rule, started, rules.calendar), started)
    for kind in effects.postpones:
        if given.day is None:
            raise IntakeInvalid({"new_reply_by": "this is required"})
        case.deadlines[kind].due_at = rules.calendar.close_of_business(given.day)


def start_intake_clocks(case: Case, rules: Rules) -> None:
    """Open the deadlines a newly logged complaint owes, from its receipt."""
    apply_deadlines(case, INTAKE, rules, case.received_at)


def apply(
    case: Case,
    action: Action,
    *,
    actor: str,
    roles: frozenset[Role],
    at: datetime,
    rules: Rules,
    given: Given | None = None,
    details: dict[str, Any] | None = None,
    fill: Callable[[], dict[str, Any]] | None = None,
) -> Transition:
    """Apply one row: role and state, guards, deadline effects, ``fill``, status, history.

    ``fill`` writes the step's own fields on the case and returns the event's details
    (else ``details`` are recorded). Nothing is changed if a check refuses.
    """
    row = authorise(case, action, roles)
    attempt = Attempt(case=case, action=action, row=row, actor=actor, roles=roles, at=at,
                      rules=rules, given=given or Given())
    for guard in row.guards:
        guard(attempt)
    before = case.state
    apply_deadlines(case, row.deadlines, rules, at, attempt.given)
    if fill is not None:
        details = fill()
    case.state = row.to
    record(case, action.value, actor=actor, at=at, before=before, after=row.to, details=details)
    return row


def record(
    case: Case,
    what: str,
    *,
    actor: str,
    at: datetime,
    before: State | None = None,
    after: State | None = None,
    details: dict[str, Any] | None = None,
) -> HistoryEvent:
    """Append a history event (a transition, a note, a view of personal data)."""
    event = HistoryEvent(
        case_id=case.id or 0,
        seq=0,  # the repository numbers events when it stores them
        at=at,
        actor=actor,
        action=what,
        from_state=before,
        to_state=after,
        details=dict(details or {}),
    )
    case.new_events.append(event)
    if before is not None:
        case.last_actor = actor
        case.last_action_at = at
    return event
