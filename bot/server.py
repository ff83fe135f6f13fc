"""Running the bot: HTTP (cheroot, a production WSGI server) or Socket Mode."""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from types import FrameType
from typing import TYPE_CHECKING, Any

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.then_run import answer_then_run
from bot.wake import WakeListener, wake_sender
from bot.workers import WorkerRole, supervise

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_bolt.request import BoltRequest

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


MAX_BODY = 1 << 20  # bytes; Slack's largest payload (a 100-block modal) is far smaller
MAX_DEPTH = 32  # nesting of JSON; Slack's deepest payload (state.values) is about ten
SIGNATURE_AGE = 300  # seconds a signed request stays valid, as Slack recommends
# Keys bolt reads as objects; a correctly signed body with a string there is malformed.
# Slack sends some of them as null; "view", when present, is always an object.
OBJECT_KEYS = ("user", "team", "channel", "container", "message", "enterprise", "event",
               "state")
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


class Refused(Exception):
    """A request answered before bolt sees it: ``status`` and a reason (no body in it)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise Refused(400, "bad Content-Length") from None
    if length < 0 or length > MAX_BODY:
        raise Refused(413 if length > 0 else 400, "body too large")
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    return body


def verify_signature(body: bytes, timestamp: str, signature: str, secret: str,
                     now: float) -> None:
    """Slack's v0 signature over the raw bytes, checked before anything parses them."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise Refused(401, "missing or non-numeric X-Slack-Request-Timestamp")
    if abs(now - int(timestamp)) > SIGNATURE_AGE:
        raise Refused(401, "stale X-Slack-Request-Timestamp")
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise Refused(401, "bad X-Slack-Signature")


def _depth(value: Any) -> int:
    """How deep ``value`` nests (a scalar is 1), counting no further than MAX_DEPTH + 1."""
    deepest, stack = 1, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item \
            if isinstance(item, list) else ()
        if children:
            # Every child is one level deeper; only containers are walked (a modal's
            # payload is hundreds of strings, checked on every request before the ack).
            deepest = max(deepest, depth + 1)
            if deepest > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in children
                         if isinstance(child, dict | list))
    return deepest


def check_well_formed(body: bytes, content_type: str) -> dict[str, Any]:
    """Refuse (400) a signed body bolt could not parse into the object it expects; else the
    object, parsed by bolt's rule (JSON, form fields, or a form's ``payload``)."""
    from slack_bolt.request.internals import parse_body

    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    if _BAD_ESCAPE.search(body):
        raise Refused(400, "bad percent-escape")
    try:
        parsed = parse_body(text, content_type or None)  # bolt's own rule, JSON or form
    except (ValueError, RecursionError):
        raise Refused(400, "body does not parse") from None
    if not isinstance(parsed, dict):
        raise Refused(400, "body is not an object")
    if _depth(parsed) > MAX_DEPTH:
        raise Refused(400, "body nested too deep")
    for key in OBJECT_KEYS:
        if parsed.get(key) is not None and not isinstance(parsed[key], dict):
            raise Refused(400, f"{key} is not an object")
    view = parsed.get("view", {})
    if not isinstance(view, dict) or ("view" in parsed and not isinstance(view.get("type"), str)):
        raise Refused(400, "view is not an object with a type")
    if not isinstance(parsed.get("type", ""), str):
        raise Refused(400, "type is not a string")
    actions = parsed.get("actions", [])
    if not (isinstance(actions, list) and all(isinstance(a, dict) for a in actions)) or \
            (parsed.get("type") == "block_actions" and not actions):
        raise Refused(400, "actions is not a list of objects")
    # The ids bolt routes by (handlers.routes matches them against a pattern).
    if not all(_text_or_null(a.get("action_id")) for a in actions) or \
            not _text_or_null(view.get("callback_id")) or \
            not _text_or_null(parsed.get("callback_id")):
        raise Refused(400, "an action_id or callback_id is not a string")
    return parsed


def _text_or_null(value: object) -> bool:
    return value is None or isinstance(value, str)


def _answer(start_response: Callable[..., Any], status: int, payload: dict[str, Any]
            ) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    reason = HTTPStatus(status).phrase
    start_response(f"{status} {reason}", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(body)))])
    return [body]


def bolt_request(environ: dict[str, Any], secret: str | None) -> BoltRequest:
    """The POST's bolt request, once its raw bytes are verified and checked; else Refused."""
    from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
    from slack_bolt.request import BoltRequest

    body = _read_body(environ)
    if secret is None:
        raise Refused(401, "no SLACK_SIGNING_SECRET: HTTP requests cannot be verified")
    verify_signature(body, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
                     environ.get("HTTP_X_SLACK_SIGNATURE", ""), secret, time.time())
    parsed = check_well_formed(body, environ.get("CONTENT_TYPE", ""))
    # Bolt is handed the object parsed above instead of the text to parse again (a 16 kB
    # modal submission: 0.1-0.2 ms of CPU per request). BoltRequest takes a parsed body only
    # with mode="socket_mode", bolt's mark of a request whose sender is already
    # authenticated: in bolt 1.30 its only effects are to skip bolt's own signature check
    # (done above, on the raw bytes, where it must be) and to copy the object rather than
    # re-parse the text for lazy listeners. tests/slack/test_raw_body.py pins both.
    return BoltRequest(body=parsed, query=environ.get("QUERY_STRING", ""),
                       headers=WsgiHttpRequest(environ).get_headers(), mode="socket_mode")


