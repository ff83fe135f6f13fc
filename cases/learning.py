"""What a closed complaint teaches: its root cause and the remedy given (Phase Three).

Recorded when Stage One closes (a resolution by customer services or the reply) and with
the final decision. Cases closed before this was asked show "not recorded".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cases.errors import IntakeInvalid
from cases.policy_learning import LearningPolicy

NOT_RECORDED = "not_recorded"
NOT_RECORDED_LABEL = "Not recorded"
# The largest refund or credit a form takes, in pounds: beyond it is a typing error.
MAX_AMOUNT_PENCE = 100_000_000
_AMOUNT = re.compile(r"£?\s*(\d{1,9})(?:\.(\d{1,2}))?")


class RemedyKind(StrEnum):
    APOLOGY = "apology"
    EXPLANATION = "explanation"
    REPLACEMENT = "replacement"
    REFUND_OR_CREDIT = "refund_or_credit"
    PROCESS_CHANGE = "process_change"


REMEDY_LABELS: dict[RemedyKind, str] = {
    RemedyKind.APOLOGY: "Apology",
    RemedyKind.EXPLANATION: "Explanation",
    RemedyKind.REPLACEMENT: "Replacement",
    RemedyKind.REFUND_OR_CREDIT: "Refund or credit",
    RemedyKind.PROCESS_CHANGE: "Change to process",
}


@dataclass(frozen=True)
class Learning:
    """The root cause (a policy key) and the remedies given; an amount with a refund."""

    root_cause: str
    remedies: tuple[RemedyKind, ...] = ()
    amount_pence: int | None = None

    def as_json(self) -> dict[str, Any]:
        """Plain data for storage and the case file."""
        return {"root_cause": self.root_cause, "remedies": [r.value for r in self.remedies],
                "amount_pence": self.amount_pence}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Learning | None:
        """Back from ``as_json``; None for a case that never recorded one."""
        if not data or not data.get("root_cause"):
            return None
        return cls(root_cause=str(data["root_cause"]),
                   remedies=tuple(RemedyKind(r) for r in data.get("remedies") or ()),
                   amount_pence=data.get("amount_pence"))


def format_amount(pence: int) -> str:
    """'£12.50'."""
    return f"£{pence // 100:,}.{pence % 100:02d}"


def parse_amount(text: str | None) -> int | None:
    """'12.50', '£12.5' or '12' as pence; None when blank; IntakeInvalid when not money."""
    cleaned = (text or "").strip().replace(",", "")
    if not cleaned:
        return None
    match = _AMOUNT.fullmatch(cleaned)
    if match is None:
        raise IntakeInvalid({"remedy_amount": "give the amount in pounds, e.g. 25.00"})
    pence = int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))
    if not 0 < pence <= MAX_AMOUNT_PENCE:
        raise IntakeInvalid({"remedy_amount": "give an amount above £0 and up to £1,000,000"})
    return pence


def root_cause_label(key: str | None, policy: LearningPolicy) -> str:
    """The label of a recorded cause; "Not recorded" for none, the key for a retired one."""
    if not key or key == NOT_RECORDED:
        return NOT_RECORDED_LABEL
    return policy.root_causes.get(key, key.replace("_", " ").capitalize())


def learning_of(root_cause: str | None, remedies: Iterable[str] | None, amount: str | None,
                policy: LearningPolicy) -> Learning | None:
    """The closing step's answers, checked; None when nothing was given (not recorded).

    A remedy or an amount without a root cause, an unknown cause or remedy, a refund
    without its amount or an amount without a refund: IntakeInvalid naming the field.
    """
    kinds = tuple(dict.fromkeys(remedies or ()))
    pence = parse_amount(amount)
    errors: dict[str, str] = {}
    if not root_cause:
        if kinds or pence is not None:
            errors["root_cause"] = "choose the root cause of what you recorded"
        if errors:
            raise IntakeInvalid(errors)
        return None
    if root_cause not in policy.root_causes:
        errors["root_cause"] = "choose one of the listed root causes"
    unknown = [k for k in kinds if k not in RemedyKind._value2member_map_]
    if unknown:
        errors["remedies"] = "choose from the listed remedies"
    chosen = tuple(RemedyKind(k) for k in kinds if k not in unknown)
    if RemedyKind.REFUND_OR_CREDIT in chosen and pence is None:
        errors["remedy_amount"] = "give the amount refunded or credited"
    if pence is not None and RemedyKind.REFUND_OR_CREDIT not in chosen:
        errors["remedy_amount"] = "an amount goes with a refund or credit: tick it, or clear this"
    if errors:
        raise IntakeInvalid(errors)
    return Learning(root_cause=root_cause, remedies=chosen, amount_pence=pence)
