"""A modal's form fields as Slack's ``state.values``, typed by the view's own input elements."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sandbox.render import LONDON


def _option(element: dict[str, Any], value: str) -> dict[str, Any] | None:
    for option in element.get("options") or []:
        if isinstance(option, dict) and option.get("value") == value:
            return {"text": option.get("text"), "value": value}
    return None


def _state(element: dict[str, Any], values: list[str]) -> dict[str, Any]:
    kind = str(element.get("type"))
    first = values[0] if values else ""
    state: dict[str, Any] = {"type": kind}
    if kind == "users_select":
        state["selected_user"] = first or None
    elif kind == "datepicker":
        state["selected_date"] = first or None
    elif kind == "timepicker":
        state["selected_time"] = first or None
    elif kind == "datetimepicker":
        state["selected_date_time"] = (
            int(datetime.fromisoformat(first).replace(tzinfo=LONDON).timestamp())
            if first else None)
    elif kind in ("static_select", "radio_buttons"):
        state["selected_option"] = _option(element, first) if first else None
    elif kind == "checkboxes":
        state["selected_options"] = [o for v in values if (o := _option(element, v))]
    else:
        state["value"] = first or None
    return state


def state_values(view: dict[str, Any], form: dict[str, list[str]]) -> dict[str, Any]:
    """``state.values`` for ``view`` filled in with the page's ``form`` fields."""
    values: dict[str, Any] = {}
    for block in view.get("blocks") or []:
        if not isinstance(block, dict) or block.get("type") != "input":
            continue
        element = block.get("element") or {}
        block_id, action_id = str(block.get("block_id")), str(element.get("action_id"))
        values[block_id] = {action_id: _state(element, form.get(f"{block_id}::{action_id}",
                                                                 []))}
    return values
