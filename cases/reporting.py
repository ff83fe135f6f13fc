"""Phase Three: trends and effectiveness of the complaints process over a period.

Pure: counts and labels computed from cases, no chat platform, no database. The report
holds no personal data of complainants (no names, contact details or facts) and names
no member of staff: a repeated staff-conduct subject is only counted.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from cases.clock import require_aware
from cases.intake import LABELS, Category, Channel, Relationship
from cases.model import (
    ALERTED_DEADLINES,
    DEADLINE_LABELS,
    OUTCOME_LABELS,
    Case,
    Deadline,
    DeadlineKind,
    Outcome,
    State,
)
from cases.policy import ReportPolicy
from cases.ports import WorkingCalendar

# "Needs attention" thresholds are this company's, not the procedure's: they are data on
# the policy (``Policy.report``), so `policy show` and a policy file can see and set them.

# The deadline kinds the report follows, in the procedure's order.
REPORTED_DEADLINES: tuple[DeadlineKind, ...] = tuple(
    k for k in DeadlineKind if k in ALERTED_DEADLINES)


@dataclass(frozen=True)
class Count:
    """How many cases have one value of a field (``key``), with its display label."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class StageOneOutcomes:
    """Stage One replies by outcome, and how the cases were handled."""

    replied: int
    upheld: int
    partly_upheld: int
    not_upheld: int
    resolved_by_customer_services: int
    investigated: int


@dataclass(frozen=True)
class StageTwoOutcomes:
    """Review requests and the final decisions given on them."""

    escalated: int
    # Escalated cases as a share of the complaints received in the period (0..1).
    escalation_rate: float | None
    final: int
    upheld: int
    partly_upheld: int
    not_upheld: int
    still_in_review: int


@dataclass(frozen=True)
class DeadlineStats:
    """One kind of deadline: kept, late, still owed or no longer owed.

    Late is judged against the original due time: a Stage Two progress update moves the
    date the complainant is told, not the promise the procedure made.
    """

    kind: DeadlineKind
    label: str
    met_on_time: int
    met_late: int
    open_overdue: int
    open_not_yet_due: int
    retired: int

    @property
    def breached(self) -> int:
        """Met late, or still owed after its original due time."""
        return self.met_late + self.open_overdue

    @property
    def decided(self) -> int:
        """Deadlines whose outcome is known: met, or already late."""
        return self.met_on_time + self.breached

    @property
    def breach_rate(self) -> float | None:
        """Breached as a share of decided deadlines; None when none is decided yet."""
        return self.breached / self.decided if self.decided else None


@dataclass(frozen=True)
class ReplyTimes:
    """Working days from effective receipt to the Stage One reply, for replied cases."""

    replies: int
    median_working_days: float | None
    p90_working_days: int | None


class AttentionKind(StrEnum):
    CATEGORY = "category"
    DEADLINE = "deadline"
    REPEATED_SUBJECT = "repeated_subject"


@dataclass(frozen=True)
class Attention:
    """One trend that may need further action (Phase Three)."""

    kind: AttentionKind
    message: str


@dataclass(frozen=True)
class TrendReport:
    """Complaints received in [start, end] (London dates), as they stand at ``generated_at``."""

    start: date
    end: date
    generated_at: datetime
    total: int
    by_category: tuple[Count, ...]
    by_channel: tuple[Count, ...]
    by_relationship: tuple[Count, ...]
    still_open: int
    withdrawn: int
    stage_one: StageOneOutcomes
    stage_two: StageTwoOutcomes
    deadlines: tuple[DeadlineStats, ...]
    reply_times: ReplyTimes
    attention: tuple[Attention, ...]


# ---- computing -------------------------------------------------------------------------


@dataclass
class _Tally:
    met_on_time: int = 0
    met_late: int = 0
    open_overdue: int = 0
    open_not_yet_due: int = 0
    retired: int = 0

    def add(self, deadline: Deadline, now: datetime) -> None:
        if deadline.met_at is not None:
            if deadline.met_at > deadline.original_due_at:
                self.met_late += 1
            else:
                self.met_on_time += 1
        elif deadline.retired_at is not None:
            self.retired += 1
        elif now > deadline.original_due_at:
            self.open_overdue += 1
        else:
            self.open_not_yet_due += 1


