"""Concurrency on both databases: racing transitions, reference allocation, double submits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cases.errors import InvalidTransition
from cases.roles import Role
from cases.services import ComplaintsDesk
from storage.db import reference_gate
from storage.models import OutboxRow
from storage.outbox import OutboxStore
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.conftest import CS_USER

T = TypeVar("T")


def _race(jobs: list[Callable[[], T]]) -> list[T | BaseException]:
    """Run the jobs on their own threads, released together; results or errors in order."""
    barrier = threading.Barrier(len(jobs))
    results: list[T | BaseException] = [RuntimeError("did not finish")] * len(jobs)

    def run(i: int) -> None:
        barrier.wait(timeout=10)
        try:
            results[i] = jobs[i]()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted on below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def test_two_racing_acknowledgements_one_wins_the_other_is_told(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    case = desk.log_complaint(intake, logged_by=CS_USER)
    assert case.id is not None
    case_id = case.id
    with uow_factory() as uow:
        uow.roles.grant("U0CS00002", Role.CUSTOMER_SERVICES)
        uow.commit()

    def acknowledge(actor: str) -> Callable[[], object]:
        return lambda: desk.acknowledge_case(case_id, actor=actor, owner=actor,
                                             promised_reply_by=date(2026, 5, 20),
                                             procedure_attached=True)

    results = _race([acknowledge(CS_USER), acknowledge("U0CS00002")])

    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], InvalidTransition), repr(errors[0])
    assert case.reference in str(errors[0])
    history = desk.history(case_id)
    assert [e.action for e in history].count("acknowledge") == 1
    with uow_factory() as uow:
        assert uow.cases.get(case_id).version == 1
    # The loser wrote no outbox rows: logged (card, timeline, DM) + one acknowledgement.
    with Session(uow_factory.engine) as session:
        kinds = session.scalars(select(OutboxRow.kind).where(OutboxRow.case_id == case_id))
        assert sorted(kinds) == ["card", "card", "direct", "timeline", "timeline"]


def test_eight_concurrent_intakes_get_eight_distinct_references(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    results = _race([lambda: desk.log_complaint(intake, logged_by=CS_USER)
                     for _ in range(8)])

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    references = sorted(r.reference for r in results if not isinstance(r, BaseException))
    assert references == [f"TT-2026-{n:04d}" for n in range(1, 9)]
    with uow_factory() as uow:
        assert len(uow.cases.list_open(limit=100)) == 8


def test_reference_numbers_restart_each_year(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.cases.next_reference(2026) == "TT-2026-0001"
        assert uow.cases.next_reference(2026) == "TT-2026-0002"
        assert uow.cases.next_reference(2027) == "TT-2027-0001"
        uow.commit()
    with uow_factory() as uow:
        assert uow.cases.next_reference(2026) == "TT-2026-0003"


def test_the_turn_at_the_reference_counter_passes_on_at_commit_and_at_rollback(
        engine: Engine, uow_factory: SqlUnitOfWorkFactory) -> None:
    gate = reference_gate(engine)
    with uow_factory() as uow:
        uow.cases.next_reference(2026)
        # PostgreSQL: this process's intakes queue for the counter in order, one at a time.
        assert gate.held is (engine.dialect.name == "postgresql")
        uow.commit()
        assert not gate.held
    with uow_factory() as uow:  # an intake that fails after taking its number
        uow.cases.next_reference(2026)
    assert not gate.held
    other = _race([lambda: _reference_in_new_uow(uow_factory)])
    assert other == ["TT-2026-0002"]  # the rolled-back number is given again


def _reference_in_new_uow(uow_factory: SqlUnitOfWorkFactory) -> str:
    with uow_factory() as uow:
        reference = uow.cases.next_reference(2026)
        uow.commit()
        return reference


def test_double_submit_with_the_same_intake_key_creates_one_case(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    first = desk.log_complaint(intake, logged_by=CS_USER, intake_key="V0VIEW1")
    again = desk.log_complaint(intake, logged_by=CS_USER, intake_key="V0VIEW1")

    assert again.id == first.id and again.reference == first.reference
    with uow_factory() as uow:
        assert len(uow.cases.list_open()) == 1
    assert OutboxStore(uow_factory.engine).counts()["pending"] == 3


def test_concurrent_double_submit_with_the_same_intake_key_creates_one_case(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    results = _race([lambda: desk.log_complaint(intake, logged_by=CS_USER,
                                                intake_key="V0VIEW2")] * 2)

    assert not any(isinstance(r, BaseException) for r in results), results
    assert len({r.id for r in results if not isinstance(r, BaseException)}) == 1
    with uow_factory() as uow:
        assert len(uow.cases.list_open()) == 1
