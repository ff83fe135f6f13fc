"""The letter part of a step modal: how the letter goes, and its words to edit.

Built from ``cases.letters.LetterChoice`` (the view model); only Block Kit markup here.
The blocks are appended to a step's modal, so the modal builders need not know letters.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    InputBlock,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from cases.communications import LogLine
from cases.letters import LETTER_LABELS, METHOD_LABELS, LetterChoice
from cases.step_letters import LETTER_METHOD as STEP_LETTER_METHOD
from cases.step_letters import LETTER_TEXT as STEP_LETTER_TEXT
from handlers.blocks._common import MODAL_BLOCKS_MAX, Message, context, escape, option, plain
from handlers.blocks.plain import JSONBlock, JSONView, button, divider
from handlers.blocks.plain import context as json_context
from handlers.blocks.plain import section as json_section

# Block ids (also the action ids) of the letter inputs, the core's input names: the
# listener reads them back and a refusal names them.
LETTER_METHOD = STEP_LETTER_METHOD
LETTER_TEXT = STEP_LETTER_TEXT
# The communications log's button: value "<case id>:<letter key>".
RESEND_ACTION = "letter_resend"
# Slack's limit on a plain-text input's value.
LETTER_TEXT_MAX = 3000


def letter_choice_blocks(choice: LetterChoice) -> list[Block]:
    """A divider, the way it goes (radio), the editable letter, and any notes."""
    options = [option(m.value, METHOD_LABELS[m]) for m in choice.methods]
    initial = next(o for o in options if o.value == choice.default.value)
    blocks: list[Block] = [
        DividerBlock(),
        InputBlock(block_id=LETTER_METHOD,
                   label=plain(f"Letter: {LETTER_LABELS[choice.kind]}"),
                   element=RadioButtonsElement(action_id=LETTER_METHOD, options=options,
                                               initial_option=initial)),
        InputBlock(block_id=LETTER_TEXT, label=plain("The letter (edit before sending)"),
                   element=PlainTextInputElement(
                       action_id=LETTER_TEXT, multiline=True, max_length=LETTER_TEXT_MAX,
                       initial_value=choice.text[:LETTER_TEXT_MAX]),
                   hint=plain("Nothing is sent until you submit. If you change who deals "
                              "with it or the date above, change the letter too.")),
    ]
    blocks.extend(context(note) for note in choice.notes)
    return blocks


def with_letter_choice(view: View, choice: LetterChoice) -> View:
    """The step modal ``view`` with the letter part added at its end."""
    view.blocks = [*(view.blocks or []), *letter_choice_blocks(choice)]
    return view


def letters_log_blocks(lines: list[LogLine], room: int | None = None) -> list[JSONBlock]:
    """The communications log: each letter, how and when it went, its state; Resend.

    Plain JSON (``handlers.blocks.plain``): it ends the View details modal. ``room``: the
    most blocks it may take; the newest letters that fit are shown, and a line says how
    many earlier ones the case file has."""
    blocks: list[JSONBlock] = [divider(),
                               json_context("*Letters to the complainant*" if lines else
                                            "*Letters to the complainant:* none yet")]
    hidden = 0
    if room is not None and len(blocks) + len(lines) > room:
        shown = max(room - len(blocks) - 1, 0)
        hidden, lines = len(lines) - shown, lines[:shown]  # newest first
    for line in lines:
        text = (f"*{escape(line.title)}* {escape(line.how)}, {line.when}, by <@{line.by}>: "
                f"_{escape(line.state)}_")
        if line.error:
            text += f"\n{escape(line.error[:300])}"
        blocks.append(json_section(text, accessory=button(
            "Resend", RESEND_ACTION, f"{line.case_id}:{line.key}") if line.resendable else None))
    if hidden:
        blocks.append(json_context(f"… and {hidden} earlier letter{'s' * (hidden != 1)}: "
                                   "the case file lists every one."))
    return blocks


def with_letters_log(view: JSONView, lines: list[LogLine]) -> JSONView:
    """A modal (the case's details) with the communications log at its end, within
    Slack's 100 blocks a modal."""
    shown = list(view.get("blocks", ()))
    view["blocks"] = [*shown, *letters_log_blocks(lines, MODAL_BLOCKS_MAX - len(shown))]
    return view


def letter_refused_message(words: str, case_id: int, letter_key: str) -> Message:
    """To the owner: the mail server refused a letter; Resend it from here."""
    return words, [
        SectionBlock(text={"type": "mrkdwn", "text": f":warning: {escape(words)}"[:3000]}),
        ActionsBlock(elements=[ButtonElement(text=plain("Resend"), action_id=RESEND_ACTION,
                                             value=f"{case_id}:{letter_key}",
                                             style="primary")])]
