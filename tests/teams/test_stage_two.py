"""Stage Two on Teams, as tests/slack/test_stage_two.py walks it on Slack: escalate, the
directors' card, acknowledge the review, the named person told in personal chat and
responding (their invitation then loses its Respond button), delegate, progress update,
draft decision, changes requested, approval in the thread by another director (an
``Action.Execute`` on the decision card); the decision is final."""

from __future__ import annotations

import json
from datetime import date, timedelta

from cases.model import DeadlineKind, State
from tests.teams.driver import CS_CHANNEL, DIRECTORS_CHANNEL, TeamsDriver
from tests.teams.walk import (
    CASEY,
    DANA,
    DEV,
    PERSONAL,
    SAM,
    SENA,
    button,
    card_now,
    chat,
    decision_cards,
    dialog_text,
    dm_cards,
    done,
    inputs,
    posted,
    press,
    replied,
    staff,
    thread_texts,
    titles,
)


def test_whole_stage_two_path_with_delegation_response_and_approval_in_thread(
        teams: TeamsDriver) -> None:
    people = staff(teams)
    case = replied(teams, people)
    assert case.state is State.REPLIED and case.id is not None
    assert "Escalate to Stage Two" in titles(card_now(teams))

    # Customer services records the request for a review; the time is prefilled.
    teams.clock.advance(timedelta(days=1))
    dialog = press(teams, CASEY, card_now(teams), "Escalate to Stage Two")
    assert inputs(dialog)["requested_at.date"]["value"] == "2026-06-11"
    done(teams.submit(CASEY, dialog, {"how": "email to the MD"}))
    teams.deliver()
    case = teams.desk.get_case(case.id)
    assert case.state is State.REVIEW_REQUESTED and case.review_request_how == "email to the MD"
    assert titles(card_now(teams)) == ["View details", "Case file", "Refresh"]
    directors = card_now(teams, DIRECTORS_CHANNEL)
    shown = json.dumps(directors)
    assert case.reference in shown and "Stage Two" in shown
    for secret in PERSONAL:
        assert secret not in shown, f"personal data {secret!r} on the directors' card"

    # A director acknowledges; the reply date is prefilled to ten working days.
    dialog = press(teams, DANA, directors, "Acknowledge review")
    assert inputs(dialog)["reply_by"]["value"] == "2026-06-25"  # Thu 11 Jun + 10 working days
    done(teams.submit(DANA, dialog, {"reply_by": "2026-06-25"}))
    teams.deliver()
    case = teams.desk.get_case(case.id)
    assert case.state is State.UNDER_REVIEW and case.reviewer == people[DANA]

    # The named person is told in personal chat, with a Respond button and no contact data.
    [invitation] = [c for c in dm_cards(teams, SAM) if "concerns you" in json.dumps(c)]
    assert "Respond" in titles(invitation)
    for secret in PERSONAL:
        assert secret not in json.dumps(dm_cards(teams, SAM))

    # SENA cannot see the details before being delegated the review...
    refused = teams.fetch(SENA, button(directors, "View details")["data"])
    assert refused["task"]["type"] == "message" and "need to know" in refused["task"]["value"]
    # ...then is delegated it, is told in personal chat, and may View details.
    done(press(teams, DANA, card_now(teams, DIRECTORS_CHANNEL), "Delegate review",
               {"delegate": people[SENA]}))
    teams.deliver()
    [delegated] = [c for c in dm_cards(teams, SENA) if "delegated" in json.dumps(c)]
    details = press(teams, SENA, delegated, "View details", personal=True)
    assert "ada@example.com" in dialog_text(details)
    assert ("details_viewed", people[SENA]) in [(e.action, e.actor)
                                                 for e in teams.desk.history(case.id)]

    # The named person responds from their message: the dialog shows what the complaint
    # says and the Stage One outcome, never the complainant's contact details.
    dialog = press(teams, SAM, invitation, "Respond", personal=True)
    text = dialog_text(dialog)
    assert "stopped reporting its location" in text and "Partly upheld" in text
    assert "A replacement unit." in text
    for secret in ("Ada Lovelace", "ada@example.com", "01482", "Example Street"):
        assert secret not in text
    done(teams.submit(SAM, dialog, {"response": "I escalated the fault the day it came in."}))
    teams.deliver()
    case = teams.desk.get_case(case.id)
    assert case.person_response == "I escalated the fault the day it came in."
    assert case.deadlines[DeadlineKind.PERSON_RESPONSE].met_at == teams.clock.now()
    # Their invitation is redrawn in place, without its Respond button.
    [redrawn] = [c for c in teams.fake.of("update") if c.conversation == chat(SAM)]
    assert redrawn.activity_id == next(c.activity_id for c in teams.fake.of("send")
                                       if c.conversation == chat(SAM)
                                       and "concerns you" in json.dumps(c.body))
    assert "given your response" in json.dumps(redrawn.body)
    assert "Respond" not in titles(redrawn.body["attachments"][0]["content"])
    for reviewer in (DANA, SENA):
        assert any("given their response" in json.dumps(c) for c in dm_cards(teams, reviewer))
    # Pressing the old Respond button again is refused and changes nothing.
    again = press(teams, SAM, invitation, "Respond", personal=True)
    assert again["task"]["type"] == "message"

    # The delegate cannot meet the date: a progress update moves it, the original stays.
    original = case.deadlines[DeadlineKind.STAGE_TWO_REPLY].due_at
    teams.clock.advance(timedelta(days=5))
    done(press(teams, SENA, delegated, "Send progress update",
               {"reason": "Waiting for the supplier's lab report.",
                "new_reply_by": "2026-07-03"}, personal=True))
    teams.deliver()
    case = teams.desk.get_case(case.id)
    reply = case.deadlines[DeadlineKind.STAGE_TWO_REPLY]
    assert reply.original_due_at == original and case.review_reply_by == date(2026, 7, 3)
    shown = json.dumps(card_now(teams, DIRECTORS_CHANNEL))
    assert "Progress update" in shown and "First promised" in shown and "3 Jul" in shown
    assert any("progress update" in t for t in thread_texts(teams, DIRECTORS_CHANNEL))

    # The delegate drafts; the draft is a reply in the directors' card's thread.
    done(press(teams, SENA, delegated, "Draft decision",
               {"outcome": "upheld", "reasons": "The unit was faulty from the start.",
                "remedy": "Replacement and refund."}, personal=True))
    teams.deliver()
    [first] = decision_cards(teams)
    assert titles(first) == ["Approve decision", "Request changes"]
    assert "The unit was faulty from the start." in json.dumps(first)

    # A director who is not one asks: SENA's Approve is refused (no change).
    refusal = teams.execute(SENA, "approve", button(first, "Approve decision")["data"])
    assert refusal["type"] == "application/vnd.microsoft.activity.message"
    assert teams.desk.get_case(case.id).state is State.DECISION_PROPOSED

    # DANA asks for changes: the drafter gets the comment in personal chat.
    done(press(teams, DANA, first, "Request changes", {"comment": "Say what the refund covers."}))
    teams.deliver()
    case = teams.desk.get_case(case.id)
    assert case.state is State.UNDER_REVIEW
    assert any("Say what the refund covers." in json.dumps(c) for c in dm_cards(teams, SENA))
    sent_back = [c.body["attachments"][0]["content"] for c in teams.fake.of("update")
                 if c.conversation == DIRECTORS_CHANNEL and "Draft decision" in json.dumps(c.body)]
    assert sent_back and titles(sent_back[-1]) == [], "a draft sent back keeps no Approve"

    # The redraft starts from the last draft; DEV approves it in the thread.
    redraft_button = [c for c in dm_cards(teams, SENA) if "asked for changes" in json.dumps(c)]
    dialog = press(teams, SENA, redraft_button[-1], "Redraft decision", personal=True)
    assert inputs(dialog)["reasons"]["value"] == "The unit was faulty from the start."
    done(teams.submit(SENA, dialog, {"reasons": "The unit was faulty; the refund covers two "
                                                "months.", "remedy": "Replacement and refund."}))
    teams.deliver()
    second = decision_cards(teams)[-1]
    assert len(decision_cards(teams)) == 2 and "Say what the refund covers." in json.dumps(second)
    approved = teams.execute(DEV, "approve", button(second, "Approve decision")["data"])
    assert approved["type"] == "application/vnd.microsoft.card.adaptive"
    assert titles(approved["value"]) == [] and "Approved" in json.dumps(approved["value"])
    teams.deliver()

    case = teams.desk.get_case(case.id)
    assert case.state is State.FINAL and case.decision is not None
    assert case.decision.approved_by == people[DEV] and case.closed_at == teams.clock.now()
    for channel in (CS_CHANNEL, DIRECTORS_CHANNEL):
        card = card_now(teams, channel)
        assert "Final decision" in json.dumps(card) and "Upheld" in json.dumps(card)
        # Customer services is asked for the final letter until it goes (its own test).
        unsent = ["Send final letter"] if channel == CS_CHANNEL else []
        assert titles(card) == [*unsent, "View details", "Case file", "Refresh"], channel
    assert case.final_letter is not None and "This decision is final" in case.final_letter
    assert any("approved the final decision" in t for t in thread_texts(teams, DIRECTORS_CHANNEL))
    in_channels = json.dumps([c.body for c in teams.fake.calls
                              if c.conversation.split(";")[0] in (CS_CHANNEL, DIRECTORS_CHANNEL)])
    for secret in PERSONAL:
        assert secret not in in_channels, f"personal data {secret!r} in a channel"
    # The decision is final: approving again, or asking for changes, is refused.
    again = teams.execute(DANA, "approve", button(second, "Approve decision")["data"])
    assert again["type"] == "application/vnd.microsoft.activity.message"
    assert "has changed since it was shown to you" in again["value"]
    assert "Last change by Dev Director at" in again["value"]
    with teams.desk.reader() as uow:
        assert uow.cases.get(case.id).decision.approved_by == people[DEV]  # type: ignore[union-attr]

    history = [(e.action, e.actor) for e in teams.desk.history(case.id)
               if e.action not in ("details_viewed", "details_refused")][5:]
    assert history == [
        ("request_review", people[CASEY]), ("acknowledge_review", people[DANA]),
        ("delegate_review", people[DANA]), ("record_person_response", people[SAM]),
        ("send_progress_update", people[SENA]), ("propose_decision", people[SENA]),
        ("request_changes", people[DANA]), ("propose_decision", people[SENA]),
        ("approve_decision", people[DEV]),
    ]
    assert posted(teams, chat(SAM), "update")  # (the redrawn invitation, checked above)


def test_the_named_person_cannot_approve_see_details_or_refresh_the_card(
        teams: TeamsDriver) -> None:
    people = staff(teams)
    case = replied(teams, people)
    assert case.id is not None
    teams.clock.advance(timedelta(days=1))
    done(press(teams, CASEY, card_now(teams), "Escalate to Stage Two", {"how": "letter"}))
    teams.deliver()
    done(press(teams, DANA, card_now(teams, DIRECTORS_CHANNEL), "Acknowledge review", {}))
    teams.deliver()
    directors = card_now(teams, DIRECTORS_CHANNEL)
    details = teams.fetch(SAM, button(directors, "View details")["data"])
    assert details["task"]["type"] == "message" and "need to know" in details["task"]["value"]
    refreshed = teams.execute(SAM, "refresh", directors["refresh"]["action"]["data"])
    assert refreshed["type"] == "application/vnd.microsoft.activity.message"
    assert ("details_refused", people[SAM]) in [(e.action, e.actor)
                                                for e in teams.desk.history(case.id)]
    seen = json.dumps([c.body for c in teams.fake.calls if c.conversation == chat(SAM)])
    for secret in PERSONAL:
        assert secret not in seen
