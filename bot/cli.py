"""The `complaints-bot` command: run the bot, migrate, manage roles, quote policy dates."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from bot.case_cli import add_case_parser
from bot.cli_ops import CliError, cmd_outbox, cmd_roles, cmd_sweep
from bot.people_cli import add_people_parser
from bot.records_cli import add_records_parser
from bot.sandbox_cli import add_sandbox_parser, no_slack_settings, run_sandbox
from bot.settings import Settings
from bot.teams_cli import add_teams_parser
from cases.deadlines import policy_dates
from cases.errors import DomainError, IntakeInvalid
from cases.report_period import report_period
from cases.reporting import parse_day, report_as_dict, report_text

log = logging.getLogger(__name__)


def _parse_when(text: str, zone: ZoneInfo, flag: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"{flag}: {text!r} is not an ISO 8601 date-time "
                       "(e.g. 2026-05-01T18:30 or 2026-05-01T18:30+01:00)") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)  # a time without an offset is London time
    return value


def settings_or_error() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors())
        raise CliError(f"bad setting: {problems}") from None


_settings = settings_or_error
parse_when = _parse_when


def cmd_policy_dates(args: argparse.Namespace) -> int:
    from bot.container import Container

    container = Container(_settings())
    zone = container.calendar.zone
    received = _parse_when(args.received, zone, "--received")
    concluded = _parse_when(args.concluded, zone, "--concluded") if args.concluded else None
    dates = policy_dates(container.policy, container.calendar, received, concluded)

    def show(at: datetime) -> str:
        return at.astimezone(zone).isoformat()

    out: dict[str, Any] = {
        "received": show(dates.received_at),
        "effective_receipt": dates.effective_receipt.isoformat(),
        "stage_one_acknowledge_by": show(dates.stage_one_acknowledge_by),
        "stage_one_investigate_by": show(dates.stage_one_investigate_by),
        "stage_one_reply_expected_by": show(dates.stage_one_reply_expected_by),
        "stage_two_acknowledge_by": show(dates.stage_two_acknowledge_by),
        "stage_two_reply_by": show(dates.stage_two_reply_by),
    }
    if dates.stage_one_reply_by is not None:
        out["stage_one_reply_by"] = show(dates.stage_one_reply_by)
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    policy = container.policy

    def line(label: str, at: datetime, rule: str) -> str:
        local = at.astimezone(zone)
        return f"  {label:<34} {local:%a %d %b %Y %H:%M} ({rule})"

    print(f"Received {received.astimezone(zone):%a %d %b %Y %H:%M} "
          f"-> counts as received {dates.effective_receipt:%a %d %b %Y}")
    print("Stage One")
    print(line("Acknowledge by", dates.stage_one_acknowledge_by,
               policy.stage_one_acknowledgement.describe()))
    print(line("Investigate and act by", dates.stage_one_investigate_by,
               policy.investigation.describe()))
    if dates.stage_one_reply_by is not None:
        print(line("Reply by", dates.stage_one_reply_by, policy.stage_one_reply.describe()))
    else:
        print(line("Reply at the latest by", dates.stage_one_reply_expected_by,
                   policy.stage_one_reply.describe() + ", if the investigation takes it all"))
    print("Stage Two (if a review request were received at that time)")
    print(line("Acknowledge review by", dates.stage_two_acknowledge_by,
               policy.stage_two_acknowledgement.describe()))
    print(line("Definitive reply by", dates.stage_two_reply_by,
               policy.stage_two_reply.describe()))
    return 0


def cmd_policy_show(args: argparse.Namespace) -> int:
    """The policy in force, each number marked as the procedure's or our interpretation."""
    from bot.container import Container
    from cases.policy import policy_summary

    policy = Container(_settings()).policy
    if getattr(args, "json", False):  # the full policy, markers included, for scripts
        print(json.dumps(policy.model_dump(mode="json"), indent=2))
    else:
        print("\n".join(policy_summary(policy)))
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from storage import migrate

    url = _settings().database_url
    if args.db_command == "upgrade":
        migrate.upgrade(url, args.revision)
        print(f"database at revision {migrate.current(url)}")
    elif args.db_command == "downgrade":
        migrate.downgrade(url, args.revision)
        print(f"database at revision {migrate.current(url) or 'base (empty)'}")
    else:
        print(migrate.current(url) or "base (empty)")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    teams = settings.teams_configured()
    if no_slack_settings(settings) and not teams:  # no chat settings at all: the sandbox
        return run_sandbox(args.port)
    if teams and settings.missing_for_teams():
        raise CliError("cannot start: these Teams settings are missing: "
                       + ", ".join(settings.missing_for_teams())
                       + ". Set them in the environment or in .env (see the README).")
    missing = [] if no_slack_settings(settings) else settings.missing_for_slack()
    if missing:
        raise CliError(
            "cannot start: these Slack settings are missing: " + ", ".join(missing)
            + ". Set them in the environment or in .env (see .env.example and the README).")
    if args.workers < 1:
        raise CliError("--workers: give a number of processes, 1 or more")
    if args.workers > 1 and (no_slack_settings(settings) or settings.slack_app_token):
        raise CliError("--workers: more than one process serves Slack's HTTP requests only "
                       "(SLACK_SIGNING_SECRET without SLACK_APP_TOKEN); Socket Mode and "
                       "Teams alone run in one process")
    from bot.server import serve
    from bot.workers import WorkerRole

    worker = WorkerRole.parse(args.worker) if args.worker else None
    return serve(settings, host=args.host, port=args.port, check=not args.no_check,
                 teams_port=args.teams_port, workers=args.workers, worker=worker)


