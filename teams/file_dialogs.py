"""The case file's dialogs: open it (the view recorded), page through it, and correct the
case from it (Edit details, Reassign), each a submit of the dialog shown."""

from __future__ import annotations

from typing import Any

from cases.errors import IntakeInvalid
from teams import casefile
from teams.cards import Card
from teams.deps import TeamsDeps, closing, dialog
from teams.forms import FormInvalid, read_field, values_of
from teams.ids import Dialog
from teams.people import BadActivity

Answer = dict[str, Any]


def _int(data: dict[str, Any], key: str, default: int | None = None) -> int:
    try:
        return int(data[key])
    except (KeyError, TypeError, ValueError):
        if default is not None:
            return default
        raise BadActivity(f"this form has no {key}") from None


def _dialog(title: str, card: Card) -> Answer:
    return dialog(title, card)


def open_file(deps: TeamsDeps, actor: str, data: dict[str, Any], *, first: bool) -> Answer:
    """A page of the file; opening it (``first``) is recorded, paging is not."""
    read = deps.desk.case_file(_int(data, "case_id"), viewer=actor, record_view=first)
    if first:
        deps.wake()
    f = read.file
    names = deps.people.names([f.logged_by, f.owner, f.investigator, f.reviewer, f.delegate,
                               *(e.actor for e in f.entries),
                               *(p for e in f.entries for _, p in e.people),
                               f.intake.subject_user_id if f.intake else None])
    card, page = casefile.case_file_card(f, deps.calendar, names, _int(data, "page", 0),
                                         tools=read.may_correct)
    return _dialog(f"Case file {f.reference}" + (f" (page {page + 1})" if page else ""), card)


def submit_file(deps: TeamsDeps, actor: str, data: dict[str, Any]) -> Answer:
    """A button in the case file: a page, or one of the correction dialogs."""
    wanted = data.get("open")
    if wanted not in ("edit", "reassign"):
        return open_file(deps, actor, data, first=False)
    read = deps.desk.case_file(_int(data, "case_id"), viewer=actor, record_view=False)
    if not read.may_correct:
        raise BadActivity("only customer services, the directors and the case's owner "
                          "correct a case")
    if wanted == "edit":
        return _dialog("Edit details", casefile.edit_card(read.file, deps.choices()))
    return _dialog("Reassign", casefile.reassign_card(read.file, deps.choices()))


def submit_correction(deps: TeamsDeps, actor: str, data: dict[str, Any]) -> Answer:
    """Edit details or Reassign submitted: done, or the dialog again with what is wrong."""
    case_id, version = _int(data, "case_id"), _int(data, "version")
    editing = data.get("dialog") == Dialog.EDIT.value
    fields = casefile.EDIT_FIELDS if editing else casefile.REASSIGN_FIELDS
    people = dict(deps.choices())
    zone = deps.calendar.zone  # type: ignore[attr-defined]
    try:
        errors: dict[str, str] = {}
        got = {f.name: read_field(f, data, people, zone, errors) for f in fields}
        if errors:
            raise FormInvalid(errors)
        reason = got.pop("reason")
        if editing:
            changes = {k: "" if v is None else v for k, v in got.items()}
            case = deps.desk.edit_details(case_id, actor=actor, changes=changes,
                                          reason=reason or "", expected_version=version)
        else:
            case = deps.desk.reassign(case_id, actor=actor, part=str(got["part"]),
                                      person=str(got["person"]), reason=reason,
                                      expected_version=version)
    except (IntakeInvalid, FormInvalid) as exc:
        read = deps.desk.case_file(case_id, viewer=actor, record_view=False)
        build = casefile.edit_card if editing else casefile.reassign_card
        return _dialog("Edit details" if editing else "Reassign", build(
            read.file, deps.choices(), values=values_of(fields, data), errors=exc.errors))
    deps.wake()
    return closing(f"{'Details corrected' if editing else 'Reassigned'} on {case.reference}.")
