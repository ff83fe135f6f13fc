"""Requests into the app, signed and shaped exactly as Slack sends them.

Signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{raw body}`` keyed with the signing
secret, in ``X-Slack-Signature``, with the timestamp in ``X-Slack-Request-Timestamp``.
Slash commands arrive form-encoded; interactivity arrives as a form field ``payload``
holding JSON; events arrive as JSON.

Each ``*_body`` builder encodes the dict its ``*_payload`` twin returns: Socket Mode
(tests/slack/fake_socket.py) carries the same dicts, unencoded, in its envelopes.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlencode

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

TEAM = {"id": "T0TEST001", "domain": "tinytracker"}
APP_ID = "A0TEST001"
VERIFICATION_TOKEN = "legacy-verification-token"  # Slack still sends it; bolt ignores it

_counter = itertools.count(1)


def _unique(prefix: str) -> str:
    return f"{prefix}{int(time.time())}{next(_counter):06d}"


# Slack mints every trigger_id; in tests the fake Slack does (tests/slack/conftest.py hands
# its ``issue_trigger_id`` over for each test), so the fake knows each one it must accept.
_trigger_issuer: Callable[[], str] | None = None


def issue_trigger_ids_with(issuer: Callable[[], str] | None) -> None:
    """Take trigger ids from ``issuer`` (the fake Slack's), or unknown ones with None."""
    global _trigger_issuer
    _trigger_issuer = issuer


def new_trigger_id() -> str:
    """A trigger_id as Slack would put in the next interaction."""
    return _trigger_issuer() if _trigger_issuer is not None else _unique("trig.")


def signature(body: bytes, secret: str, timestamp: int) -> str:
    """The ``X-Slack-Signature`` value for ``body`` sent at ``timestamp``."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, secret: str, timestamp: int | None = None, *,
                   content_type: str = FORM, retry_num: int | None = None,
                   retry_reason: str = "http_timeout") -> dict[str, str | Sequence[str]]:
    """Headers Slack would send with ``body``: signature, timestamp, content type (+ retry).

    Typed as bolt's ``BoltRequest(headers=...)`` wants them.
    """
    ts = int(time.time()) if timestamp is None else timestamp
    headers: dict[str, str | Sequence[str]] = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(body, secret, ts),
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers


def _user(user_id: str) -> dict[str, str]:
    name = user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM["id"]}


def _form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode("utf-8")


# ---- slash commands -------------------------------------------------------------------------

def slash_command_payload(text: str = "", *, command: str = "/complaint",
                          user_id: str = "U0STAFF1", channel_id: str = "C0CS00001",
                          channel_name: str = "customer-services",
                          trigger_id: str | None = None) -> dict[str, str]:
    """A slash command's fields (all strings, as Slack sends them)."""
    return {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM["id"],
        "team_domain": TEAM["domain"],
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": f"https://hooks.slack.com/commands/{TEAM['id']}/{_unique('')}/x",
        "trigger_id": trigger_id or new_trigger_id(),
    }


def slash_command_body(text: str = "", *, command: str = "/complaint", user_id: str = "U0STAFF1",
                       channel_id: str = "C0CS00001", channel_name: str = "customer-services",
                       trigger_id: str | None = None) -> bytes:
    """A slash command, form-encoded as Slack posts it."""
    return urlencode(slash_command_payload(
        text, command=command, user_id=user_id, channel_id=channel_id,
        channel_name=channel_name, trigger_id=trigger_id)).encode("utf-8")


# ---- interactivity --------------------------------------------------------------------------

def block_actions_payload(action_id: str, value: str | None = None, *,
                          block_id: str = "actions", user_id: str = "U0STAFF1",
                          channel_id: str | None = "C0CS00001",
                          message_ts: str | None = "1700000001.000001",
                          message: dict[str, Any] | None = None,
                          view: dict[str, Any] | None = None, action_type: str = "button",
                          text: str = "Button", trigger_id: str | None = None) -> dict[str, Any]:
    """A block_actions payload: a button clicked on a message (or, with ``view``, in a view)."""
    action: dict[str, Any] = {
        "action_id": action_id, "block_id": block_id, "type": action_type,
        "action_ts": f"{time.time():.6f}",
    }
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": text, "emoji": True}
    if value is not None:
        action["value"] = value
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": dict(TEAM),
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [action],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V0TEST001")}
        payload["view"] = view
    else:
        payload["container"] = {"type": "message", "message_ts": message_ts,
                                "channel_id": channel_id, "is_ephemeral": False}
        payload["channel"] = {"id": channel_id, "name": "customer-services"}
        payload["message"] = message or {"type": "message", "ts": message_ts,
                                         "user": "UBOTFAKE", "text": "card", "blocks": []}
        payload["response_url"] = f"https://hooks.slack.com/actions/{TEAM['id']}/1/x"
    return payload


def block_actions_body(action_id: str, value: str | None = None, *, block_id: str = "actions",
                       user_id: str = "U0STAFF1", channel_id: str | None = "C0CS00001",
                       message_ts: str | None = "1700000001.000001",
                       message: dict[str, Any] | None = None,
                       view: dict[str, Any] | None = None, action_type: str = "button",
                       text: str = "Button", trigger_id: str | None = None) -> bytes:
    """``block_actions_payload`` as the form Slack posts."""
    return _form(block_actions_payload(
        action_id, value, block_id=block_id, user_id=user_id, channel_id=channel_id,
        message_ts=message_ts, message=message, view=view, action_type=action_type, text=text,
        trigger_id=trigger_id))


def view_submission_payload(callback_id: str, state_values: dict[str, Any], *,
                            private_metadata: str = "", user_id: str = "U0STAFF1",
                            view_id: str | None = None, view_hash: str | None = None,
                            blocks: list[dict[str, Any]] | None = None,
                            title: str = "Complaints Desk") -> dict[str, Any]:
    """A view_submission payload. Slack puts no channel in it; reuse ``view_id`` for retries."""
    vid = view_id or _unique("V")
    return {
        "type": "view_submission",
        "team": dict(TEAM),
        "user": _user(user_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": new_trigger_id(),
        "view": {
            "id": vid,
            "team_id": TEAM["id"],
            "type": "modal",
            "blocks": blocks or [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": state_values},
            "hash": view_hash or f"{int(time.time())}.{vid}",
            "title": {"type": "plain_text", "text": title, "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": {"type": "plain_text", "text": "Cancel", "emoji": True},
            "submit": {"type": "plain_text", "text": "Save", "emoji": True},
            "previous_view_id": None,
            "root_view_id": vid,
            "app_id": APP_ID,
            "external_id": "",
            "app_installed_team_id": TEAM["id"],
            "bot_id": "BBOTFAKE",
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_submission_body(callback_id: str, state_values: dict[str, Any], *,
                         private_metadata: str = "", user_id: str = "U0STAFF1",
                         view_id: str | None = None, view_hash: str | None = None,
                         blocks: list[dict[str, Any]] | None = None,
                         title: str = "Complaints Desk") -> bytes:
    """``view_submission_payload`` as the form Slack posts."""
    return _form(view_submission_payload(
        callback_id, state_values, private_metadata=private_metadata, user_id=user_id,
        view_id=view_id, view_hash=view_hash, blocks=blocks, title=title))


def global_shortcut_payload(callback_id: str, *, user_id: str = "U0STAFF1") -> dict[str, Any]:
    """A global shortcut invocation ("shortcut" payload)."""
    return {
        "type": "shortcut", "token": VERIFICATION_TOKEN, "action_ts": f"{time.time():.6f}",
        "team": dict(TEAM), "user": _user(user_id), "is_enterprise_install": False,
        "enterprise": None, "callback_id": callback_id, "trigger_id": new_trigger_id(),
    }


def global_shortcut_body(callback_id: str, *, user_id: str = "U0STAFF1") -> bytes:
    """``global_shortcut_payload`` as the form Slack posts."""
    return _form(global_shortcut_payload(callback_id, user_id=user_id))


def message_shortcut_payload(callback_id: str, message_text: str, *,
                             user_id: str = "U0STAFF1", channel_id: str = "C0CS00001",
                             message_ts: str = "1700000002.000002") -> dict[str, Any]:
    """A message shortcut invocation ("message_action" payload) on one message."""
    return {
        "type": "message_action", "token": VERIFICATION_TOKEN,
        "action_ts": f"{time.time():.6f}", "team": dict(TEAM), "user": _user(user_id),
        "channel": {"id": channel_id, "name": "customer-services"},
        "is_enterprise_install": False, "enterprise": None, "callback_id": callback_id,
        "trigger_id": new_trigger_id(), "message_ts": message_ts,
        "message": {"type": "message", "user": "U0CUSTOMER", "text": message_text,
                    "ts": message_ts},
        "response_url": f"https://hooks.slack.com/app/{TEAM['id']}/1/x",
    }


def message_shortcut_body(callback_id: str, message_text: str, *, user_id: str = "U0STAFF1",
                          channel_id: str = "C0CS00001",
                          message_ts: str = "1700000002.000002") -> bytes:
    """``message_shortcut_payload`` as the form Slack posts."""
    return _form(message_shortcut_payload(callback_id, message_text, user_id=user_id,
                                          channel_id=channel_id, message_ts=message_ts))


# ---- events ---------------------------------------------------------------------------------

def event_payload(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """An Events API callback, e.g. around ``{"type": "app_home_opened", ...}``."""
    return {
        "token": VERIFICATION_TOKEN, "team_id": TEAM["id"], "api_app_id": APP_ID,
        "event": event, "type": "event_callback", "event_id": event_id or _unique("Ev"),
        "event_time": int(time.time()), "authorizations": [{
            "enterprise_id": None, "team_id": TEAM["id"], "user_id": "UBOTFAKE",
            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }


def event_body(event: dict[str, Any], *, event_id: str | None = None) -> bytes:
    """``event_payload`` as the JSON Slack posts."""
    return json.dumps(event_payload(event, event_id=event_id)).encode("utf-8")


def app_home_opened_event(user_id: str = "U0STAFF1") -> dict[str, Any]:
    """The ``app_home_opened`` event for the Home tab."""
    return {"type": "app_home_opened", "user": user_id, "channel": "D0HOME0001",
            "tab": "home", "event_ts": f"{time.time():.6f}"}
