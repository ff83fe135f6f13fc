"""The letter choice (which ways a letter may go) and the communications log in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from cases.communications import LetterEntry, LetterState, log_lines
from cases.company import CompanyDetails
from cases.letters import DeliveryMethod, LetterKind, letter_choice, stage_one_acknowledgement
from handlers.blocks.letters import RESEND_ACTION, letters_log_blocks
from tests.letters.helpers import a_case

VIEW = stage_one_acknowledgement(a_case(), CompanyDetails(), date(2026, 12, 2),
                                 owner_name="Ada", reply_by=date(2026, 12, 31))


def test_email_comes_first_when_mail_is_set_up_and_they_gave_an_address() -> None:
    choice = letter_choice(VIEW, "words", mail_configured=True)
    assert choice.methods == (DeliveryMethod.EMAIL, DeliveryMethod.POST, DeliveryMethod.PHONE)
    assert choice.default is DeliveryMethod.EMAIL and choice.notes == ()


def test_without_mail_or_an_address_email_is_not_offered_and_the_modal_says_why() -> None:
    no_mail = letter_choice(VIEW, "words", mail_configured=False)
    assert DeliveryMethod.EMAIL not in no_mail.methods
    assert "COMPLAINTS_SMTP_URL" in no_mail.notes[0]
    no_address = letter_choice(replace(VIEW, email=None), "w", mail_configured=True)
    assert no_address.default is DeliveryMethod.POST
    assert "no email address" in no_address.notes[0]


def test_the_log_says_what_went_how_when_and_offers_resend_for_a_failed_email() -> None:
    sent = datetime(2026, 12, 2, 15, 4, tzinfo=UTC)
    entries = [LetterEntry(key="letter-a", case_id=7, kind=LetterKind.STAGE_ONE_ACKNOWLEDGEMENT,
                           method=DeliveryMethod.EMAIL, subject="s", text="t", sent_by="U1",
                           sent_at=sent, recipient="ada@example.com",
                           state=LetterState.FAILED, error="550 no such mailbox"),
               LetterEntry(key="letter-b", case_id=7, kind=LetterKind.STAGE_ONE_REPLY,
                           method=DeliveryMethod.PHONE, subject="s", text="t", sent_by="U1",
                           sent_at=sent, state=LetterState.TOLD)]
    lines = log_lines(entries, "Europe/London")
    assert [line.title for line in lines] == ["Our reply to your complaint",
                                              "Acknowledgement of your complaint"]
    failed = lines[1]
    assert (failed.how, failed.when, failed.state) == (
        "by email to ada@example.com", "2 December 2026 15:04", "Failed")
    assert failed.resendable and not lines[0].resendable
    blocks = letters_log_blocks(lines)
    buttons = [b["accessory"] for b in blocks if "accessory" in b]
    assert buttons == [{"type": "button", "action_id": RESEND_ACTION, "value": "7:letter-a",
                        "text": {"type": "plain_text", "text": "Resend", "emoji": True}}]
