"""Buttons that show a case rather than move it: View details, Open case."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from cases.audience import card_audiences
from cases.communications import log_lines
from handlers import blocks
from handlers.answers import refused_or, tell
from handlers.blocks.letters import with_letters_log
from handlers.deps import HandlerDeps
from handlers.identity import actor_of
from handlers.ids import ActionId
from handlers.payloads import button_value, case_ref_of, trigger_of
from handlers.routes import Routes


def register(app: Routes, deps: HandlerDeps) -> None:
    @app.action(ActionId.VIEW_DETAILS.value, acks_first=True)
    def handle_button_view_details(body: dict[str, Any], client: WebClient) -> None:
        user = actor_of(body, deps.people)

        def read() -> tuple[str, Any]:
            ref = case_ref_of(button_value(body))
            trigger = trigger_of(body)
            # One load of the case: the view recorded and its communications log read together.
            return trigger, deps.desk.view_details(ref.case_id, actor=user, letters=True)

        got = refused_or(client, body, user, deps.calendar, read)
        if got is None:
            return
        trigger, details = got
        view = with_letters_log(blocks.details_modal(details, deps.calendar),
                                log_lines(details.letters, deps.policy.calendar.timezone))
        client.views_open(trigger_id=trigger, view=view)

    @app.action(ActionId.OPEN_CASE.value)
    def handle_button_open_case(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = actor_of(body, deps.people)
        case = refused_or(client, body, user, deps.calendar, lambda: deps.desk.case_for(
            case_ref_of(button_value(body)).case_id, viewer=user))
        if case is None:
            return
        # In Stage Two the directors' card is the one with the review and its buttons.
        audience = card_audiences(case)[-1]
        text, card_blocks = blocks.case_card_message(deps.card(case, audience))
        tell(client, body, user, text, blocks=[b.to_dict() for b in card_blocks])
