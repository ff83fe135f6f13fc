"""Alembic: upgrade builds exactly the models' schema; downgrade empties the database."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, inspect, text

from cases.services import ComplaintsDesk
from handlers.delivery import slack_position
from storage import migrate
from storage.db import make_engine
from storage.models import Base
from tests.integration.conftest import CS_USER

HEAD = "0013"
_ADDED_IN_0010 = {"legal_holds", "anonymised_cases", "record_exports", "daily_job_runs"}
_ADDED_IN_0011 = {"conversation_refs"}
# Tables added after 0009, which the step-down checks of older migrations set aside
# (0012's tables and columns are set aside by _without_0012).
_ADDED_AFTER_0009 = _ADDED_IN_0010 | _ADDED_IN_0011


def _differences(url: str, metadata: MetaData) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


_DROPPED_IN_0004 = {"claimed_until", "posted_at", "retired_at",
                    "ix_alerts_posted_at_retired_at_not_before"}


def _before_0004(differences: list[object]) -> list[object]:
    """Differences other than the alert columns and index that 0004 drops."""
    def dropped(d: object) -> bool:
        if isinstance(d, tuple) and d[0] == "remove_column":
            return str(d[2]) == "alerts" and d[3].name in _DROPPED_IN_0004
        if isinstance(d, tuple) and d[0] == "remove_index":
            return d[1].name in _DROPPED_IN_0004
        return False
    return [d for d in differences if not dropped(d)]


_ADDED_IN_0007 = {"people", "person_accounts"}
_ADDED_IN_0008 = {"letters"}
_ADDED_IN_0009 = {"case_search_terms"}
_ADDED_IN_0012 = {"reviews", "review_actions"}
_CASE_COLUMNS_0012 = {"root_cause", "remedies", "remedy_amount_pence"}
_CASE_COLUMNS_0013 = {"category", "channel", "relationship", "subject_user_id",
                      "contact_email_key", "contact_phone_key"}


def _without_0012(differences: list[object]) -> list[object]:
    """Differences other than 0012's and 0013's: the review tables, the cases' root-cause
    columns and their contact keys."""
    def added(d: object) -> bool:
        if not isinstance(d, tuple):
            return False
        if d[0] == "add_table":
            return str(d[1].name) in _ADDED_IN_0012
        if d[0] == "add_index":
            return str(d[1].table.name) in _ADDED_IN_0012
        return (d[0] == "add_column" and str(d[2]) == "cases"
                and d[3].name in _CASE_COLUMNS_0012 | _CASE_COLUMNS_0013)
    return [d for d in differences if not added(d)]


def _without_people(differences: list[object]) -> list[object]:
    """Differences other than the tables (and indexes) that 0007 (people) and later add."""
    added_later = _ADDED_IN_0007 | _ADDED_IN_0008 | _ADDED_IN_0009 | _ADDED_AFTER_0009

    def added(d: object) -> bool:
        if isinstance(d, tuple) and d[0] == "add_table":
            return str(d[1].name) in added_later
        return (isinstance(d, tuple) and d[0] == "add_index"
                and str(d[1].table.name) in added_later)
    return [d for d in _without_0012(differences) if not added(d)]


def _before_0005(differences: list[object]) -> list[object]:
    """Differences other than the outbox column that 0005 adds (hard_failures)."""
    def added(d: object) -> bool:
        return (isinstance(d, tuple) and d[0] == "add_column" and str(d[2]) == "outbox"
                and d[3].name == "hard_failures")
    return [d for d in differences if not added(d)]


_CHANGED_IN_0006 = {
    ("add_table", "message_refs"), ("remove_table", "chat_posts"),
    ("add_column", "surface"), ("remove_constraint", "dedupe_key"),
    ("add_constraint", "surface,dedupe_key"),
}


def _signature(d: object) -> tuple[str, str]:
    """A short name for one difference: (kind, table / column / constraint columns)."""
    assert isinstance(d, tuple)
    if d[0] in ("add_table", "remove_table"):
        return d[0], d[1].name
    if d[0] in ("add_column", "remove_column"):
        return d[0], d[3].name
    if d[0] in ("add_constraint", "remove_constraint"):
        return d[0], ",".join(c.name for c in d[1].columns)
    return d[0], ""


def _before_0006(differences: list[object]) -> list[object]:
    """Differences other than 0006's (outbox.surface, its unique key, message_refs)."""
    return [d for d in differences if _signature(d) not in _CHANGED_IN_0006]


