"""A real HTTP stand-in for the Slack Web API on 127.0.0.1, for end-to-end tests.

``slack_sdk.WebClient(base_url=fake.base_url)`` talks to it over loopback. It records every
call (method, parsed body, headers, time, status), answers like Slack for the methods the
bot uses, keeps the messages it was sent (so a test can read the card as it stands after
updates), and can be scripted to misbehave: 429 with Retry-After, 5xx, ``ok: false``
errors, slow answers, or being down altogether until told otherwise.

It refuses what Slack refuses, with Slack's own error names: Block Kit over its limits or of
an unknown type (``invalid_blocks`` for messages, ``invalid_arguments`` for views, each with
``response_metadata.messages`` pointing at the offending field), a ``trigger_id`` it never
issued, already used or older than 3 s on the fake's clock (``fake.clock``, the test's
FrozenClock: never wall time), a ``thread_ts`` that is no message of that channel
(``thread_not_found``), and ``views.update`` of a view it never opened (``not_found``) or
with the ``hash`` of an older version of it (``hash_conflict``).
Trigger ids come from ``issue_trigger_id``; tests/slack/signing.py asks for them.

Files go up as ``files_upload_v2`` sends them (``files.getUploadURLExternal``, the bytes to
the fake's own ``/upload/<id>``, ``files.completeUploadExternal``), checked by the same rules
as the sandbox's stand-in (sandbox/files.py); a completed upload shared in a channel is a
message there with ``files``, whose bytes ``file_bytes`` gives back.

``apps.connections.open`` (app-level ``xapp-`` token) answers with the URL of a local Socket
Mode WebSocket server, ``fake.socket_mode`` (tests/slack/fake_socket.py).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from cases.clock import Clock, FrozenClock

# The fake refuses what Slack (and the sandbox's stand-in) refuse, by the same rules.
from sandbox.blockkit import (  # noqa: F401 - re-exported for the tests
    MAX_MESSAGE_BLOCKS,
    MAX_VIEW_BLOCKS,
    TRIGGER_LIFETIME,
    block_refusal,
    view_refusal,
)
from sandbox.files import Uploads
from tests.slack.fake_socket import FakeSocketMode

DownMode = Literal["reset", "503"]
# Form fields that slack_sdk sends as JSON text.
_JSON_FORM_FIELDS = frozenset({"blocks", "attachments", "view", "metadata"})


BOT_USER_ID = "UBOTFAKE"
BOT_ID = "BBOTFAKE"
TEAM_ID = "TFAKE0001"


@dataclass(frozen=True)
class Call:
    """One request the fake received, whatever it answered."""

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float
    status: int
    # Answered 200 with ``ok: true``: the call took effect in the fake workspace.
    ok: bool
    http_method: str = "POST"
    # What the fake answered (None when it answered no JSON: resets, 5xx, 429).
    answer: dict[str, Any] | None = None


@dataclass
class Fault:
    kind: Literal["status", "ratelimit", "error", "delay", "hold"]
    status: int = 500
    retry_after: int = 1
    error: str = ""
    seconds: float = 0.0
    hold: Hold | None = None


class Hold:
    """One call held open by ``hold_next``: the test sees it arrive, then lets it answer."""

    def __init__(self) -> None:
        self._arrived = threading.Event()
        self._released = threading.Event()

    def wait_arrived(self, timeout: float = 10.0) -> None:
        """Block until the held call reached the fake; AssertionError if it never did."""
        if not self._arrived.wait(timeout):
            raise AssertionError(f"the held call did not arrive within {timeout}s")

    def release(self) -> None:
        """Let the held call be answered (normally)."""
        self._released.set()

    def _serve(self) -> None:
        self._arrived.set()
        # Bounded only so a test that forgets to release cannot hang the fake forever.
        self._released.wait(30)


@dataclass
class Message:
    """A message as it stands in the fake workspace (after any updates)."""

    channel: str
    ts: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None
    user: str = BOT_USER_ID
    updates: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)  # shared by an upload


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 drops SYNs under 20 concurrent clients (1 s retransmits).
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Connections we reset on purpose, or clients that hang up, are not test failures.
        return


class FakeSlack:
    """The fake Slack Web API. Start it, point a WebClient at ``base_url``, assert on calls."""

    def __init__(self, token: str | None = None, app_token: str | None = None) -> None:
        self.token = token
        self.app_token = app_token
        self._socket_mode: FakeSocketMode | None = None
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._calls: list[Call] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._down: tuple[DownMode, frozenset[str] | None] | None = None
        self._messages: dict[tuple[str, str], Message] = {}
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._hashes = itertools.count(1)
        self._triggers = itertools.count(1)
        # trigger_id -> when it was issued (None once exchanged for a view)
        self._issued: dict[str, datetime | None] = {}
        self._open_views: dict[str, dict[str, Any]] = {}
        self.clock: Clock = _default_clock()
        self._server: _Quiet | None = None
        self._thread: threading.Thread | None = None
        self.channels_without_bot: set[str] = set()  # conversations.info: is_member false
        self.missing_channels: set[str] = set()  # conversations.info: channel_not_found
        self._file_ids = itertools.count(1)
        self.uploads = self._new_uploads()
        # Connections (HTTP/1.1 keeps them open between calls): how many were accepted, and
        # the open ones, with whether each is serving a call right now.
        self.connections_accepted = 0
        self._open_connections: dict[socket.socket, bool] = {}

    def _new_uploads(self) -> Uploads:
        # The same rules as the sandbox's stand-in (sandbox/files.py): reserve, upload, complete.
        return Uploads(lambda fid: f"http://127.0.0.1:{self.port}/upload/{fid}",
                       lambda: f"FFAKE{next(self._file_ids):05d}")

    def uploaded_files(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Files shared by files_upload_v2 (in ``channel``, or anywhere), in posting order:
        each with its filename, title, bytes (``content``), channel and initial comment."""
        found = []
        for message in self.messages(channel):
            for shown in message.files or []:
                upload = self.uploads.get(str(shown["id"]))
                if upload is None:
                    continue
                found.append({"id": upload.id, "filename": upload.filename,
                              "title": upload.title, "content": upload.data,
                              "alt_txt": upload.alt_txt,
                              "channel": message.channel, "initial_comment": message.text})
        return found

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes of a completed upload (KeyError if there is none)."""
        found = self.uploads.get(file_id)
        if found is None or found.data is None:
            raise KeyError(file_id)
        return found.data

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Listen on a random loopback port in a background thread."""
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _Quiet(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="fake-slack", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._socket_mode is not None:
            self._socket_mode.stop()
            self._socket_mode = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the fake listens on."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """What ``WebClient(base_url=...)`` takes: ``http://127.0.0.1:PORT/api/``."""
        return f"http://127.0.0.1:{self.port}/api/"

    def reset(self) -> None:
        """Forget calls, messages and scripted faults; bring the API back up."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self._down = None
            self._messages.clear()
            self._issued.clear()
            self._open_views.clear()
            self.clock = _default_clock()
            self.channels_without_bot.clear()
            self.missing_channels.clear()
            self.uploads = self._new_uploads()
            self._changed.notify_all()
        if self._socket_mode is not None:
            self._socket_mode.reset()

    @property
    def socket_mode(self) -> FakeSocketMode:
        """Socket Mode's WebSocket server (started on first use): envelopes in, acks out."""
        with self._lock:
            if self._socket_mode is None:
                self._socket_mode = FakeSocketMode().start()
            return self._socket_mode

    # ---- what Slack hands the app -------------------------------------------------------

    def issue_trigger_id(self) -> str:
        """A trigger_id as Slack puts in an interaction: usable once, within 3 s of now."""
        with self._lock:
            trigger_id = f"{next(self._triggers)}.{TEAM_ID}.fake{next(self._ts):08x}"
            self._issued[trigger_id] = self.clock.now()
        return trigger_id

    def _exchange_trigger(self, trigger_id: str) -> str | None:
        """None if ``trigger_id`` may open a view now (and spend it), else Slack's error."""
        with self._lock:
            if trigger_id not in self._issued:
                return "invalid_trigger_id"
            issued = self._issued[trigger_id]
            if issued is None:
                return "exchanged_trigger_id"
            if self.clock.now() - issued > TRIGGER_LIFETIME:
                return "expired_trigger_id"
            self._issued[trigger_id] = None
        return None

    def hang_up_idle(self) -> int:
        """Close every open connection not serving a call, as a server ends idle keep-alive
        connections; returns how many. Calls still being answered finish first (up to 2 s):
        a client may have read its answer before the fake has noted that it is done."""
        deadline = time.monotonic() + 2
        while True:
            with self._lock:
                busy = any(self._open_connections.values())
                idle = [sock for sock, serving in self._open_connections.items()
                        if not serving]
            if not busy or time.monotonic() > deadline:
                break
            time.sleep(0.005)
        for sock in idle:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return len(idle)

    def _connection(self, sock: socket.socket, state: bool | None) -> None:
        with self._lock:
            if state is None:
                self._open_connections.pop(sock, None)
            else:
                if sock not in self._open_connections:
                    self.connections_accepted += 1
                self._open_connections[sock] = state

    # ---- scripting faults ----------------------------------------------------------------

    def _push(self, method: str, fault: Fault, count: int) -> None:
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(Fault(**vars(fault)) for _ in range(count))

    def rate_limit_next(self, method: str, count: int = 1, *, retry_after: int = 1) -> None:
        """The next ``count`` calls to ``method`` ("*" for any) get 429 with Retry-After."""
        self._push(method, Fault("ratelimit", status=429, retry_after=retry_after), count)

    def fail_next(self, method: str, count: int = 1, *, status: int = 500) -> None:
        """The next ``count`` calls to ``method`` get an HTTP error status (500 by default)."""
        self._push(method, Fault("status", status=status), count)

    def error_next(self, method: str, error: str, count: int = 1) -> None:
        """The next ``count`` calls get HTTP 200 with ``{"ok": false, "error": error}``."""
        self._push(method, Fault("error", status=200, error=error), count)

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """The next ``count`` calls are answered normally, but only after ``seconds``."""
        self._push(method, Fault("delay", status=200, seconds=seconds), count)

    def hold_next(self, method: str) -> Hold:
        """The next call to ``method`` waits, in flight, until the returned Hold is released."""
        hold = Hold()
        self._push(method, Fault("hold", status=200, hold=hold), 1)
        return hold

    def go_down(self, mode: DownMode = "reset", methods: Iterable[str] | None = None) -> None:
        """Refuse calls (connection reset, or 503) until ``come_back``; optionally per method."""
        with self._lock:
            self._down = (mode, frozenset(methods) if methods is not None else None)

    def come_back(self) -> None:
        """End an outage started with ``go_down``."""
        with self._lock:
            self._down = None

    # ---- reading what happened -----------------------------------------------------------

    def calls(self, method: str | None = None, *, include_failed: bool = False) -> list[Call]:
        """Calls that took effect (or every attempt with ``include_failed``), oldest first."""
        with self._lock:
            return [c for c in self._calls
                    if (method is None or c.method == method)
                    and (include_failed or c.ok)]

    def attempts(self, method: str | None = None) -> list[Call]:
        """Every request received, failed ones included."""
        return self.calls(method, include_failed=True)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until ``count`` successful calls to ``method`` arrived; AssertionError if not."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                done = [c for c in self._calls if c.method == method and c.ok]
                if len(done) >= count:
                    return done
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = sorted({c.method for c in self._calls})
                    raise AssertionError(
                        f"expected {count} successful {method} call(s) within {timeout}s, got "
                        f"{len(done)}; methods seen: {seen}")
                self._changed.wait(left)

    def wait_until(self, done: Callable[[], bool], timeout: float = 5.0,
                   describe: str = "the condition") -> None:
        """Block until ``done()`` holds, re-checked after every call the fake records.

        ``done`` runs outside the fake's lock, so it may read ``messages()`` and the like.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._changed:
                recorded = len(self._calls)
            if done():
                return
            with self._changed:
                while len(self._calls) == recorded:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        seen = sorted({c.method for c in self._calls})
                        raise AssertionError(f"{describe} did not come true within "
                                             f"{timeout}s; methods seen: {seen}")
                    self._changed.wait(left)

    def messages(self, channel: str | None = None) -> list[Message]:
        """Messages as they stand now (after chat.update), in posting order."""
        with self._lock:
            found = [m for m in self._messages.values()
                     if channel is None or m.channel == channel]
        return sorted(found, key=lambda m: float(m.ts))

    def message(self, channel: str, ts: str) -> Message:
        """One message by channel and ts; KeyError if it was never posted."""
        with self._lock:
            return self._messages[(channel, ts)]

    def delete_message(self, channel: str, ts: str) -> None:
        """Someone deletes a message in Slack: later chat.update calls get message_not_found."""
        with self._lock:
            del self._messages[(channel, ts)]

    def thread(self, channel: str, ts: str) -> list[Message]:
        """Replies in the thread under ``ts``, oldest first."""
        return [m for m in self.messages(channel) if m.thread_ts == ts and m.ts != ts]

    # ---- serving -------------------------------------------------------------------------

    def _decide(self, method: str) -> DownMode | Fault | None:
        with self._lock:
            if self._down is not None:
                mode, methods = self._down
                if methods is None or method in methods:
                    return mode
            for key in (method, "*"):
                queue = self._faults.get(key)
                if queue:
                    return queue.popleft()
        return None

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def _next_ts(self) -> str:
        # Increasing, unique, shaped like Slack's "seconds.micro" strings.
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n % 1_000_000:06d}"

    def dm_channel(self, user: str) -> str:
        """The id of the bot's DM channel with ``user`` (as chat.postMessage answers it)."""
        return self._dm_channel(user)

    def _dm_channel(self, user: str) -> str:
        return "D" + user.lstrip("U")[:10].upper()

    def answer(self, method: str, body: dict[str, Any], headers: dict[str, str]
               ) -> dict[str, Any]:
        """Slack's answer for a successful call (also what the error checks fall back to)."""
        auth = headers.get("authorization", "")
        token = auth.removeprefix("Bearer ").strip() or str(body.get("token") or "")
        if not token:
            return {"ok": False, "error": "not_authed"}
        app_level = method == "apps.connections.open"  # the one method taking an xapp- token
        if token.startswith("xapp-") != app_level:
            return {"ok": False, "error": "not_allowed_token_type"}
        expected = self.app_token if app_level else self.token
        if expected is not None and token != expected:
            return {"ok": False, "error": "invalid_auth"}
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        result: dict[str, Any] = handler(body)
        return result

    # Each _api_* mirrors the shape of Slack's documented response.

    def _channel_of(self, body: dict[str, Any]) -> str:
        channel = str(body.get("channel") or "")
        return self._dm_channel(channel) if channel.startswith(("U", "W")) else channel

    def _api_chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_of(body)
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            return {"ok": False, "error": "no_text"}
        refused = self._refuse_blocks(body)
        if refused is not None:
            return refused
        thread_ts = body.get("thread_ts") or None
        with self._lock:
            if thread_ts and (channel, str(thread_ts)) not in self._messages:
                return {"ok": False, "error": "thread_not_found"}
        ts = self._next_ts()
        message = Message(channel=channel, ts=ts, text=str(body.get("text") or ""),
                          blocks=body.get("blocks"), thread_ts=thread_ts)
        with self._lock:
            self._messages[(channel, ts)] = message
        shaped: dict[str, Any] = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID,
                                  "text": message.text, "ts": ts}
        if message.blocks is not None:
            shaped["blocks"] = message.blocks
        if thread_ts:
            shaped["thread_ts"] = thread_ts
        return {"ok": True, "channel": channel, "ts": ts, "message": shaped}

    def _refuse_blocks(self, body: dict[str, Any]) -> dict[str, Any] | None:
        if body.get("blocks") is None:
            return None
        return block_refusal(body["blocks"])

    def _api_chat_update(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, ts = self._channel_of(body), str(body.get("ts") or "")
        refused = self._refuse_blocks(body)
        if refused is not None:
            return refused
        with self._lock:
            message = self._messages.get((channel, ts))
            if message is None:
                return {"ok": False, "error": "message_not_found"}
            message.history.append({"text": message.text, "blocks": message.blocks})
            if "text" in body:
                message.text = str(body["text"] or "")
            if "blocks" in body:
                message.blocks = body["blocks"]
            message.updates += 1
            text = message.text
        return {"ok": True, "channel": channel, "ts": ts, "text": text,
                "message": {"type": "message", "user": BOT_USER_ID, "text": text,
                            "blocks": body.get("blocks")}}

    def _api_chat_postEphemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("channel") or not body.get("user"):
            return {"ok": False, "error": "channel_not_found"}
        refused = self._refuse_blocks(body)
        if refused is not None:
            return refused
        return {"ok": True, "message_ts": self._next_ts()}

    def _view(self, body: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view = body.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        view = dict(view or {})
        vid = view_id or f"VFAKE{next(self._views):06d}"
        view.update({"id": vid, "team_id": TEAM_ID, "app_id": "AFAKE0001", "bot_id": BOT_ID,
                     "hash": f"{next(self._hashes)}.{vid}", "root_view_id": vid,
                     "state": {"values": {}}})
        with self._lock:
            self._open_views[vid] = view
        return {"ok": True, "view": view}

    def _refuse_view(self, body: dict[str, Any]) -> dict[str, Any] | None:
        view = body.get("view")
        if isinstance(view, str):
            try:
                view = json.loads(view)
            except json.JSONDecodeError:
                return {"ok": False, "error": "invalid_arguments"}
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        return view_refusal(view)

    def _open(self, body: dict[str, Any]) -> dict[str, Any]:
        trigger_id = str(body.get("trigger_id") or body.get("interactivity_pointer") or "")
        if not trigger_id:
            return {"ok": False, "error": "invalid_arguments"}
        refused = self._refuse_view(body)
        if refused is not None:
            return refused
        spent = self._exchange_trigger(trigger_id)
        if spent is not None:
            return {"ok": False, "error": spent}
        return self._view(body)

    def _api_views_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._open(body)

    def _api_views_update(self, body: dict[str, Any]) -> dict[str, Any]:
        view_id = body.get("view_id")
        external_id = body.get("external_id")
        if not view_id and not external_id:
            return {"ok": False, "error": "invalid_arguments"}
        refused = self._refuse_view(body)
        if refused is not None:
            return refused
        with self._lock:
            if view_id:
                known = str(view_id) if str(view_id) in self._open_views else None
            else:
                known = next((vid for vid, v in self._open_views.items()
                              if v.get("external_id") == external_id), None)
            stale = known is not None and body.get("hash") not in (
                None, "", self._open_views[known].get("hash"))
        if known is None:
            return {"ok": False, "error": "not_found"}
        if stale:  # Slack refuses an update made from an older version of the view
            return {"ok": False, "error": "hash_conflict"}
        return self._view(body, known)

    def _api_views_push(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._open(body)

    def _api_views_publish(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("user_id"):
            return {"ok": False, "error": "invalid_arguments"}
        refused = self._refuse_view(body)
        if refused is not None:
            return refused
        return self._view(body, f"VHOME{str(body['user_id'])[:12]}")

    def view(self, view_id: str) -> dict[str, Any]:
        """A view as it stands now in the fake (after views.update); KeyError if never opened."""
        with self._lock:
            return self._open_views[view_id]

    def _api_conversations_open(self, body: dict[str, Any]) -> dict[str, Any]:
        users = str(body.get("users") or "").split(",")
        if not users or not users[0]:
            return {"ok": False, "error": "users_list_not_supplied"}
        return {"ok": True, "no_op": True, "already_open": True,
                "channel": {"id": self._dm_channel(users[0].strip())}}

    def _api_files_getUploadURLExternal(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.uploads.reserve(body)

    def _place_refusal(self, channel: str, thread_ts: str | None) -> str | None:
        if not channel.startswith(("C", "G", "D")) or channel in self.missing_channels:
            return "channel_not_found"
        with self._lock:
            if thread_ts and (channel, thread_ts) not in self._messages:
                return "thread_not_found"
        return None

    def _api_files_completeUploadExternal(self, body: dict[str, Any]) -> dict[str, Any]:
        answer, shared = self.uploads.complete(body, self._place_refusal)
        if shared is not None and shared.channel is not None:
            ts = self._next_ts()
            files = [f.shown(f"http://127.0.0.1:{self.port}/files/{f.id}") for f in shared.files]
            message = Message(channel=shared.channel, ts=ts, text=shared.comment, blocks=None,
                              thread_ts=shared.thread_ts, files=files)
            with self._lock:
                self._messages[(shared.channel, ts)] = message
                self._changed.notify_all()
        return answer

    def _api_conversations_info(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel") or "")
        if not channel.startswith(("C", "G")) or channel in self.missing_channels:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {
            "id": channel, "name": channel.lower(), "is_channel": channel.startswith("C"),
            "is_private": channel.startswith("G"), "is_archived": False,
            "is_member": channel not in self.channels_without_bot}}

    def _api_users_info(self, body: dict[str, Any]) -> dict[str, Any]:
        user = str(body.get("user") or "")
        if not user:
            return {"ok": False, "error": "user_not_found"}
        name = user.lower()
        return {"ok": True, "user": {
            "id": user, "team_id": TEAM_ID, "name": name, "real_name": f"User {user}",
            "deleted": False, "is_bot": False, "tz": "Europe/London",
            "profile": {"real_name": f"User {user}", "display_name": name},
        }}

    def _api_apps_connections_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_mode.issue_url()}

    def _api_auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://fake-workspace.slack.invalid/",
                "team": "Fake Workspace", "user": "complaints-desk", "team_id": TEAM_ID,
                "user_id": BOT_USER_ID, "bot_id": BOT_ID, "is_enterprise_install": False}


def _default_clock() -> FrozenClock:
    # Until a test hands over its own clock, time stands still: nothing expires by itself.
    return FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))


def _parse_body(raw: bytes, content_type: str, query: str) -> dict[str, Any]:
    body: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not raw:
        return body
    if "application/json" in content_type:
        parsed = json.loads(raw.decode("utf-8"))
        if isinstance(parsed, dict):
            body.update(parsed)
        return body
    for key, value in parse_qsl(raw.decode("utf-8"), keep_blank_values=True):
        if key in _JSON_FORM_FIELDS:
            with contextlib.suppress(json.JSONDecodeError):
                body[key] = json.loads(value)
                continue
        body[key] = value
    return body


class _Handler(BaseHTTPRequestHandler):
    owner: FakeSlack
    protocol_version = "HTTP/1.1"  # connections kept open between calls, as Slack's are
    # An answer is written as headers, then body: without TCP_NODELAY the body waits for
    # the client's delayed ACK of the headers (40 ms) on a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        return  # keep test output clean; every call is recorded instead

    def setup(self) -> None:
        super().setup()
        self.owner._connection(self.connection, False)

    def finish(self) -> None:
        self.owner._connection(self.connection, None)
        super().finish()

    def do_GET(self) -> None:
        self._busy(self._serve, "GET")

    def do_POST(self) -> None:
        self._busy(self._serve, "POST")

    def _busy(self, serve: Callable[[str], None], http_method: str) -> None:
        self.owner._connection(self.connection, True)
        try:
            serve(http_method)
        finally:
            self.owner._connection(self.connection, False)

    def _serve(self, http_method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        if url.path.startswith("/upload/") and http_method == "POST":  # files_upload_v2 step 2
            status, text = self.owner.uploads.receive(url.path[len("/upload/"):], raw)
            self._record("(upload)", {"__bytes__": len(raw)}, headers, status, http_method,
                         ok=status == 200)
            self._send_text(status, text)
            return
        if not url.path.startswith("/api/"):
            self._send(404, {"ok": False, "error": "not_found"})
            return
        method = url.path[len("/api/"):]
        try:
            body = _parse_body(raw, headers.get("content-type", ""), url.query)
        except (ValueError, UnicodeDecodeError):
            self._record(method, {"__raw__": raw.decode("latin-1")}, headers, 400, http_method,
                         ok=False)
            self._send(400, {"ok": False, "error": "invalid_json"})
            return
        fake = self.owner
        decision = fake._decide(method)
        if decision == "reset":
            self._record(method, body, headers, 0, http_method)
            self._reset_connection()
            return
        if decision == "503":
            self._record(method, body, headers, 503, http_method)
            self._send_text(503, "Service Unavailable")
            return
        if isinstance(decision, Fault):
            if decision.kind == "ratelimit":
                self._record(method, body, headers, 429, http_method)
                self._send(429, {"ok": False, "error": "ratelimited"},
                           {"Retry-After": str(decision.retry_after)})
                return
            if decision.kind == "status":
                self._record(method, body, headers, decision.status, http_method)
                self._send_text(decision.status, "upstream connect error")
                return
            if decision.kind == "error":
                self._record(method, body, headers, 200, http_method, ok=False)
                self._send(200, {"ok": False, "error": decision.error})
                return
            if decision.hold is not None:
                decision.hold._serve()  # "hold": in flight until the test releases it
            else:
                time.sleep(decision.seconds)  # "delay": then answer normally
        answer = fake.answer(method, body, headers)
        self._record(method, body, headers, 200, http_method, ok=bool(answer.get("ok")),
                     answer=answer)
        self._send(200, answer)

    def _record(self, method: str, body: dict[str, Any], headers: dict[str, str], status: int,
                http_method: str, *, ok: bool = False,
                answer: dict[str, Any] | None = None) -> None:
        self.owner._record(Call(method=method, body=body, headers=headers, at=time.time(),
                                status=status, ok=ok, http_method=http_method,
                                answer=answer))

    def _send(self, status: int, payload: dict[str, Any],
              extra: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_text(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _reset_connection(self) -> None:
        # SO_LINGER 0 makes close() send RST: the client sees "connection reset by peer".
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()
