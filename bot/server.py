"""Running the bot: HTTP (cheroot, a production WSGI server) or Socket Mode."""

from __future__ import annotations

import json
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from types import FrameType
from typing import TYPE_CHECKING, Any

from bot.runtime import Runtime, build_runtime
from bot.settings import Settings

if TYPE_CHECKING:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(runtime: Runtime) -> WsgiApp:
    """Slack's requests at POST /slack/events; GET /healthz answers 200 when the database does."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    slack = SlackRequestHandler(runtime.app, path="/slack/events")

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            healthy, detail = runtime.health()
            body = json.dumps({"ok": healthy, **detail}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"),
                                    ("Content-Length", str(len(body)))])
            return [body]
        return slack(environ, start_response)

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


def serve(settings: Settings, *, host: str = "0.0.0.0", port: int = 3000) -> int:
    """Start background work, then serve until SIGTERM/SIGINT; in-flight requests finish."""
    runtime = build_runtime(settings)
    runtime.start_background()
    stopped = threading.Event()
    stop_actions: list[Callable[[], None]] = []

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
    try:
        if settings.slack_app_token is not None:
            from slack_bolt.adapter.socket_mode import SocketModeHandler
            from slack_sdk.errors import SlackApiError

            handler = SocketModeHandler(runtime.app, settings.slack_app_token.get_secret_value())
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
        else:
            from cheroot.wsgi import Server

            # cheroot's default listen backlog of 5 drops SYNs when 20 clients arrive at
            # once, costing those requests a 1 s TCP retransmit (see bench/http_bench.py).
            server = Server((host, port), wsgi_app(runtime), numthreads=16,
                            server_name="complaints-desk", shutdown_timeout=SHUTDOWN_TIMEOUT,
                            request_queue_size=128)
            stop_actions.append(server.stop)
            log.info("Complaints Desk listening on http://%s:%d/slack/events", host, port)
            server.prepare()
            print(f"listening on {host}:{server.bind_addr[1]}", flush=True)
            server.serve()
    finally:
        runtime.stop_background()
    log.info("stopped")
    return 0
