"""Forged and malformed requests through the real HTTP server: refused before bolt parses."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from tests.slack.harness import CS_AGENT, SECRET, SlackDriver
from tests.slack.http_serving import post, row_counts, serving
from tests.slack.signing import (
    FORM,
    JSON,
    block_actions_body,
    signature,
    signed_headers,
    slash_command_body,
)

VICTIM = "U0VICTIM1"


@pytest.fixture
def port(slack: SlackDriver) -> Iterator[int]:
    with serving(slack.runtime) as bound:
        yield bound


def _form(payload: str) -> bytes:
    return urlencode({"payload": payload}).encode()


def _nested(depth: int) -> str:
    return '{"type":"block_actions","a":' + "[" * depth + "]" * depth + "}"


def _view_submission(view: object) -> bytes:
    return _form(json.dumps({"type": "view_submission", "user": {"id": CS_AGENT},
                             "view": view}))


MALFORMED: dict[str, tuple[bytes, str]] = {
    "broken JSON in payload": (_form('{"type": "block_actions", '), FORM),
    "broken JSON body": (b'{"type": "event_callback", ', JSON),
    "invalid UTF-8": (b"payload=%7B%7D\xff\xfe", FORM),
    "bad percent-escape": (b"payload=%ZZ", FORM),
    "empty payload": (b"payload=", FORM),
    "payload a list": (_form("[]"), FORM),
    "payload a number": (_form("1"), FORM),
    "payload a string": (_form('"block_actions"'), FORM),
    "JSON body a list": (b"[1, 2]", JSON),
    "nested thousands deep": (_form(_nested(5000)), FORM),
    "nested fifty deep": (_form(_nested(50)), FORM),
    "view null": (_view_submission(None), FORM),
    "view a number": (_view_submission(7), FORM),
    "view a string": (_view_submission("V0001"), FORM),
    "actions null": (_form('{"type": "block_actions", "actions": null}'), FORM),
    "block actions without an action": (_form('{"type": "block_actions", "actions": []}'),
                                        FORM),
    "view without a type": (_view_submission({"id": "V1", "callback_id": "x"}), FORM),
    "action_id a number": (_form('{"type": "block_actions", "actions": [{"action_id": 5}]}'),
                           FORM),
    "callback_id a list": (_view_submission({"type": "modal", "callback_id": ["intake"]}),
                           FORM),
    "shortcut callback_id an object": (_form('{"type": "shortcut", "callback_id": {}}'),
                                       FORM),
    "user a string": (_form(json.dumps({"type": "block_actions", "user": "U1",
                                        "actions": []})), FORM),
}


@pytest.mark.parametrize("timestamp", ["", "abc", " 1", "1e9", "-5", "12 34"])
def test_request_with_empty_or_non_numeric_timestamp_is_refused_and_nobody_is_messaged(
        slack: SlackDriver, port: int, timestamp: str) -> None:
    before = row_counts(slack.runtime.container.engine)
    body = block_actions_body("case_acknowledge", '{"case": 1}', user_id=VICTIM,
                              channel_id="C0CS00001")
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": timestamp,
               "X-Slack-Signature": "v0=" + "0" * 64}
    status, _ = post(port, body, headers)
    assert status == 401
    slack.deliver()
    assert slack.fake.calls() == []  # in particular no "Sorry, something went wrong" DM
    assert row_counts(slack.runtime.container.engine) == before


def test_stale_timestamp_is_refused_even_when_signed(slack: SlackDriver, port: int) -> None:
    body = slash_command_body("help", user_id=CS_AGENT)
    old = int(time.time()) - 3600
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(old),
               "X-Slack-Signature": signature(body, SECRET, old)}
    assert post(port, body, headers)[0] == 401


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_signed_malformed_body_gets_400_and_changes_nothing(
        slack: SlackDriver, port: int, case: str) -> None:
    body, content_type = MALFORMED[case]
    before = row_counts(slack.runtime.container.engine)
    headers = {**signed_headers(body, SECRET), "Content-Type": content_type}
    status, answer = post(port, body, headers)  # type: ignore[arg-type]
    assert status == 400, answer
    slack.deliver()
    assert slack.fake.calls() == []
    assert row_counts(slack.runtime.container.engine) == before


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_forged_malformed_body_gets_401_not_a_parse_error(
        slack: SlackDriver, port: int, case: str) -> None:
    body, content_type = MALFORMED[case]
    headers = {**signed_headers(body, "not-the-secret"), "Content-Type": content_type}
    assert post(port, body, headers)[0] == 401  # type: ignore[arg-type]
    assert slack.fake.calls() == []


def test_signed_well_formed_request_still_reaches_the_bot(slack: SlackDriver,
                                                          port: int) -> None:
    body = slash_command_body("help", user_id=CS_AGENT)
    status, answer = post(port, body, {**signed_headers(body, SECRET),  # type: ignore[dict-item]
                                       "Content-Type": FORM})
    assert status == 200 and "/complaint new" in answer

