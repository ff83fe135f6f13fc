"""`complaints-bot people list|link`: the people the desk knows and their linked accounts."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import Any


def cmd_people(args: argparse.Namespace) -> int:
    from bot.cli import _settings
    from bot.cli_ops import CliError
    from bot.container import Container
    from cases.people import parse_account
    from storage import migrate

    account = None
    if args.people_command == "link":
        try:
            account = parse_account(args.account)
        except ValueError as exc:
            raise CliError(f"ACCOUNT: {exc}") from None
    container = Container(_settings())
    migrate.upgrade(container.settings.database_url)
    with container.uow() as uow:
        if account is None:
            _print_people(uow.people.list(), as_json=args.json)
            return 0
        person = args.person_id.strip()
        changed = uow.people.link(person, account.kind, account.external_id)
        uow.commit()
    print(f"{account} is now linked to {person}" if changed
          else f"{account} was already linked to {person}")
    return 0


def _print_people(people: Sequence[Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps([{"id": p.id, "display_name": p.display_name,
                           "accounts": [str(a) for a in p.accounts]} for p in people], indent=2))
        return
    if not people:
        print("No people yet.")
    for p in people:
        print(f"{p.id}\t{p.display_name}\t{' '.join(str(a) for a in p.accounts)}")


def add_people_parser(sub: Any) -> None:
    people = sub.add_parser("people", help="people and their linked accounts (slack:U…, "
                                           "email:…)")
    people_sub = people.add_subparsers(dest="people_command", required=True)
    listing = people_sub.add_parser("list", help="every person, with their accounts")
    listing.add_argument("--json", action="store_true", help="one JSON array")
    link = people_sub.add_parser("link", help="link an account to a person: PERSON_ID ACCOUNT")
    link.add_argument("person_id", metavar="PERSON_ID", help="as `people list` shows it")
    link.add_argument("account", metavar="ACCOUNT",
                      help="slack:U012ABC (or just U012ABC), email:name@example.com")
    people.set_defaults(func=cmd_people)
