"""View models: deadline markers in UK working days, the phase tracker, buttons per state."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cases.deadlines import open_deadline, policy_dates
from cases.intake import parse_intake
from cases.lifecycle import TRANSITIONS, Action
from cases.model import (
    STAGE_TWO_STATES,
    Case,
    DeadlineKind,
    Decision,
    Outcome,
    ProgressUpdate,
    State,
)
from cases.policy import AlertPolicy, Policy
from cases.views import (
    IN_STAGE_TWO_LABEL,
    Marker,
    card_actions,
    case_card_view,
    dates_to_tell,
    deadline_view,
    decision_view,
    home_view_model,
    phase_tracker,
)
from scheduling.calendar import UKWorkingCalendar

CAL = UKWorkingCalendar()
POLICY = Policy()
# Wednesday before Easter 2025: Good Friday 18 April and Easter Monday 21 April are holidays.
RECEIVED = datetime(2025, 4, 16, 9, 0, tzinfo=UTC)  # 10:00 in London (BST)


def london(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    """A London wall-clock time as an aware instant."""
    return datetime(y, m, d, hh, mm, tzinfo=CAL.zone)


def make_case(state: State = State.LOGGED, *, subject: str | None = None) -> Case:
    intake = parse_intake({
        "complainant_name": "Ann Example", "email": "ann@example.com",
        "relationship": "customer", "channel": "phone", "received_at": RECEIVED,
        "facts": "The tracker stopped working.", "category": "product",
        "subject_user_id": subject,
        "checklist": {"referred_to_procedure": True, "feedback_form_sent": True,
                      "told_next_steps": True},
    })
    case = Case(reference="CMP-2025-0007", intake=intake, received_at=RECEIVED,
                effective_receipt=CAL.effective_receipt(RECEIVED), logged_by="ULOGGER",
                logged_at=RECEIVED, id=7, version=3)
    dates = policy_dates(POLICY, CAL, RECEIVED)
    open_deadline(case, DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, dates.stage_one_acknowledge_by,
                  RECEIVED)
    open_deadline(case, DeadlineKind.INVESTIGATION, dates.stage_one_investigate_by, RECEIVED)
    case.state = state
    return case


# ---- markers ---------------------------------------------------------------------------

def test_acknowledgement_due_skips_good_friday_and_easter_monday() -> None:
    case = make_case()
    view = case_card_view(case, london(2025, 4, 16, 11), CAL, POLICY)
    assert view.deadline is not None
    assert view.deadline.label == "Acknowledgement"
    assert view.deadline.due == "Wed 23 Apr 2025 17:00"
    assert view.deadline.time_left == "3 working days left"
    assert view.deadline.marker is Marker.ON_TIME


def test_on_good_friday_two_working_days_are_left_not_five_calendar_days() -> None:
    view = case_card_view(make_case(), london(2025, 4, 18, 10), CAL, POLICY)
    assert view.deadline is not None
    assert view.deadline.time_left == "2 working days left"
    assert view.deadline.marker is Marker.ON_TIME


def test_one_working_day_left_after_easter_is_due_soon() -> None:
    view = case_card_view(make_case(), london(2025, 4, 22, 10), CAL, POLICY)
    assert view.deadline is not None
    assert view.deadline.time_left == "1 working day left"
    assert view.deadline.marker is Marker.DUE_SOON


def test_due_today_shows_the_cut_off_time_and_is_due_soon() -> None:
    view = case_card_view(make_case(), london(2025, 4, 23, 9, 30), CAL, POLICY)
    assert view.deadline is not None
    assert view.deadline.time_left == "due today by 17:00"
    assert view.deadline.marker is Marker.DUE_SOON


def test_past_the_cut_off_on_the_due_day_is_overdue() -> None:
    view = case_card_view(make_case(), london(2025, 4, 23, 17, 30), CAL, POLICY)
    assert view.deadline is not None
    assert view.deadline.time_left == "overdue since 17:00 today"
    assert view.deadline.marker is Marker.OVERDUE


def test_overdue_counts_working_days_across_the_bank_holidays() -> None:
    case = make_case()
    # A deadline due on Maundy Thursday, looked at on the Tuesday after Easter.
    open_deadline(case, DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT,
                  CAL.close_of_business(date(2025, 4, 17)), RECEIVED)
    view = case_card_view(case, london(2025, 4, 22, 10), CAL, POLICY)
    assert view.deadline is not None
    assert view.deadline.time_left == "overdue by 1 working day"
    assert view.deadline.marker is Marker.OVERDUE
    later = case_card_view(case, london(2025, 4, 25, 10), CAL, POLICY)
    assert later.deadline is not None
    assert later.deadline.time_left == "overdue by 4 working days"


def test_due_soon_window_follows_the_policy_alert_setting() -> None:
    wide = Policy(alerts=AlertPolicy(warn_before_working_days=3))
    deadline = make_case().deadlines[DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT]
    assert deadline_view(deadline, london(2025, 4, 16, 11), CAL, wide).marker is Marker.DUE_SOON
    zero = Policy(alerts=AlertPolicy(warn_before_working_days=0))
    assert deadline_view(deadline, london(2025, 4, 22, 11), CAL, zero).marker is Marker.ON_TIME
    assert deadline_view(deadline, london(2025, 4, 23, 8), CAL, zero).marker is Marker.DUE_SOON


def test_received_date_is_shown_in_london_time() -> None:
    view = case_card_view(make_case(), london(2025, 4, 16, 11), CAL, POLICY)
    assert view.received == "Wed 16 Apr 2025 10:00"


# ---- buttons ---------------------------------------------------------------------------

@pytest.mark.parametrize(("state", "expected"), [
    (State.LOGGED, [Action.ACKNOWLEDGE, Action.REQUEST_REVIEW, Action.WITHDRAW]),
    (State.ACKNOWLEDGED, [Action.RESOLVE, Action.ASSIGN_INVESTIGATOR, Action.REQUEST_REVIEW,
                          Action.WITHDRAW]),
    (State.INVESTIGATING, [Action.ASSIGN_INVESTIGATOR, Action.CONCLUDE_INVESTIGATION,
                           Action.REQUEST_REVIEW, Action.WITHDRAW]),
    (State.RESOLVED, [Action.SEND_REPLY, Action.REQUEST_REVIEW, Action.WITHDRAW]),
    (State.INVESTIGATION_CONCLUDED, [Action.SEND_REPLY, Action.REQUEST_REVIEW,
                                     Action.WITHDRAW]),
    (State.REPLIED, [Action.REQUEST_REVIEW, Action.WITHDRAW]),
    (State.CLOSED, [Action.REQUEST_REVIEW]),
    (State.REVIEW_REQUESTED, []),
    (State.UNDER_REVIEW, []),
    (State.DECISION_PROPOSED, []),
    (State.FINAL, []),
    (State.WITHDRAWN, []),
])
def test_customer_services_card_buttons_per_state(state: State, expected: list[Action]) -> None:
    assert list(card_actions(make_case(state), "cs")) == expected


@pytest.mark.parametrize(("state", "expected"), [
    (State.REVIEW_REQUESTED, [Action.ACKNOWLEDGE_REVIEW, Action.WITHDRAW]),
    (State.UNDER_REVIEW, [Action.DELEGATE_REVIEW, Action.SEND_PROGRESS_UPDATE,
                          Action.PROPOSE_DECISION, Action.WITHDRAW]),
    (State.DECISION_PROPOSED, [Action.SEND_PROGRESS_UPDATE, Action.WITHDRAW]),
    (State.FINAL, []),
])
def test_directors_card_buttons_per_state(state: State, expected: list[Action]) -> None:
    assert list(card_actions(make_case(state), "directors")) == expected


@pytest.mark.parametrize("state", list(State))
def test_every_button_is_a_transition_the_state_allows(state: State) -> None:
    for surface in ("cs", "directors"):
        for action in card_actions(make_case(state), surface):
            assert (state, action) in TRANSITIONS


def test_bot_only_actions_never_become_buttons() -> None:
    for state in State:
        for surface in ("cs", "directors"):
            actions = card_actions(make_case(state), surface)
            assert Action.CLOSE_REVIEW_WINDOW not in actions
            assert Action.RECORD_NO_RESPONSE not in actions


@pytest.mark.parametrize("state", [State.FINAL, State.WITHDRAWN])
def test_a_final_case_has_no_action_buttons(state: State) -> None:
    case = make_case(state)
    for surface in ("cs", "directors"):
        view = case_card_view(case, london(2025, 4, 16, 11), CAL, POLICY, surface=surface)
        assert view.is_final
        assert view.actions == ()


# ---- phases, stage two, outcome ---------------------------------------------------------

def test_tracker_marks_done_current_and_todo() -> None:
    steps = phase_tracker(make_case(State.INVESTIGATING))
    assert [(s.name, s.status) for s in steps] == [
        ("Logged", "done"), ("Acknowledged", "done"), ("Investigation", "current"),
        ("Reply", "todo"), ("Review", "todo"), ("Closed", "todo"),
    ]


def test_tracker_for_a_case_closed_without_review_skips_review() -> None:
    steps = {s.name: s.status for s in phase_tracker(make_case(State.CLOSED))}
    assert steps["Review"] == "skipped"
    assert steps["Closed"] == "done"


def test_tracker_for_a_final_decision_is_all_done() -> None:
    assert {s.status for s in phase_tracker(make_case(State.FINAL))} == {"done"}


def test_tracker_for_a_withdrawn_case_keeps_what_was_reached() -> None:
    case = make_case(State.WITHDRAWN)
    case.owner = "UOWNER"
    steps = {s.name: s.status for s in phase_tracker(case)}
    assert steps == {"Logged": "done", "Acknowledged": "done", "Investigation": "skipped",
                     "Reply": "skipped", "Review": "skipped", "Closed": "done"}


def _escalated(state: State) -> Case:
    case = make_case(state, subject="USUBJECT")
    case.owner, case.outcome = "UOWNER", Outcome.NOT_UPHELD
    case.review_requested_at = london(2025, 6, 2, 10)
    case.review_request_how = "by phone"
    case.reviewer, case.delegate = "UDIRECTOR", "USENIOR"
    case.review_reply_by = date(2025, 6, 20)
    case.person_informed_at = london(2025, 6, 3, 10)
    case.person_response = "SECRET RESPONSE TEXT"
    case.person_responded_at = london(2025, 6, 4, 10)
    open_deadline(case, DeadlineKind.STAGE_TWO_REPLY, CAL.close_of_business(date(2025, 6, 16)),
                  london(2025, 6, 2, 10))
    case.deadlines[DeadlineKind.STAGE_TWO_REPLY].due_at = CAL.close_of_business(
        date(2025, 6, 20))
    case.progress_updates.append(ProgressUpdate(
        at=london(2025, 6, 12, 10), by="USENIOR", reason="waiting for the courier's records",
        new_due_at=CAL.close_of_business(date(2025, 6, 20))))
    for kind in (DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, DeadlineKind.INVESTIGATION):
        case.deadlines[kind].met_at = london(2025, 4, 17, 10)
    return case


def test_customer_services_card_says_in_stage_two_review_once_escalated() -> None:
    view = case_card_view(_escalated(State.UNDER_REVIEW), london(2025, 6, 5, 10), CAL, POLICY)
    assert view.stage == 2
    assert view.phase_label == IN_STAGE_TWO_LABEL
    assert view.stage_two is None


def test_directors_card_shows_stage_two_detail_but_never_the_response_text() -> None:
    view = case_card_view(_escalated(State.UNDER_REVIEW), london(2025, 6, 5, 10), CAL, POLICY,
                          surface="directors")
    s2 = view.stage_two
    assert s2 is not None
    assert (s2.reviewer, s2.delegate) == ("UDIRECTOR", "USENIOR")
    assert s2.reply_by == "Fri 20 Jun 2025"
    assert s2.original_reply_by == "Mon 16 Jun 2025 17:00"
    assert s2.person_response_received is True
    assert len(s2.progress_updates) == 1
    assert "SECRET RESPONSE TEXT" not in repr(view)


def test_final_decision_and_stage_one_outcome_are_shown() -> None:
    case = _escalated(State.FINAL)
    case.decision = Decision(outcome=Outcome.PARTLY_UPHELD, reasons="r", remedy="m",
                             drafted_by="USENIOR", drafted_at=london(2025, 6, 10, 10),
                             approved_by="UDIRECTOR", approved_at=london(2025, 6, 11, 10))
    view = case_card_view(case, london(2025, 6, 12, 10), CAL, POLICY)
    assert view.outcome == "Not upheld"
    assert view.final_decision == "Partly upheld"
    assert view.phase_label == "Final decision given"


def test_card_view_holds_no_personal_data() -> None:
    text = repr(case_card_view(make_case(), london(2025, 4, 16, 11), CAL, POLICY))
    for secret in ("Ann Example", "ann@example.com", "tracker stopped"):
        assert secret not in text


# ---- home, dates, decision ---------------------------------------------------------------

def test_home_lists_overdue_first_then_due_soon_and_skips_closed_cases() -> None:
    overdue = make_case(State.LOGGED)
    overdue.reference = "CMP-2025-0001"
    soon = make_case(State.LOGGED)
    soon.reference = "CMP-2025-0002"
    soon.deadlines[DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT].due_at = CAL.close_of_business(
        date(2025, 4, 29))
    closed = make_case(State.WITHDRAWN)
    model = home_view_model([soon, overdue, closed], london(2025, 4, 28, 10), CAL, POLICY,
                            "ULOGGER")
    assert [r.reference for r in model.attention] == ["CMP-2025-0001", "CMP-2025-0002"]
    assert len(model.open_cases) == 2
    assert model.open_cases[0].your_part == "logged it"


def test_dates_to_tell_are_london_days() -> None:
    told = dates_to_tell(policy_dates(POLICY, CAL, RECEIVED), CAL)
    assert told.acknowledge_by == "Wed 23 Apr 2025"
    assert told.investigate_by == "Fri 16 May 2025"
    assert told.received == "Wed 16 Apr 2025 10:00"


def test_decision_view_offers_approval_only_while_proposed() -> None:
    case = _escalated(State.DECISION_PROPOSED)
    case.decision = Decision(outcome=Outcome.UPHELD, reasons="r", remedy="m",
                             drafted_by="USENIOR", drafted_at=london(2025, 6, 10, 10))
    assert decision_view(case, CAL).actions == (Action.APPROVE_DECISION, Action.REQUEST_CHANGES)
    case.state = State.FINAL
    assert decision_view(case, CAL).actions == ()


def test_stage_two_states_are_all_covered_by_the_tracker() -> None:
    for state in STAGE_TWO_STATES:
        assert len(phase_tracker(make_case(state))) == 6
