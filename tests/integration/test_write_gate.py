"""SQLite writers queue in order on the in-process write gate; readers can skip it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import column, delete, func, select, text
from sqlalchemy.exc import OperationalError

from cases.roles import Role
from cases.services import ComplaintsDesk
from storage.db import GatedConnection, WriteGate, make_engine, write_gate
from storage.models import RoleRow
from storage.readers import ReadOnlyWrite, read_only
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.conftest import CS_USER


def _wait_for(predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


def test_the_gate_is_first_come_first_served() -> None:
    gate = WriteGate()
    assert gate.acquire(1)
    order: list[int] = []

    def writer(i: int) -> None:
        assert gate.acquire(5)
        order.append(i)
        gate.release()

    threads = []
    for i in range(8):
        t = threading.Thread(target=writer, args=(i,))
        t.start()
        threads.append(t)
        _wait_for(lambda n=i + 1: len(gate._waiters) == n)
    gate.release()
    for t in threads:
        t.join(5)
    assert order == list(range(8))
    assert not gate.held


def test_the_gate_gives_up_after_the_timeout_and_never_waits_for_its_own_holder() -> None:
    gate = WriteGate()
    asked_again: list[bool] = []

    def holder() -> None:
        assert gate.acquire(1)
        # The holder asking again is told no at once: waiting here would take an hour.
        asked_again.append(gate.acquire(3600))

    t = threading.Thread(target=holder, daemon=True)
    t.start()
    t.join(30)
    assert not t.is_alive() and asked_again == [False]  # no self-deadlock
    gate.release()
    assert gate.acquire(1)
    got: list[bool] = []
    t = threading.Thread(target=lambda: got.append(gate.acquire(0.05)))
    t.start()
    t.join(5)
    assert got == [False]
    assert not gate._waiters
    gate.release()
    assert not gate.held


def test_engines_on_one_file_share_one_gate(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.sqlite3'}"
    a, b = make_engine(url), make_engine(url)
    try:
        with a.connect() as ca, b.connect() as cb:
            ga = ca.connection.dbapi_connection
            gb = cb.connection.dbapi_connection
            assert isinstance(ga, GatedConnection) and isinstance(gb, GatedConnection)
            assert ga.gate is gb.gate is write_gate(str((tmp_path / "g.sqlite3").resolve()))
    finally:
        a.dispose()
        b.dispose()


def test_a_writer_holds_the_gate_until_commit_or_rollback(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite3'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER)"))
        with engine.connect() as conn:
            gate = conn.connection.dbapi_connection.gate  # type: ignore[union-attr]
            assert gate is not None and not gate.held
            conn.execute(text("INSERT INTO t VALUES (1)"))
            assert gate.held
            conn.commit()
            assert not gate.held
            conn.execute(text("INSERT INTO t VALUES (2)"))
            assert gate.held
            conn.rollback()
            assert not gate.held
        # A second writer waits on the gate (not in the busy handler) and runs right after.
        done = threading.Event()
        with engine.connect() as first:
            first.execute(text("INSERT INTO t VALUES (3)"))

            def second() -> None:
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO t VALUES (4)"))
                done.set()

            t = threading.Thread(target=second)
            t.start()
            _wait_for(lambda: len(gate._waiters) == 1)
            assert not done.is_set()
            first.commit()
            t.join(5)
        assert done.is_set() and not gate.held
        with engine.connect() as conn:
            assert conn.execute(text("SELECT n FROM t ORDER BY n")).scalars().all() == [1, 3, 4]
    finally:
        engine.dispose()


def test_read_only_work_begins_deferred_and_reads_beside_a_writer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'r.sqlite3'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        with engine.connect() as writer:
            writer.execute(text("INSERT INTO t VALUES (2)"))
            gate = writer.connection.dbapi_connection.gate  # type: ignore[union-attr]
            assert gate is not None and gate.held
            seen: list[list[int]] = []

            def reader() -> None:
                with read_only(engine).connect() as conn:
                    seen.append(list(conn.execute(text("SELECT n FROM t")).scalars()))

            t = threading.Thread(target=reader)
            t.start()
            t.join(2)
            assert seen == [[1]]  # the committed snapshot, without waiting for the writer
            writer.commit()
    finally:
        engine.dispose()


def test_a_nested_writer_on_the_same_thread_falls_back_to_sqlite_and_does_not_hang(
        tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'n.sqlite3'}", connect_args={"timeout": 0.2})
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (n INTEGER)"))
        with engine.connect() as outer:
            outer.execute(text("INSERT INTO t VALUES (1)"))
            # Gate and busy handler both give up after 0.2 s: SQLite's own "locked" answers.
            with pytest.raises(OperationalError, match="locked"), engine.connect() as inner:
                inner.execute(text("INSERT INTO t VALUES (2)"))
            outer.commit()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1
    finally:
        engine.dispose()


def test_a_read_only_unit_of_work_reads_but_can_neither_write_nor_commit(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory,
        intake: dict[str, Any]) -> None:
    case = desk.log_complaint(intake, logged_by=CS_USER)
    reader = uow_factory.reader()
    assert reader.read_only and not uow_factory.read_only
    # A reader is served while a writer holds SQLite's write lock (and the gate).
    with uow_factory() as writer:
        writer.roles.grant("U0OTHER01", Role.DIRECTOR)
        with reader() as uow:
            assert uow.cases.get_by_reference(case.reference).id == case.id
            assert uow.roles.roles_of("U0OTHER01") == frozenset()  # not committed yet
        writer.commit()
    with reader() as uow:
        assert uow.roles.roles_of("U0OTHER01") == {Role.DIRECTOR}
        # Refused before it reaches the database (on PostgreSQL a reader runs in
        # autocommit, so a write that got there would be kept at once).
        with pytest.raises(ReadOnlyWrite, match="read-only work cannot write: INSERT"):
            uow.roles.grant("U0OTHER02", Role.DIRECTOR)
        with pytest.raises(ReadOnlyWrite, match="UPDATE"):
            uow.session.execute(text("UPDATE roles SET role = 'director'"))
        assert uow.cases.get_by_reference(case.reference).id == case.id  # still reads
        with pytest.raises(RuntimeError, match="read-only"):
            uow.commit()
    with uow_factory() as uow:
        assert uow.roles.roles_of("U0OTHER02") == frozenset()



def test_a_write_the_readers_own_check_cannot_see_is_refused_by_the_database(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.roles.grant("U0KEPT001", Role.DIRECTOR)
        uow.commit()
    # Hand-written SQL passed off as a SELECT, and (PostgreSQL) a SELECT over a
    # writing CTE: SQLAlchemy sees a query, the database sees a DELETE.
    disguised = [text("DELETE FROM roles RETURNING user_id").columns(column("user_id"))]
    if uow_factory.engine.dialect.name == "postgresql":
        gone = delete(RoleRow).returning(RoleRow.user_id).cte("gone")
        disguised.append(select(func.count()).select_from(gone))
    for statement in disguised:
        with uow_factory.reader()() as uow:
            with pytest.raises(ReadOnlyWrite, match="read-only work cannot write"):
                uow.session.execute(statement).all()
            # The refusal leaves the reader usable for what it is for.
            assert uow.roles.roles_of("U0KEPT001") == {Role.DIRECTOR}
    with uow_factory() as uow:  # and a writer after it writes as before
        assert uow.roles.roles_of("U0KEPT001") == {Role.DIRECTOR}
        uow.roles.grant("U0KEPT002", Role.DIRECTOR)
        uow.commit()
    with uow_factory.reader()() as uow:
        assert uow.roles.roles_of("U0KEPT002") == {Role.DIRECTOR}


_HOLD_WRITERS_LOCK = """
import fcntl, sys, time
with open(sys.argv[1], "a") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    print(f"released {time.time()}", flush=True)
"""


def _holder(lock: Path, seconds: float) -> Any:
    """Another process holding the database's writers lock for ``seconds``."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD_WRITERS_LOCK, str(lock), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX only")
def test_a_writer_in_another_process_is_waited_for_through_the_writers_lock(
        tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite3"
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    lock = Path(str(db.resolve()) + ".writers")
    assert lock.exists()  # made by the first writer, beside the database

    holder = _holder(lock, 0.4)
    with engine.begin() as conn:  # queues behind the other process's writer
        began = time.time()
        conn.execute(text("INSERT INTO t VALUES (1)"))
    assert holder.stdout is not None
    released = float(holder.stdout.readline().split()[1])
    holder.wait(5)
    assert began >= released
    engine.dispose()


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX only")
def test_a_writers_lock_kept_past_the_timeout_falls_back_to_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "w.sqlite3"
    engine = make_engine(f"sqlite:///{db}", connect_args={"timeout": 0.2})
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    holder = _holder(Path(str(db.resolve()) + ".writers"), 3.0)
    try:
        started = time.monotonic()
        with engine.begin() as conn:  # the holder takes no SQLite lock: SQLite lets us in
            conn.execute(text("INSERT INTO t VALUES (1)"))
        assert time.monotonic() - started < 2.0
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
    finally:
        holder.kill()
        holder.wait(5)
        engine.dispose()
