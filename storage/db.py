"""Engines: SQLite (WAL, foreign keys, writers queued in order) or PostgreSQL.

SQLite allows one writer at a time. Every unit of work on SQLite begins with
``BEGIN IMMEDIATE`` so it holds the write lock from its first statement (no "database is
locked" when a read lock is upgraded). Left to SQLite alone, writers that find the lock
taken wait in its busy handler, which polls in growing sleeps (up to 100 ms each): the
lock is often free while everybody sleeps, and whoever wakes first wins, not whoever came
first. Under 20 concurrent intakes that made a long, unfair tail (p99 over 1 s for a
~10 ms transaction). So, inside this process, writers first queue on a fair (first come,
first served) in-process lock, the *write gate*, one per database file, taken just before
``BEGIN IMMEDIATE`` and handed to the next waiter as soon as the COMMIT or ROLLBACK
returns. Then, so that other processes on the same file (`run --workers N`, the command
line beside a running bot) queue too, the writer takes ``<database>.writers`` with
``flock`` (``storage.file_lock``; one waiter per process, polled every millisecond).
SQLite's own locking still guards the file, and a writer that cannot get the gate within
the busy timeout (say a thread that already holds it opens a second, nested unit of work,
or another process keeps the lock file) goes on without it, to SQLite's busy handling: the
gate can make waits fairer and shorter, never a deadlock.

Read-only work can opt out of the write lock: a connection from ``read_only(engine)``
begins with a plain deferred ``BEGIN`` and takes no gate, so in WAL mode it reads its
snapshot alongside the writer instead of queueing behind it. (On PostgreSQL such a
connection runs in autocommit.) Either way it is refused any statement that writes, twice
over: before the statement is sent, by what SQLAlchemy knows of it, and by the database
itself (SQLite's ``query_only``; PostgreSQL's ``default_transaction_read_only``, which
every writing transaction overrides with ``BEGIN READ WRITE``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections import deque
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

from storage.file_lock import WritersLockFile
from storage.readers import (
    READ_ONLY,
    read_only_by_default,
    refuse_writes_of_readers,
    writers_begin_read_write,
)

BUSY_TIMEOUT_MS = 10_000
# PostgreSQL connections per process: kept open, and more for a burst (README, Operations).
POOL_SIZE = 12
POOL_OVERFLOW = 8
# A PostgreSQL connection idle in the pool longer than this is pinged before it is handed
# out (and replaced if the server has gone away since). One used moments ago is not: the
# ping was a round trip on every unit of work, two per View details.
PING_AFTER_IDLE = 10.0
_IDLE_SINCE = "complaints_idle_since"
WRITERS_LOCK_SUFFIX = ".writers"  # beside the database file: storage.file_lock


def make_engine(url: str, *, ping_after_idle: float = PING_AFTER_IDLE, **kwargs: Any
                ) -> Engine:
    """Build an engine for ``url``; SQLite gets WAL, foreign keys and queued writers.

    ``ping_after_idle``: PostgreSQL only, how long a pooled connection may sit unused
    before it is checked with a ping as it is handed out.
    """
    parsed = make_url(url)
    # SQL errors (logged with tracebacks) must not carry the complainant's details.
    kwargs.setdefault("hide_parameters", True)
    # Connections kept open: up to POOL_SIZE in use at once reuse them; SQLAlchemy's default
    # of 5 opened and closed a PostgreSQL connection (a new server process) for each unit
    # of work beyond the fifth, which under 20 clients was 5% of View details' samples. On
    # SQLite the same churn (a new connection, its four PRAGMAs, its close) was 2%.
    in_memory = parsed.get_backend_name() == "sqlite" and _database_file(url) is None
    if "poolclass" not in kwargs and not in_memory:  # in memory: SQLAlchemy's own pool
        kwargs.setdefault("pool_size", POOL_SIZE)
        kwargs.setdefault("max_overflow", POOL_OVERFLOW)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    if parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = read_only_by_default(parsed.query.get("options"),
                                                       kwargs.pop("connect_args", {}))
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine, ping_after_idle)
    refuse_writes_of_readers(engine)
    if engine.dialect.name == "postgresql":
        writers_begin_read_write(engine)
    return engine


def _ping_when_idle(engine: Engine, after: float) -> None:
    """Ping a pooled connection on checkout only if it sat idle ``after`` seconds or more
    (SQLAlchemy's ``pool_pre_ping`` pings on every checkout). A failed ping raises
    ``DisconnectionError``, on which the pool hands out a new connection instead.

    A connection that broke while in use, or within ``after`` of its last use, fails that
    unit of work; SQLAlchemy then replaces every connection older than the failure.
    """

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < after:
            return  # new, or used moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"pooled connection unusable: {error}") from error


def is_sqlite(engine: Engine | Connection) -> bool:
    """True when the engine or connection talks to SQLite."""
    return engine.dialect.name == "sqlite"


class WriteGate:
    """A fair lock: waiters get it in the order they asked, each handed over directly.

    ``acquire`` gives up after ``timeout`` seconds (returns False); a thread that holds
    the gate and asks again does not wait for itself (returns False at once).
    """

    def __init__(self, lock_file: WritersLockFile | None = None) -> None:
        self._mutex = threading.Lock()
        self._waiters: deque[tuple[threading.Lock, int]] = deque()
        self._owner: int | None = None
        # The cross-process stage (storage.file_lock), taken once the in-process turn is ours.
        self.lock_file = lock_file

    def acquire(self, timeout: float) -> bool:
        if self.lock_file is None:
            return self._acquire(timeout)
        started = time.monotonic()
        if not self._acquire(timeout):
            return False
        if self.lock_file.acquire(max(0.0, timeout - (time.monotonic() - started))):
            return True
        self._release()  # another process kept the file: go on to SQLite's busy handling
        return False

    def release(self) -> None:
        if self.lock_file is not None:
            self.lock_file.release()
        self._release()

    def _acquire(self, timeout: float) -> bool:
        me = threading.get_ident()
        with self._mutex:
            if self._owner is None:
                self._owner = me
                return True
            if self._owner == me:
                return False  # nested: the caller falls back to SQLite's busy handling
            ticket = threading.Lock()
            ticket.acquire()
            waiter = (ticket, me)
            self._waiters.append(waiter)
        if ticket.acquire(timeout=timeout):
            return True  # handed over by release(): _owner is already us
        with self._mutex:
            if waiter in self._waiters:
                self._waiters.remove(waiter)
                return False
        return True  # handed over between the timeout and taking the mutex

    def _release(self) -> None:
        with self._mutex:
            if self._waiters:
                ticket, ident = self._waiters.popleft()
                # Owned before the waiter even wakes: nobody can barge in between.
                self._owner = ident
                ticket.release()
            else:
                self._owner = None

    @property
    def held(self) -> bool:
        """True while some thread holds the gate (tests, diagnostics)."""
        return self._owner is not None


_GATES: dict[str, WriteGate] = {}
_GATES_LOCK = threading.Lock()


def write_gate(key: str, lock_file: str | None = None) -> WriteGate:
    """The gate for one database (its absolute file path), shared by all its engines.

    ``lock_file``: also order this database's writers across processes (storage.file_lock).
    """
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = WriteGate(WritersLockFile(lock_file) if lock_file else None)
        return gate


class GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that leaves the write gate once its transaction has ended."""

    gate: WriteGate | None = None
    gate_timeout: float = BUSY_TIMEOUT_MS / 1000
    holds_gate: bool = False
    # PRAGMA query_only as last set: on for a reader's transactions, off for a writer's.
    query_only: bool | None = None

    def set_query_only(self, on: bool) -> None:
        """Have SQLite refuse writes (reader) or allow them (writer) from now on."""
        if self.query_only is not on:
            self.execute(f"PRAGMA query_only={int(on)}")
            self.query_only = on

    def enter_gate(self) -> None:
        """Queue for the gate (before BEGIN IMMEDIATE); go on without it after the timeout."""
        if self.gate is not None and not self.holds_gate:
            self.holds_gate = self.gate.acquire(self.gate_timeout)

    def leave_gate(self) -> None:
        """Hand the gate to the next writer, if this connection holds it."""
        if self.holds_gate and self.gate is not None:
            self.holds_gate = False
            self.gate.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            # A COMMIT that failed leaves the transaction open; the rollback that follows
            # releases the gate then.
            if not self.in_transaction:
                self.leave_gate()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_gate()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.leave_gate()


# PostgreSQL: the year's reference counter row is locked from a new case's reference to its
# commit, so concurrent intakes queue on that row, and PostgreSQL wakes its waiters in no
# fixed order: under load a few waited many times longer than the rest. Intakes of one
# process first queue here, in order (the row lock still orders processes).
_REFERENCE_GATE = "reference"
REFERENCE_GATE_TIMEOUT = 10.0


def reference_gate(engine: Engine) -> WriteGate:
    """This process's queue for the reference counter of ``engine``'s database."""
    return write_gate(f"{_REFERENCE_GATE}:{engine.url}")


def enter_reference_gate(session: Session) -> None:
    """Queue for this process's turn at the reference counter; left at the transaction's
    end (``leave_reference_gate``). After the timeout, go on and queue on the row alone."""
    if _REFERENCE_GATE in session.info:
        return
    gate = reference_gate(session.get_bind().engine)
    if gate.acquire(REFERENCE_GATE_TIMEOUT):
        session.info[_REFERENCE_GATE] = gate


def leave_reference_gate(session: Session) -> None:
    """Hand the reference counter to the next intake of this process, if this session had it."""
    gate = session.info.pop(_REFERENCE_GATE, None)
    if gate is not None:
        gate.release()


def _database_file(url: str) -> str | None:
    """The SQLite database's file, or None when it is in memory (or a ``file:`` URI)."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.realpath(database)


def _gate_key(url: str, engine: Engine) -> tuple[str, str | None]:
    """The gate's key, and its lock file when the database is a file other processes open."""
    path = _database_file(url)
    if path is None:
        return f"engine:{id(engine)}", None
    return path, path + WRITERS_LOCK_SUFFIX


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    connect_args = dict(kwargs.pop("connect_args", {}))
    connect_args.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
    # The pool hands connections between threads; each is used by one thread at a time.
    connect_args.setdefault("check_same_thread", False)
    connect_args.setdefault("factory", GatedConnection)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    gate = write_gate(*_gate_key(url, engine))
    # Wait for the gate as long as SQLite would wait for the lock.
    gate_timeout = float(connect_args["timeout"])
    busy_timeout_ms = int(gate_timeout * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        # Take transaction control away from the sqlite3 module: we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        if isinstance(dbapi_connection, GatedConnection):
            dbapi_connection.gate = gate
            dbapi_connection.gate_timeout = gate_timeout
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
            # In WAL mode, NORMAL syncs the WAL at checkpoints rather than at every
            # commit: a committed transaction survives the application crashing (it is
            # in the WAL, in the OS page cache), but the last commits before a power
            # loss or an OS crash can be rolled back. The database never corrupts. The
            # default, FULL, fsyncs the WAL on every commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    refuse_writes_of_readers(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        dbapi_connection = connection.connection.dbapi_connection
        gated = dbapi_connection if isinstance(dbapi_connection, GatedConnection) else None
        reads = bool(connection.get_execution_options().get(READ_ONLY))
        if gated is not None:
            gated.set_query_only(reads)
        elif dbapi_connection is not None:
            dbapi_connection.execute(f"PRAGMA query_only={int(reads)}")
        if reads:
            connection.exec_driver_sql("BEGIN")
            return
        if gated is not None:
            gated.enter_gate()
        try:
            # IMMEDIATE takes the write lock now, so two units of work queue instead of
            # one failing with "database is locked" when it upgrades a read lock.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if gated is not None:
                gated.leave_gate()
            raise

    return engine


def is_postgres(session: Session) -> bool:
    """Is this session on PostgreSQL (rather than SQLite)?"""
    return session.get_bind().dialect.name == "postgresql"


def upsert_insert(session: Session) -> Any:
    """The dialect's INSERT with ON CONFLICT support (SQLite and PostgreSQL share the API)."""
    return postgresql.insert if is_postgres(session) else sqlite.insert
