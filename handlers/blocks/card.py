"""The case card and the drafted decision: the two messages that are updated in place.

Pure functions of view models; neither carries the complainant's personal data.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from cases.audience import Audience
from cases.messages import UNSENT_FINAL_LETTER
from cases.views import MARKER_LABELS, CaseCardView, DeadlineView, DecisionView, Marker
from handlers.blocks._common import (
    FIELD_TEXT_MAX,
    HEADER_TEXT_MAX,
    MARKER_EMOJI,
    PHASE_EMOJI,
    Message,
    case_button,
    clip,
    context,
    escape,
    mention,
    plain,
    require_id,
    section,
    sections,
)
from handlers.ids import ActionId, BlockId, CaseRef

MAX_PROGRESS_SHOWN = 5
MAX_CHANGE_REQUESTS_SHOWN = 3


# ---- the case card --------------------------------------------------------------------

def deadline_line(deadline: DeadlineView | None) -> str:
    """':red_circle: *Acknowledgement* due Fri 10 Jan 2025 17:00 (overdue by 2 working days)'."""
    if deadline is None:
        return "_No deadline owed._"
    if deadline.marker is Marker.INFORMATION:  # the complainant's time, not a task
        return f"{MARKER_EMOJI[deadline.marker]} *{deadline.label}* {deadline.due}: " \
               f"{deadline.time_left}."
    return (f"{MARKER_EMOJI[deadline.marker]} *{deadline.label}* due {deadline.due} "
            f"— {deadline.time_left} ({MARKER_LABELS[deadline.marker].lower()})")


def tracker_line(view: CaseCardView) -> str:
    """The phase tracker on one line, the current phase in bold."""
    parts = []
    for step in view.phases:
        name = f"*{step.name}*" if step.status == "current" else step.name
        parts.append(f"{PHASE_EMOJI[step.status]} {name}")
    return "  →  ".join(parts)


def _field(label: str, value: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(f"*{label}*\n{value}", FIELD_TEXT_MAX))


def _stage_two_blocks(view: CaseCardView) -> list[Block]:
    s2 = view.stage_two
    if s2 is None:
        return []
    fields = [
        _field("Reviewer", mention(s2.reviewer)),
        _field("Delegate", mention(s2.delegate, nobody="none")),
        _field("Reply by", s2.reply_by or "_set when the review is acknowledged_"),
        _field("Review requested", s2.requested_at or "_unknown_"),
    ]
    if s2.original_reply_by:
        fields.append(_field("Originally due", s2.original_reply_by))
    if s2.person_named:
        received = "yes" if s2.person_response_received else "no"
        informed = "yes" if s2.person_informed else "not yet"
        fields.append(_field("Named person", f"informed: {informed}\nresponse received: "
                                             f"{received}"))
    blocks: list[Block] = [
        SectionBlock(block_id=BlockId.CARD_STAGE_TWO.value, fields=fields[:10]),
    ]
    updates = s2.progress_updates
    if updates:
        # The latest few, each reason whole (split across sections if need be); the
        # earlier ones are counted, their dates are in the thread.
        shown = updates[-MAX_PROGRESS_SHOWN:]
        lines = [f"*Progress updates ({len(updates)})*"]
        if len(updates) > len(shown):
            lines.append(f"_{len(updates) - len(shown)} earlier update(s) in the thread._")
        for u in shown:
            lines.append(f"• {u.at} by <@{u.by}>: new reply date {u.new_reply_by}. "
                         + escape(u.reason))
        blocks.extend(sections("\n".join(lines), block_id=BlockId.CARD_PROGRESS.value))
    return blocks


def case_card_message(view: CaseCardView) -> Message:
    """The case card (customer services, or the directors' Stage Two card), with fallback."""
    case_id = require_id(view.case_id, view.reference)
    ref = CaseRef(case_id, view.version)
    title = f"{view.reference} · {view.summary}"
    if view.surface is Audience.DIRECTORS:
        title = f"Stage Two · {title}"
    fields = [
        _field("Stage", "Two" if view.stage == 2 else "One"),
        _field("Phase", view.phase_label),
        _field("Owner", mention(view.owner)),
        _field("Received", view.received),
    ]
    if view.investigator:
        fields.append(_field("Investigator", mention(view.investigator)))
    blocks: list[Block] = [
        HeaderBlock(block_id=BlockId.CARD_HEADER.value, text=plain(title, HEADER_TEXT_MAX)),
        SectionBlock(block_id=BlockId.CARD_SUMMARY.value, fields=fields),
        section(deadline_line(view.deadline), block_id=BlockId.CARD_DEADLINE.value),
        context(tracker_line(view), block_id=BlockId.CARD_TRACKER.value),
    ]
    outcome_lines = []
    if view.outcome:
        outcome_lines.append(f"*Stage One outcome:* {view.outcome}")
    if view.final_decision:
        outcome_lines.append(f"*Final decision:* {view.final_decision} (the procedure is "
                             "complete)")
    if view.final_letter_unsent:
        outcome_lines.append(f":warning: *{UNSENT_FINAL_LETTER}*")
    if outcome_lines:
        blocks.append(section("\n".join(outcome_lines), block_id=BlockId.CARD_OUTCOME.value))
    blocks.extend(_stage_two_blocks(view))
    buttons: list[ButtonElement] = [
        case_button(action, ref, style="primary" if i == 0 else None,
                    label=view.label_of(action))
        for i, action in enumerate(view.actions)
    ]
    if view.final_letter_unsent and view.surface is Audience.CUSTOMER_SERVICES:
        buttons.append(case_button(ActionId.SEND_FINAL_LETTER, ref, label="Send final letter",
                                   style="primary"))
    buttons.append(case_button(ActionId.VIEW_DETAILS, ref, label="View details"))
    buttons.append(case_button(ActionId.CASE_FILE, ref, label="Case file"))
    blocks.append(ActionsBlock(block_id=BlockId.CARD_ACTIONS.value, elements=buttons))
    text = f"{view.reference}: {view.summary}. {view.phase_label}."
    if view.deadline and view.deadline.marker is Marker.INFORMATION:
        text += f" {view.deadline.label} {view.deadline.due}."
    elif view.deadline:
        text += f" Next: {view.deadline.label} due {view.deadline.due} ({view.deadline.time_left})."
    return text, blocks


# ---- the decision (directors' thread) -------------------------------------------------

def decision_message(view: DecisionView) -> Message:
    """The drafted Stage Two decision with Approve / Request changes buttons."""
    case_id = require_id(view.case_id, view.reference)
    ref = CaseRef(case_id, view.version)
    blocks: list[Block] = [
        section(f"*Decision drafted for {view.reference}* by <@{view.drafted_by}> "
                f"on {view.drafted_at}\n*Outcome:* {view.outcome}"),
        *sections("*Reasons*\n" + escape(view.reasons)),
        *sections("*What we will do*\n" + escape(view.remedy)),
    ]
    if view.change_requests:
        # Each comment whole, in as many sections as it needs; the oldest are counted.
        shown = view.change_requests[-MAX_CHANGE_REQUESTS_SHOWN:]
        earlier = len(view.change_requests) - len(shown)
        head = "*Changes requested earlier*"
        if earlier:
            head += f" (and {earlier} more before these)"
        blocks.append(section(head))
        for by, comment in shown:
            blocks.extend(sections(f"• <@{by}>: " + escape(comment)))
    if view.approved_by:
        own = (" (their own draft: this desk lets a sole director approve)"
               if view.own_approval else "")
        blocks.append(context(f":white_check_mark: Approved by <@{view.approved_by}> on "
                              f"{view.approved_at}{own}. This decision is final."))
    if view.actions:
        buttons = [case_button(action, ref, style="primary" if i == 0 else None)
                   for i, action in enumerate(view.actions)]
        for button in buttons:
            if button.action_id == ActionId.APPROVE_DECISION:
                button.confirm = ConfirmObject(
                    title="Approve the decision?",
                    text="The decision becomes final and the case closes for good.",
                    confirm="Approve", deny="Cancel")
        blocks.append(ActionsBlock(block_id=BlockId.DECISION_ACTIONS.value, elements=buttons))
    text = f"Decision drafted for {view.reference}: {view.outcome}."
    return text, blocks


