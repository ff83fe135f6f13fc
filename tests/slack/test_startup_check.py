"""`complaints-bot run` checks the Slack token and both channels before it serves."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.cli import main
from bot.settings import Settings
from bot.startup import slack_problems
from tests.slack.conftest import TEST_BOT_TOKEN
from tests.slack.fake_slack import FakeSlack
from tests.unit.conftest import cli_environment  # noqa: F401 - the fixture

CS, DIRECTORS = "C0CS00001", "C0DIR0001"


@pytest.fixture
def strict_slack() -> Iterator[FakeSlack]:
    with FakeSlack(token=TEST_BOT_TOKEN) as fake:
        yield fake


def _settings(fake: FakeSlack, token: str = TEST_BOT_TOKEN, cs: str = CS,
              directors: str = DIRECTORS) -> Settings:
    return Settings(_env_file=None, slack_bot_token=token,  # type: ignore[call-arg]
                    slack_signing_secret="s", slack_api_url=fake.base_url,
                    complaints_cs_channel=cs, complaints_directors_channel=directors)


def _problems(fake: FakeSlack, settings: Settings) -> list[str]:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = WebClient(token=token, base_url=fake.base_url, timeout=5, retry_handlers=[])
    return slack_problems(client, settings)


def test_good_token_and_channels_pass(strict_slack: FakeSlack) -> None:
    assert _problems(strict_slack, _settings(strict_slack)) == []
    assert [c.method for c in strict_slack.calls()] == [
        "auth.test", "conversations.info", "conversations.info"]


def test_bogus_token_is_named(strict_slack: FakeSlack) -> None:
    problems = _problems(strict_slack, _settings(strict_slack, token="xoxb-bogus"))
    assert len(problems) == 1
    assert problems[0].startswith("SLACK_BOT_TOKEN:") and "invalid_auth" in problems[0]


def test_channel_name_instead_of_id_is_named(strict_slack: FakeSlack) -> None:
    problems = _problems(strict_slack, _settings(strict_slack, cs="general"))
    assert len(problems) == 1
    assert problems[0].startswith("COMPLAINTS_CS_CHANNEL:") and "'general'" in problems[0]
    assert "not a channel id" in problems[0]


def test_channel_the_bot_is_not_in_or_cannot_find_is_named(strict_slack: FakeSlack) -> None:
    strict_slack.channels_without_bot.add(CS)
    strict_slack.missing_channels.add(DIRECTORS)
    problems = _problems(strict_slack, _settings(strict_slack))
    assert problems[0].startswith("COMPLAINTS_CS_CHANNEL:") and "invite" in problems[0]
    assert problems[1].startswith("COMPLAINTS_DIRECTORS_CHANNEL:")
    assert "channel_not_found" in problems[1]


@pytest.mark.usefixtures("cli_environment")
def test_run_with_a_bogus_token_exits_non_zero_naming_the_setting(
        strict_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-bogus", "SLACK_SIGNING_SECRET": "s",
                        "SLACK_API_URL": strict_slack.base_url,
                        "COMPLAINTS_CS_CHANNEL": CS,
                        "COMPLAINTS_DIRECTORS_CHANNEL": "general"}.items():
        monkeypatch.setenv(name, value)
    assert main(["run", "--host", "127.0.0.1", "--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "cannot start: SLACK_BOT_TOKEN: Slack refused it (invalid_auth)" in err


def test_run_no_check_starts_offline_with_a_bogus_token(strict_slack: FakeSlack,
                                                        tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COMPLAINTS_"))}
    env.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'offline.sqlite3'}",
                "SLACK_BOT_TOKEN": "xoxb-bogus", "SLACK_SIGNING_SECRET": "s",
                "SLACK_API_URL": strict_slack.base_url, "COMPLAINTS_CS_CHANNEL": "general",
                "COMPLAINTS_DIRECTORS_CHANNEL": DIRECTORS,
                "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--no-check", "--host",
                             "127.0.0.1", "--port", "0"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("listening on ") or "cannot start" in line:
                break
        assert lines and lines[-1].startswith("listening on "), lines
        assert not any("token will be unused" in line for line in lines)
        assert strict_slack.calls("auth.test") == []
    finally:
        proc.terminate()
        proc.wait(20)
