"""Letters in the step modals: the choice and editable preview, then the letter itself.

Additive to the step listeners: ``add_letter_choice`` appends the letter part to a step's
modal when the step writes to the complainant (today: the Stage One and Stage Two
acknowledgements), and ``send_chosen_letter`` sends it once the step itself went through.
A posted letter comes back to the person as a PDF in a direct message, to print. Resend
(``register``): the communications log's button queues a letter again.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.views import View

from cases.communications import log_lines
from cases.errors import DomainError, IntakeInvalid
from cases.letters import (
    DeliveryMethod,
    LetterView,
    letter_choice,
    stage_one_acknowledgement,
    stage_two_acknowledgement,
)
from cases.lifecycle import Action
from cases.model import Case, DeadlineKind
from handlers.answers import refusal_text, tell
from handlers.blocks.letters import (
    LETTER_METHOD,
    LETTER_TEXT,
    RESEND_ACTION,
    with_letter_choice,
    with_letters_log,
)
from handlers.deps import HandlerDeps
from handlers.forms import parse_form
from handlers.forms import steps as f
from handlers.forms.reading import answers_of
from handlers.identity import actor_of
from handlers.ids import CallbackId
from handlers.payloads import BadPayload, part

log = logging.getLogger(__name__)

FALLBACK_NAME = "our Customer Services Team"
# The steps whose modal carries a letter (the others' letters depend on what is typed in
# the modal itself, so their preview cannot be filled when it opens).
LETTER_STEPS = frozenset({Action.ACKNOWLEDGE, Action.ACKNOWLEDGE_REVIEW})


def _name(client: WebClient | None, user: str | None) -> str:
    """A person's name for a letter: their Slack real name, else the team's."""
    if client is None or not user:
        return FALLBACK_NAME
    try:
        profile = client.users_info(user=user).get("user") or {}
    except Exception:  # a name is a courtesy: never let it stop the step
        log.info("no Slack name for the letter; using the team's")
        return FALLBACK_NAME
    return str(profile.get("real_name") or profile.get("name") or FALLBACK_NAME)


def _today(deps: HandlerDeps) -> date:
    return deps.calendar.local_date(deps.clock.now())


def _opening_letter(deps: HandlerDeps, action: Action, case: Case, name: str
                    ) -> LetterView | None:
    """The letter a step's modal previews when it opens (None: the step writes none)."""
    company, today = deps.policy.company, _today(deps)
    if action is Action.ACKNOWLEDGE:
        dates = deps.desk.policy_dates(case.received_at)
        return stage_one_acknowledgement(
            case, company, today, owner_name=name,
            reply_by=deps.calendar.local_date(dates.stage_one_reply_expected_by))
    if action is Action.ACKNOWLEDGE_REVIEW:
        due = case.deadlines.get(DeadlineKind.STAGE_TWO_REPLY)
        reply_by = deps.calendar.local_date(due.due_at) if due else today
        return stage_two_acknowledgement(case, company, today, reviewer_name=name,
                                         reply_by=reply_by)
    return None


def _submitted_letter(deps: HandlerDeps, callback: CallbackId, case: Case, actor: str,
                      body: Any, client: WebClient | None) -> LetterView | None:
    """The letter as the submitted step's answers make it (for its HTML and PDF)."""
    company, today, view = deps.policy.company, _today(deps), part(body, "view")
    if callback is CallbackId.ACKNOWLEDGE:
        form = parse_form(f.AcknowledgeForm, view, deps.people)
        assert form.promised_reply_by is not None
        return stage_one_acknowledgement(case, company, today,
                                         owner_name=_name(client, form.owner),
                                         reply_by=form.promised_reply_by)
    if callback is CallbackId.ACKNOWLEDGE_REVIEW:
        review = parse_form(f.AcknowledgeReviewForm, view, deps.people)
        return stage_two_acknowledgement(case, company, today,
                                         reviewer_name=_name(client, actor),
                                         reply_by=review.reply_by or case.review_reply_by
                                         or today)
    return None


def add_letter_choice(deps: HandlerDeps, action: Action, case: Case, user: str, view: View,
                      client: WebClient | None = None) -> View:
    """The step's modal, with the letter part when the step writes to the complainant."""
    writer = deps.letters
    if writer is None or action not in LETTER_STEPS:
        return view
    letter = _opening_letter(deps, action, case, _name(client, user))
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


def send_chosen_letter(deps: HandlerDeps, callback: CallbackId, case_id: int, actor: str,
                       body: Any, client: WebClient | None = None) -> None:
    """After the step went through: record and send the letter its modal carried."""
    choice = chosen_letter(body)
    if choice is None:
        return
    method, text = choice
    view = _submitted_letter(deps, callback, deps.desk.get_case(case_id), actor, body, client)
    if view is None:
        return
    deps.desk.send_letter(case_id, actor=actor, view=view, method=method, text=text)
    if method is DeliveryMethod.POST and client is not None and deps.letters is not None:
        try:
            _post_pdf(deps, client, actor, view, text)
        except Exception:  # the letter is in the log: a failed upload must not undo the step
            log.exception("the posted letter's PDF could not be sent to the user in Slack")
            tell(client, {}, actor, f"The letter for {view.reference} is recorded as posted, "
                                    "but its PDF could not be sent to you here. Try again "
                                    "from the case's details.")


def _post_pdf(deps: HandlerDeps, client: WebClient, actor: str, view: LetterView,
              text: str) -> None:
    """The letter as an A4 PDF, to the sender privately, to print and post."""
    assert deps.letters is not None
    channel = client.conversations_open(users=actor)["channel"]["id"]
    files = deps.letters.attachments(view, text)
    client.files_upload_v2(
        channel=channel, file_uploads=[{"content": data, "filename": name, "title": name}
                                       for name, data in files],
        initial_comment=f"The letter for {view.reference}, to print and post"
                        + (" with the complaints procedure enclosed."
                           if view.encloses_procedure else "."))


def register(app: App, deps: HandlerDeps) -> None:
    """The communications log's Resend button."""

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


def with_communications_log(deps: HandlerDeps, case_id: int, user: str, view: View) -> View:
    """The case's details modal with its communications log (and Resend buttons)."""
    try:
        entries = deps.desk.letters_of(case_id, actor=user)
    except DomainError:
        return view
    return with_letters_log(view, log_lines(entries, deps.policy.calendar.timezone))
