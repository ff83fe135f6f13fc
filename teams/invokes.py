"""Invokes: dialogs opened and submitted (``task/fetch``, ``task/submit``, the message
extension's ``fetchTask``/``submitAction``) and ``Action.Execute`` (refresh, approve).

Every answer goes only to the person who clicked: a dialog, a refreshed card, or a
message in the dialog. Refusals say why; nothing is changed by a refused step.
"""

from __future__ import annotations

import html
import logging
import re
import uuid
from datetime import datetime
from typing import Any

from microsoft_agents.hosting.core import TurnContext

from cases.audience import Audience
from cases.errors import DomainError, IntakeInvalid
from cases.lifecycle import ACTION_LABELS, Action
from cases.model import Outcome
from cases.views import case_card_view, dates_to_tell, decision_view
from teams import cards, file_dialogs, forms, letter_actions
from teams.commands import remember
from teams.deps import TeamsDeps, answer_invoke, closing, dialog
from teams.ids import CARD_CONTENT_TYPE, Dialog, Verb
from teams.letter_dialogs import (
    drafted_letter,
    letter_choice,
    letter_fields,
    letter_notes,
    letter_values,
)
from teams.people import BadActivity
from teams.prefill import step_start

log = logging.getLogger(__name__)
STEP_METHODS: dict[Action, str] = {
    Action.ACKNOWLEDGE: "acknowledge_case", Action.RESOLVE: "resolve_case",
    Action.ASSIGN_INVESTIGATOR: "assign_investigator",
    Action.CONCLUDE_INVESTIGATION: "conclude_investigation", Action.SEND_REPLY: "send_reply",
    Action.REQUEST_REVIEW: "request_review", Action.WITHDRAW: "withdraw",
    Action.ACKNOWLEDGE_REVIEW: "acknowledge_review",
    Action.DELEGATE_REVIEW: "delegate_review",
    Action.RECORD_PERSON_RESPONSE: "record_person_response",
    Action.SEND_PROGRESS_UPDATE: "send_progress_update",
    Action.PROPOSE_DECISION: "propose_decision", Action.REQUEST_CHANGES: "request_changes",
}
_TAGS = re.compile(r"<[^>]+>")


def _data(activity: Any) -> dict[str, Any]:
    value = activity.value if isinstance(activity.value, dict) else {}
    data = value.get("data", value.get("action", {}).get("data") if isinstance(
        value.get("action"), dict) else None)
    return data if isinstance(data, dict) else {}


def _int(data: dict[str, Any], key: str) -> int:
    try:
        return int(data[key])
    except (KeyError, TypeError, ValueError):
        raise BadActivity(f"this form has no {key}") from None


def _action(data: dict[str, Any]) -> Action:
    try:
        action = Action(str(data.get("action")))
    except ValueError:
        raise BadActivity("this form names no step") from None
    if action not in STEP_METHODS:
        raise BadActivity("this step is not taken from a form")
    return action


def _intake(deps: TeamsDeps, values: dict[str, Any] | None = None,
            errors: dict[str, str] | None = None, key: str | None = None) -> dict[str, Any]:
    now = deps.clock.now()
    received = (values or {}).get("received_at")
    if isinstance(received, datetime):  # the dates follow the received time typed
        received = received.replace(tzinfo=deps.calendar.zone)  # type: ignore[attr-defined]
    dates = dates_to_tell(deps.desk.policy_dates(
        received if isinstance(received, datetime) else now), deps.calendar)
    return dialog("Log a complaint", forms.intake_card(
        dates, deps.choices(), key=key or uuid.uuid4().hex, now=deps.calendar.local(now),
        values=values, errors=errors))


