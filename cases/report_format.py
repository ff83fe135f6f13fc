"""Phase Three: the trends report in words and as plain data; periods and dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from cases.model import (
    OUTCOME_LABELS,
    Outcome,
)
from cases.report_model import (
    Count,
    TrendReport,
)


def _pct(share: float) -> str:
    return f"{round(share * 100)}%"


# ---- periods ---------------------------------------------------------------------------


def last_full_quarter(today: date) -> tuple[date, date]:
    """The calendar quarter before the one ``today`` falls in: (first day, last day)."""
    first_of_this = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = first_of_this - timedelta(days=1)
    return date(last.year, last.month - 2, 1), last


def parse_day(text: str) -> date:
    """A YYYY-MM-DD date; ValueError with a message people can act on."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-04-01") from None


# ---- presenting (plain text and JSON) ---------------------------------------------------


def format_share(share: float | None) -> str:
    """'25%' or '—' when there is nothing to divide by."""
    return "—" if share is None else _pct(share)


def format_days(value: float | None) -> str:
    """'4', '4.5' or '—'."""
    if value is None:
        return "—"
    return f"{value:g}"


def period_label(report: TrendReport) -> str:
    """'Wed 01 Apr 2026 to Tue 30 Jun 2026'."""
    return f"{report.start:%a %d %b %Y} to {report.end:%a %d %b %Y}"


def report_text(report: TrendReport) -> str:
    """The report as plain text, for the command line and e-mail."""
    s1, s2, rt = report.stage_one, report.stage_two, report.reply_times
    out = [
        f"Complaints trends and effectiveness: received {period_label(report)}",
        f"As at {report.generated_at:%Y-%m-%d %H:%M} UTC",
        "",
        f"Complaints received: {report.total} (still open {report.still_open}, "
        f"withdrawn {report.withdrawn})",
    ]
    for title, counts in (("By category", report.by_category),
                          ("By channel", report.by_channel),
                          ("By relationship", report.by_relationship)):
        out += ["", title]
        out += [f"  {c.label:<28} {c.count:>5}" for c in counts if c.count]
        if not any(c.count for c in counts):
            out.append("  (none)")
    out += [
        "",
        "Stage One",
        f"  Resolved by customer services  {s1.resolved_by_customer_services:>5}",
        f"  Investigated                   {s1.investigated:>5}",
        f"  Replies sent                   {s1.replied:>5}",
        f"    {OUTCOME_LABELS[Outcome.UPHELD]:<28} {s1.upheld:>5}",
        f"    {OUTCOME_LABELS[Outcome.PARTLY_UPHELD]:<28} {s1.partly_upheld:>5}",
        f"    {OUTCOME_LABELS[Outcome.NOT_UPHELD]:<28} {s1.not_upheld:>5}",
        f"  Working days to reply: median {format_days(rt.median_working_days)}, "
        f"90th percentile {format_days(rt.p90_working_days)} ({rt.replies} replies)",
        "",
        "Stage Two",
        f"  Escalated                      {s2.escalated:>5} "
        f"({format_share(s2.escalation_rate)} of complaints received)",
        f"  Still in review                {s2.still_in_review:>5}",
        f"  Final decisions                {s2.final:>5}",
        f"    {OUTCOME_LABELS[Outcome.UPHELD]:<28} {s2.upheld:>5}",
        f"    {OUTCOME_LABELS[Outcome.PARTLY_UPHELD]:<28} {s2.partly_upheld:>5}",
        f"    {OUTCOME_LABELS[Outcome.NOT_UPHELD]:<28} {s2.not_upheld:>5}",
        "",
        "Deadlines (late = after the original due time)",
        f"  {'':<28} {'on time':>7} {'late':>5} {'overdue':>7} {'not due':>7} "
        f"{'retired':>7} {'late %':>6}",
    ]
    for d in report.deadlines:
        out.append(f"  {d.label:<28} {d.met_on_time:>7} {d.met_late:>5} {d.open_overdue:>7} "
                   f"{d.open_not_yet_due:>7} {d.retired:>7} {format_share(d.breach_rate):>6}")
    out += _learning_and_attention(report)
    return "\n".join(out)


def _learning_and_attention(report: TrendReport) -> list[str]:
    out = ["", "What we learn (root cause of each case closed so far)"]
    out += [f"  {c.label:<28} {c.count:>5}" for c in report.by_root_cause if c.count] \
        or ["  (none closed)"]
    remedies = ", ".join(f"{c.label} {c.count}" for c in report.by_remedy if c.count)
    out.append(f"  Remedies: {remedies or 'none recorded'}; refunded or credited "
               f"£{report.refunded_pence / 100:,.2f}")
    if report.actions is not None:
        a = report.actions
        out += ["", f"Actions from the last review ({a.review_start:%d %b %Y} – "
                    f"{a.review_end:%d %b %Y}): {a.done} done, {a.overdue} overdue, "
                    f"{a.open} not yet due"]
    out += ["", "Needs attention"]
    for item in report.attention:
        out.append(f"  - {item.message}")
        if item.cases:
            out.append("    cases: " + ", ".join(c.reference for c in item.cases))
    if not report.attention:
        out.append("  Nothing stands out.")
    return out


def report_as_dict(report: TrendReport) -> dict[str, Any]:
    """The report as one JSON-ready object."""

    def counts(items: Sequence[Count]) -> dict[str, int]:
        return {c.key: c.count for c in items}

    s1, s2, rt = report.stage_one, report.stage_two, report.reply_times
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "generated_at": report.generated_at.isoformat(),
        "total": report.total,
        "still_open": report.still_open,
        "withdrawn": report.withdrawn,
        "by_category": counts(report.by_category),
        "by_channel": counts(report.by_channel),
        "by_relationship": counts(report.by_relationship),
        "stage_one": {
            "replied": s1.replied, "upheld": s1.upheld, "partly_upheld": s1.partly_upheld,
            "not_upheld": s1.not_upheld,
            "resolved_by_customer_services": s1.resolved_by_customer_services,
            "investigated": s1.investigated,
        },
        "stage_two": {
            "escalated": s2.escalated, "escalation_rate": s2.escalation_rate,
            "still_in_review": s2.still_in_review, "final": s2.final, "upheld": s2.upheld,
            "partly_upheld": s2.partly_upheld, "not_upheld": s2.not_upheld,
        },
        "deadlines": {
            d.kind.value: {
                "met_on_time": d.met_on_time, "met_late": d.met_late,
                "open_overdue": d.open_overdue, "open_not_yet_due": d.open_not_yet_due,
                "retired": d.retired, "breach_rate": d.breach_rate,
            } for d in report.deadlines
        },
        "reply_working_days": {
            "replies": rt.replies, "median": rt.median_working_days,
            "p90": rt.p90_working_days,
        },
        "attention": [{"kind": a.kind.value, "message": a.message} for a in report.attention],
        "by_root_cause": counts(report.by_root_cause),
        "by_remedy": counts(report.by_remedy),
        "refunded_pence": report.refunded_pence,
        "review_actions": None if report.actions is None else {
            "done": report.actions.done, "overdue": report.actions.overdue,
            "not_yet_due": report.actions.open},
    }
