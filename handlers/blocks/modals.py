"""Modals: every step of the procedure, plus the notice that explains a refusal.

Each input block's block_id is the domain field it captures (see
``handlers.forms.FIELD_BLOCKS``), so field-keyed errors map straight to inline errors.
Reading what comes back is ``handlers.forms``' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk.models.blocks import Block, RadioButtonsElement
from slack_sdk.models.views import View

from cases.lifecycle import Action
from cases.model import OUTCOME_LABELS, Outcome, State
from cases.services import MAX_HOW, MAX_NOTE, MAX_REASONS, MAX_REMEDY, MAX_RESPONSE
from cases.subject import PersonBrief
from cases.views import CaseCardView
from handlers.blocks._common import clip, escape, section, sections
from handlers.blocks.inputs import (
    about,
    checkboxes,
    date_picker,
    datetime_picker,
    input_block,
    modal,
    radio,
    text_input,
    users_select,
)
from handlers.ids import BlockId, CallbackId

YES, NO = "yes", "no"


# ---- Stage One steps --------------------------------------------------------------------

def acknowledge_modal(reference: str, private_metadata: str, *, owner: str,
                      promised_reply_by: date) -> View:
    """Who deals with it, when to expect a reply, and that the procedure copy went too."""
    blocks: list[Block] = [
        about(reference),
        input_block(BlockId.OWNER, "Who is dealing with the complaint", users_select(owner)),
        input_block(BlockId.PROMISED_REPLY_BY, "When the complainant can expect a reply",
                    date_picker(promised_reply_by),
                    hint="Prefilled from the policy's time limits."),
        input_block(BlockId.PROCEDURE_ATTACHED, "Procedure", checkboxes(
            [("yes", "A copy of the complaints procedure went with the acknowledgement")],
            set())),
    ]
    return modal(CallbackId.ACKNOWLEDGE, "Acknowledge", blocks, private_metadata,
                 submit="Acknowledge")


def _note_modal(callback: CallbackId, title: str, reference: str, private_metadata: str,
                block: BlockId, label: str, submit: str) -> View:
    """A step that records one piece of free text (a note-sized field) about the case."""
    blocks: list[Block] = [
        about(reference),
        input_block(block, label, text_input(multiline=True, max_length=MAX_NOTE)),
    ]
    return modal(callback, title, blocks, private_metadata, submit=submit)


def resolve_modal(reference: str, private_metadata: str) -> View:
    """Customer services resolved it: how."""
    return _note_modal(CallbackId.RESOLVE, "Resolve", reference, private_metadata,
                       BlockId.RESOLUTION, "How customer services resolved it", "Resolve")


def assign_investigator_modal(reference: str, private_metadata: str,
                              current: str | None = None) -> View:
    """Choose the appropriate person to investigate."""
    blocks: list[Block] = [
        about(reference),
        input_block(BlockId.INVESTIGATOR, "Who investigates", users_select(current),
                    hint="Not the person the complaint is about."),
    ]
    return modal(CallbackId.ASSIGN_INVESTIGATOR, "Assign investigator", blocks,
                 private_metadata, submit="Assign")


def conclude_investigation_modal(reference: str, private_metadata: str) -> View:
    """The investigation's findings and the action taken."""
    return _note_modal(CallbackId.CONCLUDE_INVESTIGATION, "Investigation concluded", reference,
                       private_metadata, BlockId.FINDINGS, "Findings and action taken",
                       "Record")


def _outcome_radio(initial: Outcome | None) -> RadioButtonsElement:
    return radio([(o.value, OUTCOME_LABELS[o]) for o in Outcome],
                  initial.value if initial else None)


def send_reply_modal(reference: str, private_metadata: str,
                     outcome: Outcome | None = None) -> View:
    """The Stage One reply: outcome and suggestions for resolving the matter."""
    blocks: list[Block] = [
        about(reference),
        input_block(BlockId.OUTCOME, "Outcome", _outcome_radio(outcome)),
        input_block(BlockId.SUGGESTIONS, "Suggestions for resolving the matter",
                    text_input(multiline=True, max_length=MAX_NOTE)),
    ]
    return modal(CallbackId.SEND_REPLY, "Send Stage One reply", blocks, private_metadata,
                 submit="Record reply")


