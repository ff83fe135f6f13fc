"""The Phase Three trends report as a private Slack message.

Counts and labels only: no complainant's personal data and no staff names (a repeated
staff-conduct subject is counted, never named).
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from cases.model import OUTCOME_LABELS, Outcome
from cases.report_model import Attention
from cases.reporting import Count, TrendReport, format_days, format_share, period_label
from handlers.blocks._common import (
    FIELD_TEXT_MAX,
    HEADER_TEXT_MAX,
    Message,
    clip,
    context,
    plain,
    section,
)
from handlers.blocks.review import (
    actions_blocks,
    attention_blocks,
    learning_block,
    report_buttons,
)


def _field(label: str, value: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=clip(f"*{label}*\n{value}", FIELD_TEXT_MAX))


def _count_lines(counts: Sequence[Count]) -> str:
    lines = [f"{c.label}: {c.count}" for c in counts if c.count]
    return "\n".join(lines) or "_none_"


def _outcome_lines(upheld: int, partly: int, not_upheld: int) -> str:
    return (f"{OUTCOME_LABELS[Outcome.UPHELD]}: {upheld} · "
            f"{OUTCOME_LABELS[Outcome.PARTLY_UPHELD]}: {partly} · "
            f"{OUTCOME_LABELS[Outcome.NOT_UPHELD]}: {not_upheld}")


def _deadline_table(report: TrendReport) -> str:
    head = f"{'':<27}{'on time':>8}{'late':>6}{'overdue':>8}{'not due':>8}{'retired':>8}" \
           f"{'late %':>7}"
    rows = [f"{clip(d.label, 26):<27}{d.met_on_time:>8}{d.met_late:>6}{d.open_overdue:>8}"
            f"{d.open_not_yet_due:>8}{d.retired:>8}{format_share(d.breach_rate):>7}"
            for d in report.deadlines]
    return "```\n" + "\n".join([head, *rows]) + "\n```"


def report_message(report: TrendReport, *, review: bool = False, private: bool = True
                   ) -> Message:
    """Trends and effectiveness over a period: counts, outcomes, deadlines, what stands out.

    ``private``: for one reader (action owners named, the trends' cases listed as the use
    case cut them); a channel copy has neither. ``review`` adds "Record review".
    """
    s1, s2, rt = report.stage_one, report.stage_two, report.reply_times
    title = f"Complaints trends · {report.start:%d %b %Y} – {report.end:%d %b %Y}"
    stamp = int(report.generated_at.timestamp())
    as_at = (f"<!date^{stamp}^{{date_short_pretty}} {{time}}|"
             f"{report.generated_at:%Y-%m-%d %H:%M} UTC>")
    blocks: list[Block] = [
        HeaderBlock(text=plain(title, HEADER_TEXT_MAX)),
        context(f"Complaints received {period_label(report)}, as they stand at {as_at}. "
                "Counts only: no complainant's details, no staff named."),
        section(f"*{report.total} complaint(s) received* · {report.still_open} still open · "
                f"{report.withdrawn} withdrawn · {s2.escalated} escalated to Stage Two "
                f"({format_share(s2.escalation_rate)})"),
    ]
    if report.total:
        blocks.append(SectionBlock(fields=[
            _field("By category", _count_lines(report.by_category)),
            _field("By channel", _count_lines(report.by_channel)),
            _field("By relationship", _count_lines(report.by_relationship)),
        ]))
    blocks += [
        DividerBlock(),
        section(
            "*Stage One*\n"
            f"Resolved by customer services: {s1.resolved_by_customer_services} · "
            f"investigated: {s1.investigated}\n"
            f"Replies sent: {s1.replied} — "
            f"{_outcome_lines(s1.upheld, s1.partly_upheld, s1.not_upheld)}\n"
            f"Working days from receipt to reply: median "
            f"{format_days(rt.median_working_days)}, 90th percentile "
            f"{format_days(rt.p90_working_days)} ({rt.replies} repl"
            f"{'y' if rt.replies == 1 else 'ies'})"),
        section(
            "*Stage Two*\n"
            f"Escalated: {s2.escalated} · still in review: {s2.still_in_review}\n"
            f"Final decisions: {s2.final} — "
            f"{_outcome_lines(s2.upheld, s2.partly_upheld, s2.not_upheld)}"),
        section("*Deadlines* (late = after the procedure's original due time; a progress "
                "update does not change it)\n" + _deadline_table(report)),
        learning_block(report),
        DividerBlock(),
        *actions_blocks(report, private=private),
        *attention_blocks(report.attention if private else tuple(
            Attention(a.kind, a.message) for a in report.attention)),
        report_buttons(report, review=review),
    ]
    if report.series is not None:
        blocks.insert(-1, context("Charts of the last four quarters follow as images: "
                                  "complaints per month by category, deadlines met on "
                                  "time, time to reply, and the Stage Two rate."))
    text = (f"Complaints trends {report.start:%d %b %Y} – {report.end:%d %b %Y}: "
            f"{report.total} received, {len(report.attention)} point(s) needing attention")
    return clip(text, FIELD_TEXT_MAX), blocks
