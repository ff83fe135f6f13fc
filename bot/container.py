"""Wires the pieces together from one Settings: engine, unit of work, clock, calendar, desk."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from bot.settings import Settings
from cases.clock import Clock, SystemClock
from cases.policy import Policy, load_policy
from cases.services import ComplaintsDesk
from scheduling.calendar import UKWorkingCalendar

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from storage.uow import SqlUnitOfWorkFactory


class Container:
    """Builds each dependency once, on first use (nothing is opened at import time)."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()

    @cached_property
    def policy(self) -> Policy:
        return load_policy(self.settings.complaints_policy_file)

    @cached_property
    def calendar(self) -> UKWorkingCalendar:
        return UKWorkingCalendar(self.policy.calendar)

    @cached_property
    def engine(self) -> Engine:
        from storage.db import make_engine

        return make_engine(self.settings.database_url)

    @cached_property
    def uow(self) -> SqlUnitOfWorkFactory:
        from storage.uow import SqlUnitOfWorkFactory

        return SqlUnitOfWorkFactory(self.engine, clock=self.clock,
                                    surfaces=self.settings.complaints_surfaces)

    @cached_property
    def desk(self) -> ComplaintsDesk:
        return ComplaintsDesk(self.uow, self.clock, self.calendar, self.policy,
                              reader=self.uow.reader())
