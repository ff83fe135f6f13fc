"""Operators' commands of `complaints-bot`: roles, outbox, sweep (bot/cli.py wires them)."""

from __future__ import annotations

import argparse
import re
from datetime import datetime
from typing import Any

from cases.roles import parse_organisation_role

SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
PREVIEW_LINES = 20


class CliError(Exception):
    """A user error on the command line: printed without a traceback, exit 2."""


def slack_user_id(text: str) -> str:
    """A Slack user id as Slack writes it (U012ABC); `u012abc` is the same person."""
    user = text.strip().upper()
    if not SLACK_USER_ID.fullmatch(user):
        raise CliError(f"USER_ID: {text!r} is not a Slack user id (U or W, then letters "
                       "and digits, e.g. U012ABC; copy it from the person's profile)")
    return user


def _person(uow: Any, text: str, *, create: bool) -> tuple[str | None, str]:
    """(person id or None if unknown, how to name them) for USER_ID.

    USER_ID is a Slack id (U012ABC, any case), ``slack:U012ABC``, another account
    (``email:…``) or a person id as `people list` shows it.
    """
    from cases.errors import NotFound
    from cases.people import PERSON_ID, AccountKind, parse_account

    cleaned = text.strip()
    if PERSON_ID.fullmatch(cleaned):
        try:
            return uow.people.get(cleaned).id, cleaned
        except NotFound as exc:
            raise CliError(f"USER_ID: {exc}") from None
    if cleaned.lower().startswith("slack:"):
        cleaned = cleaned[len("slack:"):]
    if ":" not in cleaned:
        cleaned = f"slack:{slack_user_id(cleaned)}"
    try:
        account = parse_account(cleaned)
    except ValueError as exc:
        raise CliError(f"USER_ID: {exc}") from None
    label = account.external_id if account.kind is AccountKind.SLACK else str(account)
    if not create:
        found = uow.people.find_by_account(account.kind, account.external_id)
        return (found.id if found else None), label
    person = uow.people.get_or_create_for_account(account.kind, account.external_id,
                                                  account.external_id)
    return person.id, label


def _print_roles(uow: Any) -> None:
    from cases.people import AccountKind

    pairs = uow.roles.all()
    if not pairs:
        print("No roles yet. Add one: complaints-bot roles add U012ABC customer-services")
    people = {p.id: p for p in uow.people.list()}
    for who, held in pairs:
        person = people.get(who)
        slack = person.account(AccountKind.SLACK) if person else None
        print("\t".join([who, person.display_name if person else "?",
                         str(slack) if slack else "-", held.value]))


def cmd_roles(args: argparse.Namespace) -> int:
    from bot.cli import settings_or_error
    from bot.container import Container
    from storage import migrate

    role = None
    if args.roles_command != "list":
        try:
            role = parse_organisation_role(args.role)
        except ValueError as exc:
            raise CliError(f"ROLE: {exc}") from None
        if args.user_id.strip()[:2] != "P-" and ":" not in args.user_id:
            slack_user_id(args.user_id)  # refuse a bad id before touching the database
    container = Container(settings_or_error())
    migrate.upgrade(container.settings.database_url)
    with container.uow() as uow:
        if role is None:
            _print_roles(uow)
            return 0
        adding = args.roles_command == "add"
        person, label = _person(uow, args.user_id, create=adding)
        if adding:
            assert person is not None
            changed = uow.roles.grant(person, role)
            print(f"{label} is now {role.value} ({person})" if changed
                  else f"{label} was already {role.value} ({person})")
        else:
            changed = person is not None and uow.roles.revoke(person, role)
            print(f"{label} is no longer {role.value}" if changed
                  else f"{label} did not have {role.value}")
        uow.commit()
    return 0


