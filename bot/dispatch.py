"""The outbox dispatcher: delivers queued messages after commit, retrying with backoff.

Each row names its surface; the dispatcher hands it to the deliverer registered for that
surface (``cases.delivery.Deliverer``) and claims only rows it has a deliverer for, so a
worker without, say, Teams leaves Teams rows to a worker that has it.

A direct message is queued for every chat surface. A surface that cannot reach the person
(no account there, or no way to open a chat with them) skips its row when another surface
here can (``Reach``); only when none can does its row fail, with the surface's own "link an
account" reason, and is dead-lettered like any other permanent failure.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from cases.clock import Clock
from cases.communications import dead_letter_notices
from cases.delivery import (
    DEFAULT_SURFACES,
    Deliverer,
    PermanentFailure,
    RetryLater,
    require_surfaces,
)
from storage.outbox import OutboxItem, OutboxStore

log = logging.getLogger(__name__)

# Transient failures (Slack down, 5xx, timeouts, 429, the database briefly unavailable)
# are retried for as long as it takes: an outage loses nothing. Backoff doubles from 2 s to
# at most 5 minutes, by the row's `attempts` (every claim counts).
BACKOFF_START = 2.0
BACKOFF_MAX = 300.0
# Permanent failures (bad token, channel gone) and unexpected errors (a bug rendering the
# message) are retried a few times, then dead-lettered for an operator: `complaints-bot
# outbox status` shows them, `outbox retry` requeues them. Retrying them for ever would
# also hold the case's later messages back (one case's messages go in order). Only these
# hard failures count towards the limit (the row's `hard_failures`), not transient retries:
# a message that waited out an outage is not dead-lettered at its first odd error.
PERMANENT_ATTEMPTS = 5
# The database went away for a moment (connection dropped, SQLite busy, pool exhausted):
# not the message's fault, so it is retried like a Slack outage.
DATABASE_UNAVAILABLE = (OperationalError, PoolTimeout)
# A batch is worked through one message at a time, paced (about 1 post/s/channel), so it
# can outlast its lease; once the lease is this close to running out, the rest of the batch
# is left alone (still leased) and claimed again after the lease expires. Otherwise another
# worker could claim a row still being posted here: a duplicate post, and a case's
# messages out of order. The margin covers one delivery in progress.
LEASE_MARGIN_SECONDS = 10.0


@runtime_checkable
class Reach(Protocol):
    """A chat surface's answer to "can a direct message reach this person here?"."""

    def reaches(self, person_id: str) -> bool:
        """Whether this surface can deliver a direct message to ``person_id`` now."""
        ...


def deliverers_by_surface(deliverers: Deliverer | Mapping[str, Deliverer]
                          ) -> dict[str, Deliverer]:
    """The registry: surface name -> deliverer. A lone deliverer serves the default surface."""
    if not isinstance(deliverers, Mapping):
        return dict.fromkeys(DEFAULT_SURFACES, deliverers)
    registry = dict(deliverers)
    require_surfaces(list(registry))
    return registry


def backoff(attempts: int) -> float:
    """Seconds to wait before the next try after ``attempts`` tries."""
    return float(min(BACKOFF_MAX, BACKOFF_START * (2 ** max(0, attempts - 1))))