def request_review_modal(reference: str, private_metadata: str, *, requested_at: datetime,
                         out_of_window: bool) -> View:
    """Record a Stage Two review request: when, how, and why if outside the window."""
    reason_label = ("Why it is accepted outside the review window (required)"
                    if out_of_window else "Notes (optional)")
    blocks: list[Block] = [about(reference)]
    if out_of_window:
        blocks.append(section(":warning: This request is outside the review window (before "
                              "the Stage One reply, or after the window closed). Only a "
                              "director may accept it, with a reason."))
    blocks += [
        input_block(BlockId.REQUESTED_AT, "When they asked (UK time)",
                    datetime_picker(requested_at)),
        input_block(BlockId.HOW, "How they asked",
                    text_input(max_length=MAX_HOW,
                               placeholder="e.g. by phone to customer services")),
        input_block(BlockId.REASON, reason_label, text_input(multiline=True, max_length=MAX_NOTE),
                    optional=not out_of_window),
    ]
    return modal(CallbackId.REQUEST_REVIEW, "Escalate to Stage Two", blocks,
                 private_metadata, submit="Escalate")


def withdraw_modal(reference: str, private_metadata: str) -> View:
    """The complainant withdrew: why (as they told us)."""
    return _note_modal(CallbackId.WITHDRAW, "Withdraw complaint", reference, private_metadata,
                       BlockId.REASON, "Reason for withdrawal", "Withdraw")


# ---- Stage Two steps --------------------------------------------------------------------

def acknowledge_review_modal(reference: str, private_metadata: str, *, reply_by: date) -> View:
    """A director takes the review and confirms the definitive reply date."""
    blocks: list[Block] = [
        about(reference),
        section("You will review this case. If the complaint names a staff member, they will "
                "be told and given the chance to respond."),
        input_block(BlockId.REPLY_BY, "Definitive reply by", date_picker(reply_by),
                    hint="Prefilled with the policy's 10 working days."),
    ]
    return modal(CallbackId.ACKNOWLEDGE_REVIEW, "Acknowledge review", blocks,
                 private_metadata, submit="Acknowledge")


def delegate_modal(reference: str, private_metadata: str) -> View:
    """Hand the review to a suitably senior person."""
    blocks: list[Block] = [
        about(reference),
        input_block(BlockId.DELEGATE, "Delegate the review to", users_select(),
                    hint="A director or someone with the senior role; not the "
                         "Stage One investigator nor the person it is about."),
    ]
    return modal(CallbackId.DELEGATE_REVIEW, "Delegate review", blocks, private_metadata,
                 submit="Delegate")


def respond_modal(reference: str, private_metadata: str, respond_by: str | None = None,
                  brief: PersonBrief | None = None) -> View:
    """For the person the complaint is about: what it says, the Stage One outcome, their say."""
    by = f" Please respond by *{respond_by}*." if respond_by else ""
    blocks: list[Block] = [
        about(reference),
        section("The complaint concerns you. Your response goes to the reviewer only." + by),
    ]
    if brief is not None:
        blocks.extend(sections("*What the complaint says*\n" + escape(brief.facts)))
        outcome = brief.outcome or "no Stage One reply was sent"
        blocks.extend(sections(f"*Stage One outcome:* {outcome}"
                               + (f"\n{escape(brief.suggestions)}" if brief.suggestions
                                  else "")))
    blocks.append(input_block(BlockId.RESPONSE, "Your response", text_input(
        multiline=True, max_length=MAX_RESPONSE)))
    return modal(CallbackId.RECORD_PERSON_RESPONSE, "Your response", blocks, private_metadata,
                 submit="Send response")


