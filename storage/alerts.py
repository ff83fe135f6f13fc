"""Alert claiming: open deadlines in pages, insert-if-absent alert keys, outbox in one go.

Implements ``scheduling.sweep.AlertLedger``. Several processes may sweep one PostgreSQL at
once: the unique ``alerts.key`` decides who posts each alert (INSERT ... ON CONFLICT DO
NOTHING RETURNING key), and the winner writes the outbox rows in the same transaction
(through ``storage.outbox_writer``, like every other writer of the outbox).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Engine, Table, and_, exists, or_, select, text
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session, sessionmaker

from cases.alerts import Alert, OpenDeadline
from cases.clock import require_aware
from cases.delivery import DEFAULT_SURFACES, require_surfaces
from cases.model import ALERTED_DEADLINES, DeadlineKind, Notice, NoticeKind
from storage.db import is_postgres
from storage.letter_log import unsent_final_letters
from storage.models import AlertRow, CaseRow, DeadlineRow
from storage.outbox_writer import insert_outbox_rows
from storage.readers import read_only

_ALERTED = sorted(k.value for k in ALERTED_DEADLINES)
_ALERTS = cast(Table, AlertRow.__table__)


# PostgreSQL: a page of rows as one INSERT ... SELECT FROM unnest(arrays); unnest keeps the
# arrays' order, so keys are inserted in the order given (sorted: no lock-order deadlocks).
_PG_CLAIM = text("""
    INSERT INTO alerts (key, case_id, deadline_kind, alert_kind, occurrence, not_before,
                        claimed_by)
    SELECT k, c, dk, ak, o, nb, :worker
    FROM unnest(CAST(:keys AS text[]), CAST(:case_ids AS integer[]),
                CAST(:deadline_kinds AS text[]), CAST(:alert_kinds AS text[]),
                CAST(:occurrences AS integer[]), CAST(:not_befores AS timestamptz[]))
         AS t(k, c, dk, ak, o, nb)
    ON CONFLICT (key) DO NOTHING
    RETURNING key
