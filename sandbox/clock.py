"""The demo clock: the wall clock plus an offset that only grows, moved from the page."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class DemoClock:
    """``now()`` runs like the wall clock, ``jump_to`` moves it forward (never back)."""

    def __init__(self) -> None:
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The demo's current time, UTC-aware."""
        with self._lock:
            return datetime.now(UTC) + self._offset

    def jump_to(self, at: datetime) -> None:
        """Move to ``at`` (aware); a time already past is refused with ValueError."""
        if at.tzinfo is None:
            raise ValueError("the demo clock takes aware datetimes")
        with self._lock:
            wall = datetime.now(UTC)
            if at < wall + self._offset:
                raise ValueError("the demo clock only moves forward")
            self._offset = at - wall
