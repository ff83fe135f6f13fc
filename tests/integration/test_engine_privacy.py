"""SQL errors end up in logged tracebacks: they must not carry the values that failed."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine


def test_a_failed_statement_does_not_show_its_parameters(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE people (email VARCHAR(80) PRIMARY KEY)"))
        with pytest.raises(IntegrityError) as raised, engine.begin() as conn:
            for _ in range(2):
                conn.execute(text("INSERT INTO people (email) VALUES (:email)"),
                             {"email": "ada@example.com"})
        shown = str(raised.value)
        assert "SQL parameters hidden" in shown
        # PostgreSQL's own DETAIL line still names a duplicated key; the parameters are gone.
        assert "ada@example.com" not in shown.split("[SQL:")[-1]
    finally:
        engine.dispose()
