"""The outbox: written with the use case, gone with its rollback, claimed once, retried, dead."""

from __future__ import annotations

import logging
import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.dispatch import PERMANENT_ATTEMPTS, OutboxDispatcher
from cases.clock import FrozenClock
from cases.delivery import PermanentFailure, RetryLater
from cases.model import Notice, NoticeKind
from cases.policy import Policy
from cases.services import ComplaintsDesk
from scheduling.calendar import UKWorkingCalendar
from storage.models import CaseRow, OutboxRow
from storage.outbox import OutboxItem, OutboxStore
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.integration.conftest import CS_USER, NOW


def _outbox_rows(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(OutboxRow)) or 0


def test_use_case_writes_its_notices_in_its_own_transaction(
        desk: ComplaintsDesk, engine: Engine, intake: dict[str, Any]) -> None:
    case = desk.log_complaint(intake, logged_by=CS_USER)

    store = OutboxStore(engine)
    items = []
    while batch := store.claim(NOW, limit=10):
        assert len(batch) == 1  # one case: one message at a time, card first
        items += batch
        store.delivered(batch[0].id, NOW)
    assert [i.kind for i in items] == ["card", "timeline", "direct"]
    assert {i.case_id for i in items} == {case.id}
    assert all(i.attempts == 1 for i in items)
    timeline = next(i for i in items if i.kind == "timeline")
    assert timeline.payload == {"what": "logged", "actor": CS_USER, "at": NOW.isoformat(),
                                "channel": "phone"}


class _CrashBeforeCommit(SqlUnitOfWork):
    def commit(self) -> None:
        self.session.flush()
        raise RuntimeError("simulated crash before commit")


def test_rolled_back_use_case_leaves_no_outbox_row(
        desk: ComplaintsDesk, engine: Engine, clock: FrozenClock,
        calendar: UKWorkingCalendar, intake: dict[str, Any]) -> None:
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    crashing = ComplaintsDesk(lambda: _CrashBeforeCommit(sessions, clock), clock, calendar,
                              Policy())

    with pytest.raises(RuntimeError, match="simulated crash"):
        crashing.log_complaint(intake, logged_by=CS_USER)

    assert _outbox_rows(engine) == 0
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(CaseRow)) == 0
    # The allocated reference rolled back too: the next real intake gets 0001.
    assert desk.log_complaint(intake, logged_by=CS_USER).reference == "TT-2026-0001"


def test_notice_with_an_existing_dedupe_key_is_ignored(
        uow_factory: SqlUnitOfWorkFactory, engine: Engine) -> None:
    for _ in range(2):
        with uow_factory() as uow:
            uow.outbox.add([Notice(NoticeKind.CHANNEL, None, {"n": 1}, dedupe_key="digest:1"),
                            Notice(NoticeKind.CHANNEL, None, {"n": 2})])
            uow.commit()
    with uow_factory() as uow:
        uow.outbox.add([Notice(NoticeKind.CHANNEL, None, {}, dedupe_key="digest:1")] * 2)
        uow.commit()

    assert _outbox_rows(engine) == 3


def _queue(uow_factory: SqlUnitOfWorkFactory, n: int) -> None:
    with uow_factory() as uow:
        uow.outbox.add(Notice(NoticeKind.CHANNEL, None, {"n": i}) for i in range(n))
        uow.commit()


def test_two_concurrent_claimers_never_get_the_same_row(
        uow_factory: SqlUnitOfWorkFactory, engine: Engine) -> None:
    _queue(uow_factory, 60)
    store = OutboxStore(engine)
    claimed: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)

    def worker(k: int) -> None:
        barrier.wait(timeout=10)
        while batch := store.claim(NOW, limit=4, lease_seconds=300):
            claimed[k].extend(i.id for i in batch)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    together = claimed[0] + claimed[1]
    assert len(together) == 60
    assert len(set(together)) == 60
    assert store.claim(NOW + timedelta(seconds=299), limit=100) == []
    # A lease that runs out without a result makes the row claimable again.
    again = store.claim(NOW + timedelta(seconds=300), limit=100)
    assert len(again) == 60 and {i.attempts for i in again} == {2}


