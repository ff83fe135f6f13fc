"""The Slack app manifest: valid against Slack's schema, minimal scopes, ids in step."""

from __future__ import annotations

import json
import os
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


def test_manifest_asks_only_for_the_scopes_the_code_uses() -> None:
    scopes = load_manifest()["oauth_config"]["scopes"]
    assert sorted(scopes["bot"]) == ["chat:write", "commands", "files:write", "im:write"]
    assert "user" not in scopes


def test_manifest_runs_in_socket_mode_with_home_interactivity_and_events() -> None:
    manifest = load_manifest()
    settings = manifest["settings"]
    assert manifest["display_information"]["name"] == "Complaints Desk"
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    home = manifest["features"]["app_home"]
    assert home["home_tab_enabled"] is True and home["messages_tab_enabled"] is True


def test_manifest_http_urls_are_obvious_placeholders() -> None:
    manifest = load_manifest()
    urls = [
        *(c.get("url") for c in manifest["features"]["slash_commands"]),
        manifest["settings"]["event_subscriptions"].get("request_url"),
        manifest["settings"]["interactivity"].get("request_url"),
    ]
    for url in urls:
        assert url == "https://complaints-desk.example.invalid/slack/events"


def test_missing_schema_skips_visibly_but_fails_in_ci(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setitem(globals(), "SCHEMA", tmp_path / "absent.json")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="schema not found"):
        load_schema()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        load_schema()


def test_every_step_modal_has_a_typed_form_and_a_use_case() -> None:
    from handlers.forms.steps import STEP_FORMS
    from handlers.ids import MODAL_FOR_ACTION
    from handlers.listeners.step_submissions import RUNNERS

    assert set(STEP_FORMS) == set(RUNNERS) == set(MODAL_FOR_ACTION.values())
