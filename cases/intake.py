"""The intake record: what the person who took the complaint must capture."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import phonenumbers
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from cases.errors import IntakeInvalid, NotAComplaint

GRIEVANCE_POINTER = (
    "This procedure does not cover complaints from staff about their own employment. "
    "Please see the Grievance Policy in the Staff Handbook; the HR Manager owns it."
)

# Slack's own limit for one text input: the facts are kept whole, never cut to fit a block.
MAX_FACTS = 3000
MAX_SHORT = 150
MAX_ADDRESS = 500
MAX_TEXT = 1000


class Relationship(StrEnum):
    CUSTOMER = "customer"
    PROSPECTIVE_CUSTOMER = "prospective_customer"
    PARTNER = "partner"
    SUPPLIER = "supplier"
    MEMBER_OF_PUBLIC = "member_of_public"
    OTHER = "other"


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"


class Category(StrEnum):
    PRODUCT = "product"
    SERVICE = "service"
    STAFF_CONDUCT = "staff_conduct"
    BILLING = "billing"
    DELIVERY = "delivery"
    PARTNER = "partner"
    DATA_PROTECTION = "data_protection"
    OTHER = "other"


LABELS: dict[str, str] = {
    "customer": "Customer",
    "prospective_customer": "Prospective customer",
    "partner": "Partner",
    "supplier": "Supplier",
    "member_of_public": "Member of the public",
    "other": "Other",
    "phone": "Phone",
    "email": "Email",
    "letter": "Letter",
    "in_person": "In person",
    "product": "Product",
    "service": "Service",
    "staff_conduct": "Staff conduct",
    "billing": "Billing",
    "delivery": "Delivery",
    "data_protection": "Data protection",
}

PHONE_EXAMPLE = "e.g. 01482 123456, +44 7911 123456 or +33 1 23 45 67 89"
_PHONE_MAX = 40


def normalise_phone(text: str) -> str:
    """Any valid number, grouped in international format ("+33 1 23 45 67 89").

    A number without a country code is read as a UK one (the business is in the UK);
    raises ValueError saying what is wrong.
    """
    problem = f"enter a phone number with its country code if not UK, {PHONE_EXAMPLE}"
    if len(text) > _PHONE_MAX:
        raise ValueError(problem)
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValueError(problem) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(problem)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


CHECKLIST_MESSAGES = {
    "referred_to_procedure": "refer the complainant to the complaints procedure first",
    "feedback_form_sent": "send the complainant the feedback form first",
    "told_next_steps": "tell the complainant what happens next and how long it takes",
}


class Checklist(BaseModel):
    """The three things the procedure says the first contact must do."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    referred_to_procedure: bool = False
    feedback_form_sent: bool = False
    told_next_steps: bool = False


