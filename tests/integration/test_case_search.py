"""Finding cases on both databases: prefixes of every word, one phone form, the index used."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from cases.search import query_keys
from cases.services import ComplaintsDesk
from storage import migrate
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.conftest import CS_USER


def _log(desk: ComplaintsDesk, intake: dict[str, Any], **changes: Any) -> str:
    return desk.log_complaint({**intake, **changes}, logged_by=CS_USER).reference


def _search(uow_factory: SqlUnitOfWorkFactory, words: str) -> list[str]:
    with uow_factory() as uow:
        return [uow.cases.get(i).reference for i in uow.cases.search(query_keys(words))]


def test_search_matches_every_word_as_a_prefix_newest_first(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    ada = _log(desk, intake, organisation="Zoë’s Trackers Ltd", phone="01482 123456")
    bob = _log(desk, intake, complainant_name="Bob Adams", email="bob@example.org")
    ada_again = _log(desk, intake)
    assert _search(uow_factory, "ADA@example.com") == [ada_again, ada]
    assert _search(uow_factory, "ada") == [ada_again, bob, ada]  # Ada, Adams, ada@…
    assert _search(uow_factory, "ada exam") == [ada_again, ada]
    assert _search(uow_factory, "zoe's") == [ada]
    assert _search(uow_factory, "+44 (0)1482 123 456") == [ada]
    assert _search(uow_factory, ada.lower()) == [ada]
    assert _search(uow_factory, "nobody") == []


def test_migration_indexes_cases_stored_before_it(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any],
        database_url: str, engine: Engine) -> None:
    ada = _log(desk, intake, phone="07911 123456")
    migrate.downgrade(database_url, "0008")
    migrate.upgrade(database_url)
    assert _search(uow_factory, "07911123456") == [ada]
    query = "SELECT case_id FROM case_search_terms WHERE term >= 'ada' AND term < 'adb'"
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + query)))
        else:
            conn.execute(text("SET enable_seqscan = off"))  # a tiny table: ask for the index
            plan = " ".join(str(r[0]) for r in conn.execute(text("EXPLAIN " + query)))
    assert "ix_case_search_terms_term" in plan, plan
