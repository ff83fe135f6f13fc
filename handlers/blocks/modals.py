"""Modals: intake, loading, every step of the procedure, and View details.

Each input block's block_id is the domain field it captures (see ``FIELD_BLOCKS``), so a
``cases.errors.IntakeInvalid`` keyed by field maps straight to ``response_action: errors``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DatePickerElement,
    DateTimePickerElement,
    EmailInputElement,
    InputBlock,
    InputInteractiveElement,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from cases.intake import (
    CHECKLIST_MESSAGES,
    LABELS,
    MAX_ADDRESS,
    MAX_FACTS,
    MAX_SHORT,
    MAX_TEXT,
    Category,
    Channel,
    Relationship,
)
from cases.lifecycle import Action
from cases.model import OUTCOME_LABELS, DeadlineKind, Outcome, State
from cases.services import (
    MAX_HOW,
    MAX_NOTE,
    MAX_REASONS,
    MAX_REMEDY,
    MAX_RESPONSE,
    PersonalDetails,
)
from cases.views import CaseCardView, DatesToTell, DisplayCalendar, format_when
from handlers.blocks._common import clip, context, escape, option, plain, section
from handlers.ids import BlockId, CallbackId

LONDON = ZoneInfo("Europe/London")

MODAL_TITLE_MAX = 24
INPUT_LABEL_MAX = 150
PLACEHOLDER_MAX = 150

CHECKLIST_LABELS: dict[str, str] = {
    "referred_to_procedure": "I referred them to our complaints procedure",
    "feedback_form_sent": "I sent them our feedback form",
    "told_next_steps": "I told them what happens next and how long it takes",
}

YES, NO = "yes", "no"

# Domain field name -> input block id, for inline errors.
FIELD_BLOCKS: dict[str, str] = {
    "complainant_name": BlockId.COMPLAINANT_NAME.value,
    "organisation": BlockId.ORGANISATION.value,
    "email": BlockId.EMAIL.value,
    "phone": BlockId.PHONE.value,
    "postal_address": BlockId.POSTAL_ADDRESS.value,
    "relationship": BlockId.RELATIONSHIP.value,
    "relationship_other": BlockId.RELATIONSHIP_OTHER.value,
    "channel": BlockId.CHANNEL.value,
    "received_at": BlockId.RECEIVED_AT.value,
    "category": BlockId.CATEGORY.value,
    "facts": BlockId.FACTS.value,
    "remedy_sought": BlockId.REMEDY_SOUGHT.value,
    "subject_user_id": BlockId.SUBJECT_USER.value,
    "staff_grievance": BlockId.STAFF_GRIEVANCE.value,
    "checklist": BlockId.CHECKLIST.value,
    **{f"checklist.{item}": BlockId.CHECKLIST.value for item in CHECKLIST_MESSAGES},
    "owner": BlockId.OWNER.value,
    "promised_reply_by": BlockId.PROMISED_REPLY_BY.value,
    "procedure_attached": BlockId.PROCEDURE_ATTACHED.value,
    "resolution": BlockId.RESOLUTION.value,
    "investigator": BlockId.INVESTIGATOR.value,
    "findings": BlockId.FINDINGS.value,
    "outcome": BlockId.OUTCOME.value,
    "suggestions": BlockId.SUGGESTIONS.value,
    "requested_at": BlockId.REQUESTED_AT.value,
    "how": BlockId.HOW.value,
    "reason": BlockId.REASON.value,
    "reply_by": BlockId.REPLY_BY.value,
    "delegate": BlockId.DELEGATE.value,
    "response": BlockId.RESPONSE.value,
    "new_reply_by": BlockId.NEW_REPLY_BY.value,
    "reasons": BlockId.REASONS.value,
    "remedy": BlockId.REMEDY.value,
    "comment": BlockId.COMMENT.value,
}


def errors_for_blocks(errors: Mapping[str, str], fallback_block: str) -> dict[str, str]:
    """Turn field-keyed errors into block-keyed ones for ``response_action: errors``.

    Several fields on one block (the checklist) are joined; unknown fields land on
    ``fallback_block`` so nothing is silently dropped.
    """
    merged: dict[str, list[str]] = {}
    for field, message in errors.items():
        block = FIELD_BLOCKS.get(field, fallback_block)
        merged.setdefault(block, []).append(message)
    return {block: clip("; ".join(msgs), 2000) for block, msgs in merged.items()}


# ---- element helpers --------------------------------------------------------------------

def _input(block: BlockId, label: str, element: InputInteractiveElement, *,
           optional: bool = False, hint: str | None = None) -> InputBlock:
    # One action_id per input across the whole view: the block id (the field) itself.
    element.action_id = block.value
    return InputBlock(block_id=block.value, label=plain(label, INPUT_LABEL_MAX), element=element,
                      optional=optional, hint=plain(hint, 2000) if hint else None)


def _text(initial: str | None = None, *, multiline: bool = False, max_length: int,
          placeholder: str | None = None) -> PlainTextInputElement:
    return PlainTextInputElement(
        multiline=multiline, max_length=max_length,
        initial_value=clip(initial, max_length) if initial else None,
        placeholder=plain(placeholder, PLACEHOLDER_MAX) if placeholder else None,
    )


def _select(values: list[str], initial: str | None, placeholder: str) -> StaticSelectElement:
    options = [option(v, LABELS.get(v, v.replace("_", " ").capitalize())) for v in values]
    chosen = next((o for o in options if o.value == initial), None)
    return StaticSelectElement(options=options,
                               initial_option=chosen, placeholder=plain(placeholder))


def _users(initial: str | None = None) -> UserSelectElement:
    return UserSelectElement(initial_user=initial or None,
                             placeholder=plain("Choose a person"))


def _date(initial: date | None) -> DatePickerElement:
    return DatePickerElement(initial_date=initial.isoformat() if initial else None,
                             placeholder=plain("Choose a date"))


def _datetime(initial: datetime | None) -> DateTimePickerElement:
    return DateTimePickerElement(initial_date_time=int(initial.timestamp()) if initial else None)


def _radio(choices: list[tuple[str, str]], initial: str | None) -> RadioButtonsElement:
    options = [option(v, label) for v, label in choices]
    chosen = next((o for o in options if o.value == initial), None)
    return RadioButtonsElement(options=options,
                               initial_option=chosen)


def _checkboxes(choices: list[tuple[str, str]], checked: set[str]) -> CheckboxesElement:
    options = [option(v, label) for v, label in choices]
    initial = [o for o in options if o.value in checked] or None
    return CheckboxesElement(options=options,
                             initial_options=initial)


def _modal(callback: CallbackId, title: str, blocks: list[Block], private_metadata: str,
           *, submit: str | None = "Save", close: str = "Cancel") -> View:
    return View(type="modal", callback_id=callback.value,
                title=plain(clip(title, MODAL_TITLE_MAX)),
                submit=plain(clip(submit, MODAL_TITLE_MAX)) if submit else None,
                close=plain(clip(close, MODAL_TITLE_MAX)), blocks=blocks,
                private_metadata=private_metadata)


def _about(reference: str) -> Block:
    return context(f"Case *{reference}*")


# ---- intake -----------------------------------------------------------------------------

def intake_modal(dates: DatesToTell, prefill: Mapping[str, Any] | None,
                 private_metadata: str, *, now: datetime | None = None) -> View:
    """The whole intake record, with the policy dates to tell the complainant.

    The received time defaults to ``prefill['received_at']``, else ``now``, else the
    time the dates were computed for.
    """
    p: Mapping[str, Any] = prefill or {}
    checklist_prefill = p.get("checklist") or {}
    checked = {k for k, v in dict(checklist_prefill).items() if v}
    grievance = p.get("staff_grievance")
    grievance_initial = None if grievance is None else (YES if grievance else NO)
    received = p.get("received_at")
    blocks: list[Block] = [
        section(
            "*What to tell the complainant* (for a complaint received now):\n"
            f"• Acknowledgement by *{dates.acknowledge_by}*\n"
            f"• Investigation and action by *{dates.investigate_by}*\n"
            f"• Our reply by *{dates.reply_expected_by}* at the latest",
            block_id=BlockId.INTAKE_DATES.value,
        ),
        _input(BlockId.COMPLAINANT_NAME, "Complainant's name",
               _text(p.get("complainant_name"), max_length=MAX_SHORT)),
        _input(BlockId.ORGANISATION, "Organisation",
               _text(p.get("organisation"), max_length=MAX_SHORT), optional=True),
        _input(BlockId.EMAIL, "Email", EmailInputElement(
            initial_value=p.get("email") or None,
            placeholder=plain("name@example.com")), optional=True,
            hint="Give at least one of email, phone or postal address."),
        _input(BlockId.PHONE, "Phone", _text(p.get("phone"), max_length=40,
                                             placeholder="01482 123456"), optional=True),
        _input(BlockId.POSTAL_ADDRESS, "Postal address",
               _text(p.get("postal_address"), multiline=True, max_length=MAX_ADDRESS),
               optional=True),
        _input(BlockId.RELATIONSHIP, "Relationship to Tiny Tracker",
               _select([r.value for r in Relationship], p.get("relationship"),
                       "Choose a relationship")),
        _input(BlockId.RELATIONSHIP_OTHER, "If other: what relationship?",
               _text(p.get("relationship_other"), max_length=MAX_SHORT), optional=True),
        _input(BlockId.CHANNEL, "How the complaint came in",
               _select([c.value for c in Channel], p.get("channel"), "Choose one")),
        _input(BlockId.RECEIVED_AT, "When it was received (UK time)",
               _datetime(received if isinstance(received, datetime) else now or dates.received_at)),
        _input(BlockId.CATEGORY, "What it is about",
               _select([c.value for c in Category], p.get("category"), "Choose a category")),
        _input(BlockId.FACTS, "The facts of the complaint",
               _text(p.get("facts"), multiline=True, max_length=MAX_FACTS)),
        _input(BlockId.REMEDY_SOUGHT, "What they would like us to do",
               _text(p.get("remedy_sought"), multiline=True, max_length=MAX_TEXT),
               optional=True),
        _input(BlockId.SUBJECT_USER, "Staff member the complaint is about",
               _users(p.get("subject_user_id")), optional=True,
               hint="Only if the complaint is about a specific person."),
        _input(BlockId.STAFF_GRIEVANCE,
               "Is this a staff member complaining about their own employment?",
               _radio([(NO, "No"), (YES, "Yes")], grievance_initial or NO)),
        _input(BlockId.CHECKLIST, "Before you submit, confirm you have:",
               _checkboxes(list(CHECKLIST_LABELS.items()), checked), optional=True),
    ]
    return _modal(CallbackId.INTAKE, "Log a complaint", blocks, private_metadata,
                  submit="Log complaint")


def loading_modal(title: str = "Complaints Desk") -> View:
    """A placeholder opened at once inside the trigger window, then replaced."""
    return _modal(CallbackId.LOADING, title, [section(":hourglass_flowing_sand: Loading…")],
                  "", submit=None, close="Close")


# ---- reading a submission ---------------------------------------------------------------

Zone = tzinfo | DisplayCalendar


def _aware(epoch: int, zone: Zone) -> datetime:
    if isinstance(zone, tzinfo):
        return datetime.fromtimestamp(epoch, tz=zone)
    return zone.local(datetime.fromtimestamp(epoch, tz=UTC))


def _element_value(element: Mapping[str, Any], zone: Zone) -> Any:
    kind = element.get("type")
    if kind in ("plain_text_input", "email_text_input"):
        value = element.get("value")
        return value if value is None else str(value)
    if kind in ("static_select", "radio_buttons"):
        chosen = element.get("selected_option")
        return chosen.get("value") if chosen else None
    if kind == "users_select":
        return element.get("selected_user")
    if kind == "checkboxes":
        return [o.get("value") for o in element.get("selected_options") or []]
    if kind == "datepicker":
        raw = element.get("selected_date")
        return date.fromisoformat(raw) if raw else None
    if kind == "timepicker":
        raw = element.get("selected_time")
        return time.fromisoformat(raw) if raw else None
    if kind == "datetimepicker":
        raw = element.get("selected_date_time")
        return _aware(int(raw), zone) if raw is not None else None
    raise ValueError(f"unexpected input element type {kind!r}")


def read_values(state_values: Mapping[str, Mapping[str, Mapping[str, Any]]],
                zone: Zone = LONDON) -> dict[str, Any]:
    """A view_submission's state.values as {block_id: python value} (dates as date/datetime)."""
    found: dict[str, Any] = {}
    for block_id, elements in state_values.items():
        for element in elements.values():
            found[block_id] = _element_value(element, zone)
    return found


