"""The intake modal: opening it (from the command, shortcuts, App Home) and its submission."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.views import View

from cases.views import dates_to_tell
from handlers import blocks
from handlers.answers import answer_submission
from handlers.deps import HandlerDeps
from handlers.forms import parse_form
from handlers.forms.intake import IntakeForm
from handlers.identity import actor_of
from handlers.ids import CallbackId
from handlers.payloads import BadPayload, part

# Slack's view ids: V and letters/digits; also the submission's idempotency key.
VIEW_ID_MAX = 64


def intake_view(deps: HandlerDeps, prefill: dict[str, Any] | None = None) -> View:
    """The intake modal, with the dates to tell the complainant for a complaint received now."""
    now = deps.clock.now()
    dates = dates_to_tell(deps.desk.policy_dates(now), deps.calendar)
    return blocks.intake_modal(dates, prefill=prefill, now=deps.calendar.local(now),
                               private_metadata="")


def open_intake(client: WebClient, trigger_id: str, deps: HandlerDeps,
                prefill: dict[str, Any] | None = None) -> None:
    """Open the intake modal (``trigger_id`` from the click or command that asked for it)."""
    client.views_open(trigger_id=trigger_id, view=intake_view(deps, prefill))


def view_id_of(body: Any) -> str:
    """The submitted view's id: the intake's idempotency key (a retry carries the same)."""
    view_id = part(body, "view", "id")
    if not isinstance(view_id, str) or not view_id.isalnum() or not view_id.isascii() \
            or len(view_id) > VIEW_ID_MAX:
        raise BadPayload("this form has no view id")
    return view_id


def register(app: App, deps: HandlerDeps) -> None:
    @app.view(CallbackId.INTAKE.value)
    def handle_view_intake(ack: Ack, body: dict[str, Any]) -> None:
        def run() -> None:
            user = actor_of(body, deps.people)
            key = view_id_of(body)
            form = parse_form(IntakeForm, part(body, "view"), deps.people)
            deps.desk.log_complaint(form.to_data(deps.calendar.local), logged_by=user,
                                    intake_key=key)

        answer_submission(ack, deps, run)
