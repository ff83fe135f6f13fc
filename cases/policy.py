"""The complaints procedure as typed, validated, overridable data.

Defaults are Tiny Tracker's procedure. Every rule says how many days, whether
they are working or calendar days, and which event starts its clock.
"""

from __future__ import annotations

import tomllib
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from cases.errors import PolicyFileError


class DayUnit(StrEnum):
    WORKING = "working"
    CALENDAR = "calendar"


class ClockStart(StrEnum):
    """The event that starts a rule's clock."""

    COMPLAINT_RECEIVED = "complaint_received"
    STAGE_ONE_WORK_CONCLUDED = "stage_one_work_concluded"
    STAGE_ONE_REPLY_SENT = "stage_one_reply_sent"
    REVIEW_REQUEST_RECEIVED = "review_request_received"
    PERSON_INFORMED = "person_informed"


class Rule(BaseModel):
    """One time limit: ``days`` of ``unit`` counted from the ``starts`` event."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: int = Field(ge=1, le=366)
    unit: DayUnit
    starts: ClockStart

    def describe(self) -> str:
        """Say the rule in words, e.g. '3 working days from complaint received'."""
        noun = "day" if self.days == 1 else "days"
        return f"{self.days} {self.unit.value} {noun} from {self.starts.value.replace('_', ' ')}"


class AlertPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    warn_before_working_days: int = Field(default=1, ge=0, le=10)
    overdue_repeat_working_days: int = Field(default=1, ge=1, le=10)
    escalate_stage_one_after_working_days: int = Field(default=2, ge=0, le=30)


Nation = Literal["ENG", "SCT", "WLS", "NIR"]


class CalendarPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "Europe/London"
    nation: Nation = "ENG"
    closures: tuple[date, ...] = ()
    business_start: time = time(9, 0)
    business_end: time = time(17, 0)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        # Checked here so a typo fails when the policy loads, naming the key,
        # not later when the calendar is built.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, e.g. 'Europe/London'") from None
        return value

    @model_validator(mode="after")
    def _hours_in_order(self) -> CalendarPolicy:
        if self.business_start >= self.business_end:
            raise ValueError("business_start must be before business_end")
        return self


def _rule(days: int, unit: DayUnit, starts: ClockStart) -> Any:
    return Field(default=Rule(days=days, unit=unit, starts=starts))


class Policy(BaseModel):
    """The whole procedure's timing. Build with ``Policy()`` or ``load_policy``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage_one_acknowledgement: Rule = _rule(3, DayUnit.WORKING, ClockStart.COMPLAINT_RECEIVED)
    investigation: Rule = _rule(30, DayUnit.CALENDAR, ClockStart.COMPLAINT_RECEIVED)
    stage_one_reply: Rule = _rule(5, DayUnit.CALENDAR, ClockStart.STAGE_ONE_WORK_CONCLUDED)
    review_window: Rule = _rule(56, DayUnit.CALENDAR, ClockStart.STAGE_ONE_REPLY_SENT)
    stage_two_acknowledgement: Rule = _rule(
        2, DayUnit.WORKING, ClockStart.REVIEW_REQUEST_RECEIVED
    )
    stage_two_reply: Rule = _rule(10, DayUnit.WORKING, ClockStart.REVIEW_REQUEST_RECEIVED)
    person_response: Rule = _rule(3, DayUnit.WORKING, ClockStart.PERSON_INFORMED)
    alerts: AlertPolicy = AlertPolicy()
    calendar: CalendarPolicy = CalendarPolicy()

    @model_validator(mode="after")
    def _clocks_start_where_the_procedure_says(self) -> Policy:
        expected = {
            "stage_one_acknowledgement": ClockStart.COMPLAINT_RECEIVED,
            "investigation": ClockStart.COMPLAINT_RECEIVED,
            "stage_one_reply": ClockStart.STAGE_ONE_WORK_CONCLUDED,
            "review_window": ClockStart.STAGE_ONE_REPLY_SENT,
            "stage_two_acknowledgement": ClockStart.REVIEW_REQUEST_RECEIVED,
            "stage_two_reply": ClockStart.REVIEW_REQUEST_RECEIVED,
            "person_response": ClockStart.PERSON_INFORMED,
        }
        for name, start in expected.items():
            rule: Rule = getattr(self, name)
            if rule.starts is not start:
                raise ValueError(
                    f"{name}.starts must be {start.value!r}: the event that starts a clock "
                    "is fixed by the procedure; only days and unit may change"
                )
        return self


_RULE_NAMES = (
    "stage_one_acknowledgement", "investigation", "stage_one_reply", "review_window",
    "stage_two_acknowledgement", "stage_two_reply", "person_response",
)


def policy_from_mapping(data: dict[str, Any], *, source: str = "policy") -> Policy:
    """Overlay a (TOML-shaped) mapping on the defaults; errors name the key."""
    defaults = Policy().model_dump()
    merged: dict[str, Any] = dict(defaults)
    for key, value in data.items():
        if key in defaults and isinstance(value, dict) and isinstance(defaults[key], dict):
            merged[key] = {**defaults[key], **value}
        else:
            merged[key] = value
    try:
        return Policy.model_validate(merged)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown key"
            problems.append(f"{key}: {msg}")
        raise PolicyFileError(f"{source}: " + "; ".join(problems)) from None


def load_policy(path: Path | None) -> Policy:
    """Defaults, overridden by the TOML file at ``path`` when given."""
    if path is None:
        return Policy()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise PolicyFileError(f"policy file {path}: cannot read it ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PolicyFileError(f"policy file {path}: not valid TOML ({exc})") from None
    return policy_from_mapping(data, source=f"policy file {path}")


RULE_NAMES = _RULE_NAMES
