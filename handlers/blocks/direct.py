"""Timeline lines and direct messages: the words of ``cases.wording`` and ``cases.messages``
in Slack mrkdwn, with an emoji for each and Block Kit buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from cases.events import TimelineEvent as E
from cases.lifecycle import Action
from cases.messages import (
    Button,
    DirectMessageView,
    Link,
    changes_requested_words,
    direct_message_view,
    investigator_assigned_words,
    logged_words,
    person_informed_words,
    person_responded_words,
    review_delegated_words,
)
from cases.views import CaseCardView, DatesToTell, DisplayCalendar
from cases.wording import Template, TimelineLine, timeline_line
from handlers.blocks._common import (
    Message,
    case_button,
    escape,
    fallback,
    mrkdwn,
    require_id,
    sections,
)
from handlers.ids import ACTION_BUTTONS, ActionId, BlockId, CaseRef

TIMELINE_EMOJI: dict[E, str] = {
    E.LOGGED: ":inbox_tray:",
    E.ACKNOWLEDGED: ":envelope_with_arrow:",
    E.RESOLVED: ":handshake:",
    E.INVESTIGATOR_ASSIGNED: ":mag:",
    E.INVESTIGATION_CONCLUDED: ":clipboard:",
    E.REPLIED: ":outbox_tray:",
    E.WITHDRAWN: ":no_entry_sign:",
    E.CLOSED: ":lock:",
    E.REVIEW_REQUESTED: ":arrow_double_up:",
    E.REVIEW_ACKNOWLEDGED: ":eyes:",
    E.REVIEW_DELEGATED: ":busts_in_silhouette:",
    E.PERSON_RESPONDED: ":speech_balloon:",
    E.NO_RESPONSE: ":hourglass:",
    E.PROGRESS_UPDATE: ":calendar:",
    E.CHANGES_REQUESTED: ":leftwards_arrow_with_hook:",
    E.DECISION_APPROVED: ":white_check_mark:",
    E.NOTE: ":memo:",
}

DM_EMOJI: dict[Template, str] = {
    Template.LOGGED: ":white_check_mark:",
    Template.INVESTIGATOR_ASSIGNED: ":mag:",
    Template.PERSON_INFORMED: ":speech_balloon:",
    Template.REVIEW_DELEGATED: ":busts_in_silhouette:",
    Template.PERSON_RESPONDED: ":speech_balloon:",
    Template.CHANGES_REQUESTED: ":leftwards_arrow_with_hook:",
    Template.FINAL_LETTER_DUE: ":envelope:",
}

LINK_BUTTONS: dict[Link, ActionId] = {
    Link.VIEW_DETAILS: ActionId.VIEW_DETAILS,
    Link.OPEN_CASE: ActionId.OPEN_CASE,
    Link.SEND_FINAL_LETTER: ActionId.SEND_FINAL_LETTER,
}


def timeline_line_text(line: TimelineLine) -> str:
    """One thread line in mrkdwn, with the event's emoji."""
    emoji = TIMELINE_EMOJI.get(line.event) if line.event else None
    text = mrkdwn(line.words)
    return f"{emoji} {text}" if emoji else text


def timeline_text(payload: Mapping[str, Any], calendar: DisplayCalendar | None = None) -> str:
    """One short thread line for a history event; mentions only, never personal data.

    ``calendar`` is accepted for symmetry with the other builders: the thread message
    carries its own timestamp, so the line itself shows only dates.
    """
    return timeline_line_text(timeline_line(payload))


def button(b: Button, ref: CaseRef) -> ButtonElement:
    """A view model's button as a Block Kit button carrying the case reference."""
    action_id = (ACTION_BUTTONS[b.target] if isinstance(b.target, Action)
                 else LINK_BUTTONS[b.target])
    return case_button(action_id, ref, label=b.label, style="primary" if b.primary else None)


def _quote(text: str) -> list[Block]:
    quoted = "> " + escape(text).replace("\n", "\n> ")
    return list(sections(quoted))


def dm_message(view: DirectMessageView) -> Message:
    """A direct message: its paragraphs (the first with the template's emoji), any quote
    in full, and its buttons."""
    blocks: list[Block] = []
    for i, paragraph in enumerate(view.paragraphs):
        text = "\n".join(mrkdwn(line) for line in paragraph)
        if i == 0 and view.template in DM_EMOJI:
            text = f"{DM_EMOJI[view.template]} {text}"
        blocks.extend(sections(text))
    if view.quote is not None:
        blocks.extend(_quote(view.quote))
    if view.buttons:
        ref = CaseRef(require_id(view.case_id, view.reference), view.version)
        blocks.append(ActionsBlock(block_id=BlockId.DM_ACTIONS.value,
                                   elements=[button(b, ref) for b in view.buttons]))
    return fallback(view.summary), blocks


def logged_dm(reference: str, dates: DatesToTell) -> Message:
    """To the person who logged it: the reference and what to tell the complainant."""
    return dm_message(logged_words(reference, dates))


def investigator_assigned_dm(view: CaseCardView) -> Message:
    """To the investigator: you have a case to investigate."""
    return dm_message(investigator_assigned_words(view))


def person_informed_dm(view: CaseCardView) -> Message:
    """To the staff member a complaint is about: it is under review; they may respond."""
    return dm_message(person_informed_words(view))


def review_delegated_dm(view: CaseCardView, by: str) -> Message:
    """To the delegate: a director asked you to carry out the Stage Two review."""
    return dm_message(review_delegated_words(view, by))


def person_responded_dm(view: CaseCardView) -> Message:
    """To the reviewer and delegate: the named person has given their response."""
    return dm_message(person_responded_words(view))


def changes_requested_dm(view: CaseCardView, by: str, comment: str) -> Message:
    """To the drafter: a director sent the draft decision back with a comment."""
    return dm_message(changes_requested_words(view, by, comment))


def direct_message(payload: Mapping[str, Any], view: CaseCardView,
                   dates: DatesToTell | None = None) -> Message:
    """Render a ``direct`` Notice payload by its template."""
    return dm_message(direct_message_view(payload, view, dates))

