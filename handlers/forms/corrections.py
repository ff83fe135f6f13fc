"""The correction modals' answers: Edit details and Reassign."""

from __future__ import annotations

from typing import ClassVar

from handlers.forms.fields import Person, Text
from handlers.forms.reading import Form

TEXT_FIELDS = ("complainant_name", "organisation", "email", "phone", "postal_address",
               "facts", "remedy_sought")


class EditDetailsForm(Form):
    required: ClassVar = {"reason": "say why the details are corrected"}
    complainant_name: Text = None
    organisation: Text = None
    email: Text = None
    phone: Text = None
    postal_address: Text = None
    facts: Text = None
    remedy_sought: Text = None
    reason: Text = None

    def changes(self) -> dict[str, str]:
        """Every text field as typed (blank clears an optional one)."""
        return {k: getattr(self, k) or "" for k in TEXT_FIELDS}


class ReassignForm(Form):
    owner: Person = None
    investigator: Person = None
    delegate: Person = None
    reason: Text = None
