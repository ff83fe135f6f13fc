"""Letters on their own, in Teams: *Send final letter*, *Resend*, the communications log.

As ``handlers/listeners/letters.py`` does on Slack, from the same core: *Send final letter*
(on the customer-services card while the approved decision's letter has not gone, and in
the direct message that prompts the owner) opens a dialog with the final letter, filled in
and editable, and the choice of how it goes (``cases.step_letters``); its submit records it
through ``send_letter``. *Resend* (in the communications log the details dialog ends with,
and in the message telling the owner the mail server refused a letter) queues a letter
again through ``resend_letter``. A Resend button is a dialog fetch from a message and a
dialog submit inside the details dialog; both are answered with a line in the dialog.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cases.communications import log_lines
from cases.errors import DomainError, IntakeInvalid, InvalidTransition
from cases.letters import letter_choice as core_letter_choice
from cases.model import Case
from cases.step_letters import read_choice
from teams import cards, forms
from teams.deps import TeamsDeps, closing, dialog
from teams.ids import Dialog
from teams.letter_dialogs import (
    letter_fields,
    letter_names,
    letter_notes,
    letter_values,
    step_letters,
)
from teams.people import BadActivity

FINAL_INTRO = ("The decision is approved and final. Send the complainant its letter: "
               "nothing goes until you press Submit.")


def _int(data: Mapping[str, Any], key: str) -> int:
    try:
        return int(data[key])
    except (KeyError, TypeError, ValueError):
        raise BadActivity(f"this form has no {key}") from None


def _final_choice(deps: TeamsDeps, case: Case, actor: str) -> Any:
    """The approved decision's letter and the ways it may go; InvalidTransition if the
    desk writes no letters, there is no approved decision, or its letter has gone."""
    if deps.letters is None:
        raise InvalidTransition("This desk writes no letters (no letters surface).")
    if not case.final_letter_unsent:
        raise InvalidTransition(f"The final letter for {case.reference} has been sent: "
                                "the case's details show it in the communications log.")
    view = step_letters(deps).final(case, letter_names(deps)(actor))
    return view, core_letter_choice(view, deps.letters.text(view),
                                    mail_configured=deps.letters.mail_configured)


def final_letter_dialog(deps: TeamsDeps, actor: str, case_id: int, *,
                        data: Mapping[str, Any] | None = None,
                        errors: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The final decision's letter to edit and how it goes (as submitted, with errors)."""
    case = deps.desk.get_case(case_id)
    deps.desk.letters_of(case_id, actor=actor)  # need to know, or refused here
    _, choice = _final_choice(deps, case, actor)
    fields = letter_fields(choice)
    values = letter_values(choice) if data is None else forms.values_of(fields, dict(data))
    return dialog("Final decision letter", forms.form_card(
        f"Final decision letter: {case.reference}", fields,
        {"dialog": Dialog.FINAL_LETTER.value, "case_id": case_id},
        values=values, errors=errors, intro=(FINAL_INTRO,), outro=letter_notes(choice)))


def submit_final_letter(deps: TeamsDeps, actor: str, data: Mapping[str, Any]
                        ) -> dict[str, Any]:
    """The final letter sent as edited (email by the outbox, post as PDFs to the sender,
    phone recorded), or the dialog again with the error at the letter's input."""
    case_id = _int(data, "case_id")
    case = deps.desk.get_case(case_id)
    view, choice = _final_choice(deps, case, actor)
    try:
        method, words = read_choice(data.get("letter_method"), data.get("letter_text"),
                                    choice.methods)
    except IntakeInvalid as exc:
        return final_letter_dialog(deps, actor, case_id, data=data, errors=exc.errors)
    deps.desk.send_letter(case_id, actor=actor, view=view, method=method, text=words)
    deps.wake()
    return closing(f"Final decision letter for {case.reference}: {method.value} "
                   "recorded. The communications log in View details shows it.")


def resend(deps: TeamsDeps, actor: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A letter queued again (a new log entry pointing at the one it repeats)."""
    case_id, key = _int(data, "case_id"), str(data.get("letter") or "")
    if not key:
        raise BadActivity("this Resend button is not one the desk made")
    entry = deps.desk.resend_letter(case_id, key, actor=actor)
    deps.wake()
    return closing(f"Sent again {entry.recipient or ''}: the log shows when the mail server "
                   "takes it.")


def resend_button(case_id: int | None, key: str, *, in_dialog: bool) -> dict[str, Any]:
    """Resend: a dialog fetch from a message, a dialog submit inside the details dialog."""
    if in_dialog:
        return {"type": "Action.Submit", "title": "Resend",
                "data": {"dialog": Dialog.RESEND.value, "case_id": case_id, "letter": key}}
    return cards.dialog_button("Resend", Dialog.RESEND, "positive", case_id=case_id,
                               letter=key)


def log_items(deps: TeamsDeps, case_id: int, actor: str) -> list[dict[str, Any]]:
    """The communications log for the details dialog: each letter, how and when it went,
    its state, and Resend where it bounced or may have been lost (none: not theirs)."""
    try:
        entries = deps.desk.letters_of(case_id, actor=actor)
    except DomainError:
        return []
    lines = log_lines(entries, deps.policy.calendar.timezone)
    names = deps.people.names([line.by for line in lines])
    items = [cards.text("**Letters to the complainant**" if lines else
                        "**Letters to the complainant:** none yet", separator=True,
                        spacing="Medium")]
    for line in lines:
        said = (f"**{cards.escape(line.title)}** {cards.escape(line.how)}, {line.when}, by "
                f"{cards.escape(names(line.by))}: _{cards.escape(line.state)}_")
        if line.error:
            said += f"\n\n{cards.escape(line.error[:300])}"
        items.append(cards.text(said))
        if line.resendable:
            items.append({"type": "ActionSet", "actions": [
                resend_button(line.case_id, line.key, in_dialog=True)]})
    return items


def dispatch(deps: TeamsDeps, actor: str, data: Mapping[str, Any], *, submitted: bool
             ) -> dict[str, Any] | None:
    """The answer to a letter dialog's fetch or submit (None: not a letter dialog)."""
    kind = data.get("dialog")
    if kind == Dialog.RESEND.value:
        return resend(deps, actor, data)
    if kind == Dialog.FINAL_LETTER.value:
        if submitted:
            return submit_final_letter(deps, actor, data)
        return final_letter_dialog(deps, actor, _int(data, "case_id"))
    return None
