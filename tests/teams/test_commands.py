"""What is sent to the bot on Teams (`list`, `show`, `find`, `note`, `report`, `help`), the
message extension's "Log a complaint", View details, refusals, alerts and digests, and how
Bot Connector errors reach the outbox. All through the real endpoint and the local fake."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.runtime import build_sweeper
from cases.model import DeadlineKind
from cases.roles import Role
from storage.models import OutboxRow
from teams.privately import ANSWERED_PRIVATELY
from tests.teams.card_schema import validate
from tests.teams.driver import CS_CHANNEL, GENERAL, TeamsDriver
from tests.teams.walk import (
    CASEY,
    DANA,
    IVAN,
    PERSONAL,
    button,
    card_now,
    chat,
    dialog_text,
    done,
    inputs,
    intake_answers,
    log_case,
    press,
    staff,
)

HR = "aad-harriet"
LONDON = ZoneInfo("Europe/London")


def said(teams: TeamsDriver, aad: str, text: str, *, personal: bool = True) -> dict[str, Any]:
    """Send ``text`` to the bot; its answer (the reply it sent in that conversation)."""
    before = len(teams.fake.of("reply"))
    status, _ = teams.say(aad, text, personal=personal)
    assert status in (200, 202)
    replies = teams.fake.of("reply")[before:]
    assert len(replies) == 1, replies
    return replies[0].body


def test_help_list_show_find_note_and_unknown_words(teams: TeamsDriver) -> None:
    people = staff(teams)
    case = log_case(teams)
    assert "`find TEXT`" in said(teams, CASEY, "help")["text"]
    assert "I don't know `frobnicate`" in said(teams, CASEY, "frobnicate")["text"]

    listed = said(teams, CASEY, "list")["text"]
    assert case.reference in listed and "Ada" not in listed
    assert case.reference in said(teams, CASEY, "list mine")["text"]
    assert "No overdue cases" in said(teams, CASEY, "list overdue")["text"]
    assert "Use `list mine`" in said(teams, CASEY, "list everything")["text"]
    # Someone with no part in the case and no role sees nothing of it.
    assert "No open cases that you can see" in said(teams, IVAN, "list")["text"]

    shown = said(teams, CASEY, f"show {case.reference}")
    card = shown["attachments"][0]["content"]
    validate(card)
    assert case.reference in json.dumps(card)
    for secret in PERSONAL:
        assert secret not in json.dumps(card)
    assert "show` needs more" in said(teams, CASEY, "show")["text"]

    found = said(teams, CASEY, "find lovelace")["text"]
    assert case.reference in found and "Ada Lovelace" in found
    in_channel = said(teams, CASEY, "find lovelace", personal=False)["text"]
    assert in_channel == ANSWERED_PRIVATELY  # the matches went to the personal chat
    assert "Ada Lovelace" in teams.fake.of("send")[-1].body["text"]
    assert teams.fake.of("send")[-1].conversation == chat(CASEY)
    assert "No cases that you can see" in said(teams, IVAN, "find lovelace")["text"]

    noted = said(teams, CASEY, f"note {case.reference} Rang the customer back.")["text"]
    assert f"Note added to {case.reference}" in noted
    assert case.id is not None
    [note] = [e for e in teams.desk.history(case.id) if e.action == "note"]
    assert note.actor == people[CASEY]
    teams.deliver()
    thread = [c.body.get("text", "") for c in teams.fake.of("reply")
              if c.conversation.startswith(f"{CS_CHANNEL};messageid=")]
    assert any("added a note" in t for t in thread)
    refused = said(teams, IVAN, f"note {case.reference} Sneaky.")["text"]
    assert "Note added" not in refused
    assert len([e for e in teams.desk.history(case.id) if e.action == "note"]) == 1


def test_report_is_for_the_hr_manager_and_directors_in_personal_chat(
        teams: TeamsDriver) -> None:
    staff(teams)
    teams.grant(HR, Role.HR_MANAGER, "Harriet HR")
    log_case(teams)
    report = said(teams, HR, "report 2026-06-01 2026-06-30")["text"]
    assert "received Mon 01 Jun 2026 to Tue 30 Jun 2026" in report
    assert "Complaints received: 1 (still open 1" in report
    assert "Ada" not in report
    assert said(teams, DANA, "report", personal=False)["text"] == ANSWERED_PRIVATELY
    assert "Complaints trends and effectiveness" in teams.fake.of("send")[-1].body["text"]
    assert teams.fake.of("send")[-1].conversation == chat(DANA)
    refused = said(teams, CASEY, "report")["text"]
    assert "The trends report is for the HR manager" in refused and "Complaints" not in refused
    bad = said(teams, HR, "report yesterday")["text"]
    assert "YYYY-MM-DD" in bad


def test_log_a_complaint_from_the_message_menu_prefills_the_facts(teams: TeamsDriver) -> None:
    people = staff(teams)
    activity = teams.activity("extension_fetch", CASEY)
    status, dialog = teams.post(activity)
    assert status == 200 and dialog["task"]["type"] == "continue"
    validate(dialog["task"]["value"]["card"]["content"])
    facts = inputs(dialog)["facts"]["value"]
    assert facts == "Customer rang: the tracker & its app stopped syncing  again ."
    submit = teams.activity("extension_submit", CASEY)
    data = dict(dialog["task"]["value"]["card"]["content"]["actions"][0]["data"])
    submit["value"]["data"] = {**data, **intake_answers(facts=facts)}
    status, answer = teams.post(submit)
    assert status == 200 and "Logged TT-2026-0001" in answer["task"]["value"]
    [case] = teams.desk.list_cases(viewer=people[CASEY], which="open")
    assert case.intake.facts == facts and case.logged_by == people[CASEY]
    # The same submit again (Teams retries) logs nothing more: the dialog's key is used once.
    status, again = teams.post(submit)
    assert status == 200
    assert len(teams.desk.list_cases(viewer=people[CASEY], which="open")) == 1


def test_view_details_is_need_to_know_and_every_view_is_recorded(teams: TeamsDriver) -> None:
    people = staff(teams)
    case = log_case(teams)
    assert case.id is not None
    details = press(teams, CASEY, card_now(teams), "View details")
    text = dialog_text(details)
    assert "ada@example.com" in text and "1482 123456" in text and "Example Street" in text
    validate(details["task"]["value"]["card"]["content"])
    refused = press(teams, IVAN, card_now(teams), "View details")
    assert refused["task"]["type"] == "message" and "need to know" in refused["task"]["value"]
    assert "ada@" not in json.dumps(refused)
    seen = [(e.action, e.actor) for e in teams.desk.history(case.id)
            if e.action.startswith("details_")]
    assert seen == [("details_viewed", people[CASEY]), ("details_refused", people[IVAN])]


def test_a_refused_step_says_why_and_who_changed_the_case_last_and_when(
        teams: TeamsDriver) -> None:
    people = staff(teams)
    log_case(teams)
    stale = card_now(teams)
    first = press(teams, CASEY, stale, "Acknowledge")
    teams.clock.advance(timedelta(minutes=7))
    done(teams.submit(CASEY, first, {"owner": people[CASEY]}))
    teams.deliver()
    # Dana opens Acknowledge from the card as it was: refused, privately, with who and when.
    answer = press(teams, DANA, stale, "Acknowledge")
    assert answer["task"]["type"] == "message"
    assert "Last change by Casey Cross at 11:07 on Wed 10 Jun" in answer["task"]["value"]
    # A stale refresh of the card answers with the card as it is now, not an error.
    now = teams.execute(DANA, "refresh", stale["refresh"]["action"]["data"])
    assert "Acknowledged" in json.dumps(now["value"])
    # Someone with no role cannot open a step at all; they are told why.
    nope = press(teams, IVAN, card_now(teams), "Assign investigator")
    assert nope["task"]["type"] == "message" and nope["task"]["value"]


def test_alerts_and_the_digest_go_to_the_team_channels(teams: TeamsDriver) -> None:
    staff(teams)
    case = log_case(teams)
    due = case.deadlines[DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT].due_at
    sweeper = build_sweeper(teams.runtime.container)
    after = due.astimezone(LONDON) + timedelta(days=1)  # the next morning, in office hours
    teams.clock.set(after.replace(hour=10, minute=0))
    report = sweeper.sweep(teams.clock.now())
    assert report.queued >= 1
    teams.deliver()
    alerts = [a["content"] for c in teams.fake.calls
              if c.conversation.split(";")[0] == CS_CHANNEL and c.kind in ("send", "reply")
              for a in c.body.get("attachments") or [] if "refresh" not in a["content"]]
    assert alerts, "an overdue alert in the customer-services channel (or its thread)"
    assert any("Overdue" in json.dumps(card) for card in alerts), alerts
    for card in alerts:
        validate(card)
        assert case.reference in json.dumps(card)
        assert button(card, "Open case")
        for secret in PERSONAL:
            assert secret not in json.dumps(card)
    teams.clock.advance(timedelta(days=1))
    before = len(teams.fake.calls)
    assert sweeper.digest(teams.clock.now())
    teams.deliver()
    digests = [a["content"] for c in teams.fake.calls[before:]
               if c.kind == "send" and c.conversation == CS_CHANNEL
               for a in c.body.get("attachments") or []]
    assert len(digests) == 1, "one morning digest in the customer-services channel"
    assert case.reference in json.dumps(digests[0])
    for secret in PERSONAL:
        assert secret not in json.dumps(digests[0])
    validate(digests[-1])
    assert GENERAL not in {c.conversation for c in teams.fake.of("send")}


def _rows(teams: TeamsDriver) -> list[Any]:
    with teams.runtime.container.engine.connect() as conn:
        return list(conn.execute(select(OutboxRow.surface, OutboxRow.delivered_at,
                                        OutboxRow.dead_at, OutboxRow.hard_failures,
                                        OutboxRow.last_error, OutboxRow.next_attempt_at)
                                 .order_by(OutboxRow.id)))


@pytest.mark.parametrize(("status", "headers", "hard", "error"), [
    (429, {"Retry_After": "7"}, 0, "rate limited by Teams for 7s"),
    (503, {}, 0, "Bot Connector error 503"),
    (502, {}, 0, "Bot Connector error 502"),
    (403, {}, 1, "Bot Connector refused: HTTP 403"),
    (400, {}, 1, "Bot Connector refused: HTTP 400"),
])
def test_bot_connector_errors_are_retried_later_or_counted_as_refusals(
        teams: TeamsDriver, status: int, headers: dict[str, str], hard: int,
        error: str) -> None:
    people = staff(teams)
    dialog = teams.fetch(CASEY, {"dialog": "intake"})
    assert "Logged" in teams.submit(CASEY, dialog, intake_answers())["task"]["value"]
    assert teams.desk.list_cases(viewer=people[CASEY], which="open")
    teams.fake.fail_next(status, **headers)
    teams.deliver()  # the first Bot Connector call (the case card) gets the failure
    failed = [r for r in _rows(teams) if r.last_error]
    assert len(failed) == 1, failed
    row = failed[0]
    assert row.delivered_at is None and row.dead_at is None
    assert row.hard_failures == hard and row.last_error == error
    if status == 429:  # retried when Teams said, not before
        retry_at = row.next_attempt_at.replace(tzinfo=teams.clock.now().tzinfo) \
            if row.next_attempt_at.tzinfo is None else row.next_attempt_at
        waited = (retry_at - teams.clock.now()).total_seconds()
        assert 6 <= waited <= 8 or row.next_attempt_at.tzinfo is None
    # Later the Bot Connector answers again: the row is delivered, the card posted once.
    teams.clock.advance(timedelta(minutes=10))
    teams.deliver()
    assert all(r.delivered_at is not None for r in _rows(teams))
    assert len([c for c in teams.fake.of("send") if c.conversation == CS_CHANNEL]) == 1
    assert chat(CASEY)