def intake_values_to_dict(state_values: Mapping[str, Mapping[str, Mapping[str, Any]]],
                          zone: Zone = LONDON) -> dict[str, Any]:
    """The intake modal's state.values as the dict ``cases.intake.parse_intake`` takes.

    ``zone`` (a tzinfo, or the working calendar) decides the received time's zone.
    """
    raw = read_values(state_values, zone)
    data: dict[str, Any] = {}
    for field in ("complainant_name", "organisation", "email", "phone", "postal_address",
                  "relationship", "relationship_other", "channel", "received_at", "category",
                  "facts", "remedy_sought", "subject_user_id"):
        value = raw.get(FIELD_BLOCKS[field])
        # Leave empty inputs out: the domain then says "this is required" where it is.
        if value is not None:
            data[field] = value
    data["staff_grievance"] = raw.get(BlockId.STAFF_GRIEVANCE.value) == YES
    ticked = set(raw.get(BlockId.CHECKLIST.value) or [])
    data["checklist"] = {item: item in ticked for item in CHECKLIST_MESSAGES}
    return data


# ---- Stage One steps --------------------------------------------------------------------

def acknowledge_modal(reference: str, private_metadata: str, *, owner: str,
                      promised_reply_by: date) -> View:
    """Who deals with it, when to expect a reply, and that the procedure copy went too."""
    blocks: list[Block] = [
        _about(reference),
        _input(BlockId.OWNER, "Who is dealing with the complaint", _users(owner)),
        _input(BlockId.PROMISED_REPLY_BY, "When the complainant can expect a reply",
               _date(promised_reply_by), hint="Prefilled from the policy's time limits."),
        _input(BlockId.PROCEDURE_ATTACHED, "Procedure", _checkboxes(
            [("yes", "A copy of the complaints procedure went with the acknowledgement")],
            set()), optional=True),
    ]
    return _modal(CallbackId.ACKNOWLEDGE, "Acknowledge", blocks, private_metadata,
                  submit="Acknowledge")