def test_failed_delivery_is_retried_later_or_dead_lettered(
        uow_factory: SqlUnitOfWorkFactory, engine: Engine) -> None:
    _queue(uow_factory, 3)
    store = OutboxStore(engine)
    retry, dead, sent = store.claim(NOW, limit=10)
    assert store.counts() == {"pending": 3, "dead": 0, "delivered": 0}

    store.failed(retry.id, NOW, "ratelimited", retry_at=NOW + timedelta(seconds=30))
    store.failed(dead.id, NOW, "channel_not_found", retry_at=None)
    store.delivered(sent.id, NOW)

    assert store.counts() == {"pending": 1, "dead": 1, "delivered": 1}
    assert store.claim(NOW + timedelta(seconds=29), limit=10) == []
    [retried] = store.claim(NOW + timedelta(seconds=30), limit=10)
    assert retried.id == retry.id and retried.attempts == 2
    assert store.claim(NOW + timedelta(days=30), limit=10) == [retried.__class__(
        id=retry.id, case_id=None, kind="channel", payload=retry.payload, attempts=3)]
    with Session(engine) as session:
        row = session.get(OutboxRow, dead.id)
        assert row is not None and row.last_error == "channel_not_found"
        assert row.dead_at == NOW


def test_message_reference_is_remembered_and_moved_per_surface_and_slot(
        desk: ComplaintsDesk, engine: Engine, intake: dict[str, Any]) -> None:
    case_id = desk.log_complaint(intake, logged_by=CS_USER).id
    assert case_id is not None
    store = OutboxStore(engine)
    assert store.message_ref("slack", case_id, "cs") is None

    store.remember_message_ref("slack", case_id, "cs", "C0CS:1714550400.000100")
    store.remember_message_ref("slack", case_id, "directors", "C0DIR:1714550401.000200")
    store.remember_message_ref("teams", case_id, "cs", "teams-activity-7")
    store.remember_message_ref("slack", case_id, "cs", "C0CS:1714550402.000300")

    assert store.message_ref("slack", case_id, "cs") == "C0CS:1714550402.000300"
    assert store.message_ref("slack", case_id, "directors") == "C0DIR:1714550401.000200"
    assert store.message_ref("teams", case_id, "cs") == "teams-activity-7"
    assert store.message_ref("teams", case_id, "directors") is None

    store.forget_message_ref("slack", case_id, "cs")
    assert store.message_ref("slack", case_id, "cs") is None
    assert store.message_ref("teams", case_id, "cs") == "teams-activity-7"


def test_operator_sees_dead_messages_with_their_reason_and_requeues_them(
        engine: Engine, clock: FrozenClock) -> None:
    factory = SqlUnitOfWorkFactory(engine, clock=clock)
    with factory() as uow:
        uow.outbox.add([Notice(NoticeKind.CHANNEL, None, {"text": "a"}),
                        Notice(NoticeKind.CHANNEL, None, {"text": "b"})])
        uow.commit()
    store = OutboxStore(engine)
    first, second = store.claim(clock.now(), 10, 60)
    store.failed(first.id, clock.now(), "Slack refused: channel_not_found", None)
    store.failed(second.id, clock.now(), "Slack refused: not_in_channel", None)
    dead = store.dead()
    assert {d.error for d in dead} == {"Slack refused: channel_not_found",
                                       "Slack refused: not_in_channel"}
    assert store.claim(clock.now(), 10, 60) == []
    assert store.requeue_dead(clock.now(), [first.id]) == 1
    assert [i.id for i in store.claim(clock.now(), 10, 60)] == [first.id]
    assert store.counts() == {"pending": 1, "dead": 1, "delivered": 0}


# ---- one case's messages: strictly in order, never in parallel ---------------------------


def _cases_with_two_cards(desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory,
                          intake: dict[str, Any], n: int) -> list[tuple[int, int]]:
    """``n`` cases whose card is not posted yet, each with two card rows queued:
    (first id, second id) per case. Intake's own timeline and DM rows are delivered."""
    store = OutboxStore(uow_factory.engine)
    case_ids = [desk.log_complaint(intake, logged_by=CS_USER).id for _ in range(n)]
    with uow_factory() as uow:
        uow.outbox.add(Notice(NoticeKind.CARD, c, {}) for c in case_ids)
        uow.commit()
    with Session(uow_factory.engine) as session:
        rows = session.execute(select(OutboxRow.id, OutboxRow.case_id, OutboxRow.kind)
                               .order_by(OutboxRow.id)).all()
    for item_id, _, kind in rows:
        if kind != "card":
            store.failed(item_id, NOW, "not this test's business", None)
    pairs = []
    for case_id in case_ids:
        first, second = [i for i, c, k in rows if c == case_id and k == "card"]
        pairs.append((first, second))
    return pairs