def wsgi_app(runtime: Runtime, *, signing_secret: str | None = None) -> WsgiApp:
    """Slack's requests at POST /slack/events; GET /healthz answers 200 when the database does.

    Every POST is verified (timestamp, signature) on its raw bytes, then checked to parse,
    before bolt sees it: a forged request gets 401, a signed but malformed one 400, and
    neither is logged with its body.
    """
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse

    slack = SlackRequestHandler(runtime.app, path="/slack/events")
    secret = signing_secret if signing_secret is not None else runtime.signing_secret

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if path == "/healthz" and method == "GET":
            healthy, detail = runtime.health()
            return _answer(start_response, 200 if healthy else 503, {"ok": healthy, **detail})
        if path != "/slack/events" or method != "POST":
            return slack(environ, start_response)  # bolt's own 404
        try:
            request = bolt_request(environ, secret)
        except Refused as refused:
            log.info("refused a request to /slack/events: %s (HTTP %d)", refused,
                     refused.status)
            error = "invalid request" if refused.status == 401 else "malformed request"
            return _answer(start_response, refused.status, {"error": error})
        # What bolt's WSGI adapter does with a request, on the one already built; the work
        # after a decided answer is kept to run here once the answer is sent.
        with runtime.listeners.deferring() as kept:
            answer = runtime.app.dispatch(request)
            response = WsgiHttpResponse(status=answer.status, headers=answer.headers,
                                        body=answer.body)
            headers = response.get_headers()
        if not kept:
            start_response(response.status, headers)
            return response.get_body()
        return answer_then_run(start_response, response.status, headers,
                               response.get_body(), kept)

    return app


SHUTDOWN_TIMEOUT = 10  # seconds in-flight work gets after SIGTERM, in either mode


def _close_socket_mode(handler: SocketModeHandler) -> None:
    """Take no new envelope, let those taken finish and ack on the open socket, hang up.

    slack_sdk's builtin ``close()`` alone closes the socket first and only then waits for
    the listeners, so an envelope in flight at SIGTERM lost its ack (Slack then shows the
    user an error although the work was done).
    """
    client = handler.client
    client.closed = True  # the dispatch loop stops taking envelopes off the queue...
    client.message_processor.shutdown()  # type: ignore[no-untyped-call]  # ends in ≤ 1 s
    client.message_workers.shutdown(wait=True)  # envelopes taken run to their ack
    handler.close()  # type: ignore[no-untyped-call]


def _slack_check_fails(runtime: Runtime, settings: Settings) -> bool:
    """Print each problem with the Slack settings; True if there is any."""
    from bot.startup import slack_problems

    problems = slack_problems(runtime.client, settings)
    for problem in problems:
        print(f"complaints-bot: cannot start: {problem}", file=sys.stderr, flush=True)
    return bool(problems)


def _serve_socket_mode(runtime: Runtime, app_token: str, stopped: threading.Event) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.errors import SlackApiError

    handler = SocketModeHandler(runtime.app, app_token)
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as exc:
        log.error("Socket Mode: Slack refused to open a connection (%s). SLACK_APP_TOKEN "
                  "must be the app-level token (xapp-...) with the connections:write "
                  "scope, from the app's Basic Information page.",
                  exc.response.get("error"))
        handler.close()  # type: ignore[no-untyped-call]
        return 1
    log.info("Complaints Desk connected to Slack in Socket Mode")
    stopped.wait()
    # Hang up only once the envelopes already taken are handled and acked, and
    # before outbox delivery stops (it delivers what they queued). Bounded, like
    # the HTTP server's shutdown_timeout.
    closer = threading.Thread(target=_close_socket_mode, args=(handler,),
                              name="shutdown", daemon=True)
    closer.start()
    closer.join(SHUTDOWN_TIMEOUT)
    if closer.is_alive():
        log.warning("Socket Mode: in-flight work still running after %d s; stopping",
                    SHUTDOWN_TIMEOUT)
    return 0


def _serve_http(runtime: Runtime, host: str, port: int,
                stop_actions: list[Callable[[], None]], worker: WorkerRole | None = None) -> int:
    from cheroot.wsgi import Server

    # cheroot's default listen backlog of 5 drops SYNs when 20 clients arrive at
    # once, costing those requests a 1 s TCP retransmit (see bench/http_bench.py).
    # A worker shares its port with the others (bot/workers.py): SO_REUSEPORT.
    server = Server((host, port), wsgi_app(runtime), numthreads=16,
                    server_name="complaints-desk", shutdown_timeout=SHUTDOWN_TIMEOUT,
                    request_queue_size=128, reuse_port=worker is not None)
    stop_actions.append(server.stop)
    server.prepare()
    if worker is None:
        log.info("Complaints Desk listening on http://%s:%d/slack/events", host, port)
        print(f"listening on {host}:{server.bind_addr[1]}", flush=True)
    else:
        worker.tell_ready()  # the supervisor says "listening on" once all are
    server.serve()
    return 0


