"""The work queues on App Home: each row with Open, its step (if any) and Case file."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, DividerBlock

from cases.queues import Queue, QueueRow
from handlers.blocks._common import case_button, context, escape, section
from handlers.blocks.card import deadline_line
from handlers.ids import ActionId, CaseRef

MAX_QUEUE_ROWS = 5


def _row(row: QueueRow) -> list[Block]:
    ref = CaseRef(row.case_id, row.version)
    buttons: list[ButtonElement] = [case_button(ActionId.OPEN_CASE, ref, label="Open")]
    if row.action is not None:
        buttons.append(case_button(row.action, ref, style="primary"))
    buttons.append(case_button(ActionId.CASE_FILE, ref, label="Case file"))
    return [section(f"*{row.reference}* · {escape(row.summary)} · {row.phase_label}\n"
                    + deadline_line(row.deadline)),
            ActionsBlock(elements=buttons)]


def queue_blocks(queues: Sequence[Queue], rows_each: int = MAX_QUEUE_ROWS) -> list[Block]:
    """Every queue: its title (with counts), its first rows, how many more there are."""
    blocks: list[Block] = []
    for queue in queues:
        title = f"*{queue.title}* ({len(queue.rows)})"
        if queue.counts:
            title += "\n" + " · ".join(f"{escape(label)}: {n}" for label, n in queue.counts)
        blocks.append(section(title))
        if not queue.rows:
            blocks.append(context(queue.empty))
        for row in queue.rows[:rows_each]:
            blocks.extend(_row(row))
        if len(queue.rows) > rows_each:
            blocks.append(context(f"…and {len(queue.rows) - rows_each} more: "
                                  "use `/complaint list open` or `/complaint find`."))
        blocks.append(DividerBlock())
    return blocks