def _note_modal(callback: CallbackId, title: str, reference: str, private_metadata: str,
                block: BlockId, label: str, submit: str) -> View:
    """A step that records one piece of free text (a note-sized field) about the case."""
    blocks: list[Block] = [
        _about(reference),
        _input(block, label, _text(multiline=True, max_length=MAX_NOTE)),
    ]
    return _modal(callback, title, blocks, private_metadata, submit=submit)


def resolve_modal(reference: str, private_metadata: str) -> View:
    """Customer services resolved it: how."""
    return _note_modal(CallbackId.RESOLVE, "Resolve", reference, private_metadata,
                       BlockId.RESOLUTION, "How customer services resolved it", "Resolve")


def assign_investigator_modal(reference: str, private_metadata: str,
                              current: str | None = None) -> View:
    """Choose the appropriate person to investigate."""
    blocks: list[Block] = [
        _about(reference),
        _input(BlockId.INVESTIGATOR, "Who investigates", _users(current),
               hint="Not the person the complaint is about."),
    ]
    return _modal(CallbackId.ASSIGN_INVESTIGATOR, "Assign investigator", blocks,
                  private_metadata, submit="Assign")


def conclude_investigation_modal(reference: str, private_metadata: str) -> View:
    """The investigation's findings and the action taken."""
    return _note_modal(CallbackId.CONCLUDE_INVESTIGATION, "Investigation concluded", reference,
                       private_metadata, BlockId.FINDINGS, "Findings and action taken",
                       "Record")


