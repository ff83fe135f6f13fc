"""The complaints procedure as typed, validated, overridable data.

Defaults are Tiny Tracker's procedure. Every rule says how many days, whether
they are working or calendar days, which event starts its clock, and whose each
of those is: the procedure's own words, or this company's reading where the
procedure gives no number or does not say which kind of day it means.
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

from cases.company import CompanyDetails
from cases.errors import PolicyFileError
from cases.policy_learning import LearningPolicy, ReviewPolicy


class DayUnit(StrEnum):
    WORKING = "working"
    CALENDAR = "calendar"


class Source(StrEnum):
    """Whose a number (or a reading of it) is."""

    PROCEDURE = "procedure"            # written in the complaints procedure
    INTERPRETATION = "interpretation"  # Tiny Tracker's reading where the procedure is silent
    POLICY_FILE = "policy file"        # changed from the default by this desk's policy file


class ClockStart(StrEnum):
    """The event that starts a rule's clock (``lifecycle`` reads it to open deadlines)."""

    COMPLAINT_RECEIVED = "complaint_received"
    STAGE_ONE_WORK_CONCLUDED = "stage_one_work_concluded"
    STAGE_ONE_REPLY_SENT = "stage_one_reply_sent"
    REVIEW_REQUEST_RECEIVED = "review_request_received"
    PERSON_INFORMED = "person_informed"


class Rule(BaseModel):
    """One time limit: ``days`` of ``unit`` counted from the ``starts`` event.

    ``source`` says whose the number of days is, ``unit_source`` whose the reading of
    the unit is (the procedure's "30 days" and "five days" do not say "working"), and
    ``basis`` quotes the procedure or says why we read it so.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: int = Field(ge=1, le=366)
    unit: DayUnit
    starts: ClockStart
    source: Source = Source.PROCEDURE
    unit_source: Source = Source.PROCEDURE
    basis: str = ""

    def describe(self) -> str:
        """Say the rule in words, e.g. '3 working days from complaint received'."""
        noun = "day" if self.days == 1 else "days"
        return f"{self.days} {self.unit.value} {noun} from {self.starts.value.replace('_', ' ')}"


class AlertPolicy(BaseModel):
    """When the desk warns and escalates: this company's choice, not the procedure's."""

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


class ReportPolicy(BaseModel):
    """When the trends report says a pattern "needs attention" (Phase Three).

    The procedure asks for trends to be reviewed but sets no thresholds: these are ours.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    category_share: float = Field(default=0.30, gt=0, le=1)  # a category this share...
    category_min: int = Field(default=3, ge=1)               # ...and at least this many
    breach_rate: float = Field(default=0.20, gt=0, le=1)     # a deadline kind breached so often
    breach_min_cases: int = Field(default=3, ge=1)           # ...of this many decided
    repeat_subject_min: int = Field(default=2, ge=2)         # conduct complaints about one person
    repeat_complainant_min: int = Field(default=2, ge=2)     # cases from one email or phone...
    repeat_complainant_months: int = Field(default=12, ge=1, le=24)  # ...within these months
    rising_quarters: int = Field(default=2, ge=1, le=3)      # a category up this many in a row


class StageTwoPolicy(BaseModel):
    """Who may take the Stage Two decision: this company's reading of "a Director"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # The decision is approved by a director other than its drafter; a company with one
    # director sets this, and the history then records the drafter's own approval.
    sole_director_may_approve: bool = False


class IntakePolicy(BaseModel):
    """What intake accepts as a received time. The procedure sets no limit: ours."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # A receipt older than this is refused as a likely typing error, unless the form says
    # why the complaint is logged so late (the reason goes into the case history).
    max_days_late: int = Field(default=30, ge=1, le=3660)


