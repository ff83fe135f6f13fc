"""The letter a step writes to the complainant, whatever the surface it is taken on.

Which steps write one (``LETTER_STEPS``), the letter a step's form previews when it opens
(with markers where the form's own answers will go), the letter its submitted answers
make, and reading back the choice of how it goes (email, post, or told by phone: nothing
sent) with its edited words. A chat surface only draws the choice in its markup and hands
back what was chosen; the step's use case then records the ``LetterDraft`` in the step's
own transaction (``letter=``).

Answers are the step use case's keyword arguments (``owner``, ``promised_reply_by``,
``resolution``, ``outcome``, ``suggestions``, ``reply_by``, ``reason``, ``new_reply_by``),
so every surface reads its form into the same names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cases.company import CompanyDetails
from cases.deadlines import PolicyDates
from cases.errors import IntakeInvalid, InvalidTransition
from cases.letters import (
    DeliveryMethod,
    LetterChoice,
    LetterDraft,
    LetterView,
    LetterWriter,
    fill_markers,
    final_decision,
    letter_choice,
    progress_update,
    resolution,
    stage_one_acknowledgement,
    stage_one_reply,
    stage_two_acknowledgement,
    with_markers,
)
from cases.lifecycle import Action
from cases.model import Case, DeadlineKind, Outcome, State

# The steps whose form carries a letter to the complainant.
LETTER_STEPS = frozenset({Action.ACKNOWLEDGE, Action.RESOLVE, Action.SEND_REPLY,
                          Action.ACKNOWLEDGE_REVIEW, Action.SEND_PROGRESS_UPDATE})
# The letter's two inputs on every surface's form; errors are keyed by these names.
LETTER_METHOD = "letter_method"
LETTER_TEXT = "letter_text"
# Who signs a letter when the writer's name is not known.
FALLBACK_NAME = "our Customer Services Team"
NO_METHOD = "choose how the letter goes"
NO_TEXT = "write the letter, or choose phone and say what you told them"

Names = Callable[[str | None], str]  # a person id -> their name for a letter


@dataclass(frozen=True)
class StepLetters:
    """What a step's letter needs besides the case: the company, the day, the desk's dates."""

    company: CompanyDetails
    today: date
    local_date: Callable[[datetime], date]
    policy_dates: Callable[[datetime], PolicyDates]

    def opening(self, action: Action, case: Case, writer: str) -> LetterView | None:
        """The letter a step's form previews when it opens (None: the step writes none)."""
        company, day = self.company, self.today
        if action is Action.ACKNOWLEDGE:
            dates = self.policy_dates(case.received_at)
            return stage_one_acknowledgement(
                case, company, day, owner_name=writer,
                reply_by=self.local_date(dates.stage_one_reply_expected_by))
        if action is Action.ACKNOWLEDGE_REVIEW:
            due = case.deadlines.get(DeadlineKind.STAGE_TWO_REPLY)
            reply_by = self.local_date(due.due_at) if due else day
            return stage_two_acknowledgement(case, company, day, reviewer_name=writer,
                                             reply_by=reply_by)
        # The rest say what the form itself asks: markers stand where the answers will go.
        if action is Action.RESOLVE:
            return with_markers(resolution(case, company, day, resolution="",
                                           writer_name=writer))
        if action is Action.SEND_REPLY:
            return with_markers(stage_one_reply(case, company, day, outcome=Outcome.UPHELD,
                                                suggestions="", writer_name=writer))
        if action is Action.SEND_PROGRESS_UPDATE:
            return with_markers(progress_update(case, company, day, reason="", reply_by=day,
                                                writer_name=writer))
        return None

    def choice(self, action: Action, case: Case, writer: str,
               letters: LetterWriter | None) -> LetterChoice | None:
        """The letter part of a step's form: the ways it may go and its words to edit."""
        if letters is None or action not in LETTER_STEPS:
            return None
        view = self.opening(action, case, writer)
        if view is None:
            return None
        return letter_choice(view, letters.text(view), mail_configured=letters.mail_configured)

    def submitted(self, action: Action, case: Case, actor: str, answers: Mapping[str, Any],
                  name_of: Names) -> LetterView | None:
        """The letter as the submitted step's answers make it (for its words, HTML, PDF)."""
        company, day = self.company, self.today
        if action is Action.ACKNOWLEDGE:
            reply_by = answers.get("promised_reply_by")
            if reply_by is None:
                return None
            return stage_one_acknowledgement(case, company, day,
                                             owner_name=name_of(answers.get("owner")),
                                             reply_by=reply_by)
        if action is Action.ACKNOWLEDGE_REVIEW:
            return stage_two_acknowledgement(case, company, day, reviewer_name=name_of(actor),
                                             reply_by=answers.get("reply_by")
                                             or case.review_reply_by or day)
        if action is Action.RESOLVE:
            return resolution(case, company, day, resolution=answers.get("resolution") or "",
                              writer_name=name_of(actor))
        if action is Action.SEND_REPLY and answers.get("outcome") is not None:
            return stage_one_reply(case, company, day, outcome=Outcome(answers["outcome"]),
                                   suggestions=answers.get("suggestions") or "",
                                   writer_name=name_of(actor))
        if action is Action.SEND_PROGRESS_UPDATE and answers.get("new_reply_by") is not None:
            return progress_update(case, company, day, reason=answers.get("reason") or "",
                                   reply_by=answers["new_reply_by"],
                                   writer_name=name_of(actor))
        return None

    def final(self, case: Case, writer: str) -> LetterView:
        """The approved decision's letter; InvalidTransition while there is none."""
        decision = case.decision
        if case.state is not State.FINAL or decision is None or decision.approved_at is None:
            raise InvalidTransition(f"{case.reference} has no approved final decision to "
                                    "write to the complainant about yet.")
        return final_decision(case, self.company, self.today, outcome=decision.outcome,
                              reasons=decision.reasons, remedy=decision.remedy,
                              writer_name=writer)

    def draft(self, action: Action, case: Case, actor: str, answers: Mapping[str, Any],
              chosen: tuple[DeliveryMethod, str] | None, name_of: Names
              ) -> LetterDraft | None:
        """The letter the submitted step writes, for its use case to record with the step."""
        if chosen is None:
            return None
        view = self.submitted(action, case, actor, answers, name_of)
        if view is None:
            return None
        method, text = chosen
        return LetterDraft(view=view, method=method, text=fill_markers(text, view))


def read_choice(method: object, text: object,
                offered: tuple[DeliveryMethod, ...] | None = None
                ) -> tuple[DeliveryMethod, str]:
    """How the letter goes and its words, as a form handed them back; IntakeInvalid at
    the input that is wrong (no way chosen, one the form did not offer, or no words)."""
    try:
        chosen = DeliveryMethod(str(method) if method is not None else "")
    except ValueError:
        raise IntakeInvalid({LETTER_METHOD: NO_METHOD}) from None
    if offered is not None and chosen not in offered:
        raise IntakeInvalid({LETTER_METHOD: f"{NO_METHOD}: one of the ways offered"})
    if not isinstance(text, str) or not text.strip():
        raise IntakeInvalid({LETTER_TEXT: NO_TEXT})
    return chosen, text
