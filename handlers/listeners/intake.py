"""The intake modal: opening it (from the command, shortcuts, App Home), keeping its dates
in step with the received time as it changes, and its submission."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any, cast

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from cases.intake import MAX_FACTS, received_time_problem
from cases.views import dates_to_tell
from handlers import blocks
from handlers.answers import answer_submission
from handlers.deps import HandlerDeps
from handlers.forms import parse_form
from handlers.forms.intake import IntakeForm
from handlers.identity import actor_of
from handlers.ids import BlockId, CallbackId
from handlers.payloads import BadPayload, part
from handlers.routes import Routes
from handlers.slack_client import JSONObject

log = logging.getLogger(__name__)

# Slack's view ids: V and letters/digits; also the submission's idempotency key.
VIEW_ID_MAX = 64
# private_metadata of an intake opened on a message too long for the facts field.
_LONG = "long_message:"


def long_message_notice(length: int) -> str:
    """Why a message shortcut's text was not copied into the facts."""
    return (f":warning: The message is {length:,} characters long, more than the "
            f"{MAX_FACTS:,} the facts can hold, so it was not copied in: nothing was cut. "
            "Put the facts in your own words below (the message stays where it is).")


def intake_view(deps: HandlerDeps, prefill: dict[str, Any] | None = None, *,
                private_metadata: str = "", now: datetime | None = None) -> View:
    """The intake modal, with the dates to tell the complainant for the received time shown
    (the prefilled one, else now)."""
    now = now or deps.clock.now()
    given = (prefill or {}).get("received_at")
    received = given if isinstance(given, datetime) else now
    dates = dates_to_tell(deps.desk.policy_dates(received), deps.calendar)
    max_late = deps.policy.intake.max_days_late
    problem = received_time_problem(received, now, max_days_late=max_late,
                                    late_reason=(prefill or {}).get("late_reason"))
    notices = []
    if private_metadata.startswith(_LONG) and private_metadata[len(_LONG):].isdigit():
        notices.append(long_message_notice(int(private_metadata[len(_LONG):])))
    if problem:
        notices.append(f":warning: When it was received: {problem}.")
    return blocks.intake_modal(dates, prefill=prefill, now=deps.calendar.local(received),
                               private_metadata=private_metadata,
                               notice="\n".join(notices) or None, max_days_late=max_late)


def open_intake(client: WebClient, trigger_id: str, deps: HandlerDeps,
                prefill: dict[str, Any] | None = None, *, long_message: int = 0) -> None:
    """Open the intake modal (``trigger_id`` from the click or command that asked for it).

    ``long_message``: the length of a message too long to prefill the facts with.
    """
    metadata = f"{_LONG}{long_message}" if long_message else ""
    view: View | dict[str, Any]
    if prefill:
        view = intake_view(deps, prefill, private_metadata=metadata)
    else:
        view = blank_intake(deps, metadata)
    client.views_open(trigger_id=trigger_id, view=view)


def blank_intake(deps: HandlerDeps, private_metadata: str = "") -> dict[str, Any]:
    """The intake modal with nothing filled in, as the dict sent to Slack.

    It depends only on the second it is opened (the received time shown, to the second, and
    its dates) and the metadata, so it is made once per second, not per request: building
    and validating the Block Kit objects was most of a `/complaint new`'s CPU under load.
    It carries its JSON text, which the Slack client sends as it is (``JSONObject``).
    """
    now = deps.clock.now()

    def make() -> JSONObject:
        view = intake_view(deps, private_metadata=private_metadata, now=now).to_dict()
        return JSONObject(view, json.dumps(view))  # written out once a second, too

    return cast(dict[str, Any], deps.blank_intake.get(
        (int(now.timestamp()), private_metadata), make))


def view_id_of(body: Any) -> str:
    """The submitted view's id: the intake's idempotency key (a retry carries the same)."""
    view_id = part(body, "view", "id")
    if not isinstance(view_id, str) or not view_id.isalnum() or not view_id.isascii() \
            or len(view_id) > VIEW_ID_MAX:
        raise BadPayload("this form has no view id")
    return view_id


def refresh_dates(client: WebClient, body: Any, deps: HandlerDeps) -> None:
    """The received time changed: show the dates for it, keeping everything typed so far.

    ``hash`` makes Slack refuse the update if the view changed meanwhile (a newer change
    is on its way and brings its own update).
    """
    view = part(body, "view")
    view_id = view_id_of(body)
    metadata = part(body, "view", "private_metadata")
    updated = intake_view(deps, IntakeForm.draft(view).prefill(),
                          private_metadata=metadata if isinstance(metadata, str) else "")
    view_hash = part(body, "view", "hash")
    try:
        client.views_update(view_id=view_id, view=updated,
                            hash=view_hash if isinstance(view_hash, str) else None)
    except SlackApiError as exc:
        if exc.response.get("error") != "hash_conflict":
            raise
        log.info("intake view %s changed meanwhile; its newer change updates it", view_id)


def register(app: Routes, deps: HandlerDeps) -> None:
    @app.action(BlockId.RECEIVED_AT.value)
    def handle_intake_received_changed(ack: Ack, body: dict[str, Any],
                                       client: WebClient) -> None:
        ack()
        if part(body, "view", "callback_id") == CallbackId.INTAKE.value:
            refresh_dates(client, body, deps)

    @app.view(CallbackId.INTAKE.value, answers_last=True)
    def handle_view_intake(ack: Ack, body: dict[str, Any]) -> None:
        def run() -> None:
            user = actor_of(body, deps.people)
            key = view_id_of(body)
            form = parse_form(IntakeForm, part(body, "view"), deps.people)
            deps.desk.log_complaint(form.to_data(deps.calendar.local), logged_by=user,
                                    intake_key=key)

        answer_submission(ack, deps, run)
