"""Alert claiming: open deadlines in pages, insert-if-absent alert keys, outbox in one go.

Implements ``scheduling.sweep.AlertLedger``. Several processes may sweep one PostgreSQL at
once: the unique ``alerts.key`` decides who posts each alert (INSERT ... ON CONFLICT DO
NOTHING RETURNING key), and the winner writes the outbox rows in the same transaction.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, exists, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from cases.clock import require_aware
from cases.model import ALERTED_DEADLINES, DeadlineKind, Notice, NoticeKind
from scheduling.sweep import Alert, OpenDeadline
from storage.models import AlertRow, CaseRow, DeadlineRow, OutboxRow

_ALERTED = sorted(k.value for k in ALERTED_DEADLINES)


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def default_worker_id() -> str:
    """host:pid, recorded as ``alerts.claimed_by`` for operators."""
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


class SqlAlertLedger:
    """The sweep's view of the database; every method is its own short transaction."""

    def __init__(self, engine: Engine, *, worker: str | None = None,
                 after_claim: Callable[[list[str]], None] | None = None) -> None:
        self.engine = engine
        self.worker = worker or default_worker_id()
        # Test hook: runs after the alert keys are inserted, before the outbox rows are.
        self.after_claim = after_claim
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)

    def open_deadlines_before(self, horizon: datetime, *, batch: int = 500
                              ) -> Iterator[list[OpenDeadline]]:
        """Open alerted deadlines due at or before ``horizon``, in keyset pages of ``batch``."""
        horizon = require_aware(horizon)
        last: tuple[datetime, int] | None = None
        while True:
            stmt = (
                select(DeadlineRow.id, DeadlineRow.case_id, DeadlineRow.kind,
                       DeadlineRow.due_at, CaseRow.reference, CaseRow.owner, CaseRow.reviewer,
                       CaseRow.delegate)
                .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
                # Same predicate as the partial index ix_deadlines_open_due_at: a range scan.
                .where(DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
                       DeadlineRow.due_at <= horizon, DeadlineRow.kind.in_(_ALERTED))
                .order_by(DeadlineRow.due_at, DeadlineRow.id)
                .limit(batch)
            )
            if last is not None:
                stmt = stmt.where(or_(DeadlineRow.due_at > last[0],
                                      and_(DeadlineRow.due_at == last[0],
                                           DeadlineRow.id > last[1])))
            with self._sessions() as session:
                rows = session.execute(stmt).all()
            if not rows:
                return
            page = [OpenDeadline(deadline_id=r[0], case_id=r[1], reference=r[4],
                                 kind=DeadlineKind(r[2]), due_at=r[3], owner=r[5],
                                 reviewer=r[6], delegate=r[7]) for r in rows]
            yield page
            if len(rows) < batch:
                return
            last = (page[-1].due_at, page[-1].deadline_id)

    def claim(self, alerts: Sequence[Alert], now: datetime) -> list[Alert]:
        """Insert-if-absent each key; queue the winners' notices plus a card refresh, atomically."""
        now = require_aware(now)
        by_key = {a.key: a for a in alerts}
        # One order for every process: concurrent inserts meet keys in the same order.
        keys = sorted(by_key)
        with self._sessions.begin() as session:
            known = set(session.scalars(select(AlertRow.key).where(AlertRow.key.in_(keys))))
            fresh = [by_key[k] for k in keys if k not in known]
            if not fresh:
                return []
            ins = _insert(session)
            stmt = (ins(AlertRow)
                    .values([{"key": a.key, "case_id": a.case_id,
                              "deadline_kind": a.deadline_kind.value,
                              "alert_kind": a.alert_kind.value, "occurrence": a.occurrence,
                              "not_before": a.not_before, "claimed_by": self.worker,
                              "claimed_until": None, "posted_at": None, "retired_at": None}
                             for a in fresh])
                    .on_conflict_do_nothing(index_elements=[AlertRow.key])
                    .returning(AlertRow.key))
            won_keys = set(session.scalars(stmt))
            won = [a for a in fresh if a.key in won_keys]
            if self.after_claim is not None:
                self.after_claim(sorted(won_keys))
            notices = [n for a in won for n in a.notices]
            # The card's deadline marker changes at the same moment as the alert.
            notices += [Notice(NoticeKind.CARD, case_id, {})
                        for case_id in sorted({a.case_id for a in won})]
            self._queue(session, notices, now)
        return won

    def queue(self, notices: Sequence[Notice], now: datetime) -> int:
        """Queue notices in their own transaction; returns how many rows were new."""
        with self._sessions.begin() as session:
            return self._queue(session, notices, require_aware(now))

    def _queue(self, session: Session, notices: Sequence[Notice], now: datetime) -> int:
        if not notices:
            return 0
        stmt = (_insert(session)(OutboxRow)
                .values([{"case_id": n.case_id, "kind": n.kind.value,
                          "payload": dict(n.payload), "dedupe_key": n.dedupe_key,
                          "created_at": now, "attempts": 0, "next_attempt_at": now,
                          "delivered_at": None, "dead_at": None, "last_error": None}
                         for n in notices])
                .on_conflict_do_nothing(index_elements=[OutboxRow.dedupe_key])
                .returning(OutboxRow.id))
        return len(session.scalars(stmt).all())

    def person_responses_due(self, now: datetime) -> bool:
        """Is any named person's response window open and past due?"""
        stmt = select(exists().where(
            DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
            DeadlineRow.due_at <= require_aware(now),
            DeadlineRow.kind == DeadlineKind.PERSON_RESPONSE.value))
        with self._sessions() as session:
            return bool(session.scalar(stmt))

    def alert_keys(self) -> list[str]:
        """Every claimed alert key, sorted (tests, operators)."""
        with self._sessions() as session:
            return sorted(session.scalars(select(AlertRow.key)))
