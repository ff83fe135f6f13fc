"""Stage Two: the review request, its acknowledgement, the named person, the decision.

As in Stage One, the table row checks roles, state and guards and moves the deadlines;
each use case here parses its inputs and records the step's own fields and notices.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from cases.audience import Audience
from cases.clock import require_aware
from cases.errors import ConcurrentChange, InvalidTransition
from cases.events import TimelineEvent as E
from cases.learning import learning_of
from cases.letters import LetterDraft
from cases.lifecycle import Action
from cases.model import (
    FINAL_DECISION_LETTER,
    OUTCOME_LABELS,
    Case,
    DeadlineKind,
    Decision,
    Notice,
    NoticeKind,
    Outcome,
    ProgressUpdate,
)
from cases.roles import SYSTEM_ACTOR
from cases.steps import Given
from cases.subject import named_person
from cases.usecases.common import (
    MAX_HOW,
    MAX_REASONS,
    MAX_REMEDY,
    MAX_RESPONSE,
    DeskBase,
    direct,
    person_field,
    text_field,
    timeline,
)
from cases.wording import Template

Done = tuple[dict[str, Any], list[Notice]]


class StageTwoReview(DeskBase):
    def request_review(self, case_id: int, *, actor: str, requested_at: datetime, how: str,
                       reason: str | None = None, expected_version: int | None = None) -> Case:
        """The complainant asked for a Stage Two review; clocks start at effective receipt."""
        received = require_aware(requested_at)
        how_text = text_field(how, "how", limit=MAX_HOW)
        reason_text = text_field(reason, "reason", required=False)

        def record(case: Case, now: datetime) -> Done:
            case.review_requested_at = received
            case.review_effective_receipt = self.calendar.effective_receipt(received)
            case.review_request_how = how_text
            case.review_late_reason = reason_text
            case.closed_at = None
            details = {"requested_at": received.isoformat(), "how": how_text,
                       "reason": reason_text}
            # "how" is free text staff typed: it stays in the history, not in the channel.
            return details, [timeline(case, E.REVIEW_REQUESTED, actor, now)]

        return self._change(case_id, Action.REQUEST_REVIEW, actor, record,
                            given=Given(received_at=received, reason=reason_text),
                            expected_version=expected_version)

    def acknowledge_review(self, case_id: int, *, actor: str, reply_by: date | None = None,
                           expected_version: int | None = None,
                           letter: LetterDraft | None = None) -> Case:
        """A director takes the review; the named person (if any) is told and may respond."""

        def record(case: Case, now: datetime) -> Done:
            case.reviewer = actor
            due = case.deadlines[DeadlineKind.STAGE_TWO_REPLY].due_at
            case.review_reply_by = reply_by or self.calendar.local_date(due)
            notices = [timeline(case, E.REVIEW_ACKNOWLEDGED, actor, now,
                                reply_by=case.review_reply_by.isoformat())]
            person = named_person(case)  # told now: their clock opened with this step
            if person is not None:
                case.person_informed_at = now
                notices.append(direct(case, person, Template.PERSON_INFORMED))
            details = {"reviewer": actor, "reply_by": case.review_reply_by.isoformat(),
                       "person_informed": person is not None}
            return details, notices

        return self._change(case_id, Action.ACKNOWLEDGE_REVIEW, actor, record,
                            given=Given(day=reply_by), expected_version=expected_version,
                            letter=letter)

    def delegate_review(self, case_id: int, *, actor: str, delegate: str,
                        expected_version: int | None = None) -> Case:
        """The director hands the investigation to a suitably senior person."""
        person = person_field(delegate, "delegate")
        with self.reader() as uow:
            person_roles = uow.roles.roles_of(person)

        def record(case: Case, now: datetime) -> Done:
            case.delegate = person
            return {"delegate": person}, [
                timeline(case, E.REVIEW_DELEGATED, actor, now, delegate=person),
                direct(case, person, Template.REVIEW_DELEGATED, by=actor)]

        return self._change(case_id, Action.DELEGATE_REVIEW, actor, record,
                            given=Given(person=person, person_roles=person_roles),
                            expected_version=expected_version)

    def record_person_response(self, case_id: int, *, actor: str, response: str,
                               expected_version: int | None = None) -> Case:
        """The person the complaint is about gives their side, once; the reviewer sees it."""
        text = text_field(response, "response", limit=MAX_RESPONSE)

        def record(case: Case, now: datetime) -> Done:
            case.person_response = text
            case.person_responded_at = now
            notices = [timeline(case, E.PERSON_RESPONDED, actor, now)]
            for reviewer in sorted({case.reviewer, case.delegate} - {None}, key=str):
                notices.append(direct(case, str(reviewer), Template.PERSON_RESPONDED))
            return {"response": text}, notices

        return self._change(case_id, Action.RECORD_PERSON_RESPONSE, actor, record,
                            expected_version=expected_version)

    def record_missing_responses(self) -> list[str]:
        """Record 'no response' for every named person whose window has passed."""
        now = self._now()
        with self.reader() as uow:
            due = list(uow.cases.ids_with_open_deadline_due(DeadlineKind.PERSON_RESPONSE, now))

        def record(case: Case, at: datetime) -> Done:
            d = case.deadlines[DeadlineKind.PERSON_RESPONSE]
            return {"due_at": d.due_at.isoformat()}, [
                timeline(case, E.NO_RESPONSE, SYSTEM_ACTOR, at)]

        done: list[str] = []
        for case_id in due:
            try:
                done.append(self._change(case_id, Action.RECORD_NO_RESPONSE, SYSTEM_ACTOR,
                                         record).reference)
            except (InvalidTransition, ConcurrentChange):
                continue  # the case moved on meanwhile
        return done

    def send_progress_update(self, case_id: int, *, actor: str, reason: str,
                             new_reply_by: date, expected_version: int | None = None,
                             letter: LetterDraft | None = None) -> Case:
        """The definitive reply will be late: record why and the new date; keep the original."""
        text = text_field(reason, "reason")

        def record(case: Case, now: datetime) -> Done:
            deadline = case.deadlines[DeadlineKind.STAGE_TWO_REPLY]
            case.review_reply_by = new_reply_by
            case.progress_updates.append(ProgressUpdate(at=now, by=actor, reason=text or "",
                                                        new_due_at=deadline.due_at))
            details = {"reason": text, "new_reply_by": new_reply_by.isoformat(),
                       "original_due_at": deadline.original_due_at.isoformat()}
            return details, [timeline(case, E.PROGRESS_UPDATE, actor, now,
                                      new_reply_by=new_reply_by.isoformat())]

        return self._change(case_id, Action.SEND_PROGRESS_UPDATE, actor, record,
                            given=Given(day=new_reply_by), expected_version=expected_version,
                            letter=letter)

    def propose_decision(self, case_id: int, *, actor: str, outcome: Outcome, reasons: str,
                         remedy: str, expected_version: int | None = None,
                         root_cause: str | None = None, remedies: Sequence[str] = (),
                         remedy_amount: str | None = None) -> Case:
        """The reviewer drafts the decision (with root cause and remedy); directors approve."""
        reasons_text = text_field(reasons, "reasons", limit=MAX_REASONS)
        remedy_text = text_field(remedy, "remedy", limit=MAX_REMEDY)
        learning = learning_of(root_cause, remedies, remedy_amount, self.policy.learning)

        def record(case: Case, now: datetime) -> Done:
            previous = case.decision.change_requests if case.decision else []
            case.decision = Decision(outcome=outcome, reasons=reasons_text or "",
                                     remedy=remedy_text or "", drafted_by=actor,
                                     drafted_at=now, change_requests=previous,
                                     learning=learning)
            details: dict[str, Any] = {"outcome": outcome.value, "reasons": reasons_text,
                                       "remedy": remedy_text}
            if learning is not None:
                details["learning"] = learning.as_json()
            return details, [Notice(NoticeKind.CHANNEL, case.id,
                                    {"template": Template.DECISION_PROPOSED,
                                     "audience": Audience.DIRECTORS})]

        return self._change(case_id, Action.PROPOSE_DECISION, actor, record,
                            expected_version=expected_version)

    def request_changes(self, case_id: int, *, actor: str, comment: str,
                        expected_version: int | None = None) -> Case:
        """A director sends the draft back to its drafter with a comment."""
        text = text_field(comment, "comment")

        def record(case: Case, now: datetime) -> Done:
            assert case.decision is not None
            case.decision.change_requests.append(
                {"by": actor, "at": now.isoformat(), "comment": text or ""})
            drafter = case.decision.drafted_by
            return {"comment": text}, [
                timeline(case, E.CHANGES_REQUESTED, actor, now),
                direct(case, drafter, Template.CHANGES_REQUESTED, by=actor, comment=text)]

        return self._change(case_id, Action.REQUEST_CHANGES, actor, record,
                            expected_version=expected_version)

    def approve_decision(self, case_id: int, *, actor: str,
                         expected_version: int | None = None) -> Case:
        """A director approves: the decision is final and the case closes for good."""

        def record(case: Case, now: datetime) -> Done:
            assert case.decision is not None
            case.decision.approved_by = actor
            case.decision.approved_at = now
            case.closed_at = now
            case.final_letter = final_letter(case)
            outcome = case.decision.outcome.value
            details: dict[str, Any] = {"outcome": outcome, "final_letter": case.final_letter}
            if case.decision.drafted_by == actor:
                # Only where the policy lets a sole director approve (see the table's guard).
                details["own_draft"] = True
            notices = [timeline(case, E.DECISION_APPROVED, actor, now, outcome=outcome)]
            if FINAL_DECISION_LETTER not in case.letters_sent:
                # The owner is prompted to send the final letter (with the button); the
                # card and the digest show it as unsent until a final letter is recorded.
                writer = case.owner or case.reviewer or actor
                notices.append(direct(case, writer, Template.FINAL_LETTER_DUE))
            return details, notices

        return self._change(case_id, Action.APPROVE_DECISION, actor, record,
                            expected_version=expected_version)


def final_letter(case: Case) -> str:
    """The final-decision letter's content: decision, reasons, remedy, and that it is final."""
    assert case.decision is not None
    d = case.decision
    return (
        f"Our reference: {case.reference}\n\n"
        f"Dear {case.intake.complainant_name},\n\n"
        "We have completed the Stage Two review of your complaint.\n\n"
        f"Decision: {OUTCOME_LABELS[d.outcome]}.\n\n"
        f"Our reasons: {d.reasons}\n\n"
        f"What we will do: {d.remedy}\n\n"
        "This decision is final: it completes our complaints procedure.\n"
    )