def _details(deps: TeamsDeps, actor: str, case_id: int) -> dict[str, Any]:
    found = deps.desk.view_details(case_id, actor=actor)
    deps.wake()
    i = found.intake
    facts = [(label, str(value)) for label, value in (
        ("Name", i.complainant_name), ("Organisation", i.organisation), ("Email", i.email),
        ("Phone", i.phone), ("Address", i.postal_address)) if value]
    body = [cards.text(f"**{cards.escape(found.reference)}**: the complainant's details "
                       "(your view is recorded)"),
            {"type": "FactSet", "facts": [{"title": t, "value": cards.escape(v)}
                                          for t, v in facts]},
            cards.text(f"**Facts:** {cards.escape(i.facts)}")]
    if found.person_response:
        body.append(cards.text(f"**The named person's response:** "
                               f"{cards.escape(found.person_response)}"))
    body += letter_actions.log_items(deps, case_id, actor)  # with Resend, as on Slack
    return dialog(f"{found.reference}: details", cards.card(body))


def fetch(deps: TeamsDeps, activity: Any, prefill: dict[str, Any] | None = None
          ) -> dict[str, Any]:
    """The dialog a button (or the message extension) asked for (blocking)."""
    remember(deps, activity)
    data = _data(activity)
    try:
        actor = deps.people.actor(activity)
        kind = data.get("dialog", Dialog.INTAKE.value)
        if kind == Dialog.DETAILS.value:
            return _details(deps, actor, _int(data, "case_id"))
        if kind == Dialog.CASE_FILE.value:
            return file_dialogs.open_file(deps, actor, data, first=True)
        letters = letter_actions.dispatch(deps, actor, data, submitted=False)
        if letters is not None:
            return letters
        if kind == Dialog.STEP.value:
            action, case_id = _action(data), _int(data, "case_id")
            case = deps.desk.check_action(case_id, action, actor=actor)
            return _step_dialog(deps, action, case, actor)
        return _intake(deps, values=prefill)
    except (DomainError, BadActivity) as exc:
        return closing(deps.refusal(exc))


def submit(deps: TeamsDeps, activity: Any) -> dict[str, Any]:
    """A dialog submitted: the use case run, or the dialog again with what is wrong."""
    data = _data(activity)
    people = dict(deps.choices())
    zone = deps.calendar.zone  # type: ignore[attr-defined]
    try:
        actor = deps.people.actor(activity)
        if data.get("dialog") == Dialog.STEP.value:
            return _submit_step(deps, actor, data, people, zone)
        if data.get("dialog") == Dialog.CASE_FILE.value:
            return file_dialogs.submit_file(deps, actor, data)
        letters = letter_actions.dispatch(deps, actor, data, submitted=True)
        if letters is not None:
            return letters
        if data.get("dialog") in (Dialog.EDIT.value, Dialog.REASSIGN.value):
            return file_dialogs.submit_correction(deps, actor, data)
        if data.get("dialog") == Dialog.INTAKE.value and data.get("recompute"):
            return _intake(deps, forms.values_of(forms.INTAKE_FIELDS, data),
                           key=str(data.get("key") or "") or None)
        key = str(data.get("key") or "")
        if not key or len(key) > 64 or not key.isalnum():
            raise BadActivity("this form has no key; open it again")
        try:
            case = deps.desk.log_complaint(forms.read_intake(data, people, zone),
                                           logged_by=actor, intake_key=f"teams:{key}")
        except (IntakeInvalid, forms.FormInvalid) as exc:
            return _intake(deps, forms.values_of(forms.INTAKE_FIELDS, data), exc.errors, key)
        deps.wake()
        return closing(f"Logged {case.reference}. What to tell the complainant is in our "
                       "personal chat.")
    except (DomainError, BadActivity) as exc:
        return closing(deps.refusal(exc))


def _submit_step(deps: TeamsDeps, actor: str, data: dict[str, Any], people: dict[str, str],
                 zone: Any) -> dict[str, Any]:
    action, case_id = _action(data), _int(data, "case_id")
    version = _int(data, "version")
    try:
        kwargs = forms.read_step(action, data, people, zone)
        if "outcome" in kwargs:
            kwargs["outcome"] = Outcome(kwargs["outcome"])
        letter = drafted_letter(deps, action, case_id, actor, kwargs, data)
        if letter is not None:
            kwargs["letter"] = letter  # recorded with the step, in its transaction
        case = getattr(deps.desk, STEP_METHODS[action])(
            case_id, actor=actor, expected_version=version, **kwargs)
    except (IntakeInvalid, forms.FormInvalid) as exc:
        return _step_dialog(deps, action, deps.desk.get_case(case_id), actor, data=data,
                            errors=exc.errors, version=version)
    deps.wake()
    return closing(f"{ACTION_LABELS[action]}: done on {case.reference}.")


