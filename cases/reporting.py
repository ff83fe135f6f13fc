"""Phase Three: trends and effectiveness of the complaints process over a period.

Pure: counts and labels computed from cases, no chat platform, no database. The report
holds no personal data of complainants (no names, contact details or facts) and names
no member of staff: a repeated staff-conduct subject is only counted.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum

from cases.clock import require_aware
from cases.intake import LABELS, Category, Channel, Relationship
from cases.learning import NOT_RECORDED, NOT_RECORDED_LABEL, REMEDY_LABELS, RemedyKind
from cases.model import (
    ALERTED_DEADLINES,
    DEADLINE_LABELS,
    Case,
    Deadline,
    DeadlineKind,
    Outcome,
    State,
)
from cases.policy import ReportPolicy
from cases.policy_learning import DEFAULT_ROOT_CAUSES
from cases.ports import WorkingCalendar
from cases.report_format import (
    _pct,
    format_days,
    format_share,
    last_full_quarter,
    parse_day,
    period_label,
    report_as_dict,
    report_text,
)
from cases.report_model import (
    Attention,
    AttentionKind,
    CaseLink,
    Count,
    DeadlineStats,
    ReplyTimes,
    StageOneOutcomes,
    StageTwoOutcomes,
    TrendReport,
)

__all__ = [
    "Attention",
    "AttentionKind",
    "CaseLink",
    "Count",
    "DeadlineStats",
    "REPORTED_DEADLINES",
    "ReplyTimes",
    "StageOneOutcomes",
    "StageTwoOutcomes",
    "TrendReport",
    "format_days",
    "format_share",
    "last_full_quarter",
    "parse_day",
    "percentile",
    "period_label",
    "report_as_dict",
    "report_text",
    "trends_report",
]

# "Needs attention" thresholds are this company's, not the procedure's: they are data on
# the policy (``Policy.report``), so `policy show` and a policy file can see and set them.

# The deadline kinds the report follows, in the procedure's order.
REPORTED_DEADLINES: tuple[DeadlineKind, ...] = tuple(
    k for k in DeadlineKind if k in ALERTED_DEADLINES)



# ---- computing -------------------------------------------------------------------------


@dataclass
class _Tally:
    met_on_time: int = 0
    met_late: int = 0
    open_overdue: int = 0
    open_not_yet_due: int = 0
    retired: int = 0

    def add(self, deadline: Deadline, now: datetime) -> bool:
        """Count one deadline; True when it was breached (late, or overdue now)."""
        if deadline.met_at is not None:
            if deadline.met_at > deadline.original_due_at:
                self.met_late += 1
                return True
            self.met_on_time += 1
        elif deadline.retired_at is not None:
            self.retired += 1
        elif now > deadline.original_due_at:
            self.open_overdue += 1
            return True
        else:
            self.open_not_yet_due += 1
        return False


@dataclass
class _Period:
    """Counts over the cases of one period, one case at a time."""

    calendar: WorkingCalendar
    now: datetime
    total: int = 0
    still_open: int = 0
    withdrawn: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    relationships: Counter[str] = field(default_factory=Counter)
    stage_one: Counter[str] = field(default_factory=Counter)
    stage_two: Counter[str] = field(default_factory=Counter)
    subjects: Counter[str] = field(default_factory=Counter)
    reply_days: list[int] = field(default_factory=list)
    tallies: dict[DeadlineKind, _Tally] = field(
        default_factory=lambda: {kind: _Tally() for kind in REPORTED_DEADLINES})
    # The cases behind each possible "needs attention" line (ids and references only).
    keep_links: bool = True
    category_cases: dict[str, list[CaseLink]] = field(default_factory=dict)
    breached_cases: dict[DeadlineKind, list[CaseLink]] = field(default_factory=dict)
    subject_cases: dict[str, list[CaseLink]] = field(default_factory=dict)
    causes: Counter[str] = field(default_factory=Counter)
    remedies: Counter[str] = field(default_factory=Counter)
    refunded_pence: int = 0

    def add(self, case: Case) -> None:
        self.total += 1
        intake = case.intake
        link = CaseLink(case.id or 0, case.reference)
        self.categories[intake.category.value] += 1
        self.channels[intake.channel.value] += 1
        self.relationships[intake.relationship.value] += 1
        if self.keep_links:
            self.category_cases.setdefault(intake.category.value, []).append(link)
        if intake.category is Category.STAFF_CONDUCT and intake.subject_user_id:
            self.subjects[intake.subject_user_id] += 1
            if self.keep_links:
                self.subject_cases.setdefault(intake.subject_user_id, []).append(link)
        self.still_open += case.is_open
        self.withdrawn += case.state is State.WITHDRAWN
        self._add_stage_one(case)
        self._add_stage_two(case)
        self._add_learning(case)
        for kind, tally in self.tallies.items():
            deadline = case.deadlines.get(kind)
            if deadline is not None and tally.add(deadline, self.now) and self.keep_links:
                self.breached_cases.setdefault(kind, []).append(link)

    def _add_learning(self, case: Case) -> None:
        """The final decision's cause and remedy, else Stage One's, once Stage One closed."""
        learning = (case.decision.learning if case.decision and case.decision.learning
                    else case.learning)
        if learning is None:
            if case.resolution is not None or case.replied_at is not None:
                self.causes[NOT_RECORDED] += 1
            return
        self.causes[learning.root_cause] += 1
        for remedy in learning.remedies:
            self.remedies[remedy.value] += 1
        self.refunded_pence += learning.amount_pence or 0

    def _add_stage_one(self, case: Case) -> None:
        if case.resolution is not None:
            self.stage_one["resolved"] += 1
        if case.investigator is not None:
            self.stage_one["investigated"] += 1
        if case.outcome is not None and case.replied_at is not None:
            self.stage_one["replied"] += 1
            self.stage_one[case.outcome.value] += 1
            # From the effective receipt: a reply the same evening as a complaint received
            # after the cut-off took no working days, not minus one.
            self.reply_days.append(max(0, self.calendar.working_days_between(
                case.effective_receipt, self.calendar.local_date(case.replied_at))))

    def _add_stage_two(self, case: Case) -> None:
        if case.review_requested_at is None:
            return
        self.stage_two["escalated"] += 1
        if case.state is State.FINAL and case.decision is not None:
            self.stage_two["final"] += 1
            self.stage_two[case.decision.outcome.value] += 1
        elif case.is_open:
            self.stage_two["in_review"] += 1


def trends_report(cases: Iterable[Case], start: date, end: date, now: datetime,
                  calendar: WorkingCalendar,
                  thresholds: ReportPolicy | None = None,
                  root_causes: Mapping[str, str] | None = None) -> TrendReport:
    """Trends and effectiveness over the cases received (London date) in [start, end].

    ``cases`` may hold cases outside the period (they are skipped) and is read once,
    so a stream of pages keeps memory bounded. ``thresholds`` default to the policy's.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    period = _Period(calendar=calendar, now=require_aware(now))
    for case in cases:
        if start <= calendar.local_date(case.received_at) <= end:
            period.add(case)
    return period_report(period, start, end, thresholds or ReportPolicy(), root_causes)


