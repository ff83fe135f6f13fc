"""Letters from the Teams step dialogs, end to end: the same choice as the Slack modals
(from the core's ``cases.step_letters``), recorded with the step; an emailed letter reaches
a real local SMTP server (aiosmtpd), a posted one comes back as PDFs to save (file-consent
cards, ``test_file_consent.py``) in the sender's personal chat."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from cases.communications import LetterState
from cases.letters import MARKERS, DeliveryMethod, LetterKind
from cases.model import State
from cases.step_letters import LETTER_METHOD, LETTER_TEXT
from letters.pdf import PROCEDURE_PDF
from teams.file_consent import CONSENT
from tests.letters.helpers import pdf_text
from tests.letters.smtp_server import Mailbox, text_of
from tests.teams.conftest import MAIL_FROM
from tests.teams.driver import TeamsDriver
from tests.teams.walk import (
    CASEY,
    IVAN,
    card_now,
    chat,
    dialog_text,
    dm_cards,
    done,
    inputs,
    log_case,
    press,
    staff,
)


def methods(dialog: dict[str, Any]) -> list[str]:
    return [c["value"] for c in inputs(dialog)[LETTER_METHOD]["choices"]]


def preview(dialog: dict[str, Any]) -> str:
    return str(inputs(dialog)[LETTER_TEXT]["value"])


def pdfs(teams: TeamsDriver, aad: str) -> dict[str, bytes]:
    """The PDF files the bot offered in ``aad``'s personal chat, by name, as saved when
    ``aad`` allows each consent card (the bytes the bot uploads)."""
    found = {}
    for attachment in teams.fake.attachments(chat(aad)):
        if attachment.get("contentType") == CONSENT:
            status, _ = teams.consent(aad, attachment)
            assert status == 200
            found[attachment["name"]] = teams.fake.uploads[-1].data
    return found


def test_the_acknowledgement_dialog_offers_the_letter_and_a_posted_one_comes_back_as_pdfs(
        teams: TeamsDriver) -> None:
    people = staff(teams)
    case = log_case(teams)
    dialog = press(teams, CASEY, card_now(teams), "Acknowledge")
    # No mail server on this desk: post or phone, and the dialog says why not email.
    assert methods(dialog) == ["post", "phone"]
    assert inputs(dialog)[LETTER_METHOD]["value"] == "post"
    assert "COMPLAINTS_SMTP_URL" in dialog_text(dialog)
    words = preview(dialog)
    assert "Dear Ada Lovelace" in words and case.reference in words
    assert "Casey Cross" in words  # who is dealing with it, by the name the desk knows

    done(teams.submit(CASEY, dialog, {"owner": people[CASEY],
                                      LETTER_TEXT: words + "\nWith our apologies."}))
    [entry] = teams.desk.letters_of(case.id or 0, actor=people[CASEY])
    assert (entry.kind, entry.method, entry.state) == (
        LetterKind.STAGE_ONE_ACKNOWLEDGEMENT, DeliveryMethod.POST, LetterState.TO_POST)
    assert teams.desk.get_case(case.id or 0).state is State.ACKNOWLEDGED
    assert pdfs(teams, CASEY) == {}  # rendered after the dialog's answer, by the outbox

    teams.deliver()
    files = pdfs(teams, CASEY)
    assert set(files) == {PROCEDURE_PDF, *(n for n in files if n != PROCEDURE_PDF)}
    [letter] = [data for name, data in files.items() if name != PROCEDURE_PDF]
    assert len(files) == 2
    text = pdf_text(letter)
    assert "Ada Lovelace" in text and "With our apologies." in text
    said = [c.body.get("text", "") for c in teams.fake.of("send")
            if c.conversation == chat(CASEY) and c.body.get("attachments")]
    assert any("to print and post" in t and "procedure enclosed" in t for t in said), said
    # The letter and its address went to the sender alone, never to a channel.
    in_channels = json.dumps([c.body for c in teams.fake.calls
                              if c.conversation.startswith("19:")])
    assert CONSENT not in in_channels and "Example Street" not in in_channels


def test_an_emailed_reply_reaches_the_mail_server_with_the_answers_in_it(
        mailing: tuple[TeamsDriver, Mailbox]) -> None:
    teams, mailbox = mailing
    people = staff(teams)
    case = log_case(teams)
    acknowledge = press(teams, CASEY, card_now(teams), "Acknowledge")
    assert methods(acknowledge) == ["email", "post", "phone"]
    done(teams.submit(CASEY, acknowledge, {"owner": people[CASEY]}))  # email: the default
    teams.deliver()
    done(press(teams, CASEY, card_now(teams), "Assign investigator",
               {"investigator": people[IVAN]}))
    teams.deliver()
    done(press(teams, IVAN, dm_cards(teams, IVAN)[-1], "Investigation concluded",
               {"findings": "Firmware fault confirmed."}, personal=True))
    teams.deliver()

    reply = press(teams, CASEY, card_now(teams), "Send reply")
    assert MARKERS["suggestions"] in preview(reply)
    done(teams.submit(CASEY, reply, {"outcome": "partly_upheld",
                                     "suggestions": "A replacement unit, sent today."}))
    teams.deliver()

    subjects = [m["Subject"] for m in mailbox.received]
    assert any("Acknowledgement of your complaint" in s for s in subjects), subjects
    [sent] = [m for m in mailbox.received if "Our reply" in str(m["Subject"])]
    assert sent["To"] == "ada@example.com" and MAIL_FROM in str(sent["From"])
    body = text_of(sent)
    assert "A replacement unit, sent today." in body and "Partly upheld" in body
    assert MARKERS["suggestions"] not in body
    kinds = [(e.kind, e.method, e.state) for e in
             teams.desk.letters_of(case.id or 0, actor=people[CASEY])]
    assert (LetterKind.STAGE_ONE_REPLY, DeliveryMethod.EMAIL, LetterState.SENT) in kinds
    assert teams.runtime.outbox.dead() == []


def test_an_empty_letter_brings_the_dialog_back_and_nothing_is_recorded(
        teams: TeamsDriver) -> None:
    people = staff(teams)
    case = log_case(teams)
    dialog = press(teams, CASEY, card_now(teams), "Acknowledge")
    again = teams.submit(CASEY, dialog, {"owner": people[CASEY], LETTER_TEXT: "  "})
    assert again["task"]["type"] == "continue", again
    shown = dialog_text(again)
    assert "write the letter, or choose phone" in shown
    assert inputs(again)[LETTER_METHOD]["value"] == "post"  # what was chosen is kept
    assert teams.desk.get_case(case.id or 0).state is State.LOGGED
    assert list(teams.desk.letters_of(case.id or 0, actor=people[CASEY])) == []

    for bad in ("pigeon", "email"):  # email: not offered, as no mail server is set up
        again = teams.submit(CASEY, dialog, {"owner": people[CASEY], LETTER_METHOD: bad})
        assert "choose how the letter goes" in dialog_text(again), bad
    assert list(teams.desk.letters_of(case.id or 0, actor=people[CASEY])) == []
    told = teams.submit(CASEY, dialog, {"owner": people[CASEY], LETTER_METHOD: "phone"})
    done(told)
    [entry] = teams.desk.letters_of(case.id or 0, actor=people[CASEY])
    assert (entry.method, entry.state) == (DeliveryMethod.PHONE, LetterState.TOLD)


def test_steps_that_write_no_letter_offer_none(teams: TeamsDriver) -> None:
    staff(teams)
    log_case(teams)
    done(press(teams, CASEY, card_now(teams), "Acknowledge",
               {LETTER_METHOD: "phone"}))
    teams.deliver()
    dialog = press(teams, CASEY, card_now(teams), "Assign investigator")
    assert LETTER_METHOD not in inputs(dialog) and LETTER_TEXT not in inputs(dialog)


def test_a_letter_the_mail_server_refuses_is_told_to_the_owner_in_personal_chat(
        mailing: tuple[TeamsDriver, Mailbox]) -> None:
    teams, mailbox = mailing
    people = staff(teams)
    case = log_case(teams)
    mailbox.answer = "550 5.1.1 No such mailbox"
    done(press(teams, CASEY, card_now(teams), "Acknowledge", {"owner": people[CASEY]}))
    for _ in range(12):  # the refusals are retried a few times, then dead-lettered
        teams.deliver()
        teams.clock.advance(timedelta(minutes=1))
    teams.deliver()

    [entry] = teams.desk.letters_of(case.id or 0, actor=people[CASEY])
    assert entry.state is LetterState.FAILED
    told = [json.dumps(c.body) for c in teams.fake.of("send")
            if c.conversation == chat(CASEY)]
    assert any("mail server refused" in t and case.reference in t for t in told), told