def progress_update_modal(reference: str, private_metadata: str,
                          current_reply_by: date | None = None) -> View:
    """The definitive reply will be late: why, and the new date."""
    blocks: list[Block] = [
        about(reference),
        input_block(BlockId.REASON, "Why the full reply needs longer",
                    text_input(multiline=True, max_length=MAX_NOTE)),
        input_block(BlockId.NEW_REPLY_BY, "New date for the full reply",
                    date_picker(current_reply_by), hint="A working day after today."),
    ]
    return modal(CallbackId.SEND_PROGRESS_UPDATE, "Progress update", blocks,
                 private_metadata, submit="Send update")


def draft_decision_modal(reference: str, private_metadata: str, *,
                         outcome: Outcome | None = None, reasons: str | None = None,
                         remedy: str | None = None) -> View:
    """The Stage Two decision: outcome, reasons, remedy (prefilled when redrafting)."""
    blocks: list[Block] = [
        about(reference),
        input_block(BlockId.OUTCOME, "Decision", _outcome_radio(outcome)),
        input_block(BlockId.REASONS, "Reasons", text_input(reasons, multiline=True,
                                                  max_length=MAX_REASONS)),
        input_block(BlockId.REMEDY, "What we will do", text_input(remedy, multiline=True,
                                                         max_length=MAX_REMEDY)),
    ]
    return modal(CallbackId.PROPOSE_DECISION, "Draft decision", blocks, private_metadata,
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
    return modal(CallbackId.NOTICE, title, [section(clip(text, 2900))], "", submit=None,
                 close="Close")


@dataclass(frozen=True)
class StepPrefill:
    """Where a step modal starts from (policy dates, the previous draft); None: no prefill."""

    promised_reply_by: date | None = None
    reply_by: date | None = None
    requested_at: datetime | None = None
    outcome: Outcome | None = None
    reasons: str | None = None
    remedy: str | None = None
    brief: PersonBrief | None = None   # the named person's Respond form
    out_of_window: bool | None = None  # a review request outside the review window
    respond_by: str | None = None


def step_modal(action: Action, view: CaseCardView, *, clicker: str, today: date,
               private_metadata: str, policy_prefill: StepPrefill | None = None) -> View:
    """The small modal for one card button, prefilled from the policy where it helps."""
    p = policy_prefill or StepPrefill()
    ref, meta = view.reference, private_metadata
    if action is Action.ACKNOWLEDGE:
        return acknowledge_modal(ref, meta, owner=clicker,
                                 promised_reply_by=p.promised_reply_by or today)
    if action is Action.RESOLVE:
        return resolve_modal(ref, meta)
    if action is Action.ASSIGN_INVESTIGATOR:
        return assign_investigator_modal(ref, meta, view.investigator)
    if action is Action.CONCLUDE_INVESTIGATION:
        return conclude_investigation_modal(ref, meta)
    if action is Action.SEND_REPLY:
        return send_reply_modal(ref, meta)
    if action is Action.REQUEST_REVIEW:
        if p.requested_at is None:
            raise ValueError("the escalate modal needs policy_prefill.requested_at")
        return request_review_modal(ref, meta, requested_at=p.requested_at,
                                    out_of_window=(view.state is not State.REPLIED
                                                   if p.out_of_window is None
                                                   else p.out_of_window))
    if action is Action.WITHDRAW:
        return withdraw_modal(ref, meta)
    if action is Action.ACKNOWLEDGE_REVIEW:
        return acknowledge_review_modal(ref, meta, reply_by=p.reply_by or today)
    if action is Action.DELEGATE_REVIEW:
        return delegate_modal(ref, meta)
    if action is Action.RECORD_PERSON_RESPONSE:
        return respond_modal(ref, meta, p.respond_by, p.brief)
    if action is Action.SEND_PROGRESS_UPDATE:
        return progress_update_modal(ref, meta)
    if action is Action.PROPOSE_DECISION:
        return draft_decision_modal(ref, meta, outcome=p.outcome,
                                    reasons=p.reasons, remedy=p.remedy)
    if action is Action.REQUEST_CHANGES:
        return request_changes_modal(ref, meta)
    raise ValueError(f"no modal for {action.value!r}")
