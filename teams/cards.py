"""Adaptive Cards (1.5) from the core's view models: markup only, no personal data.

The case card and the drafted decision are refreshed in place: they carry a ``refresh``
(``Action.Execute``, verb ``refresh``) that Teams calls to get the card as it is now.
A step's button opens its dialog (``Action.Submit`` with ``msteams.type = task/fetch``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cases.audience import Audience
from cases.lifecycle import ACTION_LABELS as ACTION_TITLES
from cases.lifecycle import Action
from cases.messages import UNSENT_FINAL_LETTER, AlertView, DigestView, DirectMessageView, Link
from cases.views import MARKER_LABELS, CaseCardView, DecisionView, Marker
from cases.wording import Line, Person, Strong
from teams.ids import CARD_VERSION, SCHEMA_URL, Dialog, Verb

Card = dict[str, Any]
Names = Callable[[str], str]
MARKER_COLOURS = {Marker.ON_TIME: "Good", Marker.DUE_SOON: "Warning",
                  Marker.OVERDUE: "Attention", Marker.INFORMATION: "Default"}
PHASE_MARKS: dict[str, str] = {"done": "✔", "current": "▶", "todo": "○", "skipped": "–"}
MAX_TITLE = 80


def escape(text: str) -> str:
    """User text shown literally: Teams' card markdown characters are escaped."""
    out = text
    for ch in ("\\", "*", "_", "[", "]", "`", "#", "<", ">"):
        out = out.replace(ch, "\\" + ch)
    return out


def words(line: Line, names: Names) -> str:
    """A wording line in card markdown: Strong in bold, people by name."""
    out: list[str] = []
    for span in line:
        if isinstance(span, Strong):
            out.append(f"**{escape(span.text)}**")
        elif isinstance(span, Person):
            out.append(escape(names(span.id)) if span.id else span.nobody)
        else:
            out.append(escape(span))
    return "".join(out)


def text(value: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": value, "wrap": True, **style}


def card(body: Sequence[dict[str, Any]], actions: Sequence[dict[str, Any]] = (), *,
         refresh: dict[str, Any] | None = None) -> Card:
    """An Adaptive Card 1.5 with ``body``, ``actions`` and an optional refresh."""
    out: Card = {"type": "AdaptiveCard", "$schema": SCHEMA_URL, "version": CARD_VERSION,
                 "body": list(body)}
    if actions:
        out["actions"] = list(actions)
    if refresh is not None:
        out["refresh"] = refresh
    return out


def dialog_button(title: str, dialog: Dialog, style: str | None = None,
                  **data: Any) -> dict[str, Any]:
    """A button that opens a dialog (task module) with ``data``."""
    button: dict[str, Any] = {"type": "Action.Submit", "title": title[:MAX_TITLE],
                              "data": {"msteams": {"type": "task/fetch"},
                                       "dialog": dialog.value, **data}}
    if style:
        button["style"] = style
    return button


def execute(title: str, verb: Verb, style: str | None = None, **data: Any) -> dict[str, Any]:
    button: dict[str, Any] = {"type": "Action.Execute", "title": title[:MAX_TITLE],
                              "verb": verb.value, "data": dict(data)}
    if style:
        button["style"] = style
    return button


def refresh_of(case_id: int | None, slot: str) -> dict[str, Any]:
    """Teams calls this when the card is shown, so everyone sees the case as it is now."""
    return {"action": {"type": "Action.Execute", "title": "Refresh", "verb": Verb.REFRESH.value,
                       "data": {"case_id": case_id, "slot": slot}}}


def step_button(view: CaseCardView | DecisionView, action: Action, label: str,
                primary: bool = False) -> dict[str, Any]:
    return dialog_button(label, Dialog.STEP, "positive" if primary else None,
                         case_id=view.case_id, version=view.version, action=action.value)


def _deadline_fact(view: CaseCardView) -> tuple[str, str]:
    d = view.deadline
    if d is None:
        return "Next deadline", "nothing owed"
    return "Next deadline", f"{d.label}: {d.due} ({d.time_left}) · {MARKER_LABELS[d.marker]}"


def _facts(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in pairs]}


