"""A stored phone's key read off its digits is the key a parse gives, for every country."""

from __future__ import annotations

import phonenumbers
import pytest

from cases.intake import normalise_phone
from cases.report_facts import phone_contact_key
from cases.search import normalised_phone_key, phone_key, search_terms
from tests.fakes import intake_record

_TYPES = [t for name, t in vars(phonenumbers.PhoneNumberType).items()
          if name.isupper() and name not in ("UNKNOWN", "FIXED_LINE_OR_MOBILE")]


def _stored_examples() -> list[str]:
    """Every example number phonenumbers has, as the intake stores it."""
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in _TYPES:
            example = phonenumbers.example_number_for_type(region, kind)
            if example is None:
                continue
            typed = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
            written = phonenumbers.format_number(
                example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            try:
                found.append(normalise_phone(written if region != "GB" else typed))
            except ValueError:
                continue  # an example the library itself calls invalid
    return found


def test_every_countrys_stored_number_keys_as_its_parse_does() -> None:
    stored = _stored_examples()
    assert len(stored) > 1000 and any("." in s for s in stored)  # New Caledonia groups so
    assert [normalised_phone_key(s) for s in stored] == [phone_key(s) for s in stored]


@pytest.mark.parametrize("phone", ["01482 123456", "+44 1482 123456 ext. 12", "not a phone"])
def test_a_number_in_another_form_is_parsed_as_before(phone: str) -> None:
    try:
        expected: str | None = phone_key(phone)
    except ValueError:
        expected = None
    try:
        got: str | None = normalised_phone_key(phone)
    except ValueError:
        got = None
    assert got == expected


def test_a_case_is_keyed_and_found_by_its_phone_however_it_was_typed() -> None:
    record = intake_record(phone="01482 123456")
    assert record.phone == "+44 1482 123456"
    assert phone_contact_key(record.phone, normalised=True) == "phone:+441482123456"
    assert "+441482123456" in search_terms("TT-2026-0001", record)
