"""Integration fixtures: every test runs on SQLite (temp file) and on PostgreSQL.

PostgreSQL tests get a fresh schema each; they fail when CI=true and PostgreSQL is down,
and skip with a visible reason elsewhere.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from cases.clock import FrozenClock
from cases.policy import Policy
from cases.roles import Role
from cases.services import ComplaintsDesk
from scheduling.calendar import UKWorkingCalendar
from storage import migrate
from storage.db import make_engine
from storage.uow import SqlUnitOfWorkFactory

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 5, 5, 9, 30, tzinfo=UTC)
CS_USER = "U0CS00001"


def pg_url() -> str:
    return os.environ.get("COMPLAINTS_TEST_PG_URL", DEFAULT_PG_URL)


_pg_problem: list[str | None] = []


def _postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used (checked once per session), or None."""
    if not _pg_problem:
        engine = create_engine(pg_url(), connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            _pg_problem.append(None)
        except (SQLAlchemyError, OSError) as exc:
            _pg_problem.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
        finally:
            engine.dispose()
    return _pg_problem[0]


def _require_postgres() -> None:
    problem = _postgres_problem()
    if problem is None:
        return
    where = make_url(pg_url()).render_as_string(hide_password=True)
    message = f"PostgreSQL not reachable at {where} ({problem})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI requires the PostgreSQL integration tests to run",
                    pytrace=False)
    pytest.skip(message)


@contextmanager
def empty_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of ``kind`` ("sqlite" or "postgresql"), dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'complaints.sqlite3'}"
        return
    _require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_url())
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(pg_url()).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a temp SQLite file, or a fresh PostgreSQL schema dropped after."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head."""
    migrate.upgrade(database_url)
    built = make_engine(database_url)
    yield built
    built.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


@pytest.fixture
def uow_factory(engine: Engine, clock: FrozenClock) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(engine, clock=clock)


@pytest.fixture(scope="session")
def calendar() -> UKWorkingCalendar:
    return UKWorkingCalendar()


@pytest.fixture
def desk(uow_factory: SqlUnitOfWorkFactory, clock: FrozenClock,
         calendar: UKWorkingCalendar) -> ComplaintsDesk:
    """The service layer on the real database, with customer services granted to CS_USER."""
    with uow_factory() as uow:
        uow.roles.grant(CS_USER, Role.CUSTOMER_SERVICES)
        uow.commit()
    return ComplaintsDesk(uow_factory, clock, calendar, Policy())


@pytest.fixture
def intake() -> dict[str, Any]:
    return {
        "complainant_name": "Ada Example",
        "email": "ada@example.com",
        "relationship": "customer",
        "channel": "phone",
        "received_at": "2026-05-01T10:00:00+01:00",
        "facts": "Tracker stopped working.",
        "category": "product",
        "checklist": {"referred_to_procedure": True, "feedback_form_sent": True,
                      "told_next_steps": True},
    }
