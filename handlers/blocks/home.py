"""App Home, `/complaint list` and `/complaint help`."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
)
from slack_sdk.models.views import View

from cases.views import CaseCardView, HomeRow, HomeViewModel
from handlers.blocks._common import (
    MARKER_EMOJI,
    SECTION_TEXT_MAX,
    context,
    escape,
    plain,
    section,
)
from handlers.blocks.card import deadline_line
from handlers.ids import ActionId, BlockId

MAX_HOME_ATTENTION = 20
MAX_HOME_OPEN = 40


# ---- App Home ---------------------------------------------------------------------------

def _home_row(row: HomeRow) -> Block:
    part = f" · you: {row.your_part}" if row.your_part else ""
    return section(f"*{row.reference}* · {escape(row.summary)} · {row.phase_label}{part}\n"
                   + deadline_line(row.deadline))


def _home_rows(rows: Sequence[HomeRow], limit: int, empty: str) -> list[Block]:
    if not rows:
        return [context(empty)]
    blocks = [_home_row(r) for r in rows[:limit]]
    if len(rows) > limit:
        blocks.append(context(f"…and {len(rows) - limit} more: use `/complaint list mine`."))
    return blocks


def home_view(model: HomeViewModel) -> View:
    """The App Home tab: a 'Log a complaint' button, what needs attention, your open cases."""
    blocks: list[Block] = [
        HeaderBlock(text=plain("Complaints Desk")),
        ActionsBlock(block_id=BlockId.HOME_ACTIONS.value, elements=[
            ButtonElement(text=plain("Log a complaint"), action_id=ActionId.LOG_COMPLAINT.value,
                          style="primary", value="home"),
        ]),
        DividerBlock(),
        section("*Due soon or overdue*"),
        *_home_rows(model.attention, MAX_HOME_ATTENTION, "Nothing due soon. :tada:"),
        DividerBlock(),
        section("*Your open cases*"),
        *_home_rows(model.open_cases, MAX_HOME_OPEN, "You have no open cases."),
    ]
    return View(type="home", blocks=blocks)


# ---- lists ----------------------------------------------------------------------------

MAX_LIST_ROWS = 30
# `/complaint list WHICH`: the heading, and what to say when there are none.
LIST_WORDS: dict[str, tuple[str, str]] = {
    "mine": ("Your open cases", "You have no open cases."),
    "overdue": ("Overdue cases", "No overdue cases that you can see."),
    "open": ("Open cases", "No open cases that you can see."),
}


def case_list_text(which: str, views: Sequence[CaseCardView]) -> str:
    """`/complaint list` answer: one line per case, no personal data.

    As many whole lines as fit (at most ``MAX_LIST_ROWS``); the rest are counted, never cut.
    """
    heading, none = LIST_WORDS.get(which, (f"{which.capitalize()} cases",
                                           f"No {which} cases that you can see."))
    if not views:
        return none
    lines = [f"*{heading}* ({len(views)})"]
    room = SECTION_TEXT_MAX - len(lines[0]) - 40  # kept for the "…and N more" line
    shown = 0
    for v in views[:MAX_LIST_ROWS]:
        due = ""
        if v.deadline is not None:
            due = (f" · {MARKER_EMOJI[v.deadline.marker]} {v.deadline.label}: "
                   f"{v.deadline.time_left}")
        line = f"• *{v.reference}* · {escape(v.summary)} · {v.phase_label}{due}"
        if len(line) + 1 > room:
            break
        room -= len(line) + 1
        lines.append(line)
        shown += 1
    if len(views) > shown:
        lines.append(f"…and {len(views) - shown} more.")
    return "\n".join(lines)


# ---- help -------------------------------------------------------------------------------

def help_text() -> str:
    """What `/complaint help` answers."""
    return (
        "*Complaints Desk*: log customer complaints and track them through the procedure.\n"
        "• `/complaint new` — log a complaint (opens the intake form)\n"
        "• `/complaint list [mine|overdue|open]` — cases you can see (default: open)\n"
        "• `/complaint show REF` — one case's card, just for you\n"
        "• `/complaint escalate REF` — record a request for a Stage Two review\n"
        "• `/complaint note REF TEXT` — add a note to the case's history (any stage)\n"
        "• `/complaint report [FROM [TO]]` — trends and effectiveness of complaints "
        "received FROM–TO (YYYY-MM-DD; default the last full quarter): HR manager and "
        "directors\n"
        "• `/complaint help` — this message\n"
        "You can also use the *Log a complaint* shortcut, or *Log as complaint* on a message."
    )