def _outcome_radio(initial: Outcome | None) -> RadioButtonsElement:
    return _radio([(o.value, OUTCOME_LABELS[o]) for o in Outcome],
                  initial.value if initial else None)


def send_reply_modal(reference: str, private_metadata: str,
                     outcome: Outcome | None = None) -> View:
    """The Stage One reply: outcome and suggestions for resolving the matter."""
    blocks: list[Block] = [
        _about(reference),
        _input(BlockId.OUTCOME, "Outcome", _outcome_radio(outcome)),
        _input(BlockId.SUGGESTIONS, "Suggestions for resolving the matter",
               _text(multiline=True, max_length=MAX_NOTE)),
    ]
    return _modal(CallbackId.SEND_REPLY, "Send Stage One reply", blocks, private_metadata,
                  submit="Record reply")


def request_review_modal(reference: str, private_metadata: str, *, requested_at: datetime,
                         out_of_window: bool) -> View:
    """Record a Stage Two review request: when, how, and why if outside the window."""
    reason_label = ("Why it is accepted outside the review window (required)"
                    if out_of_window else "Notes (optional)")
    blocks: list[Block] = [_about(reference)]
    if out_of_window:
        blocks.append(section(":warning: This request is outside the review window (before "
                              "the Stage One reply, or after the window closed). Only a "
                              "director may accept it, with a reason."))
    blocks += [
        _input(BlockId.REQUESTED_AT, "When they asked (UK time)", _datetime(requested_at)),
        _input(BlockId.HOW, "How they asked",
               _text(max_length=MAX_HOW, placeholder="e.g. by phone to customer services")),
        _input(BlockId.REASON, reason_label, _text(multiline=True, max_length=MAX_NOTE),
               optional=not out_of_window),
    ]
    return _modal(CallbackId.REQUEST_REVIEW, "Escalate to Stage Two", blocks,
                  private_metadata, submit="Escalate")


