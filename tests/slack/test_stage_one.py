"""Stage One end to end: signed Slack requests in, the fake Slack Web API out."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from cases.model import State
from handlers.ids import ActionId, CallbackId
from tests.slack.harness import (
    CS_AGENT,
    CS_AGENT_2,
    CS_CHANNEL,
    GOOD_INTAKE,
    INVESTIGATOR,
    SECRET,
    STAFF,
    SlackDriver,
    buttons,
    card_text,
)
from tests.slack.signing import (
    global_shortcut_body,
    message_shortcut_body,
    signed_headers,
    slash_command_body,
)

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]


def log_complaint(slack: SlackDriver, **changes: Any) -> dict[str, Any]:
    """`/complaint new`, fill the modal, submit; returns the HTTP answer to the submit."""
    opened = len(slack.fake.calls("views.open"))
    response = slack.command(CS_AGENT, "new")
    assert response.status == 200
    view = slack.opened_view(opened + 1)
    answers = {**GOOD_INTAKE, "received_at": slack.clock.now(), **changes}
    submitted = slack.submit(CS_AGENT, view, answers)
    assert submitted.status == 200
    return json.loads(submitted.body) if submitted.body else {}


def open_step(slack: SlackDriver, user: str, action: ActionId, case_id: int) -> dict[str, Any]:
    opened = len(slack.fake.calls("views.open"))
    assert slack.click(user, action.value, case_id).status == 200
    return slack.opened_view(opened + 1)


def tick_all(view: dict[str, Any], block_id: str) -> list[str]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return [o["value"] for o in block["element"]["options"]]


def test_whole_stage_one_path_from_slash_command_to_closed(slack: SlackDriver) -> None:
    assert log_complaint(slack) == {}
    case = slack.only_case()
    assert case.reference == "TT-2026-0001"
    slack.deliver()

    card = slack.card(case)
    shown = card_text(card)
    assert case.reference in shown and "Acknowledgement" in shown
    for secret in ("Ada Example", "ada@example.com", "123456", "High Street", "stopped reporting"):
        assert secret not in shown, f"personal data {secret!r} on the channel card"
    assert ActionId.ACKNOWLEDGE.value in buttons(card)
    assert any(case.reference in text for text in slack.dms(CS_AGENT)), "logger's DM"
    assert any("8 May" in text for text in slack.dms(CS_AGENT)), "DM quotes the ack date"

    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case.id)
    assert view["callback_id"] == CallbackId.ACKNOWLEDGE.value
    assert slack.submit(CS_AGENT, view, {"procedure_attached": tick_all(
        view, "procedure_attached")}).status == 200
    view = open_step(slack, CS_AGENT, ActionId.ASSIGN_INVESTIGATOR, case.id)
    slack.submit(CS_AGENT, view, {"investigator": INVESTIGATOR})
    slack.deliver()
    assert any(case.reference in text for text in slack.dms(INVESTIGATOR))

    slack.clock.advance(timedelta(days=9))
    view = open_step(slack, INVESTIGATOR, ActionId.CONCLUDE_INVESTIGATION, case.id)
    slack.submit(INVESTIGATOR, view, {"findings": "Firmware fault confirmed."})
    view = open_step(slack, CS_AGENT, ActionId.SEND_REPLY, case.id)
    slack.submit(CS_AGENT, view, {"outcome": "partly_upheld",
                                  "suggestions": "Replacement unit and a month free."})
    slack.deliver()
    assert slack.desk.get_case(case.id).state is State.REPLIED
    assert len(slack.fake.calls("chat.postMessage")) >= 1

    slack.clock.advance(timedelta(days=60))
    assert slack.desk.close_expired_review_windows() == [case.reference]
    slack.deliver()
    card = slack.card(case)
    assert "Closed" in card_text(card)
    # Only a director may still accept a late review, with a reason; nothing else applies.
    assert buttons(card) == [ActionId.REQUEST_REVIEW.value, ActionId.VIEW_DETAILS.value]
    thread = slack.thread(case)
    assert len(thread) == 6, thread  # logged, acknowledged, assigned, concluded, replied, closed
    history = [e.action for e in slack.desk.history(case.id)]
    assert history == ["logged", "acknowledge", "assign_investigator", "conclude_investigation",
                       "send_reply", "close_review_window"]


def test_intake_errors_show_inline_against_their_fields_and_nothing_is_stored(
        slack: SlackDriver) -> None:
    answer = log_complaint(slack, email="not-an-email", phone="12", checklist=[])
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) >= {"email", "phone"}
    assert slack.desk.list_cases(viewer=slack.person(CS_AGENT), which="open") == []
    answer = log_complaint(slack, checklist=["referred_to_procedure"])
    assert answer["response_action"] == "errors"
    assert "feedback form" in answer["errors"]["checklist"]


def test_staff_grievance_is_refused_with_the_grievance_policy(slack: SlackDriver) -> None:
    answer = log_complaint(slack, staff_grievance="yes")
    assert answer["response_action"] == "errors"
    assert "Grievance Policy" in answer["errors"]["staff_grievance"]
    assert slack.desk.list_cases(viewer=slack.person(CS_AGENT), which="open") == []


def test_double_submit_and_slack_retry_create_one_case(slack: SlackDriver) -> None:
    slack.command(CS_AGENT, "new")
    view = slack.opened_view()
    answers = {**GOOD_INTAKE, "received_at": slack.clock.now()}
    first = slack.submit(CS_AGENT, view, answers, view_id="V0SAME001")
    again = slack.submit(CS_AGENT, view, answers, view_id="V0SAME001")
    assert first.status == again.status == 200
    slack.deliver()
    assert len(slack.desk.list_cases(viewer=slack.person(CS_AGENT), which="open")) == 1
    assert len(slack.fake.messages(CS_CHANNEL)) == 1 + 1  # the card and its thread line


def test_stale_button_says_who_did_it_and_when(slack: SlackDriver) -> None:
    log_complaint(slack)
    case = slack.only_case()
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case.id)
    slack.submit(CS_AGENT, view, {"procedure_attached": tick_all(view, "procedure_attached")})
    before = len(slack.fake.calls("views.open"))
    assert slack.click(CS_AGENT_2, ActionId.ACKNOWLEDGE.value, case.id).status == 200
    refusal = slack.fake.wait_for("chat.postEphemeral")[0].body
    assert refusal["user"] == CS_AGENT_2
    assert f"<@{CS_AGENT}>" in refusal["text"] and "10:00" in refusal["text"]
    assert len(slack.fake.calls("views.open")) == before, "no modal for a stale button"


def test_view_details_only_for_need_to_know_and_every_view_recorded(
        slack: SlackDriver) -> None:
    log_complaint(slack)
    case = slack.only_case()
    slack.click(STAFF, ActionId.VIEW_DETAILS.value, case.id)
    refusal = slack.fake.wait_for("chat.postEphemeral")[0].body
    assert refusal["user"] == STAFF and "need to know" in refusal["text"]
    assert "ada@example.com" not in json.dumps([c.body for c in slack.fake.calls()])

    view = open_step(slack, CS_AGENT, ActionId.VIEW_DETAILS, case.id)
    assert "ada@example.com" in json.dumps(view)
    actions = [(e.action, slack.slack_of(e.actor)) for e in slack.desk.history(case.id)]
    assert ("details_refused", STAFF) in actions and ("details_viewed", CS_AGENT) in actions


def test_card_appears_once_slack_is_back_after_an_outage(slack: SlackDriver) -> None:
    slack.fake.go_down(methods=["chat.postMessage", "chat.update"])
    assert log_complaint(slack) == {}
    case = slack.only_case()
    assert slack.deliver() == 0
    assert slack.fake.messages(CS_CHANNEL) == []
    slack.fake.come_back()
    slack.clock.advance(timedelta(minutes=10))
    slack.deliver()
    cards = [m for m in slack.fake.messages(CS_CHANNEL) if m.thread_ts is None]
    assert len(cards) == 1 and case.reference in cards[0].text


def test_rate_limited_card_post_waits_for_retry_after(slack: SlackDriver) -> None:
    log_complaint(slack)
    slack.fake.rate_limit_next("chat.postMessage", retry_after=30)
    slack.deliver()
    assert slack.fake.messages(CS_CHANNEL) == []
    slack.clock.advance(timedelta(seconds=10))
    slack.deliver()
    assert slack.fake.messages(CS_CHANNEL) == [], "retried before Retry-After"
    slack.clock.advance(timedelta(seconds=25))
    slack.deliver()
    assert len([m for m in slack.fake.messages(CS_CHANNEL) if m.thread_ts is None]) == 1


def test_request_with_a_bad_or_stale_signature_gets_401(slack: SlackDriver) -> None:
    body = slash_command_body("new", user_id=CS_AGENT)
    forged = signed_headers(body, "not-the-secret")
    forged["Content-Type"] = "application/x-www-form-urlencoded"
    from slack_bolt.request import BoltRequest

    assert slack.runtime.app.dispatch(BoltRequest(body=body.decode(), headers=forged)).status \
        == 401
    stale = signed_headers(body, SECRET, timestamp=1_600_000_000)
    stale["Content-Type"] = "application/x-www-form-urlencoded"
    assert slack.runtime.app.dispatch(BoltRequest(body=body.decode(), headers=stale)).status \
        == 401
    assert slack.fake.calls("views.open") == []


def test_help_list_and_show_answer_privately(slack: SlackDriver) -> None:
    assert "/complaint new" in slack.command(CS_AGENT, "help").body
    log_complaint(slack)
    case = slack.only_case()
    assert case.reference in slack.command(CS_AGENT, "list open").body
    assert case.reference in slack.command(CS_AGENT, "list mine").body
    shown = slack.command(CS_AGENT, f"show {case.reference.lower()}").body
    assert case.reference in shown and "ada@example.com" not in shown
    assert "No case" in slack.command(STAFF, f"show {case.reference}").body
    assert "/complaint list overdue" in slack.command(CS_AGENT, "list everything").body


def test_message_shortcut_prefills_the_facts(slack: SlackDriver) -> None:
    slack.send(message_shortcut_body(CallbackId.SHORTCUT_LOG_MESSAGE.value,
                                     "Customer rang: tracker dead again", user_id=CS_AGENT))
    view = slack.opened_view()
    assert "Customer rang: tracker dead again" in json.dumps(view)


def test_manifest_and_registered_listeners_agree_both_ways(slack: SlackDriver) -> None:
    manifest = yaml.safe_load((ROOT / "app_manifest.yml").read_text(encoding="utf-8"))
    features = manifest["features"]
    shortcuts = {s["callback_id"] for s in features["shortcuts"]}
    assert shortcuts == {CallbackId.SHORTCUT_LOG_COMPLAINT.value,
                         CallbackId.SHORTCUT_LOG_MESSAGE.value}
    assert [c["command"] for c in features["slash_commands"]] == ["/complaint"]
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    # Every manifest entry reaches a listener that answers it (bolt 404s unknown ones).
    assert slack.send(global_shortcut_body(CallbackId.SHORTCUT_LOG_COMPLAINT.value,
                                           user_id=CS_AGENT)).status == 200
    assert slack.send(message_shortcut_body(CallbackId.SHORTCUT_LOG_MESSAGE.value, "x",
                                            user_id=CS_AGENT)).status == 200
    assert slack.command(CS_AGENT, "help").status == 200
    slack.fake.wait_for("views.open", 2)
    unknown = slack.send(global_shortcut_body("not_in_manifest", user_id=CS_AGENT))
    assert unknown.status == 404


def test_unexpected_failure_on_submit_keeps_the_form_open_and_says_it_was_not_saved(
        slack: SlackDriver, monkeypatch: pytest.MonkeyPatch) -> None:
    def database_gone(*args: Any, **kwargs: Any) -> Any:
        raise OSError("database unreachable")

    monkeypatch.setattr(slack.desk, "log_complaint", database_gone)
    answer = log_complaint(slack)
    assert answer["response_action"] == "errors"
    (message,) = answer["errors"].values()
    assert "not saved" in message and "ref " in message
    assert slack.desk.list_cases(viewer=slack.person(CS_AGENT), which="open") == []


def test_note_command_adds_to_the_history_and_the_thread(slack: SlackDriver) -> None:
    log_complaint(slack)
    case = slack.only_case()
    answer = slack.command(CS_AGENT, f"note {case.reference} Rang back, left a voicemail.").body
    assert f"Note added to {case.reference}" in answer
    note = [e for e in slack.desk.history(case.id) if e.action == "note"]
    assert [(slack.slack_of(e.actor), e.details["text"]) for e in note] == [
        (CS_AGENT, "Rang back, left a voicemail.")]
    assert "No case" in slack.command(STAFF, f"note {case.reference} nosy").body
    slack.deliver()
    assert len(slack.thread(case)) == 2  # logged, note


def test_open_case_button_shows_the_card_privately_without_recording_a_details_view(
        slack: SlackDriver) -> None:
    log_complaint(slack)
    case = slack.only_case()
    assert slack.click(CS_AGENT, ActionId.OPEN_CASE.value, case.id).status == 200
    shown = slack.fake.wait_for("chat.postEphemeral")[0].body
    assert shown["user"] == CS_AGENT and case.reference in shown["text"]
    assert "ada@example.com" not in json.dumps(shown)
    assert "details_viewed" not in [e.action for e in slack.desk.history(case.id)]
    slack.click(STAFF, ActionId.OPEN_CASE.value, case.id)
    refusal = slack.fake.wait_for("chat.postEphemeral", 2)[1].body
    assert refusal["user"] == STAFF and case.reference not in refusal["text"]


def test_app_home_shows_my_cases_and_what_is_due_with_a_log_button(slack: SlackDriver) -> None:
    from tests.slack.signing import JSON, app_home_opened_event, event_body

    log_complaint(slack)
    case = slack.only_case()
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case.id)
    slack.submit(CS_AGENT, view, {"procedure_attached": tick_all(view, "procedure_attached")})
    slack.clock.advance(timedelta(days=35))  # investigation now overdue
    assert slack.send(event_body(app_home_opened_event(CS_AGENT)),
                      content_type=JSON).status == 200
    published = slack.fake.wait_for("views.publish")[0].body
    assert published["user_id"] == CS_AGENT
    home = json.dumps(published["view"])
    assert case.reference in home and ActionId.LOG_COMPLAINT.value in home
    assert "overdue" in home.lower()
    assert "ada@example.com" not in home and "Ada Example" not in home

    slack.send(event_body(app_home_opened_event(STAFF)), content_type=JSON)
    staff_home = json.dumps(slack.fake.wait_for("views.publish", 2)[1].body["view"])
    assert case.reference not in staff_home and ActionId.LOG_COMPLAINT.value in staff_home