def period_report(p: _Period, start: date, end: date, limits: ReportPolicy,
                  root_causes: Mapping[str, str] | None = None) -> TrendReport:
    """The report of one period's tallies."""
    causes = dict(root_causes or DEFAULT_ROOT_CAUSES)
    by_cause, by_remedy = _learning_counts(p, causes)
    return replace(_report(p, start, end, limits), by_root_cause=by_cause, by_remedy=by_remedy,
                   refunded_pence=p.refunded_pence)


def _learning_counts(p: _Period, causes: dict[str, str]
                     ) -> tuple[tuple[Count, ...], tuple[Count, ...]]:
    retired = [k for k in p.causes if k not in causes and k != NOT_RECORDED]
    by_cause = [Count(key=k, label=label, count=p.causes[k]) for k, label in causes.items()]
    by_cause += [Count(key=k, label=k.replace("_", " ").capitalize(), count=p.causes[k])
                 for k in sorted(retired)]
    by_cause.append(Count(key=NOT_RECORDED, label=NOT_RECORDED_LABEL,
                          count=p.causes[NOT_RECORDED]))
    return tuple(by_cause), tuple(Count(key=r.value, label=REMEDY_LABELS[r],
                                        count=p.remedies[r.value]) for r in RemedyKind)


def _report(p: _Period, start: date, end: date, limits: ReportPolicy) -> TrendReport:
    deadlines = tuple(
        DeadlineStats(kind=kind, label=DEADLINE_LABELS[kind], met_on_time=t.met_on_time,
                      met_late=t.met_late, open_overdue=t.open_overdue,
                      open_not_yet_due=t.open_not_yet_due, retired=t.retired)
        for kind, t in p.tallies.items())
    by_category = _counts(p.categories, Category)
    repeated = sum(1 for n in p.subjects.values() if n >= limits.repeat_subject_min)
    one, two, total = p.stage_one, p.stage_two, p.total
    return TrendReport(
        start=start, end=end, generated_at=p.now, total=total,
        by_category=by_category,
        by_channel=_counts(p.channels, Channel),
        by_relationship=_counts(p.relationships, Relationship),
        still_open=p.still_open, withdrawn=p.withdrawn,
        stage_one=StageOneOutcomes(
            replied=one["replied"], upheld=one[Outcome.UPHELD.value],
            partly_upheld=one[Outcome.PARTLY_UPHELD.value],
            not_upheld=one[Outcome.NOT_UPHELD.value],
            resolved_by_customer_services=one["resolved"],
            investigated=one["investigated"]),
        stage_two=StageTwoOutcomes(
            escalated=two["escalated"],
            escalation_rate=two["escalated"] / total if total else None,
            final=two["final"], upheld=two[Outcome.UPHELD.value],
            partly_upheld=two[Outcome.PARTLY_UPHELD.value],
            not_upheld=two[Outcome.NOT_UPHELD.value],
            still_in_review=two["in_review"]),
        deadlines=deadlines,
        reply_times=_reply_times(p.reply_days),
        attention=_attention(p, by_category, deadlines, repeated, limits),
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


def _attention(p: _Period, by_category: Sequence[Count], deadlines: Sequence[DeadlineStats],
               repeated_subjects: int, limits: ReportPolicy) -> tuple[Attention, ...]:
    lines: list[Attention] = []
    total = p.total
    for c in by_category:
        if (total and c.count >= limits.category_min
                and c.count / total >= limits.category_share):
            lines.append(Attention(
                AttentionKind.CATEGORY,
                f"{c.label} complaints are {c.count} of {total} ({_pct(c.count / total)}): "
                "look for a common cause.", tuple(p.category_cases.get(c.key, ()))))
    for d in deadlines:
        rate = d.breach_rate
        if (rate is not None and d.decided >= limits.breach_min_cases
                and rate >= limits.breach_rate):
            lines.append(Attention(
                AttentionKind.DEADLINE,
                f"{d.label}: {d.breached} of {d.decided} late ({_pct(rate)}) "
                "against the procedure's time limit.", tuple(p.breached_cases.get(d.kind, ()))))
    if repeated_subjects:
        who = ("1 member of staff was" if repeated_subjects == 1
               else f"{repeated_subjects} members of staff were")
        behind = tuple(link for subject, n in p.subjects.items()
                       if n >= limits.repeat_subject_min
                       for link in p.subject_cases.get(subject, ()))
        lines.append(Attention(
            AttentionKind.REPEATED_SUBJECT,
            f"{who} the subject of {limits.repeat_subject_min} or more staff-conduct complaints "
            "in the period: review those cases for a pattern.", behind))
    return tuple(lines)
