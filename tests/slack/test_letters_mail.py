"""Letters from the step modals, end to end: signed Slack requests in, a real SMTP server
(aiosmtpd on 127.0.0.1) out. Each step that writes to the complainant offers the letter,
records it with the step, answers Slack before any PDF is made, and the outbox delivers
it; a refused letter comes back to the owner with Resend; an approved decision asks for
its letter until it has gone."""

from __future__ import annotations

import json
from datetime import date, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from bot.dispatch import PERMANENT_ATTEMPTS
from bot.runtime import build_sweeper
from cases.clock import FrozenClock
from cases.communications import LetterState
from cases.letters import MARKERS, DeliveryMethod, LetterKind, LetterView
from cases.messages import UNSENT_FINAL_LETTER
from cases.model import Case, State
from handlers.blocks.letters import LETTER_METHOD, LETTER_TEXT, RESEND_ACTION
from handlers.ids import ActionId
from letters.pdf import PROCEDURE_PDF, PdfRenderer
from tests.letters.helpers import pdf_text
from tests.letters.smtp_server import Mailbox, Server, text_of
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import (
    CS_AGENT,
    DIRECTOR,
    DIRECTOR_2,
    DIRECTORS_CHANNEL,
    INVESTIGATOR,
    SENIOR,
    SlackDriver,
    card_text,
)
from tests.slack.signing import block_actions_body
from tests.slack.test_stage_two import (
    cid,
    draft,
    eventually,
    fresh,
    log_complaint,
    open_step,
    step,
)

MAIL_FROM = "complaints@example.co.uk"


class CountingPdfs(PdfRenderer):
    """The letters surface's PDF renderer, counting what it renders (and nothing else)."""

    renders = 0

    def attachments(self, view: LetterView, text: str | None = None
                    ) -> list[tuple[str, bytes]]:
        CountingPdfs.renders += 1
        return super().attachments(view, text)


@pytest.fixture
def mail(fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock,
         smtp: tuple[Server, Mailbox]) -> tuple[SlackDriver, Mailbox]:
    server, mailbox = smtp
    slack = SlackDriver(fake_slack, tmp_path, clock,
                        complaints_smtp_url=f"smtp://127.0.0.1:{server.port}",
                        complaints_mail_from=MAIL_FROM)
    letters = slack.runtime.letters  # the one letters surface every part uses
    assert letters is not None
    letters.pdfs = CountingPdfs(letters.templates)
    CountingPdfs.renders = 0
    return slack, mailbox


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _methods(view: dict[str, Any]) -> list[str]:
    return [o["value"] for o in _block(view, LETTER_METHOD)["element"]["options"]]


def _preview(view: dict[str, Any]) -> str:
    return str(_block(view, LETTER_TEXT)["element"]["initial_value"])


def _acknowledge(slack: SlackDriver, case: Case, method: str = "email") -> dict[str, Any]:
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case)
    ticks = [o["value"] for o in _block(view, "procedure_attached")["element"]["options"]]
    answer = slack.submit(CS_AGENT, view, {"procedure_attached": ticks,
                                           LETTER_METHOD: method})
    assert answer.status == 200 and not answer.body, answer.body
    return view


def _kinds(slack: SlackDriver, case: Case) -> list[tuple[LetterKind, DeliveryMethod]]:
    return [(e.kind, e.method)
            for e in slack.desk.letters_of(cid(case), actor=slack.person(CS_AGENT))]


def _unsent_in_digest(slack: SlackDriver) -> str:
    """Today's digest's "final letter not sent" part ("" if it has none)."""
    before = len(slack.fake.calls("chat.postMessage"))
    assert build_sweeper(slack.runtime.container).digest(slack.clock.now())
    slack.deliver()
    posted = [json.dumps(c.body) for c in slack.fake.calls("chat.postMessage")[before:]
              if "Deadlines for" in json.dumps(c.body)]
    assert posted, "no digest was posted"
    assert not any("ada@example.com" in p or "Ada Example" in p for p in posted)
    return " ".join(p for p in posted if "Final decision letter not sent" in p)


