"""The sandbox's Slack workspace: people, channels, messages, modals and Home tabs, in memory.

It answers the Slack Web API methods the bot calls, by Slack's rules: Block Kit within its
limits (sandbox/blockkit.py), a ``trigger_id`` used once and within 3 s, a ``thread_ts``
that is a message of that channel, ``views.update`` of a view that is open. Everything it
accepted is kept so the page can show it; every call, refused or not, is in ``calls``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.blockkit import TRIGGER_LIFETIME, block_refusal, view_refusal
from sandbox.files import FileShares

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


def _json_part(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


class Workspace(FileShares):
    """One in-memory workspace; thread-safe; ``version`` grows with every change."""

    def __init__(self, people: list[Person], channels: dict[str, str], token: str, *,
                 seconds: Callable[[], float] = time.monotonic) -> None:
        self.people = people
        self.channels = channels  # id -> name
        self.token = token
        self._seconds = seconds
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.version = 0
        self.messages: dict[tuple[str, str], Posted] = {}
        self.ephemerals: list[Ephemeral] = []
        self.stacks: dict[str, list[OpenView]] = {}
        self.homes: dict[str, dict[str, Any]] = {}
        self.calls: list[ApiCall] = []
        self._triggers: dict[str, tuple[str, float | None]] = {}
        self._ids = itertools.count(1)

    # ---- what the page and the payloads read --------------------------------------------

    def person(self, user: str) -> Person | None:
        """The person with id ``user``, if seeded."""
        return next((p for p in self.people if p.id == user), None)

    def dm(self, user: str) -> str:
        """The id of the bot's direct-message channel with ``user``."""
        return "D" + user[1:]

    def channel_messages(self, channel: str) -> list[Posted]:
        """Top-level messages of ``channel``, oldest first."""
        with self._lock:
            found = [m for m in self.messages.values()
                     if m.channel == channel and m.thread_ts in (None, m.ts)]
        return sorted(found, key=lambda m: float(m.ts))

    def replies(self, channel: str, ts: str) -> list[Posted]:
        """Replies in the thread under ``ts``, oldest first."""
        with self._lock:
            found = [m for m in self.messages.values()
                     if m.channel == channel and m.thread_ts == ts and m.ts != ts]
        return sorted(found, key=lambda m: float(m.ts))

    def ephemerals_for(self, user: str, channel: str) -> list[Ephemeral]:
        """What only ``user`` sees in ``channel``."""
        with self._lock:
            return [e for e in self.ephemerals if e.user == user and e.channel == channel]

    def stack(self, user: str) -> list[OpenView]:
        """``user``'s modal stack, bottom first."""
        with self._lock:
            return list(self.stacks.get(user, []))

    def find_view(self, view_id: str) -> OpenView | None:
        """An open modal by id."""
        with self._lock:
            return self._find(view_id)

    def _find(self, view_id: str) -> OpenView | None:
        for stack in self.stacks.values():
            for open_view in stack:
                if open_view.id == view_id:
                    return open_view
        return None

    # ---- changes from the page ------------------------------------------------------------

    def issue_trigger(self, user: str) -> str:
        """A trigger id as Slack puts in an interaction by ``user``: once, within 3 s."""
        with self._lock:
            trigger = f"{next(self._ids)}.{TEAM}.sandbox"
            self._triggers[trigger] = (user, self._seconds())
        return trigger

    def after_submission(self, view_id: str, answer: dict[str, Any]) -> None:
        """What Slack does with the bot's answer to a view_submission (response_action)."""
        with self._changed:
            open_view = self._find(view_id)
            if open_view is None:
                return
            stack = self.stacks[open_view.user]
            action = answer.get("response_action")
            if action == "errors":
                open_view.errors = {str(k): str(v) for k, v in
                                    dict(answer.get("errors") or {}).items()}
            elif action == "update" and isinstance(answer.get("view"), dict):
                open_view.view, open_view.errors = self._shaped(answer["view"], view_id), {}
            elif action == "push" and isinstance(answer.get("view"), dict):
                vid = self._new_view_id()
                stack.append(OpenView(vid, open_view.user, self._shaped(answer["view"], vid)))
            elif action == "clear":
                stack.clear()
            else:
                stack.remove(open_view)
            self._bump()

    def close(self, view_id: str) -> None:
        """The person closes a modal (Cancel): it leaves the stack."""
        with self._changed:
            open_view = self._find(view_id)
            if open_view is not None:
                self.stacks[open_view.user].remove(open_view)
            self._bump()

    def post_as(self, user: str, channel: str, text: str) -> Posted:
        """A person's own message in a channel (for message shortcuts on it)."""
        with self._changed:
            posted = Posted(channel, self._ts(), text, None, None, user=user)
            self.messages[(channel, posted.ts)] = posted
            self._bump()
        return posted

    def note(self, user: str, channel: str, text: str, blocks: list[Any] | None = None
             ) -> None:
        """An answer only ``user`` sees in ``channel`` (a command's reply, the page's notes)."""
        with self._changed:
            self.ephemerals.append(Ephemeral(channel, user, text, blocks, self._ts()))
            self._bump()

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

    def _bump(self) -> None:
        self.version += 1
        self._changed.notify_all()

    def _ts(self) -> str:
        n = next(self._ids)
        return f"{time.time():.0f}.{n:06d}"

    def _new_view_id(self) -> str:
        return f"VSANDBOX{next(self._ids):05d}"

    def _shaped(self, view: dict[str, Any], view_id: str) -> dict[str, Any]:
        shaped = dict(view)
        shaped.update({"id": view_id, "team_id": TEAM, "state": {"values": {}},
                       "hash": f"{time.time():.6f}.{view_id}"})
        return shaped

    # ---- the Web API ----------------------------------------------------------------------

    def call(self, method: str, body: dict[str, Any], token: str) -> dict[str, Any]:
        """Slack's answer to ``method`` with ``body``; every call is recorded."""
        if token != self.token:
            answer: dict[str, Any] = {"ok": False, "error": "invalid_auth"}
        else:
            handler = getattr(self, "_api_" + method.replace(".", "_"), None)
            answer = handler(body) if handler else {"ok": False, "error": "unknown_method"}
        detail = list((answer.get("response_metadata") or {}).get("messages") or [])
        with self._changed:
            self.calls.append(ApiCall(method, None if answer.get("ok") else
                                      str(answer.get("error")), detail))
            self._bump()
        return answer

    def _channel_of(self, body: dict[str, Any]) -> str:
        channel = str(body.get("channel") or "")
        return self.dm(channel) if channel.startswith(("U", "W")) else channel

    def _known_channel(self, channel: str) -> bool:
        return channel in self.channels or (
            channel.startswith("D") and self.person("U" + channel[1:]) is not None)

    def _api_auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "http://127.0.0.1/", "team": "Sandbox (not Slack)",
                "user": "complaints-desk", "team_id": TEAM, "user_id": BOT_USER,
                "bot_id": "BSANDBOT1"}

    def _api_conversations_info(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel") or "")
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel, "name": self.channels[channel],
                                        "is_channel": True, "is_archived": False,
                                        "is_member": True}}

    def _api_users_info(self, body: dict[str, Any]) -> dict[str, Any]:
        person = self.person(str(body.get("user") or ""))
        if person is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {"id": person.id, "team_id": TEAM, "name": person.name,
                                     "real_name": person.name, "deleted": False,
                                     "is_bot": False, "tz": "Europe/London"}}

    def _api_chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_of(body)
        if not self._known_channel(channel):
            return {"ok": False, "error": "channel_not_found"}
        blocks = _json_part(body.get("blocks"))
        if not (body.get("text") or blocks):
            return {"ok": False, "error": "no_text"}
        if blocks is not None and (refused := block_refusal(blocks)) is not None:
            return refused
        thread_ts = str(body.get("thread_ts") or "") or None
        with self._changed:
            if thread_ts and (channel, thread_ts) not in self.messages:
                return {"ok": False, "error": "thread_not_found"}
            posted = Posted(channel, self._ts(), str(body.get("text") or ""), blocks,
                            thread_ts)
            self.messages[(channel, posted.ts)] = posted
        return {"ok": True, "channel": channel, "ts": posted.ts,
                "message": {"type": "message", "user": BOT_USER, "text": posted.text,
                            "ts": posted.ts, "blocks": blocks}}

    def _api_chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._channel_of(body), str(body.get("ts") or "")
        blocks = _json_part(body.get("blocks"))
        if blocks is not None and (refused := block_refusal(blocks)) is not None:
            return refused
        with self._changed:
            posted = self.messages.get((channel, ts))
            if posted is None:
                return {"ok": False, "error": "message_not_found"}
            if "text" in body:
                posted.text = str(body["text"] or "")
            if blocks is not None:
                posted.blocks = blocks
            posted.edited = True
        return {"ok": True, "channel": channel, "ts": ts, "text": posted.text}

    def _api_chat_postEphemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, user = self._channel_of(body), str(body.get("user") or "")
        if not self._known_channel(channel) or self.person(user) is None:
            return {"ok": False, "error": "channel_not_found"}
        blocks = _json_part(body.get("blocks"))
        if blocks is not None and (refused := block_refusal(blocks)) is not None:
            return refused
        with self._changed:
            shown = Ephemeral(channel, user, str(body.get("text") or ""), blocks, self._ts())
            self.ephemerals.append(shown)
        return {"ok": True, "message_ts": shown.ts}

    def _view_of(self, body: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        view = _json_part(body.get("view"))
        if not isinstance(view, dict):
            return None, {"ok": False, "error": "invalid_arguments"}
        refused = view_refusal(view)
        return (None, refused) if refused is not None else (view, {})

    def _spend(self, trigger: str) -> tuple[str | None, str | None]:
        """(the user the trigger was issued to, None) or (None, Slack's error)."""
        issued = self._triggers.get(trigger)
        if issued is None:
            return None, "invalid_trigger_id"
        user, at = issued
        if at is None:
            return None, "exchanged_trigger_id"
        if self._seconds() - at > TRIGGER_LIFETIME.total_seconds():
            return None, "expired_trigger_id"
        self._triggers[trigger] = (user, None)
        return user, None

    def _open(self, body: dict[str, Any], push: bool) -> dict[str, Any]:
        view, refused = self._view_of(body)
        if view is None:
            return refused
        with self._changed:
            user, error = self._spend(str(body.get("trigger_id") or ""))
            if user is None:
                return {"ok": False, "error": error}
            stack = self.stacks.setdefault(user, [])
            if push and len(stack) >= MAX_STACK:
                return {"ok": False, "error": "push_limit_reached"}
            if not push:
                stack.clear()
            vid = self._new_view_id()
            stack.append(OpenView(vid, user, self._shaped(view, vid)))
            return {"ok": True, "view": stack[-1].view}

    def _api_views_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._open(body, push=False)

    def _api_views_push(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._open(body, push=True)

    def _api_views_update(self, body: dict[str, Any]) -> dict[str, Any]:
        view, refused = self._view_of(body)
        if view is None:
            return refused
        with self._changed:
            open_view = self._find(str(body.get("view_id") or ""))
            if open_view is None:
                return {"ok": False, "error": "not_found"}
            open_view.view, open_view.errors = self._shaped(view, open_view.id), {}
            return {"ok": True, "view": open_view.view}

    def _api_views_publish(self, body: dict[str, Any]) -> dict[str, Any]:
        user = str(body.get("user_id") or "")
        if self.person(user) is None:
            return {"ok": False, "error": "user_not_found"}
        view, refused = self._view_of(body)
        if view is None:
            return refused
        with self._changed:
            self.homes[user] = self._shaped(view, "VHOME" + user[1:])
            return {"ok": True, "view": self.homes[user]}
