"""Letters on their own: the final decision's letter, Resend, and the communications log.

The step modals' letters are ``handlers.listeners.letter_steps``. Here: *Send final
letter* (on the card while the approved decision's letter has not gone, and in the DM that
prompts the owner) opens the final letter, filled in and editable, with the choice of how
it goes; *Resend* (in the log, and in the DM telling the owner the mail server refused a
letter) queues a letter again.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.models.views import View

from cases.errors import DomainError, InvalidTransition
from cases.letters import LetterView, letter_choice
from cases.model import Case
from handlers.answers import answer_submission, refusal_text, tell
from handlers.blocks._common import context
from handlers.blocks.inputs import about, modal
from handlers.blocks.letters import RESEND_ACTION, with_letter_choice
from handlers.deps import HandlerDeps
from handlers.identity import actor_of
from handlers.ids import ActionId, CallbackId, CaseRef, encode_case_ref
from handlers.listeners.letter_steps import chosen_letter, step_letters, writer_name
from handlers.payloads import BadPayload, button_value, case_ref_of, part, trigger_of
from handlers.routes import Routes


def final_letter(deps: HandlerDeps, case: Case, name: str) -> LetterView:
    """The approved decision's letter; InvalidTransition while there is none."""
    return step_letters(deps).final(case, name)


def final_letter_modal(deps: HandlerDeps, case: Case, letter: LetterView) -> View:
    """The final decision's letter, filled in and editable, and how it goes."""
    assert deps.letters is not None and case.id is not None
    meta = encode_case_ref(CaseRef(case_id=case.id, version=case.version))
    view = modal(CallbackId.SEND_FINAL_LETTER, "Final decision letter",
                 [about(case.reference),
                  context("The decision is approved and final. Send the complainant its "
                          "letter: nothing goes until you press Send.")],
                 meta, submit="Send")
    return with_letter_choice(view, letter_choice(
        letter, deps.letters.text(letter), mail_configured=deps.letters.mail_configured))


def _open_final_letter(deps: HandlerDeps, body: Any, client: WebClient) -> None:
    user = actor_of(body, deps.people)
    try:
        ref = case_ref_of(button_value(body))
        case = deps.desk.get_case(ref.case_id)
        deps.desk.letters_of(ref.case_id, actor=user)  # need to know, or refused here
        if deps.letters is None:
            raise InvalidTransition("This desk writes no letters (no letters surface).")
        if not case.final_letter_unsent:
            raise InvalidTransition(f"The final letter for {case.reference} has been sent: "
                                    "the case's details show it in the communications log.")
        view = final_letter_modal(deps, case, final_letter(deps, case,
                                                           writer_name(client, user)))
        trigger = trigger_of(body)
    except (DomainError, BadPayload) as exc:
        tell(client, body, user, refusal_text(exc, deps.calendar))
        return
    client.views_open(trigger_id=trigger, view=view)


def _send_final_letter(deps: HandlerDeps, body: Any, client: WebClient) -> None:
    user = actor_of(body, deps.people)
    ref = case_ref_of(part(body, "view", "private_metadata"))
    choice = chosen_letter(body)
    if choice is None:
        raise BadPayload("the final letter's form has no letter in it")
    method, text = choice
    letter = final_letter(deps, deps.desk.get_case(ref.case_id), writer_name(client, user))
    deps.desk.send_letter(ref.case_id, actor=user, view=letter, method=method, text=text)


def register(app: Routes, deps: HandlerDeps) -> None:
    """Send final letter (button and modal) and the Resend button."""

    @app.action(ActionId.SEND_FINAL_LETTER.value)
    def handle_button_send_final_letter(ack: Ack, body: dict[str, Any],
                                        client: WebClient) -> None:
        ack()
        _open_final_letter(deps, body, client)

    @app.view(CallbackId.SEND_FINAL_LETTER.value, answers_last=True)
    def handle_view_send_final_letter(ack: Ack, body: dict[str, Any],
                                      client: WebClient) -> None:
        answer_submission(ack, deps, lambda: _send_final_letter(deps, body, client))

    @app.action(RESEND_ACTION)
    def handle_resend(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = actor_of(body, deps.people)
        actions = body.get("actions")
        value = actions[0].get("value") if isinstance(actions, list) and actions else None
        case_text, _, key = str(value or "").partition(":")
        try:
            if not case_text.isdigit() or not key:
                raise BadPayload("this Resend button is not one the desk made")
            entry = deps.desk.resend_letter(int(case_text), key, actor=user)
        except (DomainError, BadPayload) as exc:
            tell(client, body, user, refusal_text(exc, deps.calendar))
            return
        deps.wake()
        tell(client, body, user, f"Sent again {entry.recipient or ''}: the log shows when "
                                 "the mail server takes it.")