def _step_dialog(deps: TeamsDeps, action: Action, case: Any, actor: str, *,
                 data: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                 version: int | None = None) -> dict[str, Any]:
    """A step's dialog: as it opens (prefilled), or as submitted with what is wrong; with
    the letter to the complainant where the step writes one."""
    start = step_start(deps, action, case, actor)
    choice = letter_choice(deps, action, case, actor)
    extra = letter_fields(choice)
    values = {**start.values, **letter_values(choice)} if data is None else \
        forms.values_of((*forms.STEP_FIELDS[action], *extra), data)
    return dialog(ACTION_LABELS[action], forms.step_card(
        action, case.reference, case.id, case.version if version is None else version,
        deps.choices(), values=values, errors=errors, intro=start.intro, extra=extra,
        outro=letter_notes(choice)))


def execute(deps: TeamsDeps, activity: Any) -> dict[str, Any]:
    """``Action.Execute``: the card as it is now (after approving, for ``approve``)."""
    remember(deps, activity)
    value: dict[str, Any] = activity.value if isinstance(activity.value, dict) else {}
    action: dict[str, Any] = value["action"] if isinstance(value.get("action"), dict) else {}
    data: dict[str, Any] = action["data"] if isinstance(action.get("data"), dict) else {}
    try:
        actor = deps.people.actor(activity)
        case_id = _int(data, "case_id")
        if action.get("verb") == Verb.APPROVE.value:
            deps.desk.approve_decision(case_id, actor=actor,
                                       expected_version=_int(data, "version"))
            deps.wake()
            slot = "decision"
        else:
            slot = str(data.get("slot") or Audience.CUSTOMER_SERVICES.value)
        case = deps.desk.case_for(case_id, viewer=actor)  # the subject cannot refresh theirs
        if slot == "decision":
            view = decision_view(case, deps.calendar)
            card = cards.decision_card(view, deps.people.names([view.drafted_by,
                                                                view.approved_by]))
        else:
            audience = Audience.DIRECTORS if slot == "directors" else Audience.CUSTOMER_SERVICES
            card_view = case_card_view(case, deps.clock.now(), deps.calendar, deps.policy,
                                       surface=audience)
            card = cards.case_card(card_view, deps.people.names([card_view.owner]))
        return {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card}
    except (DomainError, BadActivity, ValueError) as exc:
        return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                "value": deps.refusal(exc) if not isinstance(exc, ValueError)
                else str(exc)}


def message_text(activity: Any) -> str | None:
    """The text of the message the extension was used on (its HTML made plain)."""
    value = activity.value if isinstance(activity.value, dict) else {}
    payload = value.get("messagePayload")
    body = payload.get("body") if isinstance(payload, dict) else None
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, str):
        return None
    return html.unescape(_TAGS.sub(" ", content)).strip() or None


async def handle_task_fetch(deps: TeamsDeps, context: TurnContext) -> None:
    await answer_invoke(context, await deps.run(fetch, deps, context.activity))


async def handle_task_submit(deps: TeamsDeps, context: TurnContext) -> None:
    await answer_invoke(context, await deps.run(submit, deps, context.activity))


async def handle_extension_fetch(deps: TeamsDeps, context: TurnContext) -> None:
    facts = message_text(context.activity)
    await answer_invoke(context, await deps.run(fetch, deps, context.activity,
                                                {"facts": facts} if facts else None))


async def handle_execute(deps: TeamsDeps, context: TurnContext) -> None:
    await answer_invoke(context, await deps.run(execute, deps, context.activity))
