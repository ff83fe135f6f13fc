"""The Slack app manifest: valid against Slack's schema, minimal scopes, ids in step."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from handlers.ids import CallbackId, SlashCommand

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "app_manifest.yml"
SCHEMA = REPO.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"


def load_manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def load_schema() -> dict[str, Any]:
    """Slack's manifest schema; skipped visibly when absent, but a failure in CI."""
    if not SCHEMA.is_file():
        reason = f"Slack manifest schema not found at {SCHEMA}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (required in CI)")
        pytest.skip(reason)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert isinstance(schema, dict)
    return schema


def test_manifest_is_valid_against_slacks_schema() -> None:
    schema = load_schema()
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    errors = sorted(validator_cls(schema).iter_errors(load_manifest()), key=str)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_manifest_shortcut_callback_ids_match_handlers_ids() -> None:
    shortcuts = load_manifest()["features"]["shortcuts"]
    by_type = {s["type"]: s for s in shortcuts}
    assert by_type["global"]["name"] == "Log a complaint"
    assert by_type["global"]["callback_id"] == CallbackId.SHORTCUT_LOG_COMPLAINT
    messages = {s["name"]: s["callback_id"] for s in shortcuts if s["type"] == "message"}
    assert messages == {"Log as complaint": CallbackId.SHORTCUT_LOG_MESSAGE,
                        "Attach to case": CallbackId.SHORTCUT_ATTACH}
    assert {s["callback_id"] for s in shortcuts} == {
        CallbackId.SHORTCUT_LOG_COMPLAINT.value, CallbackId.SHORTCUT_LOG_MESSAGE.value,
        CallbackId.SHORTCUT_ATTACH.value}


def test_manifest_slash_command_matches_handlers_ids() -> None:
    commands = load_manifest()["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [s.value for s in SlashCommand]


# The bot scopes each Web API method the code calls needs (Slack's method reference).
SCOPES_OF_METHOD: dict[str, frozenset[str]] = {
    "auth_test": frozenset(),
    "chat_postEphemeral": frozenset({"chat:write"}),
    "chat_postMessage": frozenset({"chat:write", "im:write"}),  # DMs go to user ids
    "chat_update": frozenset({"chat:write"}),
    "conversations_info": frozenset({"channels:read", "groups:read"}),
    "conversations_open": frozenset({"im:write"}),
    "files_upload_v2": frozenset({"files:write"}),
    "users_info": frozenset({"users:read"}),
    "views_open": frozenset(), "views_publish": frozenset(), "views_push": frozenset(),
    "views_update": frozenset(),
}


def _methods_called() -> set[str]:
    root = Path(__file__).resolve().parents[2]
    called: set[str] = set()
    for package in ("handlers", "bot"):
        for source in (root / package).rglob("*.py"):
            called |= set(re.findall(r"client\.([a-z]+_[A-Za-z0-9_]+)\(", source.read_text()))
    return called


def test_manifest_asks_only_for_the_scopes_the_code_uses() -> None:
    """Every Web API method the code calls is known here, and the manifest asks for exactly
    the scopes they need (plus ``commands`` for the slash command and shortcuts)."""
    called = _methods_called()
    unknown = called - SCOPES_OF_METHOD.keys()
    assert not unknown, f"add the scopes of {sorted(unknown)} to SCOPES_OF_METHOD"
    needed = {"commands"}.union(*(SCOPES_OF_METHOD[m] for m in called))
    scopes = load_manifest()["oauth_config"]["scopes"]
    assert sorted(scopes["bot"]) == sorted(needed)
    assert "user" not in scopes
