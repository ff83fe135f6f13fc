"""Letters in the step modals: the choice and editable preview, then the step's letter.

Which step writes which letter, what its preview says and how the choice is read back are
the core's (``cases.step_letters``, shared with Teams); here only Slack's part: the
writer's Slack name, the letter blocks appended to a step's modal (``add_letter_choice``),
and the submitted blocks read back as a ``LetterDraft`` (``drafted_letter``) that the
step's use case records in the step's own transaction. Nothing is rendered beyond the
letter's words here: a posted letter's PDF and an email are made by the outbox's
delivery, after Slack has had its answer.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.views import View

from cases.letters import DeliveryMethod, LetterDraft
from cases.lifecycle import Action
from cases.model import Case
from cases.step_letters import FALLBACK_NAME, StepLetters, read_choice
from handlers.blocks.letters import LETTER_METHOD, LETTER_TEXT, with_letter_choice
from handlers.deps import HandlerDeps
from handlers.forms import Form
from handlers.forms import steps as f
from handlers.forms.reading import answers_of
from handlers.payloads import part

log = logging.getLogger(__name__)

# The step each modal's form belongs to (its answers carry the use case's names).
FORM_STEPS: dict[type[Form], Action] = {
    f.AcknowledgeForm: Action.ACKNOWLEDGE, f.ResolveForm: Action.RESOLVE,
    f.SendReplyForm: Action.SEND_REPLY, f.AcknowledgeReviewForm: Action.ACKNOWLEDGE_REVIEW,
    f.ProgressUpdateForm: Action.SEND_PROGRESS_UPDATE,
}


def writer_name(client: WebClient | None, user: str | None) -> str:
    """A person's name for a letter: their Slack real name, else the team's."""
    if client is None or not user:
        return FALLBACK_NAME
    try:
        profile = client.users_info(user=user).get("user") or {}
    except Exception:  # a name is a courtesy: never let it stop the step
        log.info("no Slack name for the letter; using the team's")
        return FALLBACK_NAME
    return str(profile.get("real_name") or profile.get("name") or FALLBACK_NAME)


def today(deps: HandlerDeps) -> date:
    """The desk's date now (a letter's date)."""
    return deps.calendar.local_date(deps.clock.now())


def step_letters(deps: HandlerDeps) -> StepLetters:
    """The core's step letters, for today on this desk."""
    return StepLetters(company=deps.policy.company, today=today(deps),
                       local_date=deps.calendar.local_date,
                       policy_dates=deps.desk.policy_dates)


def add_letter_choice(deps: HandlerDeps, action: Action, case: Case, user: str, view: View,
                      client: WebClient | None = None) -> View:
    """The step's modal, with the letter part when the step writes to the complainant."""
    if deps.letters is None:
        return view
    choice = step_letters(deps).choice(action, case, writer_name(client, user), deps.letters)
    return view if choice is None else with_letter_choice(view, choice)


def chosen_letter(body: Any) -> tuple[DeliveryMethod, str] | None:
    """The submitted letter part (how, and the edited words), or None if there is none."""
    answers = answers_of(part(body, "view"))
    if LETTER_METHOD not in answers:
        return None
    return read_choice(part(answers[LETTER_METHOD], "selected_option", "value"),
                       part(answers.get(LETTER_TEXT), "value"))


def drafted_letter(deps: HandlerDeps, case_id: int, actor: str,
                   body: Any, form: Form, client: WebClient | None = None
                   ) -> LetterDraft | None:
    """The letter the submitted step writes, for its use case to record with the step."""
    choice = chosen_letter(body)
    action = FORM_STEPS.get(type(form))
    if choice is None or action is None:
        return None
    return step_letters(deps).draft(action, deps.desk.get_case(case_id), actor,
                                    dict(form), choice,
                                    lambda person: writer_name(client, person))
