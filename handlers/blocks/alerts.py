"""Deadline alert and daily digest messages: reference, deadline, owner, button; no PII."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from slack_sdk.models.blocks import ActionsBlock, Block

from handlers.blocks._common import case_button, clip, context, escape, mention, section
from handlers.ids import ActionId, CaseRef

Message = tuple[str, list[Block]]
DIGEST_BUTTONS = 5

_HEADLINE = {
    "due_soon": ":large_yellow_circle: Due soon",
    "due_today": ":large_yellow_circle: Due today",
    "overdue": ":red_circle: Overdue",
    "escalated": ":rotating_light: Overdue Stage One deadline raised to directors",
}


class LocalTime(Protocol):
    def local(self, at: datetime) -> datetime: ...


def _days(n: int) -> str:
    return f"{n} working day" if n == 1 else f"{n} working days"


def due_phrase(label: str, due_at: datetime, as_of: date, calendar: LocalTime,
               overdue_days: int | None = None) -> str:
    """'Acknowledgement due 17:00 today', '... due 17:00 Tue 7 Apr', '... was due ... (2 late)'."""
    local = calendar.local(due_at)
    when = f"{local:%H:%M} today" if local.date() == as_of else f"{local:%H:%M} {local:%a %-d %b}"
    if overdue_days is None:
        return f"{label} due {when}"
    late = f"overdue by {_days(overdue_days)}" if overdue_days else "overdue"
    return f"{label} was due {when}, {late}"


def _overdue(payload: Mapping[str, Any]) -> int | None:
    if payload.get("alert") in ("overdue", "escalated"):
        return int(payload.get("overdue_days") or 0)
    value = payload.get("overdue_days")
    return None if value is None or payload.get("alert") else int(value)


def alert_message(payload: Mapping[str, Any], case_id: int, calendar: LocalTime) -> Message:
    """One alert: headline, reference, the deadline in words, the owner, 'Open case'."""
    reference = escape(str(payload["reference"]))
    as_of = date.fromisoformat(str(payload["as_of"]))
    phrase = due_phrase(str(payload["label"]), datetime.fromisoformat(str(payload["due_at"])),
                        as_of, calendar, _overdue(payload))
    owner = mention(payload.get("owner"), nobody="no owner yet")
    headline = _HEADLINE.get(str(payload.get("alert")), "Deadline")
    text = clip(f"{reference}: {phrase}. Owner: {owner}", 3000)
    blocks: list[Block] = [
        section(f"{headline} · *{reference}*\n{escape(phrase)}\nOwner: {owner}"),
        ActionsBlock(elements=[case_button(ActionId.OPEN_CASE, CaseRef(case_id),
                                           label="Open case")]),
    ]
    return text, blocks


def digest_message(payload: Mapping[str, Any], calendar: LocalTime) -> Message:
    """The 09:00 digest for one channel: what is due today and what is overdue."""
    as_of = date.fromisoformat(str(payload["as_of"]))
    items = list(payload.get("items") or [])
    more = int(payload.get("more") or 0)
    today = [i for i in items if i.get("overdue_days") is None]
    late = [i for i in items if i.get("overdue_days") is not None]
    title = f"*Deadlines for {as_of:%a %-d %b %Y}*"
    text = (f"Deadlines today: {len(today)} due today, {len(late) + more} overdue"
            if items or more else "Deadlines today: nothing due today or overdue")
    blocks: list[Block] = [section(title)]
    if not items and not more:
        blocks.append(context("Nothing is due today or overdue. :tada:"))
        return text, blocks
    for heading, group in (("Overdue", late), ("Due today", today)):
        if not group:
            continue
        lines = [
            f"• *{escape(str(i['reference']))}*: " + escape(due_phrase(
                str(i["label"]), datetime.fromisoformat(str(i["due_at"])), as_of, calendar,
                i.get("overdue_days"))) + f" ({mention(i.get('owner'), nobody='no owner yet')})"
            for i in group
        ]
        blocks.append(section(f"*{heading}*\n" + "\n".join(lines)))
    if more:
        blocks.append(context(f"…and {more} more: see App Home or `/complaint list overdue`."))
    buttons = [case_button(ActionId.OPEN_CASE, CaseRef(int(i["case_id"])),
                           label=f"Open {clip(str(i['reference']), 60)}")
               for i in (late + today)[:DIGEST_BUTTONS]]
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return text, blocks
