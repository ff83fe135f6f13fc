"""Send final letter and Resend on Teams, end to end through the real endpoint: the approved
decision's letter from the owner's personal chat (and the customer-services card while it
is unsent) reaches a local SMTP server (aiosmtpd); a letter the server refused is resent
from the owner's message and from the communications log in View details."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from cases.communications import LetterState
from cases.letters import DeliveryMethod, LetterKind
from cases.messages import UNSENT_FINAL_LETTER
from cases.model import State
from cases.step_letters import LETTER_METHOD, LETTER_TEXT
from tests.letters.smtp_server import Mailbox, text_of
from tests.teams.card_schema import validate
from tests.teams.driver import DIRECTORS_CHANNEL, TeamsDriver
from tests.teams.test_letters import methods, preview
from tests.teams.walk import (
    CASEY,
    DANA,
    DEV,
    button,
    card_now,
    decision_cards,
    dialog_text,
    dm_cards,
    done,
    log_case,
    press,
    replied,
    staff,
    titles,
)


def approved(teams: TeamsDriver, people: dict[str, str]) -> int:
    """A case answered at Stage One, reviewed by DANA and its decision approved by DEV."""
    case = replied(teams, people, about=None)
    teams.clock.advance(timedelta(days=1))
    done(press(teams, CASEY, card_now(teams), "Escalate to Stage Two", {"how": "letter"}))
    teams.deliver()
    done(press(teams, DANA, card_now(teams, DIRECTORS_CHANNEL), "Acknowledge review",
               {LETTER_METHOD: "phone"}))
    teams.deliver()
    done(press(teams, DANA, card_now(teams, DIRECTORS_CHANNEL),
               "Draft decision (reviewer or delegate)",
               {"outcome": "upheld", "reasons": "The unit was faulty from the start.",
                "remedy": "Replacement and refund."}))
    teams.deliver()
    answer = teams.execute(DEV, "approve",
                           button(decision_cards(teams)[-1], "Approve decision")["data"])
    assert answer["type"] == "application/vnd.microsoft.card.adaptive", answer
    teams.deliver()
    assert case.id is not None and teams.desk.get_case(case.id).state is State.FINAL
    return case.id


def final_prompt(teams: TeamsDriver) -> dict[str, Any]:
    [prompt] = [c for c in dm_cards(teams, CASEY)
                if "Send the complainant the final decision letter" in json.dumps(c)]
    return prompt


def test_the_final_letter_goes_from_the_owners_message_and_the_card_stops_asking(
        mailing: tuple[TeamsDriver, Mailbox]) -> None:
    teams, mailbox = mailing
    people = staff(teams)
    case_id = approved(teams, people)
    card = card_now(teams)
    assert UNSENT_FINAL_LETTER in json.dumps(card, ensure_ascii=False)
    assert "Send final letter" in titles(card)
    validate(card)
    assert "Send final letter" not in titles(card_now(teams, DIRECTORS_CHANNEL))
    prompt = final_prompt(teams)
    assert titles(prompt) == ["Send final letter", "View details"]

    dialog = press(teams, CASEY, prompt, "Send final letter", personal=True)
    assert dialog["task"]["type"] == "continue", dialog
    assert methods(dialog) == ["email", "post", "phone"]
    assert "This decision is final" in preview(dialog)
    validate(dialog["task"]["value"]["card"]["content"])
    received = len(mailbox.received)
    # An empty letter brings the dialog back with the error there; nothing is recorded.
    again = teams.submit(CASEY, dialog, {LETTER_TEXT: " "})
    assert again["task"]["type"] == "continue"
    assert "write the letter, or choose phone" in dialog_text(again)
    assert teams.desk.get_case(case_id).final_letter_unsent

    answer = teams.submit(CASEY, dialog, {LETTER_TEXT: preview(dialog) + "\nP.S. Sorry."})
    assert answer["task"]["type"] == "message" and "recorded" in answer["task"]["value"]
    teams.deliver()
    [final] = mailbox.received[received:]
    body = text_of(final)
    assert final["To"] == "ada@example.com"
    assert "Replacement and refund." in body and "P.S. Sorry." in body
    entries = teams.desk.letters_of(case_id, actor=people[CASEY])
    assert (entries[-1].kind, entries[-1].method, entries[-1].state) == (
        LetterKind.FINAL_DECISION, DeliveryMethod.EMAIL, LetterState.SENT)

    # "Not sent" goes from the customer-services card, and so does its button.
    card = card_now(teams)
    assert UNSENT_FINAL_LETTER not in json.dumps(card, ensure_ascii=False)
    assert titles(card) == ["View details", "Case file", "Refresh"]
    refused = press(teams, CASEY, prompt, "Send final letter", personal=True)
    assert refused["task"]["type"] == "message" and "has been sent" in refused["task"]["value"]
    assert len(teams.desk.letters_of(case_id, actor=people[CASEY])) == len(entries)


def test_the_cards_button_opens_the_letter_for_post_and_phone_too(
        teams: TeamsDriver) -> None:
    people = staff(teams)
    case_id = approved(teams, people)
    dialog = press(teams, CASEY, card_now(teams), "Send final letter")
    assert methods(dialog) == ["post", "phone"]  # no mail server on this desk
    for bad in ("email", "pigeon"):
        again = teams.submit(CASEY, dialog, {LETTER_METHOD: bad})
        assert "choose how the letter goes" in dialog_text(again)
    answer = teams.submit(CASEY, dialog, {LETTER_METHOD: "phone",
                                          LETTER_TEXT: "Told her the decision by phone."})
    assert answer["task"]["type"] == "message", answer
    teams.deliver()
    last = teams.desk.letters_of(case_id, actor=people[CASEY])[-1]
    assert (last.kind, last.method, last.state) == (
        LetterKind.FINAL_DECISION, DeliveryMethod.PHONE, LetterState.TOLD)
    assert "Send final letter" not in titles(card_now(teams))


def resend_buttons(dialog: dict[str, Any]) -> list[dict[str, Any]]:
    body = dialog["task"]["value"]["card"]["content"]["body"]
    return [a for b in body if b.get("type") == "ActionSet" for a in b["actions"]
            if a["title"] == "Resend"]


def test_a_refused_letter_is_resent_from_the_owners_message_and_from_the_log(
        mailing: tuple[TeamsDriver, Mailbox]) -> None:
    teams, mailbox = mailing
    people = staff(teams)
    mailbox.answer = "550 5.1.1 No such mailbox"
    logged = log_case(teams)
    assert logged.id is not None
    done(press(teams, CASEY, card_now(teams), "Acknowledge", {"owner": people[CASEY]}))
    for _ in range(12):
        teams.deliver()
        teams.clock.advance(timedelta(minutes=1))
    teams.deliver()
    [told] = [c for c in dm_cards(teams, CASEY) if "mail server refused" in json.dumps(c)]
    assert "550" in json.dumps(told) and "ada@example.com" not in json.dumps(told)
    assert titles(told) == ["Resend"]
    validate(told)

    mailbox.answer = None
    answer = press(teams, CASEY, told, "Resend", personal=True)
    assert answer["task"]["type"] == "message" and "Sent again" in answer["task"]["value"]
    teams.deliver()
    assert len(mailbox.received) == 1
    states = [e.state for e in teams.desk.letters_of(logged.id, actor=people[CASEY])]
    assert states == [LetterState.FAILED, LetterState.SENT]

    # View details ends with the communications log, each letter with its state; a sent
    # one may be resent from there (it may have been lost), as on Slack.
    details = press(teams, CASEY, card_now(teams), "View details")
    shown = dialog_text(details)
    assert "Letters to the complainant" in shown and "Failed" in shown and "a resend" in shown
    validate(details["task"]["value"]["card"]["content"])
    buttons = resend_buttons(details)
    assert buttons and all("task/fetch" not in json.dumps(b) for b in buttons)
    activity = teams.activity("task_submit", CASEY)
    activity["value"]["data"] = buttons[0]["data"]
    status, again = teams.post(activity)
    assert status == 200 and "Sent again" in again["task"]["value"], again
    teams.deliver()
    assert len(mailbox.received) == 2
    assert len(teams.desk.letters_of(logged.id, actor=people[CASEY])) == 3
