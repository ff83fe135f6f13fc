"""`complaints-bot case show|history REF [--json]`: the case file, for operators and audits.

Both show personal data, so each run is recorded in the case's history (actor
``operator``). The JSON is ``cases.casefile.case_file_json``, documented in
docs/case-file.md.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from cases.casefile import CaseFile, FileEntry, case_file_json, history_json


def cmd_case(args: argparse.Namespace) -> int:
    from bot.cli import _settings
    from bot.container import Container
    from storage import migrate

    container = Container(_settings())
    migrate.upgrade(container.settings.database_url)
    try:
        read = container.desk.case_file_as_operator(args.reference)
        zone = container.calendar.zone
    finally:
        container.engine.dispose()
    if args.case_command == "history":
        print(json.dumps(history_json(read.history, personal=True), indent=2) if args.json
              else "\n".join(history_lines(read.file.entries, zone)))
    else:
        print(json.dumps(case_file_json(read.file, read.history), indent=2) if args.json
              else "\n".join(file_lines(read.file, zone)))
    return 0


def _when(at: Any, zone: Any) -> str:
    return str(at.astimezone(zone).strftime("%a %d %b %Y %H:%M"))


def history_lines(entries: tuple[FileEntry, ...], zone: Any) -> list[str]:
    """One line per event (who, what, when), each recorded text indented under it."""
    lines = []
    for e in entries:
        moved = f" [{e.from_state or '-'} -> {e.to_state}]" if e.to_state else ""
        extra = [f"{label}: {value}" for label, value in (*e.people, *e.facts)]
        lines.append(f"{e.seq:>4}  {_when(e.at, zone)}  {e.actor}  {e.label}{moved}"
                     + (f"  ({'; '.join(extra)})" if extra else ""))
        for label, text in e.texts:
            lines.append(f"      {label}:")
            lines.extend(f"        {row}" for row in text.splitlines() or [""])
    return lines


def file_lines(file: CaseFile, zone: Any) -> list[str]:
    """The whole file as text: the case, its intake, deadlines, then its history."""
    lines = [f"{file.reference}  {file.summary}",
             f"State: {file.state_label} (Stage {file.stage})",
             f"Received: {_when(file.received_at, zone)}; logged by {file.logged_by}",
             f"Owner: {file.owner or '-'}  Investigator: {file.investigator or '-'}  "
             f"Reviewer: {file.reviewer or '-'}  Delegate: {file.delegate or '-'}"]
    if file.intake is not None:
        intake = file.intake.model_dump(mode="json")
        lines.append("Intake:")
        lines.extend(f"  {key}: {value}" for key, value in intake.items()
                     if value not in (None, "") and key != "checklist")
    if file.deadlines:
        lines.append("Deadlines:")
        for d in file.deadlines:
            status = (f"met {_when(d.met_at, zone)}" if d.met_at
                      else "retired" if d.retired_at else "open")
            lines.append(f"  {d.label}: due {_when(d.due_at, zone)} ({status})")
    lines.append("History:")
    lines.extend(history_lines(file.entries, zone))
    return lines


def add_case_parser(sub: Any) -> None:
    case = sub.add_parser("case", help="one case's file and history (records the view)")
    case_sub = case.add_subparsers(dest="case_command", required=True)
    for name, what in (("show", "the whole case file: case, intake, deadlines, history"),
                       ("history", "who did what when, with what each step recorded")):
        p = case_sub.add_parser(name, help=what)
        p.add_argument("reference", metavar="REF", help="e.g. TT-2026-0001")
        p.add_argument("--json", action="store_true",
                       help="stable JSON (docs/case-file.md)")
    case.set_defaults(func=cmd_case)
