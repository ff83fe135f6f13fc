"""Quarterly reviews and their actions: ``cases.ports.ReviewRepository`` on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from cases.errors import NotFound
from cases.review import Review, ReviewAction
from storage.models import ReviewActionRow, ReviewRow


def _action(row: ReviewActionRow) -> ReviewAction:
    return ReviewAction(id=row.id, review_id=row.review_id, what=row.what, owner=row.owner,
                        due_on=row.due_on, done_at=row.done_at, done_by=row.done_by)


class SqlReviewRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, review: Review) -> None:
        """Store a review and its actions; assigns their ids."""
        row = ReviewRow(period_start=review.period_start, period_end=review.period_end,
                        findings=review.findings, recorded_by=review.recorded_by,
                        recorded_at=review.recorded_at)
        self.session.add(row)
        self.session.flush()
        review.id = row.id
        for action in review.actions:
            action_row = ReviewActionRow(review_id=row.id, what=action.what,
                                         owner=action.owner, due_on=action.due_on)
            self.session.add(action_row)
            self.session.flush()
            action.id, action.review_id = action_row.id, row.id

    def latest_ending_before(self, day: date) -> Review | None:
        """The last recorded review of a period that ended before ``day``, with its actions."""
        row = self.session.scalars(
            select(ReviewRow).where(ReviewRow.period_end < day)
            .order_by(ReviewRow.period_end.desc(), ReviewRow.id.desc()).limit(1)).first()
        if row is None:
            return None
        actions = self.session.scalars(select(ReviewActionRow)
                                       .where(ReviewActionRow.review_id == row.id)
                                       .order_by(ReviewActionRow.id))
        return Review(id=row.id, period_start=row.period_start, period_end=row.period_end,
                      findings=row.findings, recorded_by=row.recorded_by,
                      recorded_at=row.recorded_at, actions=[_action(a) for a in actions])

    def action(self, action_id: int) -> ReviewAction:
        """One action; raises NotFound."""
        row = self.session.get(ReviewActionRow, action_id)
        if row is None:
            raise NotFound(f"No review action {action_id}.")
        return _action(row)

    def save_action(self, action: ReviewAction) -> None:
        """Persist an action's done state."""
        row = self.session.get(ReviewActionRow, action.id)
        if row is None:
            raise NotFound(f"No review action {action.id}.")
        row.done_at, row.done_by = action.done_at, action.done_by
        self.session.flush()

    def open_actions(self, *, due_by: date, limit: int = 500) -> Sequence[ReviewAction]:
        """Actions not done and due on or before ``due_by``, soonest first."""
        rows = self.session.scalars(
            select(ReviewActionRow)
            .where(ReviewActionRow.done_at.is_(None), ReviewActionRow.due_on <= due_by)
            .order_by(ReviewActionRow.due_on, ReviewActionRow.id).limit(limit))
        return [_action(r) for r in rows]
