"""The work queues a person's home shows (``cases.queues``)."""

from __future__ import annotations

from cases.access import may_see_case
from cases.queues import Queue, queues_for
from cases.usecases.common import DeskBase
from cases.views import DisplayCalendar

# Open cases read for the queues: they are sorted soonest deadline first, so the cases a
# queue shows first are always among them.
QUEUE_SCAN = 500


class WorkQueues(DeskBase):
    def work_queues(self, *, viewer: str, calendar: DisplayCalendar) -> tuple[Queue, ...]:
        """The queues for ``viewer``'s roles; nothing for staff without a role."""
        with self.reader() as uow:
            roles = uow.roles.roles_of(viewer)
            if not roles:
                return ()
            cases = [c for c in uow.cases.list_open(limit=QUEUE_SCAN)
                     if may_see_case(viewer, c, roles)]
        return queues_for(roles, cases, self._now(), calendar, self.policy)
