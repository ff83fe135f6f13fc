"""The HTTP server parses a request's body once and hands bolt the object it parsed.

Bolt's own signature check is then skipped (bolt does that for a request handed over
parsed), so these also show the server's own check still refuses what bolt would have.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.server import Refused, bolt_request
from tests.slack.harness import CS_AGENT, GOOD_INTAKE, SECRET, SlackDriver, fill
from tests.slack.http_serving import post, row_counts, serving
from tests.slack.signing import (
    FORM,
    signature,
    signed_headers,
    slash_command_body,
    view_submission_body,
)


@pytest.fixture
def port(slack: SlackDriver) -> Iterator[int]:
    with serving(slack.runtime) as bound:
        yield bound


def _headers(body: bytes) -> dict[str, str]:
    return {k: str(v) for k, v in signed_headers(body, SECRET).items()}


def _environ(body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
            "CONTENT_TYPE": headers.get("Content-Type", FORM),
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
            "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers.get("X-Slack-Request-Timestamp", ""),
            "HTTP_X_SLACK_SIGNATURE": headers.get("X-Slack-Signature", "")}


def test_bolt_is_handed_the_parsed_payload_not_the_text_to_parse_again() -> None:
    payload = {"type": "block_actions", "user": {"id": CS_AGENT},
               "actions": [{"action_id": "case_view_details", "value": '{"case": 1}'}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    request = bolt_request(_environ(body, _headers(body)), SECRET)
    assert request.body == payload
    assert request.raw_body == ""  # nothing left for bolt to parse
    assert request.context.user_id == CS_AGENT  # bolt's context built from the object
    assert request.headers["x-slack-signature"] == [_headers(body)["X-Slack-Signature"]]


def test_a_slash_command_and_an_intake_over_http_still_work(slack: SlackDriver,
                                                            port: int) -> None:
    body = slash_command_body("new", user_id=CS_AGENT)
    assert post(port, body, _headers(body))[0] == 200
    view = slack.opened_view()
    answers = {**GOOD_INTAKE, "received_at": slack.clock.now().astimezone()}
    opened = slack.fake.calls("views.open")[0].answer
    assert opened is not None
    submit = view_submission_body(view["callback_id"], fill(view, answers), user_id=CS_AGENT,
                                  view_id=str(opened["view"]["id"]))
    status, text = post(port, submit, _headers(submit))
    assert status == 200, text
    case = slack.only_case()
    assert case.intake.complainant_name == GOOD_INTAKE["complainant_name"]


@pytest.mark.parametrize("forge", ["wrong secret", "stale", "body changed"])
def test_a_request_bolt_no_longer_checks_is_still_refused_by_the_server(
        slack: SlackDriver, port: int, forge: str) -> None:
    before = row_counts(slack.runtime.container.engine)
    body = slash_command_body("new", user_id=CS_AGENT)
    now = int(time.time())
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(now),
               "X-Slack-Signature": signature(body, SECRET, now)}
    if forge == "wrong secret":
        headers["X-Slack-Signature"] = signature(body, "not-the-secret", now)
    elif forge == "stale":
        headers["X-Slack-Request-Timestamp"] = str(now - 600)
        headers["X-Slack-Signature"] = signature(body, SECRET, now - 600)
    else:
        body = body.replace(b"new", b"find")
    assert post(port, body, headers)[0] == 401
    with pytest.raises(Refused):
        bolt_request(_environ(body, headers), SECRET)
    slack.deliver()
    assert slack.fake.calls() == []
    assert row_counts(slack.runtime.container.engine) == before


@pytest.mark.parametrize("body", [b"payload=%7B%22type%22%3A", b"payload=%5B%5D",
                                  b"payload=" + b"%5B" * 40 + b"%5D" * 40])
def test_a_hostile_body_is_still_refused_before_bolt(slack: SlackDriver, port: int,
                                                     body: bytes) -> None:
    assert post(port, body, _headers(body))[0] == 400
    assert slack.fake.calls() == []
