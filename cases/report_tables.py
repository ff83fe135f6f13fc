"""The trends report as plain tables (counts only), for exports: one table per section."""

from __future__ import annotations

from dataclasses import dataclass

from cases.learning import format_amount
from cases.report_model import TrendReport

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """A named table: a header and rows of counts and labels (no personal data)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def _counts(name: str, items: object) -> Table:
    rows = tuple((c.key, c.label, c.count) for c in items)  # type: ignore[attr-defined]
    return Table(name, ("key", "label", "count"), rows)


def report_tables(report: TrendReport) -> list[Table]:
    """Every section of the report as a table, in the report's order."""
    s1, s2, rt = report.stage_one, report.stage_two, report.reply_times
    tables = [
        Table("summary", ("measure", "value"), (
            ("period_start", report.start.isoformat()), ("period_end", report.end.isoformat()),
            ("generated_at", report.generated_at.isoformat()), ("received", report.total),
            ("still_open", report.still_open), ("withdrawn", report.withdrawn),
            ("stage_one_replied", s1.replied), ("stage_one_upheld", s1.upheld),
            ("stage_one_partly_upheld", s1.partly_upheld),
            ("stage_one_not_upheld", s1.not_upheld),
            ("resolved_by_customer_services", s1.resolved_by_customer_services),
            ("investigated", s1.investigated), ("escalated", s2.escalated),
            ("escalation_rate", s2.escalation_rate), ("stage_two_final", s2.final),
            ("stage_two_upheld", s2.upheld), ("stage_two_partly_upheld", s2.partly_upheld),
            ("stage_two_not_upheld", s2.not_upheld), ("still_in_review", s2.still_in_review),
            ("reply_working_days_median", rt.median_working_days),
            ("reply_working_days_p90", rt.p90_working_days),
            ("refunded_or_credited", format_amount(report.refunded_pence)))),
        _counts("by_category", report.by_category),
        _counts("by_channel", report.by_channel),
        _counts("by_relationship", report.by_relationship),
        _counts("by_root_cause", report.by_root_cause),
        _counts("by_remedy", report.by_remedy),
        Table("deadlines", ("kind", "label", "met_on_time", "met_late", "open_overdue",
                            "open_not_yet_due", "retired", "breach_rate"),
              tuple((d.kind.value, d.label, d.met_on_time, d.met_late, d.open_overdue,
                     d.open_not_yet_due, d.retired, d.breach_rate) for d in report.deadlines)),
    ]
    if report.series is not None:
        quarters = report.series.quarters
        tables.append(Table(
            "quarters", ("quarter", "received", "escalated", "stage_two_rate",
                         "reply_median_working_days", "reply_p90_working_days",
                         *(f"on_time_{kind.value}" for kind, _, _ in quarters[0].on_time)),
            tuple((q.label, q.total, q.escalated, q.stage_two_rate,
                   q.reply_median_working_days, q.reply_p90_working_days,
                   *(rate for _, _, rate in q.on_time)) for q in quarters)))
        months = report.series.months
        tables.append(Table(
            "months_by_category", ("month", *(c.key for c in months[0].by_category)),
            tuple((m.start.isoformat()[:7], *(c.count for c in m.by_category))
                  for m in months)))
    if report.actions is not None:
        a = report.actions
        tables.append(Table("review_actions", ("review_start", "review_end", "done",
                                               "overdue", "not_yet_due"),
                            ((a.review_start.isoformat(), a.review_end.isoformat(), a.done,
                              a.overdue, a.open),)))
    tables.append(Table("attention", ("kind", "message", "cases"),
                        tuple((t.kind.value, t.message, len(t.cases))
                              for t in report.attention)))
    return tables
