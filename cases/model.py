"""The case aggregate: its state, deadlines, history and the messages it owes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from cases.intake import IntakeRecord
from cases.learning import Learning

# The stand-in reference of a case added but not yet numbered (``CaseRepository.number``).
UNNUMBERED = "unnumbered-"


class State(StrEnum):
    LOGGED = "logged"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    INVESTIGATION_CONCLUDED = "investigation_concluded"
    REPLIED = "replied"
    CLOSED = "closed"
    REVIEW_REQUESTED = "review_requested"
    UNDER_REVIEW = "under_review"
    DECISION_PROPOSED = "decision_proposed"
    FINAL = "final"
    WITHDRAWN = "withdrawn"


STAGE_TWO_STATES = frozenset(
    {State.REVIEW_REQUESTED, State.UNDER_REVIEW, State.DECISION_PROPOSED, State.FINAL}
)
TERMINAL_STATES = frozenset({State.FINAL, State.WITHDRAWN})
# A closed case may still be reopened by a director accepting a late review request.
OPEN_STATES = frozenset(s for s in State if s not in TERMINAL_STATES and s is not State.CLOSED)


class Outcome(StrEnum):
    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"


OUTCOME_LABELS = {
    Outcome.UPHELD: "Upheld",
    Outcome.PARTLY_UPHELD: "Partly upheld",
    Outcome.NOT_UPHELD: "Not upheld",
}


class DeadlineKind(StrEnum):
    STAGE_ONE_ACKNOWLEDGEMENT = "stage_one_acknowledgement"
    INVESTIGATION = "investigation"
    STAGE_ONE_REPLY = "stage_one_reply"
    REVIEW_WINDOW = "review_window"
    STAGE_TWO_ACKNOWLEDGEMENT = "stage_two_acknowledgement"
    STAGE_TWO_REPLY = "stage_two_reply"
    PERSON_RESPONSE = "person_response"


DEADLINE_LABELS = {
    DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT: "Acknowledgement",
    DeadlineKind.INVESTIGATION: "Investigation and action",
    DeadlineKind.STAGE_ONE_REPLY: "Stage One reply",
    DeadlineKind.REVIEW_WINDOW: "Review window closes",
    DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT: "Review acknowledgement",
    DeadlineKind.STAGE_TWO_REPLY: "Stage Two definitive reply",
    DeadlineKind.PERSON_RESPONSE: "Named person's response",
}

STAGE_ONE_DEADLINES = frozenset({
    DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, DeadlineKind.INVESTIGATION,
    DeadlineKind.STAGE_ONE_REPLY,
})
# The review window is a period the complainant has, not a task staff can be late for.
ALERTED_DEADLINES = frozenset(k for k in DeadlineKind if k is not DeadlineKind.REVIEW_WINDOW)


@dataclass
class Deadline:
    """One promise with a due time. ``original_due_at`` survives progress updates."""

    kind: DeadlineKind
    due_at: datetime
    original_due_at: datetime
    started_at: datetime
    met_at: datetime | None = None
    retired_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Still owed: neither met nor retired."""
        return self.met_at is None and self.retired_at is None

    @property
    def breached(self) -> bool:
        """Met later than the original promise (progress updates do not excuse it).

        The review window is the complainant's period, not a promise staff keep, so it
        is never a breach: it is met when it closes or when a late request is accepted.
        """
        if self.kind not in ALERTED_DEADLINES:
            return False
        return self.met_at is not None and self.met_at > self.original_due_at


@dataclass(frozen=True)
class HistoryEvent:
    """One line of the append-only history: who did what, when, before and after."""

    case_id: int
    seq: int
    at: datetime
    actor: str
    action: str
    from_state: State | None
    to_state: State | None
    details: dict[str, Any] = field(default_factory=dict)


# ``cases.letters.LetterKind.FINAL_DECISION`` (that module builds on this one).
FINAL_DECISION_LETTER = "final_decision"