def trends_report(cases: Iterable[Case], start: date, end: date, now: datetime,
                  calendar: WorkingCalendar,
                  thresholds: ReportPolicy | None = None) -> TrendReport:
    """Trends and effectiveness over the cases received (London date) in [start, end].

    ``cases`` may hold cases outside the period (they are skipped) and is read once,
    so a stream of pages keeps memory bounded.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    now = require_aware(now)
    total = 0
    categories: Counter[str] = Counter()
    channels: Counter[str] = Counter()
    relationships: Counter[str] = Counter()
    stage_one: Counter[str] = Counter()
    stage_two: Counter[str] = Counter()
    still_open = withdrawn = 0
    tallies = {kind: _Tally() for kind in REPORTED_DEADLINES}
    reply_days: list[int] = []
    subjects: Counter[str] = Counter()

    for case in cases:
        if not start <= calendar.local_date(case.received_at) <= end:
            continue
        total += 1
        intake = case.intake
        categories[intake.category.value] += 1
        channels[intake.channel.value] += 1
        relationships[intake.relationship.value] += 1
        if intake.category is Category.STAFF_CONDUCT and intake.subject_user_id:
            subjects[intake.subject_user_id] += 1
        if case.is_open:
            still_open += 1
        if case.state is State.WITHDRAWN:
            withdrawn += 1
        if case.resolution is not None:
            stage_one["resolved"] += 1
        if case.investigator is not None:
            stage_one["investigated"] += 1
        if case.outcome is not None and case.replied_at is not None:
            stage_one["replied"] += 1
            stage_one[case.outcome.value] += 1
            reply_days.append(calendar.working_days_between(
                case.effective_receipt, calendar.local_date(case.replied_at)))
        if case.review_requested_at is not None:
            stage_two["escalated"] += 1
            if case.state is State.FINAL and case.decision is not None:
                stage_two["final"] += 1
                stage_two[case.decision.outcome.value] += 1
            elif case.is_open:
                stage_two["in_review"] += 1
        for kind, tally in tallies.items():
            deadline = case.deadlines.get(kind)
            if deadline is not None:
                tally.add(deadline, now)

    deadlines = tuple(
        DeadlineStats(kind=kind, label=DEADLINE_LABELS[kind], met_on_time=t.met_on_time,
                      met_late=t.met_late, open_overdue=t.open_overdue,
                      open_not_yet_due=t.open_not_yet_due, retired=t.retired)
        for kind, t in tallies.items())
    by_category = _counts(categories, Category)
    limits = thresholds or ReportPolicy()
    repeated = sum(1 for n in subjects.values() if n >= limits.repeat_subject_min)
    return TrendReport(
        start=start, end=end, generated_at=now, total=total,
        by_category=by_category,
        by_channel=_counts(channels, Channel),
        by_relationship=_counts(relationships, Relationship),
        still_open=still_open, withdrawn=withdrawn,
        stage_one=StageOneOutcomes(
            replied=stage_one["replied"], upheld=stage_one[Outcome.UPHELD.value],
            partly_upheld=stage_one[Outcome.PARTLY_UPHELD.value],
            not_upheld=stage_one[Outcome.NOT_UPHELD.value],
            resolved_by_customer_services=stage_one["resolved"],
            investigated=stage_one["investigated"]),
        stage_two=StageTwoOutcomes(
            escalated=stage_two["escalated"],
            escalation_rate=stage_two["escalated"] / total if total else None,
            final=stage_two["final"], upheld=stage_two[Outcome.UPHELD.value],
            partly_upheld=stage_two[Outcome.PARTLY_UPHELD.value],
            not_upheld=stage_two[Outcome.NOT_UPHELD.value],
            still_in_review=stage_two["in_review"]),
        deadlines=deadlines,
        reply_times=_reply_times(reply_days),
        attention=_attention(total, by_category, deadlines, repeated, limits),
    )


def _counts(counter: Counter[str], kind: type[StrEnum]) -> tuple[Count, ...]:
    """Every value of the enum in its own order, zeros included, so periods compare."""
    return tuple(Count(key=v.value, label=LABELS[v.value], count=counter[v.value])
                 for v in kind)


def percentile(values: Sequence[int], share: float) -> int:
    """Nearest-rank percentile: the smallest value at least ``share`` of ``values`` reach."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


def _reply_times(days: list[int]) -> ReplyTimes:
    if not days:
        return ReplyTimes(replies=0, median_working_days=None, p90_working_days=None)
    return ReplyTimes(replies=len(days), median_working_days=float(statistics.median(days)),
                      p90_working_days=percentile(days, 0.9))


def _attention(total: int, by_category: Sequence[Count], deadlines: Sequence[DeadlineStats],
               repeated_subjects: int, limits: ReportPolicy) -> tuple[Attention, ...]:
    lines: list[Attention] = []
    for c in by_category:
        if (total and c.count >= limits.category_min
                and c.count / total >= limits.category_share):
            lines.append(Attention(
                AttentionKind.CATEGORY,
                f"{c.label} complaints are {c.count} of {total} ({_pct(c.count / total)}): "
                "look for a common cause."))
    for d in deadlines:
        rate = d.breach_rate
        if (rate is not None and d.decided >= limits.breach_min_cases
                and rate >= limits.breach_rate):
            lines.append(Attention(
                AttentionKind.DEADLINE,
                f"{d.label}: {d.breached} of {d.decided} late ({_pct(rate)}) "
                "against the procedure's time limit."))
    if repeated_subjects:
        who = ("1 member of staff was" if repeated_subjects == 1
               else f"{repeated_subjects} members of staff were")
        lines.append(Attention(
            AttentionKind.REPEATED_SUBJECT,
            f"{who} the subject of {limits.repeat_subject_min} or more staff-conduct complaints "
            "in the period: review those cases for a pattern."))
    return tuple(lines)


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
    out += ["", "Needs attention"]
    out += [f"  - {a.message}" for a in report.attention] or ["  Nothing stands out."]
    return "\n".join(out)


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
    }
