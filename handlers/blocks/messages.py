"""Messages and App Home: the case card, the decision, timeline lines, DMs, help.

Every builder returns ``(fallback_text, blocks)`` or a ``View``; none carries the
complainant's personal data (name, email, phone, address, facts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from cases.model import OUTCOME_LABELS, DeadlineKind, Outcome
from cases.views import (
    MARKER_LABELS,
    CaseCardView,
    DatesToTell,
    DeadlineView,
    DecisionView,
    DisplayCalendar,
    HomeRow,
    HomeViewModel,
    format_day,
)
from handlers.blocks._common import (
    FIELD_TEXT_MAX,
    HEADER_TEXT_MAX,
    MARKER_EMOJI,
    PHASE_EMOJI,
    SECTION_TEXT_MAX,
    case_button,
    clip,
    context,
    escape,
    mention,
    plain,
    require_id,
    section,
)
from handlers.ids import ActionId, BlockId, CaseRef

Message = tuple[str, list[Block]]

MAX_HOME_ATTENTION = 20
MAX_HOME_OPEN = 40
MAX_PROGRESS_SHOWN = 5
MAX_CHANGE_REQUESTS_SHOWN = 3


# ---- the case card --------------------------------------------------------------------

def deadline_line(deadline: DeadlineView | None) -> str:
    """':red_circle: *Acknowledgement* due Fri 10 Jan 2025 17:00 (overdue by 2 working days)'."""
    if deadline is None:
        return "_No deadline owed._"
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
        shown = updates[-MAX_PROGRESS_SHOWN:]
        budget = (SECTION_TEXT_MAX - 200) // len(shown)
        lines = [f"*Progress updates ({len(updates)})*"]
        if len(updates) > len(shown):
            lines.append(f"_{len(updates) - len(shown)} earlier update(s) in the thread._")
        for u in shown:
            head = f"• {u.at} by <@{u.by}>: new reply date {u.new_reply_by}. "
            lines.append(head + escape(clip(u.reason, max(budget - len(head), 20))))
        blocks.append(section("\n".join(lines), block_id=BlockId.CARD_PROGRESS.value))
    return blocks


def case_card_message(view: CaseCardView) -> Message:
    """The case card (customer services, or the directors' Stage Two card), with fallback."""
    case_id = require_id(view.case_id, view.reference)
    ref = CaseRef(case_id, view.version)
    title = f"{view.reference} · {view.summary}"
    if view.surface == "directors":
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
    if outcome_lines:
        blocks.append(section("\n".join(outcome_lines), block_id=BlockId.CARD_OUTCOME.value))
    blocks.extend(_stage_two_blocks(view))
    buttons: list[ButtonElement] = [
        case_button(action, ref, style="primary" if i == 0 else None)
        for i, action in enumerate(view.actions)
    ]
    buttons.append(case_button(ActionId.VIEW_DETAILS, ref, label="View details"))
    blocks.append(ActionsBlock(block_id=BlockId.CARD_ACTIONS.value, elements=buttons))
    text = f"{view.reference}: {view.summary}. {view.phase_label}."
    if view.deadline:
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
        section("*Reasons*\n" + escape(view.reasons)),
        section("*What we will do*\n" + escape(view.remedy)),
    ]
    if view.change_requests:
        shown = view.change_requests[-MAX_CHANGE_REQUESTS_SHOWN:]
        budget = (SECTION_TEXT_MAX - 100) // len(shown)
        lines = ["*Changes requested earlier*"]
        for by, comment in shown:
            lines.append(f"• <@{by}>: " + escape(clip(comment, budget - 20)))
        blocks.append(section("\n".join(lines)))
    if view.approved_by:
        blocks.append(context(f":white_check_mark: Approved by <@{view.approved_by}> on "
                              f"{view.approved_at}. This decision is final."))
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


# ---- the timeline (one thread line per event) -----------------------------------------

def _day(value: Any) -> str:
    if isinstance(value, str):
        try:
            return format_day(date.fromisoformat(value[:10]))
        except ValueError:
            return "an unreadable date"
    return "an unknown date"


