"""Issue #10's pure rules: the sole director, staff-conduct subjects, alert recipients, roles."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases.alerts import OpenDeadline
from cases.errors import NotAllowed
from cases.intake import conduct_complaint_problem
from cases.model import DeadlineKind, NoticeKind, Outcome, State
from cases.policy import Policy, StageTwoPolicy, policy_from_mapping
from cases.roles import ORGANISATION_ROLES, Role, parse_organisation_role, who_may
from cases.services import ComplaintsDesk
from scheduling.calendar import UKWorkingCalendar
from scheduling.sweep import alerts_due
from tests.unit.test_services import DIRECTOR, OTHER_DIRECTOR, World, london

LONDON = ZoneInfo("Europe/London")


def drafted_by_the_reviewer(world: World) -> int:
    case_id = world.ready_for_decision()
    world.at(london(2026, 7, 20, 10)).propose_decision(
        case_id, actor=DIRECTOR, outcome=Outcome.UPHELD, reasons="Faulty.", remedy="Refund.")
    return case_id


def test_the_drafter_may_not_approve_by_default() -> None:
    world = World()
    case_id = drafted_by_the_reviewer(world)
    with pytest.raises(NotAllowed, match="another director must approve"):
        world.at(london(2026, 7, 20, 11)).approve_decision(case_id, actor=DIRECTOR)
    world.at(london(2026, 7, 20, 11)).approve_decision(case_id, actor=OTHER_DIRECTOR)
    assert world.case(case_id).state is State.FINAL


def test_a_sole_director_may_approve_their_own_draft_and_the_history_says_so() -> None:
    policy = policy_from_mapping({"stage_two": {"sole_director_may_approve": True}})
    assert policy.stage_two == StageTwoPolicy(sole_director_may_approve=True)
    assert Policy().stage_two.sole_director_may_approve is False
    world = World()
    world.desk = ComplaintsDesk(world.uow, world.clock, UKWorkingCalendar(), policy)
    case_id = drafted_by_the_reviewer(world)
    world.at(london(2026, 7, 20, 11)).approve_decision(case_id, actor=DIRECTOR)
    [approval] = [e for e in world.uow.history(case_id) if e.action == "approve_decision"]
    assert approval.actor == DIRECTOR and approval.details["own_draft"] is True


def test_a_staff_conduct_complaint_names_the_person_or_says_it_names_no_one() -> None:
    assert "subject_user_id" in conduct_complaint_problem("staff_conduct", None, False)
    assert conduct_complaint_problem("staff_conduct", "U_SUBJECT", False) == {}
    assert conduct_complaint_problem("staff_conduct", None, True) == {}
    assert conduct_complaint_problem("product", None, False) == {}


def test_the_investigation_alert_goes_to_the_investigator() -> None:
    due = datetime(2026, 4, 7, 17, tzinfo=LONDON)
    d = OpenDeadline(1, 7, "TT-2026-0007", DeadlineKind.INVESTIGATION, due, owner="U_CS",
                     investigator="U_INV")
    assert d.responsible == "U_INV" and d.responsible_part == "Investigator"
    [alert] = alerts_due(d, datetime(2026, 4, 7, 9, tzinfo=LONDON), UKWorkingCalendar(),
                         Policy())
    dms = [n.payload["user"] for n in alert.notices if n.kind is NoticeKind.DIRECT]
    assert dms == ["U_INV"]
    # Before anyone is assigned, and for the reply, it is the owner's.
    assert OpenDeadline(1, 7, "R", DeadlineKind.INVESTIGATION, due, owner="U_CS").responsible \
        == "U_CS"
    assert OpenDeadline(1, 7, "R", DeadlineKind.STAGE_ONE_REPLY, due, owner="U_CS",
                        investigator="U_INV").responsible == "U_CS"


def test_senior_is_an_organisation_role_the_roles_command_accepts() -> None:
    assert Role.SENIOR in ORGANISATION_ROLES
    assert parse_organisation_role("Senior") is Role.SENIOR


def test_refusals_name_who_may_take_a_step() -> None:
    assert who_may(frozenset({Role.REVIEWER, Role.DELEGATE})) == "the reviewer or the delegate"
    assert who_may(frozenset({Role.CUSTOMER_SERVICES, Role.DIRECTOR, Role.INVESTIGATOR})) \
        == "customer services, a director or the investigator"
