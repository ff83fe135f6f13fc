"""Block Kit as Slack checks it: the limits Slack enforces on messages, modals and Home tabs.

Both the sandbox's Slack stand-in and the tests' fake Slack refuse with these answers, with
Slack's own error names (``invalid_blocks`` for messages, ``invalid_arguments`` for views),
each message pointing at the offending field with a JSON pointer, as Slack's do.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

# Slack: "trigger_id ... expires in 3 seconds" and can be exchanged for one view only.
TRIGGER_LIFETIME = timedelta(seconds=3)

# Limits from Slack's Block Kit reference (blocks, block elements, composition objects, modal
# and home views). A context element is a text object, whose documented maximum is 3000: the
# context block itself documents no smaller one (only "max 10 elements"), so 3000 it is here.

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
_BLOCK_TYPES = frozenset({"section", "divider", "header", "context", "actions", "input",
                          "image", "rich_text", "file", "video", "markdown"})
_OPTION_LIMITS = {"static_select": 100, "multi_static_select": 100, "overflow": 5,
                  "radio_buttons": 10, "checkboxes": 10}


class _Refusals:
    """Collects Slack's complaints about one payload, each with its JSON pointer."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, problem: str, pointer: str) -> None:
        self.messages.append(f"{problem} [json-pointer:{pointer}]")

    def length(self, value: Any, limit: int, pointer: str, *, minimum: int = 0) -> None:
        if not isinstance(value, str):
            return
        if len(value) > limit:
            self.add(f"must be less than {limit + 1} characters", pointer)
        elif len(value) < minimum:
            self.add(f"must be more than {minimum - 1} characters", pointer)

    def count(self, items: Any, limit: int, pointer: str) -> None:
        if isinstance(items, list) and len(items) > limit:
            self.add(f"no more than {limit} items allowed", pointer)

    def text(self, obj: Any, limit: int, pointer: str) -> None:
        if isinstance(obj, dict):
            self.length(obj.get("text"), limit, f"{pointer}/text", minimum=1)

    def blocks(self, blocks: Any, limit: int, pointer: str) -> None:
        if not isinstance(blocks, list):
            self.add("must be an array", pointer)
            return
        self.count(blocks, limit, pointer)
        seen: set[str] = set()
        for i, block in enumerate(blocks):
            where = f"{pointer}/{i}"
            if not isinstance(block, dict) or block.get("type") not in _BLOCK_TYPES:
                kind = block.get("type") if isinstance(block, dict) else block
                self.add(f"unsupported type: {kind}", f"{where}/type")
                continue
            block_id = block.get("block_id")
            if isinstance(block_id, str):
                self.length(block_id, 255, f"{where}/block_id")
                if block_id in seen:
                    self.add("duplicate block_id", f"{where}/block_id")
                seen.add(block_id)
            self.block(block, where)

    def block(self, block: dict[str, Any], where: str) -> None:
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.add("must provide text or fields", where)
            self.text(block.get("text"), 3000, f"{where}/text")
            self.count(block.get("fields"), 10, f"{where}/fields")
            for j, item in enumerate(block.get("fields") or []):
                self.text(item, 2000, f"{where}/fields/{j}")
            if isinstance(block.get("accessory"), dict):
                self.element(block["accessory"], f"{where}/accessory")
        elif kind == "header":
            self.text(block.get("text"), 150, f"{where}/text")
        elif kind == "context":
            self.count(block.get("elements"), 10, f"{where}/elements")
            for j, item in enumerate(block.get("elements") or []):
                if isinstance(item, dict) and item.get("type") in ("mrkdwn", "plain_text"):
                    self.text(item, 3000, f"{where}/elements/{j}")
        elif kind == "actions":
            self.count(block.get("elements"), 25, f"{where}/elements")
            for j, item in enumerate(block.get("elements") or []):
                self.element(item, f"{where}/elements/{j}")
        elif kind == "input":
            self.text(block.get("label"), 2000, f"{where}/label")
            self.text(block.get("hint"), 2000, f"{where}/hint")
            if isinstance(block.get("element"), dict):
                self.element(block["element"], f"{where}/element")

    def element(self, element: Any, where: str) -> None:
        if not isinstance(element, dict):
            self.add("must be an object", where)
            return
        self.length(element.get("action_id"), 255, f"{where}/action_id")
        self.text(element.get("placeholder"), 150, f"{where}/placeholder")
        kind = element.get("type")
        if kind == "button":
            self.text(element.get("text"), 75, f"{where}/text")
            self.length(element.get("value"), 2000, f"{where}/value")
            self.length(element.get("url"), 3000, f"{where}/url")
        if kind in ("plain_text_input",):
            self.length(element.get("initial_value"), 3000, f"{where}/initial_value")
            most = element.get("max_length")
            if isinstance(most, int) and not 1 <= most <= 3000:
                self.add("must be between 1 and 3000", f"{where}/max_length")
            elif isinstance(most, int):
                self.length(element.get("initial_value"), most, f"{where}/initial_value")
        if kind in _OPTION_LIMITS:
            self.count(element.get("options"), _OPTION_LIMITS[kind], f"{where}/options")
            for j, option in enumerate(element.get("options") or []):
                if isinstance(option, dict):
                    self.text(option.get("text"), 75, f"{where}/options/{j}/text")
                    self.length(option.get("value"), 150, f"{where}/options/{j}/value")

    def view(self, view: dict[str, Any]) -> None:
        kind = view.get("type")
        if kind not in ("modal", "home"):
            self.add(f"unsupported type: {kind}", "/view/type")
            return
        self.blocks(view.get("blocks", []), MAX_VIEW_BLOCKS, "/view/blocks")
        self.length(view.get("private_metadata"), 3000, "/view/private_metadata")
        self.length(view.get("callback_id"), 255, "/view/callback_id")
        self.length(view.get("external_id"), 255, "/view/external_id")
        if kind == "modal":
            if not isinstance(view.get("title"), dict):
                self.add("must provide title", "/view/title")
            for part in ("title", "submit", "close"):
                self.text(view.get(part), 24, f"/view/{part}")
            has_input = any(isinstance(b, dict) and b.get("type") == "input"
                            for b in view.get("blocks") or [])
            if has_input and "submit" not in view:
                self.add("must provide submit when the view has input blocks", "/view/submit")


def block_refusal(blocks: Any, limit: int = MAX_MESSAGE_BLOCKS) -> dict[str, Any] | None:
    """Slack's ``invalid_blocks`` answer for a message's ``blocks``, or None if accepted."""
    refusals = _Refusals()
    refusals.blocks(blocks, limit, "/blocks")
    if not refusals.messages:
        return None
    return {"ok": False, "error": "invalid_blocks", "errors": refusals.messages,
            "response_metadata": {"messages": [f"[ERROR] {m}" for m in refusals.messages]}}


def view_refusal(view: dict[str, Any]) -> dict[str, Any] | None:
    """Slack's ``invalid_arguments`` answer for a modal or Home view, or None if accepted."""
    refusals = _Refusals()
    refusals.view(view)
    if not refusals.messages:
        return None
    return {"ok": False, "error": "invalid_arguments",
            "response_metadata": {"messages": [f"[ERROR] {m}" for m in refusals.messages]}}
