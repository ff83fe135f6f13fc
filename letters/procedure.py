"""The complaints procedure's text, shipped inside the package, read into simple blocks.

``procedure/complaints-procedure.md`` is the procedure word for word, with its headings
marked (``#`` the title, ``##`` a section). Links are kept as their words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

PROCEDURE_FILE = "complaints-procedure.md"
_LINK = re.compile(r"\[\[?([^\]]+?)\]?\]\([^)]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_NUMBERED = re.compile(r"^\d+\.\s+")


@dataclass(frozen=True)
class ProcedureBlock:
    """A title, heading, paragraph, bullet list or numbered list of the procedure."""

    kind: str
    text: str = ""
    items: tuple[str, ...] = field(default=())


@cache
def procedure_text() -> str:
    """The procedure as the package ships it (Markdown, headings marked)."""
    return (resources.files("letters") / "procedure" / PROCEDURE_FILE).read_text("utf-8")


def _plain(text: str) -> str:
    return _AUTOLINK.sub(r"\1", _LINK.sub(r"\1", text)).strip()


def _block(lines: list[str]) -> ProcedureBlock:
    first = lines[0]
    if first.startswith("## "):
        return ProcedureBlock("heading", _plain(first[3:]))
    if first.startswith("# "):
        return ProcedureBlock("title", _plain(first[2:]))
    if all(line.startswith("- ") for line in lines):
        return ProcedureBlock("list", items=tuple(_plain(line[2:]) for line in lines))
    if all(_NUMBERED.match(line) for line in lines):
        return ProcedureBlock("numbered",
                              items=tuple(_plain(_NUMBERED.sub("", line)) for line in lines))
    return ProcedureBlock("paragraph", _plain(" ".join(lines)))


@cache
def procedure_blocks() -> tuple[ProcedureBlock, ...]:
    """The procedure as blocks, in order (blank lines separate blocks)."""
    blocks: list[ProcedureBlock] = []
    current: list[str] = []
    for raw in [*procedure_text().splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#") and current:
            blocks.append(_block(current))
            current = []
        if line:
            current.append(line)
        elif current:
            blocks.append(_block(current))
            current = []
    return tuple(blocks)


def procedure_headings() -> list[str]:
    """The procedure's title and section headings, in order."""
    return [b.text for b in procedure_blocks() if b.kind in {"title", "heading"}]
