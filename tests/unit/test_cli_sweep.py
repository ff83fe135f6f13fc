"""`complaints-bot sweep --once` through the command line, on a SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.container import Container
from bot.settings import Settings
from cases.clock import FrozenClock
from cases.roles import Role
from storage import migrate
from storage.models import AlertRow, OutboxRow

CS_USER = "U0CSCLI"


pytestmark = pytest.mark.usefixtures("cli_database")


def log_case(received_at: datetime, logged_at: datetime) -> tuple[int, str]:
    """A complaint logged through the service layer; returns its id and reference."""
    container = Container(Settings(), FrozenClock(logged_at))
    migrate.upgrade(container.settings.database_url)
    with container.uow() as uow:
        uow.roles.grant(CS_USER, Role.CUSTOMER_SERVICES)
        uow.commit()
    intake: dict[str, Any] = {
        "complainant_name": "Ada Example", "email": "ada@example.com",
        "relationship": "customer", "channel": "phone",
        "received_at": received_at.isoformat(), "facts": "Tracker stopped working.",
        "category": "product",
        "checklist": {"referred_to_procedure": True, "feedback_form_sent": True,
                      "told_next_steps": True},
    }
    case = container.desk.log_complaint(intake, logged_by=CS_USER)
    container.engine.dispose()
    assert case.id is not None
    return case.id, case.reference


def claims_and_outbox() -> tuple[list[str], list[tuple[str, str | None]]]:
    container = Container(Settings())
    with container.engine.connect() as conn:
        keys = list(conn.scalars(select(AlertRow.key).order_by(AlertRow.key)))
        rows = [(k, d) for k, d in conn.execute(
            select(OutboxRow.kind, OutboxRow.dedupe_key).order_by(OutboxRow.id))]
    container.engine.dispose()
    return keys, rows


def test_sweep_once_at_a_given_time_queues_the_overdue_alert_once(
        capsys: pytest.CaptureFixture[str]) -> None:
    # Received Mon 30 Mar 2026: acknowledgement due Thu 2 Apr 17:00; on Tue 7 Apr at 09:00
    # (Good Friday and Easter Monday in between) it is overdue by one working day.
    case_id, reference = log_case(datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
                         datetime(2026, 3, 30, 10, 0, tzinfo=UTC))
    _, before = claims_and_outbox()
    assert main(["sweep", "--once", "--at", "2026-04-07T09:00"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["overdue", reference, "stage_one_acknowledgement", "due",
                              "2026-04-02T16:00:00+00:00", "(#1)"]
    assert out[-1].startswith("1 alert(s) queued (1 overdue), ")
    keys, rows = claims_and_outbox()
    assert keys == [f"{case_id}:stage_one_acknowledgement:20260402T1600Z:overdue:1"]
    new = rows[len(before):]
    assert new == [("channel", f"alert:{keys[0]}:channel"), ("card", None)]
    # The same time again: already claimed, nothing more is queued.
    assert main(["sweep", "--once", "--at", "2026-04-07T09:05"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("0 alert(s) queued, ")
    assert claims_and_outbox()[1] == rows


def test_sweep_once_now_claims_what_is_overdue_unless_outside_business_hours(
        capsys: pytest.CaptureFixture[str]) -> None:
    now = datetime.now(UTC)
    _, reference = log_case(now - timedelta(days=90), now - timedelta(days=89))
    assert main(["sweep", "--once"]) == 0
    out = capsys.readouterr().out
    keys, rows = claims_and_outbox()
    if "outside business hours" in out:  # the system clock says night, weekend or holiday
        assert keys == [] and "0 alert(s) queued" in out
        return
    # Ninety days late: the acknowledgement (and the investigation) are overdue, and the
    # Stage One acknowledgement is raised to the directors too.
    assert reference in out
    assert any(k.endswith(":escalated:0") for k in keys)
    queued = {d for kind, d in rows if kind == "channel"}
    assert {f"alert:{k}:channel" for k in keys} <= queued


def test_sweep_at_refuses_a_malformed_time(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", "--once", "--at", "tomorrow"]) == 2
    assert "--at" in capsys.readouterr().err
