"""Viewing personal data and adding notes only add to the record: they never block a colleague."""

from __future__ import annotations

from datetime import date
from typing import Any

from cases.services import ComplaintsDesk
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.conftest import CS_USER


def test_viewing_details_between_load_and_save_does_not_fail_a_colleagues_acknowledgement(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    case = desk.log_complaint(intake, logged_by=CS_USER)
    assert case.id is not None
    with uow_factory() as uow:
        loaded = uow.cases.get(case.id)
    desk.view_details(case.id, actor=CS_USER)
    desk.add_note(case.id, actor=CS_USER, text="Rang back, left a message.")
    with uow_factory() as uow:
        assert uow.cases.get(case.id).version == loaded.version, "views and notes keep version"
    acknowledged = desk.acknowledge_case(case.id, actor=CS_USER, owner=CS_USER,
                                         promised_reply_by=date(2026, 6, 8),
                                         procedure_attached=True)
    assert acknowledged.owner == CS_USER
    history = desk.history(case.id)
    assert [e.action for e in history] == ["logged", "details_viewed", "note", "acknowledge"]
    assert [e.seq for e in history] == [1, 2, 3, 4]


def test_lookups_do_not_queue_behind_a_writer(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    import threading

    from cases.services import ComplaintsDesk as Desk

    case = desk.log_complaint(intake, logged_by=CS_USER)
    assert case.id is not None
    reading = Desk(uow_factory, desk.clock, desk.calendar, desk.policy,
                   reader=uow_factory.reader())
    seen: list[str] = []
    with uow_factory() as writer:  # holds the write lock on SQLite until it ends
        writer.cases.get(case.id)
        thread = threading.Thread(
            target=lambda: seen.append(reading.get_case(case.id or 0).reference))
        thread.start()
        thread.join(timeout=5)
        finished_while_writer_open = not thread.is_alive()
    thread.join()
    assert finished_while_writer_open and seen == [case.reference]
