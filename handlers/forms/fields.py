"""Typed answers of a modal's input elements, checked before anything else sees them.

Each annotated type takes one input element's state as Slack sends it
(``{"type": …, "value": …}``) and yields a plain Python value, or a friendly error.
The element's own ``type`` is not trusted: the form says what it asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, ValidationInfo
from pydantic_core import PydanticCustomError

from cases.intake import CHECKLIST_MESSAGES
from handlers.identity import person_of
from handlers.ids import BlockId

# Far beyond any real answer, yet small enough that nothing downstream overflows.
TEXT_MAX = 10_000
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
_EPOCH_MIN = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp())
_EPOCH_MAX = int(datetime(2100, 12, 31, tzinfo=UTC).timestamp())
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Control characters a database may refuse (PostgreSQL refuses NUL); tabs and newlines stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

E = TypeVar("E", bound=StrEnum)


def refuse(message: str) -> PydanticCustomError:
    """A field error whose message is shown to the user as it is."""
    return PydanticCustomError("form", message)


def _element(state: Any) -> dict[str, Any] | None:
    if state is None:
        return None
    if not isinstance(state, dict):
        raise refuse("this answer could not be read; please enter it again")
    return state


def _text(state: Any) -> str | None:
    element = _element(state)
    value = None if element is None else element.get("value")
    if value is None:
        return None
    if not isinstance(value, str):
        raise refuse("enter text here")
    if len(value) > TEXT_MAX:
        raise refuse(f"keep this under {TEXT_MAX} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise refuse("this text has characters that cannot be saved; please retype it") from None
    if _CONTROL.search(value):
        raise refuse("this text has control characters that cannot be saved; please retype it")
    return value


def _chosen(state: Any) -> Any:
    element = _element(state)
    chosen = None if element is None else element.get("selected_option")
    if chosen is None:
        return None
    if not isinstance(chosen, dict):
        raise refuse("choose one of the options")
    return chosen.get("value")


def chosen(enum: type[E]) -> Callable[[Any], E | None]:
    """The reader of a static select or radio field offering ``enum``'s values."""

    def read(state: Any) -> E | None:
        value = _chosen(state)
        if value is None:
            return None
        if not isinstance(value, str) or value not in enum._value2member_map_:
            raise refuse("choose one of the options")
        return enum(value)
    return read


def _user(state: Any, info: ValidationInfo) -> str | None:
    element = _element(state)
    people = info.context.get("people") if isinstance(info.context, dict) else None
    try:
        return person_of(None if element is None else element.get("selected_user"), people)
    except ValueError as exc:
        raise refuse(str(exc)) from None


def _date(state: Any) -> date | None:
    element = _element(state)
    raw = None if element is None else element.get("selected_date")
    if raw is None:
        return None
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        raise refuse("choose a date")
    try:
        picked = date.fromisoformat(raw)
    except ValueError:
        raise refuse("choose a date that exists") from None
    if not EARLIEST <= picked <= LATEST:
        raise refuse(f"choose a date between {EARLIEST.year} and {LATEST.year}")
    return picked


def _datetime(state: Any) -> datetime | None:
    element = _element(state)
    raw = None if element is None else element.get("selected_date_time")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise refuse("choose a date and time")
    if not _EPOCH_MIN <= raw <= _EPOCH_MAX:
        raise refuse(f"choose a time between {EARLIEST.year} and {LATEST.year}")
    return datetime.fromtimestamp(raw, tz=UTC)


def _ticked(state: Any) -> frozenset[str]:
    element = _element(state)
    chosen = None if element is None else element.get("selected_options")
    if chosen is None:
        return frozenset()
    if not isinstance(chosen, list) or len(chosen) > 20:
        raise refuse("tick the boxes that apply")
    values = [o.get("value") if isinstance(o, dict) else None for o in chosen]
    if not all(isinstance(v, str) for v in values):
        raise refuse("tick the boxes that apply")
    return frozenset(str(v) for v in values)


def _chosen_key(state: Any) -> str | None:
    value = _chosen(state)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise refuse("choose one of the options")
    return value


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"


Text = Annotated[str | None, BeforeValidator(_text)]
Person = Annotated[str | None, BeforeValidator(_user)]
Day = Annotated[date | None, BeforeValidator(_date)]
Moment = Annotated[datetime | None, BeforeValidator(_datetime)]
Ticked = Annotated[frozenset[str], BeforeValidator(_ticked)]
# A select whose options come from the policy (the core checks the value is one of them).
ChosenKey = Annotated[str | None, BeforeValidator(_chosen_key)]
YesOrNo = Annotated[YesNo | None, BeforeValidator(chosen(YesNo))]


# Domain field name -> input block id, for inline errors.
FIELD_BLOCKS: dict[str, str] = {
    **{block.value: block.value for block in BlockId
       if not block.name.startswith(("CARD_", "DECISION_", "DM_", "HOME_", "INTAKE_"))},
    "subject_user_id": BlockId.SUBJECT_USER.value,
    **{f"checklist.{item}": BlockId.CHECKLIST.value for item in CHECKLIST_MESSAGES},
}
