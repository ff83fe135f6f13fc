"""The delivery side of the outbox: claim due rows, record the result, remember messages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, case, func, or_, select, update
from sqlalchemy.orm import aliased

from cases.clock import require_aware
from cases.delivery import DEFAULT_SURFACES, SLACK, require_surfaces
from cases.model import Notice
from storage.message_refs import SqlMessageRefs
from storage.models import OutboxRow
from storage.outbox_writer import insert_outbox_rows

MAX_ERROR = 2000


@dataclass(frozen=True)
class OutboxItem:
    """One message to deliver, as claimed by a worker."""

    id: int
    case_id: int | None
    kind: str
    payload: dict[str, Any]
    attempts: int
    # Refusals and unexpected errors so far (transient retries not counted).
    hard_failures: int = 0
    # The surface whose deliverer takes the row.
    surface: str = SLACK


@dataclass(frozen=True)
class DeadItem:
    """A message given up on, for an operator to read and requeue."""

    id: int
    case_id: int | None
    kind: str
    attempts: int
    hard_failures: int
    dead_at: datetime
    error: str
    surface: str = "slack"


class OutboxStore(SqlMessageRefs):
    """What the delivery worker needs from the database; each call is its own transaction.

    Also the message references (``cases.delivery.MessageRefs``) its deliverers keep.
    """

    def __init__(self, engine: Engine, surfaces: Sequence[str] = DEFAULT_SURFACES) -> None:
        super().__init__(engine)
        # The chat surfaces a message queued here (a dead letter's notice) fans out to.
        self.surfaces = require_surfaces(surfaces)

    def claim(self, now: datetime, limit: int = 20, lease_seconds: float = 60, *,
              surfaces: Sequence[str] | None = None) -> list[OutboxItem]:
        """Lease up to ``limit`` pending rows due by ``now``; nobody else gets them meanwhile.

        ``surfaces``: only rows for these (the ones this worker can deliver); None: all.
        """
        now = require_aware(now)
        lease_until = now + timedelta(seconds=lease_seconds)
        # One case's messages on one surface go strictly in order and never in parallel:
        # only the oldest pending row of a case and surface may be claimed. A claimed row
        # stays pending under its lease, so it holds the next row back until it is
        # delivered or dead (a dead row no longer blocks: later messages must not be held
        # hostage by it). Rows without a case are independent, and so are surfaces: one
        # surface's outage holds back none of another's. The probe uses
        # ix_outbox_pending_case_id_id.
        older = aliased(OutboxRow, name="older")
        older_pending = (
            select(older.id)
            .where(older.case_id == OutboxRow.case_id, older.id < OutboxRow.id,
                   older.surface == OutboxRow.surface,
                   older.delivered_at.is_(None), older.dead_at.is_(None))
            .correlate(OutboxRow))
        which = [] if surfaces is None else [OutboxRow.surface.in_(list(surfaces))]
        with self._sessions.begin() as session:
            # SKIP LOCKED on PostgreSQL lets claimers pass each other; on SQLite the unit
            # of work's BEGIN IMMEDIATE already serialises them (FOR UPDATE is not rendered).
            ids = list(session.scalars(
                select(OutboxRow.id)
                .where(OutboxRow.delivered_at.is_(None), OutboxRow.dead_at.is_(None),
                       OutboxRow.next_attempt_at <= now,
                       or_(OutboxRow.case_id.is_(None), ~older_pending.exists()), *which)
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                .limit(limit)
                .with_for_update(skip_locked=True)))
            if not ids:
                return []
            rows = session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(ids))
                .values(next_attempt_at=lease_until, attempts=OutboxRow.attempts + 1)
                .returning(OutboxRow.id, OutboxRow.case_id, OutboxRow.kind,
                           OutboxRow.payload, OutboxRow.attempts, OutboxRow.hard_failures,
                           OutboxRow.surface)
                .execution_options(synchronize_session=False)).all()
        items = [OutboxItem(id=i, case_id=c, kind=k, payload=dict(p or {}), attempts=a,
                            hard_failures=h, surface=s)
                 for i, c, k, p, a, h, s in rows]
        return sorted(items, key=lambda item: ids.index(item.id))

    def delivered(self, item_id: int, now: datetime) -> None:
        """The message reached the chat platform."""
        self._update(item_id, delivered_at=require_aware(now), last_error=None)

    def failed(self, item_id: int, now: datetime, error: str,
               retry_at: datetime | None, *, hard: bool = False,
               then: Sequence[Notice] = ()) -> None:
        """Delivery failed: retry at ``retry_at``, or dead-letter the row when it is None.

        ``hard``: a refusal or an unexpected error (not a transient "not now"), counted in
        ``hard_failures``. ``then``: what the dead letter owes people (a refused letter's
        message to its owner), queued in the same transaction as the row's new state.
        """
        values: dict[str, Any] = {"last_error": error[:MAX_ERROR]}
        if hard:
            values["hard_failures"] = OutboxRow.hard_failures + 1
        if retry_at is None:
            values["dead_at"] = require_aware(now)
        else:
            values["next_attempt_at"] = require_aware(retry_at)
        self._update(item_id, then=then, now=now, **values)

    def _update(self, item_id: int, *, then: Sequence[Notice] = (),
                now: datetime | None = None, **values: Any) -> None:
        with self._sessions.begin() as session:
            result = cast(CursorResult[Any], session.execute(
                update(OutboxRow).where(OutboxRow.id == item_id).values(**values)
                .execution_options(synchronize_session=False)))
            if result.rowcount != 1:
                raise LookupError(f"no outbox row {item_id}")
            if then:
                assert now is not None
                insert_outbox_rows(session, then, now, self.surfaces)

    def counts(self) -> dict[str, int]:
        """Pending, dead and delivered row counts, for operators."""
        pending = (OutboxRow.delivered_at.is_(None)) & (OutboxRow.dead_at.is_(None))
        with self._reads() as session:
            row = session.execute(select(
                func.count(case((pending, 1))),
                func.count(OutboxRow.dead_at),
                func.count(OutboxRow.delivered_at),
            )).one()
        return {"pending": int(row[0]), "dead": int(row[1]), "delivered": int(row[2])}

    def dead(self, limit: int = 50) -> list[DeadItem]:
        """Dead-lettered messages, newest first, with the reason Slack gave."""
        with self._sessions() as session:
            rows = session.execute(
                select(OutboxRow.id, OutboxRow.case_id, OutboxRow.kind, OutboxRow.attempts,
                       OutboxRow.hard_failures, OutboxRow.dead_at, OutboxRow.last_error,
                       OutboxRow.surface)
                .where(OutboxRow.dead_at.is_not(None))
                .order_by(OutboxRow.dead_at.desc(), OutboxRow.id.desc())
                .limit(limit)).all()
        return [DeadItem(id=i, case_id=c, kind=k, attempts=a, hard_failures=h, dead_at=d,
                         error=e or "", surface=s)
                for i, c, k, a, h, d, e, s in rows if d is not None]

    def requeue_dead(self, now: datetime, ids: list[int] | None = None) -> int:
        """Give dead-lettered messages (all, or those ``ids``) a fresh start.

        A requeued message is older than its case's later messages, so it goes before them
        again; it waits only until any of them already under way (leased, or waiting for
        a retry) has had its turn, so one case's messages are never sent in parallel.
        """
        now = require_aware(now)
        query = select(OutboxRow.id, OutboxRow.case_id).where(OutboxRow.dead_at.is_not(None))
        if ids is not None:
            query = query.where(OutboxRow.id.in_(ids))
        with self._sessions.begin() as session:
            dead = session.execute(query.with_for_update()).all()
            cases = {c for _, c in dead if c is not None}
            under_way: dict[int | None, datetime] = {}
            if cases:
                under_way.update((c, latest) for c, latest in session.execute(
                    select(OutboxRow.case_id, func.max(OutboxRow.next_attempt_at))
                    .where(OutboxRow.case_id.in_(cases), OutboxRow.delivered_at.is_(None),
                           OutboxRow.dead_at.is_(None))
                    .group_by(OutboxRow.case_id)))
            by_case: dict[int | None, list[int]] = {}
            for item_id, case_id in dead:
                by_case.setdefault(case_id, []).append(item_id)
            for case_id, item_ids in by_case.items():
                start = max(now, require_aware(under_way.get(case_id, now)))
                session.execute(
                    update(OutboxRow).where(OutboxRow.id.in_(item_ids))
                    .values(dead_at=None, attempts=0, hard_failures=0,
                            next_attempt_at=start)
                    .execution_options(synchronize_session=False))
        return len(dead)
