"""The letter a step writes, in its Teams dialog: the same choice as on Slack, from the core.

``cases.step_letters`` decides which step writes which letter, what the preview says and
how the choice is read back; here it becomes two inputs at the end of the step's dialog
(how it goes, and the words to edit) and, on submit, the ``LetterDraft`` the step's use
case records in the step's own transaction. Nothing is rendered here: an email goes by the
outbox, a posted letter's PDFs come to the sender's personal chat afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cases.letters import LETTER_LABELS, MAX_LETTER_TEXT, METHOD_LABELS, LetterChoice, LetterDraft
from cases.lifecycle import Action
from cases.model import Case
from cases.step_letters import (
    FALLBACK_NAME,
    LETTER_METHOD,
    LETTER_STEPS,
    LETTER_TEXT,
    Names,
    StepLetters,
    read_choice,
)
from teams.deps import TeamsDeps
from teams.forms import Field

LETTER_HINT = ("_Nothing is sent until you submit. If you change who deals with it or the "
               "date above, change the letter too._")


def step_letters(deps: TeamsDeps) -> StepLetters:
    """The core's step letters, for today on this desk."""
    return StepLetters(company=deps.policy.company,
                       today=deps.calendar.local_date(deps.clock.now()),
                       local_date=deps.calendar.local_date,
                       policy_dates=deps.desk.policy_dates)


def letter_names(deps: TeamsDeps) -> Names:
    """A person's name for a letter: as the desk knows them, else the team's."""
    def name(person_id: str | None) -> str:
        found = deps.desk.people([person_id]).get(person_id) if person_id else None
        return found.display_name if found and found.display_name else FALLBACK_NAME
    return name


def letter_choice(deps: TeamsDeps, action: Action, case: Case, actor: str
                  ) -> LetterChoice | None:
    """The letter part the step's dialog offers (None: the step writes no letter here)."""
    if action not in LETTER_STEPS:
        return None
    return step_letters(deps).choice(action, case, letter_names(deps)(actor), deps.letters)


def letter_fields(choice: LetterChoice | None) -> tuple[Field, ...]:
    """The dialog's letter inputs: how it goes (the usual way first), and its words."""
    if choice is None:
        return ()
    return (Field(LETTER_METHOD, "radio", f"Letter: {LETTER_LABELS[choice.kind]}", True,
                  tuple((m.value, METHOD_LABELS[m]) for m in choice.methods)),
            Field(LETTER_TEXT, "letter", "The letter (edit before sending)", True))


def letter_values(choice: LetterChoice | None) -> dict[str, Any]:
    """Where the letter inputs start: the usual way, and the letter filled in."""
    if choice is None:
        return {}
    return {LETTER_METHOD: choice.default.value, LETTER_TEXT: choice.text[:MAX_LETTER_TEXT]}


def letter_notes(choice: LetterChoice | None) -> tuple[str, ...]:
    """Below the letter: what nothing is sent before, and why a way is missing."""
    return () if choice is None else (LETTER_HINT, *(f"_{n}_" for n in choice.notes))


def drafted_letter(deps: TeamsDeps, action: Action, case_id: int, actor: str,
                   answers: Mapping[str, Any], data: Mapping[str, Any]) -> LetterDraft | None:
    """The letter the submitted dialog writes (None if it carried no letter part);
    IntakeInvalid at the letter input that is wrong."""
    if action not in LETTER_STEPS or deps.letters is None or LETTER_METHOD not in data:
        return None
    case = deps.desk.get_case(case_id)
    offered = letter_choice(deps, action, case, actor)
    chosen = read_choice(data.get(LETTER_METHOD), data.get(LETTER_TEXT),
                         offered.methods if offered else ())
    return step_letters(deps).draft(action, case, actor, answers, chosen, letter_names(deps))
