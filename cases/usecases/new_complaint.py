"""Logging a new complaint: validate, number it, start Stage One's clocks, queue the card."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cases.clock import require_aware
from cases.errors import IntakeInvalid
from cases.events import TimelineEvent as E
from cases.intake import IntakeRecord, parse_intake, received_time_problem
from cases.lifecycle import record, start_intake_clocks
from cases.model import UNNUMBERED, Case, State
from cases.usecases.common import DeskBase, card, direct, timeline
from cases.usecases.group_commit import GroupCommit
from cases.wording import Template


@dataclass
class _Intake:
    """A validated intake with its case built, waiting for its turn to be stored."""

    case: Case
    now: datetime
    # Set once a transaction has written ``case`` (numbered it, given it an id): a retry
    # after that transaction failed starts again from a new case.
    tried: bool = False


class NewComplaint(DeskBase):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Concurrent intakes share one transaction (cases.usecases.group_commit).
        self.intakes: GroupCommit[_Intake, Case] = GroupCommit(self._store_intakes)

    def log_complaint(self, data: dict[str, Any] | IntakeRecord, *, logged_by: str,
                      intake_key: str | None = None) -> Case:
        """Validate and store a new complaint, open its Stage One deadlines, queue the card.

        A second submission with an ``intake_key`` already stored returns the case it made.
        """
        intake = data if isinstance(data, IntakeRecord) else parse_intake(data)
        now = self._now()
        received = require_aware(intake.received_at)
        problem = received_time_problem(received, now,
                                        max_days_late=self.policy.intake.max_days_late,
                                        late_reason=intake.late_reason)
        if problem:
            raise IntakeInvalid({"received_at": problem})
        # Everything that needs no database is done here, before the intake's turn.
        case = self._new_case(intake, logged_by, intake_key, now)
        return self.intakes.submit(_Intake(case, now))

    def _new_case(self, intake: IntakeRecord, logged_by: str, key: str | None,
                  now: datetime) -> Case:
        received = require_aware(intake.received_at)
        case = Case(
            # Numbered last (in _store_intakes), so the year's counter is held for the
            # least time; a unique stand-in until then, never seen outside the transaction.
            reference=f"{UNNUMBERED}{uuid.uuid4().hex[:20]}",  # fits String(32)
            intake=intake,
            received_at=received,
            effective_receipt=self.calendar.effective_receipt(received),
            logged_by=logged_by,
            logged_at=now,
            intake_key=key,
        )
        start_intake_clocks(case, self.rules)
        return case

    def _store_intakes(self, batch: Sequence[_Intake]) -> list[Case]:
        """Store a batch of intakes in one transaction, in the order they came.

        Keys already stored give their earlier case; a key twice in the batch (a retried
        submission that overtook the first) gives the first one's case to both.
        """
        for item in batch:
            if item.tried:
                old = item.case
                item.case = self._new_case(old.intake, old.logged_by, old.intake_key, item.now)
            item.tried = True
        with self.uow() as uow:
            # All the batch's keys in one lookup (on PostgreSQL it locks each key until
            # commit, in one order, so two batches never wait for each other in a cycle).
            stored = dict(uow.cases.find_by_intake_keys(
                i.case.intake_key for i in batch if i.case.intake_key))
            results: list[Case] = []
            fresh: list[_Intake] = []
            for item in batch:
                own = item.case.intake_key
                if own and own in stored:
                    results.append(stored[own])
                    continue
                self._prepare(item)
                if own:
                    stored[own] = item.case
                fresh.append(item)
                results.append(item.case)
            uow.cases.add(*(item.case for item in fresh))
            years: dict[int, list[Case]] = {}
            for item in fresh:  # numbered in the order they came, per year
                years.setdefault(self.calendar.local_date(item.now).year, []).append(item.case)
            for year, cases in years.items():
                uow.cases.number(year, *cases)
            uow.outbox.add([
                notice for item in fresh for notice in (
                    card(item.case),
                    timeline(item.case, E.LOGGED, item.case.logged_by, item.now,
                             channel=item.case.intake.channel.value),
                    direct(item.case, item.case.logged_by, Template.LOGGED))
            ])
            uow.commit()
        # A case given to two callers: each its own copy.
        return [copy.deepcopy(case) if any(r is case for r in results[:i]) else case
                for i, case in enumerate(results)]

    def _prepare(self, item: _Intake) -> None:
        """The case's first event and last action, before it is stored."""
        case, now = item.case, item.now
        details = {"channel": case.intake.channel.value,
                   "received_at": case.received_at.isoformat(),
                   "effective_receipt": case.effective_receipt.isoformat()}
        if case.intake.late_reason:
            details["late_reason"] = case.intake.late_reason
        record(case, "logged", actor=case.logged_by, at=now, after=State.LOGGED,
               details=details)
        case.last_actor, case.last_action_at = case.logged_by, now