def _sqlite_outbox_indexes(url: str) -> dict[str, str]:
    """The outbox's index definitions as SQLite stores them ({} on PostgreSQL)."""
    engine = make_engine(url)
    try:
        if engine.dialect.name != "sqlite":
            return {}
        with engine.connect() as conn:
            return {str(name): str(sql) for name, sql in conn.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'outbox' AND sql IS NOT NULL"))}
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_head_matches_the_models_and_downgrade_base_empties(database_url: str) -> None:
    assert migrate.current(database_url) is None

    migrate.upgrade(database_url)

    assert migrate.current(database_url) == HEAD
    assert _differences(database_url, Base.metadata) == []
    # The comparison really looked at the migrated tables.
    removed = {d[1].name for d in _differences(database_url, MetaData())
               if isinstance(d, tuple) and d[0] == "remove_table"}
    assert removed == set(Base.metadata.tables)
    assert _tables(database_url) == {*Base.metadata.tables, "alembic_version"}
    outbox_indexes = _sqlite_outbox_indexes(database_url)

    # 0013 alone steps back cleanly: only the cases' report columns go.
    migrate.downgrade(database_url, "0012")
    assert migrate.current(database_url) == "0012"
    assert sorted(_signature(d) for d in _differences(database_url, Base.metadata)) == sorted(
        ("add_column", name) for name in _CASE_COLUMNS_0013)
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []

    # 0012 alone steps back cleanly: the review tables and the root-cause columns go.
    migrate.downgrade(database_url, "0011")
    assert migrate.current(database_url) == "0011"
    only_0012 = _differences(database_url, Base.metadata)
    assert sorted(_signature(d) for d in only_0012) == sorted([
        ("add_table", "reviews"), ("add_table", "review_actions"), ("add_index", ""),
        ("add_index", ""), ("add_column", "root_cause"), ("add_column", "remedies"),
        ("add_column", "remedy_amount_pence"),
        *(("add_column", name) for name in _CASE_COLUMNS_0013)])
    assert _without_0012(only_0012) == []
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []

    # 0011 alone steps back cleanly: only the conversation references go.
    migrate.downgrade(database_url, "0010")
    assert migrate.current(database_url) == "0010"
    assert {_signature(d) for d in _without_0012(_differences(database_url, Base.metadata))
            } == {("add_table", name) for name in _ADDED_IN_0011}
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []

    # 0010 steps back cleanly: the records tables go.
    migrate.downgrade(database_url, "0009")
    assert migrate.current(database_url) == "0009"
    assert {_signature(d) for d in _without_0012(_differences(database_url, Base.metadata))
            } == {("add_table", name) for name in _ADDED_AFTER_0009}
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []

    # 0009 alone steps back cleanly: only the search table goes (and those above it).
    migrate.downgrade(database_url, "0008")
    assert migrate.current(database_url) == "0008"
    assert sorted(str(d[1].name) for d in _without_0012(
        _differences(database_url, Base.metadata))
                  if isinstance(d, tuple) and d[0] == "add_table"
                  and d[1].name not in _ADDED_AFTER_0009) == ["case_search_terms"]
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []

    # 0008 alone steps back cleanly: only the letters table goes (and 0009's above it).
    migrate.downgrade(database_url, "0007")
    assert migrate.current(database_url) == "0007"
    letters_only = [d for d in _without_0012(_differences(database_url, Base.metadata))
                    if not (isinstance(d, tuple) and d[0] in ("add_table", "add_index")
                            and "case_search_terms" in (getattr(d[1], "name", None),
                                                        getattr(getattr(d[1], "table", None),
                                                                "name", None)))
                    and _signature(d) not in {("add_table", t) for t in _ADDED_AFTER_0009}]
    assert {_signature(d) for d in letters_only} == {("add_table", "letters"), ("add_index", "")}
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []

    # 0007 alone steps back cleanly: only the people tables go.
    migrate.downgrade(database_url, "0006")
    assert migrate.current(database_url) == "0006"
    people_only = _differences(database_url, Base.metadata)
    assert people_only and _without_people(people_only) == []
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []

    # 0006 alone steps back cleanly: chat_posts instead of message_refs, no outbox
    # surface; the outbox's indexes (partial ones on SQLite) come back as they were.
    migrate.downgrade(database_url, "0005")
    assert migrate.current(database_url) == "0005"
    assert sorted(_signature(d) for d in _without_people(
        _differences(database_url, Base.metadata))) == sorted(_CHANGED_IN_0006)
    assert _sqlite_outbox_indexes(database_url) == outbox_indexes
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []
    assert _sqlite_outbox_indexes(database_url) == outbox_indexes

    # 0005 alone steps back cleanly: the outbox loses just hard_failures, and its partial
    # indexes (on SQLite) are untouched both ways: no table rebuild.
    migrate.downgrade(database_url, "0004")
    assert migrate.current(database_url) == "0004"
    missing = _without_people(_before_0006(_differences(database_url, Base.metadata)))
    assert [(d[0], str(d[2]), d[3].name) for d in missing] == [
        ("add_column", "outbox", "hard_failures")]
    assert _sqlite_outbox_indexes(database_url) == outbox_indexes
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []
    assert _sqlite_outbox_indexes(database_url) == outbox_indexes

    # 0004 alone steps back cleanly: the alerts get their three unused columns back.
    migrate.downgrade(database_url, "0003")
    assert migrate.current(database_url) == "0003"
    extra = _before_0005(_without_people(_before_0006(
        _differences(database_url, Base.metadata))))
    assert sorted(d[0] for d in extra) == ["remove_column"] * 3 + ["remove_index"]
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []

    # 0003 alone steps back cleanly: the cases lose just their received_at index.
    migrate.downgrade(database_url, "0003")
    migrate.downgrade(database_url, "0002")
    assert migrate.current(database_url) == "0002"
    missing = _before_0004(_before_0005(_without_people(_before_0006(
        _differences(database_url, Base.metadata)))))
    assert [(d[0], d[1].name) for d in missing] == [("add_index", "ix_cases_received_at")]

    # 0002 alone steps back cleanly: the outbox loses just its per-case pending index too.
    migrate.downgrade(database_url, "0001")
    assert migrate.current(database_url) == "0001"
    assert [d[0] for d in _before_0004(_before_0005(_without_people(_before_0006(
        _differences(database_url, Base.metadata)))))] == ["add_index"] * 2

    migrate.downgrade(database_url)

    assert migrate.current(database_url) is None
    assert _tables(database_url) - {"alembic_version"} == set()

    migrate.upgrade(database_url)
    assert migrate.current(database_url) == HEAD
    assert _differences(database_url, Base.metadata) == []


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def _execute(url: str, sql: str, params: list[dict[str, Any]]) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def test_0006_maps_card_posts_to_slack_references_and_back(
        database_url: str, desk: ComplaintsDesk, intake: dict[str, Any]) -> None:
    case_id = desk.log_complaint(intake, logged_by=CS_USER).id
    migrate.downgrade(database_url, "0005")
    _execute(database_url, "INSERT INTO chat_posts (case_id, surface, channel, ts) "
             "VALUES (:c, :s, :ch, :ts)", [
                 {"c": case_id, "s": "cs", "ch": "C0CS", "ts": "1714550400.000100"},
                 {"c": case_id, "s": "decision", "ch": "C0DIR", "ts": "1714550401.000200"}])
    _execute(database_url, "INSERT INTO outbox (case_id, kind, payload, dedupe_key, "
             "created_at, attempts, next_attempt_at) VALUES (:c, 'channel', '{}', "
             "'digest:2026-05-05:cs', '2026-05-05 09:30:00', 0, '2026-05-05 09:30:00')",
             [{"c": case_id}])
    queued = _rows(database_url, "SELECT id, kind, dedupe_key FROM outbox ORDER BY id")

    migrate.upgrade(database_url)

    refs = sorted(_rows(database_url, "SELECT case_id, surface, slot, ref FROM message_refs"))
    assert refs == [(case_id, "slack", "cs", "C0CS:1714550400.000100"),
                    (case_id, "slack", "decision", "C0DIR:1714550401.000200")]
    # What the Slack adapter reads back is where the messages were.
    assert slack_position(refs[0][3]) == ("C0CS", "1714550400.000100")
    assert _rows(database_url, "SELECT id, kind, dedupe_key, surface FROM outbox "
                 "ORDER BY id") == [(*row, "slack") for row in queued]

    # Now one notice may be queued for a second surface, under the same dedupe key.
    _execute(database_url, "INSERT INTO outbox (case_id, kind, payload, dedupe_key, surface, "
             "created_at, attempts, next_attempt_at) VALUES (:c, 'channel', '{}', "
             "'digest:2026-05-05:cs', 'teams', '2026-05-05 09:30:00', 0, "
             "'2026-05-05 09:30:00')", [{"c": case_id}])
    _execute(database_url, "INSERT INTO message_refs (case_id, surface, slot, ref) "
             "VALUES (:c, 'teams', 'cs', 'activity-1')", [{"c": case_id}])

    migrate.downgrade(database_url, "0005")

    assert sorted(_rows(database_url, "SELECT case_id, surface, channel, ts FROM chat_posts")
                  ) == [(case_id, "cs", "C0CS", "1714550400.000100"),
                        (case_id, "decision", "C0DIR", "1714550401.000200")]
    # Only Slack existed before 0006: the other surface's rows cannot be kept.
    assert _rows(database_url, "SELECT id, kind, dedupe_key FROM outbox ORDER BY id") == queued
    migrate.upgrade(database_url)
    assert _differences(database_url, Base.metadata) == []


def test_0013_fills_the_report_columns_of_stored_cases(
        database_url: str, desk: ComplaintsDesk, intake: dict[str, Any]) -> None:
    with_phone = desk.log_complaint({**intake, "email": "Ada.Example@Example.com",
                                     "phone": "01482 123456"}, logged_by=CS_USER).id
    email_only = desk.log_complaint({**intake, "email": "zoë@example.com", "phone": "",
                                     "category": "staff_conduct",
                                     "subject_user_id": "P-SUBJ0000001"}, logged_by=CS_USER).id
    columns = ("SELECT id, category, channel, relationship, subject_user_id FROM cases "
               "ORDER BY id")
    keys = "SELECT id, contact_email_key, contact_phone_key FROM cases ORDER BY id"
    stored, stored_columns = _rows(database_url, keys), _rows(database_url, columns)
    migrate.downgrade(database_url, "0012")

    migrate.upgrade(database_url)

    # The migration's values are the ones a new or saved case is stored with.
    assert _rows(database_url, keys) == stored
    assert _rows(database_url, columns) == stored_columns == [
        (with_phone, "product", "phone", "customer", None),
        (email_only, "staff_conduct", "phone", "customer", "P-SUBJ0000001")]
    assert dict((i, (e, p)) for i, e, p in stored) == {
        with_phone: ("email:ada.example@example.com", "phone:+441482123456"),
        email_only: ("email:zoe@example.com", None)}
