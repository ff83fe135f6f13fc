"""The unit of work: one session, one transaction, one use case."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cases.clock import Clock, SystemClock
from cases.delivery import DEFAULT_SURFACES, require_surfaces
from cases.ports import (
    CaseRepository,
    LetterLog,
    Outbox,
    PeopleRepository,
    RecordsStore,
    ReportReader,
    ReviewRepository,
    RoleRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from storage import db, readers
from storage.case_repository import SqlCaseRepository
from storage.letter_log import SqlLetterLog
from storage.outbox_writer import SqlOutbox
from storage.people import SqlPeopleRepository
from storage.records import SqlRecordsStore
from storage.report_reader import SqlReportReader
from storage.reviews import SqlReviewRepository
from storage.role_repository import SqlRoleRepository


class SqlUnitOfWork:
    """``cases.ports.UnitOfWork`` on SQLAlchemy; rolls back unless ``commit()`` was called."""

    # Typed as the ports: the protocol's attributes are settable, hence invariant.
    cases: CaseRepository
    roles: RoleRepository
    outbox: Outbox
    people: PeopleRepository
    letters: LetterLog
    records: RecordsStore
    reviews: ReviewRepository
    report: ReportReader

    def __init__(self, session_factory: sessionmaker[Session], clock: Clock, *,
                 read_only: bool = False, surfaces: Sequence[str] = DEFAULT_SURFACES) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._surfaces = require_surfaces(surfaces)
        self._session: Session | None = None
        self.read_only = read_only

    @property
    def session(self) -> Session:
        """The open session (only inside ``with``)."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use it in a with block")
        return self._session

    def __enter__(self) -> SqlUnitOfWork:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        session = self._session_factory()
        self._session = session
        self.cases = SqlCaseRepository(session)
        self.roles = SqlRoleRepository(session)
        self.outbox = SqlOutbox(session, self._clock, self._surfaces)
        self.people = SqlPeopleRepository(session)
        self.letters = SqlLetterLog(session)
        self.records = SqlRecordsStore(session)
        self.reviews = SqlReviewRepository(session)
        self.report = SqlReportReader(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            # Anything not committed explicitly is forgotten, error or not. Without an
            # error, closing ends the transaction with a rollback, without first expiring
            # every loaded object as ``Session.rollback()`` would (they are discarded with
            # the session anyway). After an error, the rollback is explicit: a COMMIT that
            # failed leaves SQLAlchemy's transaction inactive, and closing that would hand
            # the connection back to the pool still inside SQLite's transaction.
            if exc_type is not None:
                session.rollback()
        finally:
            try:
                session.close()
            finally:
                db.leave_reference_gate(session)
                self._session = None

    def commit(self) -> None:
        """Make everything done in this unit durable, at once."""
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit: use a writing one")
        try:
            self.session.commit()
        except BaseException:
            # A COMMIT that failed is rolled back here, so that nothing of it outlives the
            # call (on SQLite the transaction is still open, the write lock still held).
            # The COMMIT's error is the one raised, whatever the rollback meets.
            with contextlib.suppress(Exception):
                self.session.rollback()
            raise
        finally:
            db.leave_reference_gate(self.session)

    def rollback(self) -> None:
        """Forget everything done in this unit."""
        self.session.rollback()


class SqlUnitOfWorkFactory:
    """Makes a fresh ``SqlUnitOfWork`` per use case, all on one engine.

    ``read_only=True`` makes units of work for use cases that only read (loading a case to
    render it, lists, permission checks): on SQLite they begin deferred and read their
    snapshot beside the writer instead of queueing for the write lock
    (``storage.readers.read_only``); their ``commit()`` raises, so nothing written in one can
    be kept. Writing use cases keep the default.

    ``surfaces``: the configured surfaces; every notice a use case queues gets one outbox
    row for each.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None, *,
                 read_only: bool = False, surfaces: Sequence[str] = DEFAULT_SURFACES) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        self.read_only = read_only
        self.surfaces = require_surfaces(surfaces)
        bind = readers.read_only(engine) if read_only else engine
        # expire_on_commit off: cases are converted to dataclasses before commit anyway.
        self._sessions = sessionmaker(bind=bind, expire_on_commit=False, autoflush=False)

    def __call__(self) -> SqlUnitOfWork:
        """A new, unopened unit of work."""
        return SqlUnitOfWork(self._sessions, self.clock, read_only=self.read_only,
                             surfaces=self.surfaces)

    def reader(self) -> SqlUnitOfWorkFactory:
        """A read-only factory on the same engine and clock."""
        return SqlUnitOfWorkFactory(self.engine, self.clock, read_only=True,
                                    surfaces=self.surfaces)


if TYPE_CHECKING:
    # mypy proves here that the adapters satisfy the ports in cases.ports.
    def _conforms(factory: SqlUnitOfWorkFactory, session: Session, clock: Clock) -> tuple[
            UnitOfWorkFactory, UnitOfWork, CaseRepository, RoleRepository, Outbox,
            PeopleRepository]:
        return (factory, factory(), SqlCaseRepository(session), SqlRoleRepository(session),
                SqlOutbox(session, clock), SqlPeopleRepository(session))