def test_each_step_that_writes_to_the_complainant_emails_its_letter(
        mail: tuple[SlackDriver, Mailbox]) -> None:
    slack, mailbox = mail
    case = log_complaint(slack, postal_address="")

    # Acknowledgement: email first (an address and a mail server), the owner and the date.
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case)
    assert _methods(view) == ["email", "phone"]
    _acknowledge(slack, case)
    # Answered, recorded, queued: no PDF was made while Slack waited for the answer.
    assert CountingPdfs.renders == 0 and mailbox.received == []
    assert _kinds(slack, case) == [(LetterKind.STAGE_ONE_ACKNOWLEDGEMENT, DeliveryMethod.EMAIL)]
    slack.deliver()
    [ack] = mailbox.received
    assert ack["To"] == "ada@example.com"
    # Dated by the desk's clock (the sandbox's demo clock, this test's), not the wall's.
    assert parsedate_to_datetime(ack["Date"]) == slack.clock.now()
    assert f"User {CS_AGENT} is dealing with your complaint" in text_of(ack)
    assert "by 9 June 2026" in text_of(ack)
    files = {p.get_filename(): p.get_content() for p in ack.iter_attachments()}
    assert PROCEDURE_PDF in files and "Complaints Procedure" in pdf_text(files[PROCEDURE_PDF])

    # Stage One reply: the preview marks where the modal's answers go; they fill it in.
    step(slack, CS_AGENT, ActionId.ASSIGN_INVESTIGATOR, case, {"investigator": INVESTIGATOR})
    slack.clock.advance(timedelta(days=9))
    step(slack, INVESTIGATOR, ActionId.CONCLUDE_INVESTIGATION, case, {"findings": "Faulty."})
    view = open_step(slack, CS_AGENT, ActionId.SEND_REPLY, case)
    assert MARKERS["suggestions"] in _preview(view)
    slack.submit(CS_AGENT, view, {"outcome": "partly_upheld",
                                  "suggestions": "We will send a new tracker & strap."})
    slack.deliver()
    reply = text_of(mailbox.received[-1])
    assert "Our finding: Partly upheld." in reply
    assert "We will send a new tracker & strap." in reply and "[" not in reply

    # Stage Two acknowledgement, by the director who takes the review.
    slack.clock.advance(timedelta(days=1))
    step(slack, CS_AGENT, ActionId.REQUEST_REVIEW, case, {"how": "email to the MD"})
    step(slack, DIRECTOR, ActionId.ACKNOWLEDGE_REVIEW, case, {}, channel=DIRECTORS_CHANNEL)
    slack.deliver()
    assert f"User {DIRECTOR} will deal with the review" in text_of(mailbox.received[-1])

    # Progress update: the reason and the new date, as typed in its own modal.
    step(slack, DIRECTOR, ActionId.SEND_PROGRESS_UPDATE, case,
         {"reason": "the lab report is late.", "new_reply_by": date(2026, 6, 24)},
         channel=DIRECTORS_CHANNEL)
    slack.deliver()
    update = text_of(mailbox.received[-1])
    assert "the lab report is late." in update and "full reply by 24 June 2026" in update

    # Final decision: approved, then the owner is asked for its letter until it goes.
    step(slack, DIRECTOR, ActionId.DELEGATE_REVIEW, case, {"delegate": SENIOR},
         channel=DIRECTORS_CHANNEL)
    draft(slack, case)
    assert slack.press(DIRECTOR_2, ActionId.APPROVE_DECISION.value, case,
                       channel=DIRECTORS_CHANNEL).status == 200
    eventually(lambda: fresh(slack, case).state is State.FINAL)
    slack.deliver()
    assert UNSENT_FINAL_LETTER in card_text(slack.card(case))
    assert any("Send the complainant the final decision letter" in t
               for t in slack.dms(CS_AGENT))
    assert case.reference in _unsent_in_digest(slack)
    opened = len(slack.fake.calls("views.open"))
    assert slack.press(CS_AGENT, ActionId.SEND_FINAL_LETTER.value, case,
                       channel=None).status == 200
    view = slack.opened_view(opened + 1)
    assert "This decision is final" in _preview(view)
    assert slack.submit(CS_AGENT, view, {}).status == 200
    slack.deliver()
    final = text_of(mailbox.received[-1])
    assert "Our decision: Upheld." in final and "Replacement and refund." in final
    assert UNSENT_FINAL_LETTER not in card_text(slack.card(case))
    # The same dialog submitted again (a second one left open): the letter goes once.
    again = json.loads(slack.submit(CS_AGENT, view, {}).body or "{}")
    assert "already gone" in json.dumps(again)
    slack.clock.advance(timedelta(days=3))  # the next working day's digest
    assert _unsent_in_digest(slack) == ""

    assert [k for k, _ in _kinds(slack, case)] == [
        LetterKind.STAGE_ONE_ACKNOWLEDGEMENT, LetterKind.STAGE_ONE_REPLY,
        LetterKind.STAGE_TWO_ACKNOWLEDGEMENT, LetterKind.PROGRESS_UPDATE,
        LetterKind.FINAL_DECISION]
    assert {e.state for e in slack.desk.letters_of(cid(case),
                                                   actor=slack.person(CS_AGENT))} == {
        LetterState.SENT}
    assert len({m["Message-ID"] for m in mailbox.received}) == len(mailbox.received) == 5