def test_two_concurrent_claimers_get_only_the_first_message_of_a_case(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory,
        intake: dict[str, Any]) -> None:
    pairs = _cases_with_two_cards(desk, uow_factory, intake, 6)
    store = OutboxStore(uow_factory.engine)
    claimed: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)

    def worker(k: int) -> None:
        barrier.wait(timeout=10)
        for _ in range(3):
            claimed[k].extend(i.id for i in store.claim(NOW, limit=2, lease_seconds=300))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    # Both card rows of a case would each post a card: only the first may go.
    assert sorted(claimed[0] + claimed[1]) == sorted(first for first, _ in pairs)
    # Leased, the first row is still pending and holds the second back.
    assert store.claim(NOW, limit=100) == []
    first, second = pairs[0]
    store.delivered(first, NOW)
    assert [i.id for i in store.claim(NOW, limit=100)] == [second]


def test_the_next_message_of_a_case_waits_for_a_retry_of_the_first(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory,
        intake: dict[str, Any]) -> None:
    [(first, second)] = _cases_with_two_cards(desk, uow_factory, intake, 1)
    store = OutboxStore(uow_factory.engine)
    assert [i.id for i in store.claim(NOW)] == [first]
    store.failed(first, NOW, "Slack error 500", retry_at=NOW + timedelta(seconds=30))

    assert store.claim(NOW + timedelta(seconds=29)) == []
    # A lease that ran out hands the same first row out again, never the second.
    assert [i.id for i in store.claim(NOW + timedelta(seconds=30), lease_seconds=60)] == [first]
    assert [i.id for i in store.claim(NOW + timedelta(seconds=90))] == [first]
    store.delivered(first, NOW + timedelta(seconds=91))
    assert [i.id for i in store.claim(NOW + timedelta(seconds=91))] == [second]


def test_a_dead_message_does_not_hold_its_case_back(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory,
        intake: dict[str, Any]) -> None:
    [(first, second)] = _cases_with_two_cards(desk, uow_factory, intake, 1)
    store = OutboxStore(uow_factory.engine)
    [item] = store.claim(NOW)
    store.failed(item.id, NOW, "Slack refused: channel_not_found", None)

    assert [i.id for i in store.claim(NOW)] == [second]


def test_a_requeued_message_waits_for_its_case_message_under_way_then_goes_first(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory,
        intake: dict[str, Any]) -> None:
    [(first, second)] = _cases_with_two_cards(desk, uow_factory, intake, 1)
    with uow_factory() as uow:
        uow.outbox.add([Notice(NoticeKind.CHANNEL, None, {"text": "independent"})])
        uow.commit()
    store = OutboxStore(uow_factory.engine)
    [item, other] = store.claim(NOW)
    assert item.id == first and other.case_id is None
    store.failed(first, NOW, "Slack refused: not_in_channel", None)
    [leased] = store.claim(NOW, lease_seconds=60)
    assert leased.id == second

    # The operator requeues the first while the second is being posted: no parallel post.
    assert store.requeue_dead(NOW + timedelta(seconds=10), [first]) == 1
    assert store.claim(NOW + timedelta(seconds=10)) == []
    assert store.counts()["pending"] == 3
    # The second's lease runs out (its worker died): the requeued, older one goes first.
    again = store.claim(NOW + timedelta(seconds=60))
    assert [i.id for i in again if i.case_id is not None] == [first]


def test_messages_of_different_cases_and_without_a_case_are_claimed_together(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory,
        intake: dict[str, Any]) -> None:
    pairs = _cases_with_two_cards(desk, uow_factory, intake, 3)
    _queue(uow_factory, 2)
    items = OutboxStore(uow_factory.engine).claim(NOW, limit=10)
    assert sorted(i.id for i in items if i.case_id is not None) == [f for f, _ in pairs]
    assert len([i for i in items if i.case_id is None]) == 2


# ---- the dispatcher: what fails unexpectedly is dead-lettered, not retried for ever -----


class _BrokenRenderer:
    """Delivers everything except payloads marked broken (a bug rendering them)."""

    def __init__(self) -> None:
        self.sent: list[int] = []

    def deliver(self, item: OutboxItem) -> None:
        if item.payload.get("broken"):
            raise KeyError("blocks")
        self.sent.append(item.id)


