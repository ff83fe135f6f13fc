"""What the sandbox's workspace holds: people, messages, ephemerals, modals, API calls."""

from __future__ import annotations

import json
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
