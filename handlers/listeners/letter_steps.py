"""Letters in the step modals: the choice and editable preview, then the step's letter.

Additive to the step listeners: ``add_letter_choice`` appends the letter part to a step's
modal when the step writes to the complainant (the Stage One acknowledgement, resolution
and reply, the Stage Two acknowledgement and a progress update), and ``drafted_letter``
reads it back as a ``LetterDraft`` that the step's use case records in the step's own
transaction. Nothing is rendered beyond the letter's words here: a posted letter's PDF and
an email are made by the outbox's delivery, after Slack has had its answer.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.views import View

from cases.errors import IntakeInvalid
from cases.letters import (
    DeliveryMethod,
    LetterDraft,
    LetterView,
    fill_markers,
    letter_choice,
    progress_update,
    resolution,
    stage_one_acknowledgement,
    stage_one_reply,
    stage_two_acknowledgement,
    with_markers,
)
from cases.lifecycle import Action
from cases.model import Case, DeadlineKind, Outcome
from handlers.blocks.letters import LETTER_METHOD, LETTER_TEXT, with_letter_choice
from handlers.deps import HandlerDeps
from handlers.forms import Form
from handlers.forms import steps as f
from handlers.forms.reading import answers_of
from handlers.payloads import part

log = logging.getLogger(__name__)

FALLBACK_NAME = "our Customer Services Team"
# The steps whose modal carries a letter to the complainant.
LETTER_STEPS = frozenset({Action.ACKNOWLEDGE, Action.RESOLVE, Action.SEND_REPLY,
                          Action.ACKNOWLEDGE_REVIEW, Action.SEND_PROGRESS_UPDATE})


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


def _opening_letter(deps: HandlerDeps, action: Action, case: Case, name: str
                    ) -> LetterView | None:
    """The letter a step's modal previews when it opens (None: the step writes none)."""
    company, day = deps.policy.company, today(deps)
    if action is Action.ACKNOWLEDGE:
        dates = deps.desk.policy_dates(case.received_at)
        return stage_one_acknowledgement(
            case, company, day, owner_name=name,
            reply_by=deps.calendar.local_date(dates.stage_one_reply_expected_by))
    if action is Action.ACKNOWLEDGE_REVIEW:
        due = case.deadlines.get(DeadlineKind.STAGE_TWO_REPLY)
        reply_by = deps.calendar.local_date(due.due_at) if due else day
        return stage_two_acknowledgement(case, company, day, reviewer_name=name,
                                         reply_by=reply_by)
    # The rest say what the modal itself asks: markers stand where the answers will go.
    if action is Action.RESOLVE:
        return with_markers(resolution(case, company, day, resolution="", writer_name=name))
    if action is Action.SEND_REPLY:
        return with_markers(stage_one_reply(case, company, day, outcome=Outcome.UPHELD,
                                            suggestions="", writer_name=name))
    if action is Action.SEND_PROGRESS_UPDATE:
        return with_markers(progress_update(case, company, day, reason="", reply_by=day,
                                            writer_name=name))
    return None


def _submitted_letter(deps: HandlerDeps, case: Case, actor: str,
                      form: Form, client: WebClient | None) -> LetterView | None:
    """The letter as the submitted step's answers make it (for its words, HTML and PDF)."""
    company, day = deps.policy.company, today(deps)
    if isinstance(form, f.AcknowledgeForm) and form.promised_reply_by is not None:
        return stage_one_acknowledgement(case, company, day,
                                         owner_name=writer_name(client, form.owner),
                                         reply_by=form.promised_reply_by)
    if isinstance(form, f.AcknowledgeReviewForm):
        return stage_two_acknowledgement(case, company, day,
                                         reviewer_name=writer_name(client, actor),
                                         reply_by=form.reply_by or case.review_reply_by
                                         or day)
    name = writer_name(client, actor)
    if isinstance(form, f.ResolveForm):
        return resolution(case, company, day, resolution=form.resolution or "",
                          writer_name=name)
    if isinstance(form, f.SendReplyForm) and form.outcome is not None:
        return stage_one_reply(case, company, day, outcome=form.outcome,
                               suggestions=form.suggestions or "", writer_name=name)
    if isinstance(form, f.ProgressUpdateForm) and form.new_reply_by is not None:
        return progress_update(case, company, day, reason=form.reason or "",
                               reply_by=form.new_reply_by, writer_name=name)
    return None


def add_letter_choice(deps: HandlerDeps, action: Action, case: Case, user: str, view: View,
                      client: WebClient | None = None) -> View:
    """The step's modal, with the letter part when the step writes to the complainant."""
    writer = deps.letters
    if writer is None or action not in LETTER_STEPS:
        return view
    letter = _opening_letter(deps, action, case, writer_name(client, user))
    if letter is None:
        return view
    return with_letter_choice(view, letter_choice(letter, writer.text(letter),
                                                  mail_configured=writer.mail_configured))


def chosen_letter(body: Any) -> tuple[DeliveryMethod, str] | None:
    """The submitted letter part (how, and the edited words), or None if there is none."""
    answers = answers_of(part(body, "view"))
    if LETTER_METHOD not in answers:
        return None
    option = part(answers[LETTER_METHOD], "selected_option", "value")
    text = part(answers.get(LETTER_TEXT), "value")
    try:
        method = DeliveryMethod(option)
    except ValueError:
        raise IntakeInvalid({LETTER_METHOD: "choose how the letter goes"}) from None
    if not isinstance(text, str) or not text.strip():
        raise IntakeInvalid({LETTER_TEXT: "write the letter, or choose phone and say what "
                                          "you told them"})
    return method, text


def drafted_letter(deps: HandlerDeps, case_id: int, actor: str,
                   body: Any, form: Form, client: WebClient | None = None
                   ) -> LetterDraft | None:
    """The letter the submitted step writes, for its use case to record with the step."""
    choice = chosen_letter(body)
    if choice is None:
        return None
    view = _submitted_letter(deps, deps.desk.get_case(case_id), actor, form,
                             client)
    if view is None:
        return None
    method, text = choice
    return LetterDraft(view=view, method=method, text=fill_markers(text, view))
