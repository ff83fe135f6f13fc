"""The intake modal: the whole intake record, and the dates to tell the complainant.

Each input block's block_id is the domain field it captures (``handlers.forms.FIELD_BLOCKS``).
The received time dispatches an action when it changes, so the dates shown follow it
(``handlers.listeners.intake``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import Block, EmailInputElement
from slack_sdk.models.views import View

from cases.intake import (
    MAX_ADDRESS,
    MAX_FACTS,
    MAX_SHORT,
    MAX_TEXT,
    PHONE_EXAMPLE,
    Category,
    Channel,
    Relationship,
)
from cases.views import DatesToTell
from handlers.blocks._common import plain, section
from handlers.blocks.inputs import (
    CHECKLIST_LABELS,
    checkboxes,
    datetime_picker,
    input_block,
    modal,
    radio,
    select,
    text_input,
    users_select,
)
from handlers.ids import BlockId, CallbackId

YES, NO = "yes", "no"


def _dates_to_tell(dates: DatesToTell) -> Block:
    return section(
        f"*What to tell the complainant* (for a complaint received {dates.received}):\n"
        f"• Acknowledgement by *{dates.acknowledge_by}*\n"
        f"• Investigation and action by *{dates.investigate_by}*\n"
        f"• Our reply by *{dates.reply_expected_by}* at the latest",
        block_id=BlockId.INTAKE_DATES.value,
    )


def _contact_blocks(p: Mapping[str, Any]) -> list[Block]:
    return [
        input_block(BlockId.COMPLAINANT_NAME, "Complainant's name",
                    text_input(p.get("complainant_name"), max_length=MAX_SHORT)),
        input_block(BlockId.ORGANISATION, "Organisation",
                    text_input(p.get("organisation"), max_length=MAX_SHORT), optional=True),
        input_block(BlockId.EMAIL, "Email", EmailInputElement(
            initial_value=p.get("email") or None,
            placeholder=plain("name@example.com")), optional=True,
            hint="Give at least one of email, phone or postal address."),
        input_block(BlockId.PHONE, "Phone", text_input(p.get("phone"), max_length=40,
                                                       placeholder="01482 123456"),
                    optional=True, hint=f"Any country: {PHONE_EXAMPLE}."),
        input_block(BlockId.POSTAL_ADDRESS, "Postal address",
                    text_input(p.get("postal_address"), multiline=True, max_length=MAX_ADDRESS),
                    optional=True),
        input_block(BlockId.RELATIONSHIP, "Relationship to Tiny Tracker",
                    select([r.value for r in Relationship], p.get("relationship"),
                           "Choose a relationship")),
        input_block(BlockId.RELATIONSHIP_OTHER, "If other: what relationship?",
                    text_input(p.get("relationship_other"), max_length=MAX_SHORT), optional=True),
    ]


def _complaint_blocks(p: Mapping[str, Any], received: datetime,
                      max_days_late: int) -> list[Block]:
    received_block = input_block(BlockId.RECEIVED_AT, "When it was received (UK time)",
                                 datetime_picker(received))
    received_block.dispatch_action = True  # the dates above follow it as it changes
    return [
        input_block(BlockId.CHANNEL, "How the complaint came in",
                    select([c.value for c in Channel], p.get("channel"), "Choose one")),
        received_block,
        input_block(BlockId.LATE_REASON, "Why it is logged late (only if it is)",
                    text_input(p.get("late_reason"), multiline=True, max_length=MAX_TEXT),
                    optional=True,
                    hint=f"Needed when it was received more than {max_days_late} days ago; "
                         "it goes into the case history."),
        input_block(BlockId.CATEGORY, "What it is about",
                    select([c.value for c in Category], p.get("category"), "Choose a category")),
        input_block(BlockId.FACTS, "The facts of the complaint",
                    text_input(p.get("facts"), multiline=True, max_length=MAX_FACTS),
                    hint=f"Up to {MAX_FACTS:,} characters."),
        input_block(BlockId.REMEDY_SOUGHT, "What they would like us to do",
                    text_input(p.get("remedy_sought"), multiline=True, max_length=MAX_TEXT),
                    optional=True),
        input_block(BlockId.SUBJECT_USER, "Staff member the complaint is about",
                    users_select(p.get("subject_user_id")), optional=True,
                    hint="Only if the complaint is about a specific person: they will be "
                         "told and may respond."),
        input_block(BlockId.NOT_A_NAMED_PERSON, "Staff conduct, but no one person",
                    checkboxes([(YES, "Not about a named person")],
                               {YES} if p.get("not_a_named_person") else set()),
                    optional=True,
                    hint="A staff-conduct complaint names the person or ticks this."),
    ]


def _confirm_blocks(p: Mapping[str, Any]) -> list[Block]:
    checked = {k for k, v in dict(p.get("checklist") or {}).items() if v}
    grievance = p.get("staff_grievance")
    grievance_initial = None if grievance is None else (YES if grievance else NO)
    return [
        input_block(BlockId.STAFF_GRIEVANCE,
                    "Is this a staff member complaining about their own employment?",
                    radio([(NO, "No"), (YES, "Yes")], grievance_initial or NO)),
        input_block(BlockId.CHECKLIST, "Before you submit, confirm you have:",
                    checkboxes(list(CHECKLIST_LABELS.items()), checked)),
    ]


def intake_modal(dates: DatesToTell, prefill: Mapping[str, Any] | None,
                 private_metadata: str, *, now: datetime | None = None,
                 notice: str | None = None, max_days_late: int = 30) -> View:
    """The whole intake record, with the policy dates to tell the complainant.

    The received time defaults to ``prefill['received_at']``, else ``now``, else the
    time the dates were computed for; ``notice`` (our own words) goes above the form.
    """
    p: Mapping[str, Any] = prefill or {}
    received = p.get("received_at")
    shown = received if isinstance(received, datetime) else now or dates.received_at
    blocks: list[Block] = []
    if notice:
        blocks.append(section(notice, block_id=BlockId.INTAKE_NOTICE.value))
    blocks += [_dates_to_tell(dates), *_contact_blocks(p),
               *_complaint_blocks(p, shown, max_days_late), *_confirm_blocks(p)]
    return modal(CallbackId.INTAKE, "Log a complaint", blocks, private_metadata,
                 submit="Log complaint")
