"""The cards are checked against Microsoft's Adaptive Cards 1.5 schema, shipped unchanged in
tests/teams/schema, and the check fails, with a message that says why, on a card it rejects:
one the bot sends to the Bot Connector, and one in a dialog or ``Action.Execute`` answer."""

from __future__ import annotations

import hashlib
import json
import urllib.request
from typing import Any

import pytest

from tests.teams.card_schema import (
    CARD_CONTENT_TYPE,
    SCHEMA_FILE,
    official_schema,
    problems_in,
    validate,
)
from tests.teams.fake_teams import FakeTeams

# git's blob id of schemas/1.5.0/adaptive-card.json in microsoft/AdaptiveCards (schema/README.md)
SCHEMA_BLOB = "8301d0efef25d6626b52d6e38b20dc81dc59502e"


def card(*body: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"type": "AdaptiveCard", "version": "1.5", "body": list(body), **more}


def refused(payload: dict[str, Any]) -> str:
    with pytest.raises(AssertionError) as err:
        validate(payload)
    return str(err.value)


def test_the_schema_is_microsofts_file_unchanged_with_its_licence() -> None:
    data = SCHEMA_FILE.read_bytes()
    assert hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest() == SCHEMA_BLOB
    schema = json.loads(data)
    assert schema["$schema"] == "http://json-schema.org/draft-06/schema#"
    assert schema["id"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    licence = (SCHEMA_FILE.parent / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "Copyright (c) 2017 Microsoft" in licence


def test_every_reference_in_the_schema_is_to_one_of_its_own_definitions() -> None:
    schema = official_schema()
    refs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            refs.extend([node["$ref"]] if "$ref" in node else [])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(schema)
    assert len(refs) > 100
    assert all(r.startswith("#/definitions/") and r[14:] in schema["definitions"] for r in refs)


def test_an_unknown_element_type_or_a_missing_property_is_refused_saying_where() -> None:
    assert "card.body[0]: unknown type 'Tabel'" in refused(card({"type": "Tabel"}))
    message = refused(card({"type": "TextBlock", "text": "ok"},
                           {"type": "Container", "items": [{"type": "FactSet"}]}))
    assert "card.body[1].items[0] (FactSet): 'facts' is a required property" in message
    message = refused(card({"type": "TextBlock", "text": "x", "colour": "Good"}))
    assert "'colour' was unexpected" in message
    message = refused(card({"type": "TextBlock", "text": "x", "color": "Purple"}))
    assert "card.body[0].color: 'Purple' is not one of" in message
    assert "card.actions[0]: unknown type 'Action.Sumbit'" in refused(
        card(actions=[{"type": "Action.Sumbit", "title": "Send"}]))
    assert "'msteams' was unexpected" in refused(card(msteams={"width": "Full"}))


def test_what_1_5_has_is_accepted_and_filtered_is_the_one_style_added() -> None:
    validate(card({"type": "Table", "columns": [{"width": 1}],
                   "rows": [{"type": "TableRow", "cells": [
                       {"type": "TableCell", "items": [{"type": "TextBlock", "text": "x"}]}]}]}))
    validate(card({"type": "Input.ChoiceSet", "id": "who", "style": "filtered", "choices": []}))
    assert "'filterd' is not one of" in refused(
        card({"type": "Input.ChoiceSet", "id": "who", "style": "filterd", "choices": []}))


def test_the_checks_beyond_the_schema() -> None:
    assert "version '1.6'" in refused({**card(), "version": "1.6"})
    assert "duplicate id 'x'" in refused(card({"type": "Input.Text", "id": "x"},
                                              {"type": "Input.Date", "id": "x"}))
    assert "without a verb" in refused(card(actions=[{"type": "Action.Execute", "title": "Go"}]))
    assert "without a title" in refused(card(actions=[{"type": "Action.Submit"}]))


def test_cards_in_dialogs_and_execute_answers_are_found_and_checked() -> None:
    bad = card({"type": "FactSet"})
    dialog = {"task": {"type": "continue", "value": {
        "card": {"contentType": CARD_CONTENT_TYPE, "content": bad}}}}
    execute = {"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": bad}
    for answer in (dialog, execute):
        (problem,) = problems_in(answer)
        assert "(FactSet): 'facts' is a required property" in problem
    assert problems_in({**dialog, "task": {"type": "message", "value": "Done."}}) == []


def test_a_card_sent_to_the_bot_connector_that_the_schema_refuses_is_kept(
        fake_teams: FakeTeams) -> None:
    def call(path: str, body: dict[str, Any], token: str | None = None) -> Any:
        request = urllib.request.Request(
            f"{fake_teams.base_url}{path}", data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json",
                     **({"Authorization": f"Bearer {token}"} if token else {})})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    token = call("/token", {})["access_token"]
    good = card({"type": "TextBlock", "text": "fine"})
    bad = card({"type": "Input.Text"})
    for content in (good, bad):
        call("/connector/v3/conversations/19:x@thread.tacv2/activities",
             {"type": "message", "attachments": [{"contentType": CARD_CONTENT_TYPE,
                                                  "content": content}]}, token)
    (problem,) = fake_teams.card_problems
    assert problem.startswith("send in 19:x@thread.tacv2: not a valid Adaptive Card 1.5")
    assert "card.body[0] (Input.Text): 'id' is a required property" in problem
    fake_teams.card_problems.clear()  # else this test's teardown fails, as it should