class RetentionPolicy(BaseModel):
    """How long personal data is kept (UK GDPR): this company's choice, not the procedure's.

    The procedure promises only to follow "any relevant data protection requirements";
    six years after a case closes (the time within which a claim may usually be brought)
    is Tiny Tracker's choice of period.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Months after a case closes (final, closed or withdrawn) that its personal data stays.
    personal_data_months: int = Field(default=72, ge=1, le=1200)
    # Keep the anonymised case (reference, dates, outcome, category, deadlines) for trends;
    # false deletes the case altogether when its period ends.
    keep_anonymised: bool = True
    # Delivered outbox rows (copies of messages already sent) are deleted after this.
    delivered_outbox_days: int = Field(default=30, ge=1, le=3660)


# Whose each part of the non-rule sections is: all of them are this company's choice.
SECTION_SOURCES: dict[str, Source] = {
    "alerts": Source.INTERPRETATION,
    "report": Source.INTERPRETATION,
    "calendar": Source.INTERPRETATION,
    "stage_two": Source.INTERPRETATION,
    "intake": Source.INTERPRETATION,
    "retention": Source.INTERPRETATION,
    "learning": Source.INTERPRETATION,
    "review": Source.INTERPRETATION,
}


def _rule(days: int, unit: DayUnit, starts: ClockStart, *, basis: str,
          source: Source = Source.PROCEDURE, unit_source: Source = Source.PROCEDURE) -> Any:
    return Field(default=Rule(days=days, unit=unit, starts=starts, source=source,
                              unit_source=unit_source, basis=basis))


_I = Source.INTERPRETATION


class Policy(BaseModel):
    """The whole procedure's timing. Build with ``Policy()`` or ``load_policy``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stage_one_acknowledgement: Rule = _rule(
        3, DayUnit.WORKING, ClockStart.COMPLAINT_RECEIVED,
        basis="acknowledged and logged within three working days")
    investigation: Rule = _rule(
        30, DayUnit.CALENDAR, ClockStart.COMPLAINT_RECEIVED, unit_source=_I,
        basis="investigate and take action within 30 days; read as calendar days")
    stage_one_reply: Rule = _rule(
        5, DayUnit.CALENDAR, ClockStart.STAGE_ONE_WORK_CONCLUDED, unit_source=_I,
        basis="reply within five days of the end of our investigation; read as calendar "
              "days, and a resolution by customer services also ends the work")
    review_window: Rule = _rule(
        56, DayUnit.CALENDAR, ClockStart.STAGE_ONE_REPLY_SENT, source=_I, unit_source=_I,
        basis="the procedure sets no time to ask for a review; we allow 8 weeks, then close")
    stage_two_acknowledgement: Rule = _rule(
        2, DayUnit.WORKING, ClockStart.REVIEW_REQUEST_RECEIVED,
        basis="the request for review acknowledged within two working days of receiving it")
    stage_two_reply: Rule = _rule(
        10, DayUnit.WORKING, ClockStart.REVIEW_REQUEST_RECEIVED,
        basis="a definitive reply within 10 working days")
    person_response: Rule = _rule(
        3, DayUnit.WORKING, ClockStart.PERSON_INFORMED, source=_I, unit_source=_I,
        basis="the named person is given a further opportunity to respond; the procedure "
              "sets no time, we allow 3 working days")
    alerts: AlertPolicy = AlertPolicy()
    calendar: CalendarPolicy = CalendarPolicy()
    report: ReportPolicy = ReportPolicy()
    stage_two: StageTwoPolicy = StageTwoPolicy()
    intake: IntakePolicy = IntakePolicy()
    retention: RetentionPolicy = RetentionPolicy()
    learning: LearningPolicy = LearningPolicy()
    review: ReviewPolicy = ReviewPolicy()
    # Who letters to complainants come from ([company]); defaults: the procedure's contacts.
    company: CompanyDetails = CompanyDetails()

    def rule_for(self, name: str) -> Rule:
        """The rule called ``name`` (a deadline kind's value names its rule)."""
        if name not in _RULE_NAMES:
            raise KeyError(name)
        rule: Rule = getattr(self, name)
        return rule

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


_MARKS = ("source", "unit_source", "basis")


def _overlay_rule(name: str, default: dict[str, Any], value: dict[str, Any]) -> dict[str, Any]:
    """A rule from the file: what it changes is marked as the policy file's."""
    for mark in _MARKS:
        if mark in value:
            raise PolicyFileError(f"{name}.{mark}: set by the desk, not by the policy file")
    merged = {**default, **value}
    if merged["days"] != default["days"]:
        merged["source"] = Source.POLICY_FILE.value
    if merged["unit"] != default["unit"]:
        merged["unit_source"] = Source.POLICY_FILE.value
    return merged


def policy_from_mapping(data: dict[str, Any], *, source: str = "policy") -> Policy:
    """Overlay a (TOML-shaped) mapping on the defaults; errors name the key."""
    defaults = Policy().model_dump(mode="json")
    merged: dict[str, Any] = dict(defaults)
    for key, value in data.items():
        if key in _RULE_NAMES and isinstance(value, dict):
            try:
                merged[key] = _overlay_rule(key, defaults[key], value)
            except PolicyFileError as exc:
                raise PolicyFileError(f"{source}: {exc}") from None
        elif key in defaults and isinstance(value, dict) and isinstance(defaults[key], dict):
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


RULE_LABELS: dict[str, str] = {
    "stage_one_acknowledgement": "Stage One acknowledgement",
    "investigation": "Investigation and action",
    "stage_one_reply": "Stage One reply",
    "review_window": "Review window",
    "stage_two_acknowledgement": "Stage Two acknowledgement",
    "stage_two_reply": "Stage Two definitive reply",
    "person_response": "Named person's response",
}


def policy_summary(policy: Policy) -> list[str]:
    """The policy in words, each number marked as the procedure's or this company's."""
    lines = [
        "Time limits, each part marked:",
        "  [procedure]      the complaints procedure's own number or words",
        "  [interpretation] Tiny Tracker's reading where the procedure is silent or vague",
        "  [policy file]    changed from the default by this desk's policy file",
    ]
    for name in _RULE_NAMES:
        rule = policy.rule_for(name)
        lines.append(f"  {RULE_LABELS[name]} ({name}): {rule.describe()}"
                     f"  [days: {rule.source.value}; {rule.unit.value} days: "
                     f"{rule.unit_source.value}]")
        if rule.basis:
            lines.append(f"      {rule.basis}")
    for section in SECTION_SOURCES:
        mark = SECTION_SOURCES[section].value
        title = section.replace("_", " ").capitalize()
        lines.append(f"{title} [{mark}: this company's choice, not the "
                     "procedure's]:")
        values: dict[str, Any] = getattr(policy, section).model_dump(mode="json")
        lines.extend(f"  {section}.{key} = {value}" for key, value in values.items())
    return lines
