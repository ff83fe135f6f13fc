"""Where a step's dialog starts: the policy's dates, the previous draft, the named person's
brief. The same starting points the Slack modals take (``handlers/listeners/step_buttons``),
read from the same use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cases.lifecycle import Action, outside_review_window
from cases.model import Case, DeadlineKind
from cases.subject import person_brief
from cases.views import format_when
from teams.cards import escape
from teams.deps import TeamsDeps

NO_REPLY = "no Stage One reply was sent"


@dataclass(frozen=True)
class StepStart:
    """The dialog's prefilled values and the lines shown above its inputs."""

    values: dict[str, Any] = field(default_factory=dict)
    intro: tuple[str, ...] = ()


def step_start(deps: TeamsDeps, action: Action, case: Case, actor: str) -> StepStart:
    """What the dialog for ``action`` on ``case`` starts from, for ``actor``."""
    cal = deps.calendar
    if action is Action.ACKNOWLEDGE:
        dates = deps.desk.policy_dates(case.received_at)
        return StepStart({"owner": actor, "procedure_attached": "true",
                          "promised_reply_by": cal.local_date(
                              dates.stage_one_reply_expected_by)})
    if action is Action.ACKNOWLEDGE_REVIEW:
        due = case.deadlines.get(DeadlineKind.STAGE_TWO_REPLY)
        return StepStart({"reply_by": cal.local_date(due.due_at)} if due else {})
    if action is Action.REQUEST_REVIEW:
        now = deps.clock.now()
        intro = ("The request is outside the review window: say why it is accepted.",) \
            if outside_review_window(case, now) else ()
        return StepStart({"requested_at": cal.local(now)}, intro)
    if action is Action.RECORD_PERSON_RESPONSE:
        return StepStart(intro=respond_intro(deps, case))
    if action is Action.PROPOSE_DECISION and case.decision is not None:
        # Redrafting after "Request changes": start from the previous draft.
        d = case.decision
        return StepStart({"outcome": d.outcome.value, "reasons": d.reasons,
                          "remedy": d.remedy})
    return StepStart()


def respond_intro(deps: TeamsDeps, case: Case) -> tuple[str, ...]:
    """For the person the complaint is about: what it says and the Stage One outcome, never
    the complainant's contact details."""
    brief = person_brief(case)
    by = (f" Please respond by **{format_when(brief.respond_by, deps.calendar)}**."
          if brief.respond_by else "")
    outcome = f"**Stage One outcome:** {brief.outcome or NO_REPLY}"
    if brief.suggestions:
        outcome += f"\n\n{escape(brief.suggestions)}"
    return ("The complaint concerns you. Your response goes to the reviewer only." + by,
            f"**What the complaint says**\n\n{escape(brief.facts)}", outcome)
