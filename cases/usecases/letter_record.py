"""Recording a letter in an open unit of work: the log entry and the messages it needs.

Used by every step that writes to the complainant (inside the step's own transaction, so
the step, its letter and the letter's outbox rows commit together or not at all) and by
sending or resending a letter on its own. Nothing here renders a letter: an email is
rendered by the email surface when the outbox delivers it, a posted letter's PDF by the
chat surface that hands it to its sender, both after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cases.access import may_see_personal_data
from cases.communications import (
    LetterEntry,
    initial_state,
    new_letter_key,
    outbox_key,
    to_post_key,
)
from cases.delivery import EMAIL
from cases.errors import IntakeInvalid, NotAllowed
from cases.letters import MAX_LETTER_TEXT, DeliveryMethod, LetterKind
from cases.model import Case, Notice, NoticeKind
from cases.ports import UnitOfWork
from cases.wording import Template


@dataclass(frozen=True)
class LetterRecord:
    """What to record: the letter's kind, view payload, subject, method and words."""

    kind: LetterKind
    view: Mapping[str, Any]
    subject: str
    method: DeliveryMethod
    text: str
    resend_of: str | None = None


def letter_body(text: str) -> str:
    """The letter's words, checked; IntakeInvalid at the letter's field if empty or long."""
    body = (text or "").strip()
    if not body:
        raise IntakeInvalid({"letter_text": "write the letter, or choose phone and say what "
                                            "you told them"})
    if len(body) > MAX_LETTER_TEXT:
        raise IntakeInvalid({"letter_text": f"keep the letter under {MAX_LETTER_TEXT} "
                                            "characters"})
    return body


def recipient(case: Case, method: DeliveryMethod) -> str | None:
    """Where the letter goes; IntakeInvalid when the complainant gave no such contact."""
    intake = case.intake
    if method is DeliveryMethod.EMAIL:
        if not intake.email:
            raise IntakeInvalid({"letter_method": "the complainant gave no email address: "
                                                  "choose post or phone"})
        return str(intake.email)
    if method is DeliveryMethod.POST:
        if not intake.postal_address:
            raise IntakeInvalid({"letter_method": "the complainant gave no postal address: "
                                                  "choose email or phone"})
        return intake.postal_address
    return intake.phone


def may_write(uow: UnitOfWork, actor: str, case: Case) -> None:
    """Only the people who need to know write to the complainant (NotAllowed otherwise)."""
    if not may_see_personal_data(actor, case, uow.roles.roles_of(actor)):
        raise NotAllowed(f"Only the people who need to know may write to the "
                         f"complainant about {case.reference}.")


def record_letter(uow: UnitOfWork, case: Case, letter: LetterRecord, *, actor: str,
                  now: datetime) -> LetterEntry:
    """Add the letter to the log and queue what delivers it, in ``uow``'s transaction.

    By email: one row for the email surface (rendered and sent there). By post: a direct
    message to the sender with the letter's PDF (rendered by the chat surface). By phone:
    nothing to deliver. The caller commits.
    """
    assert case.id is not None
    may_write(uow, actor, case)
    body = letter_body(letter.text)
    entry = LetterEntry(key=new_letter_key(), case_id=case.id, kind=letter.kind,
                        method=letter.method, subject=letter.subject, text=body,
                        sent_by=actor, sent_at=now, recipient=recipient(case, letter.method),
                        resend_of=letter.resend_of, state=initial_state(letter.method),
                        view=dict(letter.view))
    # The communications log is the letter's record on the case (not the history: the
    # case's thread and history stay the procedure's steps).
    uow.letters.add(entry)
    uow.outbox.add(_deliveries(case, entry, actor))
    return entry


def _deliveries(case: Case, entry: LetterEntry, actor: str) -> list[Notice]:
    if entry.method is DeliveryMethod.EMAIL:
        # "notify": who hears of it if the mail server refuses it for good.
        return [Notice(NoticeKind.LETTER, case.id,
                       {"letter": entry.key, "to": entry.recipient, "subject": entry.subject,
                        "text": entry.text, "view": dict(entry.view),
                        "notify": case.owner or actor},
                       dedupe_key=outbox_key(entry.key), surface=EMAIL)]
    if entry.method is DeliveryMethod.POST:
        return [Notice(NoticeKind.DIRECT, case.id,
                       {"user": actor, "template": Template.LETTER_TO_POST.value,
                        "letter": entry.key}, dedupe_key=to_post_key(entry.key))]
    return []
