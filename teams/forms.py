"""Dialogs (task modules): the intake form and each step's form, and reading them back.

A dialog is an Adaptive Card of inputs; its submit button carries what the dialog is
about (``dialog``, ``action``, ``case_id``, ``version``, an idempotency ``key``). Reading
a submission turns the inputs into the typed arguments of the use case; every problem
is keyed by its input's id, so the dialog comes back with the message beside that input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any

from cases.intake import CHECKLIST_MESSAGES, Category, Channel, Relationship
from cases.letters import MAX_LETTER_TEXT
from cases.lifecycle import ACTION_LABELS, Action
from cases.model import OUTCOME_LABELS, Outcome
from cases.views import DatesToTell
from teams.cards import Card, card, escape, text
from teams.ids import Dialog

Choices = Sequence[tuple[str, str]]  # (value, title)
YES = "true"
REQUIRED = "this is required"


class FormInvalid(Exception):
    """Inputs that cannot be read; ``errors`` by input id."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Field:
    """One input of a dialog: its id (the use case's argument), kind, label."""

    name: str
    kind: str  # text | long | letter | date | moment | person | outcome | toggle | choice
    #            | radio (a choice shown as radio buttons)
    label: str
    required: bool = False
    choices: Choices = ()


def _labelled(enum_values: Sequence[Any]) -> Choices:
    return tuple((v.value, v.value.replace("_", " ").capitalize()) for v in enum_values)


OUTCOMES: Choices = tuple((o.value, OUTCOME_LABELS[o]) for o in Outcome)

INTAKE_FIELDS: tuple[Field, ...] = (
    Field("complainant_name", "text", "Complainant's name", True),
    Field("organisation", "text", "Organisation"),
    Field("email", "text", "Email"),
    Field("phone", "text", "Phone"),
    Field("postal_address", "long", "Postal address"),
    Field("relationship", "choice", "Relationship to Tiny Tracker", True,
          _labelled(list(Relationship))),
    Field("relationship_other", "text", "If other: the relationship"),
    Field("channel", "choice", "How it was received", True, _labelled(list(Channel))),
    Field("received_at", "moment", "When it was received", True),
    Field("late_reason", "text", "If logged late: why"),
    Field("category", "choice", "What it is about", True, _labelled(list(Category))),
    Field("facts", "long", "The facts of the complaint", True),
    Field("remedy_sought", "long", "What the complainant wants"),
    Field("subject_user_id", "person", "A member of staff it is about (if any)"),
    Field("not_a_named_person", "toggle", "It is not about a named member of staff"),
    Field("staff_grievance", "toggle", "This is a staff member's grievance"),
    *(Field(f"checklist.{item}", "toggle", f"I did: {words}", True)
      for item, words in CHECKLIST_MESSAGES.items()),
)

STEP_FIELDS: dict[Action, tuple[Field, ...]] = {
    Action.ACKNOWLEDGE: (Field("owner", "person", "Who deals with it", True),
                         Field("promised_reply_by", "date", "Reply promised by", True),
                         Field("procedure_attached", "toggle",
                               "The complaints procedure went with the acknowledgement")),
    Action.RESOLVE: (Field("resolution", "long", "How it was resolved"),),
    Action.ASSIGN_INVESTIGATOR: (Field("investigator", "person", "Investigator", True),),
    Action.CONCLUDE_INVESTIGATION: (Field("findings", "long", "Findings"),),
    Action.SEND_REPLY: (Field("outcome", "outcome", "Outcome", True, OUTCOMES),
                        Field("suggestions", "long", "Suggestions for resolving it")),
    Action.REQUEST_REVIEW: (Field("requested_at", "moment", "When the complainant asked", True),
                            Field("how", "text", "How they asked"),
                            Field("reason", "long", "If late or early: why")),
    Action.WITHDRAW: (Field("reason", "long", "Why it is withdrawn"),),
    Action.ACKNOWLEDGE_REVIEW: (Field("reply_by", "date", "Definitive reply by (optional)"),),
    Action.DELEGATE_REVIEW: (Field("delegate", "person", "Delegate to", True),),
    Action.RECORD_PERSON_RESPONSE: (Field("response", "long", "Your response"),),
    Action.SEND_PROGRESS_UPDATE: (Field("reason", "long", "Why the reply needs longer"),
                                  Field("new_reply_by", "date", "Full reply now by", True)),
    Action.PROPOSE_DECISION: (Field("outcome", "outcome", "Outcome", True, OUTCOMES),
                              Field("reasons", "long", "Reasons"),
                              Field("remedy", "long", "Remedy")),
    Action.REQUEST_CHANGES: (Field("comment", "long", "What should change"),),
}


