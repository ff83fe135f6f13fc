"""The case state machine, checked against the procedure written out by hand here.

The tables below are read from the complaints procedure (and the README's readings of
it), not from ``cases.lifecycle.TRANSITIONS``: if the code's table drifts from them,
these tests fail.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from cases.errors import IntakeInvalid, InvalidTransition, NotAllowed
from cases.lifecycle import (
    TRANSITIONS,
    Action,
    allowed_actions,
    apply,
    outside_review_window,
    record,
    roles_on_case,
    start_intake_clocks,
    transition_for,
)
from cases.model import Case, Deadline, DeadlineKind, State
from cases.policy import Policy
from cases.roles import SYSTEM_ACTOR, Role
from cases.steps import Given, Rules
from scheduling.calendar import UKWorkingCalendar
from tests.fakes import intake_record

AT = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)          # Wed 10 Jun 2026, 10:00 London
LATER = datetime(2026, 6, 11, 14, 30, tzinfo=UTC)     # Thu 11 Jun 2026, 15:30 London
FAR = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)
ALL_ROLES = frozenset(Role)
RULES = Rules(policy=Policy(), calendar=UKWorkingCalendar())

S, A, K = State, Action, DeadlineKind
CS, DIR, INV, OWNER = Role.CUSTOMER_SERVICES, Role.DIRECTOR, Role.INVESTIGATOR, Role.OWNER
REV, DEL, SUBJ, SYS = Role.REVIEWER, Role.DELEGATE, Role.SUBJECT, Role.SYSTEM

STAGE_ONE_OPEN = (S.LOGGED, S.ACKNOWLEDGED, S.INVESTIGATING, S.RESOLVED,
                  S.INVESTIGATION_CONCLUDED)

# ---- the procedure, by hand: (state, action) -> (new state, who may take it) ------------

EXPECTED: dict[tuple[State, Action], tuple[State, set[Role]]] = {
    # Phase one 1: acknowledged and logged (who deals with it, when to expect a reply).
    (S.LOGGED, A.ACKNOWLEDGE): (S.ACKNOWLEDGED, {CS, DIR}),
    # Phase one 2: customer services resolve it, or an appropriate person investigates.
    (S.ACKNOWLEDGED, A.RESOLVE): (S.RESOLVED, {CS}),
    (S.ACKNOWLEDGED, A.ASSIGN_INVESTIGATOR): (S.INVESTIGATING, {CS, DIR}),
    (S.INVESTIGATING, A.ASSIGN_INVESTIGATOR): (S.INVESTIGATING, {CS, DIR}),
    (S.INVESTIGATING, A.CONCLUDE_INVESTIGATION): (S.INVESTIGATION_CONCLUDED, {INV, CS, DIR}),
    # Phase one 3: the member of staff who dealt with it, or customer services, replies.
    (S.RESOLVED, A.SEND_REPLY): (S.REPLIED, {CS, OWNER}),
    (S.INVESTIGATION_CONCLUDED, A.SEND_REPLY): (S.REPLIED, {CS, OWNER, INV}),
    # Our reading: no review asked for within the window, the case closes itself.
    (S.REPLIED, A.CLOSE_REVIEW_WINDOW): (S.CLOSED, {SYS}),
    # Phase two: a review asked for via customer services or a director...
    (S.REPLIED, A.REQUEST_REVIEW): (S.REVIEW_REQUESTED, {CS, DIR}),
    # ...and outside the window (before the reply, or after it closed) only a director.
    (S.CLOSED, A.REQUEST_REVIEW): (S.REVIEW_REQUESTED, {DIR}),
    **{(s, A.REQUEST_REVIEW): (S.REVIEW_REQUESTED, {DIR}) for s in STAGE_ONE_OPEN},
    # "The complaint details will be passed on to a Director", who acknowledges...
    (S.REVIEW_REQUESTED, A.ACKNOWLEDGE_REVIEW): (S.UNDER_REVIEW, {DIR}),
    # ...and may delegate a suitably senior person.
    (S.UNDER_REVIEW, A.DELEGATE_REVIEW): (S.UNDER_REVIEW, {DIR}),
    # The person it is about is given a further opportunity to respond.
    (S.UNDER_REVIEW, A.RECORD_PERSON_RESPONSE): (S.UNDER_REVIEW, {SUBJ}),
    (S.UNDER_REVIEW, A.RECORD_NO_RESPONSE): (S.UNDER_REVIEW, {SYS}),
    # If a definitive reply is not possible in time, a progress update.
    (S.UNDER_REVIEW, A.SEND_PROGRESS_UPDATE): (S.UNDER_REVIEW, {REV, DEL, DIR}),
    (S.DECISION_PROPOSED, A.SEND_PROGRESS_UPDATE): (S.DECISION_PROPOSED, {REV, DEL, DIR}),
    # The reviewer drafts; a director approves; "the decision taken at this stage is final".
    (S.UNDER_REVIEW, A.PROPOSE_DECISION): (S.DECISION_PROPOSED, {REV, DEL}),
    (S.DECISION_PROPOSED, A.REQUEST_CHANGES): (S.UNDER_REVIEW, {DIR}),
    (S.DECISION_PROPOSED, A.APPROVE_DECISION): (S.FINAL, {DIR}),
    # A complainant may withdraw at any point before the end.
    **{(s, A.WITHDRAW): (S.WITHDRAWN, {CS, DIR})
       for s in (*STAGE_ONE_OPEN, S.REPLIED, S.REVIEW_REQUESTED, S.UNDER_REVIEW,
                 S.DECISION_PROPOSED)},
}

EXCEPTIONAL = {(S.CLOSED, A.REQUEST_REVIEW), *((s, A.REQUEST_REVIEW) for s in STAGE_ONE_OPEN)}

# ---- and which deadlines each step meets, retires, opens --------------------------------

EVERYTHING = "every deadline still open"
STAGE_ONE = {K.STAGE_ONE_ACKNOWLEDGEMENT, K.INVESTIGATION, K.STAGE_ONE_REPLY}
REVIEW = {
    "meets": {K.REVIEW_WINDOW}, "retires": STAGE_ONE,
    "opens": {K.STAGE_TWO_ACKNOWLEDGEMENT, K.STAGE_TWO_REPLY},
}
DEADLINES: dict[Action, dict[str, object]] = {
    A.ACKNOWLEDGE: {"meets": {K.STAGE_ONE_ACKNOWLEDGEMENT}},
    A.RESOLVE: {"meets": {K.INVESTIGATION}, "opens": {K.STAGE_ONE_REPLY}},
    A.ASSIGN_INVESTIGATOR: {},
    A.CONCLUDE_INVESTIGATION: {"meets": {K.INVESTIGATION}, "opens": {K.STAGE_ONE_REPLY}},
    A.SEND_REPLY: {"meets": {K.STAGE_ONE_REPLY, K.INVESTIGATION}, "opens": {K.REVIEW_WINDOW}},
    A.CLOSE_REVIEW_WINDOW: {"meets": {K.REVIEW_WINDOW}, "retires": EVERYTHING},
    A.REQUEST_REVIEW: REVIEW,
    A.ACKNOWLEDGE_REVIEW: {"meets": {K.STAGE_TWO_ACKNOWLEDGEMENT},
                           "opens": {K.PERSON_RESPONSE}},
    A.DELEGATE_REVIEW: {},
    A.RECORD_PERSON_RESPONSE: {"meets": {K.PERSON_RESPONSE}},
    A.RECORD_NO_RESPONSE: {"retires": {K.PERSON_RESPONSE}},
    A.SEND_PROGRESS_UPDATE: {"postpones": {K.STAGE_TWO_REPLY}},
    A.PROPOSE_DECISION: {},
    A.REQUEST_CHANGES: {},
    A.APPROVE_DECISION: {"meets": {K.STAGE_TWO_REPLY}, "retires": EVERYTHING},
    A.WITHDRAW: {"retires": EVERYTHING},
}

ALLOWED = sorted(EXPECTED, key=lambda p: (p[0].value, p[1].value))
REFUSED = [p for p in itertools.product(State, Action) if p not in EXPECTED]


def pair_id(pair: tuple[State, Action]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


def make_case(state: State = State.LOGGED, **fields: object) -> Case:
    case = Case(
        reference="TT-2026-0042", intake=intake_record(subject_user_id="U_SUBJECT"),
        received_at=AT, effective_receipt=date(2026, 6, 10), logged_by="U_LOGGER",
        logged_at=AT, state=state, id=42, last_actor="U_PREVIOUS", last_action_at=AT,
    )
    for name, value in fields.items():
        setattr(case, name, value)
    return case


def every_deadline_open(case: Case) -> Case:
    for kind in DeadlineKind:
        case.deadlines[kind] = Deadline(kind=kind, due_at=FAR, original_due_at=FAR,
                                        started_at=AT)
    return case


# What a form for each step would carry so that its guards pass.
GIVEN = {
    A.ACKNOWLEDGE: Given(day=date(2026, 6, 12)),
    A.ASSIGN_INVESTIGATOR: Given(person="U_NEW_INVESTIGATOR"),
    A.REQUEST_REVIEW: Given(received_at=LATER - timedelta(hours=1), reason="asked late"),
    A.DELEGATE_REVIEW: Given(person="U_SENIOR", person_roles=frozenset({Role.SENIOR})),
    # After the original due date (FAR): a progress update never promises an earlier one.
    A.SEND_PROGRESS_UPDATE: Given(day=date(2026, 10, 1)),
}


def ready(pair: tuple[State, Action]) -> Case:
    """A case in the pair's state with every deadline open, where the step's guards pass."""
    case = every_deadline_open(make_case(pair[0]))
    if pair[1] is A.PROPOSE_DECISION:  # the named person has had their say
        case.deadlines[K.PERSON_RESPONSE].met_at = AT
    return case


def take(case: Case, action: Action, roles: frozenset[Role], actor: str = "U_ACTOR") -> None:
    apply(case, action, actor=actor, roles=roles, at=LATER, rules=RULES,
          given=GIVEN.get(action), details={"why": "test"})


# ---- the table is the procedure ----------------------------------------------------------


def test_the_table_holds_exactly_the_moves_the_procedure_allows() -> None:
    assert set(TRANSITIONS) == set(EXPECTED)


@pytest.mark.parametrize("pair", ALLOWED, ids=pair_id)
def test_each_allowed_move_goes_where_the_procedure_says_for_each_role_it_names(
    pair: tuple[State, Action],
) -> None:
    state, action = pair
    to, roles = EXPECTED[pair]
    for role in roles:
        case = ready(pair)
        take(case, action, frozenset({role}))
        assert case.state is to
        [event] = case.new_events
        assert (event.actor, event.at, event.action) == ("U_ACTOR", LATER, action.value)
        assert (event.from_state, event.to_state) == (state, to)
        assert event.case_id == 42
        assert event.details == {"why": "test"}
        assert (case.last_actor, case.last_action_at) == ("U_ACTOR", LATER)


@pytest.mark.parametrize("pair", ALLOWED, ids=pair_id)
def test_each_allowed_move_refuses_every_role_the_procedure_does_not_name(
    pair: tuple[State, Action],
) -> None:
    state, action = pair
    outsiders = ALL_ROLES - EXPECTED[pair][1]
    for roles in [*(frozenset({r}) for r in outsiders), outsiders, frozenset()]:
        case = ready(pair)
        with pytest.raises(NotAllowed) as caught:
            take(case, action, roles)
        assert case.state is state
        assert case.new_events == []
        assert case.last_actor == "U_PREVIOUS"
        assert all(d.is_open for d in case.deadlines.values()
                   if d.kind is not K.PERSON_RESPONSE)
        assert "TT-2026-0042" in str(caught.value)


@pytest.mark.parametrize("pair", ALLOWED, ids=pair_id)
def test_each_move_meets_retires_and_opens_the_deadlines_the_procedure_says(
    pair: tuple[State, Action],
) -> None:
    state, action = pair
    case = ready(pair)
    before = dict(case.deadlines)
    was_open = {k for k, d in before.items() if d.is_open}
    take(case, action, frozenset(EXPECTED[pair][1]))
    expected = DEADLINES[action]
    met = {k for k, d in case.deadlines.items() if d.met_at == LATER}
    retired = {k for k, d in case.deadlines.items() if d.retired_at == LATER}
    opened = {k for k, d in case.deadlines.items() if d is not before[k]}
    postponed = {k for k, d in case.deadlines.items()
                 if d is before[k] and d.due_at != d.original_due_at}
    meets = set(expected.get("meets", set()))  # type: ignore[call-overload]
    assert met == meets
    retires = expected.get("retires", set())
    if retires == EVERYTHING:
        assert retired == was_open - meets
    else:
        assert retired == retires
    assert opened == expected.get("opens", set())
    assert postponed == expected.get("postpones", set())


@pytest.mark.parametrize("pair", REFUSED, ids=pair_id)
def test_move_the_procedure_does_not_have_is_invalid_whatever_the_roles(
    pair: tuple[State, Action],
) -> None:
    state, action = pair
    case = make_case(state)
    with pytest.raises(InvalidTransition) as caught:
        apply(case, action, actor="U_ACTOR", roles=ALL_ROLES, at=LATER, rules=RULES)
    assert case.state is state
    assert case.new_events == []
    assert caught.value.last_actor == "U_PREVIOUS"
    assert caught.value.last_at == AT
    with pytest.raises(InvalidTransition):
        transition_for(case, action)


@pytest.mark.parametrize("state", [S.FINAL, S.WITHDRAWN], ids=str)
def test_final_and_withdrawn_accept_no_move_at_all(state: State) -> None:
    assert not [a for a in Action if (state, a) in EXPECTED]
    for action in Action:
        with pytest.raises(InvalidTransition):
            apply(make_case(state), action, actor="U_DIRECTOR", roles=ALL_ROLES, at=LATER,
                  rules=RULES)
    assert allowed_actions(make_case(state), ALL_ROLES) == []


def test_only_review_requests_outside_the_window_are_exceptional() -> None:
    assert {p for p, row in TRANSITIONS.items() if row.exceptional} == EXCEPTIONAL


# ---- the person the complaint is about ---------------------------------------------------


@pytest.mark.parametrize("pair", ALLOWED, ids=pair_id)
def test_person_the_complaint_is_about_only_gives_their_own_response_whatever_their_roles(
    pair: tuple[State, Action],
) -> None:
    state, action = pair
    case = ready(pair)
    roles = frozenset(ALL_ROLES - {SYS})
    if action is A.RECORD_PERSON_RESPONSE:
        take(case, action, roles, actor="U_SUBJECT")
        assert case.state is S.UNDER_REVIEW
    else:
        with pytest.raises(NotAllowed, match="about you"):
            take(case, action, roles, actor="U_SUBJECT")
        assert case.state is state and case.new_events == []


def test_person_the_complaint_is_about_is_not_named_to_investigate_or_review() -> None:
    with pytest.raises(IntakeInvalid) as caught:
        apply(make_case(S.ACKNOWLEDGED), A.ASSIGN_INVESTIGATOR, actor="U_CS",
              roles=frozenset({CS}), at=LATER, rules=RULES, given=Given(person="U_SUBJECT"))
    assert "investigator" in caught.value.errors
    with pytest.raises(IntakeInvalid) as caught:
        apply(every_deadline_open(make_case(S.UNDER_REVIEW)), A.DELEGATE_REVIEW,
              actor="U_DIR", roles=frozenset({DIR}), at=LATER, rules=RULES,
              given=Given(person="U_SUBJECT"))
    assert "delegate" in caught.value.errors


def test_stage_one_investigator_does_not_review_their_own_case() -> None:
    case = every_deadline_open(make_case(S.REVIEW_REQUESTED, investigator="U_DIR"))
    with pytest.raises(NotAllowed, match="investigator"):
        apply(case, A.ACKNOWLEDGE_REVIEW, actor="U_DIR", roles=frozenset({DIR}), at=LATER,
              rules=RULES)
    assert case.state is S.REVIEW_REQUESTED


# ---- the review window -------------------------------------------------------------------


def replied_with_window(due: datetime) -> Case:
    case = make_case(S.REPLIED)
    case.deadlines[K.REVIEW_WINDOW] = Deadline(K.REVIEW_WINDOW, due, due, AT)
    return case


def test_outside_review_window_before_the_reply_after_closing_or_after_the_window() -> None:
    due = datetime(2026, 8, 6, 16, 0, tzinfo=UTC)
    assert not outside_review_window(replied_with_window(due), due)
    assert outside_review_window(replied_with_window(due), due + timedelta(minutes=1))
    for state in (*STAGE_ONE_OPEN, S.CLOSED):
        assert outside_review_window(make_case(state), AT)


def test_review_outside_the_window_needs_a_director_who_says_why() -> None:
    due = LATER - timedelta(days=1)
    late = Given(received_at=LATER - timedelta(hours=1))
    with pytest.raises(NotAllowed, match="outside the review window"):
        apply(replied_with_window(due), A.REQUEST_REVIEW, actor="U_CS", roles=frozenset({CS}),
              at=LATER, rules=RULES, given=late)
    with pytest.raises(NotAllowed, match="outside the review window"):
        apply(make_case(S.INVESTIGATING), A.REQUEST_REVIEW, actor="U_CS",
              roles=frozenset({CS}), at=LATER, rules=RULES, given=late)
    with pytest.raises(IntakeInvalid) as caught:
        apply(replied_with_window(due), A.REQUEST_REVIEW, actor="U_D", roles=frozenset({DIR}),
              at=LATER, rules=RULES, given=late)
    assert "reason" in caught.value.errors
    case = replied_with_window(due)
    apply(case, A.REQUEST_REVIEW, actor="U_D", roles=frozenset({DIR}), at=LATER, rules=RULES,
          given=Given(received_at=late.received_at, reason="the complainant was in hospital"))
    assert case.state is S.REVIEW_REQUESTED


def test_review_request_in_the_window_needs_no_reason_from_customer_services() -> None:
    case = replied_with_window(FAR)
    apply(case, A.REQUEST_REVIEW, actor="U_CS", roles=frozenset({CS}), at=LATER, rules=RULES,
          given=Given(received_at=LATER))
    assert case.state is S.REVIEW_REQUESTED


def test_review_request_from_the_future_is_refused() -> None:
    with pytest.raises(IntakeInvalid) as caught:
        apply(replied_with_window(FAR), A.REQUEST_REVIEW, actor="U_CS", roles=frozenset({CS}),
              at=LATER, rules=RULES, given=Given(received_at=LATER + timedelta(hours=2)))
    assert "requested_at" in caught.value.errors


# ---- what starts each clock, and when it falls due ---------------------------------------


def test_logging_opens_acknowledgement_and_investigation_from_receipt() -> None:
    case = make_case()
    start_intake_clocks(case, RULES)
    assert set(case.deadlines) == {K.STAGE_ONE_ACKNOWLEDGEMENT, K.INVESTIGATION}
    ack, inv = case.deadlines[K.STAGE_ONE_ACKNOWLEDGEMENT], case.deadlines[K.INVESTIGATION]
    assert ack.started_at == inv.started_at == AT
    # Wed 10 Jun: 3 working days -> Mon 15 Jun; 30 calendar days -> Fri 10 Jul; 17:00 BST.
    assert ack.due_at == datetime(2026, 6, 15, 16, 0, tzinfo=UTC)
    assert inv.due_at == datetime(2026, 7, 10, 16, 0, tzinfo=UTC)


def test_reply_opens_the_56_day_review_window_from_the_reply() -> None:
    case = make_case(S.RESOLVED)
    apply(case, A.SEND_REPLY, actor="U_CS", roles=frozenset({CS}), at=LATER, rules=RULES)
    window = case.deadlines[K.REVIEW_WINDOW]
    assert window.started_at == LATER
    assert window.due_at == datetime(2026, 8, 6, 16, 0, tzinfo=UTC)  # Thu 6 Aug 17:00 BST


def test_stage_two_clocks_start_when_the_request_was_received_not_when_it_was_logged() -> None:
    received = datetime(2026, 6, 5, 16, 30, tzinfo=UTC)  # Fri 5 Jun 17:30: counts from Mon 8
    case = replied_with_window(FAR)
    apply(case, A.REQUEST_REVIEW, actor="U_CS", roles=frozenset({CS}), at=LATER, rules=RULES,
          given=Given(received_at=received))
    ack, reply = case.deadlines[K.STAGE_TWO_ACKNOWLEDGEMENT], case.deadlines[K.STAGE_TWO_REPLY]
    assert ack.started_at == reply.started_at == received
    assert ack.due_at == datetime(2026, 6, 10, 16, 0, tzinfo=UTC)   # 2 working days: Wed 10
    assert reply.due_at == datetime(2026, 6, 22, 16, 0, tzinfo=UTC)  # 10 working days: Mon 22


def test_person_is_given_three_working_days_from_being_told_only_if_there_is_a_person() -> None:
    case = every_deadline_open(make_case(S.REVIEW_REQUESTED))
    del case.deadlines[K.PERSON_RESPONSE]
    apply(case, A.ACKNOWLEDGE_REVIEW, actor="U_D", roles=frozenset({DIR}), at=LATER,
          rules=RULES)
    person = case.deadlines[K.PERSON_RESPONSE]
    assert person.started_at == LATER
    assert person.due_at == datetime(2026, 6, 16, 16, 0, tzinfo=UTC)  # Thu 11 -> Tue 16 Jun
    nobody = every_deadline_open(make_case(S.REVIEW_REQUESTED))
    nobody.intake = intake_record(subject_user_id=None)
    del nobody.deadlines[K.PERSON_RESPONSE]
    apply(nobody, A.ACKNOWLEDGE_REVIEW, actor="U_D", roles=frozenset({DIR}), at=LATER,
          rules=RULES)
    assert K.PERSON_RESPONSE not in nobody.deadlines


def test_progress_update_moves_the_reply_date_and_keeps_the_original() -> None:
    case = every_deadline_open(make_case(S.UNDER_REVIEW))
    apply(case, A.SEND_PROGRESS_UPDATE, actor="U_D", roles=frozenset({DIR}), at=LATER,
          rules=RULES, given=Given(day=date(2026, 10, 2)))
    reply = case.deadlines[K.STAGE_TWO_REPLY]
    assert reply.due_at == datetime(2026, 10, 2, 16, 0, tzinfo=UTC)
    assert reply.original_due_at == FAR


def test_no_decision_while_the_named_person_may_still_respond() -> None:
    case = every_deadline_open(make_case(S.UNDER_REVIEW))
    with pytest.raises(InvalidTransition, match="may still respond"):
        apply(case, A.PROPOSE_DECISION, actor="U_D", roles=frozenset({REV}), at=LATER,
              rules=RULES)
    assert case.state is S.UNDER_REVIEW


# ---- whole paths -------------------------------------------------------------------------


def test_stage_one_path_through_investigation_ends_closed() -> None:
    case = every_deadline_open(make_case())
    steps = [
        (A.ACKNOWLEDGE, CS, S.ACKNOWLEDGED),
        (A.ASSIGN_INVESTIGATOR, CS, S.INVESTIGATING),
        (A.ASSIGN_INVESTIGATOR, DIR, S.INVESTIGATING),
        (A.CONCLUDE_INVESTIGATION, INV, S.INVESTIGATION_CONCLUDED),
        (A.SEND_REPLY, OWNER, S.REPLIED),
        (A.CLOSE_REVIEW_WINDOW, SYS, S.CLOSED),
    ]
    for action, role, expected in steps:
        take(case, action, frozenset({role}))
        assert case.state is expected
    assert [e.action for e in case.new_events] == [a.value for a, _, _ in steps]
    assert not case.open_deadlines()


def test_stage_two_path_from_review_request_to_final() -> None:
    case = every_deadline_open(make_case(S.REPLIED))
    steps = [
        (A.REQUEST_REVIEW, {CS}, S.REVIEW_REQUESTED),
        (A.ACKNOWLEDGE_REVIEW, {DIR}, S.UNDER_REVIEW),
        (A.DELEGATE_REVIEW, {DIR}, S.UNDER_REVIEW),
        (A.RECORD_PERSON_RESPONSE, {SUBJ}, S.UNDER_REVIEW),
        (A.SEND_PROGRESS_UPDATE, {DEL}, S.UNDER_REVIEW),
        (A.PROPOSE_DECISION, {DEL}, S.DECISION_PROPOSED),
        (A.REQUEST_CHANGES, {DIR}, S.UNDER_REVIEW),
        (A.PROPOSE_DECISION, {DEL}, S.DECISION_PROPOSED),
        (A.APPROVE_DECISION, {DIR}, S.FINAL),
    ]
    for action, roles, expected in steps:
        take(case, action, frozenset(roles))
        assert case.state is expected
    assert len(case.new_events) == len(steps)
    assert not case.open_deadlines()


# ---- helpers around the table ------------------------------------------------------------


def test_allowed_actions_lists_only_what_the_roles_may_do_now() -> None:
    case = make_case(S.REPLIED)
    assert allowed_actions(case, frozenset({CS})) == [A.REQUEST_REVIEW, A.WITHDRAW]
    assert allowed_actions(case, frozenset({SYS})) == [A.CLOSE_REVIEW_WINDOW]
    assert allowed_actions(case, frozenset({Role.STAFF})) == []


def test_roles_on_case_adds_the_parts_the_case_gives_a_user() -> None:
    case = make_case(S.UNDER_REVIEW, owner="U_OWNER", investigator="U_INV",
                     reviewer="U_REV", delegate="U_DEL")
    assert roles_on_case("U_OWNER", case, frozenset()) == {OWNER, Role.STAFF}
    assert roles_on_case("U_INV", case, frozenset()) == {INV, Role.STAFF}
    assert roles_on_case("U_REV", case, frozenset({DIR})) == {REV, DIR, Role.STAFF}
    assert roles_on_case("U_DEL", case, frozenset()) == {DEL, Role.STAFF}
    assert roles_on_case("U_LOGGER", case, frozenset()) == {Role.LOGGER, Role.STAFF}
    assert roles_on_case("U_SUBJECT", case, frozenset()) == {SUBJ, Role.STAFF}
    assert roles_on_case("U_NOBODY", case, frozenset()) == {Role.STAFF}


def test_only_the_system_actor_holds_the_system_role() -> None:
    case = make_case(S.REPLIED)
    assert roles_on_case(SYSTEM_ACTOR, case, frozenset({DIR})) == {SYS}
    with pytest.raises(NotAllowed):
        apply(case, A.CLOSE_REVIEW_WINDOW, actor="U_DIRECTOR",
              roles=roles_on_case("U_DIRECTOR", case, frozenset({DIR})), at=LATER,
              rules=RULES)


def test_note_is_recorded_without_changing_state_or_last_action() -> None:
    case = make_case(S.FINAL)
    event = record(case, "note", actor="U_CS", at=LATER, details={"text": "called back"})
    assert case.state is S.FINAL
    assert case.new_events == [event]
    assert (event.from_state, event.to_state) == (None, None)
    assert case.last_actor == "U_PREVIOUS"
