"""The case file modal: everything recorded, in pages within Slack's 100-block limit.

Texts are never cut: long ones run over several sections, and an entry is kept whole on
one page. Page 1 holds the cover (and the intake for need-to-know), then the history
newest first; "Older" and "Newer" move between pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from cases.casefile import CaseFile, FileEntry
from cases.intake import LABELS
from cases.roles import SYSTEM_ACTOR
from cases.usecases.casefile import OPERATOR, FoundCase
from cases.views import DisplayCalendar, format_when
from handlers.blocks._common import (
    BUTTON_TEXT_MAX,
    MODAL_BLOCKS_MAX,
    SECTION_TEXT_MAX,
    case_button,
    clip,
    context,
    escape,
    mention,
    plain,
    sections,
)
from handlers.blocks.inputs import modal
from handlers.ids import (
    ActionId,
    CallbackId,
    CaseRef,
    FileBlockId,
    PageRef,
    encode_case_ref,
    encode_page_ref,
)

# Room left on every page for the page line and the paging buttons.
PAGE_BLOCKS = MODAL_BLOCKS_MAX - 4

Chunk = list[Block]


def _row(label: str, value: str | None) -> str:
    return f"*{label}:* {escape(value) if value else '_not given_'}"


def _cover(file: CaseFile, calendar: DisplayCalendar) -> Chunk:
    lines = [
        f"*{escape(file.reference)}* · {escape(file.summary)}",
        f"*State:* {escape(file.state_label)} (Stage {'Two' if file.stage == 2 else 'One'})",
        f"*Received:* {format_when(file.received_at, calendar)} · *logged by* "
        f"{mention(file.logged_by)}",
        f"*Owner:* {mention(file.owner)} · *Investigator:* {mention(file.investigator)}",
        f"*Reviewer:* {mention(file.reviewer)} · *Delegate:* "
        f"{mention(file.delegate, nobody='none')}",
    ]
    lines.extend(f"• {escape(d.words(calendar))}" for d in file.deadlines)
    return [context(file.access_notice), *sections("\n".join(lines))]


def _intake(file: CaseFile, calendar: DisplayCalendar) -> Chunk:
    i = file.intake
    if i is None:
        return []
    relationship = LABELS[i.relationship.value]
    if i.relationship_other:
        relationship += f" ({i.relationship_other})"
    head = "\n".join([
        "*Intake*",
        _row("Name", i.complainant_name),
        _row("Organisation", i.organisation),
        _row("Email", str(i.email) if i.email else None),
        _row("Phone", i.phone),
        _row("Postal address", i.postal_address),
        _row("Relationship", relationship),
        _row("Received", f"{format_when(i.received_at, calendar)} by "
                         f"{LABELS[i.channel.value].lower()}"),
        f"*About staff member:* {mention(i.subject_user_id, nobody='nobody named')}",
    ])
    return [*sections(head), *sections("*Facts*\n" + escape(i.facts)),
            *sections("*What they would like us to do*\n"
                      + (escape(i.remedy_sought) if i.remedy_sought else "_not given_"))]


def _who(actor: str) -> str:
    """A person as a mention; the bot's sweeps and the operator CLI by name."""
    names = {SYSTEM_ACTOR: "_the bot_", OPERATOR: "_an operator (command line)_"}
    return names.get(actor) or mention(actor)


def entry_blocks(entry: FileEntry, calendar: DisplayCalendar) -> Chunk:
    """One history event: who, what, when, the people and facts, then each text whole."""
    lines = [f"*{escape(entry.label)}* · {format_when(entry.at, calendar)} · "
             f"{_who(entry.actor)}"]
    lines += [f"{escape(label)}: {_who(person)}" for label, person in entry.people]
    lines += [f"{escape(label)}: {escape(value)}" for label, value in entry.facts]
    if entry.withheld:
        lines.append(f"_{entry.WITHHELD}_")
    blocks: Chunk = [*sections("\n".join(lines))]
    for label, text in entry.texts:
        blocks.extend(sections(f"*{escape(label)}*\n{escape(text)}"))
    return blocks


