"""Need-to-know: who may see a case's personal data, and who may see the case at all."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cases.access import may_see_case, may_see_personal_data
from cases.model import Case, State
from cases.roles import Role
from tests.fakes import intake_record

AT = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
NO_ROLES: frozenset[Role] = frozenset()


def make_case() -> Case:
    return Case(
        reference="TT-2026-0042", intake=intake_record(subject_user_id="U_SUBJECT"),
        received_at=AT, effective_receipt=date(2026, 6, 10), logged_by="U_LOGGER",
        logged_at=AT, state=State.UNDER_REVIEW, id=42, owner="U_OWNER",
        investigator="U_INVESTIGATOR", reviewer="U_REVIEWER", delegate="U_DELEGATE",
    )


@pytest.mark.parametrize("role", [Role.CUSTOMER_SERVICES, Role.DIRECTOR, Role.HR_MANAGER])
def test_organisation_roles_may_see_personal_data(role: Role) -> None:
    assert may_see_personal_data("U_SOMEONE", make_case(), frozenset({role}))
    assert may_see_case("U_SOMEONE", make_case(), frozenset({role}))


@pytest.mark.parametrize("user", [
    "U_OWNER", "U_INVESTIGATOR", "U_REVIEWER", "U_DELEGATE", "U_LOGGER",
])
def test_people_working_on_the_case_may_see_personal_data_without_a_role(user: str) -> None:
    assert may_see_personal_data(user, make_case(), NO_ROLES)
    assert may_see_case(user, make_case(), NO_ROLES)


def test_unrelated_staff_may_not_see_personal_data_or_the_case() -> None:
    assert not may_see_personal_data("U_UNRELATED", make_case(), NO_ROLES)
    assert not may_see_personal_data("U_UNRELATED", make_case(), frozenset({Role.STAFF}))
    assert not may_see_case("U_UNRELATED", make_case(), NO_ROLES)


def test_subject_may_not_see_personal_data() -> None:
    assert not may_see_personal_data("U_SUBJECT", make_case(), NO_ROLES)


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.CUSTOMER_SERVICES, Role.HR_MANAGER])
def test_subject_may_not_see_personal_data_even_with_an_organisation_role(role: Role) -> None:
    assert not may_see_personal_data("U_SUBJECT", make_case(), frozenset({role}))


def test_subject_who_also_logged_the_complaint_still_may_not_see_personal_data() -> None:
    case = make_case()
    case.logged_by = "U_SUBJECT"
    assert not may_see_personal_data("U_SUBJECT", case, frozenset({Role.DIRECTOR}))


def test_subject_does_not_see_their_own_case_whatever_their_roles() -> None:
    # Issue #10 item 2: told by DM and answering from there, never list/show/note/buttons.
    for roles in (NO_ROLES, frozenset({Role.DIRECTOR}), frozenset({Role.CUSTOMER_SERVICES})):
        assert not may_see_case("U_SUBJECT", make_case(), roles)
    assert may_see_case("U_OTHER", make_case(), frozenset({Role.CUSTOMER_SERVICES}))


def test_case_without_a_subject_gives_nobody_the_subject_exclusion() -> None:
    case = make_case()
    case.intake = intake_record()
    assert case.intake.subject_user_id is None
    assert may_see_personal_data("U_OWNER", case, NO_ROLES)
    assert not may_see_personal_data("U_UNRELATED", case, NO_ROLES)


def test_people_on_an_unassigned_case_are_only_the_logger() -> None:
    case = make_case()
    case.owner = case.investigator = case.reviewer = case.delegate = None
    assert case.people_on_case() == {"U_LOGGER"}
    assert not may_see_personal_data("U_OWNER", case, NO_ROLES)
