"""What the page's clicks become: Slack's payloads, signed as Slack signs them, POSTed to the bot.

Signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{raw body}`` keyed with the signing
secret, in ``X-Slack-Signature``, the timestamp in ``X-Slack-Request-Timestamp``. Slash
commands go form-encoded, interactivity as a form field ``payload`` of JSON, events as JSON:
to the same ``/slack/events`` endpoint production uses.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sandbox.model import BOT_USER, TEAM

APP_ID = "ASANDBOX1"
FORM = "application/x-www-form-urlencoded"


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The ``X-Slack-Signature`` Slack would send with ``body`` at ``timestamp``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Answer:
    """The bot's HTTP answer: status and the JSON it sent (empty when it sent none)."""

    status: int
    body: dict[str, Any]


class BotLink:
    """POSTs signed requests to the bot's ``/slack/events``."""

    def __init__(self, url: str, secret: str) -> None:
        self.url, self.secret = url, secret

    def send(self, body: bytes, content_type: str) -> Answer:
        now = int(time.time())
        request = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": content_type, "X-Slack-Request-Timestamp": str(now),
            "X-Slack-Signature": sign(body, self.secret, now),
            "User-Agent": "Slackbot 1.0 (sandbox)"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Answer(response.status, _parsed(response.read()))
        except urllib.error.HTTPError as error:
            return Answer(error.code, _parsed(error.read()))

    def command(self, fields: dict[str, str]) -> Answer:
        return self.send(urlencode(fields).encode(), FORM)

    def interaction(self, payload: dict[str, Any]) -> Answer:
        encoded = urlencode({"payload": json.dumps(payload, separators=(",", ":"))})
        return self.send(encoded.encode(), FORM)

    def event(self, event: dict[str, Any]) -> Answer:
        payload = {"team_id": TEAM, "api_app_id": APP_ID, "event": event,
                   "type": "event_callback", "event_id": f"Ev{time.time_ns()}",
                   "event_time": int(time.time()),
                   "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True,
                                       "enterprise_id": None,
                                       "is_enterprise_install": False}]}
        return self.send(json.dumps(payload).encode(), "application/json")


def _parsed(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode() or "{}")
    except (ValueError, UnicodeDecodeError):
        return {"text": raw.decode("utf-8", "replace")}
    return value if isinstance(value, dict) else {}


def user_of(user_id: str) -> dict[str, str]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(),
            "team_id": TEAM}


def slash_command(user: str, channel: str, channel_name: str, text: str, trigger: str
                  ) -> dict[str, str]:
    """A ``/complaint`` command's fields (all strings, as Slack sends them)."""
    return {"team_id": TEAM, "team_domain": "sandbox", "channel_id": channel,
            "channel_name": channel_name, "user_id": user, "user_name": user.lower(),
            "command": "/complaint", "text": text, "api_app_id": APP_ID,
            "is_enterprise_install": "false", "trigger_id": trigger,
            "response_url": "http://127.0.0.1/response-url-unused"}


def _base(kind: str, user: str, trigger: str) -> dict[str, Any]:
    return {"type": kind, "user": user_of(user), "api_app_id": APP_ID, "trigger_id": trigger,
            "team": {"id": TEAM, "domain": "sandbox"}, "enterprise": None,
            "is_enterprise_install": False}


def block_actions(user: str, trigger: str, action: dict[str, Any], *,
                  message: dict[str, Any] | None = None, channel: str | None = None,
                  view: dict[str, Any] | None = None) -> dict[str, Any]:
    """A click on a message's element (``message`` and ``channel``) or in a ``view``."""
    payload = _base("block_actions", user, trigger)
    payload["actions"] = [{**action, "action_ts": f"{time.time():.6f}"}]
    payload["state"] = {"values": (view or {}).get("state", {}).get("values", {})}
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view["id"]}
        payload["view"] = view
    else:
        payload["container"] = {"type": "message", "message_ts": (message or {}).get("ts"),
                                "channel_id": channel, "is_ephemeral": False}
        payload["channel"] = {"id": channel, "name": channel}
        payload["message"] = message
        payload["response_url"] = "http://127.0.0.1/response-url-unused"
    return payload


def view_submission(user: str, trigger: str, view: dict[str, Any],
                    values: dict[str, Any]) -> dict[str, Any]:
    """A modal submitted with ``values`` as its ``state.values``."""
    payload = _base("view_submission", user, trigger)
    payload["view"] = {**view, "state": {"values": values}, "app_id": APP_ID,
                       "root_view_id": view["id"], "previous_view_id": None}
    payload["response_urls"] = []
    return payload


def message_action(user: str, trigger: str, callback_id: str, channel: str,
                   message: dict[str, Any]) -> dict[str, Any]:
    """A message shortcut on ``message``."""
    payload = _base("message_action", user, trigger)
    payload.update({"callback_id": callback_id, "channel": {"id": channel, "name": channel},
                    "message_ts": message["ts"], "message": message,
                    "action_ts": f"{time.time():.6f}",
                    "response_url": "http://127.0.0.1/response-url-unused"})
    return payload


def shortcut(user: str, trigger: str, callback_id: str) -> dict[str, Any]:
    """A global shortcut."""
    payload = _base("shortcut", user, trigger)
    payload.update({"callback_id": callback_id, "action_ts": f"{time.time():.6f}"})
    return payload


def app_home_opened(user: str) -> dict[str, Any]:
    """The ``app_home_opened`` event for ``user``'s Home tab."""
    return {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home",
            "event_ts": f"{time.time():.6f}"}
