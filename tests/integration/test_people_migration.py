"""Migration 0007: a database of Slack ids becomes a database of people, and back.

The data is made by the real use cases (so every place they store a Slack id is there),
on a database whose people tables are empty; stepping down to 0006 and up again then
maps it as an upgrade from the previous schema would.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, inspect, text

from bot.cli import main
from cases.clock import FrozenClock
from cases.model import Notice, NoticeKind, Outcome
from cases.policy import Policy
from cases.report_facts import email_key, phone_contact_key
from cases.roles import Role
from cases.services import ComplaintsDesk
from scheduling.calendar import UKWorkingCalendar
from storage import migrate
from storage.db import make_engine
from storage.uow import SqlUnitOfWorkFactory
from tests.fakes import intake_data
from tests.unit.conftest import SETTINGS_ENV

LONDON = ZoneInfo("Europe/London")
CS, INV, INV2, DIR, DIR2 = "U0CS00001", "U0INV0001", "U0INV0002", "U0DIR0001", "W0DIR0002"
SENIOR, SUBJECT = "U0SEN0001", "U0SUB0001"
STAFF = {CS, INV, INV2, DIR, DIR2, SENIOR, SUBJECT}
SLACK = re.compile(r"[UW][A-Z0-9]{2,}")
PERSON = re.compile(r"P-[0-9a-f]{10}")


def london(m: int, d: int, h: int) -> datetime:
    return datetime(2026, m, d, h, tzinfo=LONDON)


def _whole_stage_two_case(engine: Engine) -> int:
    clock = FrozenClock(london(6, 10, 11))
    uow = SqlUnitOfWorkFactory(engine, clock)
    desk = ComplaintsDesk(uow, clock, UKWorkingCalendar(), Policy())
    with uow() as u:
        u.roles.grant(CS, Role.CUSTOMER_SERVICES)
        u.roles.grant(DIR, Role.DIRECTOR)
        u.roles.grant(DIR2, Role.DIRECTOR)
        u.roles.grant(SENIOR, Role.SENIOR)  # a Stage Two review is delegated to them
        u.commit()

    def at(m: int, d: int, h: int) -> ComplaintsDesk:
        clock.set(london(m, d, h))
        return desk

    case = desk.log_complaint(intake_data(subject_user_id=SUBJECT, category="staff_conduct",
                                          received_at="2026-06-10T10:00:00+01:00"),
                              logged_by=CS)
    cid = case.id
    assert cid is not None
    at(6, 11, 9).acknowledge_case(cid, actor=CS, owner=CS, promised_reply_by=date(2026, 7, 10),
                                  procedure_attached=True)
    at(6, 11, 10).assign_investigator(cid, actor=CS, investigator=INV2)
    at(6, 11, 11).assign_investigator(cid, actor=DIR, investigator=INV)
    at(6, 12, 9).conclude_investigation(cid, actor=INV, findings="The script was followed.")
    at(6, 12, 10).send_reply(cid, actor=CS, outcome=Outcome.UPHELD, suggestions="Training.")
    at(7, 13, 10).request_review(cid, actor=CS, requested_at=london(7, 13, 9), how="email")
    at(7, 14, 10).acknowledge_review(cid, actor=DIR)
    at(7, 14, 11).delegate_review(cid, actor=DIR, delegate=SENIOR)
    at(7, 16, 15).record_person_response(cid, actor=SUBJECT, response="I followed it.")
    at(7, 24, 12).send_progress_update(cid, actor=SENIOR, reason="Waiting for logs.",
                                       new_reply_by=date(2026, 8, 3))
    at(7, 29, 10).propose_decision(cid, actor=SENIOR, outcome=Outcome.NOT_UPHELD,
                                   reasons="Script followed.", remedy="None.")
    at(7, 30, 10).request_changes(cid, actor=DIR2, comment="Offer a credit.")
    at(7, 31, 10).propose_decision(cid, actor=SENIOR, outcome=Outcome.PARTLY_UPHELD,
                                   reasons="Script followed.", remedy="A credit.")
    at(8, 3, 10).approve_decision(cid, actor=DIR2)
    desk.add_note(cid, actor=DIR, text="Closed with the credit.")
    with uow() as u:  # a digest, as the sweep queues it: its items name owners
        u.outbox.add([Notice(NoticeKind.CHANNEL, None, {
            "template": "digest", "surface": "cs", "items": [
                {"case_id": cid, "reference": case.reference, "owner": CS},
                {"case_id": cid, "reference": case.reference, "owner": None}]})])
        u.commit()
    return cid


def _snapshot(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """Every person-bearing table, row by row (JSON decoded), in key order."""
    queries = {
        "roles": "SELECT * FROM roles ORDER BY user_id, role",
        "cases": "SELECT * FROM cases ORDER BY id",
        "case_events": "SELECT * FROM case_events ORDER BY id",
        "outbox": "SELECT id, case_id, kind, payload, delivered_at FROM outbox ORDER BY id",
    }
    out: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as conn:
        for table, sql in queries.items():
            out[table] = [_decoded(dict(r)) for r in conn.execute(text(sql)).mappings()]
    return out


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    for key in ("intake", "decision", "progress_updates", "details", "payload"):
        if isinstance(row.get(key), str):  # SQLite hands JSON back as text
            row[key] = json.loads(row[key])
    return {k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in row.items()}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _replace(value: Any, mapping: dict[str, str]) -> Any:
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, dict):
        return {k: _replace(v, mapping) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, mapping) for v in value]
    return value


def _people_list(capsys: pytest.CaptureFixture[str], url: str,
                 monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[dict[str, Any]]:
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", url)
    capsys.readouterr()
    assert main(["people", "list", "--json"]) == 0
    listed: list[dict[str, Any]] = json.loads(capsys.readouterr().out)
    return listed


def test_upgrade_maps_every_slack_id_to_a_person_and_downgrade_restores_them(
        database_url: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        case_id = _whole_stage_two_case(engine)
        with engine.begin() as conn:  # one message already delivered: history, left alone
            conn.execute(text("UPDATE outbox SET delivered_at = :at WHERE id = (SELECT "
                              "MIN(id) FROM outbox WHERE kind = 'direct')"),
                         {"at": datetime(2026, 8, 3, 9, tzinfo=UTC)})
        migrate.downgrade(database_url, "0006")
        before = _snapshot(engine)
        assert set(_strings(before)) >= STAFF

        migrate.upgrade(database_url)
        after = _snapshot(engine)
        listed = _people_list(capsys, database_url, monkeypatch, tmp_path)

        # One person per Slack id in the data, linked by a slack account; no one for "system".
        person_of = {p["accounts"][0].removeprefix("slack:"): p["id"] for p in listed}
        assert [len(p["accounts"]) for p in listed] == [1] * len(STAFF)
        assert set(person_of) == STAFF
        assert all(PERSON.fullmatch(p) for p in person_of.values())
        assert {p["display_name"] for p in listed} == STAFF
        # No Slack id is left outside the delivered message; putting the Slack ids back
        # gives the data exactly as it was: only the references changed.
        pending = {**after, "outbox": [r for r in after["outbox"] if not r["delivered_at"]]}
        assert [s for s in _strings(pending) if SLACK.fullmatch(s)] == []
        restored = _replace(after, {p: s for s, p in person_of.items()})
        restored["roles"].sort(key=lambda r: (r["user_id"], r["role"]))
        # 0010's columns (root cause and remedies) are new at head and empty on old cases.
        for row in restored["cases"]:
            assert [row.pop(c) for c in ("root_cause", "remedies", "remedy_amount_pence")
                    ] == [None, None, None]
            # 0013's copies of the intake's report fields are filled from the intake.
            intake = row["intake"]
            assert [row.pop(c) for c in ("category", "channel", "relationship",
                                         "subject_user_id")] == [
                intake["category"], intake["channel"], intake["relationship"],
                intake.get("subject_user_id")]
            assert row.pop("contact_email_key") == email_key(intake.get("email"))
            assert row.pop("contact_phone_key") == phone_contact_key(intake.get("phone"))
        restored = {k: v for k, v in restored.items() if k not in ("reviews", "review_actions")}
        assert restored == before
        delivered = [r for r in after["outbox"] if r["delivered_at"]]
        assert len(delivered) == 1 and delivered[0]["payload"]["user"] in STAFF

        # The references a reader checks, by name.
        case = next(r for r in after["cases"] if r["id"] == case_id)
        assert (case["logged_by"], case["owner"], case["investigator"], case["reviewer"],
                case["delegate"], case["last_actor"]) == (
            person_of[CS], person_of[CS], person_of[INV], person_of[DIR], person_of[SENIOR],
            person_of[DIR2])
        assert case["intake"]["subject_user_id"] == person_of[SUBJECT]
        assert case["decision"]["drafted_by"] == person_of[SENIOR]
        assert case["decision"]["approved_by"] == person_of[DIR2]
        assert [c["by"] for c in case["decision"]["change_requests"]] == [person_of[DIR2]]
        assert [u["by"] for u in case["progress_updates"]] == [person_of[SENIOR]]
        details = {e["action"]: e["details"] for e in after["case_events"]}
        assert details["assign_investigator"] == {"investigator": person_of[INV],
                                                    "previous": person_of[INV2]}
        assert details["delegate_review"] == {"delegate": person_of[SENIOR]}
        assert details["acknowledge"]["owner"] == person_of[CS]
        assert details["acknowledge_review"]["reviewer"] == person_of[DIR]
        assert sorted((x["user_id"], x["role"]) for x in after["roles"]) == sorted([
            (person_of[CS], "customer-services"), (person_of[DIR], "director"),
            (person_of[DIR2], "director"), (person_of[SENIOR], "senior")])
        direct = [r["payload"] for r in pending["outbox"] if r["kind"] == "direct"]
        assert {"user": person_of[SENIOR], "template": "changes_requested",
                "by": person_of[DIR2], "comment": "Offer a credit."} in direct
        digest = next(r["payload"] for r in after["outbox"] if r["kind"] == "channel"
                      and r["payload"].get("template") == "digest")
        assert [i["owner"] for i in digest["items"]] == [person_of[CS], None]

        migrate.downgrade(database_url, "0006")
        assert _snapshot(engine) == before
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        assert not tables & {"people", "person_accounts"}
    finally:
        engine.dispose()


def test_tables_longer_than_a_batch_are_mapped_whole_both_ways(database_url: str) -> None:
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    users = [f"U0{i:07d}" for i in range(601)]  # the migration reads 500 rows at a time
    try:
        uow = SqlUnitOfWorkFactory(engine, FrozenClock(london(6, 10, 11)))
        with uow() as u:
            for user in users:
                u.roles.grant(user, Role.DIRECTOR)
            u.outbox.add([Notice(NoticeKind.DIRECT, None, {"user": user, "template": "x"})
                          for user in users])
            u.commit()
        migrate.downgrade(database_url, "0006")
        before = _snapshot(engine)

        migrate.upgrade(database_url)
        after = _snapshot(engine)
        with engine.connect() as conn:
            accounts = {slack: person for slack, person in conn.execute(text(
                "SELECT external_id, person_id FROM person_accounts"))}
        assert sorted(accounts) == users
        assert sorted(r["user_id"] for r in after["roles"]) == sorted(accounts.values())
        assert [r["payload"]["user"] for r in after["outbox"]] == [accounts[u] for u in users]

        migrate.downgrade(database_url, "0006")
        assert _snapshot(engine) == before
    finally:
        engine.dispose()
