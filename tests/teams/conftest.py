"""Fixtures for the Teams tests: the local fake of Microsoft's side, a driver per test, and
a driver whose letters go to a local SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cases.clock import FrozenClock
from tests.letters.smtp_server import Mailbox, Server
from tests.teams.driver import TeamsDriver
from tests.teams.fake_teams import FakeTeams

LONDON = ZoneInfo("Europe/London")
MAIL_FROM = "complaints@example.co.uk"


@pytest.fixture(scope="session")
def _fake_teams_server() -> Iterator[FakeTeams]:
    with FakeTeams() as fake:
        yield fake


@pytest.fixture
def fake_teams(_fake_teams_server: FakeTeams) -> Iterator[FakeTeams]:
    _fake_teams_server.reset()
    yield _fake_teams_server
    # Every card the bot sent is a valid Adaptive Card 1.5 (the official schema).
    if _fake_teams_server.card_problems:
        pytest.fail("\n".join(_fake_teams_server.card_problems), pytrace=False)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 6, 10, 11, 0, tzinfo=LONDON))


@pytest.fixture
def teams(fake_teams: FakeTeams, tmp_path: Path, clock: FrozenClock) -> Iterator[TeamsDriver]:
    driver = TeamsDriver(fake_teams, tmp_path, clock)
    yield driver
    driver.close()


@pytest.fixture
def mailing(fake_teams: FakeTeams, tmp_path: Path, clock: FrozenClock,
            smtp: tuple[Server, Mailbox]) -> Iterator[tuple[TeamsDriver, Mailbox]]:
    server, mailbox = smtp
    driver = TeamsDriver(fake_teams, tmp_path, clock,
                         complaints_smtp_url=f"smtp://127.0.0.1:{server.port}",
                         complaints_mail_from=MAIL_FROM)
    yield driver, mailbox
    driver.close()
