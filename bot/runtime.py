"""Everything a running bot needs, built from Settings: the bolt app and its background work."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler
from sqlalchemy import text

from bot.container import Container
from bot.dispatch import OutboxDispatcher
from bot.letters_wiring import build_letters, letter_deliverers
from bot.settings import Settings
from cases.clock import Clock
from cases.delivery import SLACK
from handlers.app import HandlerDeps, build_app
from handlers.delivery import Channels, Pacer, SlackDelivery
from handlers.handoff import HandOff
from handlers.slack_client import KeepAliveWebClient
from letters.casefile_pdf import CaseFilePdfRenderer
from letters.surface import Letters
from storage import migrate
from storage.outbox import OutboxStore
from storage.repositories import bootstrap_roles

log = logging.getLogger(__name__)
NO_SLACK_TOKEN = "xoxb-not-configured"  # placeholder when only Teams is configured


@dataclass
class Runtime:
    container: Container
    app: App
    listeners: HandOff  # where the app's listeners run after their ack (handlers.handoff)
    client: WebClient
    outbox: OutboxStore
    dispatcher: OutboxDispatcher
    background: list[Any] = field(default_factory=list)
    signing_secret: str | None = None  # HTTP mode verifies requests with it (bot/server.py)
    teams: Any = None  # bot.teams_wiring.TeamsSurface when Teams is configured
    letters: Letters | None = None  # the letters surface (previews, PDFs, email)

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Database answers? Plus outbox figures an operator wants to see."""
        try:
            with self.container.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            counts = self.outbox.counts()
        except Exception as exc:  # reported as unhealthy, with the reason
            log.warning("health check failed: %s", exc)
            return False, {"database": "unreachable"}
        # The process answering: with `run --workers N` each answers for itself.
        return True, {"database": "ok", "outbox": counts, "pid": os.getpid()}

    def start_background(self) -> None:
        """Start outbox delivery and the scheduled sweeps."""
        self.dispatcher.start()
        for job in self.background:
            job.start()

    def stop_background(self) -> None:
        """Stop the sweeps, then let outbox delivery finish its round."""
        for job in reversed(self.background):
            job.stop()
        self.dispatcher.stop()


def build_runtime(settings: Settings, *, clock: Clock | None = None,
                  client: WebClient | None = None, pacer: Pacer | None = None,
                  upgrade: bool = True, teams_host: str = "0.0.0.0", teams_port: int = 3978,
                  teams_connections: Any = None,
                  wake: Callable[[], None] | None = None, bootstrap: bool = True) -> Runtime:
    """Migrate, bootstrap roles, and wire the bolt app, delivery and dispatcher.

    ``wake``: what a listener calls once it has queued messages; by default this process's
    dispatcher's ``wake`` (a worker that does not deliver wakes the one that does).
    ``upgrade``/``bootstrap``: migrate and grant the bootstrap roles (once, before workers).
    """
    container = Container(settings, clock)
    container.policy  # noqa: B018 - a bad policy file stops the start here, naming the key
    if upgrade:
        migrate.upgrade(settings.database_url)
    if bootstrap:
        bootstrap_roles(container.uow, settings.bootstrap_roles())
    if client is None:
        client = slack_client(settings)
    outbox = OutboxStore(container.engine, settings.complaints_surfaces)
    channels = Channels(customer_services=settings.complaints_cs_channel or "",
                        directors=settings.complaints_directors_channel or "")
    # Delivery only reads cases (get_case, policy dates): the desk's reads use read-only
    # units of work, out of SQLite's queue of writers; PostgreSQL is unaffected.
    letters = build_letters(settings, container.policy)
    delivery = SlackDelivery(client, container.desk, outbox, channels, container.clock,
                             container.calendar, container.policy, pacer, letters=letters)
    mail = letter_deliverers(settings, letters, container.clock)
    letters.mail_configured = bool(mail)
    # Chat surfaces are configured (COMPLAINTS_SURFACES: every notice fans out to each);
    # email carries only the letters addressed to it, whenever mail is set up.
    available: dict[str, Any] = {SLACK: delivery}
    wake_later: list[Any] = []
    teams = None
    if settings.teams_configured():
        from bot.teams_wiring import build_teams

        teams = build_teams(settings, container, outbox, lambda: _wake_all(wake_later),
                            host=teams_host, port=teams_port, connections=teams_connections,
                            letters=letters)
        available[teams.delivery.surface] = teams.delivery
    dispatcher = OutboxDispatcher(outbox, {**deliverers(available, settings), **mail},
                                  container.clock)
    wake_later.append(wake or dispatcher.wake)
    signing = (settings.slack_signing_secret.get_secret_value()
               if settings.slack_signing_secret else None)
    app, listeners = build_app(HandlerDeps(desk=container.desk, clock=container.clock,
                                calendar=container.calendar, policy=container.policy,
                                wake=wake or dispatcher.wake, letters=letters,
                                exports=CaseFilePdfRenderer()),
                    client=client, signing_secret=signing)
    runtime = Runtime(container=container, app=app, listeners=listeners, client=client,
                      outbox=outbox, dispatcher=dispatcher, signing_secret=signing,
                      teams=teams, letters=letters)
    runtime.background.append(build_alert_scheduler(container, wake=dispatcher.wake))
    return runtime


