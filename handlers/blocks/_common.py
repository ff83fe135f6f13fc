"""Small helpers shared by the Block Kit builders: escaping, splitting, mrkdwn, buttons."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
)

from cases.lifecycle import ACTION_LABELS, Action
from cases.views import Marker, PhaseStatus
from cases.wording import Line, Person, Strong
from handlers.ids import ACTION_BUTTONS, ActionId, CaseRef, encode_case_ref

# A message as the builders return it: the notification text and its blocks.
Message = tuple[str, list[Block]]

SECTION_TEXT_MAX = 3000
BUTTON_TEXT_MAX = 75
HEADER_TEXT_MAX = 150
OPTION_TEXT_MAX = 75
FIELD_TEXT_MAX = 2000
MODAL_BLOCKS_MAX = 100

MARKER_EMOJI: dict[Marker, str] = {
    Marker.ON_TIME: ":large_green_circle:",
    Marker.DUE_SOON: ":large_yellow_circle:",
    Marker.OVERDUE: ":red_circle:",
    Marker.INFORMATION: ":information_source:",
}

PHASE_EMOJI: dict[PhaseStatus, str] = {
    "done": ":white_check_mark:",
    "current": ":arrow_forward:",
    "todo": ":white_circle:",
    "skipped": ":heavy_minus_sign:",
}


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to at most ``limit`` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"


def split_text(text: str, limit: int = SECTION_TEXT_MAX) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, nothing lost.

    Cuts at the last line break, else the last space, within the limit; a word longer
    than the limit is cut where it must be, never inside an ``&amp;``-style entity.
    """
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
            amp = rest.rfind("&", max(0, cut - 5), cut)
            if amp > 0 and ";" not in rest[amp:cut]:
                cut = amp
            pieces.append(rest[:cut])
            rest = rest[cut:]
            continue
        pieces.append(rest[:cut])
        rest = rest[cut + 1:]
    pieces.append(rest)
    return pieces


def sections(text: str, *, block_id: str | None = None) -> list[SectionBlock]:
    """As many mrkdwn sections as ``text`` needs: long text is split, never cut."""
    parts = split_text(text, SECTION_TEXT_MAX)
    return [SectionBlock(text=MarkdownTextObject(text=part),
                         block_id=block_id if i == 0 else None)
            for i, part in enumerate(parts)]


def mrkdwn(line: Line) -> str:
    """A line of words in Slack mrkdwn: text escaped, emphasis bold, people mentioned."""
    out: list[str] = []
    for span in line:
        if isinstance(span, Strong):
            out.append(f"*{escape(span.text)}*")
        elif isinstance(span, Person):
            out.append(mention(span.id, nobody=span.nobody))
        else:
            out.append(escape(span))
    return "".join(out)


def fallback(line: Line) -> str:
    """A line as a message's notification text: plain words, people mentioned."""
    out: list[str] = []
    for span in line:
        if isinstance(span, Strong):
            out.append(span.text)
        elif isinstance(span, Person):
            out.append(f"<@{span.id}>" if span.id else span.nobody)
        else:
            out.append(span)
    return "".join(out)


def mention(user_id: str | None, *, nobody: str = "not yet assigned") -> str:
    """A user mention, or a placeholder when nobody holds the part."""
    return f"<@{user_id}>" if user_id else f"_{nobody}_"


def section(text: str, *, block_id: str | None = None) -> SectionBlock:
    """A mrkdwn section, clipped to Slack's 3000-character limit."""
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT_MAX)),
                        block_id=block_id)


def context(text: str, *, block_id: str | None = None) -> ContextBlock:
    """A small-print line."""
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, SECTION_TEXT_MAX))],
                        block_id=block_id)


def plain(text: str, limit: int | None = None) -> PlainTextObject:
    """Plain text (with emoji), optionally clipped."""
    return PlainTextObject(text=clip(text, limit) if limit else text, emoji=True)


def option(value: str, label: str) -> Option:
    """A select/radio/checkbox option with a clipped label."""
    return Option(value=value, text=plain(label, OPTION_TEXT_MAX))


def case_button(action: Action | ActionId, ref: CaseRef, *, label: str | None = None,
                style: str | None = None) -> ButtonElement:
    """A button whose value carries the case id and version as JSON."""
    action_id = action if isinstance(action, ActionId) else ACTION_BUTTONS[action]
    text = label or (ACTION_LABELS[action] if isinstance(action, Action) else action.value)
    return ButtonElement(text=plain(text, BUTTON_TEXT_MAX), action_id=action_id.value,
                         value=encode_case_ref(ref), style=style)


def require_id(case_id: int | None, reference: str) -> int:
    """Buttons need a stored case; refuse to render one for an unsaved case."""
    if case_id is None:
        raise ValueError(f"{reference} has no id yet: store the case before rendering it")
    return case_id
