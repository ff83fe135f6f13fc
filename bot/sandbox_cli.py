"""`complaints-bot sandbox`: the real bot with a local Slack stand-in and a page, on 127.0.0.1.

`complaints-bot run` with no Slack settings comes here too. The bot is built exactly as in
production (bot.runtime.build_runtime, bot.server.wsgi_app); only its settings differ: the
Web API is the stand-in's, the signing secret and token are made up for this process, the
roles are granted to a seeded cast through the normal roles bootstrap, and the clock is the
demo clock the page moves.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import signal
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from bot.settings import Settings
from sandbox import persist
from sandbox.clock import DemoClock
from sandbox.mailbox import MailServer
from sandbox.model import Person
from sandbox.payloads import BotLink
from sandbox.web import Sandbox
from sandbox.workspace import Workspace

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)

DEFAULT_DATABASE = "sqlite:///complaints-desk.db"
CS_CHANNEL, DIRECTORS_CHANNEL = "C0SANDCS01", "C0SANDDIR1"
STAFF, CUSTOMER_SERVICES = "U0SAMSTAFF", "U0CASEYCS1"
DIRECTORS, HR_MANAGER, SUBJECT = ("U0DANADIR1", "U0DREWDIR1"), "U0HARPRHR1", "U0PATSUBJ1"
PEOPLE = [Person(STAFF, "Sam Staff", "staff"),
          Person(CUSTOMER_SERVICES, "Casey Cross", "customer services"),
          Person(DIRECTORS[0], "Dana Moss", "director"),
          Person(DIRECTORS[1], "Drew Hale", "director"),
          Person(HR_MANAGER, "Harper Lee", "HR manager"),
          Person(SUBJECT, "Pat Quinn", "a complaint is about them")]


def no_slack_settings(settings: Settings) -> bool:
    """None of SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN: run means the sandbox."""
    return (settings.slack_bot_token is None and settings.slack_signing_secret is None
            and settings.slack_app_token is None)


def first_line(port: int) -> str:
    return (f"Sandbox (not Slack) on http://127.0.0.1:{port}/ : no Slack settings, so the bot "
            "talks to a local stand-in; nothing leaves this machine.")


SANDBOX_MAIL_FROM = "complaints-desk@sandbox.invalid"


def sandbox_settings(port: int, smtp_url: str, token: str) -> Settings:
    """The bot's settings in the sandbox: DATABASE_URL kept if given, the rest made here.

    Mail goes to the sandbox's own SMTP server (``smtp_url``), whatever the environment says:
    nothing leaves the machine.
    """
    given = Settings()
    url = given.database_url if "database_url" in given.model_fields_set else DEFAULT_DATABASE
    return Settings(
        database_url=url, slack_bot_token=SecretStr(token),
        slack_signing_secret=secrets.token_hex(16), slack_app_token=None,
        slack_api_url=f"http://127.0.0.1:{port}/api/", complaints_cs_channel=CS_CHANNEL,
        complaints_directors_channel=DIRECTORS_CHANNEL,
        complaints_customer_services=[CUSTOMER_SERVICES], complaints_directors=list(DIRECTORS),
        complaints_hr_managers=[HR_MANAGER],
        complaints_smtp_url=SecretStr(smtp_url), complaints_mail_from=SANDBOX_MAIL_FROM)


class DemoControls:
    """The page's clock buttons: jump, then sweep at once so alerts show without waiting."""

    def __init__(self, clock: DemoClock, runtime: Runtime) -> None:
        from bot.runtime import build_sweeper

        self.clock, self.runtime = clock, runtime
        self.calendar = runtime.container.calendar
        # The stand-in has no files API for the review's charts: no quarterly review here.
        self.sweeper = build_sweeper(runtime.container, reviews=False)

    def label(self) -> str:
        return f"{self.calendar.local(self.clock.now()):%a %d %b %Y %H:%M}"

    def move(self, how: str) -> None:
        now = self.clock.now()
        today = self.calendar.local_date(now)
        if how == "next-morning":
            day = self.calendar.next_working_day_on_or_after(today + timedelta(days=1))
            target = self.calendar.start_of_business(day)
        elif how == "plus-day":
            local = self.calendar.local(now)
            day = self.calendar.add_working_days(today, 1)
            target = datetime.combine(day, local.timetz())
        else:
            return
        self.clock.jump_to(target)
        self.sweep()

    def sweep(self) -> None:
        now = self.clock.now()
        report = self.sweeper.sweep(now)
        digests = self.sweeper.digest(now)
        if report.queued or digests:
            self.runtime.dispatcher.wake()


