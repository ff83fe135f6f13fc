"""The one writer of outbox rows: every notice, one row per surface it goes to.

Use cases (through ``SqlOutbox``), the sweep's alert claims and its digests all queue
through ``insert_outbox_rows``: one statement, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from cases.clock import Clock, require_aware
from cases.delivery import DEFAULT_SURFACES, require_surfaces
from cases.model import Notice
from storage.db import upsert_insert
from storage.models import OutboxRow

_OUTBOX = cast(Table, OutboxRow.__table__)


def outbox_values(notices: Iterable[Notice], now: datetime,
                  surfaces: Sequence[str] = DEFAULT_SURFACES) -> list[dict[str, Any]]:
    """The rows for ``notices``: each notice once per surface, notices in order."""
    now = require_aware(now)
    return [{"case_id": n.case_id, "kind": n.kind.value, "payload": dict(n.payload),
             "dedupe_key": n.dedupe_key, "surface": surface, "created_at": now,
             "attempts": 0, "hard_failures": 0, "next_attempt_at": now}
            for n in notices for surface in surfaces]


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
    # Core with bound parameters: the compiled SQL is cached, and SQLAlchemy's
    # "insertmanyvalues" sends the rows as multi-row VALUES on both databases.
    stmt = (upsert_insert(session)(_OUTBOX)
            .on_conflict_do_nothing(index_elements=[_OUTBOX.c.surface, _OUTBOX.c.dedupe_key])
            .returning(_OUTBOX.c.id))
    return len(session.connection().execute(stmt, rows).all())


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
