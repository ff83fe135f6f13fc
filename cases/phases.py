"""The phase tracker: Logged → Acknowledged → Investigation → Reply → Review → Closed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from cases.model import Case, State

PhaseStatus = Literal["done", "current", "todo", "skipped"]

PHASES: tuple[str, ...] = ("Logged", "Acknowledged", "Investigation", "Reply", "Review",
                           "Closed")


@dataclass(frozen=True)
class PhaseStep:
    name: str
    status: PhaseStatus


# ---- the phase tracker ------------------------------------------------------------------

_CURRENT_PHASE: dict[State, int] = {
    State.LOGGED: 0,
    State.ACKNOWLEDGED: 1,
    State.INVESTIGATING: 2,
    State.RESOLVED: 3,
    State.INVESTIGATION_CONCLUDED: 3,
    State.REPLIED: 3,
    State.REVIEW_REQUESTED: 4,
    State.UNDER_REVIEW: 4,
    State.DECISION_PROPOSED: 4,
}


def _reached(case: Case) -> int:
    """The furthest phase a withdrawn case got to before it stopped."""
    if case.review_requested_at is not None:
        return 4
    if case.replied_at is not None or case.resolution or case.findings:
        return 3
    if case.investigator is not None:
        return 2
    if case.owner is not None:
        return 1
    return 0


def phase_tracker(case: Case) -> tuple[PhaseStep, ...]:
    """Logged → Acknowledged → Investigation → Reply → Review → Closed, each marked."""
    closed = len(PHASES) - 1
    if case.state is State.FINAL:
        return tuple(PhaseStep(name, "done") for name in PHASES)
    if case.state is State.CLOSED:
        # Closed after the review window without a review.
        return tuple(PhaseStep(name, "skipped" if i == 4 else "done")
                     for i, name in enumerate(PHASES))
    if case.state is State.WITHDRAWN:
        reached = _reached(case)
        return tuple(
            PhaseStep(name, "done" if i <= reached or i == closed else "skipped")
            for i, name in enumerate(PHASES)
        )
    current = _CURRENT_PHASE[case.state]
    steps: list[PhaseStep] = []
    for i, name in enumerate(PHASES):
        if i < current:
            # Resolved by customer services: no separate investigation took place.
            status: PhaseStatus = "done"
        elif i == current:
            status = "current"
        else:
            status = "todo"
        steps.append(PhaseStep(name, status))
    return tuple(steps)
