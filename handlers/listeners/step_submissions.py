"""Step modals submitted: the typed form becomes the use case's arguments.

Each runner takes the desk, the acting person, the case reference the modal was opened
on, and the parsed form; the use case re-checks everything (roles, state, version).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from cases.letters import LetterDraft
from cases.model import Outcome
from cases.services import ComplaintsDesk
from handlers.answers import answer_submission
from handlers.deps import HandlerDeps
from handlers.forms import Form, parse_form
from handlers.forms import steps as f
from handlers.identity import actor_of
from handlers.ids import CallbackId, CaseRef
from handlers.listeners.letter_steps import drafted_letter
from handlers.payloads import case_ref_of, part
from handlers.routes import Routes


@dataclass(frozen=True)
class Step:
    """Who submitted which step's form, about which case (and the version they saw)."""

    desk: ComplaintsDesk
    actor: str
    ref: CaseRef
    local: Callable[[Any], Any]
    # The letter to the complainant the modal carried: recorded with the step, at once.
    letter: LetterDraft | None = None

    def of(self) -> dict[str, Any]:
        return {"actor": self.actor, "expected_version": self.ref.version}

    def writing(self) -> dict[str, Any]:
        """``of()`` and the step's letter, for the steps that write to the complainant."""
        return {**self.of(), "letter": self.letter}


def _outcome(value: Outcome | None) -> Outcome:
    assert value is not None  # required by the form
    return value


def acknowledge(s: Step, form: f.AcknowledgeForm) -> object:
    assert form.owner is not None and form.promised_reply_by is not None
    return s.desk.acknowledge_case(s.ref.case_id, **s.writing(), owner=form.owner,
                                   promised_reply_by=form.promised_reply_by,
                                   procedure_attached=bool(form.procedure_attached))


def resolve(s: Step, form: f.ResolveForm) -> object:
    return s.desk.resolve_case(s.ref.case_id, **s.writing(), resolution=form.resolution or "",
                               **form.learning())


def assign_investigator(s: Step, form: f.AssignInvestigatorForm) -> object:
    assert form.investigator is not None
    return s.desk.assign_investigator(s.ref.case_id, **s.of(), investigator=form.investigator)


def conclude_investigation(s: Step, form: f.ConcludeInvestigationForm) -> object:
    return s.desk.conclude_investigation(s.ref.case_id, **s.of(), findings=form.findings or "")


def send_reply(s: Step, form: f.SendReplyForm) -> object:
    return s.desk.send_reply(s.ref.case_id, **s.writing(), outcome=_outcome(form.outcome),
                             suggestions=form.suggestions or "", **form.learning())


def request_review(s: Step, form: f.RequestReviewForm) -> object:
    assert form.requested_at is not None
    return s.desk.request_review(s.ref.case_id, **s.of(),
                                 requested_at=s.local(form.requested_at),
                                 how=form.how or "", reason=form.reason)


def withdraw(s: Step, form: f.WithdrawForm) -> object:
    return s.desk.withdraw(s.ref.case_id, **s.of(), reason=form.reason or "")


def acknowledge_review(s: Step, form: f.AcknowledgeReviewForm) -> object:
    return s.desk.acknowledge_review(s.ref.case_id, **s.writing(), reply_by=form.reply_by)


def delegate_review(s: Step, form: f.DelegateReviewForm) -> object:
    assert form.delegate is not None
    return s.desk.delegate_review(s.ref.case_id, **s.of(), delegate=form.delegate)


def record_person_response(s: Step, form: f.PersonResponseForm) -> object:
    return s.desk.record_person_response(s.ref.case_id, **s.of(),
                                         response=form.response or "")


def send_progress_update(s: Step, form: f.ProgressUpdateForm) -> object:
    assert form.new_reply_by is not None
    return s.desk.send_progress_update(s.ref.case_id, **s.writing(), reason=form.reason or "",
                                       new_reply_by=form.new_reply_by)


def propose_decision(s: Step, form: f.ProposeDecisionForm) -> object:
    return s.desk.propose_decision(s.ref.case_id, **s.of(), outcome=_outcome(form.outcome),
                                   reasons=form.reasons or "", remedy=form.remedy or "",
                                   **form.learning())


def request_changes(s: Step, form: f.RequestChangesForm) -> object:
    return s.desk.request_changes(s.ref.case_id, **s.of(), comment=form.comment or "")


RUNNERS: dict[CallbackId, Callable[[Step, Any], object]] = {
    CallbackId.ACKNOWLEDGE: acknowledge,
    CallbackId.RESOLVE: resolve,
    CallbackId.ASSIGN_INVESTIGATOR: assign_investigator,
    CallbackId.CONCLUDE_INVESTIGATION: conclude_investigation,
    CallbackId.SEND_REPLY: send_reply,
    CallbackId.REQUEST_REVIEW: request_review,
    CallbackId.WITHDRAW: withdraw,
    CallbackId.ACKNOWLEDGE_REVIEW: acknowledge_review,
    CallbackId.DELEGATE_REVIEW: delegate_review,
    CallbackId.RECORD_PERSON_RESPONSE: record_person_response,
    CallbackId.SEND_PROGRESS_UPDATE: send_progress_update,
    CallbackId.PROPOSE_DECISION: propose_decision,
    CallbackId.REQUEST_CHANGES: request_changes,
}


def _listener(deps: HandlerDeps, callback: CallbackId, form: type[Form],
              run: Callable[[Step, Any], object]) -> Callable[..., None]:
    def handle_view_step(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        def submit() -> None:
            step = Step(desk=deps.desk, actor=actor_of(body, deps.people),
                        ref=case_ref_of(part(body, "view", "private_metadata")),
                        local=deps.calendar.local)
            answers = parse_form(form, part(body, "view"), deps.people)
            # The letter's words only (no PDF): the step and its letter are one transaction,
            # and what delivers the letter runs after Slack has its answer.
            letter = drafted_letter(deps, step.ref.case_id, step.actor, body, answers, client)
            run(replace(step, letter=letter), answers)

        answer_submission(ack, deps, submit)

    handle_view_step.__name__ = f"handle_view_{callback.value}"
    return handle_view_step


def register(app: Routes, deps: HandlerDeps) -> None:
    for callback, form in f.STEP_FORMS.items():
        listener = _listener(deps, callback, form, RUNNERS[callback])
        app.view(callback.value, answers_last=True)(listener)
