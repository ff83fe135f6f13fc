"""Letter templates: every letter renders, escapes what HTML needs, and a company's
overrides are checked at start, naming the file and the unknown placeholder."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from cases.company import CompanyDetails
from cases.letters import (
    LETTER_FIELDS,
    LetterKind,
    sample_views,
    stage_one_acknowledgement,
    uk_date,
)
from cases.policy import policy_from_mapping
from letters.procedure import procedure_headings
from letters.templates import LetterTemplateError, LetterTemplates, text_template
from tests.letters.helpers import a_case

COMPANY = CompanyDetails()


def test_company_details_default_to_the_procedures_contact_section() -> None:
    company = policy_from_mapping({}).company
    assert company.email == "info@tinytracker.co.uk"
    assert company.phone == "0300 012 0001"
    assert company.feedback_form_url.endswith("/documents/feedbackform.pdf")


def test_the_policy_files_company_table_overrides_them() -> None:
    company = policy_from_mapping({"company": {"name": "Acme Ltd", "phone": "01482 1"}}).company
    assert (company.name, company.phone) == ("Acme Ltd", "01482 1")
    assert company.email == "info@tinytracker.co.uk"


def test_every_letter_renders_with_the_longest_values_and_escapes_only_in_html() -> None:
    templates = LetterTemplates()
    views = sample_views(COMPANY)
    assert {v.kind for v in views} == set(LetterKind)
    for view in views:
        letter = templates.render(view)
        assert "<in full>" in letter.text or view.kind is LetterKind.INTAKE_SCRIPT
        assert "Siân Llŷr-O'Brien & Zoë" in letter.text
        assert "<in full>" not in letter.html
        assert "Siân Llŷr-O&#39;Brien &amp; Zoë &lt; Måns&gt;" in letter.html
        assert view.reference in letter.text


def test_the_acknowledgement_names_the_owner_and_the_reply_date_in_uk_form() -> None:
    view = stage_one_acknowledgement(a_case(), COMPANY, date(2026, 12, 2),
                                     owner_name="Ada Lovelace", reply_by=date(2026, 12, 31))
    text = LetterTemplates().text(view)
    assert "Ada Lovelace is dealing with your complaint" in text
    assert "by 31 December 2026" in text
    assert COMPANY.feedback_form_url in text
    assert uk_date(date(2027, 1, 4)) == "4 January 2027"


def test_a_company_overrides_one_letter_from_its_folder(tmp_path: Path) -> None:
    (tmp_path / text_template(LetterKind.RESOLUTION)).write_text(
        "Hello {{ complainant_name }}, sorted: {{ resolution }}\n")
    templates = LetterTemplates(tmp_path)
    templates.check(COMPANY)
    view = next(v for v in sample_views(COMPANY) if v.kind is LetterKind.RESOLUTION)
    assert templates.text(view).startswith("Hello Siân")
    ack = next(v for v in sample_views(COMPANY) if v.kind is LetterKind.STAGE_ONE_REPLY)
    assert "ask for your complaint to be reviewed" in templates.text(ack)


def test_an_unknown_placeholder_fails_at_start_naming_the_file_and_the_name(
        tmp_path: Path) -> None:
    (tmp_path / text_template(LetterKind.FINAL_DECISION)).write_text(
        "Dear {{ complainant_name }}, {{ refund_amount }}\n")
    with pytest.raises(LetterTemplateError) as caught:
        LetterTemplates(tmp_path).check(COMPANY)
    assert str(tmp_path / "final_decision.txt.j2") in str(caught.value)
    assert "refund_amount" in str(caught.value)


def test_a_misnamed_override_fails_at_start(tmp_path: Path) -> None:
    (tmp_path / "final_decison.txt.j2").write_text("x")
    with pytest.raises(LetterTemplateError, match="final_decison.txt.j2"):
        LetterTemplates(tmp_path)


def test_a_builder_fills_exactly_its_kinds_fields() -> None:
    view = stage_one_acknowledgement(a_case(), COMPANY, date(2026, 12, 2),
                                     owner_name="Ada", reply_by=date(2026, 12, 31))
    assert set(view.fields) == set(LETTER_FIELDS[LetterKind.STAGE_ONE_ACKNOWLEDGEMENT])
    assert view.encloses_procedure


def test_the_shipped_procedure_has_its_sections() -> None:
    assert procedure_headings() == [
        "Customer Complaints Policy & Procedure", "Complaints Procedure",
        "What will Happen Next?", "Phase one", "Escalation Process - Phase Two",
        "Continuous Improvement – Phase Three", "How to Contact Us"]
