"""Phase Three: the quarterly review, recorded with its actions; actions reminded and done.

The review of the quarter just ended is queued for the HR manager(s) and the directors
channel on the policy's working day of the new quarter; its dedupe keys make it once per
quarter however many bot processes run the sweep. Action reminders are keyed the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from cases.audience import Audience
from cases.errors import IntakeInvalid, NotAllowed
from cases.model import Notice, NoticeKind
from cases.report_trends import quarter_label, quarter_of
from cases.review import Review, ReviewAction
from cases.roles import Role
from cases.usecases.common import MAX_NOTE, REPORT_ROLES, DeskBase, text_field
from cases.wording import Template

MAX_ACTIONS = 10
ACTION_ROWS_MAX = MAX_ACTIONS
MAX_ACTION_TEXT = 500


@dataclass(frozen=True)
class ActionInput:
    """One action as a form gives it (any part may be missing)."""

    what: str | None
    owner: str | None
    due_on: date | None


def previous_quarter(today: date) -> tuple[date, date]:
    """The calendar quarter before the one ``today`` is in."""
    start, _ = quarter_of(today)
    return quarter_of(date.fromordinal(start.toordinal() - 1))


class QuarterlyReviews(DeskBase):
    """Record a review, mark its actions done, and the scheduled duties around them."""

    def record_review(self, *, actor: str, start: date, end: date, findings: str,
                      actions: Sequence[ActionInput]) -> Review:
        """The HR manager or a director records findings and actions (what, owner, due)."""
        today = self.calendar.local_date(self._now())
        text = text_field(findings, "findings", limit=MAX_NOTE) or ""
        checked = self._actions(actions, today)
        now = self._now()
        with self.uow() as uow:
            if not uow.roles.roles_of(actor) & REPORT_ROLES:
                raise NotAllowed("A review is recorded by the HR manager or a director.")
            review = Review(period_start=start, period_end=end, findings=text,
                            recorded_by=actor, recorded_at=now, actions=checked)
            uow.reviews.add(review)
            uow.outbox.add([Notice(NoticeKind.DIRECT, None, {
                "template": Template.REVIEW_ACTION_ASSIGNED, "user": a.owner,
                "action_id": a.id, "what": a.what, "due_on": a.due_on.isoformat(),
                "by": actor, "quarter": quarter_label(start)}) for a in review.actions])
            uow.commit()
        return review

    def _actions(self, actions: Sequence[ActionInput], today: date) -> list[ReviewAction]:
        errors: dict[str, str] = {}
        found: list[ReviewAction] = []
        for i, a in enumerate(actions[:MAX_ACTIONS], start=1):
            what = (a.what or "").strip()
            if not what and not a.owner and a.due_on is None:
                continue  # an empty row of the form
            if not what:
                errors[f"action_{i}_what"] = "say what is to be done"
            elif len(what) > MAX_ACTION_TEXT:
                errors[f"action_{i}_what"] = f"keep this under {MAX_ACTION_TEXT} characters"
            if not a.owner:
                errors[f"action_{i}_owner"] = "choose who does it"
            if a.due_on is None:
                errors[f"action_{i}_due_on"] = "choose a due date"
            elif a.due_on < today:
                errors[f"action_{i}_due_on"] = "choose today or a later date"
            if what and a.owner and a.due_on is not None:
                found.append(ReviewAction(what=what, owner=a.owner, due_on=a.due_on))
        if errors:
            raise IntakeInvalid(errors)
        return found

    def mark_action_done(self, action_id: int, *, actor: str) -> ReviewAction:
        """Its owner, the HR manager or a director marks an action done (once)."""
        now = self._now()
        with self.uow() as uow:
            action = uow.reviews.action(action_id)
            if action.owner != actor and not uow.roles.roles_of(actor) & REPORT_ROLES:
                raise NotAllowed("An action is marked done by its owner, the HR manager or "
                                 "a director.")
            if action.done_at is None:
                action.done_at, action.done_by = now, actor
                uow.reviews.save_action(action)
                uow.commit()
            return action

    def review_duties(self, now: datetime) -> int:
        """Queue the quarterly review (once a quarter) and action reminders (once each)."""
        today = self.calendar.local_date(now)
        rules = self.policy.review
        if not (rules.enabled and self.calendar.is_working_day(today)):
            return 0
        opens = datetime.combine(today, time(rules.hour),
                                 tzinfo=ZoneInfo(self.policy.calendar.timezone))
        if now < opens:
            return 0
        notices = [*self._review_notices(today), *self._reminders(today)]
        if not notices:
            return 0
        with self.uow() as uow:
            uow.outbox.add(notices)
            uow.commit()
        return len(notices)

    def _review_notices(self, today: date) -> list[Notice]:
        start, _ = quarter_of(today)
        first = self.calendar.next_working_day_on_or_after(start)
        due = (self.calendar.add_working_days(first, self.policy.review.working_day - 1)
               if self.policy.review.working_day > 1 else first)
        if today < due:
            return []
        q_start, q_end = previous_quarter(today)
        label = quarter_label(q_start)
        base = {"template": Template.QUARTERLY_REVIEW, "start": q_start.isoformat(),
                "end": q_end.isoformat(), "quarter": label}
        with self.reader() as uow:
            managers = uow.roles.members(Role.HR_MANAGER)
        return [*(Notice(NoticeKind.DIRECT, None, {**base, "user": person},
                         dedupe_key=f"quarterly-review:{label}:{person}")
                  for person in managers),
                Notice(NoticeKind.CHANNEL, None, {**base, "audience": Audience.DIRECTORS},
                       dedupe_key=f"quarterly-review:{label}:directors")]

    def _reminders(self, today: date) -> list[Notice]:
        ahead = self.calendar.add_working_days(today,
                                               self.policy.review.remind_before_working_days)
        with self.reader() as uow:
            due = uow.reviews.open_actions(due_by=ahead)
        notices: list[Notice] = []
        for action in due:
            if action.due_on > today:
                kind = "due_soon"
            elif action.due_on == today:
                kind = "due_today"
            else:
                kind = f"overdue:{today.isoformat()}"  # each working day it stays overdue
            notices.append(Notice(NoticeKind.DIRECT, None, {
                "template": Template.REVIEW_ACTION_REMINDER, "user": action.owner,
                "action_id": action.id, "what": action.what,
                "due_on": action.due_on.isoformat(), "kind": kind.partition(":")[0]},
                dedupe_key=f"review-action:{action.id}:{kind}"))
        return notices
