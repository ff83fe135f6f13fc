"""A strict validator of the Adaptive Cards 1.5 subset this bot uses.

The official schema (adaptive-card.json) is not in the installed SDK and could not be
fetched here, so this checks, from the Adaptive Cards 1.5 reference, every element and
action type the bot emits: only known types, only their documented properties, required
ones present, enumerated values in range. Anything else fails.
"""

from __future__ import annotations

from typing import Any

COMMON = {"type", "id", "spacing", "separator", "isVisible", "height", "requires", "fallback"}
INPUT = COMMON | {"label", "isRequired", "errorMessage"}
ELEMENTS: dict[str, tuple[set[str], set[str]]] = {  # type: (allowed, required)
    "TextBlock": (COMMON | {"text", "wrap", "weight", "size", "color", "isSubtle", "maxLines",
                            "horizontalAlignment", "fontType", "style"}, {"text"}),
    "FactSet": (COMMON | {"facts"}, {"facts"}),
    "ActionSet": (COMMON | {"actions"}, {"actions"}),
    "Container": (COMMON | {"items", "style", "bleed", "selectAction", "minHeight", "rtl",
                            "verticalContentAlignment", "backgroundImage"}, {"items"}),
    "Input.Text": (INPUT | {"isMultiline", "maxLength", "placeholder", "value", "style",
                            "inlineAction", "regex"}, {"id"}),
    "Input.Date": (INPUT | {"max", "min", "placeholder", "value"}, {"id"}),
    "Input.Time": (INPUT | {"max", "min", "placeholder", "value"}, {"id"}),
    "Input.Toggle": (INPUT | {"title", "value", "valueOff", "valueOn", "wrap"}, {"id", "title"}),
    "Input.ChoiceSet": (INPUT | {"choices", "isMultiSelect", "style", "value", "placeholder",
                                 "wrap"}, {"id"}),
}
ACTION = {"type", "title", "iconUrl", "id", "style", "fallback", "tooltip", "isEnabled",
          "mode", "requires"}
ACTIONS: dict[str, tuple[set[str], set[str]]] = {
    "Action.Submit": (ACTION | {"data", "associatedInputs"}, set()),
    "Action.Execute": (ACTION | {"verb", "data", "associatedInputs"}, set()),
}
ENUMS = {"size": {"Default", "Small", "Medium", "Large", "ExtraLarge"},
         "weight": {"Default", "Lighter", "Bolder"},
         "color": {"Default", "Dark", "Light", "Accent", "Good", "Warning", "Attention"},
         "spacing": {"Default", "None", "Small", "Medium", "Large", "ExtraLarge", "Padding"}}
ACTION_STYLES = {"default", "positive", "destructive"}


def _check(kind: dict[str, tuple[set[str], set[str]]], item: Any, where: str) -> None:
    assert isinstance(item, dict), f"{where}: not an object"
    allowed, required = kind.get(item.get("type"), (None, None))  # type: ignore[arg-type]
    assert allowed is not None, f"{where}: unknown type {item.get('type')!r}"
    extra = set(item) - allowed
    assert not extra, f"{where} ({item['type']}): unknown properties {sorted(extra)}"
    assert required <= set(item), f"{where}: missing {sorted(required - set(item))}"
    for key, values in ENUMS.items():
        if key in item and item["type"] in ELEMENTS:
            assert item[key] in values, f"{where}: {key}={item[key]!r}"


def validate(card: dict[str, Any]) -> None:
    """AssertionError naming the first thing outside the 1.5 subset."""
    allowed = {"type", "version", "$schema", "body", "actions", "refresh", "fallbackText",
               "speak", "lang", "minHeight", "rtl", "verticalContentAlignment", "msteams"}
    assert card.get("type") == "AdaptiveCard" and card.get("version") == "1.5", card
    assert not set(card) - allowed, sorted(set(card) - allowed)
    ids: set[str] = set()

    def element(item: Any, where: str) -> None:
        _check(ELEMENTS, item, where)
        if "id" in item:
            assert item["id"] not in ids, f"{where}: duplicate id {item['id']}"
            ids.add(item["id"])
        if item["type"] == "FactSet":
            for f in item["facts"]:
                assert set(f) == {"title", "value"} and all(isinstance(v, str)
                                                            for v in f.values()), f
        if item["type"] == "Container":
            for i, child in enumerate(item["items"]):
                element(child, f"{where}.items[{i}]")
        if item["type"] == "ActionSet":
            for i, action in enumerate(item["actions"]):
                _check(ACTIONS, action, f"{where}.actions[{i}]")
                assert action.get("style", "default") in ACTION_STYLES, action
        if item["type"] == "Input.ChoiceSet":
            assert item.get("style", "compact") in {"compact", "expanded", "filtered"}, where
            for c in item.get("choices", []):
                assert set(c) == {"title", "value"}, c
        if item["type"] == "TextBlock":
            assert isinstance(item["text"], str) and item["text"], where

    for i, item in enumerate(card.get("body", [])):
        element(item, f"body[{i}]")
    for i, action in enumerate(card.get("actions", [])):
        _check(ACTIONS, action, f"actions[{i}]")
        assert action.get("style", "default") in ACTION_STYLES, action
        assert isinstance(action.get("title"), str) and action["title"], action
        if action["type"] == "Action.Execute":
            assert action.get("verb"), action
    refresh = card.get("refresh")
    if refresh is not None:
        assert set(refresh) <= {"action", "userIds", "expires"}, refresh
        _check(ACTIONS, refresh["action"], "refresh.action")
        assert refresh["action"]["type"] == "Action.Execute"
