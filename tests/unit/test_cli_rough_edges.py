"""Rough edges a new operator meets on the command line (issue #9, finding 7)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from tests.unit.test_cli_sweep import claims_and_outbox, log_case

pytestmark = pytest.mark.usefixtures("cli_database")


def test_roles_add_in_lower_case_is_the_same_person(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roles", "add", "u012abc", "customer-services"]) == 0
    assert "U012ABC is now customer-services" in capsys.readouterr().out
    assert main(["roles", "add", "U012ABC", "customer-services"]) == 0
    assert "U012ABC was already customer-services" in capsys.readouterr().out
    assert main(["roles", "list"]) == 0
    [row] = capsys.readouterr().out.splitlines()
    assert row.split("\t")[1:] == ["U012ABC", "slack:U012ABC", "customer-services"]


@pytest.mark.parametrize("user", ["C012ABC", "U0", "U012-ABC", "@ada", "U012ABC!"])
def test_roles_add_refuses_what_is_not_a_slack_user_id(
        capsys: pytest.CaptureFixture[str], user: str) -> None:
    assert main(["roles", "add", user, "director"]) == 2
    err = capsys.readouterr().err
    assert "USER_ID" in err and repr(user) in err


def test_outbox_retry_of_an_unknown_id_is_an_error_naming_it(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outbox", "retry", "99"]) == 2
    err = capsys.readouterr().err
    assert "no dead outbox message with id 99" in err


def test_sweep_at_a_future_time_is_refused_without_dry_run(
        capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC)
    log_case(now - timedelta(days=3), now - timedelta(days=3))
    before = claims_and_outbox()
    future = (now + timedelta(days=120)).replace(microsecond=0).isoformat()
    assert main(["sweep", "--once", "--at", future]) == 2
    assert "is in the future" in capsys.readouterr().err
    assert claims_and_outbox() == before


def test_sweep_dry_run_at_a_future_time_prints_and_changes_nothing(
        capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC)
    _, reference = log_case(now - timedelta(days=3), now - timedelta(days=3))
    before = claims_and_outbox()
    # A Tuesday 10:00 London time months ahead: in business hours, everything overdue.
    ahead = now + timedelta(days=120)
    ahead += timedelta(days=(1 - ahead.weekday()) % 7)
    when = ahead.strftime("%Y-%m-%dT10:00")
    assert main(["sweep", "--once", "--dry-run", "--at", when]) == 0
    out = capsys.readouterr().out
    assert "would queue" in out and reference in out
    assert "nothing was changed" in out
    assert claims_and_outbox() == before


def test_unreachable_database_is_one_line_naming_database_url(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL",
                       "postgresql+psycopg://nobody:secret@127.0.0.1:1/nothing")
    assert main(["db", "current"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "DATABASE_URL" in err and "127.0.0.1:1" in err and "secret" not in err
    assert "Traceback" not in err


def test_commands_do_not_log_alembic_info(caplog: pytest.LogCaptureFixture,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    assert main(["db", "upgrade"]) == 0
    assert [r for r in caplog.records if r.name.startswith("alembic")] == []
    assert "database at revision" in capsys.readouterr().out


def test_run_help_says_it_listens_on_every_interface_by_default(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "default 0.0.0.0: every interface" in out
    assert "--no-check" in out


def test_letter_rendering_and_migration_progress_stay_out_of_the_log() -> None:
    import logging

    from bot.startup import LibraryNoise

    noise = LibraryNoise()

    def kept(name: str, level: int) -> bool:
        return noise.filter(logging.LogRecord(name, level, __file__, 1, "x", None, None))

    assert not kept("weasyprint.progress", logging.INFO)
    assert not kept("fontTools.subset", logging.INFO)
    assert not kept("alembic.migration.0007", logging.INFO)
    assert kept("weasyprint", logging.WARNING)
    assert kept("bot.cli", logging.INFO)
