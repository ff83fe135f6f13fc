"""The case file: everything recorded about a case, as plain data any surface can show.

Built from the case and its append-only history. The Slack modal, the operator CLI and
a subject-access export (``cases.records``) all read this one model; its JSON form
(``case_file_json``) is stable and documented in README.md ("The case file").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from cases.formatting import DisplayCalendar, format_when
from cases.intake import IntakeRecord
from cases.lifecycle import ACTION_LABELS, STATE_LABELS, Action
from cases.model import DEADLINE_LABELS, Case, HistoryEvent, State

SCHEMA = "complaints-desk/case-file/1"

# What each stored history action is called in the file.
EVENT_LABELS: dict[str, str] = {
    **{action.value: ACTION_LABELS[action] for action in Action},
    "logged": "Logged",
    "note": "Note",
    "details_viewed": "Viewed the complainant's details",
    "details_refused": "Was refused the complainant's details",
    "found": "Found by a search",
    "details_edited": "Corrected the intake details",
    "reassigned": "Reassigned",
    "attached": "Attached correspondence",
    "exported": "Exported for a subject-access request",
    "hold_placed": "Placed on legal hold",
    "hold_released": "Legal hold released",
    "anonymised": "Anonymised",
}

# Free text a step records, by its key in the event's details, with its label. Text can
# carry the complainant's personal data (or name staff), so only need-to-know sees it.
TEXT_FIELDS: dict[str, str] = {
    "text": "Note",
    "resolution": "Resolution",
    "findings": "Findings",
    "suggestions": "Suggestions for improvement",
    "how": "How the review was requested",
    "reason": "Reason",
    "response": "Response",
    "reasons": "Reasons",
    "remedy": "What we will do",
    "comment": "Changes requested",
    "final_letter": "Final decision letter",
    "old": "Before",
    "new": "After",
    "query": "Searched for",
    "files": "Files",
}

# Details naming a person (shown as a mention by a chat surface).
PERSON_FIELDS: dict[str, str] = {
    "owner": "Owner",
    "investigator": "Investigator",
    "previous": "Previously",
    "reviewer": "Reviewer",
    "delegate": "Delegate",
    "person": "Person",
}


@dataclass(frozen=True)
class FileEntry:
    """One history event in the file: who did what, when, and what they recorded."""

    seq: int
    at: datetime
    actor: str
    action: str
    label: str
    from_state: State | None
    to_state: State | None
    people: tuple[tuple[str, str], ...]   # (label, person id)
    facts: tuple[tuple[str, str], ...]    # (label, short value): dates, outcomes, channels
    texts: tuple[tuple[str, str], ...]    # (label, free text), empty when withheld
    withheld: bool                        # texts were recorded but are not shown

    WITHHELD: ClassVar[str] = "Text recorded; shown only to the people who need to know."


@dataclass(frozen=True)
class DeadlineLine:
    label: str
    due_at: datetime
    original_due_at: datetime
    met_at: datetime | None
    retired_at: datetime | None

    def words(self, calendar: DisplayCalendar) -> str:
        """'<label> due <when> (met <when> | retired | open)', as every surface shows it."""
        status = ("met " + format_when(self.met_at, calendar) if self.met_at
                  else "retired" if self.retired_at else "open")
        return f"{self.label} due {format_when(self.due_at, calendar)} ({status})"


@dataclass(frozen=True)
class CaseFile:
    """Everything recorded about one case, for one reader (``personal``: need-to-know)."""

    case_id: int
    reference: str
    version: int
    state: State
    state_label: str
    stage: int
    summary: str
    received_at: datetime
    logged_by: str
    owner: str | None
    investigator: str | None
    reviewer: str | None
    delegate: str | None
    personal: bool
    intake: IntakeRecord | None      # None when the reader may not see personal data
    deadlines: tuple[DeadlineLine, ...]
    entries: tuple[FileEntry, ...]   # oldest first

    @property
    def access_notice(self) -> str:
        """What the reader is told about the personal data in this file."""
        if self.personal:
            return ("Personal data: opening this file is recorded in the case history. Do "
                    "not copy it into channels.")
        return ("The complainant's details and the texts recorded are shown only to the "
                "people who need to know.")

    @property
    def notes(self) -> tuple[FileEntry, ...]:
        """The notes added to the case, oldest first."""
        return tuple(e for e in self.entries if e.action == "note")

    @property
    def attachments(self) -> tuple[FileEntry, ...]:
        """Correspondence attached to the case, oldest first."""
        return tuple(e for e in self.entries if e.action == "attached")


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _fact(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def file_entry(event: HistoryEvent, *, personal: bool) -> FileEntry:
    """One history event as the file shows it; free text only for need-to-know."""
    people: list[tuple[str, str]] = []
    facts: list[tuple[str, str]] = []
    texts: list[tuple[str, str]] = []
    for key, value in event.details.items():
        if value is None or value == "":
            continue
        if key in PERSON_FIELDS and isinstance(value, str):
            people.append((PERSON_FIELDS[key], value))
        elif key in TEXT_FIELDS or isinstance(value, dict):
            if value == []:
                continue
            texts.append((TEXT_FIELDS.get(key, _label(key)), _text(value)))
        else:
            facts.append((_label(key), _fact(value)))
    return FileEntry(
        seq=event.seq, at=event.at, actor=event.actor, action=event.action,
        label=EVENT_LABELS.get(event.action, _label(event.action)),
        from_state=event.from_state, to_state=event.to_state, people=tuple(people),
        facts=tuple(facts), texts=tuple(texts) if personal else (),
        withheld=bool(texts) and not personal)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(f"{f.get('name')}: {f.get('link')}" if isinstance(f, dict) else str(f)
                         for f in value)
    if isinstance(value, dict):
        return "\n".join(f"{_label(str(k))}: {v}" for k, v in value.items())
    return str(value)


def build_case_file(case: Case, history: Sequence[HistoryEvent], *,
                    personal: bool) -> CaseFile:
    """The file of ``case`` for a reader; ``personal`` if need-to-know lets them see it."""
    if case.id is None:
        raise ValueError(f"{case.reference} is not stored yet")
    deadlines = tuple(
        DeadlineLine(DEADLINE_LABELS[d.kind], d.due_at, d.original_due_at, d.met_at,
                     d.retired_at)
        for d in sorted(case.deadlines.values(), key=lambda d: d.started_at))
    return CaseFile(
        case_id=case.id, reference=case.reference, version=case.version, state=case.state,
        state_label=STATE_LABELS[case.state], stage=case.stage, summary=case.intake.summary,
        received_at=case.received_at, logged_by=case.logged_by, owner=case.owner,
        investigator=case.investigator, reviewer=case.reviewer, delegate=case.delegate,
        personal=personal, intake=case.intake if personal else None, deadlines=deadlines,
        entries=tuple(file_entry(e, personal=personal) for e in history))


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def case_file_json(file: CaseFile, history: Sequence[HistoryEvent]) -> dict[str, Any]:
    """The file as stable JSON (schema ``SCHEMA``): the case, its intake and its history.

    ``history`` is given again so the JSON keeps each event's details exactly as stored
    (for a reader without need-to-know, only the details that are not free text).
    """
    return {
        "schema": SCHEMA,
        "reference": file.reference,
        "case_id": file.case_id,
        "version": file.version,
        "state": file.state.value,
        "state_label": file.state_label,
        "stage": file.stage,
        "summary": file.summary,
        "received_at": file.received_at.isoformat(),
        "logged_by": file.logged_by,
        "people": {"owner": file.owner, "investigator": file.investigator,
                   "reviewer": file.reviewer, "delegate": file.delegate},
        "personal_data_shown": file.personal,
        "intake": file.intake.model_dump(mode="json") if file.intake else None,
        "deadlines": [{"label": d.label, "due_at": d.due_at.isoformat(),
                       "original_due_at": d.original_due_at.isoformat(),
                       "met_at": _iso(d.met_at), "retired_at": _iso(d.retired_at)}
                      for d in file.deadlines],
        "history": history_json(history, personal=file.personal),
    }


def history_json(history: Sequence[HistoryEvent], *, personal: bool) -> list[dict[str, Any]]:
    """Each history event as stable JSON, oldest first."""
    return [{
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "action": e.action,
        "label": EVENT_LABELS.get(e.action, _label(e.action)),
        "from_state": e.from_state.value if e.from_state else None,
        "to_state": e.to_state.value if e.to_state else None,
        "details": {k: v for k, v in e.details.items()
                    if personal or (k not in TEXT_FIELDS and not isinstance(v, dict))},
    } for e in history]
