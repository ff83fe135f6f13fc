"""The hottest SELECT, run on the driver's own cursor: built and compiled by SQLAlchemy once,
typed as SQLAlchemy types it, executed without SQLAlchemy's per-statement machinery.

Every button on a case loads the case (``storage.case_load.case_by_id``), and View details
does so on every click. Through ``Session.execute`` that one statement cost 380-400 µs of
the bot's CPU on PostgreSQL and 190 µs on SQLite, most of it SQLAlchemy's execution context,
reading the cursor's description again (psycopg builds a column object for each of the 65
columns every time) and its ``Row`` objects. On the driver's cursor the same statement, the
same rows: 180-220 µs and 55 µs (issue #17, bench/README.md, ninth round).

What SQLAlchemy would do for the statement is done once, by its public API: the SQL and the
parameters as the dialect writes them (``construct_expanded_state``), the bind processors
of the parameters and the result processors of the columns (``dialect_impl``). A row is a
named tuple with the statement's column keys (and ``_mapping``), so code reading
``row.reference`` reads it the same either way; ``tests/integration/test_driver_select.py``
holds the two equal on both databases.

A driver error is raised as SQLAlchemy raises one (``DBAPIError.instance``: an
``OperationalError``, ``IntegrityError`` … with the driver's error as ``orig``), and a
connection the dialect says is lost is invalidated first, so the pool does not hand it out
again. A statement that expands a list parameter (``IN``) is refused: its SQL depends on
the list.
"""

from __future__ import annotations

import contextlib
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Dialect, Select
from sqlalchemy.exc import DBAPIError


def _row_class(keys: list[str]) -> Any:
    """A named tuple of ``keys`` that also reads as a mapping (``row._mapping``), as
    SQLAlchemy's ``Row`` does."""
    base = namedtuple("DriverRow", keys)  # type: ignore[misc]

    def mapping(row: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(keys, row, strict=True))

    return type("DriverRow", (base,), {"__slots__": (), "_mapping": property(mapping)})


class DriverSelect:
    """``stmt`` compiled for ``dialect`` once, to run with ``rows`` on a connection.

    ``params``: a value of each parameter the caller will give (any value of the right
    type; they only shape the compiled statement)."""

    def __init__(self, stmt: Select[Any], dialect: Dialect, params: Mapping[str, Any]) -> None:
        self.stmt = stmt
        compiled = stmt.compile(dialect=dialect)
        if any(bind.expanding for bind in compiled.binds.values()):
            raise ValueError("a statement that expands a list parameter cannot be kept compiled")
        state = compiled.construct_expanded_state(dict(params))
        self.sql = state.statement
        self._names = tuple(params)
        self._bind: dict[str, Callable[[Any], Any]] = {
            name: process for name, process in state.processors.items() if name in params}
        # The values written into the statement itself (literals), bound once.
        self._fixed = {name: (state.processors[name](value) if name in state.processors
                              else value)
                       for name, value in state.parameters.items() if name not in params}
        self._order = state.positiontup  # None unless the driver's parameters are positional
        columns = list(stmt.selected_columns)
        keys = [column.key for column in columns]
        if None in keys or len(set(keys)) != len(keys):
            raise ValueError("every column of the statement needs a key of its own; label them")
        self._make: Callable[[Iterable[Any]], tuple[Any, ...]] = _row_class(
            [str(key) for key in keys])._make
        processors = [column.type.dialect_impl(dialect).result_processor(dialect, None)
                      for column in columns]
        self._processors = [(i, p) for i, p in enumerate(processors) if p is not None]

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[Any]:
        """The statement's rows for ``params`` (the names given when it was made)."""
        values = dict(self._fixed)
        for name in self._names:
            value = params[name]
            process = self._bind.get(name)
            values[name] = process(value) if process is not None and value is not None else value
        bound: Any = values if self._order is None else [values[n] for n in self._order]
        driver = connection.connection.dbapi_connection
        dialect = connection.dialect
        dbapi_error = dialect.loaded_dbapi.Error
        cursor = None
        try:
            cursor = driver.cursor()  # type: ignore[union-attr]
            cursor.execute(self.sql, bound)
            fetched = cursor.fetchall()
        except dbapi_error as error:
            lost = dialect.is_disconnect(error, driver, cursor)
            if lost:
                connection.invalidate(error)
            raise DBAPIError.instance(self.sql, bound, error, dbapi_error,
                                      connection_invalidated=lost, dialect=dialect) from error
        finally:
            if cursor is not None:
                with contextlib.suppress(dbapi_error):
                    cursor.close()
        make, processors = self._make, self._processors
        if not processors:
            return [make(row) for row in fetched]
        out = []
        for row in fetched:
            values_of = list(row)
            for i, process in processors:
                values_of[i] = process(values_of[i])
            out.append(make(values_of))
        return out