class IntakeRecord(BaseModel):
    """Everything captured when a complaint is logged. Validation names the field."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    complainant_name: str = Field(min_length=1, max_length=MAX_SHORT)
    postal_address: str | None = Field(default=None, max_length=MAX_ADDRESS)
    organisation: str | None = Field(default=None, max_length=MAX_SHORT)
    email: EmailStr | None = None
    phone: str | None = None
    relationship: Relationship
    relationship_other: str | None = Field(default=None, max_length=MAX_SHORT)
    channel: Channel
    received_at: AwareDatetime
    facts: str = Field(min_length=1, max_length=MAX_FACTS)
    remedy_sought: str | None = Field(default=None, max_length=MAX_TEXT)
    category: Category
    subject_user_id: str | None = Field(default=None, max_length=64)
    staff_grievance: bool = False
    checklist: Checklist = Checklist()
    late_reason: str | None = Field(default=None, max_length=MAX_TEXT)
    # A staff-conduct complaint names the person, or says in so many words that it names no one.
    not_a_named_person: bool = False

    @field_validator("postal_address", "organisation", "email", "phone", "relationship_other",
                     "remedy_sought", "subject_user_id", "late_reason", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else normalise_phone(value)

    @model_validator(mode="after")
    def _rules_across_fields(self) -> IntakeRecord:
        if self.staff_grievance:
            raise NotAComplaint(GRIEVANCE_POINTER)
        errors = cross_field_errors(self.model_dump())
        if errors:
            raise IntakeInvalid(errors)
        return self

    @property
    def summary(self) -> str:
        """A short, non-identifying line for the case card: category and channel."""
        return f"{LABELS[self.category.value]} complaint by {LABELS[self.channel.value].lower()}"


_FIELDS = frozenset(IntakeRecord.model_fields)
_REQUIRED = frozenset(n for n, f in IntakeRecord.model_fields.items() if f.is_required())
_CHECKLIST_FIELDS = frozenset(Checklist.model_fields)


def stored_intake(data: dict[str, Any]) -> IntakeRecord:
    """An intake as the desk stored it (``model_dump(mode="json")``), without validating again.

    Validation belongs where data enters (``parse_intake``, corrections, anonymising); a
    row the desk wrote was validated then, so loading a case only converts the stored
    JSON back to its types (the received time, the choices, the checklist). Anything not in
    the shape the desk writes (an unknown or missing field, a phone number not in the
    grouped international form, such as an older row's raw +441482123456) is validated as
    before.
    """
    checklist = data.get("checklist")
    phone = data.get("phone")
    received = data.get("received_at")
    if (not _FIELDS.issuperset(data) or not _REQUIRED.issubset(data)
            or not isinstance(received, str) or not isinstance(checklist, dict)
            or not _CHECKLIST_FIELDS.issuperset(checklist)
            or not (phone is None or (isinstance(phone, str) and phone.startswith("+")
                                      and " " in phone))):
        return IntakeRecord.model_validate(data)
    values = dict(data)
    values["received_at"] = datetime.fromisoformat(received)
    values["relationship"] = Relationship(data["relationship"])
    values["channel"] = Channel(data["channel"])
    values["category"] = Category(data["category"])
    values["checklist"] = Checklist.model_construct(**checklist)
    if values["received_at"].tzinfo is None:
        return IntakeRecord.model_validate(data)
    return IntakeRecord.model_construct(**values)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def conduct_complaint_problem(category: str, subject_user_id: str | None,
                              not_a_named_person: bool) -> dict[str, str]:
    """A staff-conduct complaint names the person it is about, or says it names no one.

    The procedure: "if the complaint relates to a specific person ... they will be informed
    and given a further opportunity to respond"; that promise needs the person named.
    """
    if category != Category.STAFF_CONDUCT.value or subject_user_id or not_a_named_person:
        return {}
    return {"subject_user_id": "a staff-conduct complaint names the member of staff it is "
                               "about; if it is about no one person, tick “not a named person”"}


def cross_field_errors(data: dict[str, Any]) -> dict[str, str]:
    """Rules that span fields, checked on raw or validated values alike."""
    errors: dict[str, str] = conduct_complaint_problem(
        str(data.get("category") or ""), None if _blank(data.get("subject_user_id"))
        else str(data.get("subject_user_id")), _is_yes(data.get("not_a_named_person")))
    if all(_blank(data.get(k)) for k in ("email", "phone", "postal_address")):
        errors["email"] = (
            "give at least one way to reach the complainant: email, phone or postal address"
        )
    if str(data.get("relationship") or "") == Relationship.OTHER.value and _blank(
            data.get("relationship_other")):
        errors["relationship_other"] = "say what the relationship is when you choose Other"
    checklist = data.get("checklist") or {}
    if isinstance(checklist, Checklist):
        checklist = checklist.model_dump()
    for item, message in CHECKLIST_MESSAGES.items():
        ticked = checklist.get(item) if isinstance(checklist, dict) else None
        if not _is_yes(ticked):
            errors[f"checklist.{item}"] = message
    return errors


def parse_intake(data: dict[str, Any]) -> IntakeRecord:
    """Validate raw intake fields; every problem comes back keyed by its field."""
    if _is_yes(data.get("staff_grievance")):
        raise NotAComplaint(GRIEVANCE_POINTER)
    try:
        return IntakeRecord.model_validate(data)
    except IntakeInvalid:
        raise
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            ctx_error = (err.get("ctx") or {}).get("error")
            if isinstance(ctx_error, IntakeInvalid):
                errors.update(ctx_error.errors)
                continue
            field = ".".join(str(p) for p in err["loc"]) or "form"
            errors.setdefault(field, _friendly(err))
        # Show every problem in one round, not the cross-field ones only after a retry.
        for field, message in cross_field_errors(data).items():
            errors.setdefault(field, message)
        raise IntakeInvalid(errors) from None


def _is_yes(value: Any) -> bool:
    """True for every value pydantic would read as a true boolean."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    if isinstance(value, str):
        return value.strip().lower() in {"1", "on", "t", "true", "y", "yes"}
    return False


def _friendly(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "this is required"
    if kind == "string_too_short":
        return "this is required"
    if kind == "string_too_long":
        return f"keep this under {ctx.get('max_length')} characters"
    if kind == "enum":
        return f"choose one of: {ctx.get('expected')}"
    if kind == "value_error":
        message = str(ctx.get("error", err["msg"]))
        if "email" in err["msg"].lower() or "@" in message:
            return "enter a valid email address, e.g. name@example.com"
        return message
    if kind == "timezone_aware":
        return "give a time with its time zone"
    if kind.startswith("datetime"):
        return "enter a date and time"
    return str(err["msg"])


def received_time_problem(received_at: datetime, now: datetime, *,
                          max_days_late: int | None = None,
                          late_reason: str | None = None) -> str | None:
    """A received time in the future (beyond clock skew) is a typing error; one more than
    ``max_days_late`` days ago is one too, unless a reason for logging it late is given."""
    if (received_at - now).total_seconds() > 300:
        return "the received time is in the future: check the date and time"
    if max_days_late is not None and now - received_at > timedelta(days=max_days_late) \
            and not late_reason:
        return (f"this is more than {max_days_late} days ago: check the date, or say below "
                "why the complaint is logged this late")
    return None
