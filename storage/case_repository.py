"""``cases.ports.CaseRepository`` on SQLAlchemy: cases, their deadlines and history."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    Table,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from cases.clock import require_aware
from cases.errors import ConcurrentChange, NotFound
from cases.model import OPEN_STATES, UNNUMBERED, Case, DeadlineKind, HistoryEvent, State
from cases.roles import Role
from storage.case_load import case_by_id, case_of_rows
from storage.case_rows import (
    case_from_row,
    case_values,
    event_from_row,
)
from storage.db import enter_reference_gate, upsert_insert
from storage.letter_log import sent_kinds
from storage.models import CaseEventRow, CaseRow, DeadlineRow, ReferenceCounterRow
from storage.search import index_case, matching_ids

REFERENCE_PREFIX = "TT"
_CASES = cast(Table, CaseRow.__table__)
_CASE_INSERT = insert(_CASES).returning(_CASES.c.id)
_SET_REFERENCE = (update(_CASES).where(_CASES.c.id == bindparam("case_id"))
                  .values(reference=bindparam("reference")))
_OPEN_STATE_VALUES = sorted(s.value for s in OPEN_STATES)



# Built once: every button, card and delivery loads a case, and building the statement
# (coercing the comparison, annotating the columns) cost as much CPU as running it.
# Cases and deadlines load as plain rows of their tables, not ORM objects: ``case_from_row``
# only reads their columns and ``save`` writes with statements of its own, so the identity
# map, instrumented attributes and ``populate_existing`` bought nothing and cost a third of
# a case load's CPU (bench/README.md, "Fourth round", item 2).
_CASE_ROWS = select(_CASES)
_DEADLINES = cast(Table, DeadlineRow.__table__)
_DEADLINES_OF = (select(_DEADLINES)
                 .where(_DEADLINES.c.case_id.in_(bindparam("ids", expanding=True)))
                 .order_by(_DEADLINES.c.case_id, _DEADLINES.c.id))
_CASE_BY_INTAKE_KEY = _CASE_ROWS.where(_CASES.c.intake_key == bindparam("key"))
# Two submits with one key queue here until the first commits (PostgreSQL).
_INTAKE_KEY_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))")
_EVENTS = cast(Table, CaseEventRow.__table__)
# PostgreSQL: the case row's lock first, then the events in statements of their own: a
# statement that waited for the lock still reads with the snapshot it started with, so
# the last number must be read after the wait, by a new statement (each sees what
# committed before it). SQLite's write transaction is exclusive already.
_LOCK_CASES = (select(_CASES.c.id).where(_CASES.c.id.in_(bindparam("ids", expanding=True)))
               .order_by(_CASES.c.id).with_for_update())
_EVENT_FIELDS = ("at", "actor", "action", "from_state", "to_state", "details")
# Each event is numbered by the statement that inserts it (the case's last number + 1, so
# a batch run one after another numbers on), and inserted only if its case exists: one
# statement per event where reading the last number first was two.
_EVENT_APPEND = insert(_EVENTS).from_select(
    ["case_id", "seq", *_EVENT_FIELDS],
    select(_CASES.c.id,
           select(func.coalesce(func.max(_EVENTS.c.seq), 0) + 1)
           .where(_EVENTS.c.case_id == bindparam("case_id")).scalar_subquery(),
           *(bindparam(f, type_=_EVENTS.c[f].type) for f in _EVENT_FIELDS))
    .where(_CASES.c.id == bindparam("case_id")),
).execution_options(preserve_rowcount=True)
_DEADLINE_UPSERTS: dict[str, Any] = {}  # per dialect, built on first use
_COUNTER_UPSERTS: dict[str, Any] = {}  # per dialect, built on first use


def _added(case: Case) -> int:
    if case.id is None:
        raise ValueError(f"{case.reference} was never added")
    return case.id


def _missing(ids: list[int], found: set[int]) -> str:
    gone = [i for i in ids if i not in found] or ids
    return "No case with id " + ", ".join(map(str, gone)) + "."


class SqlCaseRepository:
    """``cases.ports.CaseRepository`` on one SQLAlchemy session (owned by the unit of work)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- loading

    def _load(self, stmt: Select[Any], params: dict[str, Any] | None = None
              ) -> list[Case]:
        """The cases ``stmt`` selects (rows of the cases table), with their deadlines and
        the kinds of letter sent: three queries, however many cases."""
        rows = list(self.session.execute(stmt, params))
        if not rows:
            return []
        ids = [r.id for r in rows]
        by_case: dict[int, list[Any]] = {i: [] for i in ids}
        for d in self.session.execute(_DEADLINES_OF, {"ids": ids}):
            by_case[d.case_id].append(d)
        cases = [case_from_row(r, by_case[r.id]) for r in rows]
        sent = sent_kinds(self.session, ids)
        for case in cases:
            case.letters_sent = sent.get(case.id or 0, frozenset())
        return cases

    def _one(self, stmt: Select[Any], missing: str,
             params: dict[str, Any] | None = None) -> Case:
        found = self._load(stmt, params)
        if not found:
            raise NotFound(missing)
        return found[0]

    def get(self, case_id: int) -> Case:
        """Load one case by id; raises NotFound. One query: the case with the letters it
        sent and its deadlines."""
        stmt = case_by_id(self.session.get_bind().dialect.name)
        return case_of_rows(list(self.session.execute(stmt, {"case_id": case_id})), case_id)

    def get_with_roles(self, case_id: int, user_id: str) -> tuple[Case, frozenset[Role]]:
        """One case by id and the roles ``user_id`` holds, in ``get``'s one query."""
        stmt = case_by_id(self.session.get_bind().dialect.name, with_roles=True)
        rows = list(self.session.execute(stmt, {"case_id": case_id, "user_id": user_id}))
        case = case_of_rows(rows, case_id)
        held = rows[0].user_roles
        return case, frozenset(Role(r) for r in held.split(",")) if held else frozenset()

    def get_by_reference(self, reference: str) -> Case:
        """Load one case by its reference; raises NotFound."""
        return self._one(_CASE_ROWS.where(_CASES.c.reference == reference),
                         f"No case {reference}.")

    def find_by_intake_key(self, key: str) -> Case | None:
        """The case created by a submission with this idempotency key, if any."""
        if self.session.get_bind().dialect.name == "postgresql":
            # Two submits with one key queue here until the first commits, so the second
            # then sees the first's case instead of failing on the unique constraint.
            self.session.execute(_INTAKE_KEY_LOCK, {"k": f"intake_key:{key}"})
        found = self._load(_CASE_BY_INTAKE_KEY, {"key": key})
        return found[0] if found else None

    def _soonest_open_due(self) -> Select[int, datetime]:
        alerted = func.min(DeadlineRow.due_at).filter(
            DeadlineRow.kind != DeadlineKind.REVIEW_WINDOW.value)
        return (
            select(DeadlineRow.case_id,
                   func.coalesce(alerted, func.min(DeadlineRow.due_at)).label("due"))
            .where(DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None))
            .group_by(DeadlineRow.case_id)
        )

    def _open_sorted(self, *where: ColumnElement[bool], limit: int) -> list[Case]:
        soonest = self._soonest_open_due().subquery()
        stmt = (
            _CASE_ROWS
            .outerjoin(soonest, soonest.c.case_id == CaseRow.id)
            .where(CaseRow.state.in_(_OPEN_STATE_VALUES), *where)
            .order_by(soonest.c.due.is_(None), soonest.c.due, CaseRow.id)
            .limit(limit)
        )
        return self._load(stmt)

    def list_open(self, *, limit: int = 50) -> Sequence[Case]:
        """Open cases, soonest open deadline first (cases with none last)."""
        return self._open_sorted(limit=limit)

    def list_for_user(self, user_id: str, *, limit: int = 50) -> Sequence[Case]:
        """Open cases the user owns, investigates, reviews, is delegated or logged."""
        return self._open_sorted(
            or_(CaseRow.owner == user_id, CaseRow.investigator == user_id,
                CaseRow.reviewer == user_id, CaseRow.delegate == user_id,
                CaseRow.logged_by == user_id),
            limit=limit)

    def list_overdue(self, now: datetime, *, limit: int = 50) -> Sequence[Case]:
        """Open cases with a staff deadline (not the review window) past due."""
        overdue = (
            select(DeadlineRow.case_id)
            .where(DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
                   DeadlineRow.due_at < require_aware(now),
                   DeadlineRow.kind != DeadlineKind.REVIEW_WINDOW.value)
        )
        return self._open_sorted(CaseRow.id.in_(overdue), limit=limit)

    def received_between(self, start: datetime, end: datetime, *, batch: int = 500
                         ) -> Iterator[Sequence[Case]]:
        """Cases received in [start, end), in pages of at most ``batch``, ordered by id.

        Keyset paging (``id > last``) over ``ix_cases_received_at``: each page is one
        query, and nothing of an earlier page is kept.
        """
        if batch < 1:
            raise ValueError("batch must be at least 1")
        start, end = require_aware(start), require_aware(end)
        last_id = 0
        while True:
            page = self._load(
                _CASE_ROWS
                .where(CaseRow.received_at >= start, CaseRow.received_at < end,
                       CaseRow.id > last_id)
                .order_by(CaseRow.id)
                .limit(batch))
            if not page:
                return
            yield page
            if len(page) < batch:
                return
            last_id = page[-1].id or 0

    def ids_with_open_deadline_due(self, kind: DeadlineKind, now: datetime) -> Sequence[int]:
        """Open cases whose open deadline of ``kind`` was due at or before ``now``."""
        stmt = (
            select(DeadlineRow.case_id)
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .where(DeadlineRow.kind == kind.value,
                   DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
                   DeadlineRow.due_at <= require_aware(now),
                   CaseRow.state.in_(_OPEN_STATE_VALUES))
            .order_by(DeadlineRow.case_id)
        )
        return list(self.session.scalars(stmt))

    def ids_with_window_expired(self, now: datetime) -> Sequence[int]:
        """Replied cases whose open review window was due before ``now``."""
        stmt = (
            select(CaseRow.id)
            .join(DeadlineRow, DeadlineRow.case_id == CaseRow.id)
            .where(CaseRow.state == State.REPLIED.value,
                   DeadlineRow.kind == DeadlineKind.REVIEW_WINDOW.value,
                   DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
                   DeadlineRow.due_at < require_aware(now))
            .order_by(CaseRow.id)
        )
        return list(self.session.scalars(stmt))

    def history(self, case_id: int) -> Sequence[HistoryEvent]:
        """The case's append-only history, oldest first."""
        rows = self.session.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == case_id)
            .order_by(CaseEventRow.seq))
        return [event_from_row(r) for r in rows]

    # -- writing

    def next_reference(self, year: int) -> str:
        """Allocate ``TT-YYYY-NNNN`` with one atomic upsert of the year's counter."""
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            enter_reference_gate(self.session)
        stmt = _COUNTER_UPSERTS.get(dialect)
        if stmt is None:
            counters = ReferenceCounterRow.__table__
            # One statement: the year's first case inserts 1, every later one increments.
            stmt = _COUNTER_UPSERTS[dialect] = (
                upsert_insert(self.session)(counters)
                .values(year=bindparam("year"), last_number=1)
                .on_conflict_do_update(index_elements=[counters.c.year],
                                       set_={"last_number": counters.c.last_number + 1})
                .returning(counters.c.last_number))
        number = self.session.connection().execute(stmt, {"year": year}).scalar_one()
        return f"{REFERENCE_PREFIX}-{year:04d}-{number:04d}"

    def number(self, case: Case, year: int) -> None:
        """The year's next reference on an added case, and its search terms with it."""
        assert case.id is not None
        case.reference = self.next_reference(year)
        self.session.connection().execute(
            _SET_REFERENCE, {"case_id": case.id, "reference": case.reference})
        index_case(self.session, case)

    def add(self, case: Case) -> None:
        """Insert a new case with its deadlines and history; assigns ``case.id``."""
        if case.id is not None:
            raise ValueError(f"{case.reference} is already stored (id {case.id})")
        # Core statements with bound parameters, here and for deadlines and the outbox: the
        # compiled SQL is cached, where .values(**literals) rebuilt and re-keyed it per call
        # (half the CPU of an intake, all of it inside SQLite's write lock).
        case_id = self.session.connection().execute(
            _CASE_INSERT, {"version": case.version, **case_values(case)}).scalar_one()
        case.id = case_id
        self._write_deadlines(case)
        self._append_events(case)
        if not case.reference.startswith(UNNUMBERED):  # else indexed when numbered
            index_case(self.session, case)

    def save(self, case: Case) -> None:
        """Update under the version check (ConcurrentChange on a stale copy); append history."""
        if case.id is None:
            raise ValueError(f"{case.reference} was never added")
        result = cast(CursorResult[Any], self.session.execute(
            update(CaseRow)
            .where(CaseRow.id == case.id, CaseRow.version == case.version)
            .values(version=case.version + 1, **case_values(case))
            .execution_options(synchronize_session=False)))
        if result.rowcount != 1:
            raise ConcurrentChange(
                f"{case.reference} was changed by someone else; reload it and try again.")
        case.version += 1
        self._write_deadlines(case)
        # The row lock taken by the UPDATE above serialises appends to this case's history.
        self._append_events(case)
        index_case(self.session, case, keep_former=True)

    def search(self, keys: Sequence[str], *, limit: int = 20) -> Sequence[int]:
        """Ids of cases with a term beginning with every key, newest first."""
        return matching_ids(self.session, keys, limit=limit)

    def append_history(self, *cases: Case) -> None:
        """Append new history events without touching the case rows or their versions.

        However many cases: one statement locks them (PostgreSQL), one inserts all their
        events (a batch of recorded views was two statements a case)."""
        ids = sorted({_added(case) for case in cases})
        if not ids:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            # The row locks serialise concurrent appends and saves to these cases'
            # histories; taken in id order, so two batches cannot deadlock on them.
            locked = self.session.connection().execute(_LOCK_CASES, {"ids": ids}).all()
            if len(locked) != len(ids):
                raise NotFound(_missing(ids, {row.id for row in locked}))
        events = sum(len(case.new_events) for case in cases)
        if self._append_events(*cases) != events:
            raise NotFound(_missing(ids, set(self._existing(ids))))

    def _existing(self, ids: list[int]) -> list[int]:
        return list(self.session.connection().execute(
            select(_CASES.c.id).where(_CASES.c.id.in_(ids))).scalars())

    def _write_deadlines(self, case: Case) -> None:
        assert case.id is not None
        if not case.deadlines:
            return
        dialect = self.session.get_bind().dialect.name
        stmt = _DEADLINE_UPSERTS.get(dialect)
        if stmt is None:
            deadlines = DeadlineRow.__table__
            ins = upsert_insert(self.session)(deadlines)
            stmt = _DEADLINE_UPSERTS[dialect] = ins.on_conflict_do_update(
                index_elements=[deadlines.c.case_id, deadlines.c.kind],
                set_={c: ins.excluded[c] for c in
                      ("due_at", "original_due_at", "started_at", "met_at", "retired_at")},
            )
        self.session.connection().execute(stmt, [
            {"case_id": case.id, "kind": d.kind.value, "due_at": d.due_at,
             "original_due_at": d.original_due_at, "started_at": d.started_at,
             "met_at": d.met_at, "retired_at": d.retired_at}
            for d in case.deadlines.values()
        ])

    def _append_events(self, *cases: Case) -> int:
        """Insert each case's ``new_events``, numbered on from its last; how many were
        inserted (none for a case that is not in the table)."""
        rows = [{"case_id": case.id, "at": e.at, "actor": e.actor, "action": e.action,
                 "from_state": e.from_state.value if e.from_state else None,
                 "to_state": e.to_state.value if e.to_state else None,
                 "details": dict(e.details)}
                for case in cases for e in case.new_events]
        if not rows:
            return 0
        result = self.session.connection().execute(_EVENT_APPEND, rows)
        for case in cases:
            case.new_events.clear()
        return int(result.rowcount)
