"""The one place that turns a refusal into what Slack shows: words, inline errors, notices.

Domain errors (``cases.errors``) and unreadable payloads (``BadPayload``) come here from
every listener and from the error handler; nothing else words a refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack
from slack_sdk import WebClient

from cases.errors import DomainError, IntakeInvalid, InvalidTransition, NotAComplaint
from cases.intake import GRIEVANCE_POINTER
from cases.views import DisplayCalendar
from handlers.blocks.modals import notice_modal
from handlers.deps import HandlerDeps
from handlers.forms import FIELD_BLOCKS
from handlers.ids import BlockId
from handlers.payloads import BadPayload, channel_of

log = logging.getLogger(__name__)

Refusal = DomainError | BadPayload
UNREADABLE = ("This could not be read, so nothing was done. Please close it and try again "
              "from the case card or `/complaint`.")
ERROR_TEXT_MAX = 2000


def field_errors(errors: dict[str, str]) -> dict[str, str]:
    """Domain field names -> the block ids that show them inline (several on one are joined)."""
    shown: dict[str, str] = {}
    for field, message in errors.items():
        head = str(field).split(".")[0]
        block = FIELD_BLOCKS.get(field) or FIELD_BLOCKS.get(head) or head
        shown[block] = message if block not in shown else f"{shown[block]}; {message}"
    return {block: text[:ERROR_TEXT_MAX] for block, text in shown.items()}


def refusal_text(error: Refusal, calendar: DisplayCalendar) -> str:
    """A friendly one-liner for a stale button, a role refusal or an unreadable request."""
    if isinstance(error, BadPayload):
        return UNREADABLE
    if isinstance(error, InvalidTransition) and error.last_actor:
        when = ""
        if error.last_at is not None:
            local = calendar.local(error.last_at)
            when = f" at {local:%H:%M} on {local:%a %d %b}"
        who = "the bot" if error.last_actor == "system" else f"<@{error.last_actor}>"
        return f"{error} Last change by {who}{when}."
    return str(error)


def problems(error: IntakeInvalid) -> str:
    """The field problems of ``error`` as one sentence's worth of text."""
    return "; ".join(error.errors.values())


def submission_answer(error: Refusal, calendar: DisplayCalendar) -> dict[str, Any]:
    """What ``ack`` answers a refused view_submission: inline errors, or a notice."""
    if isinstance(error, IntakeInvalid):
        return {"response_action": "errors", "errors": field_errors(error.errors)}
    if isinstance(error, NotAComplaint):
        return {"response_action": "errors",
                "errors": {BlockId.STAFF_GRIEVANCE.value: GRIEVANCE_POINTER}}
    return {"response_action": "update",
            "view": notice_modal("Not done", refusal_text(error, calendar))}


def command_answer(error: Refusal, calendar: DisplayCalendar, *,
                   not_done: str | None = None) -> str:
    """The private answer to a refused `/complaint …`; ``not_done`` prefixes field problems."""
    if isinstance(error, IntakeInvalid) and not_done:
        return f"{not_done}: {problems(error)}."
    return refusal_text(error, calendar)


def tell(client: WebClient, body: Any, user: str, text: str, *,
         blocks: list[dict[str, Any]] | None = None) -> None:
    """An ephemeral answer where the click happened, or a DM when there is no channel."""
    channel = channel_of(body)
    if channel:
        client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
    else:
        client.chat_postMessage(channel=user, text=text, blocks=blocks)


T = TypeVar("T")


def refused_or(client: WebClient, body: Any, user: str, calendar: DisplayCalendar,
               read: Callable[[], T]) -> T | None:
    """Run a button's reading of its payload and the case; on a refusal, tell the user
    where they clicked and give None (the listener then stops)."""
    try:
        return read()
    except (DomainError, BadPayload) as exc:
        tell(client, body, user, refusal_text(exc, calendar))
        return None


def answer_submission(ack: Ack, deps: HandlerDeps, run: Callable[[], object]) -> None:
    """Run a view_submission's use case; ack it closed, or with its refusal shown."""
    try:
        run()
    except (DomainError, BadPayload) as exc:
        log.info("submission refused: %s", type(exc).__name__)
        ack(**submission_answer(exc, deps.calendar))
        return
    ack()
    deps.wake()