""")
_PG_CLAIMED = text("SELECT key FROM alerts WHERE key = ANY(CAST(:keys AS text[]))")


def _claimed(session: Session, keys: Sequence[str]) -> set[str]:
    """The keys among ``keys`` that have a row in ``alerts``."""
    if is_postgres(session):
        # One array parameter: the same short statement for any number of keys (an IN
        # list of 500 placeholders is a new statement to parse for each page size).
        return set(session.scalars(_PG_CLAIMED, {"keys": list(keys)}))
    return set(session.scalars(select(AlertRow.key).where(AlertRow.key.in_(keys))))


def default_worker_id() -> str:
    """host:pid, recorded as ``alerts.claimed_by`` for operators."""
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


class SqlAlertLedger:
    """The sweep's view of the database; every method is its own short transaction."""

    def __init__(self, engine: Engine, *, worker: str | None = None,
                 after_claim: Callable[[list[str]], None] | None = None,
                 surfaces: Sequence[str] = DEFAULT_SURFACES) -> None:
        self.engine = engine
        self.worker = worker or default_worker_id()
        # Every claimed alert's notices go to each of these surfaces.
        self.surfaces = require_surfaces(surfaces)
        # Test hook: runs after the alert keys are inserted, before the outbox rows are.
        self.after_claim = after_claim
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
        # The sweep runs every minute and mostly only reads (pages of open deadlines, "is a
        # response due?"): on SQLite those reads begin deferred and skip the write gate, so
        # they neither queue behind intakes nor hold them up (see storage.readers.read_only).
        # Claiming stays a writing transaction, its "already claimed?" lookup included.
        self._reads = sessionmaker(bind=read_only(engine), expire_on_commit=False,
                                   autoflush=False)

    def open_deadlines_before(self, horizon: datetime, *, batch: int = 500
                              ) -> Iterator[list[OpenDeadline]]:
        """Open alerted deadlines due at or before ``horizon``, in keyset pages of ``batch``."""
        horizon = require_aware(horizon)
        last: tuple[datetime, int] | None = None
        while True:
            # The page of deadlines first, through the partial index ix_deadlines_open_due_at
            # (same predicate: a range scan, LIMIT batch), then its cases by primary key;
            # joined before the LIMIT, PostgreSQL hashes the whole cases table instead.
            page_q = (
                select(DeadlineRow.id, DeadlineRow.case_id, DeadlineRow.kind,
                       DeadlineRow.due_at)
                .where(DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
                       DeadlineRow.due_at <= horizon, DeadlineRow.kind.in_(_ALERTED))
                .order_by(DeadlineRow.due_at, DeadlineRow.id)
                .limit(batch)
            )
            if last is not None:
                page_q = page_q.where(or_(DeadlineRow.due_at > last[0],
                                          and_(DeadlineRow.due_at == last[0],
                                               DeadlineRow.id > last[1])))
            d = page_q.subquery("d")
            stmt = (select(d.c.id, d.c.case_id, d.c.kind, d.c.due_at, CaseRow.reference,
                           CaseRow.owner, CaseRow.reviewer, CaseRow.delegate,
                           CaseRow.investigator)
                    .join_from(d, CaseRow, CaseRow.id == d.c.case_id)
                    .order_by(d.c.due_at, d.c.id))
            with self._reads() as session:
                rows = session.execute(stmt).all()
            if not rows:
                return
            page = [OpenDeadline(deadline_id=r[0], case_id=r[1], reference=r[4],
                                 kind=DeadlineKind(r[2]), due_at=r[3], owner=r[5],
                                 reviewer=r[6], delegate=r[7], investigator=r[8])
                    for r in rows]
            yield page
            if len(rows) < batch:
                return
            last = (page[-1].due_at, page[-1].deadline_id)

    def claim(self, alerts: Sequence[Alert], now: datetime) -> list[Alert]:
        """Insert-if-absent each key; queue the winners' notices plus a card refresh, atomically.

        Three statements per page whatever its size, in one transaction: which keys are
        already claimed, one multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING key for
        the rest, one executemany of the winners' outbox rows (one per notice and surface).
        """
        now = require_aware(now)
        by_key = {a.key: a for a in alerts}
        if not by_key:
            return []
        # One order for every process: concurrent inserts meet keys in the same order.
        keys = sorted(by_key)
        with self._sessions.begin() as session:
            # Keys already claimed are not re-inserted: an index lookup, and no sequence
            # value burnt by ON CONFLICT on PostgreSQL. (The sweep asks ``claimed`` first,
            # so here they are only those another process claimed in between.)
            known = _claimed(session, keys)
            keys = [k for k in keys if k not in known]
            if not keys:
                return []
            won_keys = self._insert_alerts(session, [by_key[k] for k in keys])
            if not won_keys:
                return []
            won = [by_key[k] for k in keys if k in won_keys]
            if self.after_claim is not None:
                self.after_claim(sorted(won_keys))
            notices = [n for a in won for n in a.notices]
            # The card's deadline marker changes at the same moment as the alert.
            notices += [Notice(NoticeKind.CARD, case_id, {})
                        for case_id in sorted({a.case_id for a in won})]
            self._queue(session, notices, now)
        return won

    def claimed(self, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` are claimed already: a read, outside the writers' queue."""
        if not keys:
            return set()
        with self._reads() as session:
            return _claimed(session, keys)

    def queue(self, notices: Sequence[Notice], now: datetime) -> int:
        """Queue notices in their own transaction; returns how many rows were new."""
        with self._sessions.begin() as session:
            return self._queue(session, notices, require_aware(now))

    def _insert_alerts(self, session: Session, alerts: list[Alert]) -> set[str]:
        """Insert-if-absent the alert keys (in the given order); returns the keys inserted."""
        if is_postgres(session):
            # Whole columns as arrays: one short statement with 7 parameters, however many
            # rows (a VALUES list of 500 rows costs more to build and parse than to run).
            return set(session.execute(_PG_CLAIM, {
                "keys": [a.key for a in alerts], "case_ids": [a.case_id for a in alerts],
                "deadline_kinds": [a.deadline_kind.value for a in alerts],
                "alert_kinds": [a.alert_kind.value for a in alerts],
                "occurrences": [a.occurrence for a in alerts],
                "not_befores": [a.not_before for a in alerts], "worker": self.worker,
            }).scalars())
        # SQLite: SQLAlchemy's "insertmanyvalues" batches the rows into multi-row VALUES.
        stmt = (sqlite.insert(_ALERTS)
                .on_conflict_do_nothing(index_elements=[_ALERTS.c.key])
                .returning(_ALERTS.c.key))
        rows = [{"key": a.key, "case_id": a.case_id, "deadline_kind": a.deadline_kind.value,
                 "alert_kind": a.alert_kind.value, "occurrence": a.occurrence,
                 "not_before": a.not_before, "claimed_by": self.worker}
                for a in alerts]
        return set(session.connection().execute(stmt, rows).scalars())

    def _queue(self, session: Session, notices: Sequence[Notice], now: datetime) -> int:
        """Insert the notices' outbox rows (skipping dedupe keys already there) in one go."""
        return insert_outbox_rows(session, notices, now, self.surfaces)

    def person_responses_due(self, now: datetime) -> bool:
        """Is any named person's response window open and past due?"""
        stmt = select(exists().where(
            DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
            DeadlineRow.due_at <= require_aware(now),
            DeadlineRow.kind == DeadlineKind.PERSON_RESPONSE.value))
        with self._reads() as session:
            return bool(session.scalar(stmt))

    def unsent_final_letters(self, limit: int) -> list[tuple[int, str, str | None]]:
        """(case id, reference, owner) of approved decisions whose letter has not gone."""
        with self._reads() as session:
            return unsent_final_letters(session, limit=limit)

    def alert_keys(self) -> list[str]:
        """Every claimed alert key, sorted (tests, operators)."""
        with self._reads() as session:
            return sorted(session.scalars(select(AlertRow.key)))
