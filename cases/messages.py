"""View models of the messages people get: direct messages, deadline alerts, digests.

Built from a notice payload and the case card's view model; every word is decided here,
as ``cases.wording`` lines. A surface renders them with its own markup and buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from cases.alerts import AlertKind
from cases.audience import Audience, channel_audience
from cases.communications import final_letter_due_words
from cases.lifecycle import Action
from cases.model import Case, DeadlineKind
from cases.views import CaseCardView, DatesToTell
from cases.wording import Line, Person, Strong, Template, template_of


class Link(StrEnum):
    """Buttons that open something rather than take a step of the procedure."""

    VIEW_DETAILS = "view_details"
    OPEN_CASE = "open_case"
    SEND_FINAL_LETTER = "send_final_letter"


@dataclass(frozen=True)
class Button:
    target: Action | Link
    label: str
    primary: bool = False


@dataclass(frozen=True)
class DirectMessageView:
    """A message to one person: a short summary, paragraphs, maybe a quote, buttons."""

    template: Template
    case_id: int | None
    version: int
    reference: str
    summary: Line
    paragraphs: tuple[tuple[Line, ...], ...]
    quote: str | None = None
    buttons: tuple[Button, ...] = ()
    audience: Audience = Audience.PERSON


class LocalTime(Protocol):
    def local(self, at: datetime) -> datetime: ...


def _days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"


def due_phrase(label: str, due_at: datetime, as_of: date, calendar: LocalTime,
               overdue_days: int | None = None) -> str:
    """'Acknowledgement due 17:00 today', '... due 17:00 Tue 7 Apr', '... was due ... (2 late)'."""
    local = calendar.local(due_at)
    when = f"{local:%H:%M} today" if local.date() == as_of else f"{local:%H:%M} {local:%a %-d %b}"
    if overdue_days is None:
        return f"{label} due {when}"
    late = f"overdue by {_days(overdue_days)}" if overdue_days else "overdue"
    return f"{label} was due {when}, {late}"


# ---- direct messages ----------------------------------------------------------------------

def _due(view: CaseCardView, kind: DeadlineKind) -> str:
    """The reader's own next deadline, in words: '<label> is due <when> (<time left>).'"""
    d = view.deadline_of(kind)
    if d is None:
        return ""
    return f" {d.label} is due {d.due} ({d.time_left})."


def _dm(template: Template, view: CaseCardView, summary: Line, *paragraphs: tuple[Line, ...],
        quote: str | None = None, buttons: tuple[Button, ...] = ()) -> DirectMessageView:
    return DirectMessageView(template=template, case_id=view.case_id, version=view.version,
                             reference=view.reference, summary=summary,
                             paragraphs=paragraphs, quote=quote, buttons=buttons)


def final_letter_due_view(view: CaseCardView) -> DirectMessageView:
    """To the owner: the decision is approved; send its letter (the button opens it)."""
    words = final_letter_due_words(view.reference)
    return _dm(Template.FINAL_LETTER_DUE, view, (words,), ((words,),),
               buttons=(Button(Link.SEND_FINAL_LETTER, "Send final letter", True),
                        Button(Link.VIEW_DETAILS, "View details")))


def logged_words(ref: str, dates: DatesToTell, script: str | None = None
                 ) -> DirectMessageView:
    """To the person who logged it: the reference and what to tell the complainant, with
    the company's own call script (its ``intake_script`` letter template) when given."""
    return DirectMessageView(
        Template.LOGGED, None, 0, ref,
        (f"{ref} is logged. Tell the complainant: acknowledgement by {dates.acknowledge_by}, "
         f"investigation by {dates.investigate_by}, reply by {dates.reply_expected_by}.",),
        ((("Complaint ", Strong(ref), f" is logged (received {dates.received}). Its card is "
          "in the customer-services channel."),),
        ((Strong("What to tell the complainant"), " (quote reference ", Strong(ref), "):"),
         ("• We have logged your complaint; we will acknowledge it by ",
          Strong(dates.acknowledge_by), ", with a copy of our complaints procedure and the "
          "name of the person dealing with it."),
         ("• We will investigate and take appropriate action by ",
          Strong(dates.investigate_by), "."),
         ("• You can expect our reply, with suggestions for resolving the matter, by ",
          Strong(dates.reply_expected_by), " at the latest."),
         ("• If you are not satisfied with our reply you can ask for a review by a Director.",)),
        ) + ((((Strong("In the company's words"), " (its call script):"),),) if script else ()),
        quote=script,
    )


