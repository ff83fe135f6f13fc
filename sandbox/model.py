"""What the sandbox's workspace holds: people, messages, ephemerals, modals, API calls."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

BOT_USER = "USANDBOT1"
TEAM = "TSANDBOX1"
MAX_STACK = 3  # Slack: at most three views in a modal's stack


@dataclass(frozen=True)
class Person:
    """Someone in the sandbox workspace."""

    id: str
    name: str
    title: str


@dataclass
class Posted:
    """A message as it stands (after chat.update)."""

    channel: str
    ts: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None
    user: str = BOT_USER
    edited: bool = False
    files: list[dict[str, Any]] = field(default_factory=list)  # shared by an upload


@dataclass
class Ephemeral:
    """A message only ``user`` sees, in ``channel``."""

    channel: str
    user: str
    text: str
    blocks: list[Any] | None
    ts: str


@dataclass
class OpenView:
    """A modal on someone's screen, with the inline errors its last submission got."""

    id: str
    user: str
    view: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiCall:
    """One Web API call the stand-in answered: its method and Slack's error, if any."""

    method: str
    error: str | None
    detail: list[str]


def json_part(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


class Versioned:
    """A lock, and a ``version`` that grows with every change, for the page to wait on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.version = 0
        self.closing = False  # set when the sandbox stops: event streams end

    def wait_change(self, since: int, timeout: float) -> int:
        """Block until ``version`` differs from ``since`` (or ``timeout``); the version."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != since, timeout)
            return self.version

    def wait_for(self, done: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``done()`` holds, re-checked after each change; False on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.version
            if done():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.wait_change(seen, left)

    def shut(self) -> None:
        """The sandbox is stopping: wake everything waiting for a change, to end."""
        with self._changed:
            self.closing = True
            self._bump()

    def touch(self) -> None:
        """Something the page shows changed beside the workspace (a letter was emailed)."""
        with self._changed:
            self._bump()

    def _bump(self) -> None:
        self.version += 1
        self._changed.notify_all()
