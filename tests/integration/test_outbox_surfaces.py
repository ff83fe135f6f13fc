"""Outbox surfaces: each notice is queued once per configured surface, and the dispatcher
hands each row to its own surface's deliverer, one case's messages in order per surface."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.dispatch import OutboxDispatcher
from cases.clock import FrozenClock
from cases.delivery import SLACK, DeliveryItem, RetryLater
from cases.model import Notice, NoticeKind
from cases.policy import Policy
from cases.roles import Role
from cases.services import ComplaintsDesk
from scheduling.calendar import UKWorkingCalendar
from storage.alerts import SqlAlertLedger
from storage.models import OutboxRow
from storage.outbox import OutboxStore
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.conftest import CS_USER, NOW

TEAMS = "teams"
BOTH = (SLACK, TEAMS)


class _Recorder:
    """A throwaway surface: records what it was handed, or refuses as scripted."""

    def __init__(self, refuse: int = 0) -> None:
        self.got: list[tuple[str, int | None, str]] = []
        self.refuse = refuse

    def deliver(self, item: DeliveryItem) -> None:
        if self.refuse:
            self.refuse -= 1
            raise RetryLater("not now")
        self.got.append((item.surface, item.case_id, item.kind))


def _rows(engine: Engine) -> list[tuple[str, str, str | None]]:
    with Session(engine) as session:
        return [(s, k, d) for s, k, d in session.execute(
            select(OutboxRow.surface, OutboxRow.kind, OutboxRow.dedupe_key)
            .order_by(OutboxRow.id))]


def _desk(engine: Engine, clock: FrozenClock, calendar: UKWorkingCalendar) -> ComplaintsDesk:
    uow = SqlUnitOfWorkFactory(engine, clock=clock, surfaces=BOTH)
    with uow() as unit:
        unit.roles.grant(CS_USER, Role.CUSTOMER_SERVICES)
        unit.commit()
    return ComplaintsDesk(uow, clock, calendar, Policy())


def test_a_use_case_queues_each_notice_once_for_every_configured_surface(
        engine: Engine, clock: FrozenClock, calendar: UKWorkingCalendar,
        intake: dict[str, Any]) -> None:
    _desk(engine, clock, calendar).log_complaint(intake, logged_by=CS_USER)

    rows = _rows(engine)
    assert [k for s, k, _ in rows if s == SLACK] == ["card", "timeline", "direct"]
    assert [k for s, k, _ in rows if s == TEAMS] == ["card", "timeline", "direct"]


def test_a_dedupe_key_is_queued_once_per_surface(engine: Engine, clock: FrozenClock) -> None:
    uow_factory = SqlUnitOfWorkFactory(engine, clock=clock, surfaces=BOTH)
    for _ in range(2):
        with uow_factory() as uow:
            uow.outbox.add([Notice(NoticeKind.CHANNEL, None, {}, dedupe_key="digest:1")])
            uow.commit()
    ledger = SqlAlertLedger(engine, surfaces=[TEAMS])
    assert ledger.queue([Notice(NoticeKind.CHANNEL, None, {}, dedupe_key="digest:1"),
                         Notice(NoticeKind.CHANNEL, None, {}, dedupe_key="digest:2")],
                        NOW) == 1

    assert sorted(_rows(engine)) == [(SLACK, "channel", "digest:1"),
                                     (TEAMS, "channel", "digest:1"),
                                     (TEAMS, "channel", "digest:2")]


@pytest.mark.parametrize("surfaces", [(), ("slack", "slack"), ("slack", " ")])
def test_the_configured_surfaces_must_be_distinct_names(
        engine: Engine, surfaces: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="surfaces"):
        SqlUnitOfWorkFactory(engine, surfaces=surfaces)


def test_the_dispatcher_hands_each_row_to_its_surfaces_deliverer_in_case_order(
        engine: Engine, clock: FrozenClock, calendar: UKWorkingCalendar,
        intake: dict[str, Any]) -> None:
    case = _desk(engine, clock, calendar).log_complaint(intake, logged_by=CS_USER)
    slack, teams = _Recorder(), _Recorder()

    OutboxDispatcher(OutboxStore(engine), {SLACK: slack, TEAMS: teams}, clock).drain()

    assert slack.got == [(SLACK, case.id, k) for k in ("card", "timeline", "direct")]
    assert teams.got == [(TEAMS, case.id, k) for k in ("card", "timeline", "direct")]


def test_rows_of_a_surface_without_a_deliverer_wait_for_one(
        engine: Engine, clock: FrozenClock, calendar: UKWorkingCalendar,
        intake: dict[str, Any]) -> None:
    _desk(engine, clock, calendar).log_complaint(intake, logged_by=CS_USER)
    store = OutboxStore(engine)
    slack = _Recorder()

    assert OutboxDispatcher(store, slack, clock).drain() == 3

    assert [s for s, _, _ in slack.got] == [SLACK] * 3
    assert store.counts() == {"pending": 3, "dead": 0, "delivered": 3}
    teams = _Recorder()
    assert OutboxDispatcher(store, {TEAMS: teams}, clock).drain() == 3
    assert [k for _, _, k in teams.got] == ["card", "timeline", "direct"]


def test_one_surface_failing_holds_back_only_its_own_messages_of_the_case(
        engine: Engine, clock: FrozenClock, calendar: UKWorkingCalendar,
        intake: dict[str, Any]) -> None:
    _desk(engine, clock, calendar).log_complaint(intake, logged_by=CS_USER)
    store = OutboxStore(engine)
    slack, teams = _Recorder(), _Recorder(refuse=1)

    OutboxDispatcher(store, {SLACK: slack, TEAMS: teams}, clock).drain()

    assert [k for _, _, k in slack.got] == ["card", "timeline", "direct"]
    # Teams' card waits for its retry, and Teams' later messages wait behind it.
    assert teams.got == []
    assert store.counts()["pending"] == 3


def test_the_dispatcher_imports_nothing_from_any_surface_adapter() -> None:
    tree = ast.parse((Path(__file__).parents[2] / "bot" / "dispatch.py").read_text())
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m.split(".")[0] in ("handlers", "slack_sdk",
                                                            "slack_bolt")}


def test_one_call_keeps_its_order_payloads_and_skips_its_own_repeated_dedupe_keys(
        engine: Engine) -> None:
    notices = [Notice(NoticeKind.CHANNEL, None, {"n": i, "text": f'"quoted" \\ {i} é'},
                      dedupe_key=f"k:{i % 3}" if i % 2 else None) for i in range(12)]
    ledger = SqlAlertLedger(engine, surfaces=BOTH)
    # Odd i carry keys k:1, k:0, k:2, k:1, k:0, k:2: only their first three are new.
    assert ledger.queue(notices, NOW) == 2 * (6 + 3)

    with Session(engine) as session:
        rows = session.execute(select(OutboxRow.surface, OutboxRow.payload,
                                      OutboxRow.dedupe_key, OutboxRow.created_at)
                               .order_by(OutboxRow.id)).all()
    kept = [0, 1, 2, 3, 4, 5, 6, 8, 10]
    assert [(r.surface, r.payload["n"]) for r in rows] == [
        (surface, i) for i in kept for surface in BOTH]
    assert rows[2].payload == {"n": 1, "text": '"quoted" \\ 1 é'}
    assert [r.dedupe_key for r in rows[::2]] == [
        f"k:{i % 3}" if i % 2 else None for i in kept]
    assert all(r.created_at == NOW for r in rows)
