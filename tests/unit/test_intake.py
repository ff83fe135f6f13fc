"""The intake record: every bad input is named by its field; grievances are not cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from cases.errors import IntakeInvalid, NotAComplaint
from cases.intake import (
    MAX_FACTS,
    Channel,
    IntakeRecord,
    Relationship,
    normalise_phone,
    parse_intake,
    received_time_problem,
    stored_intake,
)
from tests.fakes import intake_data


def errors_for(**overrides: Any) -> dict[str, str]:
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(intake_data(**overrides))
    return caught.value.errors


def test_complete_form_gives_a_record() -> None:
    record = parse_intake(intake_data())
    assert record.complainant_name == "Ada Lovelace"
    assert record.relationship is Relationship.CUSTOMER
    assert record.channel is Channel.PHONE
    assert record.received_at == datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    assert record.summary == "Product complaint by phone"


def test_surrounding_whitespace_is_trimmed_and_blank_optionals_are_none() -> None:
    record = parse_intake(intake_data(complainant_name="  Ada  ", organisation="   ",
                                      remedy_sought=""))
    assert record.complainant_name == "Ada"
    assert record.organisation is None
    assert record.remedy_sought is None


# ---- each field's bad input is keyed by that field ---------------------------------------


@pytest.mark.parametrize("name", ["", "   "])
def test_blank_name_is_refused_on_the_name_field(name: str) -> None:
    assert set(errors_for(complainant_name=name)) == {"complainant_name"}


def test_missing_name_is_refused_on_the_name_field() -> None:
    data = intake_data()
    del data["complainant_name"]
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(data)
    assert caught.value.errors == {"complainant_name": "this is required"}


@pytest.mark.parametrize("email", ["ada", "ada@", "ada@@example.com", "ada example@x.com"])
def test_bad_email_is_refused_on_the_email_field(email: str) -> None:
    errors = errors_for(email=email)
    assert set(errors) == {"email"}
    assert "email" in errors["email"]


@pytest.mark.parametrize("phone", [
    "+1 555 123 4567",      # a US number that cannot exist (555 exchange)
    "0033 123 4567",        # France, too short
    "+44 0 1482 1",         # too short
    "01482 123456 789",     # too long
    "call me",
    "+44 (0) 01482 123456",  # the trunk zero twice
    "+" + "1" * 60,          # absurdly long
])
def test_impossible_phone_is_refused_on_the_phone_field(phone: str) -> None:
    errors = errors_for(phone=phone)
    assert set(errors) == {"phone"}
    assert "phone number" in errors["phone"] and "+33 1 23 45 67 89" in errors["phone"]


@pytest.mark.parametrize(("phone", "shown"), [
    ("01482 123456", "+44 1482 123456"),
    ("+44 7911 123456", "+44 7911 123456"),
    ("07911123456", "+44 7911 123456"),
    ("07911 123 456", "+44 7911 123456"),
    ("0044 7911 123456", "+44 7911 123456"),
    ("+44 (0)1482 123456", "+44 1482 123456"),
    ("(01482) 123-456", "+44 1482 123456"),
    ("0300 012 0001", "+44 300 012 0001"),
    ("+33 1 23 45 67 89", "+33 1 23 45 67 89"),   # France: refused before issue 10
    ("+33123456789", "+33 1 23 45 67 89"),
    ("+1 202 555 0143", "+1 202-555-0143"),       # United States
    ("+49 30 901820", "+49 30 901820"),           # Germany
])
def test_any_valid_number_is_accepted_and_shown_grouped(phone: str, shown: str) -> None:
    assert parse_intake(intake_data(phone=phone)).phone == shown
    assert normalise_phone(phone) == shown


def test_a_stored_raw_e164_number_is_shown_grouped_when_read_back() -> None:
    record = parse_intake(intake_data(phone="+441482123456"))
    assert IntakeRecord.model_validate(record.model_dump(mode="json")).phone == "+44 1482 123456"
    stored = {**record.model_dump(mode="json"), "phone": "+441482123456"}
    assert stored_intake(stored).phone == "+44 1482 123456"


def test_a_stored_intake_reads_back_equal_to_the_validated_one() -> None:
    record = parse_intake(intake_data(phone="01482 123456",
                                      received_at="2026-05-01T10:00:00+01:00"))
    back = stored_intake(record.model_dump(mode="json"))
    assert back == record
    assert back.model_dump(mode="json") == record.model_dump(mode="json")
    assert back.received_at.utcoffset() == timedelta(hours=1)
    assert back.channel is record.channel and back.checklist == record.checklist
    assert back.summary == record.summary


def test_a_stored_intake_not_in_the_desks_shape_is_still_validated() -> None:
    stored = parse_intake(intake_data()).model_dump(mode="json")
    with pytest.raises(ValidationError):
        stored_intake({**stored, "shoe_size": 9})
    with pytest.raises(ValidationError):
        stored_intake({**stored, "received_at": "2026-05-01T10:00:00"})  # no offset
    without_name = {k: v for k, v in stored.items() if k != "complainant_name"}
    with pytest.raises(ValidationError):
        stored_intake(without_name)


def test_no_contact_route_is_refused_and_names_a_contact_field() -> None:
    errors = errors_for(email="", phone=None, postal_address="  ")
    assert set(errors) == {"email"}
    assert "at least one way" in errors["email"]


@pytest.mark.parametrize("only", [
    {"email": "ada@example.com"}, {"phone": "07911123456"}, {"postal_address": "1 High St"},
])
def test_any_one_contact_route_is_enough(only: dict[str, str]) -> None:
    data = intake_data(email=None, phone=None, postal_address=None)
    data.update(only)
    parse_intake(data)


def test_other_relationship_without_text_is_refused_on_relationship_other() -> None:
    assert set(errors_for(relationship="other", relationship_other=" ")) == {
        "relationship_other"}


def test_other_relationship_with_text_is_accepted() -> None:
    record = parse_intake(intake_data(relationship="other", relationship_other="Landlord"))
    assert record.relationship_other == "Landlord"


def test_unknown_relationship_is_refused_on_the_relationship_field() -> None:
    assert set(errors_for(relationship="cousin")) == {"relationship"}


def test_unknown_channel_is_refused_on_the_channel_field() -> None:
    assert set(errors_for(channel="carrier pigeon")) == {"channel"}


@pytest.mark.parametrize("item", [
    "referred_to_procedure", "feedback_form_sent", "told_next_steps",
])
def test_each_unchecked_checklist_item_is_refused_by_name(item: str) -> None:
    checklist = {"referred_to_procedure": True, "feedback_form_sent": True,
                 "told_next_steps": True, item: False}
    assert set(errors_for(checklist=checklist)) == {f"checklist.{item}"}


def test_missing_checklist_reports_all_three_items() -> None:
    data = intake_data()
    del data["checklist"]
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(data)
    assert set(caught.value.errors) == {
        "checklist.referred_to_procedure", "checklist.feedback_form_sent",
        "checklist.told_next_steps"}


def test_facts_too_long_are_refused_on_the_facts_field() -> None:
    errors = errors_for(facts="x" * (MAX_FACTS + 1))
    assert set(errors) == {"facts"}
    assert str(MAX_FACTS) in errors["facts"]


def test_facts_at_the_limit_are_accepted() -> None:
    assert len(parse_intake(intake_data(facts="x" * MAX_FACTS)).facts) == MAX_FACTS


def test_blank_facts_are_refused_on_the_facts_field() -> None:
    assert errors_for(facts="  ") == {"facts": "this is required"}


def test_received_time_without_a_zone_is_refused_on_received_at() -> None:
    assert set(errors_for(received_at="2026-06-10T10:00:00")) == {"received_at"}


def test_unknown_category_is_refused_on_the_category_field() -> None:
    assert set(errors_for(category="weather")) == {"category"}


def test_several_bad_fields_are_reported_together() -> None:
    errors = errors_for(complainant_name="", email="nope", facts="")
    assert {"complainant_name", "email", "facts"} <= set(errors)


def test_error_message_names_each_field() -> None:
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(intake_data(complainant_name="", phone="+1 555 123 4567"))
    assert "complainant_name" in str(caught.value)
    assert "phone" in str(caught.value)


# ---- staff grievances ------------------------------------------------------------------


@pytest.mark.parametrize("flag", [True, "true", "yes", "on", "1", 1, "True"])
def test_staff_grievance_is_not_a_complaint_and_points_to_the_grievance_policy(
    flag: object,
) -> None:
    with pytest.raises(NotAComplaint, match="Grievance Policy"):
        parse_intake(intake_data(staff_grievance=flag))


def test_staff_grievance_is_refused_even_when_other_fields_are_fine_as_a_record() -> None:
    with pytest.raises(NotAComplaint, match="Grievance Policy"):
        IntakeRecord.model_validate(intake_data(staff_grievance=True))


@pytest.mark.parametrize("flag", [False, "false", "no", 0])
def test_not_a_grievance_is_an_ordinary_complaint(flag: object) -> None:
    assert parse_intake(intake_data(staff_grievance=flag)).staff_grievance is False


# ---- received time ---------------------------------------------------------------------


def test_received_time_in_the_future_is_a_problem() -> None:
    now = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    assert received_time_problem(now + timedelta(hours=1), now) is not None


def test_received_time_within_clock_skew_or_past_is_fine() -> None:
    now = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    assert received_time_problem(now + timedelta(minutes=4), now) is None
    assert received_time_problem(now - timedelta(days=3), now) is None
    assert received_time_problem(now - timedelta(days=30), now, max_days_late=30) is None


def test_received_time_older_than_the_policy_allows_needs_a_reason() -> None:
    now = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
    problem = received_time_problem(datetime(2024, 11, 1, 10, 0, tzinfo=UTC), now,
                                    max_days_late=30)
    assert problem is not None and "more than 30 days ago" in problem
    assert received_time_problem(now - timedelta(days=31), now, max_days_late=30,
                                 late_reason="Found in a drawer") is None
    assert received_time_problem(now + timedelta(hours=1), now, max_days_late=30,
                                 late_reason="a reason does not make the future right")


def test_field_and_cross_field_problems_are_reported_together_in_one_round() -> None:
    data = {
        "complainant_name": "", "relationship": "other", "channel": "phone",
        "received_at": "2026-05-01T10:00:00+01:00", "facts": "x", "category": "product",
        "checklist": {"referred_to_procedure": True},
    }
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(data)
    assert set(caught.value.errors) == {
        "complainant_name", "email", "relationship_other",
        "checklist.feedback_form_sent", "checklist.told_next_steps",
    }
