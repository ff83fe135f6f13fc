"""The one writer of outbox rows: every notice, one row per surface it goes to.

Use cases (through ``SqlOutbox``), the sweep's alert claims and its digests all queue
through ``insert_outbox_rows``: one statement per call (an executemany on SQLite, one
INSERT ... SELECT FROM unnest(columns) on PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, text
from sqlalchemy.orm import Session

from cases.clock import Clock, require_aware
from cases.delivery import DEFAULT_SURFACES, require_surfaces
from cases.model import Notice
from storage.db import is_postgres, upsert_insert
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
    if is_postgres(session):
        return _insert_pg(session, rows, require_aware(now))
    # SQLite: one Core statement with bound parameters, sent with sqlite3's executemany (its
    # loop in C): the compiled SQL is cached, and no per-batch multi-row VALUES is built or
    # parsed. Row counts of an executemany are kept only when asked for.
    stmt = (upsert_insert(session)(_OUTBOX)
            .on_conflict_do_nothing(index_elements=[_OUTBOX.c.surface, _OUTBOX.c.dedupe_key]))
    result = cast(CursorResult[Any], session.connection().execute(
        stmt, rows, execution_options={"preserve_rowcount": True}))
    return int(result.rowcount)


# PostgreSQL: all the rows as one JSON array parameter, one short statement however many
# rows. (psycopg's executemany pipelines a row at a time, and text[] parameters are escaped
# element by element in Python: either way the first sweep of 10,000 alerts spent most of
# its time there.) WITH ORDINALITY ... ORDER BY keeps the given order, so ids ascend as
# the rows were given; duplicates within the rows meet DO NOTHING too.
_PG_INSERT = text("""
    INSERT INTO outbox (case_id, kind, payload, dedupe_key, surface, created_at, attempts,
                        hard_failures, next_attempt_at)
    SELECT CAST(r ->> 'case_id' AS integer), r ->> 'kind', r -> 'payload',
           r ->> 'dedupe_key', r ->> 'surface', :now, 0, 0, :now
    FROM json_array_elements(CAST(:rows AS json)) WITH ORDINALITY AS t(r, n)
    ORDER BY n
    ON CONFLICT (surface, dedupe_key) DO NOTHING
""")
_ROW_KEYS = ("case_id", "kind", "payload", "dedupe_key", "surface")


def _insert_pg(session: Session, rows: list[dict[str, Any]], now: datetime) -> int:
    document = json.dumps([{k: r[k] for k in _ROW_KEYS} for r in rows])
    result = cast(CursorResult[Any], session.execute(_PG_INSERT, {"rows": document,
                                                                  "now": now}))
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
