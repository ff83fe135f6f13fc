"""A submitted view -> a typed form, or the field errors to show inline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from cases.errors import IntakeInvalid
from handlers.identity import People
from handlers.payloads import BadPayload

F = TypeVar("F", bound="Form")


class Form(BaseModel):
    """One modal's answers; field names are the input blocks' ids (the domain fields).

    ``required`` names the fields that must be answered, with what to say when not.
    """

    model_config = ConfigDict(frozen=True, extra="ignore", strict=True)

    required: ClassVar[Mapping[str, str]] = {}


def answers_of(view: Any) -> dict[str, Any]:
    """``view.state.values`` as {block id: that block's input element state}.

    BadPayload when the view or its state is not the shape Slack sends.
    """
    if not isinstance(view, dict) or not isinstance(view.get("state"), dict):
        raise BadPayload("this form has no answers to read")
    values = view["state"].get("values")
    if not isinstance(values, dict):
        raise BadPayload("this form's answers are not in the shape Slack sends")
    found: dict[str, Any] = {}
    for block_id, elements in values.items():
        if not isinstance(elements, dict):
            found[block_id] = elements  # the field itself says it cannot be read
            continue
        # Our inputs use the block id as action id; fall back to the block's only element.
        element = elements.get(block_id)
        if element is None and len(elements) == 1:
            element = next(iter(elements.values()))
        found[block_id] = element
    return found


def parse_form(model: type[F], view: Any, people: People | None = None) -> F:
    """Parse every field of ``model`` from the submitted ``view``; all problems at once.

    ``people`` turns the Slack ids of user-select fields into person ids.
    """
    answers = answers_of(view)
    try:
        form = model.model_validate({k: v for k, v in answers.items()
                                     if k in model.model_fields},
                                    context={"people": people})
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "form"
            errors.setdefault(field, _message(err))
        for field, message in model.required.items():
            if answers.get(field) is None:
                errors.setdefault(field, message)
        raise IntakeInvalid(errors) from None
    missing = {field: message for field, message in model.required.items()
               if getattr(form, field) in (None, "", frozenset())}
    if missing:
        raise IntakeInvalid(missing)
    return form


def _message(err: Any) -> str:
    if err["type"] == "form":
        return str(err["msg"])
    return "this answer could not be read; please enter it again"