def serve(settings: Settings, *, host: str = "0.0.0.0", port: int = 3000,
          check: bool = True, teams_port: int = 3978, workers: int = 1,
          worker: WorkerRole | None = None) -> int:
    """Check Slack, start background work, then serve until SIGTERM/SIGINT.

    In-flight requests finish. A failed check prints what is wrong and returns 1. With
    ``workers`` > 1 this process supervises that many workers (bot/workers.py); ``worker``
    is one of them (it neither migrates nor checks: its supervisor did).
    """
    if worker is None and workers > 1:
        return _supervise(settings, host, port, check, teams_port, workers)
    delivers = worker is None or worker.delivers
    runtime = build_runtime(settings, teams_host=host, teams_port=teams_port,
                            upgrade=worker is None, bootstrap=worker is None,
                            wake=wake_sender(worker.wake_path)
                            if worker is not None and not delivers else None)
    slack = settings.slack_bot_token is not None
    if check and worker is None and slack and _slack_check_fails(runtime, settings):
        runtime.container.engine.dispose()
        return 1
    stopped = threading.Event()
    stop_asked: list[float] = []  # when the signal came (monotonic): shutdown's budget
    stop_actions: list[Callable[[], None]] = [lambda: stop_asked.append(time.monotonic())]
    _on_signals(stopped, stop_actions)
    background = _start_background(runtime, worker) if delivers else []
    if delivers and runtime.teams is not None:
        runtime.teams.host.start()
        print(f"Teams listening on {host}:{runtime.teams.host.port}", flush=True)
        stop_actions.append(stopped.set)
    if worker is not None:
        worker.watch_supervisor()
    freeze_startup_objects()
    try:
        if not slack:  # Teams alone: serve until a signal
            stopped.wait()
            code = 0
        elif settings.slack_app_token is not None:
            code = _serve_socket_mode(runtime, settings.slack_app_token.get_secret_value(),
                                      stopped)
        else:
            code = _serve_http(runtime, host, port, stop_actions, worker)
    finally:
        # What the last requests' listeners do after their ack (and queue for delivery)
        # finishes before outbox delivery stops, within the same SHUTDOWN_TIMEOUT as the
        # requests themselves (counted from the signal).
        spent = time.monotonic() - stop_asked[0] if stop_asked else 0.0
        if not runtime.listeners.wait_idle(max(SHUTDOWN_TIMEOUT - spent, 0.5)):
            log.warning("listeners still running %d s after the stop; stopping anyway",
                        SHUTDOWN_TIMEOUT)
        if delivers and runtime.teams is not None:
            runtime.teams.host.stop()
        for stop in background:
            stop()
    log.info("stopped")
    return code


def freeze_startup_objects() -> int:
    """Leave what startup built (modules, the ORM's mappings, the policy, compiled queries:
    most of the process's objects, and all of them kept for its life) out of every later
    garbage collection; returns how many objects that is.

    Python's full collection walks every tracked object: in a serving bot that took 120-130
    ms, holding the GIL, so every request in flight waited as long (the p99 of the HTTP
    benchmark, bench/README.md "Fourth round", item 5). Frozen, the same collection took 10-13 ms.
    What requests create is still collected as before; only a cycle among startup objects
    that became garbage later would stay (there is none by design: they live until exit).
    """
    gc.collect()  # startup's own garbage goes first, not into the frozen generation
    gc.freeze()
    return gc.get_freeze_count()


def _on_signals(stopped: threading.Event, stop_actions: list[Callable[[], None]]) -> None:
    """SIGTERM/SIGINT: stop taking work, then run each stop action in its own thread."""
    def on_signal(signum: int, frame: FrameType | None) -> None:
        if stopped.is_set():
            return
        stopped.set()
        log.info("received %s: finishing in-flight work, then stopping",
                 signal.Signals(signum).name)
        for action in stop_actions:
            threading.Thread(target=action, name="shutdown", daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)


def _start_background(runtime: Runtime, worker: WorkerRole | None
                      ) -> list[Callable[[], None]]:
    """Outbox delivery and the sweeps (and, for worker 0, the other workers' wake-ups);
    returns what stops them, in stopping order."""
    runtime.start_background()
    stops: list[Callable[[], None]] = [runtime.stop_background]
    if worker is not None:
        listener = WakeListener(worker.wake_path, runtime.dispatcher.wake)
        listener.start()
        stops.insert(0, listener.stop)
    return stops


def _supervise(settings: Settings, host: str, port: int, check: bool, teams_port: int,
               workers: int) -> int:
    """Migrate, bootstrap and check Slack once here, then run the workers."""
    runtime = build_runtime(settings, teams_host=host, teams_port=teams_port)
    try:
        if check and _slack_check_fails(runtime, settings):
            return 1
    finally:
        runtime.container.engine.dispose()
    return supervise(host, port, workers, teams_port)
