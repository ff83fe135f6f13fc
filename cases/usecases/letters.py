"""Letters to the complainant: send one (email, post or phone), resend one, read the log.

A letter is recorded in the case's communications log and its delivery queued in the
outbox in the same transaction (``cases.usecases.letter_record``): nothing is sent unless
the log says it was written, and nothing the log holds is lost if the mail server is down.
A step that writes a letter records it in the step's own transaction (``letter=`` on the
step's use case); the calls here are for a letter on its own (the final decision's, a
resend).
"""

from __future__ import annotations

from collections.abc import Sequence

from cases.communications import LetterEntry, view_payload
from cases.errors import NotAllowed
from cases.letters import DeliveryMethod, LetterKind, LetterView
from cases.model import FINAL_DECISION_LETTER
from cases.usecases.common import DeskBase, card
from cases.usecases.letter_record import LetterRecord, may_write, record_letter


class Correspondence(DeskBase):
    """Writing to the complainant; every letter lands in the communications log."""

    def send_letter(self, case_id: int, *, actor: str, view: LetterView,
                    method: DeliveryMethod, text: str) -> LetterEntry:
        """Record the letter with its (edited) words; queue its delivery."""
        return self._send(case_id, actor=actor, letter=LetterRecord(
            kind=view.kind, view=view_payload(view), subject=view.subject, method=method,
            text=text))

    def resend_letter(self, case_id: int, key: str, *, actor: str,
                      method: DeliveryMethod | None = None) -> LetterEntry:
        """Send a letter again (it bounced or was lost): a new entry pointing at the old."""
        with self.reader() as uow:
            old = uow.letters.get(key)
        if old.case_id != case_id:
            raise NotAllowed("That letter belongs to another case.")
        return self._send(case_id, actor=actor, letter=LetterRecord(
            kind=old.kind, view=old.view, subject=old.subject, method=method or old.method,
            text=old.text, resend_of=old.key))

    def letters_of(self, case_id: int, *, actor: str) -> Sequence[LetterEntry]:
        """The case's communications log, each letter with its delivery state."""
        with self.reader() as uow:
            case = uow.cases.get(case_id)
            may_write(uow, actor, case)
            return list(uow.letters.for_case(case_id))

    def letter_entry(self, key: str) -> LetterEntry:
        """One letter by its key, for a surface delivering it (no personal-data check:
        the surface hands it only to the person the letter's notice names)."""
        with self.reader() as uow:
            return uow.letters.get(key)

    def _send(self, case_id: int, *, actor: str, letter: LetterRecord) -> LetterEntry:
        now = self._now()
        with self.uow() as uow:
            case = uow.cases.get(case_id)
            if (letter.kind is LetterKind.FINAL_DECISION and letter.resend_of is None
                    and FINAL_DECISION_LETTER in case.letters_sent):
                # A second dialog left open, or a double submit: the letter goes once.
                raise NotAllowed("The final decision letter has already gone to the "
                                 "complainant; its entry in the communications log has "
                                 "Resend if it needs sending again.")
            entry = record_letter(uow, case, letter, actor=actor, now=now)
            if letter.kind is LetterKind.FINAL_DECISION:
                uow.outbox.add([card(case)])  # "final letter not sent" goes from the card
            uow.commit()
            return entry
