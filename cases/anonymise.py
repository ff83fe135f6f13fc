"""Anonymising a case: what is replaced, and what stays for Phase Three.

Replaced: the complainant's name, address, email, phone, organisation, and every free
text that may identify them (the facts, the remedy sought, what each step recorded in
words, notes, attached correspondence, search queries, corrected values, letters).
Kept: the reference, every date, the state, outcome, category, channel, relationship,
the deadlines, and who on the staff did what (person ids), so the trends report still
counts the case.

Storage applies this rule to every place the case's data is kept; the rule itself is
pure: values in, values out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from cases.casefile import TEXT_FIELDS
from cases.intake import IntakeRecord
from cases.model import Case, Decision, HistoryEvent, ProgressUpdate
from cases.search import fold, phone_key

PLACEHOLDER = "[anonymised]"
ANONYMISED_PERSON = "Anonymised complainant"

# Intake fields that are the complainant's (a correction's old/new values use these keys).
PERSONAL_INTAKE = ("complainant_name", "postal_address", "organisation", "email", "phone",
                   "relationship_other", "facts", "remedy_sought", "late_reason")
# Free text on the case itself.
CASE_TEXTS = ("resolution", "findings", "suggestions", "review_request_how",
              "review_late_reason", "person_response", "final_letter", "withdrawn_reason")
# History details written in words (the case file's texts, and intake's late reason).
DETAIL_TEXTS = frozenset(TEXT_FIELDS) | {"late_reason"}
# A letter's fields that are dates or labels, not words about the complainant.
LETTER_FACTS = frozenset({"reply_by", "acknowledge_by", "investigate_by", "reply_days",
                          "outcome"})
# Shorter values are not hunted for elsewhere (they would match ordinary words).
MIN_SECRET = 4


def _blank(value: str | None) -> str | None:
    return PLACEHOLDER if value else None


def anonymised_intake(intake: IntakeRecord) -> IntakeRecord:
    """The intake with the complainant's details and words replaced; still a valid record."""
    data = intake.model_dump(mode="json")
    data.update(complainant_name=PLACEHOLDER, organisation=None, email=None, phone=None,
                # A record must keep one way of contact: the placeholder is that way.
                postal_address=PLACEHOLDER, facts=PLACEHOLDER,
                relationship_other=_blank(intake.relationship_other),
                remedy_sought=_blank(intake.remedy_sought),
                late_reason=_blank(intake.late_reason))
    return IntakeRecord.model_validate(data)


def anonymised_case(case: Case) -> Case:
    """A copy of ``case`` with personal data and free text replaced (dates, outcome stay)."""
    texts: dict[str, Any] = {name: _blank(getattr(case, name)) for name in CASE_TEXTS}
    decision = case.decision
    if decision is not None:
        decision = Decision(
            outcome=decision.outcome, reasons=PLACEHOLDER, remedy=PLACEHOLDER,
            drafted_by=decision.drafted_by, drafted_at=decision.drafted_at,
            approved_by=decision.approved_by, approved_at=decision.approved_at,
            change_requests=[{k: (PLACEHOLDER if k == "comment" else v) for k, v in c.items()}
                             for c in decision.change_requests])
    updates = [ProgressUpdate(at=u.at, by=u.by, reason=PLACEHOLDER, new_due_at=u.new_due_at)
               for u in case.progress_updates]
    return dataclasses.replace(case, intake=anonymised_intake(case.intake), decision=decision,
                               progress_updates=updates, new_events=[], **texts)


def _variants(key: str, value: str) -> set[str]:
    found = {value}
    if key == "phone":
        try:
            e164 = phone_key(value)
            found |= {e164, e164.lstrip("+"), "0" + e164[3:] if e164.startswith("+44") else e164}
        except ValueError:
            pass
        found.add(re.sub(r"\D", "", value))
    elif key == "postal_address":
        found |= {part.strip() for part in re.split(r"[\n,]", value)}
    elif key == "complainant_name":
        found |= set(value.split())
    return found


def personal_values(case: Case, history: Iterable[HistoryEvent]) -> frozenset[str]:
    """The complainant's details (now and before any correction), to hunt for elsewhere."""
    sources: list[Mapping[str, Any]] = [case.intake.model_dump(mode="json")]
    for event in history:
        for side in ("old", "new"):
            value = event.details.get(side)
            if isinstance(value, dict):
                sources.append(value)
    found: set[str] = set()
    for source in sources:
        for key in ("complainant_name", "postal_address", "organisation", "email", "phone"):
            value = source.get(key)
            if isinstance(value, str) and value.strip():
                found |= _variants(key, value.strip())
    return frozenset(fold(v) for v in found if len(v.strip()) >= MIN_SECRET)


def scrub(value: Any, secrets: frozenset[str]) -> Any:
    """``value`` with every string that contains one of ``secrets`` replaced (any depth)."""
    if isinstance(value, str):
        folded = fold(value)
        return PLACEHOLDER if any(s in folded for s in secrets) else value
    if isinstance(value, dict):
        return {k: scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, secrets) for v in value]
    return value


def _words_out(value: Any) -> Any:
    """Every string in ``value`` replaced, the shape kept (a list of files stays a list)."""
    if isinstance(value, str):
        return PLACEHOLDER if value else value
    if isinstance(value, dict):
        return {k: _words_out(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_words_out(v) for v in value]
    return value


def anonymised_details(details: Mapping[str, Any], secrets: frozenset[str]) -> dict[str, Any]:
    """A history event's details: words replaced, corrected personal values replaced,
    facts (dates, outcomes, channels, field names, person ids) kept unless they hold a secret."""
    out: dict[str, Any] = {}
    for key, value in details.items():
        if key in ("old", "new") and isinstance(value, dict):
            out[key] = {k: (PLACEHOLDER if k in PERSONAL_INTAKE and v else scrub(v, secrets))
                        for k, v in value.items()}
        elif key in DETAIL_TEXTS:
            out[key] = _words_out(value)
        else:
            out[key] = scrub(value, secrets)
    return out


def anonymised_letter_view(view: Mapping[str, Any], secrets: frozenset[str]) -> dict[str, Any]:
    """A stored letter view without the complainant: kind, reference, date and dates kept."""
    fields = view.get("fields") or {}
    return {**scrub(dict(view), secrets), "complainant_name": PLACEHOLDER,
            "organisation": None, "address_lines": [], "email": None,
            "fields": {k: (scrub(v, secrets) if k in LETTER_FACTS else PLACEHOLDER)
                       for k, v in fields.items()}}


def months_before(at: datetime, months: int) -> datetime:
    """The same instant ``months`` calendar months earlier (the day clamped to the month)."""
    month_index = at.year * 12 + at.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    next_first = date(year + (month == 12), month % 12 + 1, 1)
    last_day = (next_first - date(year, month, 1)).days
    return at.replace(year=year, month=month, day=min(at.day, last_day))
