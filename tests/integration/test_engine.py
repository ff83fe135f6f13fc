"""Engine settings and the UTC column type."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError
from sqlalchemy.orm import Session

from storage.db import make_engine
from storage.models import OutboxRow
from tests.integration.conftest import _require_postgres, pg_url


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("INSERT INTO message_refs (case_id, surface, slot, ref) "
                          "VALUES (999, 'slack', 'cs', 'C1:1.2')"))


def _row(**times: datetime) -> OutboxRow:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    values = {"created_at": start, "next_attempt_at": start, **times}
    return OutboxRow(kind="channel", payload={}, attempts=0, **values)


def test_instants_come_back_utc_aware_whatever_offset_went_in(engine: Engine) -> None:
    bst = timezone(timedelta(hours=1))
    with Session(engine) as session:
        row = _row(next_attempt_at=datetime(2026, 7, 1, 18, 0, tzinfo=bst))
        session.add(row)
        session.commit()
        row_id = row.id
    with Session(engine) as session:
        loaded = session.get(OutboxRow, row_id)
        assert loaded is not None
        assert loaded.next_attempt_at == datetime(2026, 7, 1, 17, 0, tzinfo=UTC)
        assert loaded.next_attempt_at.tzinfo is UTC
        assert loaded.created_at.tzinfo is UTC


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with Session(engine) as session, pytest.raises(StatementError, match="naive"):
        session.add(_row(created_at=datetime(2026, 1, 1)))  # noqa: DTZ001 - the point
        session.flush()


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(pid: int) -> None:
    admin = make_engine(pg_url())
    try:
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
            # Gone once it no longer shows among the server's sessions. Each look in its
            # own transaction: within one, PostgreSQL keeps showing its first snapshot of
            # pg_stat_activity (stats_fetch_consistency = cache), so a backend seen once
            # would be seen for ever.
            for _ in range(200):
                conn.rollback()
                if not conn.execute(text("SELECT count(*) FROM pg_stat_activity "
                                         "WHERE pid = :p"), {"p": pid}).scalar():
                    return
                time.sleep(0.01)
    finally:
        admin.dispose()
    raise AssertionError(f"backend {pid} still there")


@pytest.mark.postgres
def test_a_pooled_connection_that_the_server_closed_while_idle_is_replaced_unnoticed() -> None:
    _require_postgres()
    engine = make_engine(pg_url(), ping_after_idle=0.2)
    try:
        first = _backend_pid(engine)
        _terminate(first)  # as a database restart, or an idle timeout, would
        time.sleep(0.25)
        assert _backend_pid(engine) != first  # pinged, found dead, and replaced
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_connection_used_moments_ago_is_not_pinged_and_a_break_fails_only_its_next_use(
        ) -> None:
    _require_postgres()
    engine = make_engine(pg_url(), ping_after_idle=3600)
    try:
        first = _backend_pid(engine)
        _terminate(first)
        with pytest.raises(OperationalError):
            _backend_pid(engine)  # not pinged: the unit of work that finds it dead fails
        assert _backend_pid(engine) != first  # and the pool has replaced it for the next
    finally:
        engine.dispose()
