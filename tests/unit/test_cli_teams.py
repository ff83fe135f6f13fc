"""`complaints-bot run` with Teams settings: Teams alone, Teams beside Slack, half-configured.

`serve` is replaced by a recorder (as the sandbox test replaces `run_sandbox`), so what is
checked is what `run` decided from the settings and flags, without opening a port.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.cli import main

PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
TEAMS_ENV = {f"{PREFIX}CLIENTID": "00000000-1111-2222-3333-444444444444",
             f"{PREFIX}CLIENTSECRET": "secret", f"{PREFIX}TENANTID": "tenant",
             "COMPLAINTS_TEAMS_CS_CHANNEL": "customer-services",
             "COMPLAINTS_TEAMS_DIRECTORS_CHANNEL": "directors"}
SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-given", "SLACK_SIGNING_SECRET": "given",
             "SLACK_APP_TOKEN": "xapp-given", "COMPLAINTS_CS_CHANNEL": "C0CS00001",
             "COMPLAINTS_DIRECTORS_CHANNEL": "C0DIR0001"}


@pytest.fixture
def served(cli_environment: Any, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import bot.server

    for name in (*TEAMS_ENV, "COMPLAINTS_TEAMS_ANONYMOUS", "COMPLAINTS_SURFACES"):
        monkeypatch.delenv(name, raising=False)
    calls: list[dict[str, Any]] = []

    def serve(settings: Any, **kwargs: Any) -> int:
        calls.append({"surfaces": list(settings.complaints_surfaces), **kwargs})
        return 0

    monkeypatch.setattr(bot.server, "serve", serve)
    return calls


def test_run_serves_teams_alone_on_the_teams_port(
        served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in TEAMS_ENV.items():
        monkeypatch.setenv(name, value)
    assert main(["run", "--teams-port", "4000"]) == 0
    [call] = served
    assert call["surfaces"] == ["teams"] and call["teams_port"] == 4000


def test_run_serves_teams_beside_slack_on_the_default_port(
        served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {**TEAMS_ENV, **SLACK_ENV}.items():
        monkeypatch.setenv(name, value)
    assert main(["run"]) == 0
    [call] = served
    assert call["surfaces"] == ["slack", "teams"] and call["teams_port"] == 3978


def test_run_with_half_the_teams_settings_names_every_missing_one(
        served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(f"{PREFIX}CLIENTID", TEAMS_ENV[f"{PREFIX}CLIENTID"])
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    for name in (f"{PREFIX}CLIENTSECRET", f"{PREFIX}TENANTID", "COMPLAINTS_TEAMS_CS_CHANNEL",
                 "COMPLAINTS_TEAMS_DIRECTORS_CHANNEL"):
        assert name in err
    assert served == []


def test_run_refuses_a_bad_teams_port(served: list[dict[str, Any]],
                                      capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["run", "--teams-port", "many"])
    assert exit_.value.code == 2 and "--teams-port" in capsys.readouterr().err
    assert served == []
