"""`complaints-bot run` in Socket Mode, as deployed: a real process and real sockets.

The process asks the fake Web API for a WebSocket URL (``apps.connections.open`` with the
app-level token), connects to the fake Socket Mode server over loopback, and is driven
with envelopes carrying the same payloads Slack posts in HTTP mode (tests/slack/signing.py).
Its Web API calls (views.open, chat.postMessage from the outbox) land on the fake Web API.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.slack.conftest import TEST_BOT_TOKEN
from tests.slack.fake_slack import FakeSlack, Message
from tests.slack.harness import GOOD_INTAKE, fill
from tests.slack.signing import slash_command_payload, view_submission_payload

APP_TOKEN = "xapp-1-A0TEST001-1-socket-mode-test"
CS_CHANNEL = "C0CS00001"
CS_AGENT = "U0CS00001"


def _start(fake: FakeSlack, tmp_path: Path, log: IO[str]) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COMPLAINTS_"))}
    env.update({
        "DATABASE_URL": f"sqlite:///{tmp_path / 'socket.sqlite3'}",
        "SLACK_BOT_TOKEN": TEST_BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,  # Socket Mode; no signing secret needed
        "SLACK_API_URL": fake.base_url,
        "COMPLAINTS_CS_CHANNEL": CS_CHANNEL,
        "COMPLAINTS_DIRECTORS_CHANNEL": "C0DIR0001",
        "COMPLAINTS_CUSTOMER_SERVICES": CS_AGENT,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    })
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], cwd=tmp_path, env=env,
                            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                            text=True)


def _cards(fake: FakeSlack, count: int = 1, timeout: float = 10.0) -> list[Message]:
    """The cards posted in the customer-services channel, once ``count`` are there."""
    fake.wait_until(lambda: len(_posted(fake)) >= count, timeout,
                    f"{count} card(s) in {CS_CHANNEL}")
    return _posted(fake)


def _posted(fake: FakeSlack) -> list[Message]:
    """The case cards (top-level messages) in the customer-services channel."""
    return [m for m in fake.messages(CS_CHANNEL) if m.thread_ts is None]


def _wait_for_log(path: Path, text: str, timeout: float = 10.0) -> None:
    """Block until the bot's log shows ``text`` (it writes it when the event happened)."""
    deadline = time.monotonic() + timeout
    while text not in path.read_text():
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not logged within {timeout}s:\n{path.read_text()}")
        time.sleep(0.02)


