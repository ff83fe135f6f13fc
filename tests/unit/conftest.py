"""Fixtures for the command-line tests: a clean environment and a scratch SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

# Every setting bot.settings.Settings reads: none may leak in from the developer's shell.
SETTINGS_ENV = (
    "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL",
    "COMPLAINTS_CS_CHANNEL", "COMPLAINTS_DIRECTORS_CHANNEL", "COMPLAINTS_POLICY_FILE",
    "DATABASE_URL", "COMPLAINTS_CUSTOMER_SERVICES", "COMPLAINTS_DIRECTORS",
    "COMPLAINTS_HR_MANAGERS",
)


@pytest.fixture
def cli_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No settings from the shell, and a working directory with no stray .env."""
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the default SQLite file lands here too
    return tmp_path


@pytest.fixture
def cli_database(cli_environment: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """DATABASE_URL set to a SQLite file in the scratch directory."""
    url = f"sqlite:///{cli_environment / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url