def _input(field: Field, value: Any, people: Choices, error: str | None) -> list[dict[str, Any]]:
    base: dict[str, Any] = {"id": field.name, "label": field.label, "isRequired": field.required}
    if field.required:
        base["errorMessage"] = f"{field.label}: required"
    if field.kind in ("text", "long", "letter"):
        out = [{"type": "Input.Text", **base, "isMultiline": field.kind != "text",
                "maxLength": {"text": 500, "long": 4000}.get(field.kind, MAX_LETTER_TEXT)}]
    elif field.kind == "date":
        out = [{"type": "Input.Date", **base}]
    elif field.kind == "moment":
        out = [{"type": "Input.Date", **base, "id": f"{field.name}.date"},
               {"type": "Input.Time", "id": f"{field.name}.time", "label": "Time",
                "isRequired": field.required}]
    elif field.kind == "toggle":
        out = [{"type": "Input.Toggle", **base, "title": field.label, "valueOn": YES,
                "valueOff": "false"}]
    else:
        options = people if field.kind == "person" else field.choices
        # People are many: "filtered" lets one type a name to find them (1.5).
        style = {"person": "filtered", "radio": "expanded"}.get(field.kind, "compact")
        out = [{"type": "Input.ChoiceSet", **base, "style": style,
                "choices": [{"title": t, "value": v} for v, t in options]}]
    if value is not None:
        if field.kind == "moment" and isinstance(value, datetime):
            out[0]["value"], out[1]["value"] = f"{value:%Y-%m-%d}", f"{value:%H:%M}"
        else:
            out[0]["value"] = str(value)
    if error:
        out.append(text(f"⚠ {escape(error)}", color="Attention", spacing="None"))
    return out


def form_card(title: str, fields: Sequence[Field], submit: Mapping[str, Any], *,
              people: Choices = (), values: Mapping[str, Any] | None = None,
              errors: Mapping[str, str] | None = None, intro: Sequence[str] = (),
              outro: Sequence[str] = ()) -> Card:
    """A dialog's card: intro lines, each input (with its error), closing lines, one
    submit button."""
    values, errors = values or {}, dict(errors or {})
    body: list[dict[str, Any]] = [text(f"**{escape(title)}**", size="Medium")]
    body += [text(line) for line in intro]
    known = {f.name for f in fields}
    stray = [f"{k}: {v}" for k, v in errors.items() if k.split(".")[0] not in known
             and k not in known]
    if stray:
        body.append(text("⚠ " + escape("; ".join(stray)), color="Attention"))
    for field in fields:
        body += _input(field, values.get(field.name), people,
                       errors.get(field.name) or errors.get(field.name.split(".")[0]))
    body += [text(line, isSubtle=True) for line in outro]
    return card(body, [{"type": "Action.Submit", "title": "Submit", "style": "positive",
                        "data": dict(submit)}])


def intake_card(dates: DatesToTell, people: Choices, *, key: str, now: datetime,
                values: Mapping[str, Any] | None = None,
                errors: Mapping[str, str] | None = None) -> Card:
    """The intake dialog, with the dates to quote to the complainant."""
    intro = [f"Tell the complainant: acknowledged by **{dates.acknowledge_by}**, "
             f"investigated by **{dates.investigate_by}**, reply by "
             f"**{dates.reply_expected_by}** at the latest.",
             "_These dates follow when it was received: changed that? Press "
             "**Update the dates**._"]
    shown = {"received_at": now, **(values or {})}
    out = form_card("Log a complaint", INTAKE_FIELDS,
                    {"dialog": Dialog.INTAKE.value, "key": key},
                    people=people, values=shown, errors=errors, intro=intro)
    # A dialog has no live inputs: this submits it and gets it back with the new dates.
    out["actions"].append({"type": "Action.Submit", "title": "Update the dates",
                           "associatedInputs": "auto",
                           "data": {"dialog": Dialog.INTAKE.value, "key": key,
                                    "recompute": True}})
    return out


