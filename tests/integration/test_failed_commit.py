"""A COMMIT that fails leaves nothing behind: the unit of work rolls it back, and the next
one on the same pooled connection writes as usual (SQLite keeps a failed COMMIT's
transaction open, with the write lock and the desk's write gate, until it is rolled back)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from cases.clock import FrozenClock
from cases.roles import Role
from storage import migrate
from storage.db import make_engine
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.integration.conftest import NOW


def test_a_failed_commit_is_rolled_back_and_the_next_unit_of_work_writes(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'complaints.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url, pool_size=1, max_overflow=0)  # the same connection again
    factory = SqlUnitOfWorkFactory(engine, FrozenClock(NOW))
    try:
        with pytest.raises(IntegrityError), factory() as uow:
            session = cast(SqlUnitOfWork, uow).session
            session.execute(text("PRAGMA defer_foreign_keys=ON"))  # checked at COMMIT
            uow.roles.grant("U0LOST", Role.DIRECTOR)
            session.execute(text(
                "INSERT INTO case_search_terms (case_id, term) VALUES (999999, 'nobody')"))
            uow.commit()
        with factory() as uow:
            uow.roles.grant("U0NEXT", Role.DIRECTOR)
            uow.commit()
        with factory() as uow:
            assert uow.roles.roles_of("U0NEXT") == {Role.DIRECTOR}
            assert uow.roles.roles_of("U0LOST") == frozenset()
    finally:
        engine.dispose()
