"""COMPLAINTS_SURFACES: where messages go is configuration, each surface with a deliverer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.container import Container
from bot.runtime import deliverers
from bot.settings import Settings
from cases.model import Notice, NoticeKind
from storage import migrate
from storage.outbox import OutboxStore


def _settings(url: str, surfaces: str | None = None) -> Settings:
    extra = {} if surfaces is None else {"complaints_surfaces": surfaces}
    return Settings(_env_file=None, database_url=url, **extra)  # type: ignore[call-arg]


def test_slack_is_the_one_surface_unless_configured(
        cli_environment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _settings("sqlite://").complaints_surfaces == ["slack"]
    monkeypatch.setenv("COMPLAINTS_SURFACES", "slack, email")
    assert Settings(_env_file=None).complaints_surfaces == ["slack", "email"]  # type: ignore[call-arg]


def test_a_surface_without_a_deliverer_stops_the_start_naming_it() -> None:
    settings = _settings("sqlite://", "slack,email")
    with pytest.raises(ValueError, match="COMPLAINTS_SURFACES names email"):
        deliverers({"slack": object()}, settings)
    assert list(deliverers({"slack": "s", "email": "e"}, settings)) == ["slack", "email"]


def test_each_configured_surface_gets_its_row_and_outbox_status_names_it(
        cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    migrate.upgrade(cli_database)
    container = Container(_settings(cli_database, "slack,email"))
    with container.uow() as uow:
        uow.outbox.add([Notice(NoticeKind.CHANNEL, None, {"text": "hello"})])
        uow.commit()
    store = OutboxStore(container.engine)
    now = datetime.now(UTC)
    [email] = store.claim(now, 5, 60, surfaces=["email"])
    [slack] = store.claim(now, 5, 60, surfaces=["slack"])
    assert (email.surface, slack.surface) == ("email", "slack")
    store.failed(email.id, now, "no mailbox", None, hard=True)
    container.engine.dispose()

    assert main(["outbox", "status"]) == 0
    out = capsys.readouterr().out
    assert f"dead #{email.id} email channel" in out and "no mailbox" in out
