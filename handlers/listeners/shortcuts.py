"""Ways into the intake modal: the global shortcut, the message shortcut, App Home's button."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from cases.intake import MAX_FACTS
from handlers.deps import HandlerDeps
from handlers.ids import ActionId, CallbackId
from handlers.listeners.intake import open_intake
from handlers.payloads import part, trigger_of
from handlers.routes import Routes

# A message's ts is seconds since the epoch; only a plausible one prefills the received time.
_TS_EARLIEST, _TS_LATEST = 946_684_800.0, 4_133_980_800.0  # 2000-01-01 .. 2101-01-01


def message_prefill(body: Any) -> dict[str, Any]:
    """The shortcut's message as intake prefill: its text as the facts, its time as received.

    A text longer than the facts can hold is left out whole, never cut (the form says so).
    """
    text = part(body, "message", "text")
    text = text if isinstance(text, str) else ""
    prefill: dict[str, Any] = {"facts": text} if len(text) <= MAX_FACTS else {}
    ts = part(body, "message", "ts")
    try:
        seconds = float(ts) if isinstance(ts, str | int | float) else None
    except ValueError:
        seconds = None
    if seconds is not None and _TS_EARLIEST <= seconds <= _TS_LATEST:
        prefill["received_at"] = datetime.fromtimestamp(seconds, tz=UTC)
    return prefill


def register(app: Routes, deps: HandlerDeps) -> None:
    @app.shortcut(CallbackId.SHORTCUT_LOG_COMPLAINT.value)
    def handle_shortcut_log_complaint(ack: Ack, body: dict[str, Any],
                                      client: WebClient) -> None:
        ack()
        open_intake(client, trigger_of(body), deps)

    @app.shortcut(CallbackId.SHORTCUT_LOG_MESSAGE.value)
    def handle_shortcut_log_message(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        text = part(body, "message", "text")
        length = len(text) if isinstance(text, str) else 0
        open_intake(client, trigger_of(body), deps, message_prefill(body),
                    long_message=length if length > MAX_FACTS else 0)

    @app.action(ActionId.LOG_COMPLAINT.value)
    def handle_home_log_complaint(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_intake(client, trigger_of(body), deps)