def investigator_assigned_words(view: CaseCardView) -> DirectMessageView:
    """To the investigator: you have a case to investigate."""
    return _dm(
        Template.INVESTIGATOR_ASSIGNED, view,
        (f"You have been asked to investigate {view.reference} ({view.summary})."
         + _due(view, DeadlineKind.INVESTIGATION),),
        (("You have been asked to investigate ", Strong(view.reference),
          f" ({view.summary})." + _due(view, DeadlineKind.INVESTIGATION)),),
        buttons=(Button(Action.CONCLUDE_INVESTIGATION, "Investigation concluded", True),
                 Button(Link.VIEW_DETAILS, "View details")),
    )


def person_informed_words(view: CaseCardView, responded: bool = False) -> DirectMessageView:
    """To the staff member a complaint is about: it is under review; they may respond.

    Once they have responded the same message is redrawn without its Respond button.
    """
    if responded:
        return _dm(
            Template.PERSON_INFORMED, view,
            (f"A complaint that concerns you ({view.reference}) is under Stage Two review. "
             "You have given your response.",),
            (("A complaint that concerns you, ", Strong(view.reference),
              f" ({view.summary}), is under Stage Two review. You have given your response; "
              "it is in the case record for the review."),),
        )
    d = view.deadline_of(DeadlineKind.PERSON_RESPONSE)
    due = f" Please respond by {d.due} ({d.time_left})." if d is not None else ""
    return _dm(
        Template.PERSON_INFORMED, view,
        (f"A complaint that concerns you ({view.reference}) is under Stage Two review. "
         "You may give your response." + due,),
        (("A complaint that concerns you, ", Strong(view.reference),
          f" ({view.summary}), is under Stage Two review. The procedure gives you the "
          "opportunity to respond before a decision is taken." + due),),
        buttons=(Button(Action.RECORD_PERSON_RESPONSE, "Respond", True),),
    )


def review_delegated_words(view: CaseCardView, by: str) -> DirectMessageView:
    """To the delegate: a director asked you to carry out the Stage Two review."""
    due = _due(view, DeadlineKind.STAGE_TWO_REPLY)
    return _dm(
        Template.REVIEW_DELEGATED, view,
        (Person(by), f" delegated the Stage Two review of {view.reference} to you." + due),
        ((Person(by), " delegated the Stage Two review of ", Strong(view.reference),
          f" ({view.summary}) to you." + due),),
        buttons=(Button(Action.PROPOSE_DECISION, "Draft decision", True),
                 Button(Action.SEND_PROGRESS_UPDATE, "Send progress update"),
                 Button(Link.VIEW_DETAILS, "View details")),
    )


def person_responded_words(view: CaseCardView) -> DirectMessageView:
    """To the reviewer and delegate: the named person has given their response."""
    due = _due(view, DeadlineKind.STAGE_TWO_REPLY)
    return _dm(
        Template.PERSON_RESPONDED, view,
        (f"The person complaint {view.reference} is about has given their response; it is "
         "in the case record for the review." + due,),
        (("The person complaint ", Strong(view.reference), " is about has given their "
          "response; it is in the case record for your review." + due),),
    )


def changes_requested_words(view: CaseCardView, by: str, comment: str) -> DirectMessageView:
    """To the drafter: a director sent the draft decision back with a comment (shown whole)."""
    due = _due(view, DeadlineKind.STAGE_TWO_REPLY)
    return _dm(
        Template.CHANGES_REQUESTED, view,
        (Person(by), f" asked for changes to your draft decision on {view.reference}." + due),
        ((Person(by), " asked for changes to your draft decision on ",
          Strong(view.reference), f".{due} What they asked:"),),
        quote=comment,
        buttons=(Button(Action.PROPOSE_DECISION, "Redraft decision", True),),
    )