def slack_client(settings: Settings) -> WebClient:
    """The bot's Slack Web API client for the configured token (and ``SLACK_API_URL``)."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    if token is None and settings.teams_configured():
        # Teams alone: bolt's app is built (it is the same container) but never served,
        # and no notice is queued for Slack (COMPLAINTS_SURFACES is teams).
        token = NO_SLACK_TOKEN
    return web_client(token, settings.slack_api_url)


def web_client(token: str | None, base_url: str | None = None) -> WebClient:
    """A Slack Web API client (10 s timeout) on kept-alive connections."""
    kwargs: dict[str, Any] = {"token": token, "timeout": 10}
    if base_url:
        kwargs["base_url"] = base_url
    client = KeepAliveWebClient(**kwargs)
    # Retry a dropped connection once in the client; everything else is the outbox's job.
    client.retry_handlers.append(ConnectionErrorRetryHandler(max_retry_count=1))
    return client


def _wake_all(wakers: list[Any]) -> None:
    for wake in wakers:
        wake()


def deliverers(available: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The deliverer of each configured surface; ValueError names one this bot cannot serve."""
    missing = [s for s in settings.complaints_surfaces if s not in available]
    if missing:
        raise ValueError(f"COMPLAINTS_SURFACES names {', '.join(missing)}, which this bot "
                         f"cannot deliver to (it can: {', '.join(sorted(available))})")
    return {s: available[s] for s in settings.complaints_surfaces}


def build_sweeper(container: Container, *, reviews: bool = True) -> Any:
    """The deadline sweeper on the container's database, calendar, policy and desk.

    ``reviews``: the sweep also queues the quarterly review and its actions' reminders.
    """
    from scheduling.sweep import Sweeper
    from storage.alerts import SqlAlertLedger

    ledger = SqlAlertLedger(container.engine, surfaces=container.settings.complaints_surfaces)
    return Sweeper(ledger, container.calendar, container.policy, housekeeping=container.desk,
                   reviews=container.desk if reviews else None)


def build_alert_scheduler(container: Container, *, wake: Any = None) -> Any:
    """APScheduler jobs: the sweep every minute and the 09:00 digest on working days."""
    from scheduling.jobs import AlertScheduler
    from scheduling.retention import RetentionJob
    from storage.alerts import default_worker_id

    retention = RetentionJob(container.desk, container.clock, worker=default_worker_id())
    return AlertScheduler(build_sweeper(container), container.clock, retention=retention,
                          timezone=container.policy.calendar.timezone,
                          digest_hour=container.policy.calendar.business_start.hour,
                          digest_minute=container.policy.calendar.business_start.minute,
                          wake=wake)
