"""PostgreSQL: a batch's new cases, history events, deadlines and search terms written as
one JSON parameter each, as ``storage.outbox_writer`` writes the outbox.

Row by row (an ``executemany``), psycopg runs a pipeline with one statement per row: an
intake batch wrote its deadlines, its first events and a dozen search terms per case
that way, and those pipelines were about 12% of the bot's CPU per intake on PostgreSQL
(bench/README.md, ninth round). Here each is one short statement, whose rows
the server reads from the JSON in C. SQLite keeps its ``executemany``, which runs in C.

Instants go as ISO 8601 text in UTC and are cast back to ``timestamptz``; the order the
rows are given in is kept (``WITH ORDINALITY``), so ids ascend as they did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Connection, String, Table, TextClause, text
from sqlalchemy.dialects import postgresql

from cases.clock import require_aware

_ROWS = "json_array_elements(CAST(:rows AS json)) WITH ORDINALITY AS t(r, n)"


@dataclass(frozen=True)
class RowsStatement:
    """A statement reading its rows from ``:rows``, and which of their columns are dates or
    instants (written as ISO 8601; a naive instant is refused, as
    ``storage.models.UTCDateTime`` refuses it)."""

    sql: TextClause
    times: tuple[str, ...] = ()

# Numbered on from the case's last event, in the order given (``row_number`` per case: the
# statement reads the events committed before it, not the ones it inserts), and only for
# cases that exist. The caller holds the cases' row locks, so the last number is final.
EVENTS = RowsStatement(text(
    "INSERT INTO case_events (case_id, seq, at, actor, action, from_state, to_state, details) "
    "SELECT c.id, coalesce((SELECT max(e.seq) FROM case_events e WHERE e.case_id = c.id), 0)"
    " + row_number() OVER (PARTITION BY c.id ORDER BY t.n),"
    " CAST(t.r ->> 'at' AS timestamptz), t.r ->> 'actor', t.r ->> 'action',"
    " t.r ->> 'from_state', t.r ->> 'to_state', t.r -> 'details' "
    f"FROM {_ROWS} JOIN cases c ON c.id = CAST(t.r ->> 'case_id' AS integer) "
    "ORDER BY t.n"), times=("at",))

_DEADLINE_TIMES = ("due_at", "original_due_at", "started_at", "met_at", "retired_at")
DEADLINES = RowsStatement(text(
    "INSERT INTO deadlines (case_id, kind, " + ", ".join(_DEADLINE_TIMES) + ") "
    "SELECT CAST(t.r ->> 'case_id' AS integer), t.r ->> 'kind', "
    + ", ".join(f"CAST(t.r ->> '{name}' AS timestamptz)" for name in _DEADLINE_TIMES)
    + f" FROM {_ROWS} ORDER BY t.n "
    "ON CONFLICT (case_id, kind) DO UPDATE SET "
    + ", ".join(f"{name} = excluded.{name}" for name in _DEADLINE_TIMES)),
    times=_DEADLINE_TIMES)

TERMS = RowsStatement(text(
    "INSERT INTO case_search_terms (case_id, term) "
    f"SELECT CAST(t.r ->> 'case_id' AS integer), t.r ->> 'term' FROM {_ROWS} ORDER BY t.n"))


_INSERTS: dict[tuple[str, tuple[str, ...]], RowsStatement] = {}  # per table and columns


def insert_returning_ids(connection: Connection, table: Table,
                         rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert ``rows`` (each with the same keys, columns of ``table``) in one statement;
    their new ids, in the order the rows were given.

    Each column is read from the JSON as its own type (a JSON column as the JSON itself,
    so a None stays JSON null, as SQLAlchemy stores it); dates and instants go as ISO
    8601. The rows are selected in the order given and the ids come from the table's
    sequence as they are inserted, so the ids sorted are the rows' ids in order (what
    SQLAlchemy's own ``sort_by_parameter_order`` relies on for such a key)."""
    columns = tuple(rows[0])
    statement = _INSERTS.get((table.name, columns))
    if statement is None:
        statement = _INSERTS[table.name, columns] = _insert(table, columns)
    found = connection.execute(statement.sql, {"rows": _as_json(statement, rows)})
    return sorted(int(new_id) for new_id in found.scalars())


def _insert(table: Table, columns: tuple[str, ...]) -> RowsStatement:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]  # the dialect's class
    values, times = [], []
    for name in columns:
        column = table.c[name]
        if isinstance(column.type, JSON):
            values.append(f"t.r -> '{name}'")
            continue
        # Text as ``text``: an explicit cast to VARCHAR(n) would cut a longer value short,
        # where assigning it to the column refuses it, as a bound parameter was refused.
        kind = "text" if isinstance(column.type, String) else column.type.compile(
            dialect=dialect)
        if kind.startswith(("TIMESTAMP", "DATE")):
            times.append(name)
        values.append(f"CAST(t.r ->> '{name}' AS {kind})")
    return RowsStatement(text(
        f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT {', '.join(values)} "
        f"FROM {_ROWS} ORDER BY t.n RETURNING id"), times=tuple(times))


def write(connection: Connection, statement: RowsStatement,
          rows: Sequence[Mapping[str, Any]]) -> int:
    """Run one of the statements above for ``rows``; how many rows it wrote. Apart from
    its instants, a row must be JSON already, as it must be for the JSON columns on
    SQLite."""
    result = connection.execute(statement.sql, {"rows": _as_json(statement, rows)})
    return int(result.rowcount)


def _as_json(statement: RowsStatement, rows: Sequence[Mapping[str, Any]]) -> str:
    """The ``:rows`` parameter: the rows as a JSON array, their dates and instants as ISO
    8601 (instants in UTC)."""
    if statement.times:
        rows = [{**row, **{name: _iso(row[name]) for name in statement.times}}
                for row in rows]
    return json.dumps(list(rows))


def _iso(value: date | None) -> str | None:
    """A date, or an instant (aware, else refused), as ISO 8601."""
    if isinstance(value, datetime):
        return require_aware(value).isoformat()
    return None if value is None else value.isoformat()
