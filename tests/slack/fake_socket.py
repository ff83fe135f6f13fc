"""Slack's Socket Mode WebSocket endpoint, faked on 127.0.0.1 for end-to-end tests.

The fake Web API's ``apps.connections.open`` (tests/slack/fake_slack.py) hands out a
single-use ``ws://127.0.0.1:PORT/link/?ticket=...`` URL from this server. slack_sdk's builtin
Socket Mode client speaks plain TCP to any port other than 443 (``ws://`` or ``wss://``
alike), so no TLS is involved.

As Slack does, the server greets each connection with ``hello``, then a test sends envelopes
(``slash_commands``, ``interactive``, ``events_api``) and reads the acks the app sends back
(``{"envelope_id": ..., "payload": ...}``); ``disconnect`` asks the app to reconnect. The
WebSocket protocol itself is the ``websockets`` package's (a dev dependency), so the
client's frames are checked by a strict RFC 6455 implementation.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from tests.slack.signing import APP_ID

EnvelopeType = Literal["slash_commands", "interactive", "events_api"]

_quiet = logging.getLogger("tests.fake_socket")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


class FakeSocketMode:
    """The WebSocket side of Socket Mode. ``FakeSlack.socket_mode`` starts one on first use."""

    def __init__(self, app_id: str = APP_ID) -> None:
        self.app_id = app_id
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._tickets: set[str] = set()
        self._open: list[ServerConnection] = []  # live connections, oldest first
        self._accepted = 0
        self._received: list[dict[str, Any]] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -----------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        """Listen on a random loopback port in a background thread."""
        self._server = serve(self._serve, "127.0.0.1", 0, process_request=self._check_ticket,
                             compression=None, close_timeout=2, logger=_quiet)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name="fake-socket-mode", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close every connection (1001 going away) and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not started")
        return int(self._server.socket.getsockname()[1])

    def issue_url(self) -> str:
        """A new single-use WebSocket URL, as ``apps.connections.open`` returns."""
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def reset(self) -> None:
        """Drop live connections and forget what was received."""
        with self._lock:
            live = list(self._open)
        for connection in live:
            connection.close(1001, "reset")
        with self._changed:
            self._tickets.clear()
            self._received.clear()
            self._acks.clear()
            self._accepted = 0
            self._changed.notify_all()

    # ---- talking to the app --------------------------------------------------------------

    def wait_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        """Block until ``count`` connections were accepted and one is open."""
        self._wait(lambda: self._accepted >= count and bool(self._open), timeout,
                   lambda: f"expected connection #{count} within {timeout}s; "
                           f"{self._accepted} accepted, {len(self._open)} open")

    def wait_closed(self, timeout: float = 10.0) -> None:
        """Block until no connection is open (the app hung up)."""
        self._wait(lambda: not self._open, timeout,
                   lambda: f"{len(self._open)} connection(s) still open after {timeout}s")

    def send(self, message: dict[str, Any]) -> None:
        """Send one JSON text frame on the newest open connection."""
        self.wait_connected(timeout=5.0)
        with self._lock:
            connection = self._open[-1]
        connection.send(json.dumps(message))

    def send_envelope(self, kind: EnvelopeType, payload: dict[str, Any], *,
                      accepts_response_payload: bool | None = None,
                      timeout: float = 5.0) -> dict[str, Any]:
        """Deliver ``payload`` as Slack would and return the payload of the app's ack."""
        envelope_id = self.post_envelope(kind, payload,
                                         accepts_response_payload=accepts_response_payload)
        return self.wait_ack(envelope_id, timeout)

    def post_envelope(self, kind: EnvelopeType, payload: dict[str, Any], *,
                      accepts_response_payload: bool | None = None) -> str:
        """Send ``payload`` in an envelope without waiting; returns its ``envelope_id``.

        ``accepts_response_payload`` defaults as Slack sets it: true for slash commands and
        interactions that may answer (view submissions, shortcuts), false for block_actions
        and events.
        """
        envelope_id = str(uuid.uuid4())
        if accepts_response_payload is None:
            accepts_response_payload = (kind != "events_api"
                                        and payload.get("type") != "block_actions")
        envelope: dict[str, Any] = {"envelope_id": envelope_id, "type": kind,
                                    "payload": payload,
                                    "accepts_response_payload": accepts_response_payload}
        if kind == "events_api":
            envelope.update({"retry_attempt": 0, "retry_reason": ""})
        self.send(envelope)
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """The payload of the app's ack for ``envelope_id`` (``{}`` if it carried none).

        No ack within ``timeout`` is an AssertionError.
        """
        self._wait(lambda: envelope_id in self._acks, timeout,
                   lambda: f"no ack for envelope {envelope_id} within {timeout}s; "
                           f"the app sent: {self._received}")
        with self._lock:
            ack = self._acks[envelope_id]
        answer = ack.get("payload") or {}
        assert isinstance(answer, dict), f"ack payload is not an object: {ack}"
        return answer

    def disconnect(self, reason: str = "warning") -> None:
        """Ask the app to reconnect, as Slack does before it rotates a connection."""
        self.send({"type": "disconnect", "reason": reason,
                   "debug_info": {"host": "applink-fake"}})

    # ---- reading what happened -----------------------------------------------------------

    @property
    def connections(self) -> int:
        """How many WebSocket connections were accepted since the last reset."""
        with self._lock:
            return self._accepted

    def received(self) -> list[dict[str, Any]]:
        """Every JSON message the app sent (acks included), oldest first."""
        with self._lock:
            return list(self._received)

    # ---- serving -------------------------------------------------------------------------

    def _wait(self, done: Any, timeout: float, describe: Any) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not done():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(describe())
                self._changed.wait(left)

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        ticket = parse_qs(urlsplit(request.path).query).get("ticket", [""])[0]
        with self._lock:
            if ticket in self._tickets:
                self._tickets.discard(ticket)
                return None
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")

    def _serve(self, connection: ServerConnection) -> None:
        with self._changed:
            self._accepted += 1
            self._open.append(connection)
            self._changed.notify_all()
        try:
            connection.send(json.dumps({
                "type": "hello", "num_connections": len(self._open),
                "debug_info": {"host": "applink-fake", "build_number": 1,
                               "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }))
            for raw in connection:
                try:
                    message = json.loads(raw)
                except ValueError:
                    message = {"__raw__": raw}
                with self._changed:
                    self._received.append(message)
                    if isinstance(message, dict) and "envelope_id" in message:
                        self._acks[str(message["envelope_id"])] = message
                    self._changed.notify_all()
        except ConnectionClosed:
            pass  # the app hung up without a closing handshake: slack_sdk's builtin does
        finally:
            with self._changed:
                if connection in self._open:
                    self._open.remove(connection)
                self._changed.notify_all()