class NoticeKind(StrEnum):
    CARD = "card"              # render the case card(s) again, in place
    TIMELINE = "timeline"      # one line in the case thread for a history event
    DIRECT = "direct"          # a direct message to one person
    CHANNEL = "channel"        # a post to a team channel (alerts, digests)
    LETTER = "letter"          # a letter to the complainant (the email surface sends it)


@dataclass(frozen=True)
class Notice:
    """A message the chat platform must get after commit; rendered by the adapter."""

    kind: NoticeKind
    case_id: int | None
    payload: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None
    # Only this surface delivers it (a letter goes by email, not to every chat surface);
    # None: every configured surface.
    surface: str | None = None


@dataclass
class ProgressUpdate:
    at: datetime
    by: str
    reason: str
    new_due_at: datetime


@dataclass
class Decision:
    outcome: Outcome
    reasons: str
    remedy: str
    drafted_by: str
    drafted_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None
    change_requests: list[dict[str, str]] = field(default_factory=list)
    # Root cause and remedy of the final decision (Phase Three); None: not recorded.
    learning: Learning | None = None


@dataclass
class Case:
    """A complaint from intake to its final state. Only ``lifecycle`` changes ``state``."""

    reference: str
    intake: IntakeRecord
    received_at: datetime
    effective_receipt: date
    logged_by: str
    logged_at: datetime
    state: State = State.LOGGED
    id: int | None = None
    version: int = 0
    intake_key: str | None = None
    owner: str | None = None
    promised_reply_by: date | None = None
    investigator: str | None = None
    resolution: str | None = None
    findings: str | None = None
    outcome: Outcome | None = None
    suggestions: str | None = None
    replied_at: datetime | None = None
    # Stage One's root cause and remedy (recorded at resolution or reply); None: not recorded.
    learning: Learning | None = None
    review_requested_at: datetime | None = None
    review_effective_receipt: date | None = None
    review_request_how: str | None = None
    review_late_reason: str | None = None
    reviewer: str | None = None
    delegate: str | None = None
    review_reply_by: date | None = None
    person_informed_at: datetime | None = None
    person_response: str | None = None
    person_responded_at: datetime | None = None
    progress_updates: list[ProgressUpdate] = field(default_factory=list)
    decision: Decision | None = None
    final_letter: str | None = None
    closed_at: datetime | None = None
    withdrawn_reason: str | None = None
    deadlines: dict[DeadlineKind, Deadline] = field(default_factory=dict)
    last_actor: str | None = None
    last_action_at: datetime | None = None
    # Written by lifecycle, drained by the repository on save.
    new_events: list[HistoryEvent] = field(default_factory=list)
    # Read, never saved: the kinds of letter (``cases.letters.LetterKind`` values) in the
    # communications log that went or are going (a refused email does not count).
    letters_sent: frozenset[str] = frozenset()

    @property
    def final_letter_unsent(self) -> bool:
        """The final decision is approved but its letter has not gone to the complainant."""
        return self.state is State.FINAL and FINAL_DECISION_LETTER not in self.letters_sent

    @property
    def stage(self) -> int:
        """1 or 2: which stage of the procedure the case is in (or ended in)."""
        return 2 if self.state in STAGE_TWO_STATES or self.review_requested_at else 1

    @property
    def is_open(self) -> bool:
        """Not closed, final or withdrawn."""
        return self.state in OPEN_STATES

    def open_deadlines(self) -> list[Deadline]:
        """Deadlines still owed, soonest first."""
        return sorted((d for d in self.deadlines.values() if d.is_open), key=lambda d: d.due_at)

    def next_deadline(self) -> Deadline | None:
        """The soonest deadline still owed (alerted kinds first), if any."""
        owed = [d for d in self.open_deadlines() if d.kind in ALERTED_DEADLINES]
        return owed[0] if owed else next(iter(self.open_deadlines()), None)

    def people_on_case(self) -> frozenset[str]:
        """Staff with a part in the case (for need-to-know and 'mine' lists)."""
        return frozenset(
            u for u in (self.owner, self.investigator, self.reviewer, self.delegate,
                        self.logged_by) if u
        )
