"""The bot's Slack client keeps its connections open, and behaves as slack_sdk's otherwise."""

from __future__ import annotations

import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.runtime import web_client
from cases.delivery import RetryLater
from handlers.delivery import SlackDelivery
from handlers.slack_client import KeepAliveWebClient
from tests.slack.conftest import TEST_BOT_TOKEN
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import CS_AGENT, CS_CHANNEL, SlackDriver


@pytest.fixture
def client(fake_slack: FakeSlack) -> KeepAliveWebClient:
    made = web_client(TEST_BOT_TOKEN, fake_slack.base_url)
    assert isinstance(made, KeepAliveWebClient)
    return made


def _post(client: WebClient, text: str = "hello") -> SlackResponse:
    return client.chat_postMessage(channel=CS_CHANNEL, text=text)


def test_several_calls_go_over_one_connection(fake_slack: FakeSlack,
                                              client: KeepAliveWebClient) -> None:
    before = fake_slack.connections_accepted
    answers = [_post(client, f"message {i}") for i in range(5)]
    answers.append(client.users_info(user=CS_AGENT))  # a form call (GET in slack_sdk)
    assert all(isinstance(a, SlackResponse) and a["ok"] for a in answers)
    assert [m.text for m in fake_slack.messages(CS_CHANNEL)] == [f"message {i}"
                                                                for i in range(5)]
    assert fake_slack.connections_accepted - before == 1
    assert client.connections_opened == 1


def test_slack_sdks_own_client_opens_a_connection_per_call(fake_slack: FakeSlack) -> None:
    plain = WebClient(token=TEST_BOT_TOKEN, base_url=fake_slack.base_url)
    before = fake_slack.connections_accepted
    for _ in range(3):
        _post(plain)
    assert fake_slack.connections_accepted - before == 3  # what the fake's count shows


def test_a_connection_the_server_closed_is_replaced_without_a_word(
        fake_slack: FakeSlack, client: KeepAliveWebClient) -> None:
    _post(client, "first")
    assert fake_slack.hang_up_idle() >= 1
    assert _post(client, "second")["ok"]
    assert [m.text for m in fake_slack.messages(CS_CHANNEL)] == ["first", "second"]
    assert len(fake_slack.attempts("chat.postMessage")) == 2  # sent once each
    assert client.connections_opened == 2


def test_rate_limited_answers_raise_with_retry_after_as_before(
        fake_slack: FakeSlack, client: KeepAliveWebClient) -> None:
    fake_slack.rate_limit_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        _post(client)
    response = raised.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == response.headers["retry-after"] == "7"
    classified = SlackDelivery._classify(raised.value)  # what the outbox makes of it
    assert isinstance(classified, RetryLater) and classified.seconds == 7
    assert _post(client)["ok"]  # and the connection goes on
    assert client.connections_opened == 1


def test_ok_false_raises_slack_api_error_with_the_error(fake_slack: FakeSlack,
                                                       client: KeepAliveWebClient) -> None:
    fake_slack.error_next("chat.postMessage", "channel_not_found")
    with pytest.raises(SlackApiError) as raised:
        _post(client)
    assert raised.value.response["error"] == "channel_not_found"
    assert raised.value.response.status_code == 200


def test_a_reset_is_retried_once_like_slack_sdks_client(fake_slack: FakeSlack) -> None:
    attempts = {}
    for name, made in (("keep-alive", web_client(TEST_BOT_TOKEN, fake_slack.base_url)),
                       ("slack_sdk", WebClient(token=TEST_BOT_TOKEN,
                                               base_url=fake_slack.base_url))):
        if name == "slack_sdk":  # the same retry handlers as the bot's client
            made.retry_handlers = list(web_client(TEST_BOT_TOKEN).retry_handlers)
        _post(made, "warm")  # a kept connection, for the keep-alive client
        before = len(fake_slack.attempts("chat.postMessage"))
        fake_slack.go_down("reset", ["chat.postMessage"])
        with pytest.raises(OSError):
            _post(made)
        fake_slack.come_back()
        attempts[name] = len(fake_slack.attempts("chat.postMessage")) - before
    assert attempts["keep-alive"] == attempts["slack_sdk"]


def test_a_slow_answer_times_out_and_the_next_call_works(fake_slack: FakeSlack) -> None:
    made = KeepAliveWebClient(token=TEST_BOT_TOKEN, base_url=fake_slack.base_url,
                              timeout=0.3)
    fake_slack.delay_next("chat.postMessage", 1.0)
    with pytest.raises(TimeoutError):
        _post(made)
    assert _post(made, "after")["ok"]


def test_file_uploads_still_go_through_slack_sdk(fake_slack: FakeSlack,
                                                 client: KeepAliveWebClient) -> None:
    client.files_upload_v2(channel=CS_CHANNEL, content=b"%PDF-1.4 bytes",
                           filename="case.pdf", title="Case file")
    assert fake_slack.uploaded_files(CS_CHANNEL)[0]["content"] == b"%PDF-1.4 bytes"


def test_listeners_use_the_bots_client_and_its_connection(slack: SlackDriver) -> None:
    fake, client = slack.fake, slack.runtime.client
    assert isinstance(client, KeepAliveWebClient)
    for count in (1, 2, 3, 4):
        slack.command(CS_AGENT, "new")
        fake.wait_for("views.open", count)
        deadline = time.monotonic() + 5
        while client.idle_connections != 1 and time.monotonic() < deadline:
            time.sleep(0.01)  # the listener reads the answer and gives the connection back
    assert client.connections_opened == 1  # each modal over the kept connection