def withdraw_modal(reference: str, private_metadata: str) -> View:
    """The complainant withdrew: why (as they told us)."""
    return _note_modal(CallbackId.WITHDRAW, "Withdraw complaint", reference, private_metadata,
                       BlockId.REASON, "Reason for withdrawal", "Withdraw")


def details_modal(details: PersonalDetails, calendar: DisplayCalendar) -> View:
    """The complainant's personal data, for someone the need-to-know rule allows."""
    i = details.intake

    def row(label: str, value: str | None) -> str:
        return f"*{label}:* {escape(value) if value else '_not given_'}"

    relationship = LABELS[i.relationship.value]
    if i.relationship_other:
        relationship += f" ({i.relationship_other})"
    checklist = ", ".join(label for key, label in CHECKLIST_LABELS.items()
                          if getattr(i.checklist, key)) or "none"
    blocks: list[Block] = [
        context(f"Case *{details.reference}* · personal data: this view is recorded in the "
                "case history. Do not copy it into channels."),
        section("\n".join([
            row("Name", i.complainant_name),
            row("Organisation", i.organisation),
            row("Email", str(i.email) if i.email else None),
            row("Phone", i.phone),
            row("Relationship", relationship),
            row("Received", f"{format_when(i.received_at, calendar)} by "
                            f"{LABELS[i.channel.value].lower()}"),
            row("Category", LABELS[i.category.value]),
            f"*About staff member:* <@{i.subject_user_id}>" if i.subject_user_id
            else row("About staff member", None),
            row("Checklist", checklist),
        ])),
        section("*Postal address*\n" + (escape(i.postal_address) if i.postal_address
                                        else "_not given_")),
        section("*Facts*\n" + escape(i.facts)),
        section("*What they would like us to do*\n"
                + (escape(i.remedy_sought) if i.remedy_sought else "_not given_")),
    ]
    if details.review_request_how or details.review_late_reason:
        lines = ["*Stage Two request*"]
        if details.review_request_how:
            lines.append("How they asked: " + escape(clip(details.review_request_how, 300)))
        if details.review_late_reason:
            lines.append("Accepted outside the review window because: "
                         + escape(clip(details.review_late_reason, 2000)))
        blocks.append(section("\n".join(lines)))
    if details.person_response is not None and details.person_responded_at is not None:
        blocks.append(section(
            f"*Response of <@{i.subject_user_id}>* "
            f"({format_when(details.person_responded_at, calendar)})\n"
            + escape(clip(details.person_response, 2800))))
    return _modal(CallbackId.DETAILS, "Complainant details", blocks, "", submit=None,
                  close="Close")