def case_card(view: CaseCardView, names: Names) -> Card:
    """The case card in a team's channel: the case as it is now, and the steps it allows."""
    def who(pid: str | None) -> str:
        return escape(names(pid)) if pid else "not yet assigned"

    facts = [("Phase", view.phase_label), ("Owner", who(view.owner)),
             ("Received", view.received), _deadline_fact(view)]
    if view.investigator:
        facts.insert(2, ("Investigator", who(view.investigator)))
    if view.outcome:
        facts.append(("Stage One outcome", view.outcome))
    if view.final_decision:
        facts.append(("Final decision", view.final_decision))
    unsent = view.final_letter_unsent
    s2 = view.stage_two
    if s2 is not None:
        facts += [("Review requested", s2.requested_at or "—"),
                  ("Reviewer", who(s2.reviewer)), ("Definitive reply by", s2.reply_by or "—")]
        if s2.delegate:
            facts.append(("Delegate", who(s2.delegate)))
        if s2.original_reply_by:
            facts.append(("First promised", s2.original_reply_by))
    tracker = "  ".join(f"{PHASE_MARKS.get(p.status, '·')} {p.name}" for p in view.phases)
    body = [text(f"**{escape(view.reference)}** · {escape(view.summary)}", size="Medium"),
            _facts(facts), text(tracker, isSubtle=True, spacing="Small")]
    if s2 is not None:
        body += [text(f"Progress update {u.at} by {who(u.by)}: reply now by {u.new_reply_by}",
                      isSubtle=True) for u in s2.progress_updates]
    if unsent:
        body.append(text(f"⚠ **{UNSENT_FINAL_LETTER}**", color="Warning"))
    if view.deadline is not None:
        body[0]["color"] = MARKER_COLOURS[view.deadline.marker]
    actions = [step_button(view, a, view.label_of(a), primary=i == 0)
               for i, a in enumerate(view.actions)]
    if unsent and view.surface is Audience.CUSTOMER_SERVICES:
        actions.append(dialog_button("Send final letter", Dialog.FINAL_LETTER, "positive",
                                     case_id=view.case_id))
    actions.append(dialog_button("View details", Dialog.DETAILS, case_id=view.case_id))
    actions.append(dialog_button("Case file", Dialog.CASE_FILE, case_id=view.case_id))
    actions.append(execute("Refresh", Verb.REFRESH, case_id=view.case_id,
                           slot=view.surface.value))
    return card(body, actions, refresh=refresh_of(view.case_id, view.surface.value))


def decision_card(view: DecisionView, names: Names) -> Card:
    """The drafted Stage Two decision in the directors' thread, approved there."""
    facts = [("Outcome", view.outcome), ("Drafted", f"{view.drafted_at} by "
                                                    f"{escape(names(view.drafted_by))}")]
    if view.approved_by and view.approved_at:
        facts.append(("Approved", f"{view.approved_at} by {escape(names(view.approved_by))}"))
    body = [text(f"**Draft decision for {escape(view.reference)}**", size="Medium"),
            _facts(facts), text(f"**Reasons:** {escape(view.reasons)}"),
            text(f"**Remedy:** {escape(view.remedy)}")]
    body += [text(f"{escape(names(by))} asked for changes: {escape(comment)}", isSubtle=True)
             for by, comment in view.change_requests]
    actions: list[dict[str, Any]] = []
    if Action.APPROVE_DECISION in view.actions:
        actions.append(execute("Approve decision", Verb.APPROVE, "positive",
                               case_id=view.case_id, version=view.version))
    if Action.REQUEST_CHANGES in view.actions:
        actions.append(step_button(view, Action.REQUEST_CHANGES, "Request changes"))
    return card(body, actions, refresh=refresh_of(view.case_id, "decision"))