def _parse_day(text: str, flag: str) -> date:
    try:
        return parse_day(text)
    except ValueError as exc:
        raise CliError(f"{flag}: {exc}") from None


def cmd_report(args: argparse.Namespace) -> int:
    from bot.container import Container
    from storage import migrate

    container = Container(_settings())
    if args.start is None and args.end is not None:
        raise CliError("--to needs --from too (or give neither for the last full quarter)")
    today = container.calendar.local_date(container.clock.now())
    start, end = report_period(
        _parse_day(args.start, "--from") if args.start is not None else None,
        _parse_day(args.end, "--to") if args.end else None, today)
    migrate.upgrade(container.settings.database_url)
    try:
        # An operator tool: whoever can reach the database may read counts (no role check).
        report = container.desk.trends_report_as_operator(start=start, end=end)
    except IntakeInvalid as exc:
        flags = {"start": "--from", "end": "--to"}
        raise CliError("; ".join(f"{flags.get(k, k)}: {v}" for k, v in exc.errors.items())
                       ) from None
    finally:
        container.engine.dispose()
    fmt = "json-summary" if args.json and args.format == "text" else args.format
    if fmt in ("text", "json-summary"):
        text = json.dumps(report_as_dict(report), indent=2) if args.json else report_text(report)
        if args.output:
            _write(args.output, (text + "\n").encode("utf-8"))
        else:
            print(text)
        return 0
    from exports.files import ExportFormat, export_bytes

    _write(args.output, export_bytes(report, ExportFormat(fmt)))
    return 0


def _write(path: str | None, data: bytes) -> None:
    """To the file named, or to standard output."""
    if path:
        with open(path, "wb") as out:
            out.write(data)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _add_policy_parser(sub: Any) -> None:
    policy = sub.add_parser("policy", help="the procedure's time limits")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    dates = policy_sub.add_parser(
        "dates", help="every due date for a complaint (or review request) received at a time")
    dates.add_argument("--received", required=True, metavar="ISO-DATETIME",
                       help="when it was received; without an offset it is London time")
    dates.add_argument("--concluded", metavar="ISO-DATETIME",
                       help="when the investigation concluded (adds stage_one_reply_by)")
    dates.add_argument("--json", action="store_true", help="one JSON object")
    dates.set_defaults(func=cmd_policy_dates)
    show = policy_sub.add_parser("show", help="the policy in force (defaults + policy file)")
    show.add_argument("--json", action="store_true", help="one JSON object")
    show.set_defaults(func=cmd_policy_show)


def _add_run_and_db_parsers(sub: Any) -> None:
    run = sub.add_parser("run", help="run the bot (Socket Mode if SLACK_APP_TOKEN is set, "
                                     "else HTTP; with no Slack settings: the sandbox)")
    run.add_argument("--host", default="0.0.0.0",
                     help="HTTP mode: address to listen on (default 0.0.0.0: every "
                          "interface; 127.0.0.1 behind a proxy on the same machine)")
    run.add_argument("--port", type=int, default=3000, help="HTTP mode: port (default 3000)")
    run.add_argument("--teams-port", type=int, default=3978,
                     help="Teams: port of POST /api/messages (default 3978), served when the "
                          "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__* settings are given")
    run.add_argument("--workers", type=int, default=1, metavar="N",
                     help="HTTP mode: serve with N processes sharing the port, one of which "
                          "also delivers the outbox and runs the sweeps (default 1)")
    run.add_argument("--worker", help=argparse.SUPPRESS)  # set by the supervisor only
    run.add_argument("--no-check", action="store_true",
                     help="skip the start-up check of the Slack token and both channels "
                          "(offline use)")
    run.set_defaults(func=cmd_run)
    db = sub.add_parser("db", help="database migrations")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="migrate to the latest schema (default) or REVISION")
    up.add_argument("revision", nargs="?", default="head")
    down = db_sub.add_parser("downgrade", help="migrate down to REVISION ('base' empties it)")
    down.add_argument("revision")
    db_sub.add_parser("current", help="show the database's schema revision")
    db.set_defaults(func=cmd_db)


