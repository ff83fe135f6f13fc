"""Intake end to end (issue 10): the dates follow the received time, late and future
receipts, international phone numbers, and long texts never cut."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from handlers.ids import ActionId, BlockId, CallbackId
from tests.slack.harness import CS_AGENT, GOOD_INTAKE, SlackDriver, fill
from tests.slack.signing import block_actions_body, message_shortcut_body

LONDON = ZoneInfo("Europe/London")
# Thu 30 Apr 2026 18:30: after the cut-off, so effective Fri 1 May; Mon 4 May is a bank
# holiday, so the acknowledgement falls on Thu 7 May (for "now", Tue 5 May: Fri 8 May).
EVENING = datetime(2026, 4, 30, 18, 30, tzinfo=LONDON)


def open_intake(slack: SlackDriver) -> dict[str, Any]:
    opened = len(slack.fake.calls("views.open"))
    assert slack.command(CS_AGENT, "new").status == 200
    call = slack.fake.wait_for("views.open", opened + 1)[opened]
    return dict(call.answer["view"])  # as Slack holds it: with its id and hash


def dates_text(view: dict[str, Any]) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == BlockId.INTAKE_DATES.value)
    return str(block["text"]["text"])


def change_received(slack: SlackDriver, view: dict[str, Any], answers: dict[str, Any],
                    *, view_hash: str | None = None) -> Any:
    """The user has typed ``answers`` and now picks a new received time in the open view."""
    sent = {**view, "state": {"values": fill(view, answers)}}
    if view_hash is not None:
        sent["hash"] = view_hash
    return slack.send(block_actions_body(
        BlockId.RECEIVED_AT.value, None, block_id=BlockId.RECEIVED_AT.value, user_id=CS_AGENT,
        view=sent, action_type="datetimepicker"))


def submit(slack: SlackDriver, view: dict[str, Any], **answers: Any) -> dict[str, Any]:
    response = slack.submit(CS_AGENT, view, answers, view_id=view["id"])
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


def test_the_dates_follow_the_received_time_and_the_dm_repeats_them(
        slack: SlackDriver) -> None:
    view = open_intake(slack)
    assert "Fri 8 May 2026" in dates_text(view)  # received now: Tue 5 May 10:00
    assert next(b for b in view["blocks"] if b.get("block_id") == "received_at")[
        "dispatch_action"] is True

    typed = {"complainant_name": "Ada Example", "facts": "It broke.", "received_at": EVENING,
             "checklist": ["feedback_form_sent"], "channel": "letter"}
    assert change_received(slack, view, typed).status == 200
    update = slack.fake.wait_for("views.update")[0]
    assert update.answer["ok"] is True and update.body["hash"] == view["hash"]
    shown = slack.fake.view(view["id"])
    assert "Thu 7 May 2026" in dates_text(shown)
    assert "Thu 30 Apr 2026 18:30" in dates_text(shown)
    # Everything typed so far is still there (views.update replaces the whole view).
    by_block = {b["block_id"]: b for b in shown["blocks"] if b["type"] == "input"}
    assert by_block["complainant_name"]["element"]["initial_value"] == "Ada Example"
    assert by_block["facts"]["element"]["initial_value"] == "It broke."
    assert by_block["channel"]["element"]["initial_option"]["value"] == "letter"
    assert [o["value"] for o in by_block["checklist"]["element"]["initial_options"]] == [
        "feedback_form_sent"]
    assert by_block["received_at"]["element"]["initial_date_time"] == int(EVENING.timestamp())

    assert submit(slack, shown, **{**GOOD_INTAKE, "complainant_name": "Ada Example"}) == {}
    case = slack.only_case()
    assert case.received_at == EVENING and case.intake.complainant_name == "Ada Example"
    slack.deliver()
    dm = next(c.body for c in slack.fake.calls("chat.postMessage")
              if c.body.get("channel") == CS_AGENT)
    words = dm["text"] + json.dumps(dm.get("blocks"))
    for quoted in ("Thu 7 May 2026", "Mon 1 Jun 2026", "Mon 8 Jun 2026"):
        assert quoted in dates_text(shown) and quoted in words, quoted
    assert "Fri 8 May 2026" not in words


def test_a_change_made_from_an_older_version_of_the_form_is_not_forced_on_it(
        slack: SlackDriver) -> None:
    view = open_intake(slack)
    assert change_received(slack, view, {"received_at": EVENING}).status == 200
    slack.fake.wait_for("views.update")
    # A second change sent from the view as it was before the first update.
    assert change_received(slack, view, {"received_at": EVENING},
                           view_hash=view["hash"]).status == 200
    slack.fake.wait_until(lambda: len(slack.fake.attempts("views.update")) == 2,
                          describe="the second views.update")
    first, second = slack.fake.attempts("views.update")
    assert first.answer["ok"] is True
    assert second.answer == {"ok": False, "error": "hash_conflict"}
    assert "Thu 7 May 2026" in dates_text(slack.fake.view(view["id"]))


def test_a_receipt_long_ago_is_refused_inline_unless_a_reason_is_given(
        slack: SlackDriver) -> None:
    view = open_intake(slack)
    long_ago = datetime(2024, 11, 1, 10, 0, tzinfo=LONDON)
    answer = submit(slack, view, **{**GOOD_INTAKE, "received_at": long_ago})
    assert answer["response_action"] == "errors"
    assert "more than 30 days ago" in answer["errors"]["received_at"]
    assert slack.desk.list_cases(viewer=CS_AGENT, which="open") == []

    reason = "The letter was found in the post room on 4 May."
    assert submit(slack, view, **{**GOOD_INTAKE, "received_at": long_ago,
                                  "late_reason": reason}) == {}
    case = slack.only_case()
    logged = slack.desk.history(case.id)[0]
    assert logged.action == "logged" and logged.details["late_reason"] == reason


def test_a_receipt_in_the_future_is_refused_even_with_a_reason(slack: SlackDriver) -> None:
    view = open_intake(slack)
    answer = submit(slack, view, **{**GOOD_INTAKE, "late_reason": "no",
                                    "received_at": datetime(2026, 5, 6, 10, tzinfo=LONDON)})
    assert "in the future" in answer["errors"]["received_at"]


def test_changing_to_a_late_receipt_warns_in_the_form_before_submitting(
        slack: SlackDriver) -> None:
    view = open_intake(slack)
    change_received(slack, view, {"received_at": datetime(2024, 11, 1, 10, tzinfo=LONDON)})
    slack.fake.wait_for("views.update")
    shown = json.dumps(slack.fake.view(view["id"]))
    assert "more than 30 days ago" in shown and "Wed 6 Nov 2024" in shown


def test_an_international_number_is_accepted_and_shown_grouped(slack: SlackDriver) -> None:
    view = open_intake(slack)
    assert submit(slack, view, **{**GOOD_INTAKE, "phone": "+33 1 23 45 67 89",
                                  "received_at": slack.clock.now()}) == {}
    case = slack.only_case()
    assert case.intake.phone == "+33 1 23 45 67 89"
    opened = len(slack.fake.calls("views.open"))
    slack.click(CS_AGENT, ActionId.VIEW_DETAILS.value, case.id)
    details = json.dumps(slack.fake.wait_for("views.open", opened + 1)[opened].body["view"])
    assert "+33 1 23 45 67 89" in details


def test_a_raw_e164_number_is_shown_grouped(slack: SlackDriver) -> None:
    view = open_intake(slack)
    assert submit(slack, view, **{**GOOD_INTAKE, "phone": "+447911123456",
                                  "received_at": slack.clock.now()}) == {}
    assert slack.only_case().intake.phone == "+44 7911 123456"


def test_a_message_too_long_for_the_facts_is_not_cut_and_the_form_says_so(
        slack: SlackDriver) -> None:
    message = ("The tracker failed again. " * 150)[:3600]
    slack.send(message_shortcut_body(CallbackId.SHORTCUT_LOG_MESSAGE.value, message,
                                     user_id=CS_AGENT))
    call = slack.fake.wait_for("views.open")[0]
    assert call.answer["ok"] is True
    view = dict(call.answer["view"])
    facts = next(b for b in view["blocks"] if b.get("block_id") == "facts")
    assert "initial_value" not in facts["element"]  # not 2,900 characters of it
    assert facts["hint"]["text"] == "Up to 3,000 characters."
    assert "3,600 characters" in json.dumps(view) and "nothing was cut" in json.dumps(view)
    # The notice stays when the received time changes.
    change_received(slack, view, {"received_at": EVENING})
    slack.fake.wait_for("views.update")
    assert "3,600 characters" in json.dumps(slack.fake.view(view["id"]))


def test_a_message_that_fits_is_kept_whole_with_the_dates_for_its_time(
        slack: SlackDriver) -> None:
    message = ("The tracker failed again. " * 150)[:3000]
    slack.send(message_shortcut_body(CallbackId.SHORTCUT_LOG_MESSAGE.value, message,
                                     user_id=CS_AGENT,
                                     message_ts=f"{EVENING.timestamp():.6f}"))
    call = slack.fake.wait_for("views.open")[0]
    assert call.answer["ok"] is True
    view = dict(call.answer["view"])
    facts = next(b for b in view["blocks"] if b.get("block_id") == "facts")
    assert facts["element"]["initial_value"] == message
    assert "Thu 7 May 2026" in dates_text(view)  # for the message's time, not now
    assert submit(slack, view, **{k: v for k, v in GOOD_INTAKE.items() if k != "facts"}) == {}
    case = slack.only_case()
    assert case.intake.facts == message and case.received_at == EVENING


def test_a_staff_conduct_complaint_names_the_person_or_says_it_names_no_one(
        slack: SlackDriver) -> None:
    view = open_intake(slack)
    refused = submit(slack, view, **{**GOOD_INTAKE, "category": "staff_conduct"})
    assert refused["response_action"] == "errors"
    assert "names the member of staff" in refused["errors"]["subject_user_id"]
    assert slack.fake.calls("chat.postMessage") == []
    assert slack.desk.list_cases(viewer=CS_AGENT, which="open") == []

    accepted = submit(slack, view, **{**GOOD_INTAKE, "category": "staff_conduct",
                                      "not_a_named_person": ["yes"]})
    assert accepted == {}
    case = slack.only_case()
    assert case.intake.category.value == "staff_conduct"
    assert case.intake.not_a_named_person is True and case.intake.subject_user_id is None


def test_the_blank_form_shows_the_time_it_is_opened_even_when_made_once_per_second(
        slack: SlackDriver) -> None:
    def received(view: dict[str, Any]) -> int:
        block = next(b for b in view["blocks"] if b.get("block_id") == "received_at")
        return int(block["element"]["initial_date_time"])

    first, again = open_intake(slack), open_intake(slack)
    assert received(first) == received(again) == int(slack.clock.now().timestamp())
    slack.clock.advance(timedelta(hours=8, seconds=1))  # Tue 5 May 18:00: after the cut-off
    later = open_intake(slack)
    assert received(later) == int(slack.clock.now().timestamp())
    assert "Fri 8 May 2026" in dates_text(first)
    assert "Mon 11 May 2026" in dates_text(later)
