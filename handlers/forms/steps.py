"""The step modals' answers, typed: one form per modal, named after its callback id."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, field_validator

from cases.model import Outcome
from handlers.forms.fields import ChosenKey, Day, Moment, Person, Text, Ticked, chosen, refuse
from handlers.forms.reading import Form
from handlers.ids import CallbackId

OutcomeChoice = Annotated[Outcome | None, BeforeValidator(chosen(Outcome))]
PROCEDURE_TICK = "yes"


class AcknowledgeForm(Form):
    required: ClassVar = {"owner": "choose who deals with it",
                          "promised_reply_by": "choose a reply date"}
    owner: Person = None
    promised_reply_by: Day = None
    procedure_attached: Ticked = frozenset()

    @field_validator("procedure_attached")
    @classmethod
    def _only_the_one_box(cls, ticked: frozenset[str]) -> frozenset[str]:
        if ticked - {PROCEDURE_TICK}:
            raise refuse("tick the box if the procedure went with the acknowledgement")
        return ticked


class LearningFields(Form):
    """Root cause and remedy, on the steps that close a stage (Phase Three)."""

    root_cause: ChosenKey = None
    remedies: Ticked = frozenset()
    remedy_amount: Text = None

    def learning(self) -> dict[str, Any]:
        """The use case's keyword arguments."""
        return {"root_cause": self.root_cause, "remedies": sorted(self.remedies),
                "remedy_amount": self.remedy_amount}


class ResolveForm(LearningFields):
    resolution: Text = None


class AssignInvestigatorForm(Form):
    required: ClassVar = {"investigator": "choose a person"}
    investigator: Person = None


class ConcludeInvestigationForm(Form):
    findings: Text = None


class SendReplyForm(LearningFields):
    required: ClassVar = {"outcome": "choose the outcome"}
    outcome: OutcomeChoice = None
    suggestions: Text = None


class RequestReviewForm(Form):
    required: ClassVar = {"requested_at": "when did the complainant ask?"}
    requested_at: Moment = None
    how: Text = None
    reason: Text = None


class WithdrawForm(Form):
    reason: Text = None


class AcknowledgeReviewForm(Form):
    reply_by: Day = None


class DelegateReviewForm(Form):
    required: ClassVar = {"delegate": "choose a person"}
    delegate: Person = None


class PersonResponseForm(Form):
    response: Text = None


class ProgressUpdateForm(Form):
    required: ClassVar = {"new_reply_by": "choose the new date"}
    reason: Text = None
    new_reply_by: Day = None


class ProposeDecisionForm(LearningFields):
    required: ClassVar = {"outcome": "choose the outcome"}
    outcome: OutcomeChoice = None
    reasons: Text = None
    remedy: Text = None


class RequestChangesForm(Form):
    comment: Text = None


STEP_FORMS: dict[CallbackId, type[Form]] = {
    CallbackId.ACKNOWLEDGE: AcknowledgeForm,
    CallbackId.RESOLVE: ResolveForm,
    CallbackId.ASSIGN_INVESTIGATOR: AssignInvestigatorForm,
    CallbackId.CONCLUDE_INVESTIGATION: ConcludeInvestigationForm,
    CallbackId.SEND_REPLY: SendReplyForm,
    CallbackId.REQUEST_REVIEW: RequestReviewForm,
    CallbackId.WITHDRAW: WithdrawForm,
    CallbackId.ACKNOWLEDGE_REVIEW: AcknowledgeReviewForm,
    CallbackId.DELEGATE_REVIEW: DelegateReviewForm,
    CallbackId.RECORD_PERSON_RESPONSE: PersonResponseForm,
    CallbackId.SEND_PROGRESS_UPDATE: ProgressUpdateForm,
    CallbackId.PROPOSE_DECISION: ProposeDecisionForm,
    CallbackId.REQUEST_CHANGES: RequestChangesForm,
}
