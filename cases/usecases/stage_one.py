"""Stage One: acknowledge, resolve or investigate, reply; withdraw; close after the window.

Each use case parses its inputs, then lets the table row (``cases.lifecycle``) check
roles, state and guards and move the deadlines; what is left here is the step's own
record on the case and who hears of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from cases.errors import ConcurrentChange, IntakeInvalid, InvalidTransition
from cases.events import TimelineEvent as E
from cases.learning import learning_of
from cases.letters import LetterDraft
from cases.lifecycle import Action
from cases.model import Case, Notice, Outcome
from cases.roles import SYSTEM_ACTOR
from cases.steps import Given
from cases.usecases.common import DeskBase, direct, person_field, text_field, timeline
from cases.wording import Template

Done = tuple[dict[str, Any], list[Notice]]


class StageOne(DeskBase):
    def acknowledge_case(self, case_id: int, *, actor: str, owner: str,
                         promised_reply_by: date, procedure_attached: bool,
                         expected_version: int | None = None,
                         letter: LetterDraft | None = None) -> Case:
        """Record the acknowledgement: who deals with it, reply date, procedure attached."""
        owner = person_field(owner, "owner")
        if not procedure_attached:
            raise IntakeInvalid({"procedure_attached":
                                 "the acknowledgement must include a copy of the procedure"})

        def record(case: Case, now: datetime) -> Done:
            case.owner = owner
            case.promised_reply_by = promised_reply_by
            details = {"owner": owner, "promised_reply_by": promised_reply_by.isoformat(),
                       "procedure_attached": True}
            return details, [timeline(case, E.ACKNOWLEDGED, actor, now, **details)]

        return self._change(case_id, Action.ACKNOWLEDGE, actor, record,
                            given=Given(day=promised_reply_by, person=owner),
                            expected_version=expected_version, letter=letter)

    def resolve_case(self, case_id: int, *, actor: str, resolution: str,
                     expected_version: int | None = None, root_cause: str | None = None,
                     remedies: Sequence[str] = (), remedy_amount: str | None = None,
                     letter: LetterDraft | None = None) -> Case:
        """Customer services resolved it (how, root cause, remedy); the reply clock starts."""
        text = text_field(resolution, "resolution")
        learning = learning_of(root_cause, remedies, remedy_amount, self.policy.learning)

        def record(case: Case, now: datetime) -> Done:
            case.resolution = text
            details: dict[str, Any] = {"resolution": text}
            if learning is not None:
                case.learning = learning
                details["learning"] = learning.as_json()
            return details, [timeline(case, E.RESOLVED, actor, now)]

        return self._change(case_id, Action.RESOLVE, actor, record,
                            expected_version=expected_version, letter=letter)

    def assign_investigator(self, case_id: int, *, actor: str, investigator: str,
                            expected_version: int | None = None) -> Case:
        """Name the appropriate person who investigates; they get a DM."""
        person = person_field(investigator, "investigator")

        def record(case: Case, now: datetime) -> Done:
            previous = case.investigator
            case.investigator = person
            details = {"investigator": person, "previous": previous}
            return details, [timeline(case, E.INVESTIGATOR_ASSIGNED, actor, now,
                                      investigator=person),
                             direct(case, person, Template.INVESTIGATOR_ASSIGNED)]

        return self._change(case_id, Action.ASSIGN_INVESTIGATOR, actor, record,
                            given=Given(person=person), expected_version=expected_version)

    def conclude_investigation(self, case_id: int, *, actor: str, findings: str,
                               expected_version: int | None = None) -> Case:
        """The investigation ended; the reply is due within the policy's days."""
        text = text_field(findings, "findings")

        def record(case: Case, now: datetime) -> Done:
            case.findings = text
            return {"findings": text}, [timeline(case, E.INVESTIGATION_CONCLUDED, actor, now)]

        return self._change(case_id, Action.CONCLUDE_INVESTIGATION, actor, record,
                            expected_version=expected_version)

    def send_reply(self, case_id: int, *, actor: str, outcome: Outcome,
                   suggestions: str, expected_version: int | None = None,
                   root_cause: str | None = None, remedies: Sequence[str] = (),
                   remedy_amount: str | None = None,
                   letter: LetterDraft | None = None) -> Case:
        """The Stage One reply: outcome, suggestions, root cause and remedy; window opens.

        A root cause left blank keeps the one recorded at the resolution, if any.
        """
        text = text_field(suggestions, "suggestions")
        learning = learning_of(root_cause, remedies, remedy_amount, self.policy.learning)

        def record(case: Case, now: datetime) -> Done:
            case.outcome = outcome
            case.suggestions = text
            case.replied_at = now
            details: dict[str, Any] = {"outcome": outcome.value, "suggestions": text}
            if learning is not None:
                case.learning = learning
                details["learning"] = learning.as_json()
            return details, [timeline(case, E.REPLIED, actor, now, outcome=outcome.value)]

        return self._change(case_id, Action.SEND_REPLY, actor, record,
                            expected_version=expected_version, letter=letter)

    def withdraw(self, case_id: int, *, actor: str, reason: str,
                 expected_version: int | None = None) -> Case:
        """The complainant withdrew; open deadlines stop."""
        text = text_field(reason, "reason")

        def record(case: Case, now: datetime) -> Done:
            case.withdrawn_reason = text
            case.closed_at = now
            return {"reason": text}, [timeline(case, E.WITHDRAWN, actor, now)]

        return self._change(case_id, Action.WITHDRAW, actor, record,
                            expected_version=expected_version)

    def close_expired_review_windows(self) -> list[str]:
        """Close every replied case whose review window has passed; returns references."""
        now = self._now()
        with self.reader() as uow:
            ids = list(uow.cases.ids_with_window_expired(now))

        def record(case: Case, at: datetime) -> Done:
            case.closed_at = at
            return {"reason": "no review requested within the window"}, [
                timeline(case, E.CLOSED, SYSTEM_ACTOR, at)]

        closed: list[str] = []
        for case_id in ids:
            try:
                closed.append(self._change(case_id, Action.CLOSE_REVIEW_WINDOW, SYSTEM_ACTOR,
                                           record).reference)
            except (InvalidTransition, ConcurrentChange):
                continue  # someone escalated it meanwhile: nothing to close
        return closed
