"""Intakes that arrive while another write holds the turn are stored together, on both
databases: each is numbered in order, gets its own case and its own messages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cases.model import Case
from cases.services import ComplaintsDesk
from storage.outbox import OutboxStore
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.conftest import CS_USER


@contextmanager
def _turn_held(uow_factory: SqlUnitOfWorkFactory) -> Iterator[threading.Event]:
    """Another writer holds the year's reference counter (and on SQLite the write lock)
    until the event is set."""
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with uow_factory() as uow:
            uow.cases.next_reference(2026)
            holding.set()
            assert release.wait(20)
            uow.rollback()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(10)
    try:
        yield release
    finally:
        release.set()
        thread.join(20)


def test_intakes_queued_behind_a_writer_are_stored_in_one_transaction(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory, intake: dict[str, Any]) -> None:
    results: dict[tuple[int, str], Case | BaseException] = {}

    def submit(n: int, key: str) -> None:
        try:
            results[n, key] = desk.log_complaint(intake, logged_by=CS_USER, intake_key=key)
        except Exception as exc:  # noqa: BLE001 - asserted on below
            results[n, key] = exc

    keys = ["V0FIRST", "V0B", "V0C", "V0B", "V0D"]  # V0B twice: a retried submission
    with _turn_held(uow_factory) as release:
        threads = [threading.Thread(target=submit, args=(0, keys[0]))]
        threads[0].start()
        while desk.intakes.batches < 1:  # the first intake waits for the turn, inside
            threading.Event().wait(0.001)  # its transaction
        for n, key in enumerate(keys[1:], start=1):
            threads.append(threading.Thread(target=submit, args=(n, key)))
            threads[-1].start()
        while desk.intakes.waiting < len(keys) - 1:
            threading.Event().wait(0.001)
        release.set()
        for thread in threads:
            thread.join(20)

    assert not any(isinstance(r, BaseException) for r in results.values()), results
    cases = {key: r for (_, key), r in results.items() if isinstance(r, Case)}
    # The retried submission got the first one's case (its own copy of it).
    twice = [r for (_, key), r in results.items() if key == "V0B"]
    assert len(twice) == 2 and twice[0] is not twice[1] and twice[0] == twice[1]
    # The first alone, then the four queued behind it in one transaction.
    assert (desk.intakes.batches, desk.intakes.items) == (2, 5)
    assert cases["V0FIRST"].reference == "TT-2026-0001"
    assert sorted(c.reference for k, c in cases.items() if k != "V0FIRST") == [
        "TT-2026-0002", "TT-2026-0003", "TT-2026-0004"]
    with uow_factory() as uow:
        stored = {c.intake_key: c for c in uow.cases.list_open()}
        assert sorted(stored) == ["V0B", "V0C", "V0D", "V0FIRST"]
        for key, case in cases.items():
            assert stored[key].id == case.id and stored[key].reference == case.reference
            assert [e.action for e in uow.cases.history(case.id or 0)] == ["logged"]
    # Each case its card, its timeline line and its logger's message; none twice.
    assert OutboxStore(uow_factory.engine).counts()["pending"] == 3 * 4
