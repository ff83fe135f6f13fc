"""The one writer of outbox rows: every notice, one row per surface it goes to.

Use cases (through ``SqlOutbox``), the sweep's alert claims and its digests all queue
through ``insert_outbox_rows``: one statement per call, the rows as one JSON document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, text
from sqlalchemy.orm import Session

from cases.clock import Clock, require_aware
from cases.delivery import DEFAULT_SURFACES, require_surfaces
from cases.model import Notice
from storage.db import is_postgres
from storage.models import UTCDateTime


def outbox_values(notices: Iterable[Notice], surfaces: Sequence[str] = DEFAULT_SURFACES
                  ) -> list[dict[str, Any]]:
    """The rows for ``notices`` (their own columns): each notice once per surface, in order.

    A notice naming its own surface (a letter: email) gets one row, for that surface only.
    """
    return [{"case_id": n.case_id, "kind": n.kind.value, "payload": dict(n.payload),
             "dedupe_key": n.dedupe_key, "surface": surface}
            for n in notices for surface in ((n.surface,) if n.surface else surfaces)]


# All the rows as one JSON array parameter: one short statement however many rows, parsed
# by the database in C. Row by row (an executemany, with SQLAlchemy's per-row bind
# processing on SQLite and psycopg's per-row pipeline on PostgreSQL) the first sweep of
# 10,000 alerts spent most of its time here; text[] columns were worse on PostgreSQL
# (psycopg escapes each element with a regex). Ordering by the array index keeps the
# given order, so ids ascend as the rows were given; a dedupe key repeated within the rows
# meets DO NOTHING like one already queued. (SQLite wants a WHERE before an upsert's ON.)
_COLUMNS = ("INSERT INTO outbox (case_id, kind, payload, dedupe_key, surface, created_at, "
            "attempts, hard_failures, next_attempt_at) ")
_CONFLICT = " ON CONFLICT (surface, dedupe_key) DO NOTHING"
_PG_INSERT = text(_COLUMNS + """
    SELECT CAST(r ->> 'case_id' AS integer), r ->> 'kind', r -> 'payload',
           r ->> 'dedupe_key', r ->> 'surface', :now, 0, 0, :now
    FROM json_array_elements(CAST(:rows AS json)) WITH ORDINALITY AS t(r, n)
    ORDER BY n""" + _CONFLICT)
_SQLITE_INSERT = text(_COLUMNS + """
    SELECT json_extract(value, '$.case_id'), json_extract(value, '$.kind'),
           json_extract(value, '$.payload'), json_extract(value, '$.dedupe_key'),
           json_extract(value, '$.surface'), :now, 0, 0, :now
    FROM json_each(:rows) WHERE true
    ORDER BY key""" + _CONFLICT).bindparams(bindparam("now", type_=UTCDateTime()))


def insert_outbox_rows(session: Session, notices: Iterable[Notice], now: datetime,
                       surfaces: Sequence[str] = DEFAULT_SURFACES) -> int:
    """Queue ``notices`` in the session's transaction; returns how many rows were new.

    A notice whose dedupe_key is already queued for a surface is skipped there. A NULL
    dedupe_key never conflicts (NULLs are distinct in the unique index), so the same
    statement serves notices with and without one. Rows are inserted in the order given,
    so one case's messages keep their order (ids ascend).
    """
    now = require_aware(now)
    rows = outbox_values(notices, require_surfaces(surfaces))
    if not rows:
        return 0
    stmt = _PG_INSERT if is_postgres(session) else _SQLITE_INSERT
    result = cast(CursorResult[Any], session.execute(stmt, {"rows": json.dumps(rows),
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
