"""Letters to the complainant: which letters there are and what each one says, as plain data.

Each letter is a view model (``LetterView``): the case's reference, the complainant's name
and address, the company's details and the letter's own fields, all already in words (UK
dates, outcome labels). A surface renders it into its own markup (``letters/``: Jinja2
templates into text, HTML and PDF); nothing here knows a template language.

Every kind declares its field names (``LETTER_FIELDS``): the builders fill exactly those,
and ``sample_views`` fills them with the longest allowed values, so a template that asks
for anything else fails when the desk starts, not when a complainant is waiting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from cases.company import CompanyDetails
from cases.intake import MAX_ADDRESS, MAX_SHORT, IntakeRecord
from cases.model import OUTCOME_LABELS, Case, DeadlineKind, Outcome

MAX_LETTER_TEXT = 12000
MAX_SUBJECT = 200


class LetterKind(StrEnum):
    INTAKE_SCRIPT = "intake_script"
    STAGE_ONE_ACKNOWLEDGEMENT = "stage_one_acknowledgement"
    STAGE_ONE_REPLY = "stage_one_reply"
    STAGE_TWO_ACKNOWLEDGEMENT = "stage_two_acknowledgement"
    PROGRESS_UPDATE = "progress_update"
    FINAL_DECISION = "final_decision"
    RESOLUTION = "resolution"


class DeliveryMethod(StrEnum):
    """How a letter reaches the complainant."""

    EMAIL = "email"   # sent by the desk's mail server
    POST = "post"     # a PDF to print and post
    PHONE = "phone"   # told by phone: the text is kept as what was said


LETTER_LABELS: dict[LetterKind, str] = {
    LetterKind.INTAKE_SCRIPT: "What to tell the complainant now",
    LetterKind.STAGE_ONE_ACKNOWLEDGEMENT: "Acknowledgement of your complaint",
    LetterKind.STAGE_ONE_REPLY: "Our reply to your complaint",
    LetterKind.STAGE_TWO_ACKNOWLEDGEMENT: "Acknowledgement of your request for a review",
    LetterKind.PROGRESS_UPDATE: "An update on the review of your complaint",
    LetterKind.FINAL_DECISION: "Our final decision on your complaint",
    LetterKind.RESOLUTION: "Your complaint has been resolved",
}

# The procedure: "A copy of this complaints procedure will be attached."
ENCLOSES_PROCEDURE = frozenset({LetterKind.STAGE_ONE_ACKNOWLEDGEMENT})

LETTER_FIELDS: dict[LetterKind, tuple[str, ...]] = {
    LetterKind.INTAKE_SCRIPT: ("acknowledge_by", "investigate_by", "reply_days"),
    LetterKind.STAGE_ONE_ACKNOWLEDGEMENT: ("owner_name", "reply_by"),
    LetterKind.STAGE_ONE_REPLY: ("outcome", "suggestions", "writer_name"),
    LetterKind.STAGE_TWO_ACKNOWLEDGEMENT: ("reviewer_name", "reply_by"),
    LetterKind.PROGRESS_UPDATE: ("reason", "reply_by", "writer_name"),
    LetterKind.FINAL_DECISION: ("outcome", "reasons", "remedy", "writer_name"),
    LetterKind.RESOLUTION: ("resolution", "writer_name"),
}


# The fields a step's own modal asks for: when the modal opens the letter shows these
# markers where the answers will go; the answers replace them when it is submitted (in the
# words as staff edited them, too).
FORM_FIELDS: dict[LetterKind, tuple[str, ...]] = {
    LetterKind.STAGE_ONE_REPLY: ("outcome", "suggestions"),
    LetterKind.PROGRESS_UPDATE: ("reason", "reply_by"),
    LetterKind.RESOLUTION: ("resolution",),
}
MARKERS: dict[str, str] = {
    "outcome": "[the outcome chosen above]",
    "suggestions": "[the suggestions written above]",
    "reason": "[the reason written above]",
    "reply_by": "[the date chosen above]",
    "resolution": "[the resolution written above]",
}


@dataclass(frozen=True)
class LetterView:
    """One letter's content in words, ready for any surface's markup."""

    kind: LetterKind
    subject: str
    reference: str
    date: str
    complainant_name: str
    organisation: str | None
    address_lines: tuple[str, ...]
    email: str | None
    company: CompanyDetails
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def encloses_procedure(self) -> bool:
        """Whether the procedure goes with this letter (attached or enclosed)."""
        return self.kind in ENCLOSES_PROCEDURE

    def context(self) -> dict[str, object]:
        """Every name a template may use: the common ones and the kind's own fields."""
        return {"reference": self.reference, "date": self.date, "subject": self.subject,
                "complainant_name": self.complainant_name,
                "organisation": self.organisation, "address_lines": list(self.address_lines),
                "email": self.email, "company": self.company,
                "encloses_procedure": self.encloses_procedure, **self.fields}