def test_socket_mode_intake_end_to_end_and_clean_sigterm(
        fake_slack: FakeSlack, tmp_path: Path) -> None:
    socket = fake_slack.socket_mode
    log_path = tmp_path / "bot.log"
    with log_path.open("w") as log:
        proc = _start(fake_slack, tmp_path, log)
    try:
        try:
            socket.wait_connected(timeout=30)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- bot log ---\n{log_path.read_text()}") from None
        opened = fake_slack.calls("apps.connections.open")
        assert len(opened) == 1
        assert opened[0].headers["authorization"] == f"Bearer {APP_TOKEN}"

        # /complaint help: the answer rides on the ack.
        answer = socket.send_envelope("slash_commands",
                                      slash_command_payload("help", user_id=CS_AGENT))
        assert "/complaint new" in answer["text"]

        # /complaint new: an empty ack, and the intake modal opened with the trigger.
        trigger = fake_slack.issue_trigger_id()
        assert socket.send_envelope("slash_commands", slash_command_payload(
            "new", user_id=CS_AGENT, trigger_id=trigger)) == {}
        call = fake_slack.wait_for("views.open")[0]
        assert call.body["trigger_id"] == trigger
        assert call.headers["authorization"] == f"Bearer {TEST_BOT_TOKEN}"
        view = call.body["view"]
        view = json.loads(view) if isinstance(view, str) else view

        # The filled-in modal is submitted: the ack closes it (no inline errors) ...
        submitted = socket.send_envelope("interactive", view_submission_payload(
            view["callback_id"], fill(view, GOOD_INTAKE), user_id=CS_AGENT,
            private_metadata=view.get("private_metadata") or ""))
        assert "errors" not in submitted, submitted
        # ... and the outbox, running in the background, posts the case card.
        [card] = _cards(fake_slack)
        shown = card.text + json.dumps(card.blocks)
        assert re.search(r"TT-\d{4}-0001", shown), shown
        assert "ada@example.com" not in shown and "01482" not in shown

        # Slack rotates the connection: the app opens a new one and carries on.
        socket.disconnect("refresh_requested")
        socket.wait_connected(count=2, timeout=10)
        assert len(fake_slack.calls("apps.connections.open")) == 2
        again = socket.send_envelope("slash_commands",
                                     slash_command_payload("help", user_id=CS_AGENT))
        assert "/complaint new" in again["text"]

        # SIGTERM while an intake submission is in flight (held up by a busy database):
        # the submission still completes, is acked on the socket and its card is posted;
        # then the process hangs up and exits 0 promptly.
        database = sqlite3.connect(tmp_path / "socket.sqlite3", isolation_level=None)
        try:
            database.execute("BEGIN EXCLUSIVE")
            in_flight = socket.post_envelope("interactive", view_submission_payload(
                view["callback_id"], fill(view, {**GOOD_INTAKE, "facts": "Second unit too."}),
                user_id=CS_AGENT, private_metadata=view.get("private_metadata") or ""))
            # Envelopes are taken off the socket in order: once a later one is acked, the
            # app has taken the submission (and waits on the database).
            assert "/complaint new" in socket.send_envelope(
                "slash_commands", slash_command_payload("help", user_id=CS_AGENT))["text"]
            proc.send_signal(signal.SIGTERM)
            _wait_for_log(log_path, "received SIGTERM")  # the signal landed mid-submission
        finally:
            database.close()  # the database answers again
        assert "errors" not in socket.wait_ack(in_flight, timeout=10)
        code = proc.wait(timeout=10)  # a guard against hanging, not a timing assertion
        assert code == 0, log_path.read_text()
        socket.wait_closed(timeout=5)
        assert len(_cards(fake_slack, count=2)) == 2
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_socket_mode_refused_app_token_is_a_clear_error(
        fake_slack: FakeSlack, tmp_path: Path) -> None:
    fake_slack.error_next("apps.connections.open", "invalid_auth")
    log_path = tmp_path / "bot.log"
    with log_path.open("w") as log:
        proc = _start(fake_slack, tmp_path, log)
    try:
        assert proc.wait(timeout=30) == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = log_path.read_text()
    assert "SLACK_APP_TOKEN" in output and "invalid_auth" in output, output
    assert "Traceback" not in output, output
    assert fake_slack.socket_mode.connections == 0


def test_fake_socket_mode_tokens_tickets_and_hello(
        fake_slack: FakeSlack, slack_client: WebClient) -> None:
    app_client = WebClient(token=APP_TOKEN, base_url=fake_slack.base_url, retry_handlers=[])
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        slack_client.apps_connections_open(app_token=TEST_BOT_TOKEN)
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        app_client.chat_postMessage(channel=CS_CHANNEL, text="an app token cannot post")
    url = str(app_client.apps_connections_open(app_token=APP_TOKEN)["url"])
    assert url.startswith("ws://127.0.0.1:")

    with connect(url, open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "hello"
        ws.send(json.dumps({"envelope_id": "E1", "payload": {"text": "hi"}}))
        fake_slack.socket_mode.wait_connected()
        fake_slack.socket_mode.wait_ack("E1")  # any frame with an envelope_id is an ack
        assert fake_slack.socket_mode.received() == [{"envelope_id": "E1",
                                                      "payload": {"text": "hi"}}]
    with pytest.raises(InvalidStatus):  # a ticket is good for one connection
        connect(url, open_timeout=5)
