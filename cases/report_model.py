"""Phase Three: the trends report's shape (counts, deadline statistics, attention)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from cases.model import (
    DeadlineKind,
)


@dataclass(frozen=True)
class Count:
    """How many cases have one value of a field (``key``), with its display label."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class StageOneOutcomes:
    """Stage One replies by outcome, and how the cases were handled."""

    replied: int
    upheld: int
    partly_upheld: int
    not_upheld: int
    resolved_by_customer_services: int
    investigated: int


@dataclass(frozen=True)
class StageTwoOutcomes:
    """Review requests and the final decisions given on them."""

    escalated: int
    # Escalated cases as a share of the complaints received in the period (0..1).
    escalation_rate: float | None
    final: int
    upheld: int
    partly_upheld: int
    not_upheld: int
    still_in_review: int


@dataclass(frozen=True)
class DeadlineStats:
    """One kind of deadline: kept, late, still owed or no longer owed.

    Late is judged against the original due time: a Stage Two progress update moves the
    date the complainant is told, not the promise the procedure made.
    """

    kind: DeadlineKind
    label: str
    met_on_time: int
    met_late: int
    open_overdue: int
    open_not_yet_due: int
    retired: int

    @property
    def breached(self) -> int:
        """Met late, or still owed after its original due time."""
        return self.met_late + self.open_overdue

    @property
    def decided(self) -> int:
        """Deadlines whose outcome is known: met, or already late."""
        return self.met_on_time + self.breached

    @property
    def breach_rate(self) -> float | None:
        """Breached as a share of decided deadlines; None when none is decided yet."""
        return self.breached / self.decided if self.decided else None


@dataclass(frozen=True)
class ReplyTimes:
    """Working days from effective receipt to the Stage One reply, for replied cases."""

    replies: int
    median_working_days: float | None
    p90_working_days: int | None


class AttentionKind(StrEnum):
    CATEGORY = "category"
    DEADLINE = "deadline"
    REPEATED_SUBJECT = "repeated_subject"


@dataclass(frozen=True)
class Attention:
    """One trend that may need further action (Phase Three)."""

    kind: AttentionKind
    message: str


@dataclass(frozen=True)
class TrendReport:
    """Complaints received in [start, end] (London dates), as they stand at ``generated_at``."""

    start: date
    end: date
    generated_at: datetime
    total: int
    by_category: tuple[Count, ...]
    by_channel: tuple[Count, ...]
    by_relationship: tuple[Count, ...]
    still_open: int
    withdrawn: int
    stage_one: StageOneOutcomes
    stage_two: StageTwoOutcomes
    deadlines: tuple[DeadlineStats, ...]
    reply_times: ReplyTimes
    attention: tuple[Attention, ...]
