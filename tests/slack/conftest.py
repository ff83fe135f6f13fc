"""Fixtures for Slack-level tests: the fake Slack Web API on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from tests.slack.fake_slack import FakeSlack

TEST_BOT_TOKEN = "xoxb-test-token"


@pytest.fixture(scope="session")
def _fake_slack_server() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake_slack(_fake_slack_server: FakeSlack) -> Iterator[FakeSlack]:
    """The fake Slack API, emptied for this test; ``fake_slack.base_url`` for WebClient."""
    _fake_slack_server.reset()
    yield _fake_slack_server
    _fake_slack_server.reset()


@pytest.fixture
def slack_client(fake_slack: FakeSlack) -> WebClient:
    """A real slack_sdk WebClient pointed at the fake, no retry handlers."""
    return WebClient(token=TEST_BOT_TOKEN, base_url=fake_slack.base_url, timeout=5,
                     retry_handlers=[])
