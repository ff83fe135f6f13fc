"""Alembic, driven from code: upgrade, downgrade and current revision for a database URL."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from storage.db import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolates %; URLs carry percent-escapes (passwords, options).
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


# Any number of processes may migrate at start: the first takes the lock and migrates,
# the others wait for it, then find the schema at head and do nothing.
_PG_LOCK = "SELECT pg_advisory_xact_lock(hashtext('complaints-desk migrations in ' || " \
           "coalesce(current_schema(), '')))"


@contextmanager
def _sqlite_file_lock(url: str) -> Iterator[None]:
    """Processes migrating one SQLite file take turns (an flock beside the file)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        yield
        return
    lock_path = os.path.realpath(database) + ".migrate-lock"
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # waits as long as the other's migration takes
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_in_transaction(connection: Connection) -> None:
    """On PostgreSQL, hold the migration lock until this transaction ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(_PG_LOCK))


def _run(url: str, engine: Engine | None, action: str, revision: str) -> None:
    config = _config(url)
    own = engine is None
    bound = engine if engine is not None else make_engine(url)
    try:
        with _sqlite_file_lock(url), bound.begin() as connection:
            _lock_in_transaction(connection)
            config.attributes["connection"] = connection
            if action == "upgrade":
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    finally:
        if own:
            bound.dispose()


def upgrade(url: str, revision: str = "head", *, engine: Engine | None = None) -> None:
    """Migrate the database at ``url`` up to ``revision`` (all of it by default)."""
    _run(url, engine, "upgrade", revision)


def downgrade(url: str, revision: str = "base", *, engine: Engine | None = None) -> None:
    """Migrate the database at ``url`` down to ``revision`` (empty by default)."""
    _run(url, engine, "downgrade", revision)


def current(url: str, *, engine: Engine | None = None) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    bound = engine if engine is not None else make_engine(url)
    try:
        with bound.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if engine is None:
            bound.dispose()
