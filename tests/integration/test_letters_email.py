"""Letters by email, end to end: the desk records and queues them, the dispatcher hands
them to the email surface, which talks to a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.dispatch import PERMANENT_ATTEMPTS, OutboxDispatcher
from cases import letters as letters_mod
from cases.clock import FrozenClock
from cases.communications import LetterState
from cases.company import CompanyDetails
from cases.delivery import EMAIL
from cases.letters import DeliveryMethod, LetterView, stage_one_acknowledgement
from cases.model import Case, Outcome
from cases.services import ComplaintsDesk
from letters.mail import EmailDelivery, parse_smtp_url
from letters.pdf import PROCEDURE_PDF
from letters.procedure import procedure_headings
from letters.surface import Letters, start_letters
from storage.outbox import OutboxStore
from tests.integration.conftest import CS_USER
from tests.letters.helpers import pdf_text
from tests.letters.smtp_server import Mailbox, Server

REPLY_BY = date(2026, 5, 20)


@pytest.fixture(scope="module")
def letters() -> Letters:
    return start_letters(CompanyDetails())


def _acknowledged(desk: ComplaintsDesk, intake: dict[str, Any]) -> Case:
    case = desk.log_complaint(intake, logged_by=CS_USER)
    assert case.id is not None
    return desk.acknowledge_case(case.id, actor=CS_USER, owner=CS_USER,
                                 promised_reply_by=REPLY_BY, procedure_attached=True)


def _ack_view(case: Case, clock: FrozenClock) -> LetterView:
    return stage_one_acknowledgement(case, CompanyDetails(), clock.now().date(),
                                     owner_name="Carys Jones", reply_by=REPLY_BY)


def _dispatcher(engine: Engine, clock: FrozenClock, letters: Letters,
                controller: Server) -> OutboxDispatcher:
    config = parse_smtp_url(f"smtp://127.0.0.1:{controller.port}", "complaints@example.co.uk")
    return OutboxDispatcher(OutboxStore(engine), {EMAIL: EmailDelivery(config, letters)}, clock)


def _send(desk: ComplaintsDesk, case: Case, view: LetterView, letters: Letters) -> str:
    assert case.id is not None
    entry = desk.send_letter(case.id, actor=CS_USER, view=view, method=DeliveryMethod.EMAIL,
                             text=letters.templates.text(view))
    return entry.key


def test_an_acknowledgement_by_email_reaches_the_complainant_with_the_procedure(
        engine: Engine, desk: ComplaintsDesk, clock: FrozenClock, intake: dict[str, Any],
        letters: Letters, smtp: tuple[Server, Mailbox]) -> None:
    controller, mailbox = smtp
    case = _acknowledged(desk, intake)
    key = _send(desk, case, _ack_view(case, clock), letters)

    assert _dispatcher(engine, clock, letters, controller).drain() == 1

    [message] = mailbox.received
    assert message["To"] == "ada@example.com"
    assert message["Message-ID"] == f"<{key}@example.co.uk>"
    assert case.reference in message["Subject"]
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "Carys Jones is dealing with your complaint" in text.get_content()
    assert "by 20 May 2026" in text.get_content()
    assert "Carys Jones" in html.get_content()
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert PROCEDURE_PDF in files
    procedure = " ".join(pdf_text(files[PROCEDURE_PDF]).split())
    for heading in procedure_headings():
        assert heading in procedure
    assert case.id is not None
    [entry] = desk.letters_of(case.id, actor=CS_USER)
    assert entry.state is LetterState.SENT


def test_a_mail_server_outage_loses_nothing_and_the_letter_goes_once(
        engine: Engine, desk: ComplaintsDesk, clock: FrozenClock, intake: dict[str, Any],
        letters: Letters, smtp: tuple[Server, Mailbox]) -> None:
    controller, mailbox = smtp
    dispatcher = _dispatcher(engine, clock, letters, controller)
    controller.stop()
    case = _acknowledged(desk, intake)
    key = _send(desk, case, _ack_view(case, clock), letters)

    assert dispatcher.drain() == 0
    assert case.id is not None
    [entry] = desk.letters_of(case.id, actor=CS_USER)
    assert entry.state is LetterState.QUEUED and "unreachable" in (entry.error or "")

    controller.start()
    clock.advance(timedelta(minutes=10))
    assert dispatcher.drain() == 1
    clock.advance(timedelta(hours=1))
    assert dispatcher.drain() == 0
    assert [m["Message-ID"] for m in mailbox.received] == [f"<{key}@example.co.uk>"]
    assert desk.letters_of(case.id, actor=CS_USER)[0].state is LetterState.SENT


def test_a_refused_letter_is_dead_lettered_and_shown_as_failed_then_resent(
        engine: Engine, desk: ComplaintsDesk, clock: FrozenClock, intake: dict[str, Any],
        letters: Letters, smtp: tuple[Server, Mailbox]) -> None:
    controller, mailbox = smtp
    mailbox.answer = "550 5.1.1 No such mailbox"
    dispatcher = _dispatcher(engine, clock, letters, controller)
    case = _acknowledged(desk, intake)
    key = _send(desk, case, _ack_view(case, clock), letters)
    assert case.id is not None

    for _ in range(PERMANENT_ATTEMPTS):
        dispatcher.drain()
        clock.advance(timedelta(minutes=10))

    [entry] = desk.letters_of(case.id, actor=CS_USER)
    assert entry.state is LetterState.FAILED
    assert "550" in (entry.error or "")
    assert [d.kind for d in OutboxStore(engine).dead()] == ["letter"]
    assert mailbox.received == []
    kind = entry.kind.value
    # A letter that failed for good is not a letter sent: the case still owes it.
    assert kind not in desk.get_case(case.id).letters_sent

    mailbox.answer = None
    again = desk.resend_letter(case.id, key, actor=CS_USER)
    assert dispatcher.drain() == 1
    [message] = mailbox.received
    assert message["Message-ID"] == f"<{again.key}@example.co.uk>"
    states = {e.key: e.state for e in desk.letters_of(case.id, actor=CS_USER)}
    assert states == {key: LetterState.FAILED, again.key: LetterState.SENT}
    # View details reads the log with the case, in one statement: the same entries.
    shown = desk.view_details(case.id, actor=CS_USER, letters=True).letters
    assert shown == tuple(desk.letters_of(case.id, actor=CS_USER))
    assert [e.key for e in shown] == [key, again.key]
    assert kind in desk.get_case(case.id).letters_sent
    assert [c.letters_sent for c in desk.list_cases(viewer=CS_USER, which="open")
            if c.id == case.id] == [desk.get_case(case.id).letters_sent]


def _every_other_letter(case: Case, today: date) -> list[tuple[LetterView, str]]:
    company = CompanyDetails()
    return [
        (letters_mod.stage_one_reply(case, company, today, outcome=Outcome.PARTLY_UPHELD,
                                     suggestions="We will replace the tracker.",
                                     writer_name="Carys Jones"),
         "We will replace the tracker."),
        (letters_mod.stage_two_acknowledgement(case, company, today,
                                               reviewer_name="Dafydd Director",
                                               reply_by=date(2026, 6, 2)),
         "Dafydd Director will deal with the review"),
        (letters_mod.progress_update(case, company, today, reason="we await the courier.",
                                     reply_by=date(2026, 6, 9), writer_name="Dafydd Director"),
         "full reply by 9 June 2026"),
        (letters_mod.final_decision(case, company, today, outcome=Outcome.UPHELD,
                                    reasons="The tracker was faulty.", remedy="A refund.",
                                    writer_name="Dafydd Director"),
         "This decision is final"),
        (letters_mod.resolution(case, company, today, resolution="A new strap was sent.",
                                writer_name="Carys Jones"),
         "A new strap was sent."),
    ]


def test_each_letter_reaches_the_complainant_by_email_with_its_own_words(
        engine: Engine, desk: ComplaintsDesk, clock: FrozenClock, intake: dict[str, Any],
        letters: Letters, smtp: tuple[Server, Mailbox]) -> None:
    server, mailbox = smtp
    case = _acknowledged(desk, intake)
    sent = _every_other_letter(case, clock.now().date())
    for view, _ in sent:
        _send(desk, case, view, letters)

    assert _dispatcher(engine, clock, letters, server).drain() == len(sent)

    assert len(mailbox.received) == len(sent)
    for message, (view, words) in zip(mailbox.received, sent, strict=True):
        assert message["Subject"] == view.subject
        body = message.get_body(preferencelist=("plain",))
        assert body is not None and words in body.get_content()
        names = [part.get_filename() for part in message.iter_attachments()]
        assert names == [f"{view.kind.value.replace('_', '-')}-{case.reference}.pdf"]