PART_LABELS = {"owner": "owner", "investigator": "investigator",
               "delegate": "Stage Two delegate"}


# The deadline each part answers for; the owner answers for the case's next one.
PART_DEADLINES = {"investigator": DeadlineKind.INVESTIGATION,
                  "delegate": DeadlineKind.STAGE_TWO_REPLY}


def _part_due(view: CaseCardView, part: str) -> str:
    kind = PART_DEADLINES.get(part)
    if kind is not None:
        return _due(view, kind)
    d = view.deadline
    return "" if d is None else f" {d.label} is due {d.due} ({d.time_left})."


def reassigned_words(view: CaseCardView, payload: Mapping[str, Any]) -> DirectMessageView:
    """To the new holder of a part (with their own next deadline), or to the one before."""
    part_key = str(payload.get("part"))
    part = PART_LABELS.get(part_key, "owner")
    by = Person(str(payload.get("by") or "") or None, nobody="someone")
    if payload.get("side") == "previous":
        to = Person(str(payload.get("to") or "") or None, nobody="someone else")
        return _dm(Template.REASSIGNED, view,
                   (by, " made ", to, f" the {part} of {view.reference} in your place."),
                   ((by, " made ", to, f" the {part} of ", Strong(view.reference),
                     f" ({view.summary}) in your place. Nothing more is needed from you "
                     "for this part."),))
    return _dm(Template.REASSIGNED, view,
               (by, f" made you the {part} of {view.reference}." + _part_due(view, part_key)),
               ((by, f" made you the {part} of ", Strong(view.reference),
                 f" ({view.summary})." + _part_due(view, part_key)),),
               buttons=(Button(Link.VIEW_DETAILS, "View details"),))


def direct_message_view(payload: Mapping[str, Any], view: CaseCardView,
                        dates: DatesToTell | None = None, *,
                        script: str | None = None) -> DirectMessageView:
    """The view model of a ``direct`` notice (not an alert), by its template.

    ``script``: the company's call script for the ``logged`` DM, where a surface has it.
    """
    template = template_of(payload)
    if template is Template.LOGGED:
        if dates is None:
            raise ValueError("the logged DM needs the dates to tell the complainant")
        return logged_words(view.reference, dates, script)
    if template is Template.INVESTIGATOR_ASSIGNED:
        return investigator_assigned_words(view)
    if template is Template.PERSON_INFORMED:
        return person_informed_words(view)
    if template is Template.REVIEW_DELEGATED:
        return review_delegated_words(view, str(payload.get("by", "")))
    if template is Template.PERSON_RESPONDED:
        return person_responded_words(view)
    if template is Template.CHANGES_REQUESTED:
        return changes_requested_words(view, str(payload.get("by", "")),
                                       str(payload.get("comment") or ""))
    if template is Template.REASSIGNED:
        return reassigned_words(view, payload)
    if template is Template.FINAL_LETTER_DUE:
        return final_letter_due_view(view)
    raise ValueError(f"unknown DM template {payload.get('template')!r}")


# ---- alerts and digests -------------------------------------------------------------------

ALERT_HEADLINES: dict[AlertKind, str] = {
    AlertKind.DUE_SOON: "Due soon",
    AlertKind.DUE_TODAY: "Due today",
    AlertKind.OVERDUE: "Overdue",
    AlertKind.ESCALATED: "Overdue Stage One deadline raised to directors",
}
NO_OWNER = "no owner yet"
# On the card and in the digest, until the approved decision's letter is recorded as sent.
UNSENT_FINAL_LETTER = "Final decision letter not sent to the complainant yet"


@dataclass(frozen=True)
class AlertView:
    """One deadline alert: which case, the deadline in words, who answers for it."""

    case_id: int
    reference: str
    kind: AlertKind | None
    headline: str
    phrase: str
    owner: Person
    buttons: tuple[Button, ...] = (Button(Link.OPEN_CASE, "Open case"),)
    owner_part: str = "Owner"  # what the person who must act is on the case


def _alert_kind(value: object) -> AlertKind | None:
    try:
        return AlertKind(str(value))
    except ValueError:
        return None