class OutboxDispatcher:
    """Claims due outbox rows, hands each to its surface's deliverer, records the result."""

    def __init__(self, store: OutboxStore, deliverers: Deliverer | Mapping[str, Deliverer],
                 clock: Clock, *,
                 batch: int = 20, lease_seconds: int = 60, idle_seconds: float = 1.0,
                 lease_margin_seconds: float = LEASE_MARGIN_SECONDS) -> None:
        if not 0 <= lease_margin_seconds < lease_seconds:
            raise ValueError(f"lease margin {lease_margin_seconds}s must be shorter than "
                             f"the lease ({lease_seconds}s)")
        self.store = store
        self.deliverers = deliverers_by_surface(deliverers)
        self.clock = clock
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.lease_margin_seconds = lease_margin_seconds
        self.idle_seconds = idle_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> int:
        """Deliver what is due now; returns how many were delivered."""
        now = self.clock.now()
        items = self.store.claim(now, self.batch, self.lease_seconds,
                                 surfaces=sorted(self.deliverers))
        stop_at = now + timedelta(seconds=self.lease_seconds - self.lease_margin_seconds)
        delivered = 0
        for done, item in enumerate(items):
            if self.clock.now() >= stop_at:
                left = len(items) - done
                log.warning("outbox lease nearly over: %d of %d claimed message(s) left for "
                            "after it expires", left, len(items))
                break
            if self._deliver_one(item):
                delivered += 1
        return delivered

    def drain(self, max_rounds: int = 50) -> int:
        """Run until nothing is due (tests, shutdown); returns how many were delivered."""
        total = 0
        for _ in range(max_rounds):
            claimed_before = total
            total += self.run_once()
            if total == claimed_before:
                break
        return total

    def left_to_another(self, item: OutboxItem) -> str | None:
        """The surface that tells the person a direct message this row's surface cannot
        deliver (None: this surface can, or no other surface here can either)."""
        person = item.payload.get("user") if item.kind == "direct" else None
        own = self.deliverers[item.surface]
        if not isinstance(person, str) or not isinstance(own, Reach) or own.reaches(person):
            return None
        return next((surface for surface, other in sorted(self.deliverers.items())
                     if surface != item.surface and isinstance(other, Reach)
                     and other.reaches(person)), None)

    def _deliver_one(self, item: OutboxItem) -> bool:
        try:
            elsewhere = self.left_to_another(item)
            if elsewhere is not None:
                log.info("outbox %s: direct message left to %s (not reachable on %s)",
                         item.id, elsewhere, item.surface, extra={"case_id": item.case_id})
            else:
                self.deliverers[item.surface].deliver(item)
        except RetryLater as exc:
            self._retry(item, str(exc), exc.seconds or backoff(item.attempts))
            return False
        except PermanentFailure as exc:
            self._give_up_or_retry(item, str(exc))
            return False
        except DATABASE_UNAVAILABLE as exc:
            self._retry(item, f"database unavailable: {type(exc).__name__}: {exc}",
                        backoff(item.attempts))
            return False
        except Exception as exc:
            ref = uuid.uuid4().hex[:8]
            log.exception("outbox %s (%s) failed unexpectedly (ref %s)", item.id, item.kind,
                          ref, extra={"case_id": item.case_id, "error_ref": ref})
            self._give_up_or_retry(item, f"{type(exc).__name__}: {exc} (ref {ref})")
            return False
        self.store.delivered(item.id, self.clock.now())
        return True

    def _give_up_or_retry(self, item: OutboxItem, error: str) -> None:
        """A hard failure: dead-letter the row at the PERMANENT_ATTEMPTS-th, else retry."""
        hard_failures = item.hard_failures + 1
        if hard_failures >= PERMANENT_ATTEMPTS:
            log.error("outbox %s (%s) dead-lettered after %d failures (%d attempts): %s",
                      item.id, item.kind, hard_failures, item.attempts, error,
                      extra={"case_id": item.case_id})
            self.store.failed(item.id, self.clock.now(), error, None, hard=True,
                              then=dead_letter_notices(item.kind, item.case_id, item.payload,
                                                       error))
        else:
            self._retry(item, error, backoff(item.attempts), hard=True)

    def _retry(self, item: OutboxItem, error: str, seconds: float, *,
               hard: bool = False) -> None:
        now = self.clock.now()
        retry_at: datetime = now + timedelta(seconds=seconds)
        log.warning("outbox %s (%s) not delivered, retry in %.0fs: %s", item.id, item.kind,
                    seconds, error, extra={"case_id": item.case_id})
        self.store.failed(item.id, now, error, retry_at, hard=hard)

    def wake(self) -> None:
        """Deliver soon: called after a use case committed new messages."""
        self._wake.set()

    def start(self) -> None:
        """Run in a background thread until ``stop``."""
        self._thread = threading.Thread(target=self._loop, name="outbox", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.run_once() > 0
            except Exception:
                log.exception("outbox dispatcher round failed; trying again shortly")
                busy = False
            if not busy:
                self._wake.wait(self.idle_seconds)
                self._wake.clear()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current round and stop."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
