"""The fake Slack Web API works with the real slack_sdk WebClient, and the signing helpers
produce requests bolt accepts."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    FixedValueRetryIntervalCalculator,
)
from slack_sdk.signature import Clock, SignatureVerifier

from cases.clock import FrozenClock
from tests.slack.conftest import TEST_BOT_TOKEN
from tests.slack.fake_slack import BOT_USER_ID, FakeSlack
from tests.slack.signing import (
    JSON,
    app_home_opened_event,
    block_actions_body,
    event_body,
    global_shortcut_body,
    message_shortcut_body,
    signed_headers,
    slash_command_body,
    view_submission_body,
)

SECRET = "test-signing-secret"


# ---- answers shaped like Slack's ----------------------------------------------------------

def test_post_message_returns_channel_and_unique_increasing_ts(
        fake_slack: FakeSlack, slack_client: WebClient) -> None:
    first = slack_client.chat_postMessage(channel="C0CS00001", text="one")
    second = slack_client.chat_postMessage(channel="C0CS00001", text="two",
                                           thread_ts=first["ts"])
    assert first["ok"] and first["channel"] == "C0CS00001"
    assert float(second["ts"]) > float(first["ts"])
    assert second["message"]["thread_ts"] == first["ts"]
    calls = fake_slack.calls("chat.postMessage")
    assert [c.body["text"] for c in calls] == ["one", "two"]
    assert calls[0].headers["authorization"] == f"Bearer {TEST_BOT_TOKEN}"
    assert [m.text for m in fake_slack.thread("C0CS00001", first["ts"])] == ["two"]


def test_blocks_arrive_parsed_as_json(fake_slack: FakeSlack, slack_client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*card*"}}]
    slack_client.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    assert fake_slack.calls("chat.postMessage")[0].body["blocks"] == blocks


def test_form_encoded_bodies_are_parsed_too(fake_slack: FakeSlack,
                                            slack_client: WebClient) -> None:
    blocks = [{"type": "divider"}]
    response = slack_client.api_call("chat.postMessage", data={
        "channel": "C1", "text": "form", "blocks": json.dumps(blocks)})
    assert response["ok"]
    call = fake_slack.calls("chat.postMessage")[0]
    assert call.body["text"] == "form" and call.body["blocks"] == blocks
    assert "application/x-www-form-urlencoded" in call.headers["content-type"]


def test_chat_update_changes_the_message_in_place(fake_slack: FakeSlack,
                                                  slack_client: WebClient) -> None:
    posted = slack_client.chat_postMessage(channel="C1", text="v1")
    updated = slack_client.chat_update(channel="C1", ts=posted["ts"], text="v2")
    assert updated["ts"] == posted["ts"] and updated["text"] == "v2"
    message = fake_slack.message("C1", posted["ts"])
    assert (message.text, message.updates, message.history[0]["text"]) == ("v2", 1, "v1")
    with pytest.raises(SlackApiError) as caught:
        slack_client.chat_update(channel="C1", ts="1.000000", text="nope")
    assert caught.value.response["error"] == "message_not_found"
    assert fake_slack.calls("chat.update", include_failed=True)[-1].ok is False


def test_ephemeral_views_dm_users_and_auth(fake_slack: FakeSlack,
                                           slack_client: WebClient) -> None:
    assert slack_client.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    view = {"type": "modal", "callback_id": "x", "title": {"type": "plain_text", "text": "T"},
            "blocks": []}
    opened = slack_client.views_open(trigger_id=fake_slack.issue_trigger_id(), view=view)["view"]
    assert opened["id"].startswith("V") and opened["callback_id"] == "x"
    updated = slack_client.views_update(view_id=opened["id"], view=view)["view"]
    assert updated["id"] == opened["id"]
    home = slack_client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
    assert home["view"]["type"] == "home"
    dm = slack_client.conversations_open(users="U0ALICE")["channel"]["id"]
    assert dm.startswith("D")
    assert slack_client.chat_postMessage(channel="U0ALICE", text="hi")["channel"] == dm
    assert slack_client.users_info(user="U0ALICE")["user"]["id"] == "U0ALICE"
    assert slack_client.auth_test()["user_id"] == BOT_USER_ID
    assert [c.method for c in fake_slack.calls()] == [
        "chat.postEphemeral", "views.open", "views.update", "views.publish",
        "conversations.open", "chat.postMessage", "users.info", "auth.test"]


def test_calls_without_a_token_are_not_authed(fake_slack: FakeSlack) -> None:
    client = WebClient(base_url=fake_slack.base_url)
    with pytest.raises(SlackApiError) as caught:
        client.auth_test()
    assert caught.value.response["error"] == "not_authed"


def test_a_strict_fake_refuses_the_wrong_token() -> None:
    with FakeSlack(token="xoxb-right") as fake:
        assert WebClient(token="xoxb-right", base_url=fake.base_url).auth_test()["ok"]
        with pytest.raises(SlackApiError) as caught:
            WebClient(token="xoxb-wrong", base_url=fake.base_url).auth_test()
        assert caught.value.response["error"] == "invalid_auth"


# ---- scripted failures -------------------------------------------------------------------

def test_429_carries_retry_after(fake_slack: FakeSlack, slack_client: WebClient) -> None:
    fake_slack.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        slack_client.chat_postMessage(channel="C1", text="x")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["retry-after"] in (["7"], "7")
    assert slack_client.chat_postMessage(channel="C1", text="x")["ok"]


def test_rate_limit_retry_handler_waits_retry_after_then_succeeds(
        fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk's handler waits with time.sleep: record the wait instead of spending it.
    waits: list[float] = []
    monkeypatch.setattr(builtin_handlers.time, "sleep", waits.append)
    client = WebClient(token=TEST_BOT_TOKEN, base_url=fake_slack.base_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    fake_slack.rate_limit_next("chat.postMessage", retry_after=7)
    assert client.chat_postMessage(channel="C1", text="after the wait")["ok"]
    attempts = fake_slack.attempts("chat.postMessage")
    assert [a.status for a in attempts] == [429, 200]
    assert len(waits) == 1 and 7 <= waits[0] < 8  # slack_sdk honoured Retry-After
    assert len(fake_slack.messages("C1")) == 1


def test_server_error_then_retry_succeeds(fake_slack: FakeSlack) -> None:
    client = WebClient(token=TEST_BOT_TOKEN, base_url=fake_slack.base_url,
                       retry_handlers=[ServerErrorRetryHandler(
                           max_retry_count=2,
                           interval_calculator=FixedValueRetryIntervalCalculator(0.05))])
    fake_slack.fail_next("chat.update", status=500)
    fake_slack.fail_next("chat.postMessage", count=2, status=500)
    assert client.chat_postMessage(channel="C1", text="x")["ok"]
    assert [a.status for a in fake_slack.attempts("chat.postMessage")] == [500, 500, 200]


def test_error_next_answers_ok_false(fake_slack: FakeSlack, slack_client: WebClient) -> None:
    fake_slack.error_next("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as caught:
        slack_client.chat_postMessage(channel="C1", text="x")
    assert caught.value.response["error"] == "channel_not_found"
    assert fake_slack.calls("chat.postMessage") == []


def test_slow_answers_and_client_timeouts(fake_slack: FakeSlack) -> None:
    fake_slack.delay_next("auth.test", 0.3)
    client = WebClient(token=TEST_BOT_TOKEN, base_url=fake_slack.base_url, timeout=5)
    assert client.auth_test()["ok"]  # a slow answer is still an answer
    impatient = WebClient(token=TEST_BOT_TOKEN, base_url=fake_slack.base_url,
                          timeout=0.2)  # type: ignore[arg-type]  # urllib takes float seconds
    fake_slack.delay_next("auth.test", 1.0)
    with pytest.raises(TimeoutError):
        impatient.auth_test()


def test_down_resets_connections_until_it_comes_back(fake_slack: FakeSlack,
                                                     slack_client: WebClient) -> None:
    fake_slack.go_down()
    for _ in range(2):
        with pytest.raises(ConnectionResetError):
            slack_client.chat_postMessage(channel="C1", text="lost?")
    fake_slack.come_back()
    assert slack_client.chat_postMessage(channel="C1", text="back")["ok"]
    assert [a.status for a in fake_slack.attempts("chat.postMessage")] == [0, 0, 200]
    assert [m.text for m in fake_slack.messages("C1")] == ["back"]


def test_down_with_503_for_one_method_only(fake_slack: FakeSlack,
                                           slack_client: WebClient) -> None:
    fake_slack.go_down("503", methods=["chat.postMessage"])
    with pytest.raises(SlackApiError) as caught:
        slack_client.chat_postMessage(channel="C1", text="x")
    assert caught.value.response.status_code == 503
    assert slack_client.auth_test()["ok"]


def test_connection_error_retry_handler_recovers_once_slack_is_back(
        fake_slack: FakeSlack) -> None:
    client = WebClient(token=TEST_BOT_TOKEN, base_url=fake_slack.base_url,
                       retry_handlers=[ConnectionErrorRetryHandler(
                           max_retry_count=20,
                           interval_calculator=FixedValueRetryIntervalCalculator(0.05))])
    fake_slack.go_down()
    threading.Timer(0.3, fake_slack.come_back).start()
    assert client.auth_test()["ok"]
    assert fake_slack.attempts("auth.test")[-1].status == 200


# ---- waiting, resetting, concurrency -----------------------------------------------------

def test_wait_for_sees_calls_from_other_threads(fake_slack: FakeSlack,
                                                slack_client: WebClient) -> None:
    threading.Timer(0.1, lambda: slack_client.chat_postMessage(channel="C1", text="x")).start()
    calls = fake_slack.wait_for("chat.postMessage", 1, timeout=5)
    assert calls[0].body["channel"] == "C1"


def test_wait_for_times_out_with_what_it_saw(fake_slack: FakeSlack,
                                             slack_client: WebClient) -> None:
    slack_client.auth_test()
    with pytest.raises(AssertionError, match=r"got 0; methods seen: \['auth.test'\]"):
        fake_slack.wait_for("chat.postMessage", 1, timeout=0.2)


def test_reset_forgets_calls_faults_and_outages(fake_slack: FakeSlack,
                                                slack_client: WebClient) -> None:
    slack_client.chat_postMessage(channel="C1", text="x")
    fake_slack.fail_next("auth.test", 3)
    fake_slack.go_down()
    fake_slack.reset()
    assert fake_slack.calls() == [] and fake_slack.messages() == []
    assert slack_client.auth_test()["ok"]


def test_concurrent_posts_are_all_recorded_with_unique_ts(fake_slack: FakeSlack) -> None:
    client = WebClient(token=TEST_BOT_TOKEN, base_url=fake_slack.base_url)
    results: list[str] = []
    lock = threading.Lock()

    def post(n: int) -> None:
        for i in range(10):
            ts = client.chat_postMessage(channel="C1", text=f"{n}-{i}")["ts"]
            with lock:
                results.append(ts)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(fake_slack.calls("chat.postMessage")) == 200
    assert len(set(results)) == 200


def test_unknown_paths_and_methods(fake_slack: FakeSlack, slack_client: WebClient) -> None:
    with pytest.raises(SlackApiError) as caught:
        slack_client.api_call("no.such.method")
    assert caught.value.response["error"] == "unknown_method"
    request = urllib.request.Request(fake_slack.base_url.replace("/api/", "/other"),
                                     method="POST", data=b"")
    with pytest.raises(urllib.error.HTTPError) as http_error:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 - loopback only
    assert http_error.value.code == 404


# ---- signing and request bodies ----------------------------------------------------------

def test_signed_headers_match_slacks_own_verifier() -> None:
    body = slash_command_body("new")
    headers = {k: str(v) for k, v in signed_headers(body, SECRET, timestamp=1_700_000_000).items()}
    assert headers["X-Slack-Request-Timestamp"] == "1700000000"
    verifier = SignatureVerifier(SECRET, clock=_FixedClock(1_700_000_010))
    assert verifier.is_valid_request(body, headers)
    assert not SignatureVerifier("other-secret",
                                 clock=_FixedClock(1_700_000_010)).is_valid_request(body,
                                                                                    headers)
    assert not verifier.is_valid_request(body + b"&x=1", headers)


def test_signature_is_the_documented_v0_hmac() -> None:
    import hashlib
    import hmac

    body = b"token=abc&text=hello"
    expected = "v0=" + hmac.new(SECRET.encode(), b"v0:1531420618:" + body,
                                hashlib.sha256).hexdigest()
    assert signed_headers(body, SECRET, 1531420618)["X-Slack-Signature"] == expected


class _FixedClock(Clock):
    def __init__(self, now: int) -> None:
        self._now = now

    def now(self) -> float:
        return float(self._now)


def _payload(body: bytes) -> dict[str, Any]:
    data = json.loads(parse_qs(body.decode())["payload"][0])
    assert isinstance(data, dict)
    return data


def test_body_builders_are_shaped_like_slacks() -> None:
    command = parse_qs(slash_command_body("list mine", user_id="U9").decode())
    assert command["command"] == ["/complaint"] and command["text"] == ["list mine"]
    assert command["user_id"] == ["U9"] and command["trigger_id"][0]
    click = _payload(block_actions_body("case_acknowledge", '{"case":1}', block_id="card"))
    assert click["type"] == "block_actions"
    assert click["actions"][0]["value"] == '{"case":1}'
    assert click["container"]["type"] == "message" and click["channel"]["id"]
    submit = _payload(view_submission_body("intake_modal", {"b": {"a": {"type": "x"}}},
                                           private_metadata="m", view_id="V1"))
    assert submit["type"] == "view_submission" and "channel" not in submit
    assert submit["view"]["id"] == "V1" and submit["view"]["private_metadata"] == "m"
    assert submit["view"]["state"]["values"] == {"b": {"a": {"type": "x"}}}
    assert _payload(global_shortcut_body("log_complaint"))["type"] == "shortcut"
    shortcut = _payload(message_shortcut_body("log_message_as_complaint", "it broke"))
    assert shortcut["type"] == "message_action" and shortcut["message"]["text"] == "it broke"
    event = json.loads(event_body(app_home_opened_event("U7")))
    assert event["type"] == "event_callback" and event["event"]["user"] == "U7"


def test_signed_requests_run_through_bolt_and_reach_the_fake(fake_slack: FakeSlack,
                                                             slack_client: WebClient) -> None:
    app = App(client=slack_client, signing_secret=SECRET, token_verification_enabled=False,
              process_before_response=True)
    seen: dict[str, Any] = {}

    @app.command("/complaint")
    def on_command(ack: Any, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.chat_postMessage(channel=body["channel_id"], text=f"got {body['text']}")

    @app.action("case_acknowledge")
    def on_click(ack: Any, body: dict[str, Any]) -> None:
        ack()
        seen["value"] = body["actions"][0]["value"]

    @app.view("intake_modal")
    def on_submit(ack: Any, view: dict[str, Any]) -> None:
        seen["metadata"] = view["private_metadata"]
        ack(response_action="errors", errors={"email": "enter a valid email address"})

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    body = slash_command_body("help")
    response = app.dispatch(BoltRequest(body=body.decode(), headers=signed_headers(body, SECRET)))
    assert response.status == 200
    assert fake_slack.wait_for("chat.postMessage")[0].body["text"] == "got help"

    body = block_actions_body("case_acknowledge", '{"case":3,"v":1}')
    assert app.dispatch(BoltRequest(body=body.decode(),
                                    headers=signed_headers(body, SECRET))).status == 200
    assert seen["value"] == '{"case":3,"v":1}'

    body = view_submission_body("intake_modal", {}, private_metadata='{"c":"C1"}')
    response = app.dispatch(BoltRequest(body=body.decode(), headers=signed_headers(body, SECRET)))
    assert response.status == 200 and json.loads(response.body)["response_action"] == "errors"
    assert seen["metadata"] == '{"c":"C1"}'

    body = event_body(app_home_opened_event("U7"))
    headers = signed_headers(body, SECRET, content_type=JSON)
    assert app.dispatch(BoltRequest(body=body.decode(), headers=headers)).status == 200
    assert fake_slack.wait_for("views.publish")[0].body["user_id"] == "U7"


def test_bolt_refuses_bad_and_stale_signatures(slack_client: WebClient) -> None:
    app = App(client=slack_client, signing_secret=SECRET, token_verification_enabled=False)
    app.command("/complaint")(lambda ack: ack())
    body = slash_command_body("help")
    wrong = app.dispatch(BoltRequest(body=body.decode(),
                                     headers=signed_headers(body, "not-the-secret")))
    stale = app.dispatch(BoltRequest(body=body.decode(), headers=signed_headers(
        body, SECRET, timestamp=int(time.time()) - 10 * 60)))
    assert (wrong.status, stale.status) == (401, 401)


def test_a_held_call_is_in_flight_until_released(fake_slack: FakeSlack,
                                                 slack_client: WebClient) -> None:
    held = fake_slack.hold_next("auth.test")
    answers: list[Any] = []
    caller = threading.Thread(target=lambda: answers.append(slack_client.auth_test()))
    caller.start()
    held.wait_arrived()
    assert answers == [] and fake_slack.attempts("auth.test") == []
    held.release()
    caller.join(5)
    assert answers[0]["ok"] and len(fake_slack.calls("auth.test")) == 1


# ---- refusing what Slack refuses -----------------------------------------------------------

def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _modal(**extra: Any) -> dict[str, Any]:
    view: dict[str, Any] = {"type": "modal", "callback_id": "x",
                            "title": {"type": "plain_text", "text": "Log a complaint"},
                            "blocks": [_section("hello")]}
    view.update(extra)
    return view


def _refused(call: Any) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as caught:
        call()
    return dict(caught.value.response.data)


@pytest.mark.parametrize(("blocks", "pointer"), [
    ([_section("x")] * 51, "/blocks"),
    ([_section("x" * 3001)], "/blocks/0/text/text"),
    ([_section("")], "/blocks/0/text/text"),
    ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "x" * 2001}]}],
     "/blocks/0/fields/0/text"),
    ([{"type": "section", "fields": [{"type": "mrkdwn", "text": "x"}] * 11}],
     "/blocks/0/fields"),
    ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "x" * 3001}]}],
     "/blocks/0/elements/0/text"),
    ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "x"}] * 11}],
     "/blocks/0/elements"),
    ([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
     "/blocks/0/text/text"),
    ([{"type": "actions", "elements": [{"type": "button", "action_id": "a",
                                        "text": {"type": "plain_text", "text": "x" * 76}}]}],
     "/blocks/0/elements/0/text/text"),
    ([{"type": "actions", "elements": [{"type": "button", "action_id": "a" * 256,
                                        "text": {"type": "plain_text", "text": "Go"}}]}],
     "/blocks/0/elements/0/action_id"),
    ([{**_section("x"), "block_id": "b" * 256}], "/blocks/0/block_id"),
    ([{**_section("x"), "block_id": "same"}, {**_section("y"), "block_id": "same"}],
     "/blocks/1/block_id"),
    ([{"type": "sectoin", "text": {"type": "mrkdwn", "text": "typo"}}], "/blocks/0/type"),
])
def test_messages_over_block_kit_limits_are_invalid_blocks(
        fake_slack: FakeSlack, slack_client: WebClient, blocks: list[Any], pointer: str) -> None:
    answer = _refused(lambda: slack_client.chat_postMessage(channel="C1", text="t",
                                                            blocks=blocks))
    assert answer["error"] == "invalid_blocks"
    assert any(f"[json-pointer:{pointer}]" in m for m in answer["response_metadata"]["messages"])
    assert fake_slack.messages("C1") == []


def test_block_kit_at_its_limits_is_accepted_and_updates_are_checked_too(
        fake_slack: FakeSlack, slack_client: WebClient) -> None:
    blocks = [_section("x" * 3000)] + [{"type": "divider"}] * 49
    posted = slack_client.chat_postMessage(channel="C1", text="t", blocks=blocks)
    answer = _refused(lambda: slack_client.chat_update(
        channel="C1", ts=posted["ts"], text="t", blocks=blocks + [{"type": "divider"}]))
    assert answer["error"] == "invalid_blocks"
    assert fake_slack.message("C1", posted["ts"]).blocks == blocks  # unchanged
    assert _refused(lambda: slack_client.chat_postEphemeral(
        channel="C1", user="U1", text="t", blocks=[{"type": "nope"}]))["error"] == "invalid_blocks"


@pytest.mark.parametrize(("change", "pointer"), [
    ({"title": {"type": "plain_text", "text": "x" * 25}}, "/view/title/text"),
    ({"submit": {"type": "plain_text", "text": "x" * 25}}, "/view/submit/text"),
    ({"close": {"type": "plain_text", "text": "x" * 25}}, "/view/close/text"),
    ({"private_metadata": "x" * 3001}, "/view/private_metadata"),
    ({"blocks": [_section("x")] * 101}, "/view/blocks"),
    ({"blocks": [{"type": "table_of_contents"}]}, "/view/blocks/0/type"),
])
def test_modals_over_their_limits_are_refused(fake_slack: FakeSlack, slack_client: WebClient,
                                              change: dict[str, Any], pointer: str) -> None:
    trigger = fake_slack.issue_trigger_id()
    answer = _refused(lambda: slack_client.views_open(trigger_id=trigger,
                                                      view=_modal(**change)))
    assert answer["error"] == "invalid_arguments"
    assert any(f"[json-pointer:{pointer}]" in m for m in answer["response_metadata"]["messages"])
    # A refused view does not spend the trigger: a corrected one still opens.
    assert slack_client.views_open(trigger_id=trigger, view=_modal())["ok"]


def test_home_views_take_100_blocks_not_101(fake_slack: FakeSlack,
                                             slack_client: WebClient) -> None:
    home = {"type": "home", "blocks": [{"type": "divider"}] * 100}
    assert slack_client.views_publish(user_id="U1", view=home)["ok"]
    answer = _refused(lambda: slack_client.views_publish(
        user_id="U1", view={"type": "home", "blocks": [{"type": "divider"}] * 101}))
    assert answer["error"] == "invalid_arguments"


def test_a_trigger_id_opens_one_view_within_three_seconds_of_the_clock(
        fake_slack: FakeSlack, slack_client: WebClient, clock: FrozenClock) -> None:
    assert fake_slack.clock is clock
    trigger = fake_slack.issue_trigger_id()
    clock.advance(timedelta(seconds=3))
    assert slack_client.views_open(trigger_id=trigger, view=_modal())["ok"]
    reused = _refused(lambda: slack_client.views_open(trigger_id=trigger, view=_modal()))
    assert reused["error"] == "exchanged_trigger_id"
    pushed = _refused(lambda: slack_client.views_push(trigger_id=trigger, view=_modal()))
    assert pushed["error"] == "exchanged_trigger_id"

    late = fake_slack.issue_trigger_id()
    clock.advance(timedelta(seconds=3, milliseconds=1))
    assert _refused(lambda: slack_client.views_open(trigger_id=late, view=_modal())
                    )["error"] == "expired_trigger_id"
    assert _refused(lambda: slack_client.views_open(trigger_id="12345.98765.abcd",
                                                    view=_modal()))["error"] == \
        "invalid_trigger_id"
    assert len(fake_slack.calls("views.open")) == 1


def test_requests_from_the_signing_helpers_carry_trigger_ids_the_fake_issued(
        fake_slack: FakeSlack, slack_client: WebClient) -> None:
    body = parse_qs(slash_command_body("new").decode())
    trigger = body["trigger_id"][0]
    assert slack_client.views_open(trigger_id=trigger, view=_modal())["ok"]


def test_a_reply_needs_its_thread_in_that_channel(fake_slack: FakeSlack,
                                                  slack_client: WebClient) -> None:
    parent = slack_client.chat_postMessage(channel="C1", text="card")["ts"]
    assert slack_client.chat_postMessage(channel="C1", text="reply", thread_ts=parent)["ok"]
    for channel, ts in (("C1", "1699999999.000001"), ("C2", parent)):
        answer = _refused(lambda c=channel, t=ts: slack_client.chat_postMessage(
            channel=c, text="lost", thread_ts=t))
        assert answer["error"] == "thread_not_found"
    assert [m.text for m in fake_slack.thread("C1", parent)] == ["reply"]


def test_views_update_needs_a_view_that_was_opened(fake_slack: FakeSlack,
                                                   slack_client: WebClient) -> None:
    opened = slack_client.views_open(trigger_id=fake_slack.issue_trigger_id(),
                                     view=_modal(external_id="ext-1"))["view"]
    assert slack_client.views_update(external_id="ext-1", view=_modal())["ok"]
    new_title = {"type": "plain_text", "text": "Saved"}
    assert slack_client.views_update(view_id=opened["id"], view=_modal(title=new_title))["ok"]
    assert fake_slack.view(opened["id"])["title"]["text"] == "Saved"
    for kwargs in ({"view_id": "V0NEVER0001"}, {"external_id": "never"}):
        answer = _refused(lambda k=kwargs: slack_client.views_update(view=_modal(), **k))
        assert answer["error"] == "not_found"


def test_files_upload_v2_shares_in_a_dm_and_is_refused_a_user_id(
        fake_slack: FakeSlack, slack_client: WebClient) -> None:
    dm = slack_client.conversations_open(users="U0CS00001")["channel"]["id"]
    done = slack_client.files_upload_v2(channel=dm, content=b"%PDF-1.7 letter",
                                        filename="letter.pdf", initial_comment="To print")
    [message] = [m for m in fake_slack.messages(dm) if m.files]
    assert message.text == "To print" and message.files[0]["mimetype"] == "application/pdf"
    assert fake_slack.file_bytes(done["file"]["id"]) == b"%PDF-1.7 letter"
    # The same rules as the sandbox's stand-in: completeUploadExternal wants a conversation.
    with pytest.raises(SlackApiError) as refused:
        slack_client.files_upload_v2(channel="U0CS00001", content=b"x", filename="a.txt")
    assert refused.value.response["error"] == "channel_not_found"