def _outcome(value: Any) -> str:
    try:
        return OUTCOME_LABELS[Outcome(value)]
    except ValueError:
        return "an unknown outcome"


# Timeline events that belong in the directors' Stage Two thread rather than the CS one.
DIRECTORS_EVENTS = frozenset({
    "review_acknowledged", "review_delegated", "person_responded", "no_response",
    "progress_update", "changes_requested", "decision_approved",
})


def timeline_text(payload: Mapping[str, Any], calendar: DisplayCalendar | None = None) -> str:
    """One short thread line for a history event; mentions only, never personal data.

    ``calendar`` is accepted for symmetry with the other builders: the thread message
    carries its own timestamp, so the line itself shows only dates.
    """
    what = str(payload.get("what", ""))
    who = mention(payload.get("actor") if payload.get("actor") != "system" else None,
                  nobody="The bot")
    if what == "logged":
        channel = str(payload.get("channel", "")).replace("_", " ")
        return f":inbox_tray: {who} logged the complaint (received by {channel or 'unknown'})."
    if what == "acknowledged":
        return (f":envelope_with_arrow: {who} acknowledged it: {mention(payload.get('owner'))} "
                f"deals with it; reply promised by {_day(payload.get('promised_reply_by'))}; "
                "procedure sent.")
    if what == "resolved":
        return f":handshake: {who} recorded a resolution by customer services."
    if what == "investigator_assigned":
        return f":mag: {who} assigned {mention(payload.get('investigator'))} to investigate."
    if what == "investigation_concluded":
        return f":clipboard: {who} recorded that the investigation has concluded."
    if what == "replied":
        return f":outbox_tray: {who} sent the Stage One reply: {_outcome(payload.get('outcome'))}."
    if what == "withdrawn":
        return f":no_entry_sign: {who} recorded that the complainant withdrew the complaint."
    if what == "closed":
        return ":lock: Closed: no Stage Two review was requested within the window."
    if what == "review_requested":
        return f":arrow_double_up: {who} recorded a request for a Stage Two review."
    if what == "review_acknowledged":
        return (f":eyes: {who} acknowledged the review; definitive reply by "
                f"{_day(payload.get('reply_by'))}.")
    if what == "review_delegated":
        delegate = mention(payload.get("delegate"))
        return f":busts_in_silhouette: {who} delegated the review to {delegate}."
    if what == "person_responded":
        return f":speech_balloon: {who} gave their response to the review."
    if what == "no_response":
        return ":hourglass: The named person did not respond within the time allowed."
    if what == "progress_update":
        return (f":calendar: {who} sent a progress update: full reply now by "
                f"{_day(payload.get('new_reply_by'))}.")
    if what == "changes_requested":
        return f":leftwards_arrow_with_hook: {who} asked for changes to the draft decision."
    if what == "decision_approved":
        return (f":white_check_mark: {who} approved the final decision: "
                f"{_outcome(payload.get('outcome'))}. The procedure is complete.")
    if what == "note":
        return f":memo: {who} added a note to the case history."
    return f"{who} recorded: {what.replace('_', ' ') or 'an event'}."


# ---- direct messages --------------------------------------------------------------------

def logged_dm(reference: str, dates: DatesToTell) -> Message:
    """To the person who logged it: the reference and what to tell the complainant."""
    script = (
        f"*What to tell the complainant* (quote reference *{reference}*):\n"
        f"• We have logged your complaint; we will acknowledge it by *{dates.acknowledge_by}*, "
        "with a copy of our complaints procedure and the name of the person dealing with it.\n"
        f"• We will investigate and take appropriate action by *{dates.investigate_by}*.\n"
        f"• You can expect our reply, with suggestions for resolving the matter, by "
        f"*{dates.reply_expected_by}* at the latest.\n"
        "• If you are not satisfied with our reply you can ask for a review by a Director."
    )
    blocks: list[Block] = [
        section(f":white_check_mark: Complaint *{reference}* is logged "
                f"(received {dates.received}). Its card is in the customer-services channel."),
        section(script),
    ]
    text = (f"{reference} is logged. Tell the complainant: acknowledgement by "
            f"{dates.acknowledge_by}, investigation by {dates.investigate_by}, reply by "
            f"{dates.reply_expected_by}.")
    return text, blocks


