"""Phase Three over a year: the last four quarters, their months, and the trends across them.

The report is counted from a ``ReportReader`` (``cases.ports``): groups of cases with equal
facts, their deadlines' standing and their replies feed the period's report, each
quarter's tallies (to the period's end) and each month's categories; the cases behind a
"needs attention" line are asked for only when the line is given, and repeat
complainants are read as a stream ordered by contact key. Nothing else of a case is kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from cases.clock import require_aware
from cases.intake import LABELS, Category
from cases.model import Case, DeadlineKind
from cases.policy import Policy
from cases.ports import ReportReader, WorkingCalendar
from cases.report_facts import CaseListReader, Window
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
from cases.reporting import _Period, period_report, reply_working_days

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


def report_window(start: date, end: date, calendar: WorkingCalendar, policy: Policy
                  ) -> Window:
    """The instants of the period, the four quarters' months and the contacts' months."""
    first = last_quarters(end)[0][0]
    months = tuple(calendar.start_of_day(_month(first, i)) for i in range(13))
    until = calendar.start_of_day(end + timedelta(days=1))
    since = months_back(end, policy.report.repeat_complainant_months)
    return Window(months=months, period=(calendar.start_of_day(start), until),
                  contacts=(calendar.start_of_day(since), until))


def _month(first: date, i: int) -> date:
    index = first.year * 12 + first.month - 1 + i
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class _Year:
    """The tallies of the period, the four quarters (to the period's end) and their months."""

    calendar: WorkingCalendar
    now: datetime
    period: _Period = field(init=False)
    by_quarter: list[_Period] = field(init=False)
    months: list[Counter[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.period = _Period(calendar=self.calendar, now=self.now)
        self.by_quarter = [_Period(calendar=self.calendar, now=self.now)
                           for _ in range(QUARTERS)]
        self.months = [Counter() for _ in range(12)]

    def _tallies(self, month: int | None, in_period: bool) -> list[_Period]:
        found = [self.period] if in_period else []
        return found if month is None else [*found, self.by_quarter[month // 3]]

    def read(self, reader: ReportReader, window: Window) -> None:
        """Count everything the reader gives for the window."""
        for group in reader.case_groups(window):
            for tally in self._tallies(group.month, group.in_period):
                tally.add_group(group)
            if group.month is not None:
                self.months[group.month][group.category] += group.count
        for d in reader.deadline_groups(window, self.now):
            for tally in self._tallies(d.month, d.in_period):
                tally.tallies[d.kind].add(d.status, d.count)
        days: dict[tuple[date, date], int] = {}
        for reply in reader.replies(window):
            key = (reply.effective_receipt, self.calendar.local_date(reply.replied_at))
            if key not in days:
                days[key] = reply_working_days(self.calendar, reply.effective_receipt,
                                               reply.replied_at)
            for tally in self._tallies(reply.month, reply.in_period):
                tally.reply_days[days[key]] += 1


@dataclass(frozen=True)
class _ReaderLinks:
    """A line's cases, asked of the reader only for the lines the report gives."""

    reader: ReportReader
    window: Window
    now: datetime

    def category(self, key: str, limit: int | None = None) -> tuple[CaseLink, ...]:
        return tuple(self.reader.category_cases(self.window, key, limit))

    def breached(self, kind: DeadlineKind) -> tuple[CaseLink, ...]:
        return tuple(self.reader.breached_cases(self.window, kind, self.now))

    def about(self, subjects: frozenset[str]) -> tuple[CaseLink, ...]:
        by_subject: dict[str, list[CaseLink]] = {}
        for subject, link in self.reader.subject_cases(self.window, subjects):
            by_subject.setdefault(subject, []).append(link)
        return tuple(link for links in by_subject.values() for link in links)


def full_report(cases: Iterable[Case], start: date, end: date, now: datetime,
                calendar: WorkingCalendar, policy: Policy) -> TrendReport:
    """The report from whole cases (the full-case path: tests, fakes, the reference)."""
    return report_from(CaseListReader(cases), start, end, now, calendar, policy)


def report_from(reader: ReportReader, start: date, end: date, now: datetime,
                calendar: WorkingCalendar, policy: Policy) -> TrendReport:
    """The period's report with the four quarters to its end and the trends across them."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    limits = policy.report
    now = require_aware(now)
    window = report_window(start, end, calendar, policy)
    year = _Year(calendar=calendar, now=now)
    year.read(reader, window)
    links = _ReaderLinks(reader, window, now)
    report = period_report(year.period, start, end, limits, policy.learning.root_causes,
                           links)
    quarters = tuple(_quarter_point(q, tally, policy)
                     for q, tally in zip(last_quarters(end), year.by_quarter, strict=True))
    days = [_month(quarters[0].start, i) for i in range(12)]
    months = tuple(MonthPoint(label=f"{day:%b %Y}", start=day, by_category=_categories(c))
                   for day, c in zip(days, year.months, strict=True))
    extra = [*_rising(quarters, links, policy),
             *_repeat_complainants(reader, window, end, policy)]
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


def _rising(quarters: Sequence[QuarterPoint], links: _ReaderLinks,
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
                links.category(category.value, MAX_LINKS)))
    return lines


def _repeat_complainants(reader: ReportReader, window: Window, end: date,
                         policy: Policy) -> list[Attention]:
    """People (an email or phone) behind several cases, counted by the reader; the first
    MAX_LINKS of their cases listed, a person's cases together."""
    least = policy.report.repeat_complainant_min
    # A case is behind at most two keys (its email and phone): twice the cases listed
    # are enough rows to find that many distinct ones.
    found = reader.repeat_contacts(window, least, 2 * MAX_LINKS)
    if not found.people:
        return []
    shown = tuple(dict.fromkeys(row.link for row in found.first))[:MAX_LINKS]
    who = "1 complainant" if found.people == 1 else f"{found.people} complainants"
    months = policy.report.repeat_complainant_months
    return [Attention(
        AttentionKind.REPEAT_COMPLAINANT,
        f"{who} (same email or phone) made {least} or more complaints in the {months} "
        f"months to {end:%d %b %Y}: {found.cases} cases; look at them together.", shown)]