def file_chunks(file: CaseFile, calendar: DisplayCalendar) -> list[Chunk]:
    """The file as chunks that stay together on a page: cover, intake, history newest first."""
    chunks = [_cover(file, calendar)]
    intake = _intake(file, calendar)
    if intake:
        chunks.append(intake)
    history = [[DividerBlock(), *entry_blocks(e, calendar)] for e in reversed(file.entries)]
    if history:
        history[0] = [context(f"*History* ({len(file.entries)} events, newest first)"),
                      *history[0]]
    return chunks + history


def paginate(chunks: list[Chunk], limit: int = PAGE_BLOCKS) -> list[Chunk]:
    """Pages of at most ``limit`` blocks; a chunk is split only if it alone is too long."""
    pages: list[Chunk] = [[]]
    for chunk in chunks:
        while len(chunk) > limit:  # only a chunk longer than a whole page is split
            if pages[-1]:
                pages.append([])
            pages[-1].extend(chunk[:limit])
            chunk = chunk[limit:]
            pages.append([])
        if len(pages[-1]) + len(chunk) > limit and pages[-1]:
            pages.append([])
        pages[-1].extend(chunk)
    return [p for p in pages if p] or [[]]


def _page_button(action: ActionId, label: str, file: CaseFile, page: int) -> ButtonElement:
    return ButtonElement(text=plain(label, BUTTON_TEXT_MAX), action_id=action.value,
                         value=encode_page_ref(PageRef(file.case_id, page)))


def _tools(file: CaseFile) -> Block:
    ref = CaseRef(file.case_id, file.version)
    return ActionsBlock(block_id=FileBlockId.TOOLS.value, elements=[
        case_button(ActionId.EDIT_DETAILS, ref, label="Edit details"),
        case_button(ActionId.REASSIGN, ref, label="Reassign")])


def case_file_modal(file: CaseFile, calendar: DisplayCalendar, page: int = 0, *,
                    tools: bool = False) -> View:
    """Page ``page`` (0 = the first) of the case file, with Older / Newer buttons.

    ``tools``: the first page offers Edit details and Reassign (to those who may use them).
    """
    pages = paginate(file_chunks(file, calendar))
    page = min(max(page, 0), len(pages) - 1)
    blocks = list(pages[page])
    if tools and page == 0:
        blocks.insert(0, _tools(file))
    if len(pages) > 1:
        blocks.append(context(f"Page {page + 1} of {len(pages)}"))
        buttons = []
        if page > 0:
            buttons.append(_page_button(ActionId.CASE_FILE_NEWER, "Newer", file, page - 1))
        if page < len(pages) - 1:
            buttons.append(_page_button(ActionId.CASE_FILE_OLDER, "Older", file, page + 1))
        blocks.append(ActionsBlock(block_id=FileBlockId.PAGING.value, elements=buttons))
    return modal(CallbackId.CASE_FILE, f"Case file {file.reference}", blocks,
                 encode_case_ref(CaseRef(file.case_id)), submit=None, close="Close")


def found_message(query: str, found: Sequence[FoundCase],
                  calendar: DisplayCalendar) -> tuple[str, list[Block]]:
    """Search results (for the searcher only): each case with its Case file button."""
    shown = escape(clip(" ".join(query.split()), 200))
    if not found:
        text = (f"No case that you can see matches “{shown}”. Search by reference, the "
                "complainant's name, organisation, email or phone.")
        return text, [context(text)]
    text = f"{len(found)} case(s) match “{shown}”. This search is recorded on each of them."
    blocks: list[Block] = [context(text)]
    for f in found:
        line = (f"*{escape(f.reference)}* · {escape(f.summary)} · {escape(f.state_label)}\n"
                f"{escape(f.complainant)} · received {format_when(f.received_at, calendar)}")
        blocks.append(SectionBlock(
            text=MarkdownTextObject(text=clip(line, SECTION_TEXT_MAX)),
            accessory=case_button(ActionId.CASE_FILE, CaseRef(f.case_id), label="Case file")))
    return text, blocks
