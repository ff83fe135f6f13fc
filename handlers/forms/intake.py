"""The intake modal's answers, typed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, ValidationError, field_validator

from cases.intake import CHECKLIST_MESSAGES, Category, Channel, Relationship
from handlers.forms.fields import Moment, Person, Text, Ticked, YesNo, YesOrNo, chosen, refuse
from handlers.forms.reading import Form, answers_of

RelationshipChoice = Annotated[Relationship | None, BeforeValidator(chosen(Relationship))]
ChannelChoice = Annotated[Channel | None, BeforeValidator(chosen(Channel))]
CategoryChoice = Annotated[Category | None, BeforeValidator(chosen(Category))]


class IntakeForm(Form):
    """Everything the intake modal asks; the domain (``parse_intake``) then validates it."""

    complainant_name: Text = None
    organisation: Text = None
    email: Text = None
    phone: Text = None
    postal_address: Text = None
    relationship: RelationshipChoice = None
    relationship_other: Text = None
    channel: ChannelChoice = None
    received_at: Moment = None
    category: CategoryChoice = None
    facts: Text = None
    remedy_sought: Text = None
    subject_user_id: Person = None
    staff_grievance: YesOrNo = None
    checklist: Ticked = frozenset()
    late_reason: Text = None
    not_a_named_person: Ticked = frozenset()

    @field_validator("checklist")
    @classmethod
    def _known_items(cls, ticked: frozenset[str]) -> frozenset[str]:
        if ticked - set(CHECKLIST_MESSAGES):
            raise refuse("tick the boxes that apply")
        return ticked

    @field_validator("not_a_named_person")
    @classmethod
    def _only_yes(cls, ticked: frozenset[str]) -> frozenset[str]:
        if ticked - {"yes"}:
            raise refuse("tick the box or leave it empty")
        return ticked

    def to_data(self, local: Callable[[datetime], datetime]) -> dict[str, Any]:
        """The dict ``cases.intake.parse_intake`` takes; ``local`` sets the received time's zone.

        Empty answers are left out, so the domain says "this is required" where it is.
        """
        data: dict[str, Any] = {}
        for field in ("complainant_name", "organisation", "email", "phone", "postal_address",
                      "relationship", "relationship_other", "channel", "category", "facts",
                      "remedy_sought", "subject_user_id", "late_reason"):
            value = getattr(self, field)
            if value is not None:
                data[field] = value
        if self.received_at is not None:
            data["received_at"] = local(self.received_at)
        data["staff_grievance"] = self.staff_grievance is YesNo.YES
        data["checklist"] = {item: item in self.checklist for item in CHECKLIST_MESSAGES}
        data["not_a_named_person"] = bool(self.not_a_named_person)
        return data

    @classmethod
    def draft(cls, view: Any) -> IntakeForm:
        """What the form holds so far, before submission: every readable answer kept,
        any unreadable one left out (the submission will say what is wrong with it)."""
        answers = answers_of(view)
        kept: dict[str, Any] = {}
        for field in cls.model_fields:
            if field not in answers:
                continue
            try:
                cls.model_validate({field: answers[field]})
            except ValidationError:
                continue
            kept[field] = answers[field]
        return cls.model_validate(kept)

    def prefill(self) -> dict[str, Any]:
        """The answers as ``handlers.blocks.intake_modal`` takes them back as initial values."""
        values: dict[str, Any] = {
            field: getattr(self, field) for field in type(self).model_fields
            if field not in ("staff_grievance", "checklist") and getattr(self, field) is not None}
        if self.staff_grievance is not None:
            values["staff_grievance"] = self.staff_grievance is YesNo.YES
        values["checklist"] = {item: item in self.checklist for item in CHECKLIST_MESSAGES}
        return values
