"""The anonymisation rule: what is replaced, what stays for Phase Three."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cases.anonymise import (
    PLACEHOLDER,
    anonymised_details,
    anonymised_intake,
    months_before,
    personal_values,
    scrub,
)
from cases.intake import IntakeRecord
from cases.model import Case, HistoryEvent
from cases.policy import Policy, policy_from_mapping, policy_summary
from tests.fakes import intake_record


def test_the_intake_loses_the_complainant_and_keeps_what_trends_count() -> None:
    intake = intake_record(category="billing", channel="email", relationship="partner")
    out = anonymised_intake(intake)
    assert (out.complainant_name, out.email, out.phone, out.organisation) == (
        PLACEHOLDER, None, None, None)
    assert out.facts == PLACEHOLDER and out.remedy_sought == PLACEHOLDER
    assert (out.category.value, out.channel.value, out.relationship.value) == (
        "billing", "email", "partner")
    assert out.received_at == intake.received_at and out.checklist == intake.checklist


def test_a_correction_keeps_its_field_names_but_not_the_old_or_new_values() -> None:
    intake = intake_record()
    event = HistoryEvent(1, 1, datetime(2026, 6, 1, tzinfo=UTC), "P-0000000001",
                         "details_edited", None, None, {
                             "fields": ["phone", "category"],
                             "old": {"phone": "+44 7911 734589", "category": "product"},
                             "new": {"phone": "+44 1482 123456", "category": "billing"},
                             "reason": "Ada rang"})
    secrets = personal_values(_case(intake), [event])
    assert "+447911734589" in secrets and "ada lovelace" in secrets
    out = anonymised_details(event.details, secrets)
    assert out == {"fields": ["phone", "category"],
                   "old": {"phone": PLACEHOLDER, "category": "product"},
                   "new": {"phone": PLACEHOLDER, "category": "billing"},
                   "reason": PLACEHOLDER}
    assert scrub({"via": "case file", "to": "ada@example.com"}, secrets) == {
        "via": "case file", "to": PLACEHOLDER}


def _case(intake: IntakeRecord) -> Case:
    return Case(reference="TT-2026-0001", intake=intake,
                received_at=datetime(2026, 6, 1, tzinfo=UTC), effective_receipt=date(2026, 6, 1),
                logged_by="P-0000000001", logged_at=datetime(2026, 6, 1, tzinfo=UTC), id=1)


def test_months_before_clamps_to_the_end_of_a_shorter_month() -> None:
    assert months_before(datetime(2032, 8, 31, 3, tzinfo=UTC), 6) == datetime(
        2032, 2, 29, 3, tzinfo=UTC)
    assert months_before(datetime(2032, 9, 1, tzinfo=UTC), 72) == datetime(2026, 9, 1,
                                                                             tzinfo=UTC)


def test_retention_is_the_company_choice_six_years_by_default_and_overridable() -> None:
    assert Policy().retention.personal_data_months == 72
    assert policy_from_mapping({"retention": {"personal_data_months": 84}}
                               ).retention.personal_data_months == 84
    lines = policy_summary(Policy())
    assert "Retention [interpretation: this company's choice, not the procedure's]:" in lines
    assert "  retention.personal_data_months = 72" in lines