def _due(view: CaseCardView, kind: DeadlineKind | None = None) -> str:
    d = view.deadline
    if d is None or (kind is not None and d.kind is not kind):
        return ""
    return f" {d.label} is due {d.due} ({d.time_left})."


def investigator_assigned_dm(view: CaseCardView) -> Message:
    """To the investigator: you have a case to investigate."""
    ref = CaseRef(require_id(view.case_id, view.reference), view.version)
    text = (f"You have been asked to investigate {view.reference} ({view.summary})."
            + _due(view))
    return text, [
        section(f":mag: You have been asked to investigate *{view.reference}* "
                f"({escape(view.summary)})." + _due(view)),
        ActionsBlock(block_id=BlockId.DM_ACTIONS.value, elements=[
            case_button(ActionId.CONCLUDE_INVESTIGATION, ref,
                        label="Investigation concluded", style="primary"),
            case_button(ActionId.VIEW_DETAILS, ref, label="View details"),
        ]),
    ]


def person_informed_dm(view: CaseCardView) -> Message:
    """To the staff member a complaint is about: it is under review; they may respond."""
    ref = CaseRef(require_id(view.case_id, view.reference), view.version)
    text = (f"A complaint that concerns you ({view.reference}) is under Stage Two review. "
            "You may give your response." + _due(view, DeadlineKind.PERSON_RESPONSE))
    return text, [
        section(f":speech_balloon: A complaint that concerns you, *{view.reference}* "
                f"({escape(view.summary)}), is under Stage Two review. The procedure gives "
                "you the opportunity to respond before a decision is taken."
                + _due(view, DeadlineKind.PERSON_RESPONSE)),
        ActionsBlock(block_id=BlockId.DM_ACTIONS.value, elements=[
            case_button(ActionId.RECORD_PERSON_RESPONSE, ref, label="Respond",
                        style="primary"),
        ]),
    ]


def review_delegated_dm(view: CaseCardView, by: str) -> Message:
    """To the delegate: a director asked you to carry out the Stage Two review."""
    ref = CaseRef(require_id(view.case_id, view.reference), view.version)
    text = f"<@{by}> delegated the Stage Two review of {view.reference} to you." + _due(view)
    return text, [
        section(f":busts_in_silhouette: <@{by}> delegated the Stage Two review of "
                f"*{view.reference}* ({escape(view.summary)}) to you." + _due(view)),
        ActionsBlock(block_id=BlockId.DM_ACTIONS.value, elements=[
            case_button(ActionId.PROPOSE_DECISION, ref, label="Draft decision",
                        style="primary"),
            case_button(ActionId.SEND_PROGRESS_UPDATE, ref, label="Send progress update"),
            case_button(ActionId.VIEW_DETAILS, ref, label="View details"),
        ]),
    ]


def person_responded_dm(view: CaseCardView) -> Message:
    """To the reviewer and delegate: the named person has given their response."""
    text = (f"The person {view.reference} concerns has given their response; it is in the "
            "case record for the review.")
    return text, [section(f":speech_balloon: The person *{view.reference}* concerns has given "
                          "their response; it is in the case record for your review.")]


def changes_requested_dm(view: CaseCardView, by: str, comment: str) -> Message:
    """To the drafter: a director sent the draft decision back with a comment."""
    ref = CaseRef(require_id(view.case_id, view.reference), view.version)
    text = f"<@{by}> asked for changes to your draft decision on {view.reference}."
    return text, [
        section(f":leftwards_arrow_with_hook: <@{by}> asked for changes to your draft decision "
                f"on *{view.reference}*:"),
        section("> " + escape(comment).replace("\n", "\n> ")),
        ActionsBlock(block_id=BlockId.DM_ACTIONS.value, elements=[
            case_button(ActionId.PROPOSE_DECISION, ref, label="Redraft decision",
                        style="primary"),
        ]),
    ]


