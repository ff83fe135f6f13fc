"""The quarterly review (Phase Three): findings and actions, each action with an owner and
a due date, tracked until marked done."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cases.report_model import ActionLine, ActionSummary


@dataclass
class ReviewAction:
    """What is to be done, by whom, by when; done once someone marks it so."""

    what: str
    owner: str
    due_on: date
    id: int | None = None
    review_id: int | None = None
    done_at: datetime | None = None
    done_by: str | None = None

    def overdue_on(self, today: date) -> bool:
        """Not done and its due date has passed."""
        return self.done_at is None and today > self.due_on


@dataclass
class Review:
    """A review of the complaints received in [period_start, period_end]."""

    period_start: date
    period_end: date
    findings: str
    recorded_by: str
    recorded_at: datetime
    actions: list[ReviewAction] = field(default_factory=list)
    id: int | None = None


def action_summary(review: Review, today: date) -> ActionSummary:
    """Where each of the review's actions stands today."""
    return ActionSummary(
        review_start=review.period_start, review_end=review.period_end,
        actions=tuple(ActionLine(action_id=a.id or 0, what=a.what, owner=a.owner,
                                 due_on=a.due_on, done=a.done_at is not None,
                                 overdue=a.overdue_on(today))
                      for a in review.actions))


def summary_text(summary: ActionSummary) -> str:
    """'Actions from the last review (2026 Q2): 3 done, 1 overdue, 0 not yet due.'"""
    return (f"Actions from the last review ({summary.review_start:%d %b %Y} – "
            f"{summary.review_end:%d %b %Y}): {summary.done} done, {summary.overdue} "
            f"overdue, {summary.open} not yet due.")
