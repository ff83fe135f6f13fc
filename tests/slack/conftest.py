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
from tests.slack.signing import issue_trigger_ids_with

if TYPE_CHECKING:
    from tests.slack.harness import SlackDriver

TEST_BOT_TOKEN = "xoxb-test-token"


@pytest.fixture(scope="session")
def _fake_slack_server() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake_slack(_fake_slack_server: FakeSlack, clock: FrozenClock) -> Iterator[FakeSlack]:
    """The fake Slack API, emptied for this test; ``fake_slack.base_url`` for WebClient.

    It keeps time by the test's ``clock`` (a trigger_id expires 3 s after it was issued on
    that clock) and issues the trigger ids that tests/slack/signing.py puts in requests.
    """
    _fake_slack_server.reset()
    _fake_slack_server.clock = clock
    issue_trigger_ids_with(_fake_slack_server.issue_trigger_id)
    yield _fake_slack_server
    issue_trigger_ids_with(None)
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
def slack(fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock
          ) -> Iterator[SlackDriver]:
    """The whole bot, as `complaints-bot run` builds it, against the fake Slack API.

    A test ends when its listeners have: work they do after their ack (a file upload, a
    posted answer) must not reach the next test's fake Slack.
    """
    from tests.slack.harness import SlackDriver  # the harness imports this module

    driver = SlackDriver(fake_slack, tmp_path, clock)
    yield driver
    assert driver.runtime.listeners.wait_idle(10), \
        "a listener of this test was still running 10 s after the test ended"


@pytest.fixture
def hr_manager(slack: SlackDriver) -> str:
    """The Slack user who holds the HR manager's role (Phase Three, records, reports)."""
    from cases.roles import Role
    from tests.slack.harness import HR_MANAGER

    slack.grant(HR_MANAGER, Role.HR_MANAGER)
    return HR_MANAGER
