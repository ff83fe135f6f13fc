"""The Slack adapter's bolt App: built here, its listeners registered from ``handlers.listeners``.

Every listener acks well inside Slack's 3 seconds; modals open first (trigger ids live
3 s). Case changes go through ``cases.services``; their messages reach Slack through
the outbox, so a listener only wakes the dispatcher. Refusals (stale buttons, roles)
come back as an ephemeral message or a modal, never an error screen.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from handlers.deps import HandlerDeps
from handlers.handoff import HandOff
from handlers.listeners import register_all
from handlers.people import speak_slack

__all__ = ["HandlerDeps", "build_app"]

# Threads that run listeners (handlers.handoff). A listener acks first and then works on
# (opens a modal, posts an answer), so a listener thread stays busy after its ack; with
# bolt's default of 5, a new request's ack waited for one of them under load. More than the
# HTTP server's request threads (16, bot/server.py), so every request in flight can ack at
# once.
LISTENER_THREADS = 32


def _app_client(client: WebClient) -> Callable[..., None]:
    """Listeners get the app's own client, not the new one bolt makes for every request:
    its kept-alive connections (``handlers.slack_client``) are then reused across requests.
    Nothing here changes a client's token; a custom step's own token (bolt sets it on the
    request's client) would keep bolt's client."""

    def use_app_client(context: BoltContext, next: Callable[[], None]) -> None:  # noqa: A002
        if context.function_bot_access_token is None:
            context["client"] = client
        next()

    return use_app_client


def build_app(deps: HandlerDeps, *, client: WebClient, signing_secret: str | None,
              token_verification: bool = False) -> tuple[App, HandOff]:
    """A bolt App with every listener registered, and the hand-off its listeners run
    through. The same app serves HTTP and Socket Mode.

    Bolt calls each listener in the request thread (``process_before_response``); the
    listeners hand their work to a pool and return once it acks, or keep it in the request
    thread where that is the same answer sooner (``handlers.handoff``).
    """
    listeners = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener")
    app = App(client=client, signing_secret=signing_secret or "socket-mode",
              token_verification_enabled=token_verification,
              request_verification_enabled=signing_secret is not None,
              ignoring_self_events_enabled=False, url_verification_enabled=True,
              process_before_response=True, listener_executor=listeners)
    app.use(_app_client(client))
    app.use(speak_slack(deps.people))
    handoff = HandOff(app, listeners)
    register_all(app, deps, handoff)
    return app, handoff
