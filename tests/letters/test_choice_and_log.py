"""The letter choice (which ways a letter may go) and the communications log in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from slack_sdk.models.views import View

from cases.communications import LetterEntry, LetterState, LogLine, log_lines
from cases.company import CompanyDetails
from cases.letters import DeliveryMethod, LetterKind, letter_choice, stage_one_acknowledgement
from cases.services import PersonalDetails
from handlers.blocks.details import details_modal
from handlers.blocks.letters import RESEND_ACTION, letters_log_blocks, with_letters_log
from tests.letters.helpers import a_case
from tests.unit.test_blocks import CAL, worst_intake

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


def test_a_long_log_fits_the_details_modal_newest_first_and_says_how_many_are_not_shown(
        ) -> None:
    lines = [LogLine(key=f"letter-{n}", case_id=7, title=f"Letter {n}", how="by post",
                     when="2 December 2026 15:04", by="U0CS", state="Posted", error=None,
                     resendable=False) for n in range(150, 0, -1)]  # newest first
    view = with_letters_log(details_modal(PersonalDetails("TT-2026-0001", worst_intake()),
                                          CAL), lines)
    assert len(view["blocks"]) == 100
    View(**view).validate_json()  # within Slack's limits, by slack_sdk's own checks
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    shown = [t for t in texts if t.startswith("*Letter ")]
    assert shown[0].startswith("*Letter 150*")
    hidden = 150 - len(shown)
    assert view["blocks"][-1]["elements"][0]["text"] == (
        f"… and {hidden} earlier letters: the case file lists every one.")
    few = with_letters_log(details_modal(PersonalDetails("TT-2026-0001", worst_intake()),
                                         CAL), lines[:3])
    assert "earlier" not in str(few["blocks"][-1])
