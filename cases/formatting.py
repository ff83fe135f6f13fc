"""Dates and times as people read them, in the business time zone (for every view model)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from cases.ports import WorkingCalendar


class DisplayCalendar(WorkingCalendar, Protocol):
    """A working calendar that can also show an instant in the business time zone."""

    def local(self, at: datetime) -> datetime:
        """An instant shown in the business time zone."""
        ...


def format_day(day: date) -> str:
    """A date as people read it: 'Fri 10 Jan 2025'."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def format_when(at: datetime, calendar: DisplayCalendar) -> str:
    """An instant in the business time zone: 'Fri 10 Jan 2025 17:00'."""
    local = calendar.local(at)
    return f"{format_day(local.date())} {local:%H:%M}"


def plural(n: int, noun: str) -> str:
    """'1 working day', '2 working days'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
