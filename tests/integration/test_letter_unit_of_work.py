"""A step and the letter it writes are one unit of work: both are kept, or neither.

The failures are injected through the ports the use case writes to (the communications
log, the outbox), as a database refusing the write would: the step's change, its history,
its card and thread messages and the letter all go, or all stay.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, select

from cases.clock import FrozenClock
from cases.communications import LetterEntry, LetterState
from cases.company import CompanyDetails
from cases.errors import IntakeInvalid
from cases.letters import DeliveryMethod, LetterDraft, stage_one_acknowledgement
from cases.model import Case, Notice, NoticeKind, State
from cases.policy import Policy
from cases.services import ComplaintsDesk
from scheduling.calendar import UKWorkingCalendar
from storage.models import OutboxRow
from storage.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.integration.conftest import CS_USER

REPLY_BY = date(2026, 5, 20)


class StorageRefused(Exception):
    """What the failing port raises (a database refusing the write)."""


class RefusingLetterLog:
    """A communications log whose writes fail; reads go to the real one."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def add(self, entry: LetterEntry) -> None:
        raise StorageRefused("the letters table refused the row")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class RefusingLetterOutbox:
    """An outbox that queues chat messages but fails on a letter's delivery row."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def add(self, notices: Iterable[Notice]) -> None:
        queued = list(notices)
        if any(n.kind is NoticeKind.LETTER for n in queued):
            raise StorageRefused("the outbox refused the letter's row")
        self.real.add(queued)


class FailingUnitOfWork:
    """A real unit of work on the database with one port swapped for a failing one."""

    def __init__(self, real: SqlUnitOfWork, port: str, wrapper: type) -> None:
        self.real = real
        self.port = port
        self.wrapper = wrapper

    def __enter__(self) -> FailingUnitOfWork:
        opened = self.real.__enter__()
        for name in ("cases", "roles", "outbox", "people", "letters"):
            setattr(self, name, getattr(opened, name))
        setattr(self, self.port, self.wrapper(getattr(opened, self.port)))
        return self

    def __exit__(self, *exc: Any) -> None:
        self.real.__exit__(*exc)

    def commit(self) -> None:
        self.real.commit()

    def rollback(self) -> None:
        self.real.rollback()


class FailingFactory:
    def __init__(self, real: SqlUnitOfWorkFactory, port: str, wrapper: type) -> None:
        self.real = real
        self.port = port
        self.wrapper = wrapper

    def __call__(self) -> FailingUnitOfWork:
        return FailingUnitOfWork(self.real(), self.port, self.wrapper)


def _logged(desk: ComplaintsDesk, intake: dict[str, Any]) -> Case:
    case = desk.log_complaint(intake, logged_by=CS_USER)
    assert case.id is not None
    return case


def _draft(case: Case, clock: FrozenClock, method: DeliveryMethod) -> LetterDraft:
    view = stage_one_acknowledgement(case, CompanyDetails(), clock.now().date(),
                                     owner_name="Carys Jones", reply_by=REPLY_BY)
    return LetterDraft(view=view, method=method, text="Dear Ada, Carys Jones is dealing "
                                                       "with your complaint.")


def _outbox_kinds(engine: Engine, case_id: int) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(OutboxRow.kind).where(OutboxRow.case_id == case_id)
                                 .order_by(OutboxRow.id)))


@pytest.mark.parametrize(("port", "wrapper"), [("letters", RefusingLetterLog),
                                               ("outbox", RefusingLetterOutbox)])
def test_a_failure_recording_the_letter_leaves_neither_the_step_nor_the_letter(
        engine: Engine, uow_factory: SqlUnitOfWorkFactory, desk: ComplaintsDesk,
        clock: FrozenClock, calendar: UKWorkingCalendar, intake: dict[str, Any],
        port: str, wrapper: type) -> None:
    case = _logged(desk, intake)
    assert case.id is not None
    before = _outbox_kinds(engine, case.id)
    failing = ComplaintsDesk(FailingFactory(uow_factory, port, wrapper), clock, calendar,
                             Policy(), reader=uow_factory.reader())

    with pytest.raises(StorageRefused):
        failing.acknowledge_case(case.id, actor=CS_USER, owner=CS_USER,
                                 promised_reply_by=REPLY_BY, procedure_attached=True,
                                 letter=_draft(case, clock, DeliveryMethod.EMAIL))

    kept = desk.get_case(case.id)
    assert (kept.state, kept.owner, kept.version) == (State.LOGGED, None, case.version)
    assert [e.action for e in desk.history(case.id)] == ["logged"]
    assert desk.letters_of(case.id, actor=CS_USER) == []
    assert _outbox_kinds(engine, case.id) == before  # no card, thread line or letter row


def test_the_step_and_its_letter_commit_together(
        engine: Engine, desk: ComplaintsDesk, clock: FrozenClock,
        intake: dict[str, Any]) -> None:
    case = _logged(desk, intake)
    assert case.id is not None

    desk.acknowledge_case(case.id, actor=CS_USER, owner=CS_USER, promised_reply_by=REPLY_BY,
                          procedure_attached=True,
                          letter=_draft(case, clock, DeliveryMethod.EMAIL))

    assert desk.get_case(case.id).state is State.ACKNOWLEDGED
    [entry] = desk.letters_of(case.id, actor=CS_USER)
    assert (entry.method, entry.state, entry.recipient) == (
        DeliveryMethod.EMAIL, LetterState.QUEUED, "ada@example.com")
    assert entry.text.startswith("Dear Ada, Carys Jones")
    assert _outbox_kinds(engine, case.id)[-1] == NoticeKind.LETTER.value


def test_a_letter_the_complainant_cannot_receive_refuses_the_step_too(
        desk: ComplaintsDesk, clock: FrozenClock, intake: dict[str, Any]) -> None:
    case = _logged(desk, intake)  # an email address, no postal address
    assert case.id is not None

    with pytest.raises(IntakeInvalid) as refused:
        desk.acknowledge_case(case.id, actor=CS_USER, owner=CS_USER,
                              promised_reply_by=REPLY_BY, procedure_attached=True,
                              letter=_draft(case, clock, DeliveryMethod.POST))

    assert "postal address" in refused.value.errors["letter_method"]
    assert desk.get_case(case.id).state is State.LOGGED
    assert desk.letters_of(case.id, actor=CS_USER) == []