@dataclass(frozen=True)
class LetterDraft:
    """The letter a step writes: its view, how it goes, and its words as staff left them.

    Handed to the step's use case, which records it (and queues its delivery) in the
    step's own transaction: the step and its letter are kept together or not at all.
    """

    view: LetterView
    method: DeliveryMethod
    text: str


def with_markers(view: LetterView) -> LetterView:
    """The letter as its step's modal opens: markers where the modal's answers will go."""
    names = FORM_FIELDS.get(view.kind, ())
    return replace(view, fields={**view.fields, **{n: MARKERS[n] for n in names}})


def fill_markers(text: str, view: LetterView) -> str:
    """The letter's words with each marker replaced by the submitted answer."""
    for name in FORM_FIELDS.get(view.kind, ()):
        text = text.replace(MARKERS[name], view.fields.get(name, ""))
    return text


def uk_date(day: date) -> str:
    """A date as people in the UK write it in a letter: '4 December 2026'."""
    return f"{day.day} {day:%B %Y}"


def local_day(at: datetime, timezone: str) -> date:
    """The calendar day ``at`` falls on in the desk's time zone."""
    return at.astimezone(ZoneInfo(timezone)).date()


def _view(case: Case, kind: LetterKind, company: CompanyDetails, today: date,
          **fields: str) -> LetterView:
    expected = set(LETTER_FIELDS[kind])
    if set(fields) != expected:
        raise ValueError(f"{kind.value} letter needs fields {sorted(expected)}, "
                         f"got {sorted(fields)}")
    return _from_intake(case.reference, case.intake, kind, company, today, fields)


def _from_intake(reference: str, intake: IntakeRecord, kind: LetterKind,
                 company: CompanyDetails, today: date, fields: Mapping[str, str]) -> LetterView:
    address = tuple(line.strip() for line in (intake.postal_address or "").splitlines()
                    if line.strip())
    return LetterView(kind=kind, subject=f"{LETTER_LABELS[kind]} ({reference})",
                      reference=reference, date=uk_date(today),
                      complainant_name=intake.complainant_name,
                      organisation=intake.organisation, address_lines=address,
                      email=str(intake.email) if intake.email else None, company=company,
                      fields=dict(fields))


def _due_day(case: Case, kind: DeadlineKind, timezone: str) -> str:
    deadline = case.deadlines.get(kind)
    return uk_date(local_day(deadline.due_at, timezone)) if deadline else "soon"


def intake_script(case: Case, company: CompanyDetails, today: date, *, timezone: str,
                  reply_days: int) -> LetterView:
    """What to tell the complainant at first contact: what happens next, by when."""
    return _view(case, LetterKind.INTAKE_SCRIPT, company, today,
                 acknowledge_by=_due_day(case, DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, timezone),
                 investigate_by=_due_day(case, DeadlineKind.INVESTIGATION, timezone),
                 reply_days=str(reply_days))


def stage_one_acknowledgement(case: Case, company: CompanyDetails, today: date, *,
                              owner_name: str, reply_by: date) -> LetterView:
    """Who is dealing with it and when to expect a reply; the procedure goes with it."""
    return _view(case, LetterKind.STAGE_ONE_ACKNOWLEDGEMENT, company, today,
                 owner_name=owner_name, reply_by=uk_date(reply_by))


def stage_one_reply(case: Case, company: CompanyDetails, today: date, *, outcome: Outcome,
                    suggestions: str, writer_name: str) -> LetterView:
    """The outcome, the suggestions for resolving, and how to ask for a review."""
    return _view(case, LetterKind.STAGE_ONE_REPLY, company, today,
                 outcome=OUTCOME_LABELS[outcome], suggestions=suggestions,
                 writer_name=writer_name)


def stage_two_acknowledgement(case: Case, company: CompanyDetails, today: date, *,
                              reviewer_name: str, reply_by: date) -> LetterView:
    """Who will deal with the review and when to expect the reply."""
    return _view(case, LetterKind.STAGE_TWO_ACKNOWLEDGEMENT, company, today,
                 reviewer_name=reviewer_name, reply_by=uk_date(reply_by))