def step_card(action: Action, reference: str, case_id: int, version: int, people: Choices,
              *, values: Mapping[str, Any] | None = None,
              errors: Mapping[str, str] | None = None, intro: Sequence[str] = (),
              extra: Sequence[Field] = (), outro: Sequence[str] = ()) -> Card:
    """A step's dialog on one case, remembering the version it was opened on; ``extra``
    inputs (the letter to the complainant) come after the step's own."""
    return form_card(f"{ACTION_LABELS[action]}: {reference}", (*STEP_FIELDS[action], *extra),
                     {"dialog": Dialog.STEP.value, "action": action.value,
                      "case_id": case_id, "version": version},
                     people=people, values=values, errors=errors, intro=intro, outro=outro)


# ---- reading submissions --------------------------------------------------------------

def _text(raw: Any) -> str | None:
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


def _day(raw: Any, name: str, errors: dict[str, str]) -> date | None:
    value = _text(raw)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "choose a date"
        return None


def _moment(data: Mapping[str, Any], name: str, zone: tzinfo,
            errors: dict[str, str]) -> datetime | None:
    day = _day(data.get(f"{name}.date"), name, errors)
    clock = _text(data.get(f"{name}.time"))
    if day is None or clock is None:
        return None
    try:
        at = time.fromisoformat(clock)
    except ValueError:
        errors[name] = "choose a time"
        return None
    return datetime.combine(day, at, tzinfo=zone)


def read_field(field: Field, data: Mapping[str, Any], people: Mapping[str, str],
               zone: tzinfo, errors: dict[str, str]) -> Any:
    """One input's value, typed; a problem goes into ``errors`` under its id."""
    raw = data.get(field.name)
    if field.kind == "toggle":
        return raw == YES or raw is True
    if field.kind == "moment":
        value: Any = _moment(data, field.name, zone, errors)
    elif field.kind == "date":
        value = _day(raw, field.name, errors)
    elif field.kind == "person":
        value = _text(raw)
        if value is not None and value not in people:
            errors[field.name] = "choose a person from the list"
            return None
    elif field.kind in ("outcome", "choice", "radio"):
        value = _text(raw)
        if value is not None and value not in {v for v, _ in field.choices}:
            errors[field.name] = "choose one of the options"
            return None
    else:
        value = _text(raw)
    if value is None and field.required and field.name not in errors:
        errors[field.name] = REQUIRED
    return value


def read_intake(data: Mapping[str, Any], people: Mapping[str, str], zone: tzinfo
                ) -> dict[str, Any]:
    """The dict ``cases.intake.parse_intake`` takes (it then says what else is wrong)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {"checklist": {}}
    for field in INTAKE_FIELDS:
        found: dict[str, str] = {}
        value = read_field(field, data, people, zone, found)
        # What is required is the domain's to say (parse_intake), with its own words.
        errors.update({k: v for k, v in found.items() if v != REQUIRED})
        if field.name.startswith("checklist."):
            out["checklist"][field.name.split(".", 1)[1]] = bool(value)
        elif value is not None:
            out[field.name] = value
    if errors:
        raise FormInvalid(errors)
    return out


def read_step(action: Action, data: Mapping[str, Any], people: Mapping[str, str],
              zone: tzinfo) -> dict[str, Any]:
    """The use case's keyword arguments for ``action`` from its dialog's inputs."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for field in STEP_FIELDS[action]:
        value = read_field(field, data, people, zone, errors)
        if value is None and field.kind in ("text", "long"):
            value = None if (field.name == "reason" and action is Action.REQUEST_REVIEW) \
                else ""
        if value is not None or field.name in ("reply_by", "reason"):
            out[field.name] = value
    if errors:
        raise FormInvalid(errors)
    return out


def values_of(fields: Sequence[Field], data: Mapping[str, Any]) -> dict[str, Any]:
    """What was typed, to show again when the dialog comes back with errors."""
    out: dict[str, Any] = {}
    for field in fields:
        if field.kind == "moment":
            d, t = data.get(f"{field.name}.date"), data.get(f"{field.name}.time")
            if isinstance(d, str) and isinstance(t, str):
                try:
                    out[field.name] = datetime.fromisoformat(f"{d}T{t}")
                except ValueError:
                    continue
        elif isinstance(data.get(field.name), str):
            out[field.name] = data[field.name]
    return out
