""""Attach to case": the modal where a message is linked to a case chosen by reference."""

from __future__ import annotations

import json
from collections.abc import Sequence

from slack_sdk.models.blocks import Block, InputBlock
from slack_sdk.models.views import View

from cases.usecases.attachments import MAX_ATTACHED_TEXT, MAX_FILES, AttachedFile
from handlers.blocks._common import context, escape, plain
from handlers.blocks.inputs import INPUT_LABEL_MAX, modal, text_input
from handlers.ids import CallbackId, FileBlockId

METADATA_MAX = 3000


def attach_metadata(source: str, files: Sequence[AttachedFile]) -> str:
    """Where the message is and its files, within Slack's 3000-character private_metadata."""
    kept = list(files[:MAX_FILES])
    while True:
        text = json.dumps({"source": source, "files": [[f.name, f.link] for f in kept]},
                          separators=(",", ":"))
        if len(text) <= METADATA_MAX or not kept:
            return text
        kept.pop()


def _input(block: FileBlockId, label: str, initial: str | None, limit: int, *,
           multiline: bool = False, optional: bool = False) -> InputBlock:
    element = text_input(initial, multiline=multiline, max_length=limit)
    element.action_id = block.value
    return InputBlock(block_id=block.value, label=plain(label, INPUT_LABEL_MAX),
                      element=element, optional=optional)


def attach_modal(text: str, files: Sequence[AttachedFile], source: str) -> View:
    """Choose the case; the message's text (editable) and its files are kept on it."""
    blocks: list[Block] = [
        context("The text and the files' names and links are kept on the case (the files "
                "stay in Slack); only the people who need to know see them."),
        _input(FileBlockId.REFERENCE, "Case reference (e.g. TT-2026-0001)", None, 40),
        _input(FileBlockId.ATTACHED_TEXT, "Text to keep", text[:MAX_ATTACHED_TEXT],
               MAX_ATTACHED_TEXT, multiline=True, optional=True),
    ]
    if files:
        names = ", ".join(escape(f.name) for f in files[:MAX_FILES])
        blocks.append(context(f"Files: {names}"[:3000]))
    return modal(CallbackId.ATTACH, "Attach to case", blocks, attach_metadata(source, files),
                 submit="Attach")
