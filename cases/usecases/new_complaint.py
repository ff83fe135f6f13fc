"""Logging a new complaint: validate, number it, start Stage One's clocks, queue the card."""

from __future__ import annotations

import uuid
from typing import Any

from cases.clock import require_aware
from cases.errors import IntakeInvalid
from cases.events import TimelineEvent as E
from cases.intake import IntakeRecord, parse_intake, received_time_problem
from cases.lifecycle import record, start_intake_clocks
from cases.model import UNNUMBERED, Case, State
from cases.usecases.common import DeskBase, card, direct, timeline
from cases.wording import Template


class NewComplaint(DeskBase):
    def log_complaint(self, data: dict[str, Any] | IntakeRecord, *, logged_by: str,
                      intake_key: str | None = None) -> Case:
        """Validate and store a new complaint, open its Stage One deadlines, queue the card."""
        intake = data if isinstance(data, IntakeRecord) else parse_intake(data)
        now = self._now()
        received = require_aware(intake.received_at)
        problem = received_time_problem(received, now,
                                        max_days_late=self.policy.intake.max_days_late,
                                        late_reason=intake.late_reason)
        if problem:
            raise IntakeInvalid({"received_at": problem})
        with self.uow() as uow:
            if intake_key:
                existing = uow.cases.find_by_intake_key(intake_key)
                if existing is not None:
                    return existing
            case = Case(
                # Numbered last (below), so the year's counter is held for the least time;
                # a unique stand-in until then, never seen outside this transaction.
                reference=f"{UNNUMBERED}{uuid.uuid4().hex[:20]}",  # fits String(32)
                intake=intake,
                received_at=received,
                effective_receipt=self.calendar.effective_receipt(received),
                logged_by=logged_by,
                logged_at=now,
                intake_key=intake_key,
            )
            start_intake_clocks(case, self.rules)
            details = {"channel": intake.channel.value, "received_at": received.isoformat(),
                       "effective_receipt": case.effective_receipt.isoformat()}
            if intake.late_reason:
                details["late_reason"] = intake.late_reason
            record(case, "logged", actor=logged_by, at=now, after=State.LOGGED,
                   details=details)
            case.last_actor, case.last_action_at = logged_by, now
            uow.cases.add(case)
            uow.cases.number(case, self.calendar.local_date(now).year)
            uow.outbox.add([
                card(case),
                timeline(case, E.LOGGED, logged_by, now, channel=intake.channel.value),
                direct(case, logged_by, Template.LOGGED),
            ])
            uow.commit()
            return case
