"""Phase Three in Slack: the report's learning, review actions, trends' cases and buttons;
the "Record review" modal. Counts only in a channel; names and cases only in private."""

from __future__ import annotations

import json
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from cases.learning import format_amount
from cases.report_model import Attention, TrendReport
from cases.review import summary_text
from handlers.blocks._common import case_button, clip, context, escape, plain, section
from handlers.blocks.inputs import modal
from handlers.ids import ActionId, CallbackId, CaseRef

ACTION_ROWS = 3
BUTTONS_PER_LINE = 5
MAX_REFS_SHOWN = 60


def period_value(report: TrendReport, **extra: str) -> str:
    """A button value naming the report's period (and e.g. the export format)."""
    return json.dumps({"start": report.start.isoformat(), "end": report.end.isoformat(),
                       **extra}, separators=(",", ":"))


def learning_block(report: TrendReport) -> Block:
    """Root causes and remedies of the cases closed so far; 'not recorded' included."""
    causes = " · ".join(f"{c.label}: {c.count}" for c in report.by_root_cause if c.count)
    remedies = " · ".join(f"{c.label}: {c.count}" for c in report.by_remedy if c.count)
    money = (f"\nRefunded or credited: {format_amount(report.refunded_pence)}"
             if report.refunded_pence else "")
    return section(f"*What we learn*\nRoot causes: {causes or '_none closed yet_'}\n"
                   f"Remedies: {remedies or '_none recorded_'}{money}")


def actions_blocks(report: TrendReport, *, private: bool) -> list[Block]:
    """'Actions from the last review: 3 done, 1 overdue', and each action (owner if private)."""
    summary = report.actions
    if summary is None:
        return [context("No review was recorded for an earlier quarter yet.")]
    lines = []
    done_buttons: list[ButtonElement] = []
    for a in summary.actions[:10]:
        mark = "✅ done" if a.done else ("⚠️ overdue" if a.overdue else "open")
        who = f" — <@{a.owner}>" if private else ""
        lines.append(f"• {escape(a.what[:200])}{who}, due {a.due_on:%d %b %Y}: {mark}")
        if private and not a.done and len(done_buttons) < BUTTONS_PER_LINE:
            done_buttons.append(ButtonElement(
                text=plain(clip(f"Done: {a.what}", 75)), action_id=ActionId.REVIEW_ACTION_DONE,
                value=str(a.action_id)))
    found: list[Block] = [section(f"*{summary_text(summary)}*\n" + "\n".join(lines))]
    if done_buttons:
        found.append(ActionsBlock(elements=done_buttons))
    return found


def attention_blocks(attention: tuple[Attention, ...]) -> list[Block]:
    """Each trend, with the references behind it and Case file buttons (private only: the
    use case has already cut the cases to those this reader may open)."""
    if not attention:
        return [section("*Needs attention*\nNothing stands out in this period.")]
    found: list[Block] = [section("*Needs attention*")]
    for a in attention:
        refs = ", ".join(link.reference for link in a.cases[:MAX_REFS_SHOWN])
        more = len(a.cases) - MAX_REFS_SHOWN
        tail = f"\nCases: {refs}" + (f" and {more} more" if more > 0 else "") if refs else ""
        found.append(section(clip(f":warning: {a.message}{tail}", 2900)))
        if a.cases:
            found.append(ActionsBlock(elements=[
                case_button(ActionId.CASE_FILE, CaseRef(case_id=link.case_id),
                            label=f"Case file {link.reference}")
                for link in a.cases[:BUTTONS_PER_LINE]]))
    return found


def report_buttons(report: TrendReport, *, review: bool) -> Block:
    """Export (sent to you privately) and, on the quarterly review, Record review."""
    buttons = [ButtonElement(text=plain(f"Export {fmt.upper()}"),
                             action_id=ActionId.REPORT_EXPORT,
                             value=period_value(report, format=fmt))
               for fmt in ("csv", "xlsx", "json")]
    if review:
        buttons.insert(0, ButtonElement(text=plain("Record review"), style="primary",
                                        action_id=ActionId.REPORT_RECORD_REVIEW,
                                        value=period_value(report)))
    return ActionsBlock(elements=buttons)


def record_review_modal(start: date, end: date, today: date) -> View:
    """Findings, and up to three actions: what, owner, due date."""
    blocks: list[Block] = [
        context(f"Review of the complaints received {start:%d %b %Y} – {end:%d %b %Y}"),
        InputBlock(block_id="findings", label=plain("Findings"),
                   element=PlainTextInputElement(action_id="findings", multiline=True,
                                                 max_length=2000)),
    ]
    for i in range(1, ACTION_ROWS + 1):
        blocks += [
            context(f"*Action {i}*" + (" (optional)" if i > 1 else "")),
            InputBlock(block_id=f"action_{i}_what", label=plain("What is to be done"),
                       optional=True, element=PlainTextInputElement(
                           action_id=f"action_{i}_what", max_length=500)),
            InputBlock(block_id=f"action_{i}_owner", label=plain("Owner"), optional=True,
                       element=UserSelectElement(action_id=f"action_{i}_owner",
                                                 placeholder=plain("Choose a person"))),
            InputBlock(block_id=f"action_{i}_due_on", label=plain("Due date"), optional=True,
                       element=DatePickerElement(action_id=f"action_{i}_due_on",
                                                 initial_date=None,
                                                 placeholder=plain("Choose a date"))),
        ]
    meta = json.dumps({"start": start.isoformat(), "end": end.isoformat()})
    return modal(CallbackId.RECORD_REVIEW, "Record review", blocks, meta, submit="Record")
