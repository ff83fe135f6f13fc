"""The words of every message, as plain text with a little structure; no markup.

A line is a tuple of spans: plain text, ``Strong`` (emphasis) and ``Person`` (someone by
id, whom each surface shows its own way: a Slack mention, a display name in an email).
Each surface applies its markup to these; the words themselves are decided here once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from cases.audience import Audience, timeline_audience
from cases.events import TimelineEvent as E
from cases.events import event_of
from cases.model import OUTCOME_LABELS, Outcome


class Template(StrEnum):
    """Every message template. The values are the names stored in outbox payloads."""

    LOGGED = "logged"
    INVESTIGATOR_ASSIGNED = "investigator_assigned"
    PERSON_INFORMED = "person_informed"
    REVIEW_DELEGATED = "review_delegated"
    PERSON_RESPONDED = "person_responded"
    CHANGES_REQUESTED = "changes_requested"
    DECISION_PROPOSED = "decision_proposed"
    REASSIGNED = "reassigned"
    ALERT = "alert"
    DIGEST = "digest"
    # Letters to the complainant (``cases.communications``): the posted letter's PDF to
    # its sender, a refused email to the owner, the final letter still to send.
    LETTER_TO_POST = "letter_to_post"
    LETTER_REFUSED = "letter_refused"
    FINAL_LETTER_DUE = "final_letter_due"
    QUARTERLY_REVIEW = "quarterly_review"
    REVIEW_ACTION_ASSIGNED = "review_action_assigned"
    REVIEW_ACTION_REMINDER = "review_action_reminder"


def template_of(payload: Mapping[str, Any]) -> Template | None:
    """The template a notice payload names; None for a payload without a known one."""
    try:
        return Template(str(payload.get("template")))
    except ValueError:
        return None


@dataclass(frozen=True)
class Strong:
    """Words to stand out (a reference, a date to quote)."""

    text: str


@dataclass(frozen=True)
class Person:
    """Someone by id; ``nobody`` is shown when no one holds the part."""

    id: str | None
    nobody: str = "not yet assigned"


Span = str | Strong | Person
Line = tuple[Span, ...]


def plain_text(line: Line, name: Callable[[str], str] = str) -> str:
    """A line as plain text, people shown by ``name`` (their id unless told otherwise)."""
    out: list[str] = []
    for span in line:
        if isinstance(span, Strong):
            out.append(span.text)
        elif isinstance(span, Person):
            out.append(name(span.id) if span.id else span.nobody)
        else:
            out.append(span)
    return "".join(out)


# ---- timeline lines ---------------------------------------------------------------------

@dataclass(frozen=True)
class TimelineLine:
    """One line in a case's thread for a history event (never personal data)."""

    event: E | None
    audience: Audience
    words: Line


def day_words(value: Any) -> str:
    """An ISO date (or datetime) from a payload, as people read it."""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return "an unreadable date"
        return f"{day:%a} {day.day} {day:%b %Y}"
    return "an unknown date"


def outcome_words(value: Any) -> str:
    """An outcome name from a payload, as its label."""
    try:
        return OUTCOME_LABELS[Outcome(value)]
    except ValueError:
        return "an unknown outcome"


def _stage_one_words(what: E | None, who: Person, p: Mapping[str, Any]) -> Line | None:
    if what is E.LOGGED:
        channel = str(p.get("channel", "")).replace("_", " ")
        return (who, f" logged the complaint (received by {channel or 'unknown'}).")
    if what is E.ACKNOWLEDGED:
        return (who, " acknowledged it: ", Person(p.get("owner")),
                f" deals with it; reply promised by {day_words(p.get('promised_reply_by'))}; "
                "procedure sent.")
    if what is E.RESOLVED:
        return (who, " recorded a resolution by customer services.")
    if what is E.INVESTIGATOR_ASSIGNED:
        return (who, " assigned ", Person(p.get("investigator")), " to investigate.")
    if what is E.INVESTIGATION_CONCLUDED:
        return (who, " recorded that the investigation has concluded.")
    if what is E.REPLIED:
        return (who, f" sent the Stage One reply: {outcome_words(p.get('outcome'))}.")
    if what is E.WITHDRAWN:
        return (who, " recorded that the complainant withdrew the complaint.")
    if what is E.CLOSED:
        return ("Closed: no Stage Two review was requested within the window.",)
    if what is E.NOTE:
        return (who, " added a note to the case history.")
    return None


def _stage_two_words(what: E | None, who: Person, p: Mapping[str, Any]) -> Line | None:
    if what is E.REVIEW_REQUESTED:
        return (who, " recorded a request for a Stage Two review.")
    if what is E.REVIEW_ACKNOWLEDGED:
        return (who, " acknowledged the review; definitive reply by "
                     f"{day_words(p.get('reply_by'))}.")
    if what is E.REVIEW_DELEGATED:
        return (who, " delegated the review to ", Person(p.get("delegate")), ".")
    if what is E.PERSON_RESPONDED:
        return (who, " gave their response to the review.")
    if what is E.NO_RESPONSE:
        return ("The named person did not respond within the time allowed.",)
    if what is E.PROGRESS_UPDATE:
        return (who, " sent a progress update: full reply now by "
                     f"{day_words(p.get('new_reply_by'))}.")
    if what is E.CHANGES_REQUESTED:
        return (who, " asked for changes to the draft decision.")
    if what is E.DECISION_APPROVED:
        return (who, f" approved the final decision: {outcome_words(p.get('outcome'))}. "
                     "The procedure is complete.")
    return None


def timeline_line(payload: Mapping[str, Any]) -> TimelineLine:
    """The thread line for a ``timeline`` notice: who did what, mentions only."""
    what = str(payload.get("what", ""))
    event = event_of(what)
    actor = payload.get("actor")
    who = Person(str(actor) if actor and actor != "system" else None, nobody="The bot")
    words = _stage_one_words(event, who, payload) or _stage_two_words(event, who, payload)
    if words is None:
        words = (who, f" recorded: {what.replace('_', ' ') or 'an event'}.")
    return TimelineLine(event=event, audience=timeline_audience(what), words=words)
