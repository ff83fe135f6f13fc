"""SqlCaseRepository: cases round-trip intact, version checks bite, queries find the right cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DataError

from cases.clock import FrozenClock
from cases.errors import ConcurrentChange, NotFound
from cases.intake import IntakeRecord
from cases.lifecycle import record
from cases.model import (
    UNNUMBERED,
    Case,
    Deadline,
    DeadlineKind,
    Decision,
    Outcome,
    ProgressUpdate,
    State,
)
from cases.services import ComplaintsDesk
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.integration.conftest import CS_USER, NOW


def _full_case(intake: dict[str, Any]) -> Case:
    """A case with every optional field filled, to prove nothing is lost on the way."""
    at = datetime(2026, 5, 6, 14, 15, 16, 123456, tzinfo=UTC)
    case = Case(
        reference="TT-2026-0900",
        intake=IntakeRecord.model_validate({**intake, "phone": "01482 123456",
                                            "subject_user_id": "U0SUBJ"}),
        received_at=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
        effective_receipt=date(2026, 5, 1),
        logged_by="U0LOG",
        logged_at=at,
        state=State.DECISION_PROPOSED,
        intake_key="view-full",
        owner="U0OWN",
        promised_reply_by=date(2026, 5, 29),
        investigator="U0INV",
        resolution=None,
        findings="The firmware update failed.",
        outcome=Outcome.PARTLY_UPHELD,
        suggestions="Replace the unit.",
        replied_at=at,
        review_requested_at=at + timedelta(days=3),
        review_effective_receipt=date(2026, 5, 11),
        review_request_how="email",
        review_late_reason=None,
        reviewer="U0DIR",
        delegate="U0DEL",
        review_reply_by=date(2026, 5, 26),
        person_informed_at=at + timedelta(days=4),
        person_response="I followed the script.",
        person_responded_at=at + timedelta(days=5),
        progress_updates=[ProgressUpdate(at=at, by="U0DIR", reason="waiting on supplier",
                                         new_due_at=at + timedelta(days=9))],
        decision=Decision(outcome=Outcome.UPHELD, reasons="r", remedy="refund",
                          drafted_by="U0DEL", drafted_at=at,
                          change_requests=[{"by": "U0DIR", "at": at.isoformat(),
                                            "comment": "say more"}]),
        final_letter=None,
        closed_at=None,
        withdrawn_reason=None,
        last_actor="U0DEL",
        last_action_at=at,
        deadlines={
            DeadlineKind.STAGE_TWO_REPLY: Deadline(
                kind=DeadlineKind.STAGE_TWO_REPLY, due_at=at + timedelta(days=9),
                original_due_at=at + timedelta(days=6), started_at=at),
            DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT: Deadline(
                kind=DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT, due_at=at + timedelta(days=2),
                original_due_at=at + timedelta(days=2), started_at=at, met_at=at),
        },
    )
    record(case, "logged", actor="U0LOG", at=at, after=State.LOGGED, details={"k": [1, 2]})
    return case


def test_logged_case_round_trips_with_intake_deadlines_and_history(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    logged = desk.log_complaint(intake, logged_by=CS_USER)
    assert logged.id is not None and logged.new_events == []

    with uow_factory() as uow:
        by_id = uow.cases.get(logged.id)
        by_reference = uow.cases.get_by_reference(logged.reference)
        history = uow.cases.history(logged.id)

    assert by_id == by_reference
    assert by_id.intake == IntakeRecord.model_validate(intake)
    assert by_id.reference == "TT-2026-0001"
    assert by_id.state is State.LOGGED and by_id.version == 0
    assert set(by_id.deadlines) == {DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT,
                                    DeadlineKind.INVESTIGATION}
    for deadline in by_id.deadlines.values():
        for instant in (deadline.due_at, deadline.original_due_at, deadline.started_at):
            assert instant.tzinfo is UTC
        assert deadline == logged.deadlines[deadline.kind]
    assert by_id.logged_at == NOW and by_id.logged_at.tzinfo is UTC
    assert by_id.received_at == datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    assert [(e.seq, e.case_id, e.action, e.to_state) for e in history] == [
        (1, logged.id, "logged", State.LOGGED)]
    assert history[0].at.tzinfo is UTC


def test_every_case_field_survives_add_and_get(
        uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    case = _full_case(intake)
    with uow_factory() as uow:
        uow.cases.add(case)
        uow.commit()
    assert case.id is not None and case.new_events == []

    with uow_factory() as uow:
        loaded = uow.cases.get(case.id)
        found = uow.cases.find_by_intake_key("view-full")
        history = uow.cases.history(case.id)
    assert loaded == case
    assert found == case
    assert history[0].details == {"k": [1, 2]}


def test_a_full_and_a_sparse_case_added_together_both_come_back_as_they_went(
        uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    full, sparse, also_sparse = _full_case(intake), _new_case(intake, 1), _new_case(intake, 2)
    with uow_factory() as uow:  # one insert: columns None in every row are left out
        uow.cases.add(sparse, full, also_sparse)
        uow.commit()
    with uow_factory() as uow:
        for case in (sparse, full, also_sparse):
            assert case.id is not None
            assert uow.cases.get(case.id) == case


def test_new_cases_come_with_their_deadlines_and_first_events_and_json_nulls(
        uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    # On PostgreSQL the cases go in one statement, their deadlines and events in another.
    batch = [_new_case(intake, n) for n in range(3)]
    for n, case in enumerate(batch):
        case.deadlines[DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT] = Deadline(
            kind=DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, due_at=NOW + timedelta(days=n + 1),
            original_due_at=NOW + timedelta(days=n + 1), started_at=NOW)
        if n != 1:  # one case with no first event: only its deadline is written
            record(case, "logged", actor="U0LOG", at=NOW, after=State.LOGGED)
            record(case, "note", actor="U0LOG", at=NOW, details={"n": n})
    with uow_factory() as uow:
        uow.cases.add(*batch)
        uow.commit()
    with uow_factory() as uow:
        session = cast(SqlUnitOfWork, uow).session
        for n, case in enumerate(batch):
            assert case.id is not None
            stored = uow.cases.get(case.id)
            assert stored.deadlines[DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT].due_at == \
                NOW + timedelta(days=n + 1)
            expected = [] if n == 1 else [(1, "logged"), (2, "note")]
            assert [(e.seq, e.action) for e in uow.cases.history(case.id)] == expected
        # A JSON column with nothing in it holds JSON null, as SQLAlchemy writes it.
        assert session.execute(text(
            "SELECT count(*) FROM cases WHERE decision IS NULL")).scalar_one() == 0


def test_a_value_too_long_for_its_column_is_never_stored_cut_short(
        uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    case = _new_case(intake, 7)
    case.intake_key = "V" * 300  # the column holds 255
    with uow_factory() as uow:
        session = cast(SqlUnitOfWork, uow).session
        if session.get_bind().dialect.name == "postgresql":
            with pytest.raises(DataError, match="too long"):
                uow.cases.add(case)
            return
        uow.cases.add(case)  # SQLite has no lengths: it keeps every character
        uow.commit()
    with uow_factory() as uow:
        assert case.id is not None and uow.cases.get(case.id).intake_key == "V" * 300


def test_save_bumps_version_and_numbers_history_after_the_last_event(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    case_id = desk.log_complaint(intake, logged_by=CS_USER).id
    assert case_id is not None
    with uow_factory() as uow:
        logged_version = uow.cases.get(case_id).version
    desk.add_note(case_id, actor=CS_USER, text="Called back.")
    desk.acknowledge_case(case_id, actor=CS_USER, owner=CS_USER,
                          promised_reply_by=date(2026, 6, 8), procedure_attached=True)
    desk.add_note(case_id, actor=CS_USER, text="Left a voicemail.")

    with uow_factory() as uow:
        case = uow.cases.get(case_id)
        history = uow.cases.history(case_id)
    assert case.version == logged_version + 1, "the transition bumps it; notes do not"
    assert [(e.seq, e.action) for e in history] == [
        (1, "logged"), (2, "note"), (3, "acknowledge"), (4, "note")]


def test_saving_a_stale_copy_raises_concurrent_change(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    case_id = desk.log_complaint(intake, logged_by=CS_USER).id
    assert case_id is not None
    with uow_factory() as uow:
        stale = uow.cases.get(case_id)
    with uow_factory() as uow:
        fresh = uow.cases.get(case_id)
        fresh.owner = "U0FIRST"
        uow.cases.save(fresh)
        uow.commit()
    assert fresh.version == 1

    with uow_factory() as uow, pytest.raises(ConcurrentChange, match="TT-2026-0001"):
        stale.owner = "U0SECOND"
        uow.cases.save(stale)
    with uow_factory() as uow:
        assert uow.cases.get(case_id).owner == "U0FIRST"


def test_unknown_case_is_not_found(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        with pytest.raises(NotFound):
            uow.cases.get(12345)
        with pytest.raises(NotFound):
            uow.cases.get_by_reference("TT-1999-0001")
        assert uow.cases.find_by_intake_key("nope") is None


def _new_case(intake: dict[str, Any], n: int) -> Case:
    return Case(reference=f"{UNNUMBERED}{n}", intake=IntakeRecord.model_validate(intake),
                received_at=NOW, effective_receipt=NOW.date(), logged_by="U0LOG",
                logged_at=NOW)


def test_references_go_past_9999_in_order_and_only_stored_cases_are_numbered(
        uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    with uow_factory() as uow:
        cast(SqlUnitOfWork, uow).session.execute(text(
            "INSERT INTO reference_counters (year, last_number) VALUES (2031, 9998)"))
        batch = [_new_case(intake, n) for n in range(3)]
        uow.cases.add(*batch)
        uow.cases.number(2031, *batch)
        uow.commit()
    assert [c.reference for c in batch] == ["TT-2031-9999", "TT-2031-10000", "TT-2031-10001"]
    with uow_factory() as uow:
        assert [uow.cases.get(c.id or 0).reference for c in batch] == [
            "TT-2031-9999", "TT-2031-10000", "TT-2031-10001"]
        gone = _new_case(intake, 9)
        gone.id = 999_999
        with pytest.raises(NotFound):
            uow.cases.number(2031, gone)


def _log_received(desk: ComplaintsDesk, intake: dict[str, Any], received: str,
                  logged_by: str = CS_USER) -> int:
    case = desk.log_complaint({**intake, "received_at": received}, logged_by=logged_by)
    assert case.id is not None
    return case.id


def test_open_cases_come_soonest_deadline_first_and_mine_lists_only_mine(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    later = _log_received(desk, intake, "2026-05-05T10:00:00+01:00")
    sooner = _log_received(desk, intake, "2026-04-28T10:00:00+01:00", logged_by="U0OTHER")
    withdrawn = _log_received(desk, intake, "2026-04-20T10:00:00+01:00")
    desk.withdraw(withdrawn, actor=CS_USER, reason="Sorted out by phone.")

    with uow_factory() as uow:
        open_ids = [c.id for c in uow.cases.list_open()]
        mine = [c.id for c in uow.cases.list_for_user(CS_USER)]
        others = [c.id for c in uow.cases.list_for_user("U0OTHER")]
        limited = [c.id for c in uow.cases.list_open(limit=1)]
    assert open_ids == [sooner, later]
    assert mine == [later]
    assert others == [sooner]
    assert limited == [sooner]


def test_overdue_lists_open_cases_past_a_staff_deadline(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    case_id = _log_received(desk, intake, "2026-05-01T10:00:00+01:00")
    with uow_factory() as uow:
        acknowledge_due = uow.cases.get(case_id).deadlines[
            DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT].due_at
        assert uow.cases.list_overdue(acknowledge_due) == []
        assert [c.id for c in uow.cases.list_overdue(
            acknowledge_due + timedelta(seconds=1))] == [case_id]


def test_replied_case_is_closed_once_its_review_window_expires(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, clock: FrozenClock,
        intake: dict[str, Any]) -> None:
    case_id = _log_received(desk, intake, "2026-05-01T10:00:00+01:00")
    desk.acknowledge_case(case_id, actor=CS_USER, owner=CS_USER,
                          promised_reply_by=date(2026, 5, 20), procedure_attached=True)
    desk.resolve_case(case_id, actor=CS_USER, resolution="Sent a replacement.")
    replied = desk.send_reply(case_id, actor=CS_USER, outcome=Outcome.UPHELD,
                              suggestions="Keep the replacement.")
    window_due = replied.deadlines[DeadlineKind.REVIEW_WINDOW].due_at

    with uow_factory() as uow:
        assert uow.cases.ids_with_window_expired(window_due) == []
        assert uow.cases.ids_with_window_expired(window_due + timedelta(minutes=1)) == [case_id]
        # The review window is the complainant's time, not a task staff are late for.
        assert uow.cases.list_overdue(window_due + timedelta(days=1)) == []

    clock.set(window_due + timedelta(hours=1))
    assert desk.close_expired_review_windows() == [replied.reference]
    with uow_factory() as uow:
        closed = uow.cases.get(case_id)
        assert closed.state is State.CLOSED
        assert uow.cases.ids_with_window_expired(window_due + timedelta(days=9)) == []
        assert [e.action for e in uow.cases.history(case_id)] == [
            "logged", "acknowledge", "resolve", "send_reply", "close_review_window"]


def test_open_deadlines_due_by_t_is_an_index_range_scan(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    query = ("SELECT id FROM deadlines WHERE met_at IS NULL AND retired_at IS NULL "
             "AND due_at <= :t ORDER BY due_at")
    t = datetime(2026, 6, 1, tzinfo=UTC).replace(tzinfo=None)
    with uow_factory() as uow:
        if uow.session.get_bind().dialect.name == "sqlite":
            plan = " ".join(str(r[-1]) for r in uow.session.execute(
                text("EXPLAIN QUERY PLAN " + query), {"t": t}))
        else:
            uow.session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(r[0] for r in uow.session.execute(
                text("EXPLAIN " + query), {"t": t}))
    assert "ix_deadlines_open_due_at" in plan, plan
