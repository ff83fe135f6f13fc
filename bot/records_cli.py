"""`complaints-bot records …`: legal holds, retention, erasure, subject access, access log.

Each change is recorded in the case's history as done by ``operator``; an export also
names who asked for it (``--by``, default the login name), never what it searched for.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from cases.records import MatchBy

_MATCH_FLAGS = {MatchBy.EMAIL: "email", MatchBy.PHONE: "phone", MatchBy.NAME: "name",
                MatchBy.REFERENCE: "ref"}


def _container() -> Any:
    from bot.cli import _settings
    from bot.container import Container
    from storage import migrate

    container = Container(_settings())
    migrate.upgrade(container.settings.database_url)
    return container


def cmd_records(args: argparse.Namespace) -> int:
    container = _container()
    try:
        result: int = _COMMANDS[args.records_command](container, args)
        return result
    finally:
        container.engine.dispose()


def _hold(container: Any, args: argparse.Namespace) -> int:
    case = container.desk.place_hold(args.reference, reason=args.reason)
    print(f"{case.reference} is on legal hold: retention and erasure will not touch it "
          "until `complaints-bot records release` lifts the hold.")
    return 0


def _release(container: Any, args: argparse.Namespace) -> int:
    case = container.desk.release_hold(args.reference)
    print(f"{case.reference}: legal hold released; its retention period applies again.")
    return 0


def _holds(container: Any, args: argparse.Namespace) -> int:
    with container.desk.reader() as uow:
        holds = uow.records.holds()
    if not holds:
        print("No case is on legal hold.")
    for h in holds:
        print(f"{h.reference}\theld {h.held_at.isoformat()} by {h.held_by}\t{h.reason}")
    return 0


def _retention(container: Any, args: argparse.Namespace) -> int:
    months = container.policy.retention.personal_data_months
    if args.dry_run:
        due = container.desk.retention_due()
        print(f"Cases closed more than {months} months ago: {len(due)}"
              + (" (a dry run: nothing changed)" if due else ""))
        for case in due:
            print(f"  {case.reference}\tclosed {case.closed_at.date().isoformat()}\t"
                  + ("on legal hold: kept" if case.held else
                     "would be anonymised" if container.policy.retention.keep_anonymised
                     else "would be deleted"))
        return 0
    done = container.desk.run_retention()
    print(f"Anonymised {len(done.anonymised)}, deleted {len(done.deleted)}, kept on hold "
          f"{len(done.held)}; {done.outbox_pruned} delivered outbox rows pruned.")
    for reference in (*done.anonymised, *done.deleted):
        print(f"  {reference}")
    return 0


def _erase(container: Any, args: argparse.Namespace) -> int:
    from bot.cli_ops import CliError

    reference = args.reference.strip().upper()
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError("erase needs confirmation: run it in a terminal, or add --yes")
        answer = input(f"Erase the personal data of {reference}? This cannot be undone. "
                       f"Type the reference to confirm: ")
        if answer.strip().upper() != reference:
            print("Not erased.")
            return 1
    case = container.desk.erase_case(reference, reason=args.reason)
    print(f"{case.reference}: personal data erased (anonymised); recorded in its history.")
    return 0


def _export(container: Any, args: argparse.Namespace) -> int:
    from bot.cli_ops import CliError
    from cases.records import export_zip

    given = [(m, getattr(args, flag)) for m, flag in _MATCH_FLAGS.items()
             if getattr(args, flag)]
    if len(given) != 1:
        raise CliError("say whose records: exactly one of --email, --phone, --name, --ref")
    match_by, value = given[0]
    pdf = None
    if not args.no_pdf:
        from letters.casefile_pdf import CaseFilePdfRenderer
        from letters.errors import LettersUnavailable
        from letters.pdf import check_pdf_support

        try:
            check_pdf_support()
        except LettersUnavailable as exc:
            raise CliError(f"{exc} (or add --no-pdf for JSON and text only)") from None
        pdf = CaseFilePdfRenderer()
    export = container.desk.export_records(match_by, value,
                                           requested_by=args.by or getpass.getuser())
    data = export_zip(export, pdf)
    out = Path(args.out or f"subject-access-{export.export_id}.zip")
    out.write_bytes(data)
    print(f"Export {export.export_id}: {len(export.cases)} case(s) written to {out} "
          f"({len(data)} bytes); recorded in each case's history.")
    return 0


def _access_log(container: Any, args: argparse.Namespace) -> int:
    from bot.cli import _parse_day

    zone = container.calendar.zone
    start = end = None
    if args.start:
        start = datetime.combine(_parse_day(args.start, "--from"), time(), zone).astimezone(UTC)
    if args.end:
        end = (datetime.combine(_parse_day(args.end, "--to"), time(), zone)
               + timedelta(days=1)).astimezone(UTC)
    entries = container.desk.access_log(reference=args.ref, person=args.person,
                                        start=start, end=end)
    if args.json:
        print(json.dumps([{"at": e.at.isoformat(), "actor": e.actor, "action": e.action,
                           "reference": e.reference, "via": e.via} for e in entries], indent=2))
        return 0
    print("\n".join(access_lines(entries, zone)) if entries else "Nothing recorded.")
    return 0


def access_lines(entries: Any, zone: Any) -> list[str]:
    """One line per entry: when (local), who, which case, what."""
    return [f"{e.at.astimezone(zone):%Y-%m-%d %H:%M}  {e.actor}  {e.reference or '-'}  "
            f"{e.label}" + (f" ({e.via})" if e.via else "") for e in entries]


_COMMANDS = {"hold": _hold, "release": _release, "holds": _holds, "retention": _retention,
             "erase": _erase, "export": _export, "access-log": _access_log}


def add_records_parser(sub: Any) -> None:
    records = sub.add_parser("records", help="personal data: holds, retention, erasure, "
                                             "subject access, who looked at what")
    r = records.add_subparsers(dest="records_command", required=True)
    hold = r.add_parser("hold", help="legal hold: keep a case's personal data")
    hold.add_argument("reference", metavar="REF")
    hold.add_argument("--reason", required=True, help="why (recorded in the history)")
    release = r.add_parser("release", help="lift a legal hold")
    release.add_argument("reference", metavar="REF")
    r.add_parser("holds", help="every case on legal hold")
    retention = r.add_parser("retention", help="anonymise cases past the retention period")
    retention.add_argument("--dry-run", action="store_true",
                           help="list what would be anonymised; change nothing")
    erase = r.add_parser("erase", help="anonymise one closed case now (cannot be undone)")
    erase.add_argument("reference", metavar="REF")
    erase.add_argument("--reason", required=True, help="e.g. the erasure request's date")
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    export = r.add_parser("export", help="subject access: one ZIP of every case holding "
                                         "the person's data")
    for flag in _MATCH_FLAGS.values():
        export.add_argument(f"--{flag}", metavar=flag.upper())
    export.add_argument("--out", metavar="FILE.zip", help="default subject-access-ID.zip")
    export.add_argument("--by", help="who asked for it (default: your login name)")
    export.add_argument("--no-pdf", action="store_true", help="JSON and text only")
    log = r.add_parser("access-log", help="views of personal data, search hits, exports")
    log.add_argument("--ref", metavar="REF")
    log.add_argument("--person", metavar="PERSON_ID", help="who looked (a person id)")
    log.add_argument("--from", dest="start", metavar="YYYY-MM-DD")
    log.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="included")
    log.add_argument("--json", action="store_true")
    records.set_defaults(func=cmd_records)