def _overdue(payload: Mapping[str, Any]) -> int | None:
    if payload.get("alert") in (AlertKind.OVERDUE, AlertKind.ESCALATED):
        return int(payload.get("overdue_days") or 0)
    value = payload.get("overdue_days")
    return None if value is None or payload.get("alert") else int(value)


def alert_view(payload: Mapping[str, Any], case_id: int, calendar: LocalTime) -> AlertView:
    """The view model of an alert notice (as a DM, a thread line or a channel post)."""
    kind = _alert_kind(payload.get("alert"))
    phrase = due_phrase(str(payload["label"]), datetime.fromisoformat(str(payload["due_at"])),
                        date.fromisoformat(str(payload["as_of"])), calendar, _overdue(payload))
    owner = payload.get("owner")
    return AlertView(case_id=case_id, reference=str(payload["reference"]), kind=kind,
                     headline=ALERT_HEADLINES[kind] if kind else "Deadline", phrase=phrase,
                     owner=Person(str(owner) if owner else None, nobody=NO_OWNER),
                     owner_part=str(payload.get("owner_part") or "Owner"))


@dataclass(frozen=True)
class DigestItem:
    case_id: int
    reference: str
    phrase: str
    owner: Person


@dataclass(frozen=True)
class DigestGroup:
    heading: str
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class DigestView:
    """One team's daily digest: what is overdue, what is due today, how many more."""

    audience: Audience
    title: str
    summary: str
    groups: tuple[DigestGroup, ...]
    more: int
    empty: str = "Nothing is due today or overdue."

    @property
    def items(self) -> tuple[DigestItem, ...]:
        """Every item listed, overdue first."""
        return tuple(i for g in self.groups for i in g.items)


def _digest_item(i: Mapping[str, Any], as_of: date, calendar: LocalTime) -> DigestItem:
    owner = i.get("owner")
    return DigestItem(
        case_id=int(i["case_id"]), reference=str(i["reference"]),
        phrase=due_phrase(str(i["label"]), datetime.fromisoformat(str(i["due_at"])), as_of,
                          calendar, i.get("overdue_days")),
        owner=Person(str(owner) if owner else None, nobody=NO_OWNER))


def digest_view(payload: Mapping[str, Any], calendar: LocalTime) -> DigestView:
    """The view model of a digest notice: every item it carries, and the count of the rest."""
    as_of = date.fromisoformat(str(payload["as_of"]))
    items = list(payload.get("items") or [])
    more = int(payload.get("more") or 0)
    today = [_digest_item(i, as_of, calendar) for i in items if i.get("overdue_days") is None]
    late = [_digest_item(i, as_of, calendar) for i in items
            if i.get("overdue_days") is not None]
    unsent = [DigestItem(case_id=int(i["case_id"]), reference=str(i["reference"]),
                         phrase=UNSENT_FINAL_LETTER,
                         owner=Person(str(i["owner"]) if i.get("owner") else None,
                                      nobody=NO_OWNER))
              for i in payload.get("unsent_letters") or []]
    summary = (f"Deadlines today: {len(today)} due today, {len(late) + more} overdue"
               if items or more else "Deadlines today: nothing due today or overdue")
    if unsent:
        summary += f"; {len(unsent)} final letter(s) not sent"
    groups = tuple(DigestGroup(heading, tuple(group))
                   for heading, group in (("Overdue", late), ("Due today", today),
                                          ("Final decision letter not sent", unsent))
                   if group)
    return DigestView(audience=channel_audience(payload),
                      title=f"Deadlines for {as_of:%a %-d %b %Y}", summary=summary,
                      groups=groups, more=more)


def alert_retired(case: Case | None, payload: Mapping[str, Any]) -> bool:
    """A deadline alert whose deadline is no longer open at that due time: do not send it."""
    if template_of(payload) is not Template.ALERT or case is None:
        return False
    deadline = case.deadlines.get(DeadlineKind(str(payload["deadline"])))
    if deadline is None or not deadline.is_open:
        return True
    return deadline.due_at != datetime.fromisoformat(str(payload["due_at"]))
