"""UK working days in Europe/London, with bank holidays and company closures."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo

import holidays

from cases.clock import require_aware
from cases.policy import CalendarPolicy

_K = TypeVar("_K")
_V = TypeVar("_V")

_MAX_SCAN_DAYS = 3660
# Memoised answers per calendar (days, spans): cleared when full, so memory stays bounded.
_MEMO_MAX = 8192


@lru_cache(maxsize=16)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv=nation, years=year).keys())


class UKWorkingCalendar:
    """Implements ``cases.ports.WorkingCalendar`` from a ``CalendarPolicy``."""

    def __init__(self, policy: CalendarPolicy | None = None) -> None:
        self.policy = policy or CalendarPolicy()
        self.zone = ZoneInfo(self.policy.timezone)
        self._closures = frozenset(self.policy.closures)
        # The policy is frozen, so each answer holds for the calendar's life. The sweep and
        # the intake ask the same few days over and over (every due deadline, every minute).
        self._working: dict[date, bool] = {}
        self._between: dict[tuple[date, date], int] = {}
        self._added: dict[tuple[date, int], date] = {}

    def local_date(self, at: datetime) -> date:
        """The business-time-zone date of an instant."""
        return require_aware(at).astimezone(self.zone).date()

    def local(self, at: datetime) -> datetime:
        """An instant shown in the business time zone."""
        return require_aware(at).astimezone(self.zone)

    def is_bank_holiday(self, day: date) -> bool:
        """A public holiday in the configured UK nation."""
        return day in _bank_holidays(self.policy.nation, day.year)

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, not a bank holiday, not a company closure."""
        known = self._working.get(day)
        if known is None:
            known = (day.weekday() < 5 and not self.is_bank_holiday(day)
                     and day not in self._closures)
            _remember(self._working, day, known)
        return known

    def next_working_day_on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the next working day."""
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within ten years: check the closures in the policy")

    def effective_receipt(self, received_at: datetime) -> date:
        """Received on a non-working day or at/after the cut-off: the next working day."""
        local = self.local(received_at)
        day = local.date()
        if not self.is_working_day(day) or local.time() >= self.policy.business_end:
            return self.next_working_day_on_or_after(day + timedelta(days=1))
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The Nth working day after ``start``; ``start`` itself is not counted."""
        if n < 0:
            raise ValueError("n must not be negative")
        known = self._added.get((start, n))
        if known is not None:
            return known
        day = start
        for _ in range(n):
            day = self.next_working_day_on_or_after(day + timedelta(days=1))
        _remember(self._added, (start, n), day)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        known = self._between.get((start, end))
        if known is not None:
            return known
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        _remember(self._between, (start, end), count)
        return count

    def _at(self, day: date, clock_time: time) -> datetime:
        return datetime.combine(day, clock_time, tzinfo=self.zone).astimezone(UTC)

    def close_of_business(self, day: date) -> datetime:
        """The cut-off instant on ``day`` (17:00 London by default), in UTC."""
        return self._at(day, self.policy.business_end)

    def start_of_day(self, day: date) -> datetime:
        """The instant ``day`` begins (midnight in the business time zone), in UTC."""
        return self._at(day, time(0))

    def start_of_business(self, day: date) -> datetime:
        """The opening instant on ``day`` (09:00 London by default), in UTC."""
        return self._at(day, self.policy.business_start)


def _remember(memo: dict[_K, _V], key: _K, value: _V) -> None:
    # Threads may race here: both compute the same answer, and either write is right.
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    memo[key] = value
