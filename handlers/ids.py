"""Every stable Slack id in one place: action_id, callback_id, block_id, plus typed metadata.

Listeners, builders and the manifest all read these; renaming one is a deliberate change
that the manifest test and the listener-registration test catch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from cases.lifecycle import Action


class ActionId(StrEnum):
    """Buttons on cards, DMs, the decision message and App Home."""

    ACKNOWLEDGE = "case_acknowledge"
    RESOLVE = "case_resolve"
    ASSIGN_INVESTIGATOR = "case_assign_investigator"
    CONCLUDE_INVESTIGATION = "case_conclude_investigation"
    SEND_REPLY = "case_send_reply"
    REQUEST_REVIEW = "case_request_review"
    ACKNOWLEDGE_REVIEW = "case_acknowledge_review"
    DELEGATE_REVIEW = "case_delegate_review"
    RECORD_PERSON_RESPONSE = "case_respond"
    SEND_PROGRESS_UPDATE = "case_progress_update"
    PROPOSE_DECISION = "case_draft_decision"
    REQUEST_CHANGES = "case_request_changes"
    APPROVE_DECISION = "case_approve_decision"
    WITHDRAW = "case_withdraw"
    VIEW_DETAILS = "case_view_details"
    OPEN_CASE = "case_open"
    LOG_COMPLAINT = "home_log_complaint"
    CASE_FILE = "case_file"
    CASE_FILE_OLDER = "case_file_older"
    CASE_FILE_NEWER = "case_file_newer"
    EDIT_DETAILS = "case_edit_details"
    REASSIGN = "case_reassign"
    SEND_FINAL_LETTER = "case_send_final_letter"
    REPORT_EXPORT = "report_export"
    REPORT_RECORD_REVIEW = "report_record_review"
    REVIEW_ACTION_DONE = "review_action_done"


ACTION_BUTTONS: dict[Action, ActionId] = {
    Action.ACKNOWLEDGE: ActionId.ACKNOWLEDGE,
    Action.RESOLVE: ActionId.RESOLVE,
    Action.ASSIGN_INVESTIGATOR: ActionId.ASSIGN_INVESTIGATOR,
    Action.CONCLUDE_INVESTIGATION: ActionId.CONCLUDE_INVESTIGATION,
    Action.SEND_REPLY: ActionId.SEND_REPLY,
    Action.REQUEST_REVIEW: ActionId.REQUEST_REVIEW,
    Action.ACKNOWLEDGE_REVIEW: ActionId.ACKNOWLEDGE_REVIEW,
    Action.DELEGATE_REVIEW: ActionId.DELEGATE_REVIEW,
    Action.RECORD_PERSON_RESPONSE: ActionId.RECORD_PERSON_RESPONSE,
    Action.SEND_PROGRESS_UPDATE: ActionId.SEND_PROGRESS_UPDATE,
    Action.PROPOSE_DECISION: ActionId.PROPOSE_DECISION,
    Action.REQUEST_CHANGES: ActionId.REQUEST_CHANGES,
    Action.APPROVE_DECISION: ActionId.APPROVE_DECISION,
    Action.WITHDRAW: ActionId.WITHDRAW,
}
BUTTON_ACTIONS: dict[ActionId, Action] = {v: k for k, v in ACTION_BUTTONS.items()}


class CallbackId(StrEnum):
    """Shortcuts (also in app_manifest.yml) and modal callback ids."""

    SHORTCUT_LOG_COMPLAINT = "log_complaint"
    SHORTCUT_LOG_MESSAGE = "log_message_as_complaint"
    SHORTCUT_ATTACH = "attach_to_case"
    ATTACH = "attach_modal"
    INTAKE = "intake_modal"
    NOTICE = "notice_modal"
    ACKNOWLEDGE = "acknowledge_modal"
    RESOLVE = "resolve_modal"
    ASSIGN_INVESTIGATOR = "assign_investigator_modal"
    CONCLUDE_INVESTIGATION = "conclude_investigation_modal"
    SEND_REPLY = "send_reply_modal"
    REQUEST_REVIEW = "request_review_modal"
    WITHDRAW = "withdraw_modal"
    DETAILS = "details_modal"
    ACKNOWLEDGE_REVIEW = "acknowledge_review_modal"
    DELEGATE_REVIEW = "delegate_review_modal"
    RECORD_PERSON_RESPONSE = "respond_modal"
    SEND_PROGRESS_UPDATE = "progress_update_modal"
    PROPOSE_DECISION = "draft_decision_modal"
    REQUEST_CHANGES = "request_changes_modal"
    CASE_FILE = "case_file_modal"
    EDIT_DETAILS = "edit_details_modal"
    REASSIGN = "reassign_modal"
    SEND_FINAL_LETTER = "send_final_letter_modal"
    RECORD_REVIEW = "record_review_modal"


MODAL_FOR_ACTION: dict[Action, CallbackId] = {
    Action.ACKNOWLEDGE: CallbackId.ACKNOWLEDGE,
    Action.RESOLVE: CallbackId.RESOLVE,
    Action.ASSIGN_INVESTIGATOR: CallbackId.ASSIGN_INVESTIGATOR,
    Action.CONCLUDE_INVESTIGATION: CallbackId.CONCLUDE_INVESTIGATION,
    Action.SEND_REPLY: CallbackId.SEND_REPLY,
    Action.REQUEST_REVIEW: CallbackId.REQUEST_REVIEW,
    Action.WITHDRAW: CallbackId.WITHDRAW,
    Action.ACKNOWLEDGE_REVIEW: CallbackId.ACKNOWLEDGE_REVIEW,
    Action.DELEGATE_REVIEW: CallbackId.DELEGATE_REVIEW,
    Action.RECORD_PERSON_RESPONSE: CallbackId.RECORD_PERSON_RESPONSE,
    Action.SEND_PROGRESS_UPDATE: CallbackId.SEND_PROGRESS_UPDATE,
    Action.PROPOSE_DECISION: CallbackId.PROPOSE_DECISION,
    Action.REQUEST_CHANGES: CallbackId.REQUEST_CHANGES,
}


class SlashCommand(StrEnum):
    COMPLAINT = "/complaint"


class BlockId(StrEnum):
    """Block ids. Input blocks are named after the domain field they capture.

    The element inside each input block uses the same string as its action_id, so
    action_ids are unique across a whole modal, not just within a block.
    """

    # Messages and Home.
    CARD_HEADER = "card_header"
    CARD_SUMMARY = "card_summary"
    CARD_DEADLINE = "card_deadline"
    CARD_TRACKER = "card_tracker"
    CARD_OUTCOME = "card_outcome"
    CARD_STAGE_TWO = "card_stage_two"
    CARD_PROGRESS = "card_progress"
    CARD_ACTIONS = "card_actions"
    DECISION_ACTIONS = "decision_actions"
    DM_ACTIONS = "dm_actions"
    HOME_ACTIONS = "home_actions"
    # Intake modal.
    INTAKE_DATES = "intake_dates"
    INTAKE_NOTICE = "intake_notice"
    COMPLAINANT_NAME = "complainant_name"
    ORGANISATION = "organisation"
    EMAIL = "email"
    PHONE = "phone"
    POSTAL_ADDRESS = "postal_address"
    RELATIONSHIP = "relationship"
    RELATIONSHIP_OTHER = "relationship_other"
    CHANNEL = "channel"
    RECEIVED_AT = "received_at"
    CATEGORY = "category"
    FACTS = "facts"
    REMEDY_SOUGHT = "remedy_sought"
    SUBJECT_USER = "subject_user_id"
    NOT_A_NAMED_PERSON = "not_a_named_person"
    STAFF_GRIEVANCE = "staff_grievance"
    CHECKLIST = "checklist"
    LATE_REASON = "late_reason"
    # Step modals.
    OWNER = "owner"
    PROMISED_REPLY_BY = "promised_reply_by"
    PROCEDURE_ATTACHED = "procedure_attached"
    RESOLUTION = "resolution"
    INVESTIGATOR = "investigator"
    FINDINGS = "findings"
    OUTCOME = "outcome"
    SUGGESTIONS = "suggestions"
    REQUESTED_AT = "requested_at"
    HOW = "how"
    REASON = "reason"
    REPLY_BY = "reply_by"
    DELEGATE = "delegate"
    RESPONSE = "response"
    NEW_REPLY_BY = "new_reply_by"
    REASONS = "reasons"
    REMEDY = "remedy"
    COMMENT = "comment"
    # What a closing step teaches (Phase Three): added to the resolve, reply and decision.
    ROOT_CAUSE = "root_cause"
    REMEDIES = "remedies"
    REMEDY_AMOUNT = "remedy_amount"


class FileBlockId(StrEnum):
    """Block ids of the case file (not form fields, so apart from ``BlockId``)."""

    PAGING = "case_file_paging"
    TOOLS = "case_file_tools"
    REFERENCE = "case_reference"
    ATTACHED_TEXT = "attached_text"


# ---- typed metadata ------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseRef:
    """Which case (and which version of it) a button or modal is about."""

    case_id: int
    version: int | None = None


def encode_case_ref(ref: CaseRef) -> str:
    """Button value / private_metadata text for a case reference."""
    data: dict[str, int] = {"case": ref.case_id}
    if ref.version is not None:
        data["v"] = ref.version
    return json.dumps(data, separators=(",", ":"))


_ID_MAX = 2**31 - 1  # ids and versions are 32-bit integers in the database


def _small_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _ID_MAX


def decode_case_ref(text: object) -> CaseRef:
    """Read a button value or private_metadata back; ValueError if it is not ours."""
    if not isinstance(text, str) or len(text) > 200:
        raise ValueError("not a case reference")
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"not a case reference: {text!r}") from exc
    if not isinstance(data, dict) or not _small_int(data.get("case")) or data["case"] < 1:
        raise ValueError(f"not a case reference: {text!r}")
    version = data.get("v")
    if version is not None and not _small_int(version):
        raise ValueError(f"bad version in case reference: {text!r}")
    return CaseRef(case_id=data["case"], version=version)


@dataclass(frozen=True)
class PageRef:
    """Which page of which case's file a paging button shows."""

    case_id: int
    page: int


def encode_page_ref(ref: PageRef) -> str:
    """Button value for a page of a case file."""
    return json.dumps({"case": ref.case_id, "page": ref.page}, separators=(",", ":"))


def decode_page_ref(text: object) -> PageRef:
    """Read a paging button's value back; ValueError if it is not ours."""
    case = decode_case_ref(text)  # the same checks on size, shape and the case id
    page = json.loads(str(text)).get("page", 0)
    if not _small_int(page):
        raise ValueError(f"bad page in case file reference: {text!r}")
    return PageRef(case_id=case.case_id, page=page)
