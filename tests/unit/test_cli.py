"""`complaints-bot` as staff and operators use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from cases.people import PERSON_ID

pytestmark = pytest.mark.usefixtures("cli_environment")


def _dates(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, str]:
    assert main(["policy", "dates", *args, "--json"]) == 0
    result: dict[str, str] = json.loads(capsys.readouterr().out)
    return result


def test_policy_dates_for_a_friday_evening_before_a_bank_holiday(
        capsys: pytest.CaptureFixture[str]) -> None:
    out = _dates(capsys, "--received", "2026-05-01T18:30")
    assert out["effective_receipt"] == "2026-05-05"
    assert out["stage_one_acknowledge_by"] == "2026-05-08T17:00:00+01:00"
    assert out["stage_one_investigate_by"] == "2026-06-04T17:00:00+01:00"
    assert out["stage_two_acknowledge_by"] == "2026-05-07T17:00:00+01:00"
    assert out["stage_two_reply_by"] == "2026-05-19T17:00:00+01:00"
    assert "stage_one_reply_by" not in out


def test_policy_dates_over_easter_and_christmas(capsys: pytest.CaptureFixture[str]) -> None:
    easter = _dates(capsys, "--received", "2026-04-02T17:00")
    assert easter["effective_receipt"] == "2026-04-07"
    assert easter["stage_one_acknowledge_by"] == "2026-04-10T17:00:00+01:00"
    christmas = _dates(capsys, "--received", "2026-12-23T10:00")
    assert christmas["stage_one_acknowledge_by"] == "2026-12-30T17:00:00+00:00"


def test_policy_dates_with_conclusion_adds_the_reply_date(
        capsys: pytest.CaptureFixture[str]) -> None:
    out = _dates(capsys, "--received", "2026-12-23T10:00", "--concluded", "2027-01-04T12:00")
    # 4 Jan + 5 days is Saturday 9 Jan: the next working day, Monday 11 Jan.
    assert out["stage_one_reply_by"] == "2027-01-11T17:00:00+00:00"


def test_policy_dates_reads_an_explicit_offset(capsys: pytest.CaptureFixture[str]) -> None:
    # 16:30 UTC is 17:30 in London in May: after the cut-off.
    out = _dates(capsys, "--received", "2026-05-12T16:30:00+00:00")
    assert out["effective_receipt"] == "2026-05-13"


def test_policy_dates_refuses_a_malformed_time_naming_the_flag(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "dates", "--received", "yesterday"]) == 2
    err = capsys.readouterr().err
    assert "--received" in err and "ISO 8601" in err


def test_policy_file_override_changes_the_dates(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[stage_one_acknowledgement]\ndays = 5\n", encoding="utf-8")
    monkeypatch.setenv("COMPLAINTS_POLICY_FILE", str(policy))
    out = _dates(capsys, "--received", "2026-05-01T18:30")
    assert out["stage_one_acknowledge_by"] == "2026-05-12T17:00:00+01:00"


def test_bad_policy_file_names_the_key(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[investigation]\nunit = \"fortnightly\"\n", encoding="utf-8")
    monkeypatch.setenv("COMPLAINTS_POLICY_FILE", str(policy))
    assert main(["policy", "dates", "--received", "2026-05-01T10:00"]) == 2
    assert "investigation.unit" in capsys.readouterr().err


def test_run_with_some_slack_settings_names_every_missing_one(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-half-configured")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN",
                 "COMPLAINTS_CS_CHANNEL", "COMPLAINTS_DIRECTORS_CHANNEL"):
        assert name in err


def test_run_with_no_slack_settings_starts_the_sandbox_never_slack(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.cli

    started: list[int] = []
    monkeypatch.setattr(bot.cli, "run_sandbox", lambda port: started.append(port) or 0)
    assert main(["run", "--port", "3456"]) == 0
    assert started == [3456]
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "given")
    assert main(["run"]) == 2  # one Slack setting given: Slack, so the others are missing
    assert started == [3456]


def test_roles_add_list_remove(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roles", "add", "U012ABC", "customer-services"]) == 0
    assert main(["roles", "add", "U034DEF", "director"]) == 0
    assert main(["roles", "add", "U012ABC", "customer-services"]) == 0
    assert "already" in capsys.readouterr().out
    assert main(["roles", "list"]) == 0
    listing = capsys.readouterr().out
    assert "U012ABC\tcustomer-services" in listing and "U034DEF\tdirector" in listing
    assert main(["roles", "remove", "U012ABC", "customer-services"]) == 0
    assert "no longer customer-services" in capsys.readouterr().out
    assert main(["roles", "list"]) == 0
    [row] = capsys.readouterr().out.splitlines()
    person, name, slack, role = row.split("\t")
    assert PERSON_ID.fullmatch(person) and (name, slack, role) == (
        "U034DEF", "slack:U034DEF", "director")


def test_roles_add_refuses_an_unknown_role_listing_the_choices(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["roles", "add", "U012ABC", "manager"]) == 2
    err = capsys.readouterr().err
    assert "ROLE" in err and "customer-services" in err and "hr-manager" in err


def test_outbox_status_and_retry_on_an_empty_database(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outbox", "status"]) == 0
    assert "pending 0, delivered 0, dead 0" in capsys.readouterr().out
    assert main(["outbox", "retry"]) == 0
    assert "requeued 0 message(s)" in capsys.readouterr().out


def test_outbox_status_names_each_dead_message_and_why_then_retry_requeues_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import UTC, datetime

    from cases.model import Notice, NoticeKind
    from storage import migrate
    from storage.db import make_engine
    from storage.outbox import OutboxStore
    from storage.uow import SqlUnitOfWorkFactory

    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    migrate.upgrade(url)
    engine = make_engine(url)
    with SqlUnitOfWorkFactory(engine)() as uow:
        uow.outbox.add([Notice(NoticeKind.CHANNEL, None, {"text": "hello"})])
        uow.commit()
    store = OutboxStore(engine)
    now = datetime.now(UTC)
    [item] = store.claim(now, 5, 60)
    store.failed(item.id, now, "Slack refused: not_in_channel", None, hard=True)
    engine.dispose()

    assert main(["outbox", "status"]) == 0
    out = capsys.readouterr().out
    assert "dead 1" in out and "not_in_channel" in out and "refused 1 time(s)" in out
    assert main(["outbox", "retry"]) == 0
    assert "requeued 1 message(s)" in capsys.readouterr().out
    assert main(["outbox", "status"]) == 0
    assert "pending 1, delivered 0, dead 0" in capsys.readouterr().out


def test_roles_add_accepts_the_senior_role(capsys: pytest.CaptureFixture[str]) -> None:
    # Issue #10: a Stage Two review is delegated to a director or to `senior` staff.
    assert main(["roles", "add", "U056GHI", "senior"]) == 0
    capsys.readouterr()
    assert main(["roles", "list"]) == 0
    assert "U056GHI\tsenior" in capsys.readouterr().out
