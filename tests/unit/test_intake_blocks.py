"""Issue 10 item 15: the details modal shows long texts whole, across blocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from cases.intake import MAX_FACTS, parse_intake
from cases.services import MAX_RESPONSE, PersonalDetails
from handlers import blocks
from scheduling.calendar import UKWorkingCalendar
from tests.fakes import intake_data
from tests.slack.fake_slack import view_refusal


def _texts(view: dict[str, object]) -> str:
    return " ".join(b["text"]["text"] for b in view["blocks"]  # type: ignore[attr-defined]
                   if b.get("type") == "section")  # type: ignore[union-attr]


def test_a_3000_character_response_and_facts_are_shown_whole() -> None:
    response = ("I was not there that day; the rota shows it. " * 80)[:MAX_RESPONSE]
    facts = ("Tracker & charger failed <again>. " * 100)[:MAX_FACTS]
    intake = parse_intake(intake_data(facts=facts, subject_user_id="U0SUBJ001",
                                      late_reason="Found in the post room."))
    view = blocks.details_modal(PersonalDetails(
        "TT-2026-0001", intake, person_response=response,
        person_responded_at=datetime(2026, 5, 6, 10, tzinfo=UTC)), UKWorkingCalendar())
    assert view_refusal(view) is None  # within Slack's limits: 3,000 per section
    shown = _texts(view).replace("\n", " ")
    assert len(response) == 3000
    for word in response.split() + ["charger", "&amp;", "&lt;again&gt;"]:
        assert word in shown
    assert shown.count("I was not there that day") == response.count("I was not there that day")
    assert shown.count("Tracker &amp; charger") == facts.count("Tracker & charger")
    assert "…" not in shown
    assert "Logged late because" in shown and "Found in the post room." in shown
    assert "+44 1482 123456" in json.dumps(view)  # grouped, not +441482123456
