"""Step buttons on cards, DMs and the decision message: open the step's modal, or act at once.

A button that acts at once (approve) is checked against the version it showed; one that
opens a form is not (DMs are never re-rendered): the form carries the version it was
opened on, and a stale form is refused when submitted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.models.views import View

from cases.errors import DomainError
from cases.lifecycle import Action, outside_review_window
from cases.model import Case, DeadlineKind
from cases.subject import person_brief
from cases.views import format_when
from handlers import blocks
from handlers.answers import refusal_text, tell
from handlers.blocks.learning import with_learning
from handlers.deps import HandlerDeps
from handlers.identity import actor_of
from handlers.ids import BUTTON_ACTIONS, ActionId, CaseRef, encode_case_ref
from handlers.listeners.letter_steps import add_letter_choice
from handlers.payloads import BadPayload, button_value, case_ref_of, trigger_of
from handlers.routes import Routes

ACTS_AT_ONCE = frozenset({Action.APPROVE_DECISION})


def prefill(deps: HandlerDeps, action: Action, case: Case) -> blocks.StepPrefill:
    """Where a step modal starts: the policy's dates, or the previous draft when redrafting."""
    cal = deps.calendar
    if action is Action.ACKNOWLEDGE:
        dates = deps.desk.policy_dates(case.received_at)
        return blocks.StepPrefill(
            promised_reply_by=cal.local_date(dates.stage_one_reply_expected_by))
    if action is Action.ACKNOWLEDGE_REVIEW:
        due = case.deadlines.get(DeadlineKind.STAGE_TWO_REPLY)
        return blocks.StepPrefill(reply_by=cal.local_date(due.due_at) if due else None)
    if action is Action.REQUEST_REVIEW:
        now = deps.clock.now()
        return blocks.StepPrefill(requested_at=now,
                                  out_of_window=outside_review_window(case, now))
    if action is Action.RECORD_PERSON_RESPONSE:
        brief = person_brief(case)
        by = format_when(brief.respond_by, cal) if brief.respond_by else None
        return blocks.StepPrefill(brief=brief, respond_by=by)
    if action is Action.PROPOSE_DECISION and case.decision is not None:
        # Redrafting after "Request changes": start from the previous draft.
        return blocks.StepPrefill(outcome=case.decision.outcome, reasons=case.decision.reasons,
                                  remedy=case.decision.remedy)
    return blocks.StepPrefill()


def step_view(deps: HandlerDeps, action: Action, case: Case, user: str) -> View:
    """The small modal for one step, carrying the case and the version it was opened on."""
    assert case.id is not None
    meta = encode_case_ref(CaseRef(case_id=case.id, version=case.version))
    return blocks.step_modal(action, deps.card(case), clicker=user,
                             today=deps.calendar.local_date(deps.clock.now()),
                             private_metadata=meta, policy_prefill=prefill(deps, action, case))


def click(deps: HandlerDeps, domain_action: Action, body: Any, client: WebClient) -> None:
    """One step button pressed: refuse, act at once, or open the step's modal."""
    user = actor_of(body, deps.people)
    try:
        ref = case_ref_of(button_value(body))
        at_once = domain_action in ACTS_AT_ONCE
        case = deps.desk.check_action(ref.case_id, domain_action, actor=user,
                                      expected_version=ref.version if at_once else None)
        if at_once:
            deps.desk.approve_decision(ref.case_id, actor=user, expected_version=ref.version)
            deps.wake()
            return
        trigger = trigger_of(body)
    except (DomainError, BadPayload) as exc:
        tell(client, body, user, refusal_text(exc, deps.calendar))
        return
    view = add_letter_choice(deps, domain_action, case, user,
                             step_view(deps, domain_action, case, user), client)
    prior = (case.decision.learning if domain_action is Action.PROPOSE_DECISION
             and case.decision else case.learning)
    view = with_learning(view, domain_action, deps.policy.learning.root_causes, prior)
    client.views_open(trigger_id=trigger, view=view)


def _listener(deps: HandlerDeps, action_id: ActionId, domain_action: Action
              ) -> Callable[..., None]:
    def handle_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        click(deps, domain_action, body, client)

    handle_button.__name__ = f"handle_button_{action_id.value}"
    return handle_button


def register(app: Routes, deps: HandlerDeps) -> None:
    for action_id, domain_action in BUTTON_ACTIONS.items():
        app.action(action_id.value)(_listener(deps, action_id, domain_action))
