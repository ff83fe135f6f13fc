"""Block Kit builders: pure functions from view models to ``slack_sdk.models`` objects."""

from cases.audience import DIRECTORS_EVENTS
from handlers.blocks._common import Message
from handlers.blocks.card import (
    case_card_message,
    deadline_line,
    decision_message,
    tracker_line,
)
from handlers.blocks.details import details_modal
from handlers.blocks.direct import (
    changes_requested_dm,
    direct_message,
    dm_message,
    investigator_assigned_dm,
    logged_dm,
    person_informed_dm,
    person_responded_dm,
    review_delegated_dm,
    timeline_line_text,
    timeline_text,
)
from handlers.blocks.home import case_list_text, help_text, home_view
from handlers.blocks.inputs import CHECKLIST_LABELS
from handlers.blocks.intake import intake_modal
from handlers.blocks.modals import (
    StepPrefill,
    acknowledge_modal,
    acknowledge_review_modal,
    assign_investigator_modal,
    conclude_investigation_modal,
    delegate_modal,
    draft_decision_modal,
    notice_modal,
    progress_update_modal,
    request_changes_modal,
    request_review_modal,
    resolve_modal,
    respond_modal,
    send_reply_modal,
    step_modal,
    withdraw_modal,
)
from handlers.blocks.report import report_message

__all__ = [
    "DIRECTORS_EVENTS",
    "case_list_text",
    "notice_modal",
    "step_modal",
    "StepPrefill",
    "CHECKLIST_LABELS",
    "Message",
    "acknowledge_modal",
    "acknowledge_review_modal",
    "assign_investigator_modal",
    "case_card_message",
    "changes_requested_dm",
    "conclude_investigation_modal",
    "deadline_line",
    "decision_message",
    "delegate_modal",
    "details_modal",
    "direct_message",
    "dm_message",
    "draft_decision_modal",
    "help_text",
    "home_view",
    "intake_modal",
    "investigator_assigned_dm",
    "logged_dm",
    "person_informed_dm",
    "person_responded_dm",
    "progress_update_modal",
    "report_message",
    "request_changes_modal",
    "request_review_modal",
    "resolve_modal",
    "respond_modal",
    "review_delegated_dm",
    "send_reply_modal",
    "timeline_line_text",
    "timeline_text",
    "tracker_line",
    "withdraw_modal",
]
