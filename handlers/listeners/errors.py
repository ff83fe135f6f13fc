"""The one error handler: refusals get their words; anything else gets a ref and an apology.

It must answer whatever arrived, however odd: it reads the payload defensively and never
raises itself.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from slack_bolt import BoltResponse
from slack_sdk import WebClient

from cases.errors import DomainError
from handlers.answers import refusal_text, submission_answer
from handlers.deps import HandlerDeps
from handlers.identity import slack_user_of
from handlers.payloads import BadPayload, part
from handlers.routes import Routes

log = logging.getLogger(__name__)


def apology(ref: str) -> str:
    return (f"Sorry, something went wrong (ref {ref}) and it was not saved. Please try "
            "again; if it keeps happening, give that ref to whoever runs Complaints Desk.")


def first_input_block(body: Any) -> str | None:
    """The block id of the submitted view's first input, if the view says so sensibly."""
    found = part(body, "view", "blocks")
    for block in found if isinstance(found, list) else []:
        if isinstance(block, dict) and block.get("type") == "input" \
                and isinstance(block.get("block_id"), str):
            return str(block["block_id"])
    return None


def _json(answer: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, headers={"Content-Type": "application/json"},
                        body=json.dumps(answer, default=lambda o: o.to_dict()))


def answer(error: Exception, body: Any, client: WebClient, deps: HandlerDeps,
           response: BoltResponse | None) -> BoltResponse | None:
    """The answer to a failed request (``response`` is None once it has been acked)."""
    ref = uuid.uuid4().hex[:8]
    if isinstance(error, DomainError | BadPayload):
        log.info("refused (ref %s): %s", ref, type(error).__name__)
        text = refusal_text(error, deps.calendar)
    else:
        log.error("unhandled error (ref %s)", ref, exc_info=error)
        text = apology(ref)
    kind = part(body, "type")
    if response is not None and kind == "view_submission":
        if isinstance(error, DomainError | BadPayload):
            return _json(deps.people.to_slack(submission_answer(error, deps.calendar)))
        # Keep the modal open with everything typed, and say so at the first field.
        first = first_input_block(body)
        if first:
            return _json({"response_action": "errors", "errors": {first: text}})
    if response is not None and isinstance(part(body, "command"), str):
        return BoltResponse(status=200, body=text)  # shown only to the person who typed it
    try:
        user: str | None = slack_user_of(body)  # a reply on Slack: no person needed
    except BadPayload:
        user = None
    if user is not None and not isinstance(error, BadPayload):
        try:
            client.chat_postMessage(channel=user, text=text)
        except Exception:  # telling the user is best effort; the error is logged above
            log.warning("could not tell %s about the error (ref %s)", user, ref)
    return BoltResponse(status=200, body="") if response is not None else None


def register(app: Routes, deps: HandlerDeps) -> None:
    @app.error
    def handle_errors(error: Exception, body: Any, client: WebClient,
                      response: BoltResponse | None) -> BoltResponse | None:
        try:
            return answer(error, body, client, deps, response)
        except Exception:  # the last line of defence must not fail the request itself
            log.exception("the error handler failed")
            return BoltResponse(status=200, body="") if response is not None else None
