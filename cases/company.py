"""The company's details a letter to a complainant carries: the policy file's ``[company]``.

Defaults are the procedure's own "How to Contact Us" section, word for word (its postal
address included, as printed there). A company changes any of them in its policy file.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MAX_COMPANY_FIELD = 300


class CompanyDetails(BaseModel):
    """Who the letters come from and how the complainant reaches them."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="Tiny Tracker", min_length=1, max_length=MAX_COMPANY_FIELD)
    email: str = Field(default="info@tinytracker.co.uk", min_length=3,
                       max_length=MAX_COMPANY_FIELD)
    postal_address: str = Field(
        default="Unit 26 Proiry Tec Park, Saxon Way, Hessle. HU13 9PB", min_length=1,
        max_length=MAX_COMPANY_FIELD)
    phone: str = Field(default="0300 012 0001", min_length=1, max_length=MAX_COMPANY_FIELD)
    feedback_form_url: str = Field(
        default="https://www.tinytracker.co.uk/documents/feedbackform.pdf", min_length=1,
        max_length=MAX_COMPANY_FIELD)
    # The procedure gives no address for itself: letters then say it is attached only.
    procedure_url: str | None = Field(default=None, max_length=MAX_COMPANY_FIELD)

    def address_lines(self) -> list[str]:
        """The postal address as lines for an address block (split at commas)."""
        return [part.strip() for part in self.postal_address.split(",") if part.strip()]
