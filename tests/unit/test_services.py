"""Use cases end to end on the in-memory unit of work, a frozen clock and the real calendar."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases.clock import FrozenClock
from cases.errors import IntakeInvalid, InvalidTransition, NotAComplaint, NotAllowed, NotFound
from cases.lifecycle import Action
from cases.model import Case, Deadline, DeadlineKind, NoticeKind, Outcome, State
from cases.policy import Policy, ReportPolicy, policy_from_mapping
from cases.ports import UnitOfWork
from cases.reporting import AttentionKind
from cases.roles import SYSTEM_ACTOR, Role
from cases.services import ComplaintsDesk
from cases.views import deadline_view
from scheduling.calendar import UKWorkingCalendar
from tests.fakes import InMemoryUnitOfWorkFactory, intake_data

LONDON = ZoneInfo("Europe/London")
CS, DIRECTOR, OTHER_DIRECTOR, HR = "U_CS", "U_DIR", "U_DIR2", "U_HR"
INVESTIGATOR, SENIOR, SUBJECT, NOBODY = "U_INV", "U_SENIOR", "U_SUBJECT", "U_NOBODY"


def london(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


class World:
    def __init__(self) -> None:
        self.uow = InMemoryUnitOfWorkFactory()
        self.clock = FrozenClock(london(2026, 6, 10, 11, 0))
        self.desk = ComplaintsDesk(self.uow, self.clock, UKWorkingCalendar(), Policy())
        self.uow.grant(CS, Role.CUSTOMER_SERVICES)
        self.uow.grant(DIRECTOR, Role.DIRECTOR)
        self.uow.grant(OTHER_DIRECTOR, Role.DIRECTOR)
        self.uow.grant(HR, Role.HR_MANAGER)
        self.uow.grant(SENIOR, Role.SENIOR)  # "suitably senior": a review may go to them

    def at(self, when: datetime) -> ComplaintsDesk:
        self.clock.set(when)
        return self.desk

    def case(self, case_id: int) -> Case:
        return self.uow.committed(case_id)

    def actions(self, case_id: int) -> list[str]:
        return [e.action for e in self.uow.history(case_id)]

    def notices_since(self, mark: int) -> list[tuple[NoticeKind, dict[str, object]]]:
        return [(n.kind, n.payload) for n in self.uow.outbox[mark:]]

    # -- a case walked to a given point, with the dates used throughout -----------------

    def logged(self, **overrides: object) -> Case:
        data = intake_data(received_at="2026-06-10T10:00:00+01:00", **overrides)
        return self.at(london(2026, 6, 10, 11, 0)).log_complaint(data, logged_by=CS)

    def replied(self, **overrides: object) -> int:
        case_id = self.logged(**overrides).id
        assert case_id is not None
        self.at(london(2026, 6, 11, 10, 0)).acknowledge_case(
            case_id, actor=CS, owner=CS, promised_reply_by=date(2026, 7, 10),
            procedure_attached=True)
        self.at(london(2026, 6, 11, 10, 5)).assign_investigator(
            case_id, actor=CS, investigator=INVESTIGATOR)
        self.at(london(2026, 7, 1, 15, 0)).conclude_investigation(
            case_id, actor=INVESTIGATOR, findings="The update broke GPS reporting.")
        self.at(london(2026, 7, 2, 12, 0)).send_reply(
            case_id, actor=CS, outcome=Outcome.UPHELD, suggestions="Replacement tracker.")
        return case_id

    def under_review(self, **overrides: object) -> int:
        case_id = self.replied(subject_user_id=SUBJECT, category="staff_conduct", **overrides)
        self.at(london(2026, 7, 13, 10, 0)).request_review(
            case_id, actor=CS, requested_at=london(2026, 7, 13, 9, 30), how="email")
        self.at(london(2026, 7, 14, 10, 0)).acknowledge_review(case_id, actor=DIRECTOR)
        return case_id

    def ready_for_decision(self) -> int:
        case_id = self.under_review()
        self.at(london(2026, 7, 15, 10, 0)).record_person_response(
            case_id, actor=SUBJECT, response="My side of it.")
        return case_id


@pytest.fixture
def world() -> World:
    return World()


# ---- Stage One -------------------------------------------------------------------------


def test_stage_one_path_from_logging_to_closing_after_the_review_window(world: World) -> None:
    case = world.logged()
    assert case.id is not None and case.reference == "TT-2026-0001"
    assert case.state is State.LOGGED
    assert case.effective_receipt == date(2026, 6, 10)
    assert case.deadlines[DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT].due_at == london(
        2026, 6, 15, 17)
    assert case.deadlines[DeadlineKind.INVESTIGATION].due_at == london(2026, 7, 10, 17)
    kinds = [(n.kind, n.payload.get("template")) for n in world.uow.outbox]
    assert (NoticeKind.CARD, None) in kinds
    assert (NoticeKind.DIRECT, "logged") in kinds
    assert any(k is NoticeKind.TIMELINE for k, _ in kinds)

    case_id = case.id
    mark = len(world.uow.outbox)
    world.at(london(2026, 6, 11, 10, 0)).acknowledge_case(
        case_id, actor=CS, owner=CS, promised_reply_by=date(2026, 7, 10),
        procedure_attached=True)
    acknowledged = world.case(case_id)
    assert acknowledged.state is State.ACKNOWLEDGED
    assert acknowledged.owner == CS
    ack = acknowledged.deadlines[DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT]
    assert ack.met_at == london(2026, 6, 11, 10, 0) and not ack.breached
    assert world.notices_since(mark)[0] == (NoticeKind.CARD, {})

    mark = len(world.uow.outbox)
    world.at(london(2026, 6, 11, 10, 5)).assign_investigator(
        case_id, actor=CS, investigator=INVESTIGATOR)
    assert (NoticeKind.DIRECT, {"user": INVESTIGATOR, "template": "investigator_assigned"}) in (
        world.notices_since(mark))

    world.at(london(2026, 7, 1, 15, 0)).conclude_investigation(
        case_id, actor=INVESTIGATOR, findings="The update broke GPS reporting.")
    concluded = world.case(case_id)
    assert concluded.state is State.INVESTIGATION_CONCLUDED
    assert concluded.deadlines[DeadlineKind.INVESTIGATION].met_at == london(2026, 7, 1, 15)
    assert concluded.deadlines[DeadlineKind.STAGE_ONE_REPLY].due_at == london(2026, 7, 6, 17)

    world.at(london(2026, 7, 2, 12, 0)).send_reply(
        case_id, actor=CS, outcome=Outcome.PARTLY_UPHELD, suggestions="Replacement tracker.")
    replied = world.case(case_id)
    assert replied.state is State.REPLIED
    assert replied.outcome is Outcome.PARTLY_UPHELD
    assert replied.suggestions == "Replacement tracker."
    # 56 calendar days from Thu 2 July.
    assert replied.deadlines[DeadlineKind.REVIEW_WINDOW].due_at == london(2026, 8, 27, 17)

    assert world.at(london(2026, 8, 27, 16, 59)).close_expired_review_windows() == []
    assert world.case(case_id).state is State.REPLIED
    assert world.at(london(2026, 8, 28, 9, 0)).close_expired_review_windows() == [
        "TT-2026-0001"]
    closed = world.case(case_id)
    assert closed.state is State.CLOSED
    assert closed.closed_at == london(2026, 8, 28, 9, 0)
    assert closed.open_deadlines() == []
    assert not any(d.breached for d in closed.deadlines.values())
    assert world.at(london(2026, 8, 29, 9, 0)).close_expired_review_windows() == []

    history = world.uow.history(case_id)
    assert [e.action for e in history] == [
        "logged", "acknowledge", "assign_investigator", "conclude_investigation",
        "send_reply", "close_review_window"]
    assert [e.seq for e in history] == [1, 2, 3, 4, 5, 6]
    assert history[-1].actor == SYSTEM_ACTOR
    assert (history[-1].from_state, history[-1].to_state) == (State.REPLIED, State.CLOSED)
    assert history[1].details["owner"] == CS


def test_customer_services_resolution_starts_the_reply_clock(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    world.at(london(2026, 6, 11, 10, 0)).acknowledge_case(
        case_id, actor=CS, owner=CS, promised_reply_by=date(2026, 6, 19),
        procedure_attached=True)
    world.at(london(2026, 6, 12, 17, 30)).resolve_case(
        case_id, actor=CS, resolution="Replaced the tracker.")
    case = world.case(case_id)
    assert case.state is State.RESOLVED
    assert case.deadlines[DeadlineKind.INVESTIGATION].met_at is not None
    # Resolved after the cut-off on Friday: counts from Mon 15 June; 5 days on is Sat 20 -> Mon.
    assert case.deadlines[DeadlineKind.STAGE_ONE_REPLY].due_at == london(2026, 6, 22, 17)


def test_late_acknowledgement_counts_as_a_breach(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    world.at(london(2026, 6, 16, 9, 0)).acknowledge_case(
        case_id, actor=CS, owner=CS, promised_reply_by=date(2026, 7, 10),
        procedure_attached=True)
    assert world.case(case_id).deadlines[DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT].breached


def test_acknowledgement_without_the_procedure_attached_is_refused(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    with pytest.raises(IntakeInvalid) as caught:
        world.desk.acknowledge_case(case_id, actor=CS, owner=CS,
                                    promised_reply_by=date(2026, 7, 10),
                                    procedure_attached=False)
    assert set(caught.value.errors) == {"procedure_attached"}
    assert world.case(case_id).state is State.LOGGED


def test_unrelated_staff_cannot_acknowledge(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    with pytest.raises(NotAllowed):
        world.desk.acknowledge_case(case_id, actor=NOBODY, owner=NOBODY,
                                    promised_reply_by=date(2026, 7, 10),
                                    procedure_attached=True)
    assert world.case(case_id).state is State.LOGGED
    assert world.actions(case_id) == ["logged"]


def test_person_the_complaint_is_about_cannot_investigate_it(world: World) -> None:
    case_id = world.logged(subject_user_id=SUBJECT).id
    assert case_id is not None
    world.desk.acknowledge_case(case_id, actor=CS, owner=CS,
                                promised_reply_by=date(2026, 7, 10), procedure_attached=True)
    with pytest.raises(IntakeInvalid) as caught:
        world.desk.assign_investigator(case_id, actor=CS, investigator=SUBJECT)
    assert set(caught.value.errors) == {"investigator"}


# ---- intake through the service --------------------------------------------------------


def test_future_received_time_is_refused_on_the_received_at_field(world: World) -> None:
    with pytest.raises(IntakeInvalid) as caught:
        world.at(london(2026, 6, 10, 11, 0)).log_complaint(
            intake_data(received_at="2026-06-10T12:00:00+01:00"), logged_by=CS)
    assert set(caught.value.errors) == {"received_at"}
    assert world.uow.store.cases == {}
    assert world.uow.outbox == []


def test_double_submit_with_the_same_intake_key_gives_one_case(world: World) -> None:
    first = world.desk.log_complaint(intake_data(), logged_by=CS, intake_key="view-123")
    notices = len(world.uow.outbox)
    second = world.desk.log_complaint(intake_data(), logged_by=CS, intake_key="view-123")
    assert second.id == first.id and second.reference == first.reference
    assert len(world.uow.store.cases) == 1
    assert len(world.uow.outbox) == notices
    third = world.desk.log_complaint(intake_data(), logged_by=CS, intake_key="view-456")
    assert third.reference == "TT-2026-0002"


def test_staff_grievance_is_refused_and_nothing_is_stored(world: World) -> None:
    with pytest.raises(NotAComplaint, match="Grievance Policy"):
        world.desk.log_complaint(intake_data(staff_grievance="on"), logged_by=CS)
    assert world.uow.store.cases == {}


def test_references_are_numbered_afresh_each_year(world: World) -> None:
    case = world.at(london(2026, 12, 31, 23, 30)).log_complaint(
        intake_data(received_at="2026-12-31T23:00:00+00:00"), logged_by=CS)
    assert case.reference == "TT-2026-0001"
    case = world.at(london(2027, 1, 4, 9, 0)).log_complaint(
        intake_data(received_at="2027-01-04T08:00:00+00:00"), logged_by=CS)
    assert case.reference == "TT-2027-0001"
    assert case.effective_receipt == date(2027, 1, 4)


# ---- Stage Two -------------------------------------------------------------------------


def test_stage_two_path_with_delegation_response_progress_update_and_approval(
    world: World,
) -> None:
    case_id = world.replied(subject_user_id=SUBJECT, category="staff_conduct")
    world.at(london(2026, 7, 13, 10, 0)).request_review(
        case_id, actor=CS, requested_at=london(2026, 7, 13, 9, 30), how="email")
    requested = world.case(case_id)
    assert requested.state is State.REVIEW_REQUESTED
    assert requested.stage == 2
    assert requested.review_effective_receipt == date(2026, 7, 13)
    assert requested.deadlines[DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT].due_at == london(
        2026, 7, 15, 17)
    assert requested.deadlines[DeadlineKind.STAGE_TWO_REPLY].due_at == london(2026, 7, 27, 17)
    assert requested.deadlines[DeadlineKind.REVIEW_WINDOW].met_at is not None

    mark = len(world.uow.outbox)
    world.at(london(2026, 7, 14, 10, 0)).acknowledge_review(case_id, actor=DIRECTOR)
    reviewing = world.case(case_id)
    assert reviewing.state is State.UNDER_REVIEW
    assert reviewing.reviewer == DIRECTOR
    assert reviewing.review_reply_by == date(2026, 7, 27)
    assert reviewing.deadlines[DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT].met_at is not None
    assert reviewing.deadlines[DeadlineKind.PERSON_RESPONSE].due_at == london(2026, 7, 17, 17)
    assert (NoticeKind.DIRECT, {"user": SUBJECT, "template": "person_informed"}) in (
        world.notices_since(mark))

    mark = len(world.uow.outbox)
    world.at(london(2026, 7, 14, 11, 0)).delegate_review(case_id, actor=DIRECTOR,
                                                         delegate=SENIOR)
    assert world.case(case_id).delegate == SENIOR
    assert any(kind is NoticeKind.DIRECT and payload["user"] == SENIOR
               for kind, payload in world.notices_since(mark))

    mark = len(world.uow.outbox)
    world.at(london(2026, 7, 16, 15, 0)).record_person_response(
        case_id, actor=SUBJECT, response="I followed the script that day.")
    responded = world.case(case_id)
    assert responded.person_response == "I followed the script that day."
    assert responded.deadlines[DeadlineKind.PERSON_RESPONSE].met_at == london(2026, 7, 16, 15)
    told = {p["user"] for k, p in world.notices_since(mark) if k is NoticeKind.DIRECT}
    assert told == {DIRECTOR, SENIOR}

    world.at(london(2026, 7, 24, 12, 0)).send_progress_update(
        case_id, actor=SENIOR, reason="Waiting for the GPS supplier's logs.",
        new_reply_by=date(2026, 8, 3))
    updated = world.case(case_id)
    reply = updated.deadlines[DeadlineKind.STAGE_TWO_REPLY]
    assert reply.due_at == london(2026, 8, 3, 17)
    assert reply.original_due_at == london(2026, 7, 27, 17)
    assert updated.review_reply_by == date(2026, 8, 3)
    assert [u.reason for u in updated.progress_updates] == [
        "Waiting for the GPS supplier's logs."]

    mark = len(world.uow.outbox)
    world.at(london(2026, 7, 29, 10, 0)).propose_decision(
        case_id, actor=SENIOR, outcome=Outcome.NOT_UPHELD, reasons="Script followed.",
        remedy="None.")
    assert world.case(case_id).state is State.DECISION_PROPOSED
    assert any(k is NoticeKind.CHANNEL and p["template"] == "decision_proposed"
               for k, p in world.notices_since(mark))

    mark = len(world.uow.outbox)
    world.at(london(2026, 7, 30, 10, 0)).request_changes(
        case_id, actor=OTHER_DIRECTOR, comment="Offer a goodwill credit.")
    changes = world.case(case_id)
    assert changes.state is State.UNDER_REVIEW
    assert (NoticeKind.DIRECT, {"user": SENIOR, "template": "changes_requested",
                                "by": OTHER_DIRECTOR, "comment": "Offer a goodwill credit."}
            ) in world.notices_since(mark)

    world.at(london(2026, 7, 31, 10, 0)).propose_decision(
        case_id, actor=SENIOR, outcome=Outcome.PARTLY_UPHELD, reasons="Script followed.",
        remedy="A month's subscription credit.")
    proposed = world.case(case_id)
    assert proposed.decision is not None
    assert proposed.decision.outcome is Outcome.PARTLY_UPHELD
    assert [c["comment"] for c in proposed.decision.change_requests] == [
        "Offer a goodwill credit."]

    world.at(london(2026, 8, 3, 10, 0)).approve_decision(case_id, actor=OTHER_DIRECTOR)
    final = world.case(case_id)
    assert final.state is State.FINAL
    assert final.decision is not None and final.decision.approved_by == OTHER_DIRECTOR
    assert final.open_deadlines() == []
    assert final.final_letter is not None
    assert "Partly upheld" in final.final_letter and "final" in final.final_letter
    assert "A month's subscription credit." in final.final_letter
    # Met after the original promise: the breach still counts, whatever the new date.
    assert final.deadlines[DeadlineKind.STAGE_TWO_REPLY].breached

    assert world.actions(case_id)[-9:] == [
        "request_review", "acknowledge_review", "delegate_review", "record_person_response",
        "send_progress_update", "propose_decision", "request_changes", "propose_decision",
        "approve_decision"]


def test_final_case_refuses_further_transitions_but_accepts_a_note(world: World) -> None:
    case_id = world.ready_for_decision()
    world.desk.propose_decision(case_id, actor=DIRECTOR, outcome=Outcome.UPHELD,
                                reasons="r", remedy="m")
    world.desk.approve_decision(case_id, actor=OTHER_DIRECTOR)
    with pytest.raises(InvalidTransition):
        world.desk.withdraw(case_id, actor=CS, reason="changed their mind")
    with pytest.raises(InvalidTransition):
        world.desk.request_review(case_id, actor=DIRECTOR, requested_at=world.clock.now(),
                                  how="phone", reason="again")
    with pytest.raises(InvalidTransition):
        world.desk.send_progress_update(case_id, actor=DIRECTOR, reason="late",
                                        new_reply_by=date(2026, 7, 20))
    assert world.case(case_id).state is State.FINAL

    world.desk.add_note(case_id, actor=CS, text="Complainant thanked us.")
    assert world.case(case_id).state is State.FINAL
    last = world.uow.history(case_id)[-1]
    assert (last.action, last.actor, last.details) == (
        "note", CS, {"text": "Complainant thanked us."})
    assert (last.from_state, last.to_state) == (None, None)


def test_progress_update_must_be_a_future_working_day(world: World) -> None:
    case_id = world.under_review()
    with pytest.raises(IntakeInvalid) as caught:
        world.at(london(2026, 7, 24, 12)).send_progress_update(
            case_id, actor=DIRECTOR, reason="late", new_reply_by=date(2026, 8, 1))  # Saturday
    assert set(caught.value.errors) == {"new_reply_by"}
    with pytest.raises(IntakeInvalid):
        world.desk.send_progress_update(case_id, actor=DIRECTOR, reason="late",
                                        new_reply_by=date(2026, 7, 24))  # today
    assert world.case(case_id).progress_updates == []


def test_reviewer_cannot_be_the_stage_one_investigator(world: World) -> None:
    world.uow.grant(INVESTIGATOR, Role.DIRECTOR)
    case_id = world.replied()
    world.desk.request_review(case_id, actor=CS, requested_at=world.clock.now(), how="email")
    with pytest.raises((NotAllowed, IntakeInvalid), match="investigator"):
        world.desk.acknowledge_review(case_id, actor=INVESTIGATOR)
    assert world.case(case_id).state is State.REVIEW_REQUESTED
    assert world.case(case_id).reviewer is None


def test_reviewer_cannot_be_the_person_the_complaint_is_about(world: World) -> None:
    world.uow.grant(SUBJECT, Role.DIRECTOR)
    case_id = world.replied(subject_user_id=SUBJECT)
    world.desk.request_review(case_id, actor=CS, requested_at=world.clock.now(), how="email")
    with pytest.raises((NotAllowed, IntakeInvalid), match="about"):
        world.desk.acknowledge_review(case_id, actor=SUBJECT)
    assert world.case(case_id).state is State.REVIEW_REQUESTED


@pytest.mark.parametrize("person", [INVESTIGATOR, SUBJECT])
def test_delegate_cannot_be_the_investigator_or_the_subject(world: World, person: str) -> None:
    case_id = world.under_review()
    with pytest.raises(IntakeInvalid) as caught:
        world.desk.delegate_review(case_id, actor=DIRECTOR, delegate=person)
    assert set(caught.value.errors) == {"delegate"}
    assert world.case(case_id).delegate is None


def test_director_who_is_the_subject_cannot_approve(world: World) -> None:
    world.uow.grant(SUBJECT, Role.DIRECTOR)
    case_id = world.ready_for_decision()
    world.desk.propose_decision(case_id, actor=DIRECTOR, outcome=Outcome.NOT_UPHELD,
                                reasons="r", remedy="m")
    with pytest.raises(NotAllowed, match="another director"):
        world.desk.approve_decision(case_id, actor=SUBJECT)
    assert world.case(case_id).state is State.DECISION_PROPOSED
    world.desk.approve_decision(case_id, actor=OTHER_DIRECTOR)
    assert world.case(case_id).state is State.FINAL


@pytest.mark.parametrize("step", ["request_changes", "delegate_review", "progress_update"])
def test_director_who_is_the_subject_cannot_steer_the_review(world: World, step: str) -> None:
    world.uow.grant(SUBJECT, Role.DIRECTOR)
    case_id = world.ready_for_decision()
    if step == "request_changes":
        world.desk.propose_decision(case_id, actor=DIRECTOR, outcome=Outcome.NOT_UPHELD,
                                    reasons="r", remedy="m")
    before = world.case(case_id)
    with pytest.raises(NotAllowed, match="about you"):
        if step == "request_changes":
            world.desk.request_changes(case_id, actor=SUBJECT, comment="Soften it.")
        elif step == "delegate_review":
            world.desk.delegate_review(case_id, actor=SUBJECT, delegate=SENIOR)
        else:
            world.at(london(2026, 7, 20, 10)).send_progress_update(
                case_id, actor=SUBJECT, reason="later", new_reply_by=date(2026, 8, 10))
    after = world.case(case_id)
    assert (after.state, after.version, after.delegate) == (
        before.state, before.version, before.delegate)


def test_subject_who_is_customer_services_cannot_run_stage_one_of_their_own_case(
    world: World,
) -> None:
    world.uow.grant(SUBJECT, Role.CUSTOMER_SERVICES)
    case_id = world.logged(subject_user_id=SUBJECT).id
    assert case_id is not None
    with pytest.raises(NotAllowed, match="about you"):
        world.desk.acknowledge_case(case_id, actor=SUBJECT, owner=SUBJECT,
                                    promised_reply_by=date(2026, 7, 10),
                                    procedure_attached=True)
    with pytest.raises(NotAllowed, match="about you"):
        world.desk.withdraw(case_id, actor=SUBJECT, reason="dropped")
    assert world.case(case_id).state is State.LOGGED


def test_only_the_subject_records_their_response(world: World) -> None:
    case_id = world.under_review()
    with pytest.raises(NotAllowed):
        world.desk.record_person_response(case_id, actor=DIRECTOR, response="on their behalf")
    assert world.case(case_id).person_response is None


def test_missing_person_response_is_recorded_by_the_system_after_the_window(
    world: World,
) -> None:
    case_id = world.under_review()  # person informed Tue 14 July, due Fri 17 July 17:00
    assert world.at(london(2026, 7, 17, 16, 0)).record_missing_responses() == []
    assert world.at(london(2026, 7, 17, 17, 0)).record_missing_responses() == ["TT-2026-0001"]
    case = world.case(case_id)
    assert case.state is State.UNDER_REVIEW
    assert case.deadlines[DeadlineKind.PERSON_RESPONSE].retired_at is not None
    assert world.actions(case_id)[-1] == "record_no_response"
    assert world.at(london(2026, 7, 20, 9, 0)).record_missing_responses() == []


# ---- the review window -----------------------------------------------------------------


def test_out_of_window_review_request_is_refused_for_customer_services(world: World) -> None:
    case_id = world.replied()
    late = london(2026, 8, 27, 17, 30)  # the window closed at 17:00
    with pytest.raises(NotAllowed, match="director"):
        world.at(late).request_review(case_id, actor=CS, requested_at=late, how="phone",
                                      reason="They were abroad.")
    assert world.case(case_id).state is State.REPLIED


def test_out_of_window_review_request_needs_a_directors_reason(world: World) -> None:
    case_id = world.replied()
    late = london(2026, 8, 27, 17, 30)
    with pytest.raises(IntakeInvalid) as caught:
        world.at(late).request_review(case_id, actor=DIRECTOR, requested_at=late, how="phone")
    assert set(caught.value.errors) == {"reason"}
    world.desk.request_review(case_id, actor=DIRECTOR, requested_at=late, how="phone",
                              reason="They were in hospital.")
    case = world.case(case_id)
    assert case.state is State.REVIEW_REQUESTED
    assert case.review_late_reason == "They were in hospital."
    # The complainant asked late; no member of staff missed a promise.
    assert not case.deadlines[DeadlineKind.REVIEW_WINDOW].breached
    assert world.uow.history(case_id)[-1].details["reason"] == "They were in hospital."


def test_director_may_reopen_a_closed_case_for_a_late_review_with_a_reason(
    world: World,
) -> None:
    case_id = world.replied()
    world.at(london(2026, 8, 28, 9, 0)).close_expired_review_windows()
    assert world.case(case_id).state is State.CLOSED
    with pytest.raises(NotAllowed):
        world.desk.request_review(case_id, actor=CS, requested_at=world.clock.now(),
                                  how="letter", reason="late")
    world.desk.request_review(case_id, actor=DIRECTOR, requested_at=world.clock.now(),
                              how="letter", reason="Letter was delayed in the post.")
    case = world.case(case_id)
    assert case.state is State.REVIEW_REQUESTED
    assert case.closed_at is None
    assert case.deadlines[DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT].is_open


def test_review_requested_before_the_stage_one_reply_is_exceptional(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    with pytest.raises(NotAllowed):
        world.desk.request_review(case_id, actor=CS, requested_at=world.clock.now(),
                                  how="email")
    world.desk.request_review(case_id, actor=DIRECTOR, requested_at=world.clock.now(),
                              how="email", reason="Complainant went straight to a director.")
    case = world.case(case_id)
    assert case.state is State.REVIEW_REQUESTED
    # Stage One promises stop; Stage Two ones start.
    assert {d.kind for d in case.open_deadlines()} == {
        DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT, DeadlineKind.STAGE_TWO_REPLY}


def test_review_request_in_the_future_is_refused_on_requested_at(world: World) -> None:
    case_id = world.replied()
    with pytest.raises(IntakeInvalid) as caught:
        world.at(london(2026, 7, 13, 10, 0)).request_review(
            case_id, actor=CS, requested_at=london(2026, 7, 14, 10, 0), how="email")
    assert set(caught.value.errors) == {"requested_at"}


def test_review_request_after_the_cut_off_counts_from_the_next_working_day(
    world: World,
) -> None:
    case_id = world.replied()
    world.at(london(2026, 7, 17, 18, 0)).request_review(
        case_id, actor=CS, requested_at=london(2026, 7, 17, 17, 45), how="email")
    case = world.case(case_id)
    assert case.review_effective_receipt == date(2026, 7, 20)
    assert case.deadlines[DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT].due_at == london(
        2026, 7, 22, 17)


# ---- withdrawal ------------------------------------------------------------------------


def test_withdraw_retires_open_deadlines(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    world.at(london(2026, 6, 12, 9, 0)).withdraw(case_id, actor=CS, reason="Sorted itself.")
    case = world.case(case_id)
    assert case.state is State.WITHDRAWN
    assert case.withdrawn_reason == "Sorted itself."
    assert case.open_deadlines() == []
    assert all(d.retired_at == london(2026, 6, 12, 9) for d in case.deadlines.values())
    assert not case.is_open
    with pytest.raises(InvalidTransition):
        world.desk.acknowledge_case(case_id, actor=CS, owner=CS,
                                    promised_reply_by=date(2026, 7, 10),
                                    procedure_attached=True)


def test_withdrawal_needs_a_reason(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    with pytest.raises(IntakeInvalid) as caught:
        world.desk.withdraw(case_id, actor=CS, reason="  ")
    assert set(caught.value.errors) == {"reason"}


# ---- need-to-know through the service --------------------------------------------------


def test_view_details_shows_the_intake_and_records_who_saw_it(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    details = world.at(london(2026, 6, 10, 12, 0)).view_details(case_id, actor=HR)
    assert details.reference == "TT-2026-0001"
    assert details.intake.email == "ada@example.com"
    last = world.uow.history(case_id)[-1]
    assert (last.action, last.actor, last.at) == ("details_viewed", HR, london(2026, 6, 10, 12))
    # Viewing is not a channel message: no personal data goes to the outbox.
    assert all("ada@example.com" not in str(n.payload) for n in world.uow.outbox)


def test_view_details_refuses_the_subject_and_records_the_refusal(world: World) -> None:
    world.uow.grant(SUBJECT, Role.DIRECTOR)
    case_id = world.logged(subject_user_id=SUBJECT).id
    assert case_id is not None
    with pytest.raises(NotAllowed, match="need to know"):
        world.desk.view_details(case_id, actor=SUBJECT)
    last = world.uow.history(case_id)[-1]
    assert (last.action, last.actor) == ("details_refused", SUBJECT)


def test_view_details_refuses_unrelated_staff(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    with pytest.raises(NotAllowed):
        world.desk.view_details(case_id, actor=NOBODY)


def test_find_case_hides_cases_the_viewer_may_not_see(world: World) -> None:
    world.logged()
    assert world.desk.find_case(" tt-2026-0001 ", viewer=CS).reference == "TT-2026-0001"
    with pytest.raises(NotFound):
        world.desk.find_case("TT-2026-0001", viewer=NOBODY)


def test_note_from_unrelated_staff_is_refused(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    with pytest.raises(NotAllowed):
        world.desk.add_note(case_id, actor=NOBODY, text="hello")
    assert world.actions(case_id) == ["logged"]


def test_list_cases_filters_by_need_to_know(world: World) -> None:
    world.logged()
    assert [c.reference for c in world.desk.list_cases(viewer=CS)] == ["TT-2026-0001"]
    assert world.desk.list_cases(viewer=NOBODY) == []
    assert [c.reference for c in world.at(london(2026, 6, 16, 9)).list_cases(
        viewer=DIRECTOR, which="overdue")] == ["TT-2026-0001"]
    with pytest.raises(IntakeInvalid):
        world.desk.list_cases(viewer=CS, which="everything")


# ---- concurrency -----------------------------------------------------------------------


class RacingFactory(InMemoryUnitOfWorkFactory):
    """Lets a competing use case commit between this unit's load and its save."""

    def __init__(self, inner: InMemoryUnitOfWorkFactory) -> None:
        super().__init__(inner.store)
        self.competitor: list[object] = []

    def __call__(self) -> UnitOfWork:
        uow = super().__call__()
        real_get = uow.cases.get

        def get(case_id: int) -> Case:
            case = real_get(case_id)
            while self.competitor:
                run = self.competitor.pop()
                run()  # type: ignore[operator]
            return case

        uow.cases.get = get  # type: ignore[method-assign]
        return uow


