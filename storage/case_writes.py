"""Writing a case's deadlines and history, for any number of cases in one statement each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from cases.errors import NotFound
from cases.model import Case
from storage import pg_rows
from storage.db import upsert_insert
from storage.models import CaseEventRow, CaseRow, DeadlineRow

_CASES = cast(Table, CaseRow.__table__)
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


def _added(case: Case) -> int:
    if case.id is None:
        raise ValueError(f"{case.reference} was never added")
    return case.id


def _missing(ids: list[int], found: set[int]) -> str:
    gone = [i for i in ids if i not in found] or ids
    return "No case with id " + ", ".join(map(str, gone)) + "."


def append_history(session: Session, cases: Sequence[Case]) -> None:
    """Append the cases' new events without touching their rows or versions (NotFound,
    naming them, for cases not stored)."""
    ids = sorted({_added(case) for case in cases})
    if not ids:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # The row locks serialise concurrent appends and saves to these cases'
        # histories; taken in id order, so two batches cannot deadlock on them.
        locked = {row.id for row in connection.execute(_LOCK_CASES, {"ids": ids})}
        if len(locked) != len(ids):
            raise NotFound(_missing(ids, locked))
    events = sum(len(case.new_events) for case in cases)
    if append_events(session, cases) != events:
        stored = set(connection.execute(
            select(_CASES.c.id).where(_CASES.c.id.in_(ids))).scalars())
        raise NotFound(_missing(ids, stored))


def write_deadlines(session: Session, cases: Sequence[Case]) -> None:
    """Insert or update the cases' deadlines, in one statement."""
    rows = [{"case_id": case.id, "kind": d.kind.value, "due_at": d.due_at,
             "original_due_at": d.original_due_at, "started_at": d.started_at,
             "met_at": d.met_at, "retired_at": d.retired_at}
            for case in cases for d in case.deadlines.values()]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # A (case, kind) twice would be updated twice by one statement, which PostgreSQL
        # refuses: the last one given wins, as it did row by row.
        last = {(row["case_id"], row["kind"]): row for row in rows}
        pg_rows.write(session.connection(), pg_rows.DEADLINES, list(last.values()))
        return
    stmt = _DEADLINE_UPSERTS.get(dialect)
    if stmt is None:
        deadlines = cast(Table, DeadlineRow.__table__)
        ins = upsert_insert(session)(deadlines)
        stmt = _DEADLINE_UPSERTS[dialect] = ins.on_conflict_do_update(
            index_elements=[deadlines.c.case_id, deadlines.c.kind],
            set_={c: ins.excluded[c] for c in
                  ("due_at", "original_due_at", "started_at", "met_at", "retired_at")},
        )
    session.connection().execute(stmt, rows)


def append_events(session: Session, cases: Sequence[Case]) -> int:
    """Insert each case's ``new_events``, numbered on from its last; how many were
    inserted (none for a case that is not in the table)."""
    rows = [{"case_id": case.id, "at": e.at, "actor": e.actor, "action": e.action,
             "from_state": e.from_state.value if e.from_state else None,
             "to_state": e.to_state.value if e.to_state else None,
             "details": dict(e.details)}
            for case in cases for e in case.new_events]
    if not rows:
        return 0
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        written = pg_rows.write(connection, pg_rows.EVENTS, rows)
    else:
        written = int(connection.execute(_EVENT_APPEND, rows).rowcount)
    for case in cases:
        case.new_events.clear()
    return written