def test_unexpected_delivery_error_is_dead_lettered_with_its_ref_and_frees_the_case(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any],
        clock: FrozenClock, caplog: pytest.LogCaptureFixture) -> None:
    case_id = desk.log_complaint(intake, logged_by=CS_USER).id
    with uow_factory() as uow:
        uow.outbox.add([Notice(NoticeKind.CHANNEL, case_id, {"broken": True}),
                        Notice(NoticeKind.CHANNEL, case_id, {"text": "after"})])
        uow.commit()
    store = OutboxStore(uow_factory.engine)
    renderer = _BrokenRenderer()
    dispatcher = OutboxDispatcher(store, renderer, clock)

    with caplog.at_level(logging.WARNING, logger="bot.dispatch"):
        for _ in range(PERMANENT_ATTEMPTS + 1):
            dispatcher.drain()
            clock.advance(timedelta(minutes=10))

    [dead] = store.dead()
    assert dead.kind == "channel" and dead.attempts == PERMANENT_ATTEMPTS
    ref = re.fullmatch(r"KeyError: 'blocks' \(ref ([0-9a-f]{8})\)", dead.error)
    assert ref is not None, dead.error
    given_up = [r for r in caplog.records if "dead-lettered" in r.getMessage()]
    assert len(given_up) == 1 and ref.group(1) in given_up[0].getMessage()
    assert any(r.exc_info and ref.group(1) in r.getMessage() for r in caplog.records)
    # The case's later message went once the broken one was given up.
    assert store.counts() == {"pending": 0, "dead": 1, "delivered": 4}
    assert len(renderer.sent) == 4


# ---- only hard failures count towards dead-lettering; transient ones wait for ever ------


class _Scripted:
    """Fails each delivery with the next scripted exception; None delivers."""

    def __init__(self, outcomes: list[Exception | None]) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[int] = []

    def deliver(self, item: OutboxItem) -> None:
        outcome = self.outcomes.pop(0)
        if outcome is not None:
            raise outcome
        self.sent.append(item.id)


def _one_message(uow_factory: SqlUnitOfWorkFactory) -> OutboxStore:
    with uow_factory() as uow:
        uow.outbox.add([Notice(NoticeKind.CHANNEL, None, {"text": "hello"})])
        uow.commit()
    return OutboxStore(uow_factory.engine)


def _row(engine: Engine) -> OutboxRow:
    with Session(engine) as session:
        row = session.scalars(select(OutboxRow)).one()
        session.expunge(row)
        return row


def _run_until_settled(dispatcher: OutboxDispatcher, clock: FrozenClock, rounds: int) -> None:
    for _ in range(rounds):
        dispatcher.run_once()
        clock.advance(timedelta(minutes=10))  # past any backoff


def test_a_message_that_waited_out_an_outage_is_not_dead_at_its_first_odd_error(
        uow_factory: SqlUnitOfWorkFactory, clock: FrozenClock) -> None:
    store = _one_message(uow_factory)
    # Six transient failures (Slack down, 429, the database gone for a moment), then a bug.
    outcomes: list[Exception | None] = [
        RetryLater("Slack error 503"), RetryLater("rate limited", 30.0),
        OperationalError("SELECT 1", {}, Exception("server closed the connection")),
        RetryLater("Slack unreachable"), RetryLater("Slack error 500"),
        RetryLater("Slack unreachable: IncompleteRead"),
        KeyError("blocks"),
    ]
    dispatcher = OutboxDispatcher(store, _Scripted(outcomes), clock)

    _run_until_settled(dispatcher, clock, 7)

    row = _row(uow_factory.engine)
    assert row.dead_at is None and row.delivered_at is None
    assert (row.attempts, row.hard_failures) == (7, 1)
    assert row.last_error is not None and row.last_error.startswith("KeyError: 'blocks'")
    [item] = store.claim(clock.now())
    assert (item.attempts, item.hard_failures) == (8, 1)


