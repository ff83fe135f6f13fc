"""One contract for the repositories, run on the in-memory fake and on SQL (SQLite and
PostgreSQL): what the use cases may rely on, whichever store is behind the ports.

The SQL repositories are the reference; the fake in tests/fakes.py must agree with them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from cases.clock import FrozenClock
from cases.errors import ConcurrentChange, NotFound
from cases.model import (
    UNNUMBERED,
    Case,
    Deadline,
    DeadlineKind,
    HistoryEvent,
    Notice,
    NoticeKind,
    State,
)
from cases.ports import UnitOfWorkFactory
from cases.roles import ORGANISATION_ROLES, Role
from storage import migrate
from storage.db import make_engine
from storage.models import OutboxRow
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.fakes import InMemoryUnitOfWorkFactory, intake_record
from tests.integration.conftest import NOW, empty_database

Queued = list[tuple[str, int | None, str | None]]


@dataclass
class Backend:
    name: str
    uow: UnitOfWorkFactory
    queued: Callable[[], Queued]


@pytest.fixture(params=["memory", "sqlite",
                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """The ports on the in-memory fake, or on a freshly migrated database."""
    if request.param == "memory":
        fake = InMemoryUnitOfWorkFactory()
        yield Backend("memory", fake, lambda: [(n.kind.value, n.case_id, n.dedupe_key)
                                               for n in fake.outbox])
        return
    with empty_database(request.param, tmp_path) as url:
        migrate.upgrade(url)
        engine = make_engine(url)

        def queued() -> Queued:
            with Session(engine) as session:
                return [(k, c, d) for k, c, d in session.execute(
                    select(OutboxRow.kind, OutboxRow.case_id, OutboxRow.dedupe_key)
                    .order_by(OutboxRow.id))]

        try:
            yield Backend(request.param, SqlUnitOfWorkFactory(engine, FrozenClock(NOW)),
                          queued)
        finally:
            engine.dispose()


def _deadline(kind: DeadlineKind, due: datetime, **kw: Any) -> Deadline:
    return Deadline(kind=kind, due_at=due, original_due_at=due,
                    started_at=due - timedelta(days=5), **kw)


def _case(reference: str, *, deadlines: tuple[Deadline, ...] = (), **fields: Any) -> Case:
    values: dict[str, Any] = {
        "intake": intake_record(), "received_at": NOW - timedelta(days=1),
        "effective_receipt": date(2026, 5, 4), "logged_by": "U0LOG", "logged_at": NOW,
        **fields}
    return Case(reference=reference, deadlines={d.kind: d for d in deadlines}, **values)


def _event(action: str, at: datetime = NOW) -> HistoryEvent:
    return HistoryEvent(case_id=0, seq=0, at=at, actor="U0LOG", action=action,
                        from_state=None, to_state=State.LOGGED, details={"n": action})


def _add(backend: Backend, *cases: Case) -> list[int]:
    with backend.uow() as uow:
        for case in cases:
            uow.cases.add(case)
        uow.commit()
    return [c.id for c in cases if c.id is not None]


def _refs(cases: Any) -> list[str]:
    return [c.reference for c in cases]


# ---- cases ------------------------------------------------------------------------------


def test_a_new_case_keeps_its_first_version_and_each_save_adds_one(backend: Backend) -> None:
    case = _case("TT-2026-0001")
    [case_id] = _add(backend, case)
    assert case.version == 0
    with backend.uow() as uow:
        stored = uow.cases.get(case_id)
        assert stored.version == 0
        stored.owner = "U0OWN"
        uow.cases.save(stored)
        assert stored.version == 1
        uow.commit()
    with backend.uow() as uow:
        assert uow.cases.get(case_id).version == 1
        assert uow.cases.get(case_id).owner == "U0OWN"


def test_a_stale_copy_cannot_be_saved(backend: Backend) -> None:
    [case_id] = _add(backend, _case("TT-2026-0001"))
    with backend.uow() as uow:
        first, second = uow.cases.get(case_id), uow.cases.get(case_id)
        first.owner = "U0A"
        uow.cases.save(first)
        second.owner = "U0B"
        with pytest.raises(ConcurrentChange):
            uow.cases.save(second)


def test_cases_are_found_by_id_reference_and_intake_key_or_not_at_all(
        backend: Backend) -> None:
    [case_id] = _add(backend, _case("TT-2026-0001", intake_key="view-1"))
    with backend.uow() as uow:
        assert uow.cases.get_by_reference("TT-2026-0001").id == case_id
        found = uow.cases.find_by_intake_key("view-1")
        assert found is not None and found.id == case_id
        assert uow.cases.find_by_intake_key("view-2") is None
        with pytest.raises(NotFound):
            uow.cases.get(case_id + 100)
        with pytest.raises(NotFound):
            uow.cases.get_by_reference("TT-2026-0404")



def test_a_batch_of_new_cases_is_stored_numbered_in_order_and_found_by_its_keys(
        backend: Backend) -> None:
    [earlier] = _add(backend, _case("TT-2026-0001", intake_key="k-earlier"))
    with backend.uow() as uow:
        uow.cases.next_reference(2026)  # the counter at 0001, as that case took it
        ack = DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT
        batch = [_case(f"{UNNUMBERED}{n}", intake_key=f"k-{n}", new_events=[_event("logged")],
                       deadlines=(_deadline(ack, NOW + timedelta(days=n)),))
                 for n in (1, 2, 3)]
        uow.cases.add(*batch)
        assert len({c.id for c in batch}) == 3 and earlier not in {c.id for c in batch}
        uow.cases.number(2026, batch[0], batch[2])
        uow.cases.number(2027, batch[1])
        uow.commit()
    assert _refs(batch) == ["TT-2026-0002", "TT-2027-0001", "TT-2026-0003"]
    with backend.uow() as uow:
        found = uow.cases.find_by_intake_keys(["k-3", "k-missing", "k-1", "k-earlier"])
        assert {k: c.reference for k, c in found.items()} == {
            "k-1": "TT-2026-0002", "k-3": "TT-2026-0003", "k-earlier": "TT-2026-0001"}
        for case in batch:
            assert case.id is not None
            stored = uow.cases.get(case.id)
            assert stored.reference == case.reference
            assert stored.deadlines[ack].due_at == case.deadlines[ack].due_at
            assert [(e.seq, e.action) for e in uow.cases.history(case.id)] == [(1, "logged")]
        assert uow.cases.search([case.reference.lower()]) == [case.id]
        assert uow.cases.find_by_intake_keys([]) == {}


def test_a_case_by_id_comes_with_its_deadlines_as_saved_whatever_the_session_time_zone(
        backend: Backend) -> None:
    due = NOW + timedelta(days=3, microseconds=123456)
    deadlines = (
        _deadline(DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, due, met_at=due - timedelta(hours=1)),
        _deadline(DeadlineKind.STAGE_ONE_REPLY, due + timedelta(days=27), retired_at=NOW),
        _deadline(DeadlineKind.REVIEW_WINDOW, due + timedelta(days=40)))
    with_three, with_none = _add(backend, _case("TT-2026-0001", deadlines=deadlines),
                                 _case("TT-2026-0002"))
    with backend.uow() as uow:
        if backend.name == "postgresql":  # instants come back, not New York wall times
            cast(SqlUnitOfWork, uow).session.execute(text("SET TIME ZONE 'America/New_York'"))
        loaded = uow.cases.get(with_three)
        assert loaded.deadlines == {d.kind: d for d in deadlines}
        assert list(loaded.deadlines) == [d.kind for d in deadlines]  # as added
        assert {d.due_at.utcoffset() for d in loaded.deadlines.values()} == {timedelta(0)}
        assert uow.cases.get_by_reference("TT-2026-0001").deadlines == loaded.deadlines
        assert uow.cases.get(with_none).deadlines == {}


def test_a_case_comes_with_the_roles_of_whoever_asks_even_ones_granted_in_the_same_unit(
        backend: Backend) -> None:
    [case_id] = _add(backend, _case("TT-2026-0001"))
    with backend.uow() as uow:
        uow.roles.grant("U0BOTH", Role.DIRECTOR)
        uow.roles.grant("U0BOTH", Role.HR_MANAGER)
        uow.commit()
    with backend.uow() as uow:
        uow.roles.grant("U0NEW", Role.CUSTOMER_SERVICES)
        case, roles = uow.cases.get_with_roles(case_id, "U0BOTH")
        assert case == uow.cases.get(case_id)
        assert roles == {Role.DIRECTOR, Role.HR_MANAGER}
        assert uow.cases.get_with_roles(case_id, "U0NOBODY")[1] == frozenset()
        assert uow.cases.get_with_roles(case_id, "U0NEW")[1] == {Role.CUSTOMER_SERVICES}
        with pytest.raises(NotFound):
            uow.cases.get_with_roles(case_id + 100, "U0BOTH")


def test_references_count_up_per_year(backend: Backend) -> None:
    with backend.uow() as uow:
        got = [uow.cases.next_reference(y) for y in (2026, 2026, 2027)]
        uow.commit()
    assert got == ["TT-2026-0001", "TT-2026-0002", "TT-2027-0001"]


def test_history_is_numbered_from_one_and_appending_keeps_the_version(
        backend: Backend) -> None:
    case = _case("TT-2026-0001", new_events=[_event("logged")])
    [case_id] = _add(backend, case)
    with backend.uow() as uow:
        stored = uow.cases.get(case_id)
        stored.new_events.append(_event("note"))
        uow.cases.append_history(stored)
        stored.new_events.append(_event("acknowledge"))
        uow.cases.save(stored)
        uow.commit()
    with backend.uow() as uow:
        history = uow.cases.history(case_id)
        assert uow.cases.get(case_id).version == 1
    assert [(e.case_id, e.seq, e.action, e.details) for e in history] == [
        (case_id, 1, "logged", {"n": "logged"}), (case_id, 2, "note", {"n": "note"}),
        (case_id, 3, "acknowledge", {"n": "acknowledge"})]


def test_several_events_at_once_are_numbered_on_and_a_missing_case_takes_none(
        backend: Backend) -> None:
    case = _case("TT-2026-0001", new_events=[_event("logged"), _event("note")])
    [case_id] = _add(backend, case)
    with backend.uow() as uow:
        stored = uow.cases.get(case_id)
        stored.new_events.extend([_event("viewed"), _event("viewed again")])
        uow.cases.append_history(stored)
        stored.new_events.extend([_event("acknowledge"), _event("assign")])
        uow.cases.save(stored)
        uow.commit()
    with backend.uow() as uow:
        stranger = uow.cases.get(case_id)
        stranger.id = case_id + 1000
        stranger.new_events.append(_event("note"))
        with pytest.raises(NotFound):
            uow.cases.append_history(stranger)
        assert [(e.seq, e.action) for e in uow.cases.history(case_id)] == [
            (1, "logged"), (2, "note"), (3, "viewed"), (4, "viewed again"),
            (5, "acknowledge"), (6, "assign")]



def test_events_of_several_cases_append_at_once_each_numbered_on_its_own(
        backend: Backend) -> None:
    first, second = _add(backend, _case("TT-2026-0001", new_events=[_event("logged")]),
                         _case("TT-2026-0002"))
    with backend.uow() as uow:
        # Two copies of one case, as two views of it waiting in one batch are.
        a, again, b = uow.cases.get(first), uow.cases.get(first), uow.cases.get(second)
        a.new_events.append(_event("viewed"))
        again.new_events.append(_event("viewed again"))
        b.new_events.extend([_event("viewed"), _event("refused")])
        uow.cases.append_history(a, b, again)
        uow.commit()
    with backend.uow() as uow:
        assert [(e.seq, e.action) for e in uow.cases.history(first)] == [
            (1, "logged"), (2, "viewed"), (3, "viewed again")]
        assert [(e.seq, e.action) for e in uow.cases.history(second)] == [
            (1, "viewed"), (2, "refused")]
        known, stranger = uow.cases.get(first), uow.cases.get(second)
        stranger.id = second + 1000
        known.new_events.append(_event("note"))
        stranger.new_events.append(_event("note"))
        with pytest.raises(NotFound, match=f"No case with id {second + 1000}\\."):
            uow.cases.append_history(known, stranger)


def test_nothing_is_kept_of_a_unit_of_work_left_without_commit(backend: Backend) -> None:
    with backend.uow() as uow:
        uow.cases.add(_case("TT-2026-0001"))
        uow.roles.grant("U0A", Role.DIRECTOR)
        uow.outbox.add([Notice(NoticeKind.CHANNEL, None, {})])
    with backend.uow() as uow:
        assert uow.cases.list_open() == []
        assert uow.roles.all() == []
    assert backend.queued() == []


# ---- lists ------------------------------------------------------------------------------


def test_open_cases_come_soonest_staff_deadline_first_and_cases_without_one_last(
        backend: Backend) -> None:
    window = DeadlineKind.REVIEW_WINDOW
    _add(backend,
         _case("TT-2026-0001"),  # no deadline: last, by id
         _case("TT-2026-0002", deadlines=(
             _deadline(DeadlineKind.STAGE_ONE_REPLY, NOW + timedelta(days=3)),
             # The review window is due sooner, but a staff deadline orders the case.
             _deadline(window, NOW + timedelta(hours=1)))),
         _case("TT-2026-0003", deadlines=(
             _deadline(DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, NOW + timedelta(days=1)),)),
         _case("TT-2026-0004", state=State.REPLIED, deadlines=(
             _deadline(window, NOW + timedelta(days=2)),)),
         _case("TT-2026-0005", state=State.CLOSED, deadlines=(
             _deadline(DeadlineKind.STAGE_ONE_REPLY, NOW),)),
         _case("TT-2026-0006", deadlines=(  # met and retired deadlines do not count
             _deadline(DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, NOW, met_at=NOW),
             _deadline(DeadlineKind.STAGE_ONE_REPLY, NOW, retired_at=NOW))),
         # Added before 0001 would be by reference order, after it by id order.
         _case("TT-2026-0000"))
    with backend.uow() as uow:
        assert _refs(uow.cases.list_open()) == [
            "TT-2026-0003", "TT-2026-0004", "TT-2026-0002", "TT-2026-0001", "TT-2026-0006",
            "TT-2026-0000"]
        assert _refs(uow.cases.list_open(limit=2)) == ["TT-2026-0003", "TT-2026-0004"]


def test_my_cases_are_the_open_ones_i_have_a_part_in(backend: Backend) -> None:
    _add(backend,
         _case("TT-2026-0001", owner="U0ME"),
         _case("TT-2026-0002", investigator="U0ME"),
         _case("TT-2026-0003", reviewer="U0ME"),
         _case("TT-2026-0004", delegate="U0ME"),
         _case("TT-2026-0005", logged_by="U0ME"),
         _case("TT-2026-0006", owner="U0ME", state=State.WITHDRAWN),
         _case("TT-2026-0007", owner="U0YOU"))
    with backend.uow() as uow:
        assert sorted(_refs(uow.cases.list_for_user("U0ME"))) == [
            f"TT-2026-000{n}" for n in range(1, 6)]


def test_overdue_cases_have_a_staff_deadline_past_due_not_just_the_review_window(
        backend: Backend) -> None:
    _add(backend,
         _case("TT-2026-0001", deadlines=(
             _deadline(DeadlineKind.STAGE_ONE_REPLY, NOW - timedelta(days=1)),)),
         _case("TT-2026-0002", state=State.REPLIED, deadlines=(
             _deadline(DeadlineKind.REVIEW_WINDOW, NOW - timedelta(days=1)),)),
         _case("TT-2026-0003", deadlines=(  # due right now: not yet overdue
             _deadline(DeadlineKind.STAGE_ONE_REPLY, NOW),)),
         _case("TT-2026-0004", deadlines=(
             _deadline(DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, NOW - timedelta(days=2)),)),
         _case("TT-2026-0005", state=State.CLOSED, deadlines=(
             _deadline(DeadlineKind.STAGE_ONE_REPLY, NOW - timedelta(days=3)),)),
         _case("TT-2026-0006", deadlines=(
             _deadline(DeadlineKind.STAGE_ONE_REPLY, NOW - timedelta(days=3), met_at=NOW),)))
    with backend.uow() as uow:
        assert _refs(uow.cases.list_overdue(NOW)) == ["TT-2026-0004", "TT-2026-0001"]


def test_cases_received_in_a_period_come_in_pages_by_id(backend: Backend) -> None:
    start = datetime(2026, 4, 1, tzinfo=UTC)
    _add(backend, *[_case(f"TT-2026-000{n}", received_at=start + timedelta(days=n - 2))
                    for n in range(1, 7)])
    with backend.uow() as uow:
        pages = [_refs(p) for p in uow.cases.received_between(
            start, start + timedelta(days=4), batch=2)]
        with pytest.raises(ValueError, match="batch"):
            list(uow.cases.received_between(start, start, batch=0))
    # 0001 is the day before; 0006 is received at the end, which is not in the period.
    assert pages == [["TT-2026-0002", "TT-2026-0003"], ["TT-2026-0004", "TT-2026-0005"]]


def test_due_deadlines_and_expired_review_windows_are_found_by_id(backend: Backend) -> None:
    window, reply = DeadlineKind.REVIEW_WINDOW, DeadlineKind.STAGE_ONE_REPLY
    ids = _add(backend,
               _case("TT-2026-0001", deadlines=(_deadline(reply, NOW),)),
               _case("TT-2026-0002", deadlines=(_deadline(reply, NOW + timedelta(1)),)),
               _case("TT-2026-0003", state=State.CLOSED,
                     deadlines=(_deadline(reply, NOW - timedelta(1)),)),
               _case("TT-2026-0004", state=State.REPLIED,
                     deadlines=(_deadline(window, NOW - timedelta(seconds=1)),)),
               _case("TT-2026-0005", state=State.REPLIED, deadlines=(_deadline(window, NOW),)),
               _case("TT-2026-0006", state=State.UNDER_REVIEW,
                     deadlines=(_deadline(window, NOW - timedelta(1)),)))
    with backend.uow() as uow:
        assert list(uow.cases.ids_with_open_deadline_due(reply, NOW)) == [ids[0]]
        assert list(uow.cases.ids_with_window_expired(NOW)) == [ids[3]]


# ---- roles and the outbox ---------------------------------------------------------------


def test_roles_are_granted_once_revoked_once_and_listed_sorted(backend: Backend) -> None:
    with backend.uow() as uow:
        assert uow.roles.grant("U0B", Role.DIRECTOR) is True
        assert uow.roles.grant("U0B", Role.DIRECTOR) is False
        assert uow.roles.grant("U0A", Role.DIRECTOR) is True
        assert uow.roles.grant("U0A", Role.CUSTOMER_SERVICES) is True
        uow.commit()
    with backend.uow() as uow:
        assert uow.roles.revoke("U0A", Role.CUSTOMER_SERVICES) is True
        assert uow.roles.revoke("U0A", Role.CUSTOMER_SERVICES) is False
        uow.commit()
    with backend.uow() as uow:
        assert uow.roles.all() == [("U0A", Role.DIRECTOR), ("U0B", Role.DIRECTOR)]
        assert list(uow.roles.members(Role.DIRECTOR)) == ["U0A", "U0B"]
        assert uow.roles.roles_of("U0A") == frozenset({Role.DIRECTOR})


def test_only_organisation_roles_can_be_granted(backend: Backend) -> None:
    case_roles = [r for r in Role if r not in ORGANISATION_ROLES]
    assert case_roles, "the contract needs a role that is not an organisation role"
    with backend.uow() as uow, pytest.raises(ValueError, match="not an organisation role"):
        uow.roles.grant("U0A", case_roles[0])


def test_notices_are_queued_in_order_on_commit_once_per_dedupe_key(backend: Backend) -> None:
    [case_id] = _add(backend, _case("TT-2026-0001"))
    for _ in range(2):
        with backend.uow() as uow:
            uow.outbox.add([Notice(NoticeKind.CARD, case_id, {}),
                            Notice(NoticeKind.CHANNEL, None, {}, dedupe_key="digest:1"),
                            Notice(NoticeKind.CHANNEL, None, {}, dedupe_key="digest:1")])
            uow.commit()
    assert backend.queued() == [("card", case_id, None), ("channel", None, "digest:1"),
                                ("card", case_id, None)]
