"""PostgreSQL: a batch's history events, deadlines and search terms written as one JSON
parameter each, as ``storage.outbox_writer`` writes the outbox.

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
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, TextClause, text

from cases.clock import require_aware

_ROWS = "json_array_elements(CAST(:rows AS json)) WITH ORDINALITY AS t(r, n)"


@dataclass(frozen=True)
class RowsStatement:
    """A statement reading its rows from ``:rows``, and which of their columns are instants
    (aware datetimes, written as ISO 8601 in UTC; a naive one is refused, as
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


def write(connection: Connection, statement: RowsStatement,
          rows: Sequence[Mapping[str, Any]]) -> int:
    """Run one of the statements above for ``rows``; how many rows it wrote. Apart from
    its instants, a row must be JSON already, as it must be for the JSON columns on
    SQLite."""
    if statement.times:
        rows = [{**row, **{name: _utc(row[name]) for name in statement.times}}
                for row in rows]
    result = connection.execute(statement.sql, {"rows": json.dumps(list(rows))})
    return int(result.rowcount)


def _utc(value: datetime | None) -> str | None:
    return None if value is None else require_aware(value).isoformat()
