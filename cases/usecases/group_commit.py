"""Group commit: callers that arrive while a write is under way share the next transaction.

Intakes are written one at a time where the database has one writer (SQLite) or one
counter row to number them by (the year's references on PostgreSQL), and most of such a
small transaction is its fixed cost: beginning it, the first lookup, the commit. Under
load, callers queue for that one turn anyway; here they queue in a list instead, and the
first of them to find nobody writing (the *leader*) takes everything queued so far (up to
``max_batch``) and writes it in one transaction, then wakes the others. Each caller gets
its own result or its own exception back, and only once its item is committed: nothing is
acknowledged before it is recorded. A batch that fails is written again one item at a
time, so one bad item fails alone and the others are stored as if it had never come. With
no concurrency a batch is one item, written as before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_BATCH = 32


class _Slot(Generic[T, R]):
    """One caller's item and, once settled, its result or error.

    Its caller sleeps on the slot's own lock until exactly one wake: its item is settled,
    or (``leads``) it is to write the next batch. A shared condition woke every waiter at
    every batch's end, and all but the next leader went back to sleep: about one wasted
    wake-up per item (bench/README.md, tenth round)."""

    __slots__ = ("item", "settled", "result", "error", "leads", "_asleep")

    def __init__(self, item: T) -> None:
        self.item = item
        self.settled = False
        self.result: R | None = None
        self.error: BaseException | None = None
        self.leads = False
        self._asleep = threading.Lock()
        self._asleep.acquire()

    def sleep(self) -> None:
        self._asleep.acquire()

    def wake(self) -> None:
        self._asleep.release()

    def outcome(self) -> R:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]  # settled with a result


class GroupCommit(Generic[T, R]):
    """Runs ``write(items) -> results`` (one result per item, in order) for batches of
    concurrent callers of ``submit``; thread-safe, no thread of its own."""

    def __init__(self, write: Callable[[Sequence[T]], Sequence[R]], *,
                 max_batch: int = MAX_BATCH) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._write = write
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Slot[T, R]] = []
        self._leading = False
        # Batches written and items in them (diagnostics, benchmarks, tests).
        self.batches = 0
        self.items = 0

    @property
    def waiting(self) -> int:
        """Callers queued for the next write (diagnostics, tests)."""
        with self._lock:
            return len(self._queue)

    def submit(self, item: T) -> R:
        """Write ``item`` (with whatever else is queued) and return its result, or raise
        its error; returns only once the item's transaction has ended."""
        slot: _Slot[T, R] = _Slot(item)
        with self._lock:
            self._queue.append(slot)
            leads, self._leading = not self._leading, True
        if not leads:
            slot.sleep()
            if not slot.leads:
                return slot.outcome()
        try:
            while not slot.settled:  # more than a batch may be queued ahead of it
                with self._lock:
                    batch = self._queue[:self._max_batch]
                    del self._queue[:self._max_batch]
                try:
                    self._settle(batch)
                finally:
                    for other in batch:
                        if other is not slot:
                            other.wake()
        finally:
            with self._lock:
                following = self._queue[0] if self._queue else None
                if following is None:
                    self._leading = False
                else:
                    following.leads = True
            if following is not None:
                following.wake()
        return slot.outcome()

    def _settle(self, batch: list[_Slot[T, R]]) -> None:
        self.batches += 1
        self.items += len(batch)
        try:
            self._settle_together(batch)
        except BaseException as exc:  # interrupted: nobody may be left waiting
            for slot in batch:
                if not slot.settled:
                    slot.error, slot.settled = exc, True
            raise

    def _settle_together(self, batch: list[_Slot[T, R]]) -> None:
        try:
            results = self._write([slot.item for slot in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"a batch of {len(batch)} gave {len(results)} results")
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error, batch[0].settled = exc, True
                return
            for slot in batch:  # one at a time: an item's failure is its own
                self._settle_together([slot])
            return
        for slot, result in zip(batch, results, strict=True):
            slot.result, slot.settled = result, True
