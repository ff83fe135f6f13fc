"""Deadline alert and daily digest messages: reference, deadline, owner, button; no PII.

The words come from ``cases.messages`` (``alert_view``, ``digest_view``); this module
only adds mrkdwn, emoji and buttons, and never drops an item: a digest lists every item
its notice carries, across as many sections as that takes, and counts the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block

from cases.alerts import AlertKind
from cases.messages import (
    AlertView,
    DigestGroup,
    DigestView,
    LocalTime,
    alert_view,
    digest_view,
    due_phrase,
)
from handlers.blocks._common import (
    SECTION_TEXT_MAX,
    Message,
    case_button,
    clip,
    context,
    escape,
    fallback,
    mrkdwn,
    section,
    sections,
)
from handlers.blocks.direct import button
from handlers.ids import ActionId, CaseRef

DIGEST_BUTTONS = 5

ALERT_EMOJI: dict[AlertKind, str] = {
    AlertKind.DUE_SOON: ":large_yellow_circle:",
    AlertKind.DUE_TODAY: ":large_yellow_circle:",
    AlertKind.OVERDUE: ":red_circle:",
    AlertKind.ESCALATED: ":rotating_light:",
}

__all__ = ["DIGEST_BUTTONS", "alert_blocks", "alert_message", "digest_blocks",
           "digest_message", "due_phrase"]


def alert_blocks(view: AlertView) -> Message:
    """One alert: headline, reference, the deadline in words, the owner, 'Open case'."""
    reference = escape(view.reference)
    owner = mrkdwn((view.owner,))
    headline = view.headline if view.kind is None else f"{ALERT_EMOJI[view.kind]} {view.headline}"
    text = clip(f"{reference}: {view.phrase}. {view.owner_part}: {fallback((view.owner,))}",
                SECTION_TEXT_MAX)
    ref = CaseRef(view.case_id)
    blocks: list[Block] = [
        section(f"{headline} · *{reference}*\n{escape(view.phrase)}\n{view.owner_part}: {owner}"),
        ActionsBlock(elements=[button(b, ref) for b in view.buttons]),
    ]
    return text, blocks


def alert_message(payload: Mapping[str, Any], case_id: int, calendar: LocalTime) -> Message:
    """An alert notice rendered for Slack."""
    return alert_blocks(alert_view(payload, case_id, calendar))


def _group_blocks(group: DigestGroup) -> list[Block]:
    lines = [f"• *{escape(i.reference)}*: {escape(i.phrase)} ({mrkdwn((i.owner,))})"
             for i in group.items]
    return list(sections(f"*{group.heading}*\n" + "\n".join(lines)))


def digest_blocks(view: DigestView) -> Message:
    """The 09:00 digest for one channel: what is overdue and what is due today."""
    blocks: list[Block] = [section(f"*{escape(view.title)}*")]
    if not view.groups and not view.more:
        blocks.append(context(f"{view.empty} :tada:"))
        return view.summary, blocks
    for group in view.groups:
        blocks.extend(_group_blocks(group))
    if view.more:
        blocks.append(context(f"…and {view.more} more: see App Home or "
                              "`/complaint list overdue`."))
    # Slack refuses two equal action_ids in one block: each "Open" gets its own.
    blocks.extend(
        ActionsBlock(elements=[case_button(ActionId.OPEN_CASE, CaseRef(i.case_id),
                                           label=f"Open {clip(i.reference, 60)}")])
        for i in view.items[:DIGEST_BUTTONS])
    return view.summary, blocks


def digest_message(payload: Mapping[str, Any], calendar: LocalTime) -> Message:
    """A digest notice rendered for Slack."""
    return digest_blocks(digest_view(payload, calendar))
