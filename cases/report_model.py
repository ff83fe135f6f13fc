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
    RISING_CATEGORY = "rising_category"
    REPEAT_COMPLAINANT = "repeat_complainant"


@dataclass(frozen=True)
class CaseLink:
    """A case behind a trend: its id (to open it) and reference. No personal data."""

    case_id: int
    reference: str


@dataclass(frozen=True)
class Attention:
    """One trend that may need further action (Phase Three).

    ``cases`` are the cases behind it; surfaces show them only to people who may open
    them (the use case filters them per viewer; a channel gets none).
    """

    kind: AttentionKind
    message: str
    cases: tuple[CaseLink, ...] = ()


@dataclass(frozen=True)
class QuarterPoint:
    """One calendar quarter of the last four, for the charts and the trend lines."""

    label: str  # "2026 Q2"
    start: date
    end: date
    total: int
    escalated: int
    by_category: tuple[Count, ...]
    # Met on time as a share of decided deadlines, per deadline kind (None: none decided).
    on_time: tuple[tuple[DeadlineKind, str, float | None], ...]
    reply_median_working_days: float | None
    reply_p90_working_days: int | None

    @property
    def stage_two_rate(self) -> float | None:
        """Escalated as a share of the complaints received in the quarter."""
        return self.escalated / self.total if self.total else None


@dataclass(frozen=True)
class MonthPoint:
    """Complaints received in one calendar month, by category."""

    label: str  # "Apr 2026"
    start: date
    by_category: tuple[Count, ...]


@dataclass(frozen=True)
class TrendSeries:
    """The last four quarters (oldest first) and their twelve months."""

    quarters: tuple[QuarterPoint, ...]
    months: tuple[MonthPoint, ...]


@dataclass(frozen=True)
class ActionLine:
    """One action from a review: what, whose, by when, and where it stands."""

    action_id: int
    what: str
    owner: str  # a person id: shown to people, never in a channel
    due_on: date
    done: bool
    overdue: bool


@dataclass(frozen=True)
class ActionSummary:
    """The actions of the last review before this report's period."""

    review_start: date
    review_end: date
    actions: tuple[ActionLine, ...]

    @property
    def done(self) -> int:
        """Actions marked done."""
        return sum(a.done for a in self.actions)

    @property
    def overdue(self) -> int:
        """Not done, and past their due date."""
        return sum(a.overdue for a in self.actions)

    @property
    def open(self) -> int:
        """Not done and not yet due."""
        return len(self.actions) - self.done - self.overdue


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
    # Phase Three's learning: causes of the cases whose Stage One (or decision) is closed,
    # "not_recorded" included; remedies given; the total refunded or credited.
    by_root_cause: tuple[Count, ...] = ()
    by_remedy: tuple[Count, ...] = ()
    refunded_pence: int = 0
    series: TrendSeries | None = None
    actions: ActionSummary | None = None
