"""``cases.ports.CaseRepository`` on SQLAlchemy: cases, their deadlines and history."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
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
from cases.communications import LetterEntry
from cases.errors import ConcurrentChange, NotFound
from cases.model import OPEN_STATES, UNNUMBERED, Case, DeadlineKind, HistoryEvent, State
from cases.roles import Role
from storage import pg_rows
from storage.case_load import case_of_rows, case_rows
from storage.case_rows import (
    case_from_row,
    case_values,
    event_from_row,
)
from storage.case_writes import append_events, append_history, write_deadlines
from storage.db import enter_reference_gate, upsert_insert
from storage.letter_log import letters_logged_of, sent_kinds
from storage.models import CaseEventRow, CaseRow, DeadlineRow, ReferenceCounterRow
from storage.search import index_case, index_cases, matching_ids

REFERENCE_PREFIX = "TT"
_CASES = cast(Table, CaseRow.__table__)
_CASE_INSERT = insert(_CASES).returning(_CASES.c.id, sort_by_parameter_order=True)
_SET_REFERENCE = (update(_CASES).where(_CASES.c.id == bindparam("case_id"))
                  .values(reference=bindparam("reference"))
                  .execution_options(preserve_rowcount=True))
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
_CASES_BY_INTAKE_KEYS = _CASE_ROWS.where(
    _CASES.c.intake_key.in_(bindparam("keys", expanding=True)))
# Two submits with one key queue here until the first commits (PostgreSQL). A volatile
# function in the select list runs after the ORDER BY: the keys are locked in their order.
_INTAKE_KEY_LOCKS = text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) "
                         "FROM unnest(CAST(:keys AS text[])) WITH ORDINALITY AS u(k, n) "
                         "ORDER BY n")
_COUNTER_UPSERTS: dict[str, Any] = {}  # per dialect, built on first use
# PostgreSQL: the year's counter moved on and the cases given their references in one
# statement (the UPDATE reads the upsert's RETURNING): one round trip fewer per intake
# batch than the upsert and an UPDATE after it. The number is written as Python's
# ``{n:04d}`` writes it: four digits at least, all of them past 9999.
_NUMBER_CASES = text(
    "WITH counter AS ("
    " INSERT INTO reference_counters (year, last_number) VALUES (:year, :n)"
    " ON CONFLICT (year) DO UPDATE"
    " SET last_number = reference_counters.last_number + excluded.last_number"
    " RETURNING last_number) "
    "UPDATE cases SET reference = :prefix || CASE WHEN counter.last_number - :n + u.k < 10000"
    " THEN lpad((counter.last_number - :n + u.k)::text, 4, '0')"
    " ELSE (counter.last_number - :n + u.k)::text END "
    "FROM counter, unnest(CAST(:ids AS bigint[])) WITH ORDINALITY AS u(id, k) "
    "WHERE cases.id = u.id "
    "RETURNING cases.id, cases.reference")


# JSON columns keep an explicit None: SQLAlchemy stores it as JSON null, where a column left
# out would be SQL NULL. No other column of ``cases`` has a default but ``version``, given.
_JSON_COLUMNS = frozenset(c.name for c in _CASES.columns if isinstance(c.type, JSON))


def _given_columns(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows without the columns that are None in every one of them (NULL either way).

    A new case from an intake has values in fewer than half of its 43 columns, and a batch
    insert of three with every column was 690 µs of CPU on PostgreSQL, against 405 µs
    with only the given ones (fewer parameters to bind and convert)."""
    keep = [key for key in rows[0]
            if key in _JSON_COLUMNS or any(row[key] is not None for row in rows)]
    if len(keep) == len(rows[0]):
        return rows
    return [{key: row[key] for key in keep} for row in rows]


