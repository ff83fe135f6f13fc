"""Repositories: the domain ``Case`` in and out of rows, explicitly, field by field."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    Table,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from cases.clock import Clock, require_aware
from cases.errors import ConcurrentChange, NotFound
from cases.intake import IntakeRecord
from cases.model import (
    OPEN_STATES,
    Case,
    Deadline,
    DeadlineKind,
    Decision,
    HistoryEvent,
    Notice,
    Outcome,
    ProgressUpdate,
    State,
)
from cases.ports import UnitOfWorkFactory
from cases.roles import ORGANISATION_ROLES, Role
from storage.db import upsert_insert
from storage.models import (
    CaseEventRow,
    CaseRow,
    DeadlineRow,
    OutboxRow,
    ReferenceCounterRow,
    RoleRow,
)

REFERENCE_PREFIX = "TT"
_CASES = cast(Table, CaseRow.__table__)
_CASE_INSERT = insert(_CASES).returning(_CASES.c.id)
_OPEN_STATE_VALUES = sorted(s.value for s in OPEN_STATES)


def _opt_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# ---- rows <-> domain ------------------------------------------------------------------


def _progress_to_json(updates: Iterable[ProgressUpdate]) -> list[Any]:
    return [{"at": u.at.isoformat(), "by": u.by, "reason": u.reason,
             "new_due_at": u.new_due_at.isoformat()} for u in updates]


def _progress_from_json(data: list[Any] | None) -> list[ProgressUpdate]:
    return [ProgressUpdate(at=datetime.fromisoformat(u["at"]), by=u["by"], reason=u["reason"],
                           new_due_at=datetime.fromisoformat(u["new_due_at"]))
            for u in data or []]


def _decision_to_json(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "outcome": decision.outcome.value,
        "reasons": decision.reasons,
        "remedy": decision.remedy,
        "drafted_by": decision.drafted_by,
        "drafted_at": decision.drafted_at.isoformat(),
        "approved_by": decision.approved_by,
        "approved_at": decision.approved_at.isoformat() if decision.approved_at else None,
        "change_requests": [dict(c) for c in decision.change_requests],
    }


def _decision_from_json(data: dict[str, Any] | None) -> Decision | None:
    if data is None:
        return None
    return Decision(
        outcome=Outcome(data["outcome"]),
        reasons=data["reasons"],
        remedy=data["remedy"],
        drafted_by=data["drafted_by"],
        drafted_at=datetime.fromisoformat(data["drafted_at"]),
        approved_by=data.get("approved_by"),
        approved_at=_opt_dt(data.get("approved_at")),
        change_requests=[dict(c) for c in data.get("change_requests", [])],
    )


def _case_values(case: Case) -> dict[str, Any]:
    """Every stored column of a case except ``id`` and ``version``."""
    return {
        "reference": case.reference,
        "state": case.state.value,
        "intake": case.intake.model_dump(mode="json"),
        "intake_key": case.intake_key,
        "received_at": case.received_at,
        "effective_receipt": case.effective_receipt,
        "logged_by": case.logged_by,
        "logged_at": case.logged_at,
        "owner": case.owner,
        "promised_reply_by": case.promised_reply_by,
        "investigator": case.investigator,
        "resolution": case.resolution,
        "findings": case.findings,
        "outcome": case.outcome.value if case.outcome else None,
        "suggestions": case.suggestions,
        "replied_at": case.replied_at,
        "review_requested_at": case.review_requested_at,
        "review_effective_receipt": case.review_effective_receipt,
        "review_request_how": case.review_request_how,
        "review_late_reason": case.review_late_reason,
        "reviewer": case.reviewer,
        "delegate": case.delegate,
        "review_reply_by": case.review_reply_by,
        "person_informed_at": case.person_informed_at,
        "person_response": case.person_response,
        "person_responded_at": case.person_responded_at,
        "progress_updates": _progress_to_json(case.progress_updates),
        "decision": _decision_to_json(case.decision),
        "final_letter": case.final_letter,
        "closed_at": case.closed_at,
        "withdrawn_reason": case.withdrawn_reason,
        "last_actor": case.last_actor,
        "last_action_at": case.last_action_at,
    }


def _deadline_from_row(row: DeadlineRow) -> Deadline:
    return Deadline(kind=DeadlineKind(row.kind), due_at=row.due_at,
                    original_due_at=row.original_due_at, started_at=row.started_at,
                    met_at=row.met_at, retired_at=row.retired_at)


def _case_from_row(row: CaseRow, deadlines: Iterable[DeadlineRow]) -> Case:
    return Case(
        id=row.id,
        version=row.version,
        reference=row.reference,
        state=State(row.state),
        intake=IntakeRecord.model_validate(row.intake),
        intake_key=row.intake_key,
        received_at=row.received_at,
        effective_receipt=row.effective_receipt,
        logged_by=row.logged_by,
        logged_at=row.logged_at,
        owner=row.owner,
        promised_reply_by=row.promised_reply_by,
        investigator=row.investigator,
        resolution=row.resolution,
        findings=row.findings,
        outcome=Outcome(row.outcome) if row.outcome else None,
        suggestions=row.suggestions,
        replied_at=row.replied_at,
        review_requested_at=row.review_requested_at,
        review_effective_receipt=row.review_effective_receipt,
        review_request_how=row.review_request_how,
        review_late_reason=row.review_late_reason,
        reviewer=row.reviewer,
        delegate=row.delegate,
        review_reply_by=row.review_reply_by,
        person_informed_at=row.person_informed_at,
        person_response=row.person_response,
        person_responded_at=row.person_responded_at,
        progress_updates=_progress_from_json(row.progress_updates),
        decision=_decision_from_json(row.decision),
        final_letter=row.final_letter,
        closed_at=row.closed_at,
        withdrawn_reason=row.withdrawn_reason,
        last_actor=row.last_actor,
        last_action_at=row.last_action_at,
        deadlines={(d := _deadline_from_row(r)).kind: d for r in deadlines},
    )


def _event_from_row(row: CaseEventRow) -> HistoryEvent:
    return HistoryEvent(
        case_id=row.case_id, seq=row.seq, at=row.at, actor=row.actor, action=row.action,
        from_state=State(row.from_state) if row.from_state else None,
        to_state=State(row.to_state) if row.to_state else None,
        details=dict(row.details or {}),
    )


@dataclass(frozen=True)
class DueDeadline:
    """An open deadline with the case it belongs to (for sweeps and alerts)."""

    case_id: int
    reference: str
    deadline: Deadline


# ---- cases ----------------------------------------------------------------------------


class SqlCaseRepository:
    """``cases.ports.CaseRepository`` on one SQLAlchemy session (owned by the unit of work)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- loading

    def _load(self, stmt: Select[CaseRow]) -> list[Case]:
        rows = list(self.session.scalars(stmt.execution_options(populate_existing=True)))
        if not rows:
            return []
        ids = [r.id for r in rows]
        by_case: dict[int, list[DeadlineRow]] = {i: [] for i in ids}
        deadline_rows = self.session.scalars(
            select(DeadlineRow).where(DeadlineRow.case_id.in_(ids))
            .order_by(DeadlineRow.case_id, DeadlineRow.id)
            .execution_options(populate_existing=True))
        for d in deadline_rows:
            by_case[d.case_id].append(d)
        return [_case_from_row(r, by_case[r.id]) for r in rows]

    def _one(self, stmt: Select[CaseRow], missing: str) -> Case:
        found = self._load(stmt)
        if not found:
            raise NotFound(missing)
        return found[0]

    def get(self, case_id: int) -> Case:
        """Load one case by id; raises NotFound."""
        return self._one(select(CaseRow).where(CaseRow.id == case_id),
                         f"No case with id {case_id}.")

    def get_by_reference(self, reference: str) -> Case:
        """Load one case by its reference; raises NotFound."""
        return self._one(select(CaseRow).where(CaseRow.reference == reference),
                         f"No case {reference}.")

    def find_by_intake_key(self, key: str) -> Case | None:
        """The case created by a submission with this idempotency key, if any."""
        if self.session.get_bind().dialect.name == "postgresql":
            # Two submits with one key queue here until the first commits, so the second
            # then sees the first's case instead of failing on the unique constraint.
            self.session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                                 {"k": f"intake_key:{key}"})
        found = self._load(select(CaseRow).where(CaseRow.intake_key == key))
        return found[0] if found else None

    def _soonest_open_due(self) -> Select[int, datetime]:
        alerted = func.min(DeadlineRow.due_at).filter(
            DeadlineRow.kind != DeadlineKind.REVIEW_WINDOW.value)
        return (
            select(DeadlineRow.case_id,
                   func.coalesce(alerted, func.min(DeadlineRow.due_at)).label("due"))
            .where(DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None))
            .group_by(DeadlineRow.case_id)
        )

    def _open_sorted(self, *where: ColumnElement[bool], limit: int) -> list[Case]:
        soonest = self._soonest_open_due().subquery()
        stmt = (
            select(CaseRow)
            .outerjoin(soonest, soonest.c.case_id == CaseRow.id)
            .where(CaseRow.state.in_(_OPEN_STATE_VALUES), *where)
            .order_by(soonest.c.due.is_(None), soonest.c.due, CaseRow.id)
            .limit(limit)
        )
        return self._load(stmt)

    def list_open(self, *, limit: int = 50) -> Sequence[Case]:
        """Open cases, soonest open deadline first (cases with none last)."""
        return self._open_sorted(limit=limit)

    def list_for_user(self, user_id: str, *, limit: int = 50) -> Sequence[Case]:
        """Open cases the user owns, investigates, reviews, is delegated or logged."""
        return self._open_sorted(
            or_(CaseRow.owner == user_id, CaseRow.investigator == user_id,
                CaseRow.reviewer == user_id, CaseRow.delegate == user_id,
                CaseRow.logged_by == user_id),
            limit=limit)

    def list_overdue(self, now: datetime, *, limit: int = 50) -> Sequence[Case]:
        """Open cases with a staff deadline (not the review window) past due."""
        overdue = (
            select(DeadlineRow.case_id)
            .where(DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
                   DeadlineRow.due_at < require_aware(now),
                   DeadlineRow.kind != DeadlineKind.REVIEW_WINDOW.value)
        )
        return self._open_sorted(CaseRow.id.in_(overdue), limit=limit)

    def received_between(self, start: datetime, end: datetime, *, batch: int = 500
                         ) -> Iterator[Sequence[Case]]:
        """Cases received in [start, end), in pages of at most ``batch``, ordered by id.

        Keyset paging (``id > last``) over ``ix_cases_received_at``: each page is one
        query, and nothing of an earlier page is kept.
        """
        if batch < 1:
            raise ValueError("batch must be at least 1")
        start, end = require_aware(start), require_aware(end)
        last_id = 0
        while True:
            page = self._load(
                select(CaseRow)
                .where(CaseRow.received_at >= start, CaseRow.received_at < end,
                       CaseRow.id > last_id)
                .order_by(CaseRow.id)
                .limit(batch))
            if not page:
                return
            yield page
            if len(page) < batch:
                return
            last_id = page[-1].id or 0

    def ids_with_open_deadline_due(self, kind: DeadlineKind, now: datetime) -> Sequence[int]:
        """Open cases whose open deadline of ``kind`` was due at or before ``now``."""
        stmt = (
            select(DeadlineRow.case_id)
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .where(DeadlineRow.kind == kind.value,
                   DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
                   DeadlineRow.due_at <= require_aware(now),
                   CaseRow.state.in_(_OPEN_STATE_VALUES))
            .order_by(DeadlineRow.case_id)
        )
        return list(self.session.scalars(stmt))

    def ids_with_window_expired(self, now: datetime) -> Sequence[int]:
        """Replied cases whose open review window was due before ``now``."""
        stmt = (
            select(CaseRow.id)
            .join(DeadlineRow, DeadlineRow.case_id == CaseRow.id)
            .where(CaseRow.state == State.REPLIED.value,
                   DeadlineRow.kind == DeadlineKind.REVIEW_WINDOW.value,
                   DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
                   DeadlineRow.due_at < require_aware(now))
            .order_by(CaseRow.id)
        )
        return list(self.session.scalars(stmt))

    def open_deadlines_due_before(self, t: datetime, *, limit: int | None = None
                                  ) -> list[DueDeadline]:
        """Open (unmet, unretired) deadlines due before ``t``, soonest first."""
        stmt = (
            select(DeadlineRow, CaseRow.reference)
            .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
            .where(DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
                   DeadlineRow.due_at < require_aware(t))
            .order_by(DeadlineRow.due_at, DeadlineRow.id)
            .limit(limit)
        )
        return [DueDeadline(row.case_id, reference, _deadline_from_row(row))
                for row, reference in self.session.execute(stmt)]

    def history(self, case_id: int) -> Sequence[HistoryEvent]:
        """The case's append-only history, oldest first."""
        rows = self.session.scalars(
            select(CaseEventRow).where(CaseEventRow.case_id == case_id)
            .order_by(CaseEventRow.seq))
        return [_event_from_row(r) for r in rows]

    # -- writing

    def next_reference(self, year: int) -> str:
        """Allocate ``TT-YYYY-NNNN`` with one atomic upsert of the year's counter."""
        counters = ReferenceCounterRow.__table__
        ins = upsert_insert(self.session)
        # One statement: the year's first case inserts 1, every later one increments.
        number = self.session.connection().execute(
            ins(counters).values(year=year, last_number=1)
            .on_conflict_do_update(index_elements=[counters.c.year],
                                   set_={"last_number": counters.c.last_number + 1})
            .returning(counters.c.last_number)
        ).scalar_one()
        return f"{REFERENCE_PREFIX}-{year:04d}-{number:04d}"

    def add(self, case: Case) -> None:
        """Insert a new case with its deadlines and history; assigns ``case.id``."""
        if case.id is not None:
            raise ValueError(f"{case.reference} is already stored (id {case.id})")
        # Core statements with bound parameters, here and for deadlines and the outbox: the
        # compiled SQL is cached, where .values(**literals) rebuilt and re-keyed it per call
        # (half the CPU of an intake, all of it inside SQLite's write lock).
        case_id = self.session.connection().execute(
            _CASE_INSERT, {"version": case.version, **_case_values(case)}).scalar_one()
        case.id = case_id
        self._write_deadlines(case)
        self._append_events(case, first_seq=1)

    def save(self, case: Case) -> None:
        """Update under the version check (ConcurrentChange on a stale copy); append history."""
        if case.id is None:
            raise ValueError(f"{case.reference} was never added")
        result = cast(CursorResult[Any], self.session.execute(
            update(CaseRow)
            .where(CaseRow.id == case.id, CaseRow.version == case.version)
            .values(version=case.version + 1, **_case_values(case))
            .execution_options(synchronize_session=False)))
        if result.rowcount != 1:
            raise ConcurrentChange(
                f"{case.reference} was changed by someone else; reload it and try again.")
        case.version += 1
        self._write_deadlines(case)
        # The row lock taken by the UPDATE above serialises appends to this case's history.
        last = self.session.scalar(
            select(func.max(CaseEventRow.seq)).where(CaseEventRow.case_id == case.id))
        self._append_events(case, first_seq=(last or 0) + 1)

    def append_history(self, case: Case) -> None:
        """Append new history events without touching the case row or its version."""
        if case.id is None:
            raise ValueError(f"{case.reference} was never added")
        # Lock the case row (PostgreSQL; SQLite's write transaction is already exclusive)
        # so concurrent appends and saves number events one after the other.
        locked = self.session.scalar(
            select(CaseRow.id).where(CaseRow.id == case.id).with_for_update())
        if locked is None:
            raise NotFound(f"No case with id {case.id}.")
        last = self.session.scalar(
            select(func.max(CaseEventRow.seq)).where(CaseEventRow.case_id == case.id))
        self._append_events(case, first_seq=(last or 0) + 1)

    def _write_deadlines(self, case: Case) -> None:
        assert case.id is not None
        if not case.deadlines:
            return
        deadlines = DeadlineRow.__table__
        ins = upsert_insert(self.session)(deadlines)
        stmt = ins.on_conflict_do_update(
            index_elements=[deadlines.c.case_id, deadlines.c.kind],
            set_={c: ins.excluded[c] for c in
                  ("due_at", "original_due_at", "started_at", "met_at", "retired_at")},
        )
        self.session.connection().execute(stmt, [
            {"case_id": case.id, "kind": d.kind.value, "due_at": d.due_at,
             "original_due_at": d.original_due_at, "started_at": d.started_at,
             "met_at": d.met_at, "retired_at": d.retired_at}
            for d in case.deadlines.values()
        ])

    def _append_events(self, case: Case, *, first_seq: int) -> None:
        assert case.id is not None
        if not case.new_events:
            return
        self.session.execute(insert(CaseEventRow), [
            {"case_id": case.id, "seq": first_seq + i, "at": e.at, "actor": e.actor,
             "action": e.action,
             "from_state": e.from_state.value if e.from_state else None,
             "to_state": e.to_state.value if e.to_state else None,
             "details": dict(e.details)}
            for i, e in enumerate(case.new_events)
        ])
        case.new_events.clear()


