"""Fixtures for Slack-level tests: the fake Slack Web API on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient

from cases.clock import FrozenClock
from tests.slack.fake_slack import FakeSlack

if TYPE_CHECKING:
    from tests.slack.harness import SlackDriver

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


@pytest.fixture
def clock() -> FrozenClock:
    """Tuesday 5 May 2026, 10:00 London: the day after a bank holiday."""
    return FrozenClock(datetime(2026, 5, 5, 10, 0, tzinfo=ZoneInfo("Europe/London")))


@pytest.fixture
def slack(fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock) -> SlackDriver:
    """The whole bot, as `complaints-bot run` builds it, against the fake Slack API."""
    from tests.slack.harness import SlackDriver  # the harness imports this module

    return SlackDriver(fake_slack, tmp_path, clock)
