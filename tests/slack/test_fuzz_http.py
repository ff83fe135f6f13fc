"""Hypothesis fuzzes raw request bodies through the real HTTP server (cheroot + bot.server).

Properties: no answer is a 5xx, nothing escapes into the server, and a request refused
(401 forged, 400 malformed) changes no row in the database and calls no Slack method.
The figures of the last run are in bench/README.md.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.slack.harness import CS_AGENT, SECRET, SlackDriver
from tests.slack.http_serving import post, row_counts, serving
from tests.slack.signing import FORM, JSON, signed_headers

EXAMPLES = 400
TYPES = ["block_actions", "view_submission", "view_closed", "shortcut", "message_action",
         "event_callback", "url_verification", "block_suggestion", "", "x"]
CALLBACKS = ["complaint_intake", "case_acknowledge", "case_resolve", "nope", ""]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20)


@st.composite
def slackish(draw: st.DrawFn) -> dict[str, Any]:
    """An object shaped roughly like Slack's payloads, with anything in the gaps."""
    body: dict[str, Any] = {"type": draw(st.sampled_from(TYPES) | json_values)}
    for key in ("user", "team", "channel", "view", "actions", "event", "container",
                "trigger_id", "response_url", "enterprise"):
        if draw(st.booleans()):
            body[key] = draw(json_values)
    if draw(st.booleans()):
        body["user"] = {"id": draw(st.sampled_from([CS_AGENT, "U0NOBODY1", ""]))}
    if draw(st.booleans()):
        body["view"] = {"type": "modal", "id": draw(st.text(max_size=12)),
                        "callback_id": draw(st.sampled_from(CALLBACKS)),
                        "private_metadata": draw(st.text(max_size=40)),
                        "state": {"values": draw(json_values)}}
    return body


@st.composite
def raw_bodies(draw: st.DrawFn) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["bytes", "form-payload", "json", "form-fields",
                                 "broken-escape", "deep"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300)), draw(st.sampled_from([FORM, JSON, "text/plain"]))
    if kind == "form-payload":
        return urlencode({"payload": json.dumps(draw(slackish()))}).encode(), FORM
    if kind == "json":
        return json.dumps(draw(slackish() | json_values)).encode(), JSON
    if kind == "form-fields":
        fields = draw(st.dictionaries(st.sampled_from(["command", "text", "user_id",
                                                       "trigger_id", "payload", "ssl_check"]),
                                      st.text(max_size=30), max_size=5))
        return urlencode(fields).encode(), FORM
    if kind == "broken-escape":
        good = urlencode({"payload": json.dumps(draw(slackish()))})
        cut = draw(st.integers(0, len(good)))
        junk = draw(st.sampled_from(["%", "%Z", "%ZZ", "%FF", "%C3",
                                     quote("\ud800", errors="surrogatepass")]))
        return (good[:cut] + junk + good[cut:]).encode(), FORM
    depth = draw(st.integers(30, 3000))
    return urlencode({"payload": '{"type":"block_actions","a":' + "[" * depth + "]" * depth
                      + "}"}).encode(), FORM


@pytest.fixture
def port(slack: SlackDriver) -> Iterator[int]:
    with serving(slack.runtime) as bound:
        yield bound


TALLY: dict[str, int] = {}


@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(raw=raw_bodies(), signing=st.sampled_from(["good", "wrong", "none"]))
def test_raw_bodies_never_get_a_5xx_and_refused_ones_change_nothing(
        slack: SlackDriver, port: int, caplog: pytest.LogCaptureFixture,
        raw: tuple[bytes, str], signing: str) -> None:
    body, content_type = raw
    engine = slack.runtime.container.engine
    before = row_counts(engine)
    calls = len(slack.fake.calls())
    if signing == "none":
        headers = {"Content-Type": content_type}
    else:
        headers = {**signed_headers(body, SECRET if signing == "good" else "forged"),
                   "Content-Type": content_type}  # type: ignore[dict-item]
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        status, _ = post(port, body, headers)  # type: ignore[arg-type]
    TALLY[f"{signing} {status}"] = TALLY.get(f"{signing} {status}", 0) + 1
    assert status < 500
    escaped = [r for r in caplog.records if r.name.startswith(("cheroot", "bot.server"))]
    assert escaped == []
    if signing != "good":
        assert status == 401
    if status in (400, 401):
        assert row_counts(engine) == before
        assert len(slack.fake.calls()) == calls
    unhandled = [r for r in caplog.records if "unhandled error" in r.getMessage()]
    if unhandled:
        TALLY["unhandled error in a listener"] = TALLY.get("unhandled error in a listener", 0) + 1


def test_zz_report_tally() -> None:
    print("fuzz tally:", json.dumps(dict(sorted(TALLY.items()))))