# ---- Stage Two steps --------------------------------------------------------------------

def acknowledge_review_modal(reference: str, private_metadata: str, *, reply_by: date) -> View:
    """A director takes the review and confirms the definitive reply date."""
    blocks: list[Block] = [
        _about(reference),
        section("You will review this case. If the complaint names a staff member, they will "
                "be told and given the chance to respond."),
        _input(BlockId.REPLY_BY, "Definitive reply by", _date(reply_by),
               hint="Prefilled with the policy's 10 working days."),
    ]
    return _modal(CallbackId.ACKNOWLEDGE_REVIEW, "Acknowledge review", blocks,
                  private_metadata, submit="Acknowledge")


def delegate_modal(reference: str, private_metadata: str) -> View:
    """Hand the review to a suitably senior person."""
    blocks: list[Block] = [
        _about(reference),
        _input(BlockId.DELEGATE, "Delegate the review to", _users(),
               hint="A suitably senior person; not the Stage One investigator."),
    ]
    return _modal(CallbackId.DELEGATE_REVIEW, "Delegate review", blocks, private_metadata,
                  submit="Delegate")


def respond_modal(reference: str, private_metadata: str, respond_by: str | None = None) -> View:
    """For the person the complaint is about: their response."""
    by = f" Please respond by {respond_by}." if respond_by else ""
    blocks: list[Block] = [
        _about(reference),
        section("The complaint concerns you. Your response goes to the reviewer only." + by),
        _input(BlockId.RESPONSE, "Your response", _text(multiline=True,
                                                         max_length=MAX_RESPONSE)),
    ]
    return _modal(CallbackId.RECORD_PERSON_RESPONSE, "Your response", blocks, private_metadata,
                  submit="Send response")


def progress_update_modal(reference: str, private_metadata: str,
                          current_reply_by: date | None = None) -> View:
    """The definitive reply will be late: why, and the new date."""
    blocks: list[Block] = [
        _about(reference),
        _input(BlockId.REASON, "Why the full reply needs longer",
               _text(multiline=True, max_length=MAX_NOTE)),
        _input(BlockId.NEW_REPLY_BY, "New date for the full reply", _date(current_reply_by),
               hint="A working day after today."),
    ]
    return _modal(CallbackId.SEND_PROGRESS_UPDATE, "Progress update", blocks,
                  private_metadata, submit="Send update")


