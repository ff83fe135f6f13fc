"""Time as a dependency: the only way logic learns what time it is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """Return the current time as a UTC-aware datetime."""
        ...


class SystemClock:
    """The wall clock, always UTC-aware."""

    def now(self) -> datetime:
        """Return the current time in UTC."""
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to: for tests, benchmarks and replays."""

    def __init__(self, at: datetime) -> None:
        self._at = require_aware(at)

    def now(self) -> datetime:
        """Return the frozen instant."""
        return self._at

    def set(self, at: datetime) -> None:
        """Jump to a given instant."""
        self._at = require_aware(at)

    def advance(self, delta: timedelta) -> None:
        """Move forward by a duration."""
        self._at = self._at + delta


def require_aware(at: datetime) -> datetime:
    """Refuse naive datetimes and normalise aware ones to UTC."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {at.isoformat()}")
    return at.astimezone(UTC)