def cmd_outbox(args: argparse.Namespace) -> int:
    from bot.cli import settings_or_error
    from bot.container import Container
    from storage import migrate
    from storage.outbox import OutboxStore

    container = Container(settings_or_error())
    migrate.upgrade(container.settings.database_url)
    store = OutboxStore(container.engine)
    if args.outbox_command == "status":
        counts = store.counts()
        print(f"pending {counts['pending']}, delivered {counts['delivered']}, "
              f"dead {counts['dead']}")
        for item in store.dead():
            print(f"  dead #{item.id} {item.surface} {item.kind} case {item.case_id or '-'}: "
                  f"refused "
                  f"{item.hard_failures} time(s) in {item.attempts} attempt(s), given up "
                  f"{item.dead_at:%Y-%m-%d %H:%M}Z: {item.error}")
        return 0
    ids = sorted(set(args.ids)) or None
    if ids is not None:
        dead = {item.id for item in store.dead(limit=max(len(ids), 1) + 10_000)}
        unknown = [i for i in ids if i not in dead]
        if unknown:
            raise CliError(f"no dead outbox message with id {', '.join(map(str, unknown))} "
                           "(nothing requeued; `complaints-bot outbox status` lists them)")
    count = store.requeue_dead(container.clock.now(), ids)
    print(f"requeued {count} message(s); the running bot delivers them within a minute")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from bot.cli import parse_when, settings_or_error
    from bot.container import Container
    from bot.runtime import build_sweeper
    from cases.clock import FrozenClock
    from storage import migrate

    if not args.once:
        raise CliError("sweep: only --once is supported here; `complaints-bot run` sweeps "
                       "every minute")
    container = Container(settings_or_error())
    if args.at:
        # As of a given time (operations, replays, tests): housekeeping sees it too.
        at = parse_when(args.at, container.calendar.zone, "--at")
        real_now = container.clock.now()
        if at > real_now and not args.dry_run:
            raise CliError(f"--at {at.isoformat()} is in the future: sweeping then would close "
                           "review windows and record missing responses early. Add "
                           "--dry-run to see what it would do without changing anything.")
        container = Container(container.settings, FrozenClock(at))
    migrate.upgrade(container.settings.database_url)
    # A sweep "as of" another time replays deadlines; the quarterly review goes only from a
    # sweep of now (the running bot's, or `sweep --once` without --at).
    sweeper = build_sweeper(container, reviews=args.at is None)
    now = container.clock.now()
    if args.dry_run:
        for line in preview_sweep(container, sweeper, now):
            print(line)
        return 0
    report = sweeper.sweep(now)
    for line in report.lines():
        print(line)
    if args.digest:
        surfaces = sweeper.digest(now)
        print(f"digest queued for: {', '.join(surfaces)}" if surfaces
              else "digest: not a working day, or already queued today")
    return 0


def preview_sweep(container: Any, sweeper: Any, now: datetime) -> list[str]:
    """What a sweep at ``now`` would do, read without writing anything."""
    from cases.model import DeadlineKind
    from scheduling.sweep import alerts_due, in_business_hours, sweep_horizon

    with container.uow() as uow:  # read only: never committed
        closing = list(uow.cases.ids_with_window_expired(now))
        silent = list(uow.cases.ids_with_open_deadline_due(DeadlineKind.PERSON_RESPONSE, now))
    lines = [f"would close case #{i} (review window ended)" for i in closing]
    lines += [f"would record no response from the named person on case #{i}" for i in silent]
    count = 0
    if in_business_hours(now, sweeper.calendar):
        claimed = set(sweeper.ledger.alert_keys())
        horizon = sweep_horizon(now, sweeper.calendar, sweeper.policy)
        for page in sweeper.ledger.open_deadlines_before(horizon, batch=sweeper.batch):
            for alert in (a for d in page for a in alerts_due(d, now, sweeper.calendar,
                                                              sweeper.policy)):
                if alert.key in claimed:
                    continue
                count += 1
                if count <= PREVIEW_LINES:
                    lines.append(f"would queue {alert.alert_kind.value:<10} {alert.reference:<14}"
                                 f" {alert.deadline_kind.value:<26} due "
                                 f"{alert.due_at.isoformat()} (#{alert.occurrence})")
    else:
        lines.append("outside business hours: no alerts would be posted")
    lines.append(f"dry run as of {now.isoformat()}: {len(closing)} case(s) would close, "
                 f"{count} alert(s) would be queued; nothing was changed")
    return lines
