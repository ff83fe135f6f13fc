"""The one writer of outbox rows: every notice, one row per surface it goes to.

Use cases (through ``SqlOutbox``), the sweep's alert claims and its digests all queue
through ``insert_outbox_rows``: one statement, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table
from sqlalchemy.orm import Session

from cases.clock import Clock, require_aware
from cases.delivery import DEFAULT_SURFACES, require_surfaces
from cases.model import Notice
from storage.db import upsert_insert
from storage.models import OutboxRow

_OUTBOX = cast(Table, OutboxRow.__table__)


def outbox_values(notices: Iterable[Notice], now: datetime,
                  surfaces: Sequence[str] = DEFAULT_SURFACES) -> list[dict[str, Any]]:
    """The rows for ``notices``: each notice once per surface, notices in order.

    A notice naming its own surface (a letter: email) gets one row, for that surface only.
    """
    now = require_aware(now)
    return [{"case_id": n.case_id, "kind": n.kind.value, "payload": dict(n.payload),
             "dedupe_key": n.dedupe_key, "surface": surface, "created_at": now,
             "attempts": 0, "hard_failures": 0, "next_attempt_at": now}
            for n in notices for surface in ((n.surface,) if n.surface else surfaces)]


def insert_outbox_rows(session: Session, notices: Iterable[Notice], now: datetime,
                       surfaces: Sequence[str] = DEFAULT_SURFACES) -> int:
    """Queue ``notices`` in the session's transaction; returns how many rows were new.

    A notice whose dedupe_key is already queued for a surface is skipped there. A NULL
    dedupe_key never conflicts (NULLs are distinct in the unique index), so the same
    statement serves notices with and without one. Rows are inserted in the order given,
    so one case's messages keep their order (ids ascend).
    """
    rows = outbox_values(notices, now, require_surfaces(surfaces))
    if not rows:
        return 0
    # One Core statement with bound parameters, sent with the driver's executemany on both
    # databases (sqlite3's loop in C; psycopg's pipeline of one prepared statement): the
    # compiled SQL is cached, and no per-batch multi-row VALUES is built or parsed. (With
    # RETURNING, SQLAlchemy would batch rows into VALUES lists: three times slower on
    # PostgreSQL for a first sweep of 10,000 alerts.) Row counts of an executemany are kept
    # only when asked for.
    stmt = (upsert_insert(session)(_OUTBOX)
            .on_conflict_do_nothing(index_elements=[_OUTBOX.c.surface, _OUTBOX.c.dedupe_key]))
    result = cast(CursorResult[Any], session.connection().execute(
        stmt, rows, execution_options={"preserve_rowcount": True}))
    return int(result.rowcount)


class SqlOutbox:
    """``cases.ports.Outbox``: notices become rows in the use case's own transaction."""

    def __init__(self, session: Session, clock: Clock,
                 surfaces: Sequence[str] = DEFAULT_SURFACES) -> None:
        self.session = session
        self.clock = clock
        self.surfaces = require_surfaces(surfaces)

    def add(self, notices: Iterable[Notice]) -> None:
        """Queue notices for every configured surface; duplicates by dedupe_key are skipped."""
        insert_outbox_rows(self.session, notices, self.clock.now(), self.surfaces)