@dataclass
class Running:
    """A started sandbox: its server, the bot's runtime and the workspace (tests read it)."""

    server: Any
    runtime: Runtime
    workspace: Workspace
    clock: DemoClock
    port: int
    state_file: Path
    mail: MailServer

    def stop(self) -> None:
        self.runtime.stop_background()  # the outbox's last round still reaches the stand-in
        self.workspace.shut()  # the pages' event streams end
        self.server.stop()
        self.mail.stop()
        self.runtime.container.engine.dispose()
        persist.save(self.workspace, self.state_file, self.clock.now())


def _sqlite_file(url: str) -> Path | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return Path(str(parsed.database))
    return None


def state_file(url: str) -> Path:
    """Where the stand-in keeps its messages: beside a SQLite file, else in this folder."""
    found = _sqlite_file(url)
    return found.with_name(found.name + ".sandbox.json") if found else \
        Path("complaints-desk.sandbox.json")


def reset_database(url: str) -> None:
    """--reset: a SQLite file is removed, any other database migrated down to empty."""
    from storage import migrate

    state_file(url).unlink(missing_ok=True)
    found = _sqlite_file(url)
    if found is not None:
        found.unlink(missing_ok=True)
    else:
        migrate.downgrade(url, "base")


def start(port: int, *, reset: bool = False, seed_demo: bool = False) -> Running:
    """Build the bot and the stand-in on one 127.0.0.1 server; ``serve`` it in a thread."""
    from cheroot.wsgi import Server

    from bot.runtime import build_runtime
    from bot.server import wsgi_app

    token = "xoxb-sandbox-" + secrets.token_hex(8)
    workspace = Workspace(PEOPLE, {CS_CHANNEL: "customer-services",
                                   DIRECTORS_CHANNEL: "directors"}, token,
                          base_url=f"http://127.0.0.1:{port}")
    mail = MailServer(workspace.mailbox).start()  # the bot's letters by email land here
    settings = sandbox_settings(port, mail.url, token)
    if reset:
        reset_database(settings.database_url)
    clock = DemoClock()
    workspace_state = state_file(settings.database_url)
    runtime = build_runtime(settings, clock=clock)
    assert settings.slack_signing_secret is not None
    was = persist.load(workspace, workspace_state)
    if was is not None and was > clock.now():
        clock.jump_to(was)  # the demo's time goes on from where it was, never back
    link = BotLink(f"http://127.0.0.1:{port}/slack/events",
                   settings.slack_signing_secret.get_secret_value())
    app = Sandbox(workspace, wsgi_app(runtime), link, DemoControls(clock, runtime))
    # Each open page holds one thread for its event stream: room for a few tabs and clicks.
    server = Server(("127.0.0.1", port), app, numthreads=32, server_name="complaints-sandbox",
                    shutdown_timeout=5, request_queue_size=128)
    server.prepare()
    runtime.start_background()
    if seed_demo:
        from bot.sandbox_demo import seed

        seed(runtime, clock)
    threading.Thread(target=server.serve, name="sandbox", daemon=True).start()
    return Running(server, runtime, workspace, clock, port, workspace_state, mail)


def run_sandbox(port: int, *, reset: bool = False, seed_demo: bool = False) -> int:
    """Serve the sandbox until SIGTERM/SIGINT (first line says it is the sandbox)."""
    print(first_line(port), flush=True)
    running = start(port, reset=reset, seed_demo=seed_demo)
    stopped = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"Open http://127.0.0.1:{port}/ in a browser; Ctrl-C stops.", flush=True)
    stopped.wait()
    running.stop()
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    return run_sandbox(args.port, reset=args.reset, seed_demo=args.seed_demo)


def add_sandbox_parser(sub: Any) -> None:
    """`complaints-bot sandbox [--port 3000] [--reset] [--seed-demo]`."""
    sandbox = sub.add_parser("sandbox", help="try the desk without Slack: a local stand-in and "
                                             "a page on 127.0.0.1 (nothing leaves the machine)")
    sandbox.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    sandbox.add_argument("--reset", action="store_true", help="start from an empty database")
    sandbox.add_argument("--seed-demo", action="store_true",
                         help="add a few example complaints to look at")
    sandbox.set_defaults(func=cmd_sandbox)
