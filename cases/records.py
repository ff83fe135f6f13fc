"""Records under UK GDPR, as data: legal holds, who looked at what, subject-access exports.

A subject-access export is one ZIP: for each case that holds the person's data, the case
file's JSON (``cases.casefile.case_file_json``, exactly what ``case show --json`` prints),
its history, the letters sent, and a readable PDF (rendered by a surface that can, through
``CaseFilePdf``). Building the ZIP is pure: bytes in memory, no files, no framework.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from cases.communications import LetterEntry
from cases.letters import LETTER_LABELS

EXPORT_SCHEMA = "complaints-desk/subject-access/1"
ACCESS_ACTIONS = ("details_viewed", "found", "exported")
ACCESS_LABELS = {"details_viewed": "viewed personal data", "found": "revealed by a search",
                 "exported": "exported (subject access)"}


class MatchBy(StrEnum):
    """What a subject-access request names the person by."""

    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"
    REFERENCE = "ref"


class HowAnonymised(StrEnum):
    RETENTION = "retention"   # the retention period ended (the daily job)
    ERASURE = "erasure"       # an erasure request (`records erase`)


@dataclass(frozen=True)
class Hold:
    """A legal hold: the case keeps its personal data until released."""

    case_id: int
    reference: str
    reason: str
    held_by: str
    held_at: datetime


@dataclass(frozen=True)
class AccessEntry:
    """One view of personal data, search hit or export: who, when, which case, how."""

    at: datetime
    actor: str
    action: str
    reference: str | None
    via: str | None = None

    @property
    def label(self) -> str:
        """The action in words."""
        return ACCESS_LABELS.get(self.action, self.action.replace("_", " "))


@dataclass(frozen=True)
class ExpiredCase:
    """A case whose retention period has ended (what `retention --dry-run` lists)."""

    case_id: int
    reference: str
    closed_at: datetime
    held: bool


@dataclass(frozen=True)
class RetentionRun:
    """What one retention run did (or, dry, would do)."""

    at: datetime
    anonymised: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    held: tuple[str, ...] = ()
    outbox_pruned: int = 0
    skipped: bool = False       # another replica ran today's job already


@dataclass(frozen=True)
class ExportedCase:
    """One case of an export: the case file JSON, its letters, as read when exported."""

    reference: str
    case_file: Mapping[str, Any]
    letters: Sequence[LetterEntry] = field(default_factory=tuple)


@dataclass(frozen=True)
class Export:
    """A subject-access export, recorded; ``cases`` is empty when nothing matched."""

    export_id: int
    at: datetime
    by: str
    match_by: MatchBy
    cases: tuple[ExportedCase, ...]


class CaseFilePdf(Protocol):
    """A surface that renders a readable PDF of one case file (the letters surface)."""

    def case_file_pdf(self, case_file: Mapping[str, Any],
                      letters: Sequence[Mapping[str, Any]]) -> bytes:
        """The case file (its JSON form) and its letters as one readable PDF."""
        ...


def letter_json(entry: LetterEntry) -> dict[str, Any]:
    """One letter of the communications log as JSON: what was sent, how, when, by whom."""
    return {"key": entry.key, "kind": entry.kind.value, "label": LETTER_LABELS[entry.kind],
            "method": entry.method.value, "subject": entry.subject, "text": entry.text,
            "recipient": entry.recipient, "sent_by": entry.sent_by,
            "sent_at": entry.sent_at.isoformat(), "state": entry.state.value,
            "delivered_at": entry.delivered_at.isoformat() if entry.delivered_at else None,
            "resend_of": entry.resend_of}


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "case"


def export_zip(export: Export, pdf: CaseFilePdf | None) -> bytes:
    """The export as one ZIP: per case its case file JSON and PDF, history and letters."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        manifest = {"schema": EXPORT_SCHEMA, "export_id": export.export_id,
                    "exported_at": export.at.isoformat(), "exported_by": export.by,
                    "matched_by": export.match_by.value,
                    "cases": [c.reference for c in export.cases],
                    "pdf": pdf is not None}
        archive.writestr("export.json", json.dumps(manifest, indent=2))
        archive.writestr("README.txt", _readme(export, pdf is not None))
        for case in export.cases:
            folder = _safe(case.reference)
            letters = [letter_json(e) for e in case.letters]
            archive.writestr(f"{folder}/case-file.json", json.dumps(case.case_file, indent=2))
            archive.writestr(f"{folder}/history.json",
                             json.dumps(case.case_file["history"], indent=2))
            archive.writestr(f"{folder}/letters.json", json.dumps(letters, indent=2))
            for number, letter in enumerate(letters, start=1):
                archive.writestr(f"{folder}/letters/{number:02d}-{letter['kind']}.txt",
                                 _letter_text(letter))
            if pdf is not None:
                archive.writestr(f"{folder}/case-file.pdf",
                                 pdf.case_file_pdf(case.case_file, letters))
    return buffer.getvalue()


def _letter_text(letter: Mapping[str, Any]) -> str:
    head = [f"{letter['label']} ({letter['subject']})",
            f"Sent {letter['sent_at']} by {letter['method']}"
            + (f" to {letter['recipient']}" if letter["recipient"] else ""), ""]
    return "\n".join(head) + str(letter["text"]) + "\n"


def _readme(export: Export, with_pdf: bool) -> str:
    lines = [
        "Subject access export (UK GDPR, Article 15)",
        f"Exported {export.at.isoformat()} by {export.by}, matched by {export.match_by.value}.",
        f"Cases: {len(export.cases)}" + ("" if export.cases
                                          else " (no case holds this person's data)"),
        "",
        "Each case folder holds:",
        "  case-file.json  everything recorded about the case (docs/case-file.md)",
        "  history.json    who did what and when, with what each step recorded",
        "  letters.json    every letter sent to the complainant, and letters/*.txt",
    ]
    if with_pdf:
        lines.append("  case-file.pdf   the same, to read or print")
    return "\n".join(lines) + "\n"
