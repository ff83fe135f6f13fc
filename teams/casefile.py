"""The case file as a dialog, in pages, with Edit details and Reassign for those who may.

The same file the Slack modal shows (``cases.casefile``): the cover, the intake for
need-to-know, every history event newest first, texts never cut. A page holds whole
entries up to ``PAGE_CHARS`` of text; "Older" and "Newer" submit the dialog and get the
next page back. Corrections are dialogs of their own, submitted to the same use cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cases.casefile import CaseFile, FileEntry
from cases.intake import LABELS
from cases.roles import SYSTEM_ACTOR
from cases.usecases.casefile import OPERATOR
from cases.usecases.corrections import EDITABLE, PARTS
from cases.views import DisplayCalendar, format_when
from teams.cards import Card, Names, card, escape, text
from teams.forms import INTAKE_FIELDS, Field, form_card
from teams.ids import Dialog

PAGE_CHARS = 6000   # Teams renders long dialogs, but a page should read at a glance
Chunk = list[dict[str, Any]]


def _who(actor: str | None, names: Names, nobody: str = "nobody yet") -> str:
    fixed = {SYSTEM_ACTOR: "the bot", OPERATOR: "an operator (command line)"}
    if not actor:
        return nobody
    return fixed.get(actor) or escape(names(actor))


def _cover(file: CaseFile, calendar: DisplayCalendar, names: Names) -> Chunk:
    lines = [f"**{escape(file.reference)}** · {escape(file.summary)}",
             f"**State:** {escape(file.state_label)} (Stage "
             f"{'Two' if file.stage == 2 else 'One'})",
             f"**Received:** {format_when(file.received_at, calendar)} · **logged by** "
             f"{_who(file.logged_by, names)}",
             f"**Owner:** {_who(file.owner, names)} · **Investigator:** "
             f"{_who(file.investigator, names)}",
             f"**Reviewer:** {_who(file.reviewer, names)} · **Delegate:** "
             f"{_who(file.delegate, names, 'none')}"]
    lines.extend(f"- {escape(d.words(calendar))}" for d in file.deadlines)
    return [text(file.access_notice, isSubtle=True), text("\n\n".join(lines))]


def _intake(file: CaseFile, calendar: DisplayCalendar, names: Names) -> Chunk:
    i = file.intake
    if i is None:
        return []
    relationship = LABELS[i.relationship.value] + (f" ({i.relationship_other})"
                                                   if i.relationship_other else "")
    facts = [("Name", i.complainant_name), ("Organisation", i.organisation),
             ("Email", str(i.email) if i.email else None), ("Phone", i.phone),
             ("Postal address", i.postal_address), ("Relationship", relationship),
             ("Received", f"{format_when(i.received_at, calendar)} by "
                          f"{LABELS[i.channel.value].lower()}"),
             ("About staff member", _who(i.subject_user_id, names, "nobody named"))]
    return [text("**Intake**", spacing="Medium"),
            {"type": "FactSet", "facts": [{"title": t, "value": escape(v) if v else "not given"}
                                          for t, v in facts]},
            text("**Facts**\n\n" + escape(i.facts)),
            text("**What they would like us to do**\n\n"
                 + (escape(i.remedy_sought) if i.remedy_sought else "not given"))]


def entry_items(entry: FileEntry, calendar: DisplayCalendar, names: Names) -> Chunk:
    """One history event: who, what, when, the people and facts, then each text whole."""
    lines = [f"**{escape(entry.label)}** · {format_when(entry.at, calendar)} · "
             f"{_who(entry.actor, names)}"]
    lines += [f"{escape(label)}: {_who(person, names)}" for label, person in entry.people]
    lines += [f"{escape(label)}: {escape(value)}" for label, value in entry.facts]
    if entry.withheld:
        lines.append(f"_{entry.WITHHELD}_")
    items = [text("\n\n".join(lines), separator=True)]
    items += [text(f"**{escape(label)}**\n\n{escape(t)}") for label, t in entry.texts]
    return items


def _size(chunk: Chunk) -> int:
    return sum(len(str(item.get("text", item.get("facts", "")))) for item in chunk)


def pages_of(file: CaseFile, calendar: DisplayCalendar, names: Names) -> list[Chunk]:
    """The file in pages: cover and intake first, then history newest first, entries whole."""
    chunks = [_cover(file, calendar, names) + _intake(file, calendar, names)]
    history = [entry_items(e, calendar, names) for e in reversed(file.entries)]
    if history:
        history[0].insert(0, text(f"**History** ({len(file.entries)} events, newest first)",
                                  spacing="Medium"))
    pages: list[Chunk] = []
    for chunk in chunks + history:
        if pages and _size(pages[-1]) + _size(chunk) <= PAGE_CHARS:
            pages[-1].extend(chunk)
        else:
            pages.append(list(chunk))
    return pages


def _button(title: str, **data: Any) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": {"dialog": Dialog.CASE_FILE.value,
                                                              **data}}


def case_file_card(file: CaseFile, calendar: DisplayCalendar, names: Names, page: int = 0,
                   *, tools: bool = False) -> tuple[Card, int]:
    """Page ``page`` (0 = the first) of the file and the page shown (clamped)."""
    pages = pages_of(file, calendar, names)
    page = min(max(page, 0), len(pages) - 1)
    body = list(pages[page])
    actions = []
    if len(pages) > 1:
        body.append(text(f"Page {page + 1} of {len(pages)}", isSubtle=True))
        if page > 0:
            actions.append(_button("Newer", case_id=file.case_id, page=page - 1))
        if page < len(pages) - 1:
            actions.append(_button("Older", case_id=file.case_id, page=page + 1))
    if tools and page == 0:
        actions += [_button("Edit details", case_id=file.case_id, open="edit"),
                    _button("Reassign", case_id=file.case_id, open="reassign")]
    return card(body, actions), page


EDIT_FIELDS: tuple[Field, ...] = (
    *(f for f in INTAKE_FIELDS if f.name in EDITABLE),
    Field("reason", "long", "Why the details are corrected", True))
REASSIGN_FIELDS: tuple[Field, ...] = (
    Field("part", "choice", "Which part", True, tuple(PARTS.items())),
    Field("person", "person", "Give it to", True),
    Field("reason", "long", "Why (optional)"))


def edit_card(file: CaseFile, people: Sequence[tuple[str, str]], *,
              values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
              ) -> Card:
    """Edit details: the intake fields as recorded, and a reason (the history keeps both)."""
    i = file.intake
    shown = {f.name: getattr(i, f.name) for f in EDIT_FIELDS if i is not None
             and getattr(i, f.name, None) is not None}
    shown = {k: (v.value if hasattr(v, "value") else str(v)) for k, v in shown.items()}
    return form_card(f"Edit details: {file.reference}", EDIT_FIELDS,
                     {"dialog": Dialog.EDIT.value, "case_id": file.case_id,
                      "version": file.version},
                     people=people, values={**shown, **(values or {})}, errors=errors)


def reassign_card(file: CaseFile, people: Sequence[tuple[str, str]], *,
                  values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
                  ) -> Card:
    """Reassign the owner, investigator or delegate part; both people are told."""
    return form_card(f"Reassign: {file.reference}", REASSIGN_FIELDS,
                     {"dialog": Dialog.REASSIGN.value, "case_id": file.case_id,
                      "version": file.version},
                     people=people, values=values, errors=errors)
