"""The daily retention job: anonymise cases whose retention period has ended.

Runs in every replica's scheduler, but the work happens once a day across all of them:
the use case claims the London day (``daily_job_runs``, insert-if-absent) in the same
transaction as the anonymisation, so the first replica to get there does it, the others
find the day claimed, and a run that crashes gives its claim back with its rollback.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from cases.clock import Clock
from cases.records import RetentionRun

log = logging.getLogger(__name__)


class RetentionRunner(Protocol):
    def run_retention(self, now: datetime | None = None, *, worker: str = ...,
                      claim_day: bool = False) -> RetentionRun:
        """Anonymise what has expired by ``now``; with ``claim_day``, once per day."""
        ...


class RetentionJob:
    """One scheduled run: claims today, then anonymises and prunes; errors are logged."""

    def __init__(self, runner: RetentionRunner, clock: Clock, *, worker: str) -> None:
        self.runner = runner
        self.clock = clock
        self.worker = worker

    def run(self) -> RetentionRun | None:
        """Today's run, or None when it failed (tomorrow's run catches up)."""
        try:
            done = self.runner.run_retention(self.clock.now(), worker=self.worker,
                                             claim_day=True)
        except Exception:
            log.exception("retention run failed; tomorrow's run will try again")
            return None
        if not done.skipped:
            # References and counts only: no personal data in the log.
            log.info("retention: %d anonymised, %d deleted, %d on hold, %d outbox rows pruned",
                     len(done.anonymised), len(done.deleted), len(done.held),
                     done.outbox_pruned)
        return done
