"""The root-cause and remedy part of the closing step modals (Phase Three).

Added at the end of the resolve, Stage One reply and draft decision modals, after what
they already ask, so other parts (the letter choice) can be added the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import Block, DividerBlock, StaticSelectElement
from slack_sdk.models.views import View

from cases.learning import REMEDY_LABELS, Learning, format_amount
from cases.lifecycle import Action
from handlers.blocks._common import context, option, plain
from handlers.blocks.inputs import checkboxes, input_block, text_input
from handlers.ids import BlockId

# The steps that close a stage: Stage One by resolution or reply, Stage Two by decision.
LEARNING_STEPS = frozenset({Action.RESOLVE, Action.SEND_REPLY, Action.PROPOSE_DECISION})
AMOUNT_MAX = 16


def learning_blocks(root_causes: Mapping[str, str], prior: Learning | None = None) -> list[Block]:
    """Root cause (the policy's list), remedies given, and the amount of a refund or credit."""
    options = [option(key, label) for key, label in root_causes.items()]
    initial = next((o for o in options if prior and o.value == prior.root_cause), None)
    select = StaticSelectElement(options=options, initial_option=initial,
                                 placeholder=plain("Choose the root cause"))
    ticked = {r.value for r in prior.remedies} if prior else set()
    amount = format_amount(prior.amount_pence)[1:] if prior and prior.amount_pence else None
    return [
        DividerBlock(),
        context("*To learn from* (counts only go into the quarterly review)"),
        input_block(BlockId.ROOT_CAUSE, "Root cause", select, optional=True,
                    hint="Left blank, the case shows as “not recorded” in reports."),
        input_block(BlockId.REMEDIES, "Remedy given",
                    checkboxes([(k.value, label) for k, label in REMEDY_LABELS.items()],
                               ticked), optional=True),
        input_block(BlockId.REMEDY_AMOUNT, "Amount refunded or credited (£)",
                    text_input(amount, max_length=AMOUNT_MAX, placeholder="e.g. 25.00"),
                    optional=True, hint="Only with a refund or credit."),
    ]


def with_learning(view: View, action: Action, root_causes: Mapping[str, str],
                  prior: Learning | None = None) -> View:
    """``view`` with the learning part at its end, for the steps that close a stage."""
    if action not in LEARNING_STEPS:
        return view
    view.blocks = [*(view.blocks or []), *learning_blocks(root_causes, prior)]
    return view
