"""Phase Three over a year: the last four quarters, their months, and the trends across them.

One pass over the cases received from the first of the four quarters (or the report's
start, if earlier) to the report's end feeds the period's report, each quarter's tallies,
each month's categories and the repeat-complainant keys; nothing else of a case is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from cases.clock import require_aware
from cases.intake import LABELS, Category
from cases.model import Case
from cases.policy import Policy
from cases.ports import WorkingCalendar
from cases.report_model import (
    Attention,
    AttentionKind,
    CaseLink,
    Count,
    MonthPoint,
    QuarterPoint,
    TrendReport,
    TrendSeries,
)
from cases.reporting import _Period, period_report
from cases.search import fold, phone_key

QUARTERS = 4
# References listed per trend line at most; the rest are counted ("and 12 more").
MAX_LINKS = 200


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter ``day`` falls in: (first day, last day)."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    nxt = date(first.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def quarter_label(start: date) -> str:
    """'2026 Q2'."""
    return f"{start.year} Q{(start.month - 1) // 3 + 1}"


def last_quarters(end: date, count: int = QUARTERS) -> list[tuple[date, date]]:
    """The ``count`` quarters ending with the one ``end`` falls in, oldest first."""
    found = [quarter_of(end)]
    while len(found) < count:
        found.insert(0, quarter_of(found[0][0] - timedelta(days=1)))
    return found


def months_back(end: date, months: int) -> date:
    """The first day of the month ``months - 1`` months before ``end``'s month."""
    index = end.year * 12 + end.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def contact_keys(case: Case) -> set[str]:
    """The complainant's email and phone, normalised: the same person however typed."""
    keys: set[str] = set()
    if case.intake.email:
        keys.add("email:" + fold(str(case.intake.email)))
    if case.intake.phone:
        # A number intake accepted but that cannot be normalised is simply not matched.
        with suppress(ValueError):
            keys.add("phone:" + phone_key(case.intake.phone))
    return keys


@dataclass
class _Year:
    """The tallies of one pass: the period, four quarters, their months, contacts."""

    calendar: WorkingCalendar
    now: datetime
    start: date
    end: date
    quarters: list[tuple[date, date]]
    contacts_since: date
    period: _Period = field(init=False)
    by_quarter: list[_Period] = field(init=False)
    months: dict[tuple[int, int], Counter[str]] = field(default_factory=dict)
    contacts: dict[str, list[CaseLink]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.period = _Period(calendar=self.calendar, now=self.now)
        self.by_quarter = [_Period(calendar=self.calendar, now=self.now, keep_links=False)
                           for _ in self.quarters]
        first = self.quarters[0][0]
        for i in range(12):
            index = first.year * 12 + first.month - 1 + i
            self.months[(index // 12, index % 12 + 1)] = Counter()

    def add(self, case: Case) -> None:
        day = self.calendar.local_date(case.received_at)
        if self.start <= day <= self.end:
            self.period.add(case)
        for (q_start, q_end), tally in zip(self.quarters, self.by_quarter, strict=True):
            if q_start <= day <= q_end:
                tally.add(case)
                self.months[(day.year, day.month)][case.intake.category.value] += 1
        if self.contacts_since <= day <= self.end:
            link = CaseLink(case.id or 0, case.reference)
            for key in contact_keys(case):
                self.contacts.setdefault(key, []).append(link)


def full_report(cases: Iterable[Case], start: date, end: date, now: datetime,
                calendar: WorkingCalendar, policy: Policy) -> TrendReport:
    """The period's report with the four quarters to its end and the trends across them."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    limits = policy.report
    year = _Year(calendar=calendar, now=require_aware(now), start=start, end=end,
                 quarters=last_quarters(end),
                 contacts_since=months_back(end, limits.repeat_complainant_months))
    for case in cases:
        year.add(case)
    report = period_report(year.period, start, end, limits, policy.learning.root_causes)
    quarters = tuple(_quarter_point(q, tally, policy)
                     for q, tally in zip(year.quarters, year.by_quarter, strict=True))
    months = tuple(MonthPoint(label=f"{date(y, m, 1):%b %Y}", start=date(y, m, 1),
                              by_category=_categories(counter))
                   for (y, m), counter in sorted(year.months.items()))
    extra = [*_rising(quarters, year.period, policy), *_repeat_complainants(year, policy)]
    return replace(report, series=TrendSeries(quarters=quarters, months=months),
                   attention=(*report.attention, *extra))


def _categories(counter: Counter[str]) -> tuple[Count, ...]:
    return tuple(Count(key=c.value, label=LABELS[c.value], count=counter[c.value])
                 for c in Category)


def _quarter_point(q: tuple[date, date], tally: _Period, policy: Policy) -> QuarterPoint:
    one = period_report(tally, q[0], q[1], policy.report, policy.learning.root_causes)
    on_time = tuple((d.kind, d.label, d.met_on_time / d.decided if d.decided else None)
                    for d in one.deadlines)
    return QuarterPoint(label=quarter_label(q[0]), start=q[0], end=q[1], total=one.total,
                        escalated=one.stage_two.escalated, by_category=one.by_category,
                        on_time=on_time,
                        reply_median_working_days=one.reply_times.median_working_days,
                        reply_p90_working_days=one.reply_times.p90_working_days)


def _rising(quarters: Sequence[QuarterPoint], period: _Period,
            policy: Policy) -> list[Attention]:
    """A category up in each of the last ``rising_quarters`` quarters, ending at a level
    that matters (at least ``category_min`` complaints)."""
    runs = policy.report.rising_quarters
    window = quarters[-(runs + 1):]
    lines: list[Attention] = []
    for i, category in enumerate(Category):
        counts = [q.by_category[i].count for q in window]
        rising = all(a < b for a, b in zip(counts, counts[1:], strict=False))
        if rising and counts[-1] >= policy.report.category_min:
            label = LABELS[category.value]
            path = " → ".join(f"{n} ({q.label})" for n, q in zip(counts, window, strict=True))
            lines.append(Attention(
                AttentionKind.RISING_CATEGORY,
                f"{label} complaints rose {runs} quarters running: {path}.",
                tuple(period.category_cases.get(category.value, ()))[:MAX_LINKS]))
    return lines


def _repeat_complainants(year: _Year, policy: Policy) -> list[Attention]:
    least = policy.report.repeat_complainant_min
    groups: list[tuple[CaseLink, ...]] = []
    seen: set[frozenset[int]] = set()
    for links in year.contacts.values():
        ids = frozenset(link.case_id for link in links)
        if len(ids) >= least and ids not in seen:
            seen.add(ids)
            groups.append(tuple(dict.fromkeys(links)))
    if not groups:
        return []
    people = "1 complainant" if len(groups) == 1 else f"{len(groups)} complainants"
    cases = tuple(dict.fromkeys(link for g in groups for link in g))
    months = policy.report.repeat_complainant_months
    return [Attention(
        AttentionKind.REPEAT_COMPLAINANT,
        f"{people} (same email or phone) made {least} or more complaints in the {months} "
        f"months to {year.end:%d %b %Y}: {len(cases)} cases; look at them together.",
        cases[:MAX_LINKS])]

