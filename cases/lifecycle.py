"""The case state machine as a table, and the one function that applies it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from cases.errors import InvalidTransition, NotAllowed
from cases.model import Case, HistoryEvent, State
from cases.roles import SYSTEM_ACTOR, Role


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
    to: State
    roles: frozenset[Role]
    # A review request accepted outside the procedure's window: directors only, with a reason.
    exceptional: bool = False


def _t(to: State, *roles: Role, exceptional: bool = False) -> Transition:
    return Transition(to, frozenset(roles), exceptional)


CS, DIR = Role.CUSTOMER_SERVICES, Role.DIRECTOR

_STAGE_ONE_OPEN = (
    State.LOGGED, State.ACKNOWLEDGED, State.INVESTIGATING, State.RESOLVED,
    State.INVESTIGATION_CONCLUDED,
)

TRANSITIONS: dict[tuple[State, Action], Transition] = {
    (State.LOGGED, Action.ACKNOWLEDGE): _t(State.ACKNOWLEDGED, CS, DIR),
    (State.ACKNOWLEDGED, Action.RESOLVE): _t(State.RESOLVED, CS),
    (State.ACKNOWLEDGED, Action.ASSIGN_INVESTIGATOR): _t(State.INVESTIGATING, CS, DIR),
    (State.INVESTIGATING, Action.ASSIGN_INVESTIGATOR): _t(State.INVESTIGATING, CS, DIR),
    (State.INVESTIGATING, Action.CONCLUDE_INVESTIGATION): _t(
        State.INVESTIGATION_CONCLUDED, Role.INVESTIGATOR, CS, DIR
    ),
    (State.RESOLVED, Action.SEND_REPLY): _t(State.REPLIED, CS, Role.OWNER),
    (State.INVESTIGATION_CONCLUDED, Action.SEND_REPLY): _t(
        State.REPLIED, CS, Role.OWNER, Role.INVESTIGATOR
    ),
    (State.REPLIED, Action.CLOSE_REVIEW_WINDOW): _t(State.CLOSED, Role.SYSTEM),
    (State.REPLIED, Action.REQUEST_REVIEW): _t(State.REVIEW_REQUESTED, CS, DIR),
    (State.CLOSED, Action.REQUEST_REVIEW): _t(State.REVIEW_REQUESTED, DIR, exceptional=True),
    **{
        (s, Action.REQUEST_REVIEW): _t(State.REVIEW_REQUESTED, DIR, exceptional=True)
        for s in _STAGE_ONE_OPEN
    },
    (State.REVIEW_REQUESTED, Action.ACKNOWLEDGE_REVIEW): _t(State.UNDER_REVIEW, DIR),
    (State.UNDER_REVIEW, Action.DELEGATE_REVIEW): _t(State.UNDER_REVIEW, DIR),
    (State.UNDER_REVIEW, Action.RECORD_PERSON_RESPONSE): _t(State.UNDER_REVIEW, Role.SUBJECT),
    (State.UNDER_REVIEW, Action.RECORD_NO_RESPONSE): _t(State.UNDER_REVIEW, Role.SYSTEM),
    (State.UNDER_REVIEW, Action.SEND_PROGRESS_UPDATE): _t(
        State.UNDER_REVIEW, Role.REVIEWER, Role.DELEGATE, DIR
    ),
    (State.DECISION_PROPOSED, Action.SEND_PROGRESS_UPDATE): _t(
        State.DECISION_PROPOSED, Role.REVIEWER, Role.DELEGATE, DIR
    ),
    (State.UNDER_REVIEW, Action.PROPOSE_DECISION): _t(
        State.DECISION_PROPOSED, Role.REVIEWER, Role.DELEGATE
    ),
    (State.DECISION_PROPOSED, Action.REQUEST_CHANGES): _t(State.UNDER_REVIEW, DIR),
    (State.DECISION_PROPOSED, Action.APPROVE_DECISION): _t(State.FINAL, DIR),
    **{
        (s, Action.WITHDRAW): _t(State.WITHDRAWN, CS, DIR)
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
    if user_id == case.intake.subject_user_id:
        roles.add(Role.SUBJECT)
    return frozenset(roles)


def transition_for(case: Case, action: Action) -> Transition:
    """The table row for the case's state and this action; InvalidTransition if none."""
    row = TRANSITIONS.get((case.state, action))
    if row is None:
        raise InvalidTransition(
            f"{case.reference} is {STATE_LABELS[case.state].lower()}: "
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
    """NotAllowed if the person the complaint is about tries anything but their response.

    Need-to-know: the person a complaint is about only gives their own response;
    whatever else they are (a director, say), they do not run, steer or close the case.
    """
    if Role.SUBJECT in roles and Role.SUBJECT not in row.roles:
        raise NotAllowed(
            f"{case.reference} is a complaint about you, so “{ACTION_LABELS[action]}” "
            "must be done by someone else; you are asked for your own response."
        )


def authorise(case: Case, action: Action, roles: frozenset[Role]) -> Transition:
    """The table row for ``action`` now, if these roles may take it; else the refusal."""
    row = transition_for(case, action)
    refuse_subject(case, action, row, roles)
    if not row.roles & roles:
        needed = ", ".join(sorted(r.value for r in row.roles))
        raise NotAllowed(f"“{ACTION_LABELS[action]}” on {case.reference} needs: {needed}.")
    return row


def apply(
    case: Case,
    action: Action,
    *,
    actor: str,
    roles: frozenset[Role],
    at: datetime,
    details: dict[str, Any] | None = None,
) -> Transition:
    """Check role and state, move the case, and append the history event."""
    row = authorise(case, action, roles)
    before = case.state
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
