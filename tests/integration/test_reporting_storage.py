"""The Phase Three report on a real database: received_between pages, and the use case."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect

from cases.errors import NotAllowed
from cases.roles import Role
from cases.services import ComplaintsDesk
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.conftest import CS_USER

HR_USER = "U0HR00001"


def _log(desk: ComplaintsDesk, intake: dict[str, Any], received: datetime,
         **overrides: Any) -> int:
    # Seeded history: some receipts are older than intake accepts without a reason.
    case = desk.log_complaint({**intake, "received_at": received.isoformat(),
                               "late_reason": "Seeded for the report.", **overrides},
                              logged_by=CS_USER)
    assert case.id is not None
    return case.id


def test_received_between_pages_by_id_within_the_half_open_range(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory,
        intake: dict[str, Any]) -> None:
    start = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
    end = datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
    before = _log(desk, intake, start - timedelta(microseconds=1))
    inside = [_log(desk, intake, start + timedelta(days=i)) for i in range(7)]
    at_end = _log(desk, intake, end)  # the range is half-open: not included
    assert before < inside[0] and at_end > inside[-1]

    with uow_factory.reader()() as uow:
        pages = list(uow.cases.received_between(start, end, batch=3))
        exact = list(uow.cases.received_between(start, start + timedelta(days=6), batch=3))
        nothing = list(uow.cases.received_between(end + timedelta(days=1),
                                                  end + timedelta(days=2)))

    assert [len(p) for p in pages] == [3, 3, 1]
    assert [c.id for p in pages for c in p] == inside
    # Each case comes with its deadlines, as get() would give it.
    assert all(c.deadlines for p in pages for c in p)
    # A full last page is followed by one more (empty) query, never by an empty page.
    assert [len(p) for p in exact] == [3, 3]
    assert nothing == []


def test_received_between_refuses_a_batch_below_one(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(ValueError, match="batch"):
        next(iter(uow.cases.received_between(datetime(2026, 1, 1, tzinfo=UTC),
                                             datetime(2026, 2, 1, tzinfo=UTC), batch=0)))


def test_cases_are_indexed_by_received_at(uow_factory: SqlUnitOfWorkFactory) -> None:
    indexes = inspect(uow_factory.engine).get_indexes("cases")
    assert {"name": "ix_cases_received_at", "columns": ["received_at"]} in [
        {"name": i["name"], "columns": i["column_names"]} for i in indexes]


def test_trends_report_on_the_database_uses_london_dates(
        desk: ComplaintsDesk, uow_factory: SqlUnitOfWorkFactory,
        intake: dict[str, Any]) -> None:
    with uow_factory() as uow:
        uow.roles.grant(HR_USER, Role.HR_MANAGER)
        uow.commit()
    # 23:30 UTC on 30 Apr is 00:30 on 1 May in London: a May complaint.
    _log(desk, intake, datetime(2026, 4, 30, 23, 30, tzinfo=UTC), category="billing")
    _log(desk, intake, datetime(2026, 4, 30, 22, 30, tzinfo=UTC), category="billing")
    _log(desk, intake, datetime(2026, 5, 4, 9, 0, tzinfo=UTC), category="delivery")

    may = desk.trends_report(viewer=HR_USER, start=date(2026, 5, 1), end=date(2026, 5, 31))
    april = desk.trends_report_as_operator(start=date(2026, 4, 1), end=date(2026, 4, 30))

    assert may.total == 2
    assert {c.key: c.count for c in may.by_category if c.count} == {"billing": 1,
                                                                    "delivery": 1}
    assert april.total == 1
    with pytest.raises(NotAllowed):
        desk.trends_report(viewer=CS_USER, start=date(2026, 5, 1), end=date(2026, 5, 31))
