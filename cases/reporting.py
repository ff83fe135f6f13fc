"""Phase Three: trends and effectiveness of the complaints process over a period.

Pure: counts and labels computed from cases, no chat platform, no database. The report
holds no personal data of complainants (no names, contact details or facts) and names
no member of staff: a repeated staff-conduct subject is only counted.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from cases.clock import require_aware
from cases.intake import LABELS, Category, Channel, Relationship
from cases.learning import NOT_RECORDED, NOT_RECORDED_LABEL, REMEDY_LABELS, RemedyKind
from cases.model import DEADLINE_LABELS, OPEN_STATES, Case, DeadlineKind, Outcome, State
from cases.policy import ReportPolicy
from cases.policy_learning import DEFAULT_ROOT_CAUSES
from cases.ports import WorkingCalendar
from cases.report_facts import (
    BREACHED,
    REPORTED_DEADLINES,
    CaseGroup,
    DeadlineStatus,
    case_group,
    deadline_status,
)
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



# ---- computing -------------------------------------------------------------------------


@dataclass
class _Tally:
    met_on_time: int = 0
    met_late: int = 0
    open_overdue: int = 0
    open_not_yet_due: int = 0
    retired: int = 0

    def add(self, status: DeadlineStatus, n: int = 1) -> None:
        """Count ``n`` deadlines of one standing."""
        if status is DeadlineStatus.ON_TIME:
            self.met_on_time += n
        elif status is DeadlineStatus.LATE:
            self.met_late += n
        elif status is DeadlineStatus.RETIRED:
            self.retired += n
        elif status is DeadlineStatus.OVERDUE:
            self.open_overdue += n
        else:
            self.open_not_yet_due += n


def reply_working_days(calendar: WorkingCalendar, effective_receipt: date,
                       replied_at: datetime) -> int:
    """Working days from the effective receipt to the reply's date.

    From the effective receipt: a reply the same evening as a complaint received after
    the cut-off took no working days, not minus one.
    """
    return max(0, calendar.working_days_between(effective_receipt,
                                                calendar.local_date(replied_at)))


@dataclass
class _Period:
    """Counts over the cases of one period: one case at a time, or groups of equal facts."""

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
    # Working days to each reply, counted by value (median and p90 need no list).
    reply_days: Counter[int] = field(default_factory=Counter)
    tallies: dict[DeadlineKind, _Tally] = field(
        default_factory=lambda: {kind: _Tally() for kind in REPORTED_DEADLINES})
    # The cases behind each possible "needs attention" line (ids and references only),
    # kept when cases are added one at a time (``add``).
    category_cases: dict[str, list[CaseLink]] = field(default_factory=dict)
    breached_cases: dict[DeadlineKind, list[CaseLink]] = field(default_factory=dict)
    subject_cases: dict[str, list[CaseLink]] = field(default_factory=dict)
    causes: Counter[str] = field(default_factory=Counter)
    remedies: Counter[str] = field(default_factory=Counter)
    refunded_pence: int = 0

    def add(self, case: Case) -> None:
        """One whole case, keeping its reference for the lines it may be behind."""
        group = case_group(case, None, True)
        self.add_group(group)
        link = CaseLink(case.id or 0, case.reference)
        self.category_cases.setdefault(group.category, []).append(link)
        if group.subject is not None:
            self.subject_cases.setdefault(group.subject, []).append(link)
        for kind in REPORTED_DEADLINES:
            if (deadline := case.deadlines.get(kind)) is not None:
                status = deadline_status(deadline, self.now)
                self.tallies[kind].add(status)
                if status in BREACHED:
                    self.breached_cases.setdefault(kind, []).append(link)
        if case.outcome is not None and case.replied_at is not None:
            self.reply_days[reply_working_days(self.calendar, case.effective_receipt,
                                               case.replied_at)] += 1

    def add_group(self, g: CaseGroup) -> None:
        """``g.count`` cases with the same facts."""
        n = g.count
        self.total += n
        self.categories[g.category] += n
        self.channels[g.channel] += n
        self.relationships[g.relationship] += n
        if g.subject is not None:
            self.subjects[g.subject] += n
        is_open = State(g.state) in OPEN_STATES
        self.still_open += n * is_open
        self.withdrawn += n * (g.state == State.WITHDRAWN.value)
        if g.resolved:
            self.stage_one["resolved"] += n
        if g.investigated:
            self.stage_one["investigated"] += n
        if g.outcome is not None and g.replied:
            self.stage_one["replied"] += n
            self.stage_one[g.outcome] += n
        if g.review_requested:
            self.stage_two["escalated"] += n
            if g.state == State.FINAL.value and g.decision_outcome is not None:
                self.stage_two["final"] += n
                self.stage_two[g.decision_outcome] += n
            elif is_open:
                self.stage_two["in_review"] += n
        self._add_learning(g)

    def _add_learning(self, g: CaseGroup) -> None:
        """The final decision's cause and remedy, else Stage One's, once Stage One closed."""
        if g.root_cause is None:
            if g.resolved or g.replied:
                self.causes[NOT_RECORDED] += g.count
            return
        self.causes[g.root_cause] += g.count
        for remedy in g.remedies:
            self.remedies[remedy] += g.count
        self.refunded_pence += g.refunded_pence

    # The cases behind a line, when they were kept (``add``); see ``Links``.

    def category(self, key: str, limit: int | None = None) -> tuple[CaseLink, ...]:
        """The cases of one category."""
        return tuple(self.category_cases.get(key, ()))[:limit]

    def breached(self, kind: DeadlineKind) -> tuple[CaseLink, ...]:
        """The cases whose deadline of ``kind`` was breached."""
        return tuple(self.breached_cases.get(kind, ()))

    def about(self, subjects: frozenset[str]) -> tuple[CaseLink, ...]:
        """The staff-conduct cases about these subjects, subject by subject."""
        return tuple(link for subject, links in self.subject_cases.items()
                     if subject in subjects for link in links)


class Links(Protocol):
    """Where a "needs attention" line finds its cases (references only)."""

    def category(self, key: str, limit: int | None = None) -> tuple[CaseLink, ...]: ...

    def breached(self, kind: DeadlineKind) -> tuple[CaseLink, ...]: ...

    def about(self, subjects: frozenset[str]) -> tuple[CaseLink, ...]: ...


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
                  root_causes: Mapping[str, str] | None = None,
                  links: Links | None = None) -> TrendReport:
    """The report of one period's tallies; its lines' cases from ``links`` (default:
    those ``p`` kept)."""
    causes = dict(root_causes or DEFAULT_ROOT_CAUSES)
    by_cause, by_remedy = _learning_counts(p, causes)
    return replace(_report(p, start, end, limits, links or p), by_root_cause=by_cause,
                   by_remedy=by_remedy, refunded_pence=p.refunded_pence)


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


def _report(p: _Period, start: date, end: date, limits: ReportPolicy,
            links: Links) -> TrendReport:
    deadlines = tuple(
        DeadlineStats(kind=kind, label=DEADLINE_LABELS[kind], met_on_time=t.met_on_time,
                      met_late=t.met_late, open_overdue=t.open_overdue,
                      open_not_yet_due=t.open_not_yet_due, retired=t.retired)
        for kind, t in p.tallies.items())
    by_category = _counts(p.categories, Category)
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
        attention=_attention(p, by_category, deadlines, limits, links),
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


def _nth(counted: Counter[int], index: int) -> int:
    """The value at ``index`` (0-based) of the counted values in order."""
    for value in sorted(counted):
        index -= counted[value]
        if index < 0:
            return value
    raise IndexError(index)


def _reply_times(days: Counter[int]) -> ReplyTimes:
    """Median and nearest-rank p90, as ``statistics.median`` and ``percentile`` give them."""
    n = days.total()
    if not n:
        return ReplyTimes(replies=0, median_working_days=None, p90_working_days=None)
    middle = n // 2
    median = (_nth(days, middle) if n % 2 else (_nth(days, middle - 1) + _nth(days, middle)) / 2)
    return ReplyTimes(replies=n, median_working_days=float(median),
                      p90_working_days=_nth(days, max(math.ceil(0.9 * n), 1) - 1))


def _attention(p: _Period, by_category: Sequence[Count], deadlines: Sequence[DeadlineStats],
               limits: ReportPolicy, links: Links) -> tuple[Attention, ...]:
    lines: list[Attention] = []
    total = p.total
    for c in by_category:
        if (total and c.count >= limits.category_min
                and c.count / total >= limits.category_share):
            lines.append(Attention(
                AttentionKind.CATEGORY,
                f"{c.label} complaints are {c.count} of {total} ({_pct(c.count / total)}): "
                "look for a common cause.", links.category(c.key)))
    for d in deadlines:
        rate = d.breach_rate
        if (rate is not None and d.decided >= limits.breach_min_cases
                and rate >= limits.breach_rate):
            lines.append(Attention(
                AttentionKind.DEADLINE,
                f"{d.label}: {d.breached} of {d.decided} late ({_pct(rate)}) "
                "against the procedure's time limit.", links.breached(d.kind)))
    repeated = frozenset(s for s, n in p.subjects.items() if n >= limits.repeat_subject_min)
    if repeated:
        who = ("1 member of staff was" if len(repeated) == 1
               else f"{len(repeated)} members of staff were")
        behind = links.about(repeated)
        lines.append(Attention(
            AttentionKind.REPEATED_SUBJECT,
            f"{who} the subject of {limits.repeat_subject_min} or more staff-conduct complaints "
            "in the period: review those cases for a pattern.", behind))
    return tuple(lines)