def test_a_resolution_by_customer_services_writes_its_letter(
        mail: tuple[SlackDriver, Mailbox]) -> None:
    slack, mailbox = mail
    case = log_complaint(slack)
    _acknowledge(slack, case, "phone")
    view = open_step(slack, CS_AGENT, ActionId.RESOLVE, case)
    assert MARKERS["resolution"] in _preview(view)
    slack.submit(CS_AGENT, view, {"resolution": "A new strap was sent today."})
    slack.deliver()

    [resolved] = mailbox.received
    assert "has resolved it as follows:\n\nA new strap was sent today." in text_of(resolved)
    assert _kinds(slack, case)[-1] == (LetterKind.RESOLUTION, DeliveryMethod.EMAIL)


def test_a_posted_letter_reaches_its_sender_as_pdfs_after_the_answer(
        mail: tuple[SlackDriver, Mailbox]) -> None:
    slack, _ = mail
    case = log_complaint(slack)
    _acknowledge(slack, case, "post")
    assert CountingPdfs.renders == 0  # the submission made none
    dm = slack.fake.dm_channel(CS_AGENT)
    assert slack.fake.uploaded_files(dm) == []

    slack.deliver()

    shared = {f["filename"]: f for f in slack.fake.uploaded_files(dm)}
    assert set(shared) == {f"stage-one-acknowledgement-{case.reference}.pdf", PROCEDURE_PDF}
    letter = pdf_text(shared[f"stage-one-acknowledgement-{case.reference}.pdf"]["content"])
    assert "1 High Street" in letter and "Ada Example" in letter
    assert "to print and post with the complaints procedure enclosed" in \
        shared[PROCEDURE_PDF]["initial_comment"]
    [entry] = slack.desk.letters_of(cid(case), actor=slack.person(CS_AGENT))
    assert entry.state is LetterState.TO_POST


def test_a_refused_letter_is_told_to_the_owner_who_resends_it(
        mail: tuple[SlackDriver, Mailbox]) -> None:
    slack, mailbox = mail
    mailbox.answer = "550 5.1.1 No such mailbox"
    case = log_complaint(slack)
    _acknowledge(slack, case)
    for _ in range(PERMANENT_ATTEMPTS):
        slack.deliver()
        slack.clock.advance(timedelta(minutes=10))
    slack.deliver()  # the owner's message, queued as the letter was dead-lettered

    [entry] = slack.desk.letters_of(cid(case), actor=slack.person(CS_AGENT))
    assert entry.state is LetterState.FAILED
    [told] = [c.body for c in slack.fake.calls("chat.postMessage")
              if c.body.get("channel") == CS_AGENT and "refused" in str(c.body.get("text"))]
    assert "550" in told["text"] and case.reference in told["text"]
    blocks = json.dumps(told["blocks"])
    assert RESEND_ACTION in blocks and "ada@example.com" not in told["text"]

    mailbox.answer = None
    button = next(e for b in told["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert slack.send(block_actions_body(RESEND_ACTION, button["value"], user_id=CS_AGENT,
                                     channel_id=None)).status == 200
    eventually(lambda: len(slack.desk.letters_of(cid(case),
                                                 actor=slack.person(CS_AGENT))) == 2)
    slack.deliver()
    assert len(mailbox.received) == 1
    states = [e.state for e in slack.desk.letters_of(cid(case), actor=slack.person(CS_AGENT))]
    assert states == [LetterState.FAILED, LetterState.SENT]