def draft_decision_modal(reference: str, private_metadata: str, *,
                         outcome: Outcome | None = None, reasons: str | None = None,
                         remedy: str | None = None) -> View:
    """The Stage Two decision: outcome, reasons, remedy (prefilled when redrafting)."""
    blocks: list[Block] = [
        _about(reference),
        _input(BlockId.OUTCOME, "Decision", _outcome_radio(outcome)),
        _input(BlockId.REASONS, "Reasons", _text(reasons, multiline=True,
                                                  max_length=MAX_REASONS)),
        _input(BlockId.REMEDY, "What we will do", _text(remedy, multiline=True,
                                                         max_length=MAX_REMEDY)),
    ]
    return _modal(CallbackId.PROPOSE_DECISION, "Draft decision", blocks, private_metadata,
                  submit="Send to directors")


def request_changes_modal(reference: str, private_metadata: str) -> View:
    """A director sends the draft back with a comment."""
    return _note_modal(CallbackId.REQUEST_CHANGES, "Request changes", reference,
                       private_metadata, BlockId.COMMENT, "What should change", "Send back")


# ---- small shared modals and the dispatcher ----------------------------------------------

def notice_modal(title: str, text: str) -> View:
    """A modal that only tells the user something (a refusal, a stale click).

    ``text`` is our own mrkdwn (it may carry <@U…> mentions), never user input.
    """
    return _modal(CallbackId.NOTICE, title, [section(clip(text, 2900))], "", submit=None,
                  close="Close")


def step_modal(action: Action, view: CaseCardView, *, clicker: str, today: date,
               private_metadata: str, policy_prefill: Mapping[str, Any] | None = None) -> View:
    """The small modal for one card button, prefilled from the policy where it helps."""
    p: Mapping[str, Any] = policy_prefill or {}
    ref, meta = view.reference, private_metadata
    if action is Action.ACKNOWLEDGE:
        return acknowledge_modal(ref, meta, owner=p.get("owner") or clicker,
                                 promised_reply_by=p.get("promised_reply_by") or today)
    if action is Action.RESOLVE:
        return resolve_modal(ref, meta)
    if action is Action.ASSIGN_INVESTIGATOR:
        return assign_investigator_modal(ref, meta, view.investigator)
    if action is Action.CONCLUDE_INVESTIGATION:
        return conclude_investigation_modal(ref, meta)
    if action is Action.SEND_REPLY:
        return send_reply_modal(ref, meta, p.get("outcome"))
    if action is Action.REQUEST_REVIEW:
        out_of_window = p.get("out_of_window", view.state is not State.REPLIED)
        requested_at = p.get("requested_at")
        if not isinstance(requested_at, datetime):
            raise ValueError("the escalate modal needs policy_prefill['requested_at']")
        return request_review_modal(ref, meta, requested_at=requested_at,
                                    out_of_window=bool(out_of_window))
    if action is Action.WITHDRAW:
        return withdraw_modal(ref, meta)
    if action is Action.ACKNOWLEDGE_REVIEW:
        return acknowledge_review_modal(ref, meta, reply_by=p.get("reply_by") or today)
    if action is Action.DELEGATE_REVIEW:
        return delegate_modal(ref, meta)
    if action is Action.RECORD_PERSON_RESPONSE:
        d = view.deadline
        by = d.due if d is not None and d.kind is DeadlineKind.PERSON_RESPONSE else None
        return respond_modal(ref, meta, by)
    if action is Action.SEND_PROGRESS_UPDATE:
        return progress_update_modal(ref, meta, p.get("reply_by"))
    if action is Action.PROPOSE_DECISION:
        return draft_decision_modal(ref, meta, outcome=p.get("outcome"),
                                    reasons=p.get("reasons"), remedy=p.get("remedy"))
    if action is Action.REQUEST_CHANGES:
        return request_changes_modal(ref, meta)
    raise ValueError(f"no modal for {action.value!r}")
