"""Readers: units of work that only read, and what keeps them from writing.

A reader's connection comes from ``read_only(engine)``: the same engine and pool, with an
execution option that ``storage.db`` reads as it begins the transaction (deferred on
SQLite, autocommit on PostgreSQL). Whatever a reader sends that would write is refused
twice over. First here, before it is sent, by what SQLAlchemy knows of the statement; then
by the database, which is told that a reader's work is read-only: SQLite's ``PRAGMA
query_only`` (set as the transaction begins) and PostgreSQL's ``default_transaction_read_only``
(set for every connection; a writing transaction begins ``READ WRITE``). The database's
refusal is raised as the same ``ReadOnlyWrite``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.pool import ConnectionPoolEntry

# Execution option set by ``read_only()``: begin deferred, without the write lock.
READ_ONLY = "complaints_read_only"


class ReadOnlyWrite(RuntimeError):
    """A statement that writes was sent on a connection from ``read_only()``."""


def read_only(engine: Engine) -> Engine:
    """The same engine (pool, events) for work that only reads.

    On SQLite its transactions begin deferred and take neither the write lock nor the
    write gate, so a reader reads its snapshot beside the writer. On PostgreSQL its
    statements run in autocommit, each in the server's own implicit transaction: no
    ``BEGIN`` and ``ROLLBACK`` round trips around a unit of work that only reads (View
    details on PostgreSQL, in process: 6.9-7.8 ms down to 4.7-5.4 ms). On both, a
    statement that would write (an INSERT, UPDATE, DELETE or DDL, or hand-written SQL
    that is not a SELECT) is refused with ``ReadOnlyWrite`` before it reaches the
    database; one that gets past that check (a SELECT of a function that writes, a
    writing CTE in hand-written SQL) the database refuses, also as ``ReadOnlyWrite``. So
    nothing a reader does can be kept, autocommit or not.
    """
    if engine.dialect.name == "postgresql":
        return engine.execution_options(**{READ_ONLY: True}, isolation_level="AUTOCOMMIT")
    return engine.execution_options(**{READ_ONLY: True})


# What a reader's hand-written SQL may begin with (BEGIN: SQLite's deferred begin).
_READING_SQL = ("select", "begin", "show", "values")
# SQLSTATE read_only_sql_transaction; SQLite's result code SQLITE_READONLY.
_PG_READ_ONLY_TRANSACTION = "25006"
_SQLITE_READONLY = 8


def _refused_as_read_only(error: BaseException | None) -> bool:
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", 0) & 0xFF == _SQLITE_READONLY
    return getattr(error, "sqlstate", None) == _PG_READ_ONLY_TRANSACTION


def refuse_writes_of_readers(engine: Engine) -> None:
    @event.listens_for(engine, "handle_error")
    def _name_the_refusal(context: Any) -> None:
        # What got past the check below, the database refused: say so in the same terms.
        connection = context.connection
        if (connection is not None and connection.get_execution_options().get(READ_ONLY)
                and _refused_as_read_only(context.original_exception)):
            raise ReadOnlyWrite("read-only work cannot write: the database refused "
                                f"{(context.statement or '?').split(None, 1)[0]}"
                                ) from context.original_exception

    @event.listens_for(engine, "before_cursor_execute")
    def _before(connection: Connection, cursor: Any, statement: str, parameters: Any,
                context: Any, executemany: bool) -> None:
        if not connection.get_execution_options().get(READ_ONLY):
            return
        if getattr(context, "compiled", None) is not None and not context.is_text:
            # A statement SQLAlchemy built: it knows what it is (a SELECT may begin WITH).
            writes = bool(context.isinsert or context.isupdate or context.isdelete
                          or context.isddl)
        else:  # text() or exec_driver_sql: judged by its first word
            writes = not statement.lstrip().lower().startswith(_READING_SQL)
        if writes:
            raise ReadOnlyWrite("read-only work cannot write: "
                                f"{statement.split(None, 1)[0]} refused; use a writing "
                                "unit of work")



def read_only_by_default(url_options: Any, connect_args: dict[str, Any]) -> dict[str, Any]:
    """``connect_args`` with the server told to make every transaction read-only unless it
    begins ``READ WRITE``. A reader in autocommit begins none, so the server refuses any
    write it sends, whatever the statement looks like (a function that writes, say).
    Options already given, in the URL or in ``connect_args``, are kept."""
    args = dict(connect_args)
    given = args.get("options", url_options)
    if isinstance(given, tuple | list):  # a URL can repeat a query parameter
        given = " ".join(given)
    args["options"] = " ".join(filter(None, [given, "-c default_transaction_read_only=on"]))
    return args


def writers_begin_read_write(engine: Engine) -> None:
    # psycopg begins each transaction with BEGIN READ WRITE from now on (no round trip).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        dbapi_connection.read_only = False
