"""A memo of one value: the last one made, kept while its key stays the same."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any


class LastMade:
    """The value last made for a key; a new key makes (and keeps) a new one.

    For what many requests in a row ask for alike (the intake modal of this second).
    Threads may both make the value for a new key; either result is right, the last kept.
    """

    def __init__(self) -> None:
        self._last: tuple[Hashable, Any] | None = None

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The value for ``key``, made by ``make`` unless it was the last one made."""
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        value = make()
        self._last = (key, value)
        return value
