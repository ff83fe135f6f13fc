"""`/complaint records export …` and `/complaint records access-log …`, answered privately.

An export (directors and the HR manager) is built after the command is acknowledged and
sent to the person who asked, in a direct message, as one ZIP (files_upload_v2); nothing
of it goes to a channel. The access log (the HR manager) is answered where it was asked.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cases.errors import DomainError
from cases.records import AccessEntry, MatchBy, export_zip
from cases.reporting import parse_day
from handlers.answers import refusal_text, tell

if TYPE_CHECKING:
    from handlers.listeners.commands import Complaint, ComplaintCommand

log = logging.getLogger(__name__)

RECORDS_USAGE = ("Use `/complaint records export --email ADDRESS` (or `--phone NUMBER`, "
                 "`--name FULL NAME`, `--ref REF`), or `/complaint records access-log "
                 "[--ref REF] [--person @someone] [--from YYYY-MM-DD] [--to YYYY-MM-DD]`.")
MAX_LINES = 40
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>")
_MATCH = {"--email": MatchBy.EMAIL, "--phone": MatchBy.PHONE, "--name": MatchBy.NAME,
          "--ref": MatchBy.REFERENCE}


def options(words: tuple[str, ...]) -> dict[str, str]:
    """`--flag value words…` pairs; ValueError naming a word that is not after a flag."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for word in words:
        if word.startswith("--"):
            current = word.lower()
            found[current] = []
        elif current is None:
            raise ValueError(f"`{word}` needs a flag before it")
        else:
            found[current].append(word)
    return {flag: " ".join(values) for flag, values in found.items()}


def records_command(answer: ComplaintCommand, command: Complaint) -> None:
    """`/complaint records export|access-log …`."""
    what = command.args[0].lower() if command.args else ""
    try:
        given = options(command.args[1:])
    except ValueError as exc:
        answer.ack(text=f"{exc}. {RECORDS_USAGE}")
        return
    if what == "export":
        _export(answer, given)
    elif what == "access-log":
        _access_log(answer, given)
    else:
        answer.ack(text=RECORDS_USAGE)


def _export(answer: ComplaintCommand, given: dict[str, str]) -> None:
    chosen = [(_MATCH[f], v) for f, v in given.items() if f in _MATCH and v]
    if len(chosen) != 1 or set(given) - set(_MATCH):
        answer.ack(text=f"Say whose records, with exactly one of --email, --phone, --name, "
                        f"--ref. {RECORDS_USAGE}")
        return
    match_by, value = chosen[0]
    answer.ack(text="Preparing the subject-access export: the ZIP comes to you in a direct "
                    "message.")
    deps, client, user = answer.deps, answer.client, answer.user
    try:
        export = deps.desk.export_records(match_by, value, by=user)
    except DomainError as exc:
        tell(client, answer.body, user, refusal_text(exc, deps.calendar))
        return
    data = export_zip(export, deps.exports)
    name = f"subject-access-{export.export_id}.zip"
    channel = client.conversations_open(users=user)["channel"]["id"]
    client.files_upload_v2(
        channel=channel, file_uploads=[{"content": data, "filename": name, "title": name}],
        initial_comment=f"Subject-access export {export.export_id}: {len(export.cases)} "
                        f"case(s), matched by {match_by.value}. It is recorded in each "
                        "case's history. Keep it private.")
    log.info("subject-access export sent privately",
             extra={"export_id": export.export_id, "cases": len(export.cases)})


def _day_start(text: str, zone: ZoneInfo, flag: str, *, after: bool = False) -> datetime:
    try:
        day = parse_day(text)
    except ValueError as exc:
        raise ValueError(f"{flag}: {exc}") from None
    start = datetime.combine(day, time(), zone)
    return (start + timedelta(days=1) if after else start).astimezone(UTC)


def _access_log(answer: ComplaintCommand, given: dict[str, str]) -> None:
    deps = answer.deps
    unknown = set(given) - {"--ref", "--person", "--from", "--to"}
    if unknown:
        answer.ack(text=f"`{sorted(unknown)[0]}` is not an option here. {RECORDS_USAGE}")
        return
    person = given.get("--person") or None
    if person:
        mention = _MENTION.fullmatch(person)
        person = deps.people.person_for(mention.group(1)) if mention else person
    zone = ZoneInfo(deps.policy.calendar.timezone)
    try:
        start = _day_start(given["--from"], zone, "--from") if given.get("--from") else None
        end = (_day_start(given["--to"], zone, "--to", after=True) if given.get("--to")
               else None)
    except ValueError as exc:
        answer.ack(text=f"{exc}. {RECORDS_USAGE}")
        return
    try:
        entries = deps.desk.access_log(viewer=answer.user, reference=given.get("--ref"),
                                       person=person, start=start, end=end)
    except DomainError as exc:
        answer.refuse(exc, not_done="Access log not shown")
        return
    answer.ack(text=access_log_text(entries, zone))


def access_log_text(entries: Sequence[AccessEntry], zone: ZoneInfo) -> str:
    """The newest entries, one line each (who as a mention: the surface shows the name)."""
    rows = list(entries)
    if not rows:
        return "Access log: nothing recorded for that."
    shown = rows[-MAX_LINES:]
    lines = [f"• {e.at.astimezone(zone):%d %b %Y %H:%M} <@{e.actor}> {e.reference or '-'}: "
             f"{e.label}" + (f" ({e.via})" if e.via else "") for e in shown]
    more = (f"\n…and {len(rows) - len(shown)} earlier: `complaints-bot records access-log` "
            "lists them all." if len(rows) > len(shown) else "")
    return f"Access log ({len(rows)} entries, oldest first):\n" + "\n".join(lines) + more


RECORDS_VERBS = {"records": (records_command, 1)}
