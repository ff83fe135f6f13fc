"""Element and modal helpers shared by the modal builders: one action_id per input."""

from __future__ import annotations

from datetime import date, datetime

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    DatePickerElement,
    DateTimePickerElement,
    InputBlock,
    InputInteractiveElement,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from cases.intake import LABELS
from handlers.blocks._common import clip, context, option, plain
from handlers.ids import BlockId, CallbackId

MODAL_TITLE_MAX = 24
INPUT_LABEL_MAX = 150
PLACEHOLDER_MAX = 150

CHECKLIST_LABELS: dict[str, str] = {
    "referred_to_procedure": "I referred them to our complaints procedure",
    "feedback_form_sent": "I sent them our feedback form",
    "told_next_steps": "I told them what happens next and how long it takes",
}


def input_block(block: BlockId, label: str, element: InputInteractiveElement, *,
                optional: bool = False, hint: str | None = None) -> InputBlock:
    # One action_id per input across the whole view: the block id (the field) itself.
    element.action_id = block.value
    return InputBlock(block_id=block.value, label=plain(label, INPUT_LABEL_MAX), element=element,
                      optional=optional, hint=plain(hint, 2000) if hint else None)


def text_input(initial: str | None = None, *, multiline: bool = False, max_length: int,
               placeholder: str | None = None) -> PlainTextInputElement:
    return PlainTextInputElement(
        multiline=multiline, max_length=max_length,
        initial_value=clip(initial, max_length) if initial else None,
        placeholder=plain(placeholder, PLACEHOLDER_MAX) if placeholder else None,
    )


def select(values: list[str], initial: str | None, placeholder: str) -> StaticSelectElement:
    options = [option(v, LABELS.get(v, v.replace("_", " ").capitalize())) for v in values]
    chosen = next((o for o in options if o.value == initial), None)
    return StaticSelectElement(options=options,
                               initial_option=chosen, placeholder=plain(placeholder))


def users_select(initial: str | None = None) -> UserSelectElement:
    return UserSelectElement(initial_user=initial or None,
                             placeholder=plain("Choose a person"))


def date_picker(initial: date | None) -> DatePickerElement:
    return DatePickerElement(initial_date=initial.isoformat() if initial else None,
                             placeholder=plain("Choose a date"))


def datetime_picker(initial: datetime | None) -> DateTimePickerElement:
    return DateTimePickerElement(initial_date_time=int(initial.timestamp()) if initial else None)


def radio(choices: list[tuple[str, str]], initial: str | None) -> RadioButtonsElement:
    options = [option(v, label) for v, label in choices]
    chosen = next((o for o in options if o.value == initial), None)
    return RadioButtonsElement(options=options,
                               initial_option=chosen)


def checkboxes(choices: list[tuple[str, str]], checked: set[str]) -> CheckboxesElement:
    options = [option(v, label) for v, label in choices]
    initial = [o for o in options if o.value in checked] or None
    return CheckboxesElement(options=options,
                             initial_options=initial)


def modal(callback: CallbackId, title: str, blocks: list[Block], private_metadata: str,
          *, submit: str | None = "Save", close: str = "Cancel") -> View:
    return View(type="modal", callback_id=callback.value,
                title=plain(clip(title, MODAL_TITLE_MAX)),
                submit=plain(clip(submit, MODAL_TITLE_MAX)) if submit else None,
                close=plain(clip(close, MODAL_TITLE_MAX)), blocks=blocks,
                private_metadata=private_metadata)


def about(reference: str) -> Block:
    return context(f"Case *{reference}*")
