"""Which period a trends report covers when people give no dates, or only the first."""

from __future__ import annotations

from datetime import date

from cases.reporting import last_full_quarter


def report_period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """No dates: the last full quarter. A start only: up to today. Both: as given.

    An end without a start is the caller's error to refuse (its words differ per surface).
    """
    if start is None:
        if end is not None:
            raise ValueError("an end date needs a start date too")
        return last_full_quarter(today)
    return start, end if end is not None else today