def test_permanent_attempts_hard_failures_dead_letter_and_requeue_starts_afresh(
        uow_factory: SqlUnitOfWorkFactory, clock: FrozenClock) -> None:
    store = _one_message(uow_factory)
    refused = PermanentFailure("Slack refused: not_in_channel")
    # Hard failures with transient ones between them: only the hard ones count.
    outcomes: list[Exception | None] = []
    for _ in range(PERMANENT_ATTEMPTS - 1):
        outcomes += [refused, RetryLater("Slack error 503")]
    outcomes += [RuntimeError("bug")]
    deliverer = _Scripted(outcomes)
    dispatcher = OutboxDispatcher(store, deliverer, clock)

    _run_until_settled(dispatcher, clock, len(outcomes) - 1)
    row = _row(uow_factory.engine)
    assert row.dead_at is None and row.hard_failures == PERMANENT_ATTEMPTS - 1
    _run_until_settled(dispatcher, clock, 1)

    row = _row(uow_factory.engine)
    assert row.dead_at is not None
    assert (row.attempts, row.hard_failures) == (2 * PERMANENT_ATTEMPTS - 1, PERMANENT_ATTEMPTS)
    [dead] = store.dead()
    assert dead.attempts == 2 * PERMANENT_ATTEMPTS - 1 and dead.error.startswith("RuntimeError")

    # Requeued once the cause is fixed: a fresh start, so one more refusal is not fatal.
    assert store.requeue_dead(clock.now()) == 1
    row = _row(uow_factory.engine)
    assert (row.attempts, row.hard_failures, row.dead_at) == (0, 0, None)
    deliverer.outcomes = [refused, None]
    _run_until_settled(dispatcher, clock, 2)
    row = _row(uow_factory.engine)
    assert row.dead_at is None and row.delivered_at is not None
    assert (row.attempts, row.hard_failures) == (2, 1)


def test_failed_counts_only_hard_failures(uow_factory: SqlUnitOfWorkFactory) -> None:
    store = _one_message(uow_factory)
    [item] = store.claim(NOW)
    assert (item.attempts, item.hard_failures) == (1, 0)
    store.failed(item.id, NOW, "Slack error 503", NOW)
    [item] = store.claim(NOW)
    store.failed(item.id, NOW, "Slack refused: is_archived", NOW, hard=True)
    [item] = store.claim(NOW)
    assert (item.attempts, item.hard_failures) == (3, 1)
    store.failed(item.id, NOW, "Slack refused: is_archived", None, hard=True)
    row = _row(uow_factory.engine)
    assert (row.hard_failures, row.dead_at) == (2, NOW)


# ---- a batch never outlasts its lease: the rest waits, leased, for the next claim -------


class _Slow:
    """Takes ``seconds`` (on the frozen clock) per delivery; records when each ran."""

    def __init__(self, clock: FrozenClock, seconds: float) -> None:
        self.clock = clock
        self.seconds = seconds
        self.runs: list[tuple[int, Any, Any]] = []

    def deliver(self, item: OutboxItem) -> None:
        started = self.clock.now()
        self.clock.advance(timedelta(seconds=self.seconds))
        self.runs.append((item.id, started, self.clock.now()))


def test_a_batch_stops_before_its_lease_runs_out_and_the_rest_is_claimed_after_it(
        uow_factory: SqlUnitOfWorkFactory, clock: FrozenClock,
        caplog: pytest.LogCaptureFixture) -> None:
    _queue(uow_factory, 10)
    store = OutboxStore(uow_factory.engine)
    slow = _Slow(clock, 8)  # e.g. a card on two surfaces plus the decision, paced
    dispatcher = OutboxDispatcher(store, slow, clock, batch=10, lease_seconds=60,
                                  lease_margin_seconds=10)
    claimed_at = clock.now()

    with caplog.at_level(logging.WARNING, logger="bot.dispatch"):
        assert dispatcher.run_once() == 7

    # Started at 0, 8, ... 48 s; the 8th would start at 56 s, inside the 10 s margin.
    assert [started - claimed_at for _, started, _ in slow.runs] == [
        timedelta(seconds=8 * n) for n in range(7)]
    assert all(ended <= claimed_at + timedelta(seconds=60) for _, _, ended in slow.runs)
    assert any("3 of 10" in r.getMessage() for r in caplog.records)
    assert store.counts() == {"pending": 3, "dead": 0, "delivered": 7}
    # Still leased: another worker gets none of them until the lease expires...
    assert store.claim(clock.now()) == []
    # ...and then they go, as if their worker had died (one claim more each).
    clock.set(claimed_at + timedelta(seconds=60))
    assert dispatcher.run_once() == 3
    posted = [i for i, _, _ in slow.runs]
    assert len(posted) == len(set(posted)) == 10  # each once
    assert store.counts() == {"pending": 0, "dead": 0, "delivered": 10}


def test_the_lease_margin_must_be_shorter_than_the_lease(engine: Engine,
                                                          clock: FrozenClock) -> None:
    with pytest.raises(ValueError, match="margin"):
        OutboxDispatcher(OutboxStore(engine), _Slow(clock, 1), clock, lease_seconds=10,
                         lease_margin_seconds=10)
