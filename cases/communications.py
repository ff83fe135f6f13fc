"""The communications log: every letter written to the complainant, as sent.

Each entry keeps the letter's final words, how it went (email, post, phone), when, who
sent it and, for email, where delivery stands. Its ``key`` is stable: the outbox row's
dedupe key and the email's ``Message-ID`` both derive from it, so a retry after a crash
is the same message, and a resend is a new entry pointing at the one it repeats.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from cases.company import CompanyDetails
from cases.letters import LETTER_LABELS, DeliveryMethod, LetterKind, LetterView
from cases.model import Notice, NoticeKind
from cases.wording import Template


class LetterState(StrEnum):
    QUEUED = "queued"        # email: waiting for the mail server (or retrying)
    SENT = "sent"            # email: the mail server accepted it
    FAILED = "failed"        # email: refused for good (dead-lettered): resend or post it
    TO_POST = "to_post"      # post: the PDF was made for staff to print and post
    TOLD = "told"            # phone: the words were said to the complainant


STATE_LABELS: dict[LetterState, str] = {
    LetterState.QUEUED: "Queued", LetterState.SENT: "Sent", LetterState.FAILED: "Failed",
    LetterState.TO_POST: "To post", LetterState.TOLD: "Told by phone",
}

# States in which "Resend" is offered: the letter bounced or may have been lost.
RESENDABLE = frozenset({LetterState.FAILED, LetterState.QUEUED, LetterState.SENT})


def new_letter_key() -> str:
    """A fresh, stable letter key (URL- and Message-ID-safe)."""
    return f"letter-{uuid.uuid4().hex}"


def outbox_key(letter_key: str) -> str:
    """The outbox dedupe key of a letter's email: queued once, whatever happens."""
    return f"letter:{letter_key}"


def to_post_key(letter_key: str) -> str:
    """The outbox dedupe key of a posted letter's PDF, handed to its sender once."""
    return f"letter-to-post:{letter_key}"


def refused_key(letter_key: str) -> str:
    """The outbox dedupe key of the owner's message that a letter's email was refused."""
    return f"letter-refused:{letter_key}"


def dead_letter_notices(kind: str, case_id: int | None, payload: Mapping[str, Any],
                        error: str) -> list[Notice]:
    """What a dead-lettered outbox row owes people: a refused letter is told to the owner.

    Queued in the same transaction that marks the row dead, so the owner hears of it
    whatever happens next; other kinds owe nothing (operators see them in the outbox).
    """
    if kind != NoticeKind.LETTER.value or case_id is None or not payload.get("notify"):
        return []
    key = str(payload.get("letter") or "")
    notices = [Notice(NoticeKind.DIRECT, case_id,
                      {"user": str(payload["notify"]),
                       "template": Template.LETTER_REFUSED.value, "letter": key,
                       "error": error[:500]},
                      dedupe_key=refused_key(key))]
    if (payload.get("view") or {}).get("kind") == LetterKind.FINAL_DECISION.value:
        notices.append(Notice(NoticeKind.CARD, case_id, {}))  # the card says: not sent
    return notices


def initial_state(method: DeliveryMethod) -> LetterState:
    """Where a letter stands right after it is recorded."""
    return {DeliveryMethod.EMAIL: LetterState.QUEUED, DeliveryMethod.POST: LetterState.TO_POST,
            DeliveryMethod.PHONE: LetterState.TOLD}[method]


@dataclass(frozen=True)
class LetterEntry:
    """One letter in the case's communications log."""

    key: str
    case_id: int
    kind: LetterKind
    method: DeliveryMethod
    subject: str
    text: str
    sent_by: str
    sent_at: datetime
    recipient: str | None = None
    resend_of: str | None = None
    state: LetterState = LetterState.QUEUED
    error: str | None = None
    delivered_at: datetime | None = None
    # The letter's view (``view_payload``): what an HTML part or a PDF is rendered from.
    view: Mapping[str, Any] = field(default_factory=dict)


def view_payload(view: LetterView) -> dict[str, Any]:
    """A letter view as JSON-safe data (the company is the desk's, read at delivery)."""
    return {"kind": view.kind.value, "subject": view.subject, "reference": view.reference,
            "date": view.date, "complainant_name": view.complainant_name,
            "organisation": view.organisation, "address_lines": list(view.address_lines),
            "email": view.email, "fields": dict(view.fields)}


def view_from_payload(data: Mapping[str, Any], company: CompanyDetails) -> LetterView:
    """The view ``view_payload`` wrote, with the desk's company details."""
    return LetterView(kind=LetterKind(data["kind"]), subject=str(data["subject"]),
                      reference=str(data["reference"]), date=str(data["date"]),
                      complainant_name=str(data["complainant_name"]),
                      organisation=data.get("organisation"),
                      address_lines=tuple(data.get("address_lines") or ()),
                      email=data.get("email"), company=company,
                      fields={str(k): str(v) for k, v in (data.get("fields") or {}).items()})


@dataclass(frozen=True)
class LogLine:
    """One letter as the communications log shows it to staff."""

    key: str
    case_id: int
    title: str
    how: str
    when: str
    by: str
    state: str
    error: str | None
    resendable: bool


_HOW = {DeliveryMethod.EMAIL: "by email", DeliveryMethod.POST: "by post",
        DeliveryMethod.PHONE: "by phone"}


def log_lines(entries: Sequence[LetterEntry], timezone: str) -> list[LogLine]:
    """The communications log in words, newest first (UK dates and times, local)."""
    zone = ZoneInfo(timezone)
    return [LogLine(key=e.key, case_id=e.case_id, title=LETTER_LABELS[e.kind],
                    how=_HOW[e.method] + (f" to {e.recipient}" if e.method is
                                          DeliveryMethod.EMAIL and e.recipient else ""),
                    when=f"{e.sent_at.astimezone(zone):%-d %B %Y %H:%M}", by=e.sent_by,
                    state=STATE_LABELS[e.state] + (" (a resend)" if e.resend_of else ""),
                    error=e.error if e.state is LetterState.FAILED else None,
                    resendable=e.method is DeliveryMethod.EMAIL and e.state in RESENDABLE)
            for e in reversed(entries)]


# ---- what the desk tells staff about letters (each chat surface adds its markup) ---------

def to_post_words(reference: str, title: str, *, encloses_procedure: bool) -> str:
    """The posted letter's PDF, handed to its sender in a direct message."""
    enclosed = " with the complaints procedure enclosed" if encloses_procedure else ""
    return (f"“{title}” for {reference}, to print and post{enclosed}. The communications "
            "log shows it as to post.")


def refused_words(reference: str, title: str, error: str) -> str:
    """To the owner: the mail server refused a letter for good (it was dead-lettered)."""
    return (f"The mail server refused “{title}” for {reference}, so the complainant has "
            f"not received it: {error[:300]}. Resend it once the address or the server is "
            "put right, or send it by post from the case's details.")


def final_letter_due_words(reference: str) -> str:
    """To the owner: the final decision is approved and its letter is still to send."""
    return (f"The final decision on {reference} is approved. Send the complainant the final "
            "decision letter: it shows as not sent on the case card and in the daily digest "
            "until you do.")
