"""``cases.ports.RecordsStore`` on SQL: holds, anonymisation in every table, exports, the
access log and the once-a-day claim of the retention job."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, exists, select, update
from sqlalchemy.orm import Session

from cases.anonymise import (
    ANONYMISED_PERSON,
    PLACEHOLDER,
    anonymised_details,
    anonymised_letter_view,
    scrub,
)
from cases.model import Case, State
from cases.people import AccountKind
from cases.records import (
    ACCESS_ACTIONS,
    AccessEntry,
    ExpiredCase,
    Hold,
    HowAnonymised,
    MatchBy,
)
from cases.search import fold, terms_of
from storage.case_rows import case_values
from storage.db import upsert_insert
from storage.models import (
    AlertRow,
    CaseEventRow,
    CaseRow,
    DeadlineRow,
    LetterRow,
    MessageRefRow,
    OutboxRow,
    PersonAccountRow,
    PersonRow,
    RoleRow,
)
from storage.records_rows import AnonymisedCaseRow, DailyJobRunRow, LegalHoldRow, RecordExportRow
from storage.search_rows import CaseSearchTermRow

_EVENTS = cast(Table, CaseEventRow.__table__)
_ENDED = sorted(s.value for s in (State.CLOSED, State.FINAL, State.WITHDRAWN))


def _count(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)


class SqlRecordsStore:
    """Records work in the use case's own session (one transaction with its history)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- holds

    def hold(self, case_id: int, *, reason: str, by: str, at: datetime) -> bool:
        """Place a legal hold; False when the case is held already."""
        stmt = (upsert_insert(self.session)(LegalHoldRow.__table__)
                .values(case_id=case_id, reason=reason, held_by=by, held_at=at)
                .on_conflict_do_nothing(index_elements=["case_id"])
                .returning(LegalHoldRow.__table__.c.case_id))
        return self.session.execute(stmt).first() is not None

    def release(self, case_id: int) -> bool:
        """Lift the hold; False when there was none."""
        return _count(self.session.execute(
            delete(LegalHoldRow).where(LegalHoldRow.case_id == case_id))) == 1

    def holds(self) -> Sequence[Hold]:
        """Every hold, oldest first."""
        rows = self.session.execute(
            select(LegalHoldRow, CaseRow.reference)
            .join(CaseRow, CaseRow.id == LegalHoldRow.case_id).order_by(LegalHoldRow.held_at))
        return [Hold(h.case_id, ref, h.reason, h.held_by, h.held_at) for h, ref in rows]

    def is_held(self, case_id: int) -> bool:
        """Whether the case is on legal hold."""
        return self.session.get(LegalHoldRow, case_id) is not None

    def anonymised_at(self, case_id: int) -> datetime | None:
        """When the case was anonymised, if it was."""
        row = self.session.get(AnonymisedCaseRow, case_id)
        return row.anonymised_at if row is not None else None

    def expired(self, closed_before: datetime) -> Sequence[ExpiredCase]:
        """Ended cases closed at or before then, not yet anonymised, oldest first."""
        held = exists().where(LegalHoldRow.case_id == CaseRow.id)
        done = exists().where(AnonymisedCaseRow.case_id == CaseRow.id)
        rows = self.session.execute(
            select(CaseRow.id, CaseRow.reference, CaseRow.closed_at, held)
            .where(CaseRow.state.in_(_ENDED), CaseRow.closed_at.is_not(None),
                   CaseRow.closed_at <= closed_before, ~done)
            .order_by(CaseRow.closed_at, CaseRow.id))
        return [ExpiredCase(r[0], r[1], r[2], bool(r[3])) for r in rows if r[2] is not None]

    # -- anonymising and deleting

    def anonymise(self, before: Case, after: Case, secrets: frozenset[str], *,
                  how: HowAnonymised, at: datetime) -> None:
        """Replace the case's personal data in every table that keeps any of it."""
        case_id = before.id
        assert case_id is not None
        session = self.session
        session.execute(update(CaseRow).where(CaseRow.id == case_id)
                        .values(version=CaseRow.version + 1, **case_values(after))
                        .execution_options(synchronize_session=False))
        events = session.execute(select(CaseEventRow.id, CaseEventRow.details)
                                 .where(CaseEventRow.case_id == case_id)).all()
        if events:
            session.execute(
                update(_EVENTS).where(_EVENTS.c.id == bindparam("event_id"))
                .values(details=bindparam("new_details")),
                [{"event_id": i, "new_details": anonymised_details(d or {}, secrets)}
                 for i, d in events])
        self._letters(case_id, secrets)
        # Every message queued for the case, sent or not: copies of what it said.
        session.execute(delete(OutboxRow).where(OutboxRow.case_id == case_id))
        session.execute(delete(CaseSearchTermRow).where(CaseSearchTermRow.case_id == case_id))
        session.add_all(CaseSearchTermRow(case_id=case_id, term=t)
                        for t in terms_of(before.reference, name=None, organisation=None,
                                          email=None, phone=None))
        self._people(secrets)
        session.add(AnonymisedCaseRow(case_id=case_id, anonymised_at=at, how=how.value))
        session.flush()

    def _letters(self, case_id: int, secrets: frozenset[str]) -> None:
        for row in self.session.scalars(select(LetterRow).where(LetterRow.case_id == case_id)):
            row.body = PLACEHOLDER
            row.recipient = None
            row.subject = scrub(row.subject, secrets)
            row.view = anonymised_letter_view(row.view or {}, secrets)

    def _people(self, secrets: frozenset[str]) -> None:
        """The complainant as a person (an email account of theirs): unlinked, renamed."""
        accounts = self.session.execute(
            select(PersonAccountRow.id, PersonAccountRow.person_id,
                   PersonAccountRow.external_id)
            .where(PersonAccountRow.kind == AccountKind.EMAIL.value)).all()
        theirs = [(i, p) for i, p, ext in accounts if fold(ext) in secrets]
        if not theirs:
            return
        self.session.execute(delete(PersonAccountRow).where(
            PersonAccountRow.id.in_([i for i, _ in theirs])))
        for person_id in {p for _, p in theirs}:
            staff = self.session.scalar(select(exists().where(RoleRow.user_id == person_id)))
            others = self.session.scalar(select(exists().where(
                PersonAccountRow.person_id == person_id)))
            if not staff and not others:
                self.session.execute(update(PersonRow).where(PersonRow.id == person_id)
                                     .values(display_name=ANONYMISED_PERSON))

    def delete_case(self, case_id: int) -> None:
        """Delete the case and everything kept about it (children first)."""
        for table in (CaseSearchTermRow, MessageRefRow, AlertRow, OutboxRow, LetterRow,
                      DeadlineRow, CaseEventRow, LegalHoldRow, AnonymisedCaseRow):
            self.session.execute(delete(table).where(table.case_id == case_id))
        self.session.execute(delete(CaseRow).where(CaseRow.id == case_id))

    # -- exports and the access log

    def record_export(self, *, at: datetime, by: str, match_by: MatchBy,
                      references: Sequence[str]) -> int:
        """Record that an export happened (never what it searched for); returns its id."""
        row = RecordExportRow(at=at, exported_by=by, matched_by=match_by.value,
                              case_references=list(references))
        self.session.add(row)
        self.session.flush()
        return row.id

    def access_log(self, *, reference: str | None = None, actor: str | None = None,
                   start: datetime | None = None, end: datetime | None = None
                   ) -> Sequence[AccessEntry]:
        """Views, search hits and exports (exports that found nothing too), oldest first."""
        stmt = (select(CaseEventRow.at, CaseEventRow.actor, CaseEventRow.action,
                       CaseEventRow.details, CaseRow.reference)
                .join(CaseRow, CaseRow.id == CaseEventRow.case_id)
                .where(CaseEventRow.action.in_(ACCESS_ACTIONS)))
        if reference is not None:
            stmt = stmt.where(CaseRow.reference == reference)
        if actor is not None:
            stmt = stmt.where(CaseEventRow.actor == actor)
        if start is not None:
            stmt = stmt.where(CaseEventRow.at >= start)
        if end is not None:
            stmt = stmt.where(CaseEventRow.at < end)
        entries = [AccessEntry(at, who, action, ref, _via(action, details or {}))
                   for at, who, action, details, ref in self.session.execute(stmt)]
        if reference is None:
            entries += self._empty_exports(actor, start, end)
        return sorted(entries, key=lambda e: e.at)

    def _empty_exports(self, actor: str | None, start: datetime | None,
                       end: datetime | None) -> list[AccessEntry]:
        stmt = select(RecordExportRow)
        if actor is not None:
            stmt = stmt.where(RecordExportRow.exported_by == actor)
        if start is not None:
            stmt = stmt.where(RecordExportRow.at >= start)
        if end is not None:
            stmt = stmt.where(RecordExportRow.at < end)
        return [AccessEntry(r.at, r.exported_by, "exported", None,
                            f"export {r.id} by {r.matched_by}: no case matched")
                for r in self.session.scalars(stmt) if not r.case_references]

    # -- housekeeping

    def prune_delivered_outbox(self, before: datetime) -> int:
        """Delete outbox rows delivered before then; returns how many."""
        return _count(self.session.execute(
            delete(OutboxRow).where(OutboxRow.delivered_at.is_not(None),
                                    OutboxRow.delivered_at < before)))

    def claim_daily_run(self, job: str, day: date, worker: str, at: datetime) -> bool:
        """Insert-if-absent (job, day): exactly one transaction across processes wins it.

        On PostgreSQL a second claimer waits on the first's uncommitted row, then finds it
        (or, if the first rolled back, takes the claim itself).
        """
        stmt = (upsert_insert(self.session)(DailyJobRunRow.__table__)
                .values(job=job, day=day, worker=worker[:128], claimed_at=at)
                .on_conflict_do_nothing(index_elements=["job", "day"])
                .returning(DailyJobRunRow.__table__.c.job))
        return self.session.execute(stmt).first() is not None


def _via(action: str, details: dict[str, Any]) -> str | None:
    if action == "exported":
        return f"export {details.get('export')} by {details.get('matched_by')}"
    if action == "found":
        return "search"
    via = details.get("via")
    return str(via) if via else None