def open_deadlines_due_before(source: Session | _HasSession, t: datetime, *,
                              limit: int | None = None) -> list[DueDeadline]:
    """Open deadlines due before ``t``, soonest first, from a session or a SQL unit of work."""
    session = source if isinstance(source, Session) else source.session
    return SqlCaseRepository(session).open_deadlines_due_before(t, limit=limit)


class _HasSession(Protocol):
    @property
    def session(self) -> Session: ...


# ---- roles ----------------------------------------------------------------------------


class SqlRoleRepository:
    """``cases.ports.RoleRepository``: organisation roles per chat user id."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def roles_of(self, user_id: str) -> frozenset[Role]:
        """The organisation roles a user holds."""
        return frozenset(Role(r) for r in self.session.scalars(
            select(RoleRow.role).where(RoleRow.user_id == user_id)))

    def grant(self, user_id: str, role: Role) -> bool:
        """Give a role; False when the user had it already."""
        _require_organisation_role(role)
        ins = upsert_insert(self.session)
        result = cast(CursorResult[Any], self.session.execute(
            ins(RoleRow).values(user_id=user_id, role=role.value).on_conflict_do_nothing()
            # INSERT row counts are dropped unless asked for (psycopg reports -1 otherwise).
            .execution_options(preserve_rowcount=True)))
        return result.rowcount == 1

    def revoke(self, user_id: str, role: Role) -> bool:
        """Take a role away; False when the user did not have it."""
        result = cast(CursorResult[Any], self.session.execute(
            delete(RoleRow).where(RoleRow.user_id == user_id, RoleRow.role == role.value)
            .execution_options(synchronize_session=False)))
        return result.rowcount == 1

    def all(self) -> Sequence[tuple[str, Role]]:
        """Every (user, role) pair, sorted."""
        rows = self.session.execute(
            select(RoleRow.user_id, RoleRow.role).order_by(RoleRow.user_id, RoleRow.role))
        return [(user, Role(role)) for user, role in rows]

    def members(self, role: Role) -> Sequence[str]:
        """Users holding a role."""
        return list(self.session.scalars(
            select(RoleRow.user_id).where(RoleRow.role == role.value).order_by(RoleRow.user_id)))


def _require_organisation_role(role: Role) -> None:
    if role not in ORGANISATION_ROLES:
        choices = ", ".join(r.value for r in ORGANISATION_ROLES)
        raise ValueError(f"{role.value!r} is not an organisation role: choose one of {choices}")


def bootstrap_roles(uow_factory: UnitOfWorkFactory, mapping: dict[Role, list[str]]) -> int:
    """Grant the roles configured in settings (idempotent); returns how many were new."""
    granted = 0
    with uow_factory() as uow:
        for role, users in mapping.items():
            for user in users:
                cleaned = user.strip()
                if cleaned and uow.roles.grant(cleaned, role):
                    granted += 1
        uow.commit()
    return granted


# ---- outbox (write side) --------------------------------------------------------------


class SqlOutbox:
    """``cases.ports.Outbox``: notices become rows in the use case's own transaction."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock

    def add(self, notices: Iterable[Notice]) -> None:
        """Queue notices; one whose dedupe_key is already queued is ignored."""
        now = require_aware(self.clock.now())
        rows = [{"case_id": notice.case_id, "kind": notice.kind.value,
                 "payload": dict(notice.payload), "dedupe_key": notice.dedupe_key,
                 "created_at": now, "attempts": 0, "next_attempt_at": now}
                for notice in notices]
        if not rows:
            return
        # One executemany, in order. A NULL dedupe_key never conflicts (NULLs are distinct
        # in the unique index), so the same statement serves notices with and without.
        outbox = OutboxRow.__table__
        self.session.connection().execute(
            upsert_insert(self.session)(outbox)
            .on_conflict_do_nothing(index_elements=[outbox.c.dedupe_key]), rows)