def _roles(rows: list[Any]) -> frozenset[Role]:
    held = rows[0].user_roles
    return frozenset(Role(r) for r in held.split(",")) if held else frozenset()


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
        return case_of_rows(case_rows(self.session.connection(), case_id), case_id)

    def get_with_roles(self, case_id: int, user_id: str) -> tuple[Case, frozenset[Role]]:
        """One case by id and the roles ``user_id`` holds, in ``get``'s one query."""
        rows = self._rows_with_roles(case_id, user_id, letters=False)
        return case_of_rows(rows, case_id), _roles(rows)

    def get_with_letters(self, case_id: int, user_id: str
                         ) -> tuple[Case, frozenset[Role], list[LetterEntry]]:
        """``get_with_roles`` and the case's communications log, in the same one query."""
        rows = self._rows_with_roles(case_id, user_id, letters=True)
        return case_of_rows(rows, case_id), _roles(rows), letters_logged_of(rows)

    def _rows_with_roles(self, case_id: int, user_id: str, *, letters: bool) -> list[Any]:
        return case_rows(self.session.connection(), case_id, user_id, letters=letters)

    def get_by_reference(self, reference: str) -> Case:
        """Load one case by its reference; raises NotFound."""
        return self._one(_CASE_ROWS.where(_CASES.c.reference == reference),
                         f"No case {reference}.")

    def find_by_intake_key(self, key: str) -> Case | None:
        """The case created by a submission with this idempotency key, if any."""
        return self.find_by_intake_keys([key]).get(key)

    def find_by_intake_keys(self, keys: Iterable[str]) -> dict[str, Case]:
        """The cases created by submissions with these keys, by key: two statements."""
        ordered = sorted(set(keys))
        if not ordered:
            return {}
        if self.session.get_bind().dialect.name == "postgresql":
            # Two submits with one key queue here until the first commits, so the second
            # then sees the first's case instead of failing on the unique constraint.
            # The keys are locked in one order, so two batches never wait in a cycle.
            self.session.execute(_INTAKE_KEY_LOCKS,
                                 {"keys": [f"intake_key:{k}" for k in ordered]})
        found = self._load(_CASES_BY_INTAKE_KEYS, {"keys": ordered})
        return {case.intake_key: case for case in found if case.intake_key is not None}

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
        return self._references(year, 1)[0]

    def _references(self, year: int, n: int) -> list[str]:
        """The year's next ``n`` references, in one upsert of its counter."""
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            enter_reference_gate(self.session)
        stmt = _COUNTER_UPSERTS.get(dialect)
        if stmt is None:
            counters = ReferenceCounterRow.__table__
            # One statement: the year's first cases insert n, every later batch adds n.
            ins = upsert_insert(self.session)(counters)
            stmt = _COUNTER_UPSERTS[dialect] = (
                ins.values(year=bindparam("year"), last_number=bindparam("n"))
                .on_conflict_do_update(
                    index_elements=[counters.c.year],
                    set_={"last_number": counters.c.last_number + ins.excluded.last_number})
                .returning(counters.c.last_number))
        last = self.session.connection().execute(stmt, {"year": year, "n": n}).scalar_one()
        return [f"{REFERENCE_PREFIX}-{year:04d}-{number:04d}"
                for number in range(last - n + 1, last + 1)]

    def number(self, year: int, *cases: Case) -> None:
        """The year's next references on added cases, in their order, and their search
        terms with them: two statements on PostgreSQL, three on SQLite, however many
        cases. NotFound if one of them is not stored (the caller rolls back)."""
        if not cases:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            self._number_in_one(year, cases)
        else:
            references = self._references(year, len(cases))
            for case, reference in zip(cases, references, strict=True):
                assert case.id is not None
                case.reference = reference
            written = self.session.connection().execute(
                _SET_REFERENCE, [{"case_id": c.id, "reference": c.reference} for c in cases])
            if written.rowcount != len(cases):
                raise NotFound("Not every case to number is stored.")
        index_cases(self.session, cases)

    def _number_in_one(self, year: int, cases: Sequence[Case]) -> None:
        """PostgreSQL: the counter's upsert and the references written, one statement."""
        enter_reference_gate(self.session)
        ids = [case.id for case in cases]
        if None in ids or len(set(ids)) != len(ids):
            raise ValueError("only added cases are numbered, each once")
        rows = self.session.connection().execute(_NUMBER_CASES, {
            "year": year, "n": len(cases), "prefix": f"{REFERENCE_PREFIX}-{year:04d}-",
            "ids": ids})
        given: dict[int | None, str] = {case_id: reference for case_id, reference in rows}
        if len(given) != len(cases):
            raise NotFound("Not every case to number is stored.")
        for case in cases:
            case.reference = given[case.id]

    def add(self, *cases: Case) -> None:
        """Insert new cases with their deadlines and history; assigns each ``case.id``.
        One statement each for the cases, their deadlines and their events."""
        for case in cases:
            if case.id is not None:
                raise ValueError(f"{case.reference} is already stored (id {case.id})")
        if not cases:
            return
        # Core statements with bound parameters, here and for deadlines and the outbox: the
        # compiled SQL is cached, where .values(**literals) rebuilt and re-keyed it per call
        # (half the CPU of an intake, all of it inside SQLite's write lock).
        rows = _given_columns([{"version": c.version, **case_values(c)} for c in cases])
        connection = self.session.connection()
        if connection.dialect.name == "postgresql":  # one JSON parameter (storage.pg_rows)
            ids: Sequence[int] = pg_rows.insert_returning_ids(connection, _CASES, rows)
        else:
            ids = connection.execute(_CASE_INSERT, rows).scalars().all()
        for case, case_id in zip(cases, ids, strict=True):
            case.id = case_id
        write_deadlines(self.session, cases)
        append_events(self.session, cases)
        # A case not numbered yet is indexed when it is (``number``).
        index_cases(self.session, [c for c in cases if not c.reference.startswith(UNNUMBERED)])

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
        write_deadlines(self.session, [case])
        # The row lock taken by the UPDATE above serialises appends to this case's history.
        append_events(self.session, [case])
        index_case(self.session, case, keep_former=True)

    def search(self, keys: Sequence[str], *, limit: int = 20) -> Sequence[int]:
        """Ids of cases with a term beginning with every key, newest first."""
        return matching_ids(self.session, keys, limit=limit)

    def append_history(self, *cases: Case) -> None:
        """Append new history events without touching the case rows or their versions.

        However many cases: one statement locks them (PostgreSQL), one inserts all their
        events (a batch of recorded views was two statements a case)."""
        append_history(self.session, cases)