def test_two_racing_transitions_one_wins_and_the_other_is_told_who(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    racing = RacingFactory(world.uow)
    slow = ComplaintsDesk(racing, world.clock, UKWorkingCalendar(), Policy())
    racing.competitor.append(lambda: world.desk.acknowledge_case(
        case_id, actor=DIRECTOR, owner=DIRECTOR, promised_reply_by=date(2026, 7, 10),
        procedure_attached=True))
    with pytest.raises(InvalidTransition) as caught:
        slow.acknowledge_case(case_id, actor=CS, owner=CS,
                              promised_reply_by=date(2026, 7, 10), procedure_attached=True)
    assert caught.value.last_actor == DIRECTOR
    assert caught.value.last_at == world.clock.now()
    case = world.case(case_id)
    assert case.owner == DIRECTOR
    assert world.actions(case_id) == ["logged", "acknowledge"]


def test_second_click_on_the_same_button_is_refused_with_who_did_it(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    world.desk.acknowledge_case(case_id, actor=DIRECTOR, owner=DIRECTOR,
                                promised_reply_by=date(2026, 7, 10), procedure_attached=True)
    with pytest.raises(InvalidTransition) as caught:
        world.desk.acknowledge_case(case_id, actor=CS, owner=CS,
                                    promised_reply_by=date(2026, 7, 10),
                                    procedure_attached=True)
    assert caught.value.last_actor == DIRECTOR


def test_policy_dates_through_the_desk_match_the_worked_example(world: World) -> None:
    dates = world.desk.policy_dates(london(2026, 5, 1, 18, 30))
    assert dates.effective_receipt == date(2026, 5, 5)
    assert dates.stage_one_acknowledge_by == london(2026, 5, 8, 17)
    assert dates.stage_one_investigate_by == london(2026, 6, 4, 17)


def test_policy_dates_refuse_a_time_without_a_zone(world: World) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        world.desk.policy_dates(datetime(2026, 5, 1, 18, 30))  # noqa: DTZ001


def test_unknown_case_is_not_found(world: World) -> None:
    with pytest.raises(NotFound):
        world.desk.withdraw(999, actor=CS, reason="x")


def test_every_transition_in_the_service_is_a_table_action(world: World) -> None:
    case_id = world.under_review()
    recorded = {e.action for e in world.uow.history(case_id)} - {"logged"}
    assert recorded <= {a.value for a in Action}


def test_decision_waits_for_the_named_persons_response_window(world: World) -> None:
    case_id = world.under_review()  # person informed Tue 14 July, may respond until Fri 17
    with pytest.raises(InvalidTransition, match="response"):
        world.at(london(2026, 7, 15, 10, 0)).propose_decision(
            case_id, actor=DIRECTOR, outcome=Outcome.NOT_UPHELD, reasons="r", remedy="m")
    assert world.case(case_id).state is State.UNDER_REVIEW
    # Once the window has passed and no response came, the review goes on.
    world.at(london(2026, 7, 20, 9, 0)).record_missing_responses()
    world.desk.propose_decision(case_id, actor=DIRECTOR, outcome=Outcome.NOT_UPHELD,
                                reasons="r", remedy="m")
    assert world.case(case_id).state is State.DECISION_PROPOSED


def test_decision_may_follow_the_named_persons_response_at_once(world: World) -> None:
    case_id = world.under_review()
    world.at(london(2026, 7, 15, 10, 0)).record_person_response(
        case_id, actor=SUBJECT, response="My side.")
    world.desk.propose_decision(case_id, actor=DIRECTOR, outcome=Outcome.NOT_UPHELD,
                                reasons="r", remedy="m")
    assert world.case(case_id).state is State.DECISION_PROPOSED


def test_named_person_responds_once_and_not_after_the_window_closed(world: World) -> None:
    case_id = world.ready_for_decision()
    with pytest.raises(InvalidTransition, match="already responded"):
        world.at(london(2026, 7, 16, 10, 0)).record_person_response(
            case_id, actor=SUBJECT, response="Actually, a different story.")
    assert world.case(case_id).person_response == "My side of it."

    late_case = world.under_review(complainant_name="Bea Example")
    world.at(london(2026, 7, 17, 17, 0)).record_missing_responses()
    with pytest.raises(InvalidTransition, match="time to respond"):
        world.at(london(2026, 7, 20, 10, 0)).record_person_response(
            late_case, actor=SUBJECT, response="Sorry, I was away.")
    assert world.case(late_case).person_response is None


def test_promised_reply_dates_cannot_exceed_what_the_procedure_allows(world: World) -> None:
    case_id = world.logged().id
    assert case_id is not None
    # Received Wed 10 Jun 2026: investigate by Fri 10 Jul, reply at the latest Wed 15 Jul.
    with pytest.raises(IntakeInvalid) as caught:
        world.desk.acknowledge_case(case_id, actor=CS, owner=CS,
                                    promised_reply_by=date(2026, 7, 16), procedure_attached=True)
    assert "Wed 15 Jul 2026" in caught.value.errors["promised_reply_by"]
    world.desk.acknowledge_case(case_id, actor=CS, owner=CS,
                                promised_reply_by=date(2026, 7, 15), procedure_attached=True)

    review_id = world.replied(complainant_name="Cy Example")
    world.at(london(2026, 7, 13, 10, 0)).request_review(
        review_id, actor=CS, requested_at=london(2026, 7, 13, 9, 30), how="email")
    # Received Mon 13 Jul: 10 working days is Mon 27 Jul.
    with pytest.raises(IntakeInvalid) as caught:
        world.at(london(2026, 7, 14, 10, 0)).acknowledge_review(
            review_id, actor=DIRECTOR, reply_by=date(2026, 7, 28))
    assert "progress update" in caught.value.errors["reply_by"]
    world.desk.acknowledge_review(review_id, actor=DIRECTOR, reply_by=date(2026, 7, 27))


# ---- the policy in force is what the steps read ---------------------------------------


def with_policy(world: World, policy: Policy) -> World:
    world.desk = ComplaintsDesk(world.uow, world.clock, UKWorkingCalendar(), policy)
    return world


def test_a_policy_file_that_shortens_the_review_window_moves_its_closing(world: World) -> None:
    with_policy(world, policy_from_mapping({"review_window": {"days": 28}}))
    case_id = world.replied()
    window = world.case(case_id).deadlines[DeadlineKind.REVIEW_WINDOW]
    # Replied Thu 2 Jul 2026: 28 calendar days -> Thu 30 Jul, 17:00.
    assert window.due_at == london(2026, 7, 30, 17, 0)


def test_the_named_persons_time_to_respond_comes_from_the_policy(world: World) -> None:
    with_policy(world, policy_from_mapping({"person_response": {"days": 5}}))
    case_id = world.under_review()
    person = world.case(case_id).deadlines[DeadlineKind.PERSON_RESPONSE]
    # Told on Tue 14 Jul 2026: 5 working days -> Tue 21 Jul, 17:00.
    assert person.started_at == london(2026, 7, 14, 10, 0)
    assert person.due_at == london(2026, 7, 21, 17, 0)


def test_report_needs_attention_thresholds_are_the_policys(world: World) -> None:
    for _ in range(2):
        world.logged(subject_user_id=SUBJECT, category="staff_conduct")
    period = {"start": date(2026, 6, 1), "end": date(2026, 6, 30)}
    default = world.desk.trends_report(viewer=HR, **period)
    assert AttentionKind.REPEATED_SUBJECT in {a.kind for a in default.attention}
    with_policy(world, Policy(report=ReportPolicy(repeat_subject_min=3)))
    stricter = world.desk.trends_report(viewer=HR, **period)
    assert AttentionKind.REPEATED_SUBJECT not in {a.kind for a in stricter.attention}


def test_work_arriving_at_a_minute_to_midnight_falls_due_at_close_of_business(
        world: World) -> None:
    """Issue #10's wording set: no card may say "due today 23:59". A complaint received at
    23:59 on a Friday, and a review asked for at 23:58, fall due at 17:00 on working days,
    and on the day itself the card says "due today by 17:00"."""
    data = intake_data(received_at="2026-06-12T23:59:00+01:00")
    case = world.at(london(2026, 6, 13, 0, 5)).log_complaint(data, logged_by=CS)
    assert case.id is not None
    seen: list[Deadline] = list(case.deadlines.values())
    world.at(london(2026, 6, 15, 23, 50)).acknowledge_case(
        case.id, actor=CS, owner=CS, promised_reply_by=date(2026, 7, 10),
        procedure_attached=True)
    world.at(london(2026, 6, 16, 23, 59)).resolve_case(
        case.id, actor=CS, resolution="Replaced the unit.")
    world.at(london(2026, 6, 17, 23, 59)).send_reply(
        case.id, actor=CS, outcome=Outcome.UPHELD, suggestions="Keep the new unit.")
    world.at(london(2026, 6, 19, 23, 59)).request_review(
        case.id, actor=CS, requested_at=london(2026, 6, 19, 23, 58), how="email")
    world.at(london(2026, 6, 20, 23, 59)).acknowledge_review(case.id, actor=DIRECTOR)
    seen += world.case(case.id).deadlines.values()
    calendar = UKWorkingCalendar()
    for deadline in seen:
        due = deadline.due_at.astimezone(LONDON)
        assert (due.hour, due.minute) == (17, 0), (deadline.kind, due)
        if deadline.kind is DeadlineKind.REVIEW_WINDOW:
            continue
        morning = due.replace(hour=8, minute=0)
        shown = deadline_view(deadline, morning, calendar, Policy())
        assert shown.time_left == "due today by 17:00", (deadline.kind, shown.time_left)


def test_an_intake_that_cannot_be_stored_fails_alone_and_its_batch_is_stored_without_it(
        world: World) -> None:
    """Three intakes queue behind a first one and share a transaction; one of them fails
    to store, so the three are stored again one at a time: the other two get a case each,
    numbered in turn, logged once, as if the failed one had never come."""
    import threading

    from cases.errors import ConcurrentChange

    inner, started, release = world.uow, threading.Event(), threading.Event()
    calls = 0

    class Gated:  # the first transaction waits, so the others queue behind it
        def __call__(self) -> UnitOfWork:
            nonlocal calls
            calls += 1
            uow = inner()
            if calls == 1:
                started.set()
                assert release.wait(10)
            real_add = uow.cases.add

            def add(case: Case) -> None:
                if case.logged_by == "U_BROKEN":
                    raise ConcurrentChange("the store refused this one")
                real_add(case)

            uow.cases.add = add  # type: ignore[method-assign]
            return uow

    world.uow.grant("U_BROKEN", Role.CUSTOMER_SERVICES)
    desk = ComplaintsDesk(Gated(), world.clock, UKWorkingCalendar(), Policy())
    results: dict[str, Case | BaseException] = {}

    def submit(who: str) -> None:
        try:
            results[who] = desk.log_complaint(intake_data(), logged_by=who,
                                              intake_key=f"view-{who}")
        except Exception as exc:  # noqa: BLE001 - asserted on below
            results[who] = exc

    threads = [threading.Thread(target=submit, args=(CS,))]
    threads[0].start()
    assert started.wait(10)
    for who in (DIRECTOR, "U_BROKEN", HR):
        threads.append(threading.Thread(target=submit, args=(who,)))
        threads[-1].start()
    while desk.intakes.waiting < 3:
        threading.Event().wait(0.001)
    release.set()
    for thread in threads:
        thread.join(10)

    assert isinstance(results.pop("U_BROKEN"), ConcurrentChange)
    stored = {who: world.case(c.id or 0) for who, c in results.items()
              if isinstance(c, Case)}
    assert sorted(stored) == sorted([CS, DIRECTOR, HR])
    assert stored[CS].reference == "TT-2026-0001"
    assert sorted(c.reference for c in stored.values()) == [
        "TT-2026-0001", "TT-2026-0002", "TT-2026-0003"]
    for case in stored.values():
        assert world.actions(case.id or 0) == ["logged"]
    assert calls == 1 + 1 + 3  # transactions: the first, the failed three, each alone