def progress_update(case: Case, company: CompanyDetails, today: date, *, reason: str,
                    reply_by: date, writer_name: str) -> LetterView:
    """Why the review is not complete and when the full reply will be given."""
    return _view(case, LetterKind.PROGRESS_UPDATE, company, today, reason=reason,
                 reply_by=uk_date(reply_by), writer_name=writer_name)


def final_decision(case: Case, company: CompanyDetails, today: date, *, outcome: Outcome,
                   reasons: str, remedy: str, writer_name: str) -> LetterView:
    """The decision, its reasons, what we will do; the decision is final."""
    return _view(case, LetterKind.FINAL_DECISION, company, today,
                 outcome=OUTCOME_LABELS[outcome], reasons=reasons, remedy=remedy,
                 writer_name=writer_name)


def resolution(case: Case, company: CompanyDetails, today: date, *, resolution: str,
               writer_name: str) -> LetterView:
    """Customer services resolved it directly."""
    return _view(case, LetterKind.RESOLUTION, company, today, resolution=resolution,
                 writer_name=writer_name)


# Long values with characters that need escaping in HTML, and Welsh and accented names.
SAMPLE_NAME = "Siân Llŷr-O'Brien & Zoë < Måns> \"Ffion\" Ðorđević"
SAMPLE_TEXT = "Refund of £25 <in full> & an apology; \"quoted\" and 'single' — Dŵr ac ŵyn. "


def _long(text: str, limit: int) -> str:
    return (text * (limit // len(text) + 1))[:limit].strip()


def sample_views(company: CompanyDetails, today: date = date(2026, 12, 4)) -> list[LetterView]:
    """One view of every kind with the longest allowed values: to check templates at start."""
    name = _long(SAMPLE_NAME, MAX_SHORT)
    address = tuple(_long(f"Flat 1 & 2, Heol y Coed <{n}>", MAX_ADDRESS // 5)
                    for n in range(5))
    views = []
    for kind, names in LETTER_FIELDS.items():
        fields = {n: _long(SAMPLE_TEXT, 1500) for n in names}
        views.append(LetterView(kind=kind, subject=f"{LETTER_LABELS[kind]} (TT-2026-0001)",
                                reference="TT-2026-0001", date=uk_date(today),
                                complainant_name=name, organisation=name,
                                address_lines=address, email="sian@example.cymru",
                                company=company, fields=fields))
    return views


class LetterWriter(Protocol):
    """What a chat surface needs from the letters surface to preview a letter."""

    @property
    def mail_configured(self) -> bool:
        """Whether letters can go by email at all (a mail server is set up)."""
        ...

    def text(self, view: LetterView) -> str:
        """The letter's words as its template says them (the editable preview)."""
        ...

    def attachments(self, view: LetterView, text: str | None = None
                    ) -> list[tuple[str, bytes]]:
        """The letter as a PDF (and the procedure's, where enclosed): to print and post."""
        ...


METHOD_LABELS: dict[DeliveryMethod, str] = {
    DeliveryMethod.EMAIL: "Email it to the complainant",
    DeliveryMethod.POST: "Post it (I get a PDF to print)",
    DeliveryMethod.PHONE: "I told them by phone (keep the text as what was said)",
}


@dataclass(frozen=True)
class LetterChoice:
    """The letter part of a step's modal: how it may go, and the words to edit."""

    kind: LetterKind
    methods: tuple[DeliveryMethod, ...]
    default: DeliveryMethod
    text: str
    notes: tuple[str, ...] = ()


def letter_choice(view: LetterView, text: str, *, mail_configured: bool) -> LetterChoice:
    """Which ways the letter may go for this complainant, the usual one first."""
    methods: list[DeliveryMethod] = []
    notes: list[str] = []
    if not mail_configured:
        notes.append("Email is not set up on this desk (COMPLAINTS_SMTP_URL): post it or "
                     "tell them by phone.")
    elif not view.email:
        notes.append("The complainant gave no email address.")
    else:
        methods.append(DeliveryMethod.EMAIL)
    if view.address_lines:
        methods.append(DeliveryMethod.POST)
    methods.append(DeliveryMethod.PHONE)
    return LetterChoice(kind=view.kind, methods=tuple(methods), default=methods[0],
                        text=text, notes=tuple(notes))
