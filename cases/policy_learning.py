"""Phase Three's settings: what a closed complaint records to learn from, and the review.

The procedure asks that complaints are reviewed "from time to time" for trends and that
we learn from them; it names no causes, no remedies and no timetable. These are ours.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")

DEFAULT_ROOT_CAUSES: dict[str, str] = {
    "product_fault": "Product fault",
    "delivery": "Delivery",
    "billing": "Billing",
    "staff_conduct": "Staff conduct",
    "communication": "Communication",
    "policy": "Policy",
    "other": "Other",
}


class LearningPolicy(BaseModel):
    """The root causes a closing step chooses from (key: label, in this order)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    root_causes: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_ROOT_CAUSES))

    @field_validator("root_causes")
    @classmethod
    def _keys_and_labels(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            raise ValueError("list at least one root cause")
        if len(value) > 50:
            raise ValueError("at most 50 root causes (a Slack menu holds 100 options)")
        for key, label in value.items():
            if not _KEY.fullmatch(key):
                raise ValueError(f"{key!r}: a root cause key is lower case letters, digits "
                                 "and _ (at most 32), e.g. product_fault")
            if not label.strip() or len(label) > 60:
                raise ValueError(f"{key!r}: give a label of 1 to 60 characters")
        if "not_recorded" in value:
            raise ValueError("'not_recorded' is kept for cases closed before causes were "
                             "recorded")
        return value


class ReviewPolicy(BaseModel):
    """When the quarterly review goes to the HR manager and the directors."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    # The review of the quarter just ended goes out on this working day of the new one
    # (1: the first), from this hour London time; a bot that was down then sends it at
    # its first chance later in the quarter, still once.
    working_day: int = Field(default=1, ge=1, le=40)
    hour: int = Field(default=9, ge=0, le=23)
    # Reminders about the review's actions, in working days before the due date.
    remind_before_working_days: int = Field(default=1, ge=0, le=10)
