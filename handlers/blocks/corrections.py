"""Edit details and Reassign: the forms opened from the case file."""

from __future__ import annotations

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from cases.casefile import CaseFile
from cases.intake import MAX_ADDRESS, MAX_FACTS, MAX_SHORT, MAX_TEXT
from cases.model import State
from cases.usecases.common import MAX_NOTE
from handlers.blocks._common import context
from handlers.blocks.inputs import input_block, modal, text_input, users_select
from handlers.ids import BlockId, CallbackId, CaseRef, encode_case_ref


def edit_details_modal(file: CaseFile) -> View:
    """The intake's text fields, filled in, and the reason for the correction."""
    i = file.intake
    assert i is not None, "only need-to-know may correct the details"
    fields: list[tuple[BlockId, str, str | None, int, bool]] = [
        (BlockId.COMPLAINANT_NAME, "Complainant's name", i.complainant_name, MAX_SHORT, False),
        (BlockId.ORGANISATION, "Organisation", i.organisation, MAX_SHORT, False),
        (BlockId.EMAIL, "Email", str(i.email) if i.email else None, 254, False),
        (BlockId.PHONE, "Phone", i.phone, 40, False),
        (BlockId.POSTAL_ADDRESS, "Postal address", i.postal_address, MAX_ADDRESS, True),
        (BlockId.FACTS, "Facts", i.facts, MAX_FACTS, True),
        (BlockId.REMEDY_SOUGHT, "What they would like us to do", i.remedy_sought, MAX_TEXT,
         True),
    ]
    blocks: list[Block] = [context(
        f"Case *{file.reference}* · the old and new values are kept in the case history.")]
    for block, label, value, limit, multiline in fields:
        blocks.append(input_block(block, label, text_input(value, multiline=multiline,
                                                           max_length=limit),
                                  optional=block is not BlockId.COMPLAINANT_NAME
                                  and block is not BlockId.FACTS))
    blocks.append(input_block(BlockId.REASON, "Why are they corrected?",
                              text_input(multiline=True, max_length=MAX_NOTE)))
    return modal(CallbackId.EDIT_DETAILS, "Edit details", blocks,
                 encode_case_ref(CaseRef(file.case_id, file.version)))


def reassign_modal(file: CaseFile) -> View:
    """Who owns, investigates and (in Stage Two) reviews for the director: change any."""
    blocks: list[Block] = [context(
        f"Case *{file.reference}* · the new person gets a message with their next deadline; "
        "the one before is told.")]
    blocks.append(input_block(BlockId.OWNER, "Owner", users_select(file.owner)))
    if file.state is State.INVESTIGATING:
        blocks.append(input_block(BlockId.INVESTIGATOR, "Investigator",
                                  users_select(file.investigator)))
    if file.state is State.UNDER_REVIEW:
        blocks.append(input_block(BlockId.DELEGATE, "Stage Two delegate",
                                  users_select(file.delegate), optional=True))
    blocks.append(input_block(BlockId.REASON, "Why (optional)",
                              text_input(multiline=True, max_length=MAX_NOTE), optional=True))
    return modal(CallbackId.REASSIGN, "Reassign", blocks,
                 encode_case_ref(CaseRef(file.case_id, file.version)))
