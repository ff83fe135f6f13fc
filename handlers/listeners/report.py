"""Phase Three buttons: Export, Record review (and its modal), an action marked done."""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from cases.errors import DomainError
from cases.usecases.reviews import ACTION_ROWS_MAX, ActionInput
from exports.files import ExportFormat
from handlers.answers import answer_submission, refusal_text, tell
from handlers.blocks.review import ACTION_ROWS, record_review_modal
from handlers.deps import HandlerDeps
from handlers.forms.fields import Day, Person, Text
from handlers.forms.reading import Form, parse_form
from handlers.identity import actor_of
from handlers.ids import ActionId, CallbackId
from handlers.payloads import BadPayload, button_value, part, trigger_of
from handlers.report_files import send_export
from handlers.routes import Routes

log = logging.getLogger(__name__)


def period_of(text: Any) -> tuple[date, date, dict[str, Any]]:
    """The period a report button or modal names; BadPayload if it is not one we made."""
    try:
        data = json.loads(str(text))
        return date.fromisoformat(data["start"]), date.fromisoformat(data["end"]), data
    except (ValueError, KeyError, TypeError):
        raise BadPayload("this button is not one the desk made") from None


class ReviewForm(Form):
    findings: Text = None
    action_1_what: Text = None
    action_1_owner: Person = None
    action_1_due_on: Day = None
    action_2_what: Text = None
    action_2_owner: Person = None
    action_2_due_on: Day = None
    action_3_what: Text = None
    action_3_owner: Person = None
    action_3_due_on: Day = None

    def actions(self) -> list[ActionInput]:
        """The rows of the form, as the use case takes them."""
        return [ActionInput(what=getattr(self, f"action_{i}_what"),
                            owner=getattr(self, f"action_{i}_owner"),
                            due_on=getattr(self, f"action_{i}_due_on"))
                for i in range(1, ACTION_ROWS + 1)]


assert ACTION_ROWS <= ACTION_ROWS_MAX


def register(app: Routes, deps: HandlerDeps) -> None:
    @app.action(ActionId.REPORT_EXPORT.value)
    def handle_report_export(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = actor_of(body, deps.people)
        try:
            start, end, data = period_of(button_value(body))
            fmt = ExportFormat(data.get("format", "csv"))
            report = deps.desk.trends_report(viewer=user, start=start, end=end)
        except (DomainError, BadPayload, ValueError) as exc:
            tell(client, body, user, refusal_text(exc, deps.calendar)
                 if isinstance(exc, DomainError | BadPayload) else "Choose CSV, XLSX or JSON.")
            return
        send_export(client, user, report, fmt)

    @app.action(ActionId.REPORT_RECORD_REVIEW.value)
    def handle_report_record_review(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = actor_of(body, deps.people)
        try:
            start, end, _ = period_of(button_value(body))
            deps.desk.require_report_role(user)
            trigger = trigger_of(body)
        except (DomainError, BadPayload) as exc:
            tell(client, body, user, refusal_text(exc, deps.calendar))
            return
        today = deps.calendar.local_date(deps.clock.now())
        client.views_open(trigger_id=trigger, view=record_review_modal(start, end, today))

    @app.view(CallbackId.RECORD_REVIEW.value, answers_last=True)
    def handle_view_record_review(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        def submit() -> None:
            user = actor_of(body, deps.people)
            start, end, _ = period_of(part(body, "view", "private_metadata"))
            form = parse_form(ReviewForm, part(body, "view"), deps.people)
            review = deps.desk.record_review(actor=user, start=start, end=end,
                                             findings=form.findings or "",
                                             actions=form.actions())
            deps.wake()
            tell(client, {}, user, f"Review recorded with {len(review.actions)} action(s); "
                                   "their owners are told, and the next quarter's report "
                                   "shows where each stands.")

        answer_submission(ack, deps, submit)

    @app.action(ActionId.REVIEW_ACTION_DONE.value)
    def handle_review_action_done(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user = actor_of(body, deps.people)
        value = button_value(body)
        try:
            if not str(value).isdigit():
                raise BadPayload("this button is not one the desk made")
            action = deps.desk.mark_action_done(int(str(value)), actor=user)
        except (DomainError, BadPayload) as exc:
            tell(client, body, user, refusal_text(exc, deps.calendar))
            return
        tell(client, body, user, f"Marked done: {action.what}")


