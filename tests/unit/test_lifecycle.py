"""The case state machine: every (state, action) pair, allowed and refused."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from cases.errors import InvalidTransition, NotAllowed
from cases.lifecycle import (
    TRANSITIONS,
    Action,
    allowed_actions,
    apply,
    record,
    roles_on_case,
    transition_for,
)
from cases.model import OPEN_STATES, TERMINAL_STATES, Case, State
from cases.roles import SYSTEM_ACTOR, Role
from tests.fakes import intake_record

AT = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 6, 11, 14, 30, tzinfo=UTC)
ALL_ROLES = frozenset(Role)

ALL_PAIRS = list(itertools.product(State, Action))
ALLOWED_PAIRS = [pair for pair in ALL_PAIRS if pair in TRANSITIONS]
REFUSED_PAIRS = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]


def make_case(state: State = State.LOGGED, **fields: object) -> Case:
    case = Case(
        reference="TT-2026-0042", intake=intake_record(subject_user_id="U_SUBJECT"),
        received_at=AT, effective_receipt=date(2026, 6, 10), logged_by="U_LOGGER",
        logged_at=AT, state=state, id=42, last_actor="U_PREVIOUS", last_action_at=AT,
    )
    for name, value in fields.items():
        setattr(case, name, value)
    return case


def pair_id(pair: tuple[State, Action]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


# ---- the whole product -----------------------------------------------------------------


def test_the_product_is_split_between_table_and_refusals() -> None:
    assert len(ALL_PAIRS) == len(State) * len(Action)
    assert ALLOWED_PAIRS and REFUSED_PAIRS
    assert len(ALLOWED_PAIRS) + len(REFUSED_PAIRS) == len(ALL_PAIRS)


@pytest.mark.parametrize("pair", ALLOWED_PAIRS, ids=pair_id)
def test_allowed_transition_moves_to_the_tables_state_for_every_role_in_its_row(
    pair: tuple[State, Action],
) -> None:
    state, action = pair
    row = TRANSITIONS[pair]
    assert row.roles, "a row nobody may take is dead"
    for role in row.roles:
        case = make_case(state)
        returned = apply(case, action, actor="U_ACTOR", roles=frozenset({role}), at=LATER,
                         details={"why": "test"})
        assert returned is row
        assert case.state is row.to
        assert len(case.new_events) == 1
        event = case.new_events[0]
        assert (event.actor, event.at, event.action) == ("U_ACTOR", LATER, action.value)
        assert (event.from_state, event.to_state) == (state, row.to)
        assert event.case_id == 42
        assert event.details == {"why": "test"}
        assert (case.last_actor, case.last_action_at) == ("U_ACTOR", LATER)


@pytest.mark.parametrize("pair", ALLOWED_PAIRS, ids=pair_id)
def test_allowed_transition_refuses_every_role_not_in_its_row(
    pair: tuple[State, Action],
) -> None:
    state, action = pair
    row = TRANSITIONS[pair]
    outsiders = ALL_ROLES - row.roles
    # Each outsider alone, and all of them together: none is enough.
    for roles in [*(frozenset({r}) for r in outsiders), outsiders, frozenset()]:
        case = make_case(state)
        with pytest.raises(NotAllowed) as caught:
            apply(case, action, actor="U_ACTOR", roles=roles, at=LATER)
        assert case.state is state
        assert case.new_events == []
        assert case.last_actor == "U_PREVIOUS"
        assert "TT-2026-0042" in str(caught.value)


@pytest.mark.parametrize("pair", ALLOWED_PAIRS, ids=pair_id)
def test_person_the_complaint_is_about_only_takes_their_own_response_whatever_their_roles(
    pair: tuple[State, Action],
) -> None:
    state, action = pair
    row = TRANSITIONS[pair]
    case = make_case(state)
    roles = frozenset(ALL_ROLES - {Role.SYSTEM})
    if Role.SUBJECT in row.roles:
        apply(case, action, actor="U_SUBJECT", roles=roles, at=LATER)
        assert case.state is row.to
    else:
        with pytest.raises(NotAllowed, match="about you"):
            apply(case, action, actor="U_SUBJECT", roles=roles, at=LATER)
        assert case.state is state
        assert case.new_events == []


@pytest.mark.parametrize("pair", REFUSED_PAIRS, ids=pair_id)
def test_pair_not_in_the_table_is_an_invalid_transition_whatever_the_roles(
    pair: tuple[State, Action],
) -> None:
    state, action = pair
    case = make_case(state)
    with pytest.raises(InvalidTransition) as caught:
        apply(case, action, actor="U_ACTOR", roles=ALL_ROLES, at=LATER)
    assert case.state is state
    assert case.new_events == []
    # The error says who last changed the case, and when.
    assert caught.value.last_actor == "U_PREVIOUS"
    assert caught.value.last_at == AT
    with pytest.raises(InvalidTransition):
        transition_for(case, action)


@pytest.mark.parametrize("state", sorted(TERMINAL_STATES), ids=str)
def test_final_and_withdrawn_accept_no_transition_at_all(state: State) -> None:
    for action in Action:
        case = make_case(state)
        with pytest.raises(InvalidTransition):
            apply(case, action, actor="U_DIRECTOR", roles=ALL_ROLES, at=LATER)
        assert case.state is state
    assert allowed_actions(make_case(state), ALL_ROLES) == []


# ---- the shape of the table -----------------------------------------------------------


@pytest.mark.parametrize("state", sorted(OPEN_STATES), ids=str)
def test_withdrawal_is_possible_from_every_open_state(state: State) -> None:
    assert TRANSITIONS[(state, Action.WITHDRAW)].to is State.WITHDRAWN


def test_closed_case_can_only_be_reopened_by_a_director_accepting_a_late_review() -> None:
    from_closed = {a: row for (s, a), row in TRANSITIONS.items() if s is State.CLOSED}
    assert set(from_closed) == {Action.REQUEST_REVIEW}
    row = from_closed[Action.REQUEST_REVIEW]
    assert row.roles == {Role.DIRECTOR}
    assert row.exceptional


def test_review_request_before_the_stage_one_reply_is_exceptional_and_for_directors() -> None:
    for state in (State.LOGGED, State.ACKNOWLEDGED, State.INVESTIGATING, State.RESOLVED,
                  State.INVESTIGATION_CONCLUDED):
        row = TRANSITIONS[(state, Action.REQUEST_REVIEW)]
        assert row.exceptional and row.roles == {Role.DIRECTOR}
    in_window = TRANSITIONS[(State.REPLIED, Action.REQUEST_REVIEW)]
    assert not in_window.exceptional
    assert Role.CUSTOMER_SERVICES in in_window.roles


def test_only_a_director_approves_and_only_the_reviewer_or_delegate_proposes() -> None:
    assert TRANSITIONS[(State.DECISION_PROPOSED, Action.APPROVE_DECISION)].roles == {
        Role.DIRECTOR}
    assert TRANSITIONS[(State.UNDER_REVIEW, Action.PROPOSE_DECISION)].roles == {
        Role.REVIEWER, Role.DELEGATE}


def test_only_the_person_the_complaint_is_about_records_their_response() -> None:
    assert TRANSITIONS[(State.UNDER_REVIEW, Action.RECORD_PERSON_RESPONSE)].roles == {
        Role.SUBJECT}


def test_stage_one_path_through_investigation_ends_closed() -> None:
    case = make_case()
    steps = [
        (Action.ACKNOWLEDGE, Role.CUSTOMER_SERVICES, State.ACKNOWLEDGED),
        (Action.ASSIGN_INVESTIGATOR, Role.CUSTOMER_SERVICES, State.INVESTIGATING),
        (Action.ASSIGN_INVESTIGATOR, Role.DIRECTOR, State.INVESTIGATING),
        (Action.CONCLUDE_INVESTIGATION, Role.INVESTIGATOR, State.INVESTIGATION_CONCLUDED),
        (Action.SEND_REPLY, Role.OWNER, State.REPLIED),
        (Action.CLOSE_REVIEW_WINDOW, Role.SYSTEM, State.CLOSED),
    ]
    for action, role, expected in steps:
        apply(case, action, actor="U_X", roles=frozenset({role}), at=LATER)
        assert case.state is expected
    assert [e.action for e in case.new_events] == [a.value for a, _, _ in steps]


def test_stage_one_path_resolved_by_customer_services() -> None:
    case = make_case(State.ACKNOWLEDGED)
    cs = frozenset({Role.CUSTOMER_SERVICES})
    seen = []
    for action in (Action.RESOLVE, Action.SEND_REPLY):
        apply(case, action, actor="U_CS", roles=cs, at=LATER)
        seen.append(case.state)
    assert seen == [State.RESOLVED, State.REPLIED]


def test_stage_two_path_from_review_request_to_final() -> None:
    case = make_case(State.REPLIED)
    director = frozenset({Role.DIRECTOR})
    steps = [
        (Action.REQUEST_REVIEW, frozenset({Role.CUSTOMER_SERVICES}), State.REVIEW_REQUESTED),
        (Action.ACKNOWLEDGE_REVIEW, director, State.UNDER_REVIEW),
        (Action.DELEGATE_REVIEW, director, State.UNDER_REVIEW),
        (Action.RECORD_PERSON_RESPONSE, frozenset({Role.SUBJECT}), State.UNDER_REVIEW),
        (Action.SEND_PROGRESS_UPDATE, frozenset({Role.DELEGATE}), State.UNDER_REVIEW),
        (Action.PROPOSE_DECISION, frozenset({Role.DELEGATE}), State.DECISION_PROPOSED),
        (Action.REQUEST_CHANGES, director, State.UNDER_REVIEW),
        (Action.PROPOSE_DECISION, frozenset({Role.DELEGATE}), State.DECISION_PROPOSED),
        (Action.APPROVE_DECISION, director, State.FINAL),
    ]
    for action, roles, expected in steps:
        apply(case, action, actor="U_X", roles=roles, at=LATER)
        assert case.state is expected
    assert len(case.new_events) == len(steps)


# ---- helpers around the table ------------------------------------------------------------


def test_allowed_actions_lists_only_what_the_roles_may_do_now() -> None:
    case = make_case(State.REPLIED)
    assert allowed_actions(case, frozenset({Role.CUSTOMER_SERVICES})) == [
        Action.REQUEST_REVIEW, Action.WITHDRAW]
    assert allowed_actions(case, frozenset({Role.SYSTEM})) == [Action.CLOSE_REVIEW_WINDOW]
    assert allowed_actions(case, frozenset({Role.STAFF})) == []


def test_roles_on_case_adds_the_parts_the_case_gives_a_user() -> None:
    case = make_case(State.UNDER_REVIEW, owner="U_OWNER", investigator="U_INV",
                     reviewer="U_REV", delegate="U_DEL")
    assert roles_on_case("U_OWNER", case, frozenset()) == {Role.OWNER, Role.STAFF}
    assert roles_on_case("U_INV", case, frozenset()) == {Role.INVESTIGATOR, Role.STAFF}
    assert roles_on_case("U_REV", case, frozenset({Role.DIRECTOR})) == {
        Role.REVIEWER, Role.DIRECTOR, Role.STAFF}
    assert roles_on_case("U_DEL", case, frozenset()) == {Role.DELEGATE, Role.STAFF}
    assert roles_on_case("U_LOGGER", case, frozenset()) == {Role.LOGGER, Role.STAFF}
    assert roles_on_case("U_SUBJECT", case, frozenset()) == {Role.SUBJECT, Role.STAFF}
    assert roles_on_case("U_NOBODY", case, frozenset()) == {Role.STAFF}


def test_only_the_system_actor_holds_the_system_role() -> None:
    case = make_case(State.REPLIED)
    assert roles_on_case(SYSTEM_ACTOR, case, frozenset({Role.DIRECTOR})) == {Role.SYSTEM}
    with pytest.raises(NotAllowed):
        apply(case, Action.CLOSE_REVIEW_WINDOW, actor="U_DIRECTOR",
              roles=roles_on_case("U_DIRECTOR", case, frozenset({Role.DIRECTOR})), at=LATER)


def test_note_is_recorded_without_changing_state_or_last_action() -> None:
    case = make_case(State.FINAL)
    event = record(case, "note", actor="U_CS", at=LATER, details={"text": "called back"})
    assert case.state is State.FINAL
    assert case.new_events == [event]
    assert (event.from_state, event.to_state) == (None, None)
    assert case.last_actor == "U_PREVIOUS"
