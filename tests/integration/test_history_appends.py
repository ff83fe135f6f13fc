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


def test_no_response_from_the_named_person_is_recorded_on_the_real_database(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    from datetime import timedelta

    from cases.clock import FrozenClock
    from cases.model import DeadlineKind, Outcome
    from cases.roles import Role

    clock = desk.clock
    assert isinstance(clock, FrozenClock)
    with uow_factory() as uow:
        uow.roles.grant("U0DIR0001", Role.DIRECTOR)
        uow.commit()
    case = desk.log_complaint({**intake, "subject_user_id": "U0SUBJ001"}, logged_by=CS_USER)
    cid = case.id or 0
    desk.acknowledge_case(cid, actor=CS_USER, owner=CS_USER,
                          promised_reply_by=date(2026, 6, 8), procedure_attached=True)
    desk.resolve_case(cid, actor=CS_USER, resolution="Replacement sent.")
    desk.send_reply(cid, actor=CS_USER, outcome=Outcome.UPHELD, suggestions="Replacement.")
    clock.advance(timedelta(days=1))
    desk.request_review(cid, actor=CS_USER, requested_at=clock.now(), how="email")
    desk.acknowledge_review(cid, actor="U0DIR0001")
    assert desk.record_missing_responses() == []
    clock.advance(timedelta(days=7))  # past 3 working days
    assert desk.record_missing_responses() == [case.reference]
    assert desk.record_missing_responses() == []
    fresh = desk.get_case(cid)
    assert fresh.deadlines[DeadlineKind.PERSON_RESPONSE].retired_at is not None
    assert desk.history(cid)[-1].action == "record_no_response"


def test_views_queued_behind_a_writer_are_recorded_together_each_in_its_place(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    """Five colleagues open View details while another write holds the case: the first
    waits inside its transaction, the other four queue and are recorded in one more; the
    one not on the need-to-know list is refused, and the refusal is on the record too."""
    import threading

    from cases.errors import NotAllowed
    from cases.lifecycle import record
    from cases.services import ComplaintsDesk as Desk

    case = desk.log_complaint(intake, logged_by=CS_USER)
    case_id = case.id or 0
    viewing = Desk(uow_factory, desk.clock, desk.calendar, desk.policy,
                   reader=uow_factory.reader())
    results: dict[int, Any] = {}

    def view(n: int, who: str) -> None:
        try:
            results[n] = viewing.view_details(case_id, actor=who, letters=True)
        except Exception as exc:  # noqa: BLE001 - asserted on below
            results[n] = exc

    viewers = [CS_USER, CS_USER, "U0NOBODY1", CS_USER, CS_USER]
    threads = [threading.Thread(target=view, args=(n, who)) for n, who in enumerate(viewers)]
    with uow_factory() as writer:  # locks the case row (on SQLite, the database) until commit
        held = writer.cases.get(case_id)
        record(held, "note", actor=CS_USER, at=desk.clock.now(), details={"text": "held"})
        writer.cases.append_history(held)
        threads[0].start()
        while viewing.views.batches < 1:  # the first view waits inside its transaction
            threading.Event().wait(0.001)
        for thread in threads[1:]:
            thread.start()
        while viewing.views.waiting < len(viewers) - 1:
            threading.Event().wait(0.001)
        assert results == {}, "no view is answered before it is recorded"
        writer.commit()
    for thread in threads:
        thread.join(20)

    assert (viewing.views.batches, viewing.views.items) == (2, 5)
    assert isinstance(results[2], NotAllowed)
    assert all(results[n].reference == case.reference for n in (0, 1, 3, 4))
    history = desk.history(case_id)
    assert [e.seq for e in history] == [1, 2, 3, 4, 5, 6, 7]
    assert [e.action for e in history[:3]] == ["logged", "note", "details_viewed"]
    assert sorted((e.action, e.actor) for e in history[3:]) == sorted(
        [("details_viewed", CS_USER)] * 3 + [("details_refused", "U0NOBODY1")])
