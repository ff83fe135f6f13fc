"""Alembic, driven from code: upgrade, downgrade and current revision for a database URL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from storage.db import make_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolates %; URLs carry percent-escapes (passwords, options).
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _run(url: str, engine: Engine | None, action: str, revision: str) -> None:
    config = _config(url)
    own = engine is None
    bound = engine if engine is not None else make_engine(url)
    try:
        with bound.begin() as connection:
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
