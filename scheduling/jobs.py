"""APScheduler wiring: the sweep every minute and the 09:00 digest, in-process, memory store.

Nothing case-specific lives in APScheduler: its two jobs only call the sweeper with the
injected clock's ``now``; what is due, and whether it was already posted, is in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from cases.clock import Clock
from scheduling.retention import RetentionJob
from scheduling.sweep import Sweeper

log = logging.getLogger(__name__)

SWEEP_JOB = "deadline-sweep"
DIGEST_JOB = "daily-digest"
RETENTION_JOB = "daily-retention"


class AlertScheduler:
    """Background jobs with ``start()``/``stop()``, as ``bot.runtime.Runtime`` expects."""

    def __init__(self, sweeper: Sweeper, clock: Clock, *, timezone: str = "Europe/London",
                 digest_hour: int = 9, digest_minute: int = 0, sweep_seconds: int = 60,
                 wake: Callable[[], None] | None = None,
                 retention: RetentionJob | None = None, retention_hour: int = 2) -> None:
        self.sweeper = sweeper
        self.clock = clock
        self.wake = wake
        self.scheduler = BackgroundScheduler(timezone=timezone)
        # Missed runs coalesce into one: the sweep catches up by itself, no flood.
        common: dict[str, Any] = {"coalesce": True, "max_instances": 1,
                                  "replace_existing": True}
        self.scheduler.add_job(self.run_sweep, IntervalTrigger(seconds=sweep_seconds,
                                                               timezone=timezone),
                               id=SWEEP_JOB, misfire_grace_time=sweep_seconds, **common)
        # Mon-Fri at 09:00; bank holidays and closures are skipped by the sweeper itself.
        self.scheduler.add_job(self.run_digest,
                               CronTrigger(day_of_week="mon-fri", hour=digest_hour,
                                           minute=digest_minute, timezone=timezone),
                               id=DIGEST_JOB, misfire_grace_time=3600, **common)
        if retention is not None:
            # Every day (weekends too); a replica down at that hour runs it when it can.
            self.scheduler.add_job(retention.run,
                                   CronTrigger(hour=retention_hour, minute=30,
                                               timezone=timezone),
                                   id=RETENTION_JOB, misfire_grace_time=20 * 3600, **common)

    def run_sweep(self) -> None:
        """One scheduled sweep at the clock's now; errors are logged, the next run retries."""
        try:
            report = self.sweeper.sweep(self.clock.now())
        except Exception:
            log.exception("deadline sweep failed; the next run will try again")
            return
        if (report.queued or report.review_notices) and self.wake is not None:
            self.wake()

    def run_digest(self) -> None:
        """The daily digest at the clock's now (once per channel per day, by dedupe key)."""
        try:
            queued = self.sweeper.digest(self.clock.now())
        except Exception:
            log.exception("daily digest failed")
            return
        if queued and self.wake is not None:
            self.wake()

    def job_ids(self) -> list[str]:
        """The registered job ids (tests, operators)."""
        return sorted(job.id for job in self.scheduler.get_jobs())

    def start(self) -> None:
        """Start the scheduler thread."""
        self.scheduler.start()

    def stop(self) -> None:
        """Stop scheduling; waits for a running sweep to finish."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