def direct_card(view: DirectMessageView, names: Names) -> Card:
    """A direct message in the person's personal chat with the bot."""
    body = [text(words(view.summary, names), weight="Bolder")]
    for paragraph in view.paragraphs:
        body.append(text("\n\n".join(words(line, names) for line in paragraph)))
    if view.quote is not None:
        body.append({"type": "Container", "style": "emphasis",
                     "items": [text(escape(view.quote))]})
    actions = []
    for b in view.buttons:
        if b.target is Link.SEND_FINAL_LETTER:
            actions.append(dialog_button(b.label, Dialog.FINAL_LETTER, "positive",
                                         case_id=view.case_id))
        elif isinstance(b.target, Link):
            actions.append(dialog_button(b.label, Dialog.DETAILS, case_id=view.case_id))
        else:
            actions.append(dialog_button(b.label, Dialog.STEP, "positive" if b.primary
                                         else None, case_id=view.case_id,
                                         version=view.version, action=b.target.value))
    return card(body, actions)


def alert_card(view: AlertView, names: Names) -> Card:
    owner = words((view.owner,), names)
    body = [text(f"**{escape(view.headline)}**: {escape(view.reference)}",
                 color="Attention" if "Overdue" in view.headline else "Warning"),
            text(f"{escape(view.phrase)}. {escape(view.owner_part)}: {owner}")]
    return card(body, [dialog_button("Open case", Dialog.DETAILS, case_id=view.case_id)])


def digest_card(view: DigestView, names: Names) -> Card:
    body = [text(f"**{escape(view.title)}**", size="Medium"), text(escape(view.summary))]
    for group in view.groups:
        body.append(text(f"**{escape(group.heading)}**", spacing="Medium"))
        body += [text(f"{escape(i.reference)}: {escape(i.phrase)} "
                      f"({words((i.owner,), names)})") for i in group.items]
    if view.more:
        body.append(text(f"and {view.more} more", isSubtle=True))
    if not view.groups and not view.more:
        body.append(text(view.empty, isSubtle=True))
    return card(body)


def notice_card(message: str, *, title: str | None = None,
                actions: Sequence[dict[str, Any]] = ()) -> Card:
    """A short card of plain words (answers, refusals, help)."""
    body = ([text(f"**{escape(title)}**")] if title else []) + [text(message)]
    return card(body, actions)


def queues_card(queues: Sequence[Any], names: Names) -> Card:
    """"My cases" in personal chat (Slack's App Home): each of the viewer's work queues,
    every row with its next step and its case file."""
    body: list[dict[str, Any]] = [text("**My cases**", size="Medium")]
    if not queues:
        body.append(text("You have no work queues: they are for customer services, the "
                         "directors and the HR manager. Cases you are asked to act on come "
                         "to you here, in personal chat.", isSubtle=True))
    for queue in queues:
        counts = " · ".join(f"{label}: {n} overdue" for label, n in queue.counts if n)
        body.append(text(f"**{escape(queue.title)}**" + (f" ({counts})" if counts else ""),
                         spacing="Medium"))
        if not queue.rows:
            body.append(text(escape(queue.empty), isSubtle=True))
        for row in queue.rows:
            due = (f" · {row.deadline.label} {row.deadline.due} ({row.deadline.time_left})"
                   if row.deadline else "")
            body.append(text(f"**{escape(row.reference)}** {escape(row.summary)} · "
                             f"{escape(row.phase_label)}{escape(due)}", separator=True))
            buttons = [dialog_button("Case file", Dialog.CASE_FILE, case_id=row.case_id)]
            if row.action is not None:
                buttons.insert(0, dialog_button(ACTION_TITLES.get(row.action, row.action.value
                                                                  .replace("_", " ")
                                                                  .capitalize()),
                                                Dialog.STEP, "positive", case_id=row.case_id,
                                                version=row.version,
                                                action=row.action.value))
            body.append({"type": "ActionSet", "actions": buttons})
    return card(body)
