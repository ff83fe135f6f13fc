"""Reading the parts of a Slack payload every listener needs, without trusting its shape."""

from __future__ import annotations

from typing import Any

from handlers.ids import CaseRef, decode_case_ref


class BadPayload(ValueError):
    """A signed request whose payload is not what Slack sends: refused, never acted on."""


def part(body: Any, *path: str) -> Any:
    """``body[path[0]][path[1]]…``, or None where a step is missing or not an object."""
    here = body
    for key in path:
        if not isinstance(here, dict):
            return None
        here = here.get(key)
    return here


def text_of(body: Any, *path: str) -> str:
    """A string part of the payload ('' when absent); BadPayload when it is not a string."""
    value = part(body, *path)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadPayload(f"{'.'.join(path)} is not text")
    return value


def trigger_of(body: Any) -> str:
    """The trigger id a modal opens with."""
    trigger = text_of(body, "trigger_id")
    if not trigger:
        raise BadPayload("this request carries no trigger id to open a form with")
    return trigger


def channel_of(body: Any) -> str | None:
    """The channel a click or command came from (None in views, and in DMs' modals)."""
    channel = part(body, "channel", "id")
    if channel is None:
        channel = part(body, "channel_id")
    return channel if isinstance(channel, str) and channel else None


def case_ref_of(text: Any) -> CaseRef:
    """A button value or private_metadata as a case reference; BadPayload if it is not ours."""
    try:
        return decode_case_ref(text)
    except ValueError as exc:
        raise BadPayload("this form or button does not name a case") from exc


def button_value(body: Any) -> Any:
    """The value of the button a block_actions payload reports pressed."""
    actions = part(body, "actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return first.get("value") if isinstance(first, dict) else None
