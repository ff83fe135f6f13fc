"""The deadline sweep on SQLite and PostgreSQL: claiming once, crashes, retirement, catch-up."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, update

from bench.sweep_bench import seed_cases
from bot.dispatch import OutboxDispatcher
from cases.clock import FrozenClock
from cases.model import DeadlineKind
from cases.policy import Policy
from scheduling.calendar import UKWorkingCalendar
from scheduling.jobs import DIGEST_JOB, SWEEP_JOB, AlertScheduler
from scheduling.sweep import AlertKind, Sweeper
from storage.alerts import SqlAlertLedger
from storage.db import make_engine
from storage.models import AlertRow, DeadlineRow, OutboxRow
from storage.outbox import OutboxItem, OutboxStore

LONDON = ZoneInfo("Europe/London")
CAL = UKWorkingCalendar()


def london(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 4, day, hour, minute, tzinfo=LONDON)


def sweeper(engine: Engine, **kwargs: Any) -> Sweeper:
    return Sweeper(SqlAlertLedger(engine, **kwargs), CAL, Policy(), batch=100)


def outbox_rows(engine: Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        return [(k, d) for k, d in conn.execute(
            select(OutboxRow.kind, OutboxRow.dedupe_key).order_by(OutboxRow.id))]


def count(engine: Engine, column: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count(column))) or 0)


def test_two_sweepers_queue_each_of_2000_alerts_exactly_once(database_url: str,
                                                             engine: Engine) -> None:
    now = london(8, 9, 1)
    seed_cases(engine, 2000, 2000, now)
    engines = [make_engine(database_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    won: list[int] = []
    errors: list[BaseException] = []

    def run(e: Engine) -> None:
        try:
            barrier.wait()
            won.append(sweeper(e).sweep(now).queued)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for e in engines:
        e.dispose()
    assert not errors
    assert sum(won) == 2000
    assert count(engine, AlertRow.id) == 2000
    rows = outbox_rows(engine)
    channel_posts = [k for kind, k in rows if kind == "channel"]
    assert len(channel_posts) == len(set(channel_posts)) == 2000
    assert sum(1 for kind, _ in rows if kind == "card") == 2000


def test_crash_between_claim_and_outbox_write_loses_nothing(engine: Engine) -> None:
    now = london(8, 9, 1)
    seed_cases(engine, 3, 3, now)

    def die(keys: list[str]) -> None:
        raise KeyboardInterrupt("killed after claiming, before the outbox write")

    with pytest.raises(KeyboardInterrupt):
        sweeper(engine, after_claim=die).sweep(now)
    # One transaction: the claim went with the crash, so nothing is lost or half-done.
    assert count(engine, AlertRow.id) == 0
    assert outbox_rows(engine) == []
    assert sweeper(engine).sweep(now + timedelta(minutes=1)).queued == 3
    assert sum(1 for kind, _ in outbox_rows(engine) if kind == "channel") == 3


class Recorder:
    def __init__(self) -> None:
        self.posted: list[str] = []

    def deliver(self, item: OutboxItem) -> None:
        self.posted.append(str(item.payload.get("key", item.kind)))


def test_killed_after_outbox_commit_posts_at_most_once_more(engine: Engine) -> None:
    now = london(8, 9, 1)
    seed_cases(engine, 1, 1, now)
    assert sweeper(engine).sweep(now).queued == 1
    store = OutboxStore(engine)
    # A dispatcher leases the rows, posts, and is killed before recording the result.
    # One case: its alert goes first, the card refresh behind it.
    [leased] = store.claim(now, limit=10, lease_seconds=60)
    assert leased.payload.get("template") == "alert"
    recorder = Recorder()
    recorder.deliver(leased)  # it reached Slack; the worker died before recording that
    clock = FrozenClock(now + timedelta(seconds=30))
    dispatcher = OutboxDispatcher(store, recorder, clock)
    assert dispatcher.drain() == 0  # still leased: nobody posts it meanwhile
    assert sweeper(engine).sweep(now + timedelta(minutes=1)).queued == 0  # not re-claimed
    clock.advance(timedelta(seconds=60))
    assert dispatcher.drain() == 2  # the lease ran out: the alert again, then the card
    for minutes in (2, 3, 10):
        assert sweeper(engine).sweep(now + timedelta(minutes=minutes)).queued == 0
        assert dispatcher.drain() == 0
    alert_posts = [p for p in recorder.posted if p != "card"]
    assert len(alert_posts) == 2 and len(set(alert_posts)) == 1  # once, plus at most once more


def test_met_deadline_gets_no_alert_and_moved_deadline_gets_a_new_key(engine: Engine) -> None:
    now = london(8, 9, 1)
    seed_cases(engine, 2, 2, now)
    with engine.begin() as conn:
        conn.execute(update(DeadlineRow).where(DeadlineRow.case_id == 1)
                     .values(met_at=now - timedelta(minutes=5)))
    [only] = sweeper(engine).sweep(now).sample
    assert only.case_id == 2 and only.alert_kind is AlertKind.OVERDUE
    # A progress update moves the due time: the old alert does not block the new one.
    new_due = CAL.close_of_business(london(9, 12).date())
    with engine.begin() as conn:
        conn.execute(update(DeadlineRow).where(DeadlineRow.case_id == 2)
                     .values(due_at=new_due))
    [soon] = sweeper(engine).sweep(now + timedelta(minutes=1)).sample
    assert soon.alert_kind is AlertKind.DUE_SOON and soon.key != only.key


def test_catch_up_after_downtime_posts_one_overdue_alert_per_deadline(engine: Engine) -> None:
    due_thu = london(2, 17)
    seed_cases(engine, 1, 0, london(1, 10), kind=DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT)
    with engine.begin() as conn:
        conn.execute(update(DeadlineRow).values(due_at=due_thu, original_due_at=due_thu))
    # Down from Thursday morning to Tuesday 14 April (Easter in between).
    first = sweeper(engine).sweep(london(14, 9, 0))
    assert sorted((a.alert_kind.value, a.occurrence) for a in first.sample) == [
        ("escalated", 0), ("overdue", 6)]
    assert sweeper(engine).sweep(london(14, 9, 1)).queued == 0
    later = sweeper(engine).sweep(london(15, 9, 0)).sample
    assert [(a.alert_kind.value, a.occurrence) for a in later] == [("overdue", 7)]


def test_quiet_hours_queue_nothing_but_housekeeping_runs(engine: Engine) -> None:
    seed_cases(engine, 5, 5, london(8, 9))
    calls: list[str] = []

    class Housekeeping:
        def close_expired_review_windows(self) -> list[str]:
            calls.append("close")
            return []

        def record_missing_responses(self) -> list[str]:
            calls.append("missing")
            return []

    s = Sweeper(SqlAlertLedger(engine), CAL, Policy(), housekeeping=Housekeeping())
    report = s.sweep(london(8, 17, 30))
    assert report.quiet and report.queued == 0 and calls == ["close"]


def test_digest_is_queued_once_per_channel_per_working_day(engine: Engine) -> None:
    seed_cases(engine, 40, 35, london(8, 9))
    s = sweeper(engine)
    assert s.digest(london(6, 9)) == []  # Easter Monday
    assert s.digest(london(8, 9)) == ["cs", "directors"]
    assert s.digest(london(8, 9, 5)) == []
    with engine.connect() as conn:
        payloads = {p["audience"]: p for p in conn.scalars(
            select(OutboxRow.payload).where(OutboxRow.kind == "channel"))}
    assert len(payloads["directors"]["items"]) == 30 and payloads["directors"]["more"] == 5
    assert payloads["cs"]["items"] == []


def test_scheduler_registers_the_sweep_and_the_digest(engine: Engine) -> None:
    clock = FrozenClock(london(8, 9, 1))
    seed_cases(engine, 1, 1, clock.now())
    woken: list[bool] = []
    jobs = AlertScheduler(sweeper(engine), clock, wake=lambda: woken.append(True))
    assert jobs.job_ids() == sorted([DIGEST_JOB, SWEEP_JOB])
    jobs.start()
    try:
        jobs.run_sweep()
    finally:
        jobs.stop()
    assert woken == [True]
    assert count(engine, AlertRow.id) == 1


def test_the_sweep_reads_beside_a_writer_and_claims_after_it(engine: Engine) -> None:
    """The minute-by-minute reads neither queue behind an intake nor hold one up (SQLite's
    write lock and gate); claiming stays one writing transaction and waits its turn."""
    now = london(8, 9, 1)
    seed_cases(engine, 3, 3, now)
    ledger = SqlAlertLedger(engine)
    with engine.connect() as writer:  # an intake under way: SQLite's write lock taken
        writer.execute(update(DeadlineRow).where(DeadlineRow.id == -1).values(met_at=now))
        seen: list[object] = []

        def read() -> None:
            seen.append([d.case_id for page in ledger.open_deadlines_before(now, batch=2)
                         for d in page])
            seen.append(ledger.person_responses_due(now))
            seen.append(ledger.alert_keys())

        reader = threading.Thread(target=read)
        reader.start()
        reader.join(5)
        assert seen == [[1, 2, 3], False, []]

        swept: list[int] = []
        sweeping = threading.Thread(target=lambda: swept.append(sweeper(engine).sweep(now)
                                                                .queued))
        sweeping.start()
        sweeping.join(0.3)
        if engine.dialect.name == "sqlite":
            assert swept == []  # the claim waits for the writer
        writer.commit()
        sweeping.join(10)
    assert swept == [3]
    assert len(SqlAlertLedger(engine).alert_keys()) == 3


def test_the_ledger_reads_the_investigator_so_their_alert_reaches_them(engine: Engine) -> None:
    """Issue #10 item 8: the investigation's alerts go to whoever investigates."""
    from storage.models import CaseRow

    now = london(8, 9, 1)
    seed_cases(engine, 1, 1, now, kind=DeadlineKind.INVESTIGATION)
    with engine.begin() as conn:
        conn.execute(update(CaseRow).values(investigator="U0INV0001"))
    ledger = SqlAlertLedger(engine)
    read = [d for page in ledger.open_deadlines_before(now + timedelta(days=60), batch=50)
            for d in page]
    assert read and {d.investigator for d in read} == {"U0INV0001"}
    investigation = [d for d in read if d.kind is DeadlineKind.INVESTIGATION]
    assert investigation and all(d.responsible == "U0INV0001" for d in investigation)