def _add_report_parser(sub: Any) -> None:
    report = sub.add_parser(
        "report", help="Phase Three: trends and effectiveness of complaints received in a "
                       "period (counts only, no personal data)")
    report.add_argument("--from", dest="start", metavar="YYYY-MM-DD",
                        help="first day (London date of receipt); default: the first day "
                             "of the last full calendar quarter")
    report.add_argument("--to", dest="end", metavar="YYYY-MM-DD",
                        help="last day, included; default: today with --from, else the "
                             "last day of the last full quarter")
    report.add_argument("--json", action="store_true", help="one JSON object")
    report.add_argument("--format", choices=("text", "csv", "xlsx", "json"), default="text",
                        help="text (default); csv, xlsx (one sheet per table) or json: the "
                             "report's tables, counts only")
    report.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    report.set_defaults(func=cmd_report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="complaints-bot",
        description="Complaints Desk: Tiny Tracker's complaints procedure, run in Slack.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    _add_run_and_db_parsers(sub)

    roles = sub.add_parser("roles", help="who is customer services, a director, HR manager")
    roles_sub = roles.add_subparsers(dest="roles_command", required=True)
    for name, verb in (("add", "give"), ("remove", "take away")):
        p = roles_sub.add_parser(name, help=f"{verb} a role: USER_ID ROLE")
        p.add_argument("user_id", metavar="USER_ID", help="chat user id, e.g. U012ABC")
        p.add_argument("role", metavar="ROLE",
                       help="customer-services, director or hr-manager")
    roles_sub.add_parser("list", help="every user and role")
    roles.set_defaults(func=cmd_roles)

    outbox = sub.add_parser("outbox", help="messages waiting for Slack (operators)")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True)
    outbox_sub.add_parser("status", help="pending, delivered and dead counts; dead reasons")
    retry = outbox_sub.add_parser("retry", help="requeue dead messages (all, or the IDS given)")
    retry.add_argument("ids", nargs="*", type=int, metavar="ID")
    outbox.set_defaults(func=cmd_outbox)

    _add_policy_parser(sub)

    sweep = sub.add_parser("sweep", help="deadline alerts: queue what is due now")
    sweep.add_argument("--once", action="store_true", required=True,
                       help="run one sweep and print what it queued")
    sweep.add_argument("--digest", action="store_true",
                       help="also queue today's digest (once per channel per day)")
    sweep.add_argument("--at", metavar="ISO-DATETIME",
                       help="sweep as of this time instead of now; without an offset it is "
                            "London time (alerts are claimed once: a later run will not "
                            "repeat them); a future time needs --dry-run")
    sweep.add_argument("--dry-run", action="store_true",
                       help="print what the sweep would do, change nothing")
    sweep.set_defaults(func=cmd_sweep)

    _add_report_parser(sub)
    add_people_parser(sub)
    add_case_parser(sub)
    add_records_parser(sub)
    add_sandbox_parser(sub)
    add_teams_parser(sub)
    return parser


def _where() -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(Settings().database_url).render_as_string(hide_password=True)
    except Exception:  # the URL itself is what is wrong; say so without it
        return "unparseable URL"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `complaints-bot` console script."""
    from sqlalchemy.exc import DBAPIError

    from bot.startup import configure_logging

    args = build_parser().parse_args(argv)
    configure_logging(args.verbose)
    try:
        result: int = args.func(args)
        return result
    except DBAPIError as exc:
        print(f"complaints-bot: cannot use the database at DATABASE_URL ({_where()}): "
              f"{str(exc.orig).strip().splitlines()[0] if exc.orig else exc}", file=sys.stderr)
        return 1
    except CliError as exc:
        print(f"complaints-bot: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"complaints-bot: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
