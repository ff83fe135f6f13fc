"""The quarterly review is queued once per quarter however many replicas sweep at once."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from cases.clock import FrozenClock
from cases.policy import Policy
from cases.roles import Role
from cases.services import ComplaintsDesk
from scheduling.calendar import UKWorkingCalendar
from scheduling.sweep import Sweeper
from storage.alerts import SqlAlertLedger
from storage.db import make_engine
from storage.models import OutboxRow
from storage.uow import SqlUnitOfWorkFactory

LONDON = ZoneInfo("Europe/London")
HR = "P-0000000hr1"


def _replica(engine: Engine, clock: FrozenClock) -> Sweeper:
    """One bot process: its own engine, desk and sweeper on the shared database."""
    desk = ComplaintsDesk(SqlUnitOfWorkFactory(engine, clock=clock), clock,
                          UKWorkingCalendar(), Policy())
    return Sweeper(SqlAlertLedger(engine), UKWorkingCalendar(), Policy(), housekeeping=desk,
                   reviews=desk)


def _review_rows(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        keys = conn.scalars(select(OutboxRow.dedupe_key)
                            .where(OutboxRow.dedupe_key.like("quarterly-review:%")))
        return sorted(str(k) for k in keys)


def test_two_replicas_sweeping_all_quarter_queue_each_review_once(
        database_url: str, engine: Engine) -> None:
    clock = FrozenClock(datetime(2026, 7, 1, 8, 59, tzinfo=LONDON))
    with SqlUnitOfWorkFactory(engine, clock=clock)() as uow:
        uow.roles.grant(HR, Role.HR_MANAGER)
        uow.commit()
    engines = [make_engine(database_url) for _ in range(2)]
    replicas = [_replica(e, clock) for e in engines]
    errors: list[BaseException] = []

    def both_at(at: datetime) -> None:
        clock.set(at)
        barrier = threading.Barrier(2)

        def run(s: Sweeper) -> None:
            try:
                barrier.wait()
                s.sweep(at)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(s,)) for s in replicas]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)

    try:
        both_at(datetime(2026, 7, 1, 8, 59, tzinfo=LONDON))   # before the hour: nothing
        assert _review_rows(engine) == []
        for minute in range(3):                               # 09:00-09:02, both replicas
            both_at(datetime(2026, 7, 1, 9, minute, tzinfo=LONDON))
        both_at(datetime(2026, 8, 12, 11, 0, tzinfo=LONDON))  # later in the quarter
        assert not errors
        assert _review_rows(engine) == ["quarterly-review:2026 Q2:P-0000000hr1",
                                        "quarterly-review:2026 Q2:directors"]
        both_at(datetime(2026, 10, 1, 9, 30, tzinfo=LONDON))  # the next quarter: its own
        assert not errors
        assert _review_rows(engine) == ["quarterly-review:2026 Q2:P-0000000hr1",
                                        "quarterly-review:2026 Q2:directors",
                                        "quarterly-review:2026 Q3:P-0000000hr1",
                                        "quarterly-review:2026 Q3:directors"]
    finally:
        for e in engines:
            e.dispose()
