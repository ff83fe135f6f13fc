"""Edit details and Reassign: buttons in the case file push their form; submissions apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.models.views import View

from cases.errors import DomainError
from cases.usecases.casefile import FileRead
from handlers.answers import answer_submission, refusal_text, tell
from handlers.blocks.corrections import edit_details_modal, reassign_modal
from handlers.deps import HandlerDeps
from handlers.forms import parse_form
from handlers.forms.corrections import EditDetailsForm, ReassignForm
from handlers.identity import actor_of
from handlers.ids import ActionId, CallbackId
from handlers.payloads import BadPayload, button_value, case_ref_of, part, trigger_of
from handlers.routes import Routes


def _push(deps: HandlerDeps, ack: Ack, body: dict[str, Any], client: WebClient,
          build: Callable[[FileRead], View]) -> None:
    ack()
    user = actor_of(body, deps.people)
    try:
        ref = case_ref_of(button_value(body))
        trigger = trigger_of(body)
        read = deps.desk.case_file(ref.case_id, viewer=user, record_view=False)
        if not read.may_correct:
            raise BadPayload("only customer services, directors and the owner correct a case")
    except (DomainError, BadPayload) as exc:
        tell(client, body, user, refusal_text(exc, deps.calendar))
        return
    client.views_push(trigger_id=trigger, view=build(read))


def register(app: Routes, deps: HandlerDeps) -> None:
    @app.action(ActionId.EDIT_DETAILS.value)
    def handle_button_edit_details(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        _push(deps, ack, body, client, lambda read: edit_details_modal(read.file))

    @app.action(ActionId.REASSIGN.value)
    def handle_button_reassign(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        _push(deps, ack, body, client, lambda read: reassign_modal(read.file))

    @app.view(CallbackId.EDIT_DETAILS.value, answers_last=True)
    def handle_submission_edit_details(ack: Ack, body: dict[str, Any]) -> None:
        def run() -> object:
            user = actor_of(body, deps.people)
            ref = case_ref_of(part(body, "view", "private_metadata"))
            form = parse_form(EditDetailsForm, part(body, "view"), deps.people)
            return deps.desk.edit_details(ref.case_id, actor=user, changes=form.changes(),
                                          reason=form.reason or "",
                                          expected_version=ref.version)
        answer_submission(ack, deps, run)

    @app.view(CallbackId.REASSIGN.value, answers_last=True)
    def handle_submission_reassign(ack: Ack, body: dict[str, Any]) -> None:
        def run() -> object:
            user = actor_of(body, deps.people)
            ref = case_ref_of(part(body, "view", "private_metadata"))
            form = parse_form(ReassignForm, part(body, "view"), deps.people)
            case = deps.desk.get_case(ref.case_id)
            version = ref.version
            for name in ("owner", "investigator", "delegate"):
                chosen = getattr(form, name)
                if chosen and chosen != getattr(case, name):
                    case = deps.desk.reassign(ref.case_id, actor=user, part=name,
                                              person=chosen, reason=form.reason,
                                              expected_version=version)
                    version = case.version
            return case
        answer_submission(ack, deps, run)