def direct_message(payload: Mapping[str, Any], view: CaseCardView,
                   dates: DatesToTell | None = None) -> Message:
    """Render a ``direct`` Notice payload by its template name."""
    template = payload.get("template")
    if template == "logged":
        if dates is None:
            raise ValueError("the logged DM needs the dates to tell the complainant")
        return logged_dm(view.reference, dates)
    if template == "investigator_assigned":
        return investigator_assigned_dm(view)
    if template == "person_informed":
        return person_informed_dm(view)
    if template == "review_delegated":
        return review_delegated_dm(view, str(payload.get("by", "")))
    if template == "person_responded":
        return person_responded_dm(view)
    if template == "changes_requested":
        return changes_requested_dm(view, str(payload.get("by", "")),
                                    str(payload.get("comment") or ""))
    raise ValueError(f"unknown DM template {template!r}")


# ---- App Home ---------------------------------------------------------------------------

def _home_row(row: HomeRow) -> Block:
    part = f" · you: {row.your_part}" if row.your_part else ""
    return section(f"*{row.reference}* · {escape(row.summary)} · {row.phase_label}{part}\n"
                   + deadline_line(row.deadline))


def _home_rows(rows: Sequence[HomeRow], limit: int, empty: str) -> list[Block]:
    if not rows:
        return [context(empty)]
    blocks = [_home_row(r) for r in rows[:limit]]
    if len(rows) > limit:
        blocks.append(context(f"…and {len(rows) - limit} more: use `/complaint list mine`."))
    return blocks


def home_view(model: HomeViewModel) -> View:
    """The App Home tab: a 'Log a complaint' button, what needs attention, your open cases."""
    blocks: list[Block] = [
        HeaderBlock(text=plain("Complaints Desk")),
        ActionsBlock(block_id=BlockId.HOME_ACTIONS.value, elements=[
            ButtonElement(text=plain("Log a complaint"), action_id=ActionId.LOG_COMPLAINT.value,
                          style="primary", value="home"),
        ]),
        DividerBlock(),
        section("*Due soon or overdue*"),
        *_home_rows(model.attention, MAX_HOME_ATTENTION, "Nothing due soon. :tada:"),
        DividerBlock(),
        section("*Your open cases*"),
        *_home_rows(model.open_cases, MAX_HOME_OPEN, "You have no open cases."),
    ]
    return View(type="home", blocks=blocks)


# ---- lists ----------------------------------------------------------------------------

MAX_LIST_ROWS = 30


def case_list_text(which: str, views: Sequence[CaseCardView]) -> str:
    """`/complaint list` answer: one line per case, no personal data."""
    if not views:
        return f"No {which} cases that you can see."
    lines = [f"*{which.capitalize()} cases* ({len(views)})"]
    for v in views[:MAX_LIST_ROWS]:
        due = ""
        if v.deadline is not None:
            due = (f" · {MARKER_EMOJI[v.deadline.marker]} {v.deadline.label}: "
                   f"{v.deadline.time_left}")
        lines.append(f"• *{v.reference}* · {escape(v.summary)} · {v.phase_label}{due}")
    if len(views) > MAX_LIST_ROWS:
        lines.append(f"…and {len(views) - MAX_LIST_ROWS} more.")
    return clip("\n".join(lines), SECTION_TEXT_MAX)


# ---- help -------------------------------------------------------------------------------

def help_text() -> str:
    """What `/complaint help` answers."""
    return (
        "*Complaints Desk*: log customer complaints and track them through the procedure.\n"
        "• `/complaint new` — log a complaint (opens the intake form)\n"
        "• `/complaint list [mine|overdue|open]` — cases you can see (default: open)\n"
        "• `/complaint show REF` — one case's card, just for you\n"
        "• `/complaint escalate REF` — record a request for a Stage Two review\n"
        "• `/complaint note REF TEXT` — add a note to the case's history (any stage)\n"
        "• `/complaint report [FROM [TO]]` — trends and effectiveness of complaints "
        "received FROM–TO (YYYY-MM-DD; default the last full quarter): HR manager and "
        "directors\n"
        "• `/complaint help` — this message\n"
        "You can also use the *Log a complaint* shortcut, or *Log as complaint* on a message."
    )
