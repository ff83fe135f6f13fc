"""`complaints-bot report`: the Phase Three report from the command line, on a SQLite file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.cli import main
from cases.reporting import last_full_quarter
from scheduling.calendar import UKWorkingCalendar
from tests.unit.test_cli_sweep import log_case

pytestmark = pytest.mark.usefixtures("cli_database")


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["report", *args, "--json"]) == 0
    result: dict[str, Any] = json.loads(capsys.readouterr().out)
    return result


def test_report_for_a_period_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    # 23:30 UTC on 31 Mar is 00:30 on 1 Apr in London: an April complaint.
    log_case(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), datetime(2026, 4, 1, 8, 0, tzinfo=UTC))
    log_case(datetime(2026, 3, 30, 9, 0, tzinfo=UTC), datetime(2026, 3, 30, 10, 0, tzinfo=UTC))

    april = _json(capsys, "--from", "2026-04-01", "--to", "2026-04-30")
    march = _json(capsys, "--from", "2026-03-01", "--to", "2026-03-31")

    assert (april["start"], april["end"], april["total"]) == ("2026-04-01", "2026-04-30", 1)
    assert april["by_category"]["product"] == 1 and april["by_channel"]["phone"] == 1
    assert march["total"] == 1
    # Run today, the March complaint's acknowledgement (due Thu 2 Apr) is long overdue.
    assert march["deadlines"]["stage_one_acknowledgement"]["open_overdue"] == 1
    assert "Ada" not in json.dumps(april) and "ada@example.com" not in json.dumps(march)


def test_report_as_text_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    log_case(datetime(2026, 3, 30, 9, 0, tzinfo=UTC), datetime(2026, 3, 30, 10, 0, tzinfo=UTC))
    assert main(["report", "--from", "2026-03-01", "--to", "2026-03-31"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Complaints trends and effectiveness: received Sun 01 Mar 2026 "
                          "to Tue 31 Mar 2026")
    assert "Complaints received: 1 (still open 1, withdrawn 0)" in out
    assert "Needs attention" in out
    assert "Ada" not in out and "Tracker stopped working" not in out


def test_report_defaults_to_the_last_full_quarter(capsys: pytest.CaptureFixture[str]) -> None:
    today = UKWorkingCalendar().local_date(datetime.now(UTC))
    start, end = last_full_quarter(today)
    out = _json(capsys)
    assert (out["start"], out["end"]) == (start.isoformat(), end.isoformat())
    assert out["total"] == 0 and out["attention"] == []


def test_report_from_alone_runs_to_today(capsys: pytest.CaptureFixture[str]) -> None:
    today = UKWorkingCalendar().local_date(datetime.now(UTC))
    out = _json(capsys, "--from", "2000-01-01")
    assert out["end"] == today.isoformat()


@pytest.mark.parametrize(("args", "flag"), [
    (["--from", "2026-13-01"], "--from"),
    (["--from", "2026-05-01", "--to", "yesterday"], "--to"),
    (["--from", "2026-05-31", "--to", "2026-05-01"], "--to"),
    (["--to", "2026-05-01"], "--to"),
])
def test_report_refuses_bad_dates_naming_the_flag(
        capsys: pytest.CaptureFixture[str], args: list[str], flag: str) -> None:
    assert main(["report", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("complaints-bot: ") and flag in err
