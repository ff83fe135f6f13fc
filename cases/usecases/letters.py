"""Letters to the complainant: send one (email, post or phone), resend one, read the log.

A letter is recorded in the case's communications log and, when it goes by email, queued
in the outbox for the email surface in the same transaction: nothing is sent unless the
log says it was written, and nothing the log holds is lost if the mail server is down.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cases.access import may_see_personal_data
from cases.communications import (
    LetterEntry,
    initial_state,
    new_letter_key,
    outbox_key,
    view_payload,
)
from cases.delivery import EMAIL
from cases.errors import IntakeInvalid, NotAllowed
from cases.letters import MAX_LETTER_TEXT, DeliveryMethod, LetterKind, LetterView
from cases.model import Case, Notice, NoticeKind
from cases.ports import UnitOfWork
from cases.usecases.common import DeskBase, text_field


def _recipient(case: Case, method: DeliveryMethod) -> str | None:
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


class Correspondence(DeskBase):
    """Writing to the complainant; every letter lands in the communications log."""

    def send_letter(self, case_id: int, *, actor: str, view: LetterView,
                    method: DeliveryMethod, text: str) -> LetterEntry:
        """Record the letter with its (edited) words; queue it when it goes by email."""
        return self._send(case_id, actor=actor, kind=view.kind, view=view_payload(view),
                          subject=view.subject, method=method, text=text, resend_of=None)

    def resend_letter(self, case_id: int, key: str, *, actor: str,
                      method: DeliveryMethod | None = None) -> LetterEntry:
        """Send a letter again (it bounced or was lost): a new entry pointing at the old."""
        with self.reader() as uow:
            old = uow.letters.get(key)
        if old.case_id != case_id:
            raise NotAllowed("That letter belongs to another case.")
        return self._send(case_id, actor=actor, kind=old.kind, view=old.view,
                          subject=old.subject, method=method or old.method, text=old.text,
                          resend_of=old.key)

    def letters_of(self, case_id: int, *, actor: str) -> Sequence[LetterEntry]:
        """The case's communications log, each letter with its delivery state."""
        with self.reader() as uow:
            case = uow.cases.get(case_id)
            self._may_write(uow, actor, case)
            return list(uow.letters.for_case(case_id))

    def _may_write(self, uow: UnitOfWork, actor: str, case: Case) -> None:
        if not may_see_personal_data(actor, case, uow.roles.roles_of(actor)):
            raise NotAllowed(f"Only the people who need to know may write to the "
                             f"complainant about {case.reference}.")

    def _send(self, case_id: int, *, actor: str, kind: LetterKind, view: Mapping[str, Any],
              subject: str, method: DeliveryMethod, text: str,
              resend_of: str | None) -> LetterEntry:
        body = text_field(text, "letter_text", limit=MAX_LETTER_TEXT) or ""
        now = self._now()
        with self.uow() as uow:
            case = uow.cases.get(case_id)
            self._may_write(uow, actor, case)
            entry = LetterEntry(key=new_letter_key(), case_id=case_id, kind=kind,
                                method=method, subject=subject, text=body, sent_by=actor,
                                sent_at=now, recipient=_recipient(case, method),
                                resend_of=resend_of, state=initial_state(method),
                                view=dict(view))
            # The communications log is the letter's record on the case (not the history:
            # the case's thread and history stay the procedure's steps).
            uow.letters.add(entry)
            if method is DeliveryMethod.EMAIL:
                uow.outbox.add([Notice(
                    NoticeKind.LETTER, case_id,
                    {"letter": entry.key, "to": entry.recipient, "subject": subject,
                     "text": body, "view": dict(view)},
                    dedupe_key=outbox_key(entry.key), surface=EMAIL)])
            uow.commit()
            return entry
