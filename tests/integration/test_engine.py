"""Engine settings and the UTC column type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from storage.db import make_engine
from storage.models import OutboxRow


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
