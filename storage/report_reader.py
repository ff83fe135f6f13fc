"""``cases.ports.ReportReader`` in SQL: the trends report's facts, counted by the database.

No case is loaded: each method selects plain columns (and a few intake and decision JSON
fields) and lets the database count with GROUP BY. A case's month and whether it is in
the period are worked out in SQL from the window's instants (business-time-zone
midnights, in UTC). Case lists (the cases behind a line, replies, repeat contacts) are
streamed in batches (``yield_per``), so memory does not grow with the number of cases.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Text,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from cases.intake import Category
from cases.model import DeadlineKind
from cases.report_facts import (
    REPORTED_DEADLINES,
    CaseGroup,
    ContactCase,
    DeadlineGroup,
    DeadlineStatus,
    RepeatContacts,
    Reply,
    Window,
    remedies_of,
)
from cases.report_model import CaseLink
from storage.models import CaseRow, DeadlineRow

BATCH = 2000
_received = CaseRow.received_at
# The intake's fields as the plain columns written with it (migration 0013).
_category = CaseRow.category
_subject = CaseRow.subject_user_id
_CONDUCT = Category.STAFF_CONDUCT.value


def _month(window: Window) -> ColumnElement[Any]:
    """The index of the month a case was received in (NULL: before the first month)."""
    bounds = window.months
    return case((_received < bounds[0], null()),
                *((_received < bounds[i + 1], literal(i)) for i in range(12)), else_=null())


def _in_period(window: Window) -> ColumnElement[Any]:
    return case((_received >= window.period[0], literal(1)), else_=literal(0))


def _placed(window: Window) -> ColumnElement[bool]:
    """Received in a month of the four quarters or in the period, up to its end."""
    return and_(_received >= window.since, _received < window.period[1])


def _period(window: Window) -> ColumnElement[bool]:
    return and_(_received >= window.period[0], _received < window.period[1])


def _learning() -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """The root cause, remedies (JSON text) and amount that count: the final decision's
    learning when it records a cause, else Stage One's (as ``Case`` reads them)."""
    d_cause = CaseRow.decision[("learning", "root_cause")].as_string()
    from_decision = func.coalesce(d_cause, "") != ""
    from_stage_one = func.coalesce(CaseRow.root_cause, "") != ""
    cause = case((from_decision, d_cause), (from_stage_one, CaseRow.root_cause), else_=null())
    remedies = case((from_decision, cast(CaseRow.decision[("learning", "remedies")], Text)),
                    (from_stage_one, cast(CaseRow.remedies, Text)), else_=null())
    amount = case((from_decision, CaseRow.decision[("learning", "amount_pence")].as_integer()),
                  (from_stage_one, CaseRow.remedy_amount_pence), else_=null())
    return cause, remedies, amount


def _deadline_status(now: datetime) -> ColumnElement[Any]:
    late = DeadlineRow.met_at > DeadlineRow.original_due_at
    return case(
        (DeadlineRow.met_at.is_not(None),
         case((late, DeadlineStatus.LATE.value), else_=DeadlineStatus.ON_TIME.value)),
        (DeadlineRow.retired_at.is_not(None), DeadlineStatus.RETIRED.value),
        (DeadlineRow.original_due_at < now, DeadlineStatus.OVERDUE.value),
        else_=DeadlineStatus.NOT_YET_DUE.value)


def _grouped(inner: Select[Any], *sums: str) -> Select[Any]:
    """GROUP BY every column of ``inner`` but ``sums`` (in a subquery, so that the bound
    instants of its CASE expressions are not repeated in the GROUP BY), with a count and
    the totals of ``sums``."""
    sub = inner.subquery()
    keys = [c for c in sub.c if c.name not in sums]
    return select(*keys, func.count(),
                  *(func.coalesce(func.sum(sub.c[name]), 0) for name in sums)).group_by(*keys)


_Ts = TypeVarTuple("_Ts")


class SqlReportReader:
    """The report's facts on one session (the unit of work's)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _streamed(self, stmt: Select[*_Ts]) -> Iterator[Row[*_Ts]]:
        """``stmt``'s rows, fetched ``BATCH`` at a time.

        On PostgreSQL that is a server-side cursor, which lives only inside a
        transaction; a reader's connection runs in autocommit (``storage.readers``), so
        there the rows are read in a read-only transaction block of the same connection,
        not on a second one from the pool (many reports at once would take two each).
        """
        batched = stmt.execution_options(yield_per=BATCH)
        conn = self.session.connection()
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            yield from self.session.execute(batched)
            return
        driver = conn.connection.dbapi_connection
        assert driver is not None
        driver.read_only = True  # the block begins READ ONLY
        try:
            with driver.transaction():  # psycopg: BEGIN, and COMMIT or ROLLBACK at the end
                yield from conn.execute(batched)
        finally:
            driver.read_only = False  # as storage.readers leaves every connection

    def case_groups(self, window: Window) -> Iterator[CaseGroup]:
        """Cases of the months or period, equal facts counted together by the database."""
        cause, remedies, amount = _learning()
        inner = select(
            _month(window).label("month"), _in_period(window).label("in_period"),
            _category.label("category"), CaseRow.channel.label("channel"),
            CaseRow.relationship.label("relationship"),
            CaseRow.state.label("state"), CaseRow.resolution.is_not(None).label("resolved"),
            CaseRow.investigator.is_not(None).label("investigated"),
            CaseRow.outcome.label("outcome"), CaseRow.replied_at.is_not(None).label("replied"),
            CaseRow.review_requested_at.is_not(None).label("review_requested"),
            CaseRow.decision["outcome"].as_string().label("decision_outcome"),
            cause.label("root_cause"), remedies.label("remedies"),
            case((and_(_category == _CONDUCT, func.coalesce(_subject, "") != ""), _subject),
                 else_=null()).label("subject"),
            amount.label("amount"),
        ).where(_placed(window))
        for row in self.session.execute(_grouped(inner, "amount")):
            (month, in_period, category, channel, relationship, state, resolved,
             investigated, outcome, replied, review, decision, root_cause, remedy_text,
             subject, count, refunded) = row
            yield CaseGroup(
                month=month, in_period=bool(in_period), category=category, channel=channel,
                relationship=relationship, state=state, resolved=bool(resolved),
                investigated=bool(investigated), outcome=outcome or None,
                replied=bool(replied), review_requested=bool(review),
                decision_outcome=decision, root_cause=root_cause,
                remedies=remedies_of(remedy_text) if root_cause is not None else (),
                subject=subject, count=count, refunded_pence=int(refunded))

    def deadline_groups(self, window: Window, now: datetime) -> Iterator[DeadlineGroup]:
        """Reported deadlines by month, period, kind and standing at ``now``."""
        inner = (select(_month(window).label("month"), _in_period(window).label("in_period"),
                        DeadlineRow.kind.label("kind"), _deadline_status(now).label("status"))
                 .join(CaseRow, CaseRow.id == DeadlineRow.case_id)
                 .where(_placed(window),
                        DeadlineRow.kind.in_([k.value for k in REPORTED_DEADLINES])))
        for month, in_period, kind, status, count in self.session.execute(_grouped(inner)):
            yield DeadlineGroup(month, bool(in_period), DeadlineKind(kind),
                                DeadlineStatus(status), count)

    def replies(self, window: Window) -> Iterator[Reply]:
        """One row per case replied with an outcome, streamed."""
        stmt = (select(_month(window), _in_period(window), CaseRow.effective_receipt,
                       CaseRow.replied_at)
                .where(_placed(window), CaseRow.outcome.is_not(None),
                       CaseRow.replied_at.is_not(None)))
        for month, in_period, effective, replied_at in self._streamed(stmt):
            yield Reply(month, bool(in_period), effective, replied_at)

    def _links(self, stmt: Select[int, str]) -> list[CaseLink]:
        return [CaseLink(i, ref) for i, ref in self._streamed(stmt)]

    def category_cases(self, window: Window, category: str, limit: int | None
                       ) -> Sequence[CaseLink]:
        """The period's cases of one category, by id."""
        stmt = (select(CaseRow.id, CaseRow.reference)
                .where(_period(window), _category == category).order_by(CaseRow.id))
        return self._links(stmt.limit(limit) if limit is not None else stmt)

    def breached_cases(self, window: Window, kind: DeadlineKind, now: datetime
                       ) -> Sequence[CaseLink]:
        """The period's cases whose deadline of ``kind`` was met late or is overdue."""
        open_late = and_(DeadlineRow.met_at.is_(None), DeadlineRow.retired_at.is_(None),
                         DeadlineRow.original_due_at < now)
        return self._links(
            select(CaseRow.id, CaseRow.reference)
            .join(DeadlineRow, DeadlineRow.case_id == CaseRow.id)
            .where(_period(window), DeadlineRow.kind == kind.value,
                   or_(DeadlineRow.met_at > DeadlineRow.original_due_at, open_late))
            .order_by(CaseRow.id))

    def subject_cases(self, window: Window, subjects: frozenset[str]
                      ) -> Sequence[tuple[str, CaseLink]]:
        """The period's staff-conduct cases about these subjects, by id."""
        stmt = (select(_subject, CaseRow.id, CaseRow.reference)
                .where(_period(window), _category == _CONDUCT, _subject.in_(sorted(subjects)))
                .order_by(CaseRow.id))
        return [(str(s), CaseLink(i, ref)) for s, i, ref in self.session.execute(stmt)]

    def _repeated(self, window: Window, least: int) -> tuple[Any, Any]:
        """The contact keys of the window's cases, and those given by ``least`` or more
        (with their first case and number of cases)."""
        lo, hi = window.contacts
        keys = union_all(*(
            select(CaseRow.id.label("id"), CaseRow.reference.label("reference"),
                   column.label("key"))
            .where(_received >= lo, _received < hi, column.is_not(None))
            for column in (CaseRow.contact_email_key, CaseRow.contact_phone_key))
        ).cte("keys").prefix_with("MATERIALIZED")
        repeated = (select(keys.c.key, func.min(keys.c.id).label("first"),
                           func.count().label("n"))
                    .group_by(keys.c.key).having(func.count() >= least)
                    .cte("repeated").prefix_with("MATERIALIZED"))
        return keys, repeated

    def repeat_contacts(self, window: Window, least: int, limit: int) -> RepeatContacts:
        """The complainants and cases behind the repeated keys, and the first ``limit`` of
        those keys' cases (by the key's first case, the key, the case: a top-N sort), in
        one statement, so the keys are grouped once."""
        keys, repeated = self._repeated(window, least)
        stmt = (select(repeated.c.key, repeated.c.first, keys.c.id, keys.c.reference,
                       self._people(keys, repeated), self._cases(keys, repeated))
                .join(keys, keys.c.key == repeated.c.key)
                .order_by(repeated.c.first, repeated.c.key, keys.c.id).limit(limit))
        rows = self.session.execute(stmt).all()
        if not rows:
            return RepeatContacts(0, 0, ())
        return RepeatContacts(int(rows[0][4]), int(rows[0][5]), tuple(
            ContactCase(key, first, CaseLink(case_id, reference))
            for key, first, case_id, reference, _, _ in rows))

    @staticmethod
    def _people(keys: Any, repeated: Any) -> Any:
        """Repeated keys less those on the very cases of another (a person's email and
        phone): such twins share their first case and number of cases, and meet on every
        one of those cases (a case has one email and one phone)."""
        mine, other = keys.alias("mine"), keys.alias("other")
        a, b = repeated.alias("a"), repeated.alias("b")
        twins = (select(a.c.key)
                 .select_from(mine.join(other, and_(other.c.id == mine.c.id,
                                                    other.c.key < mine.c.key))
                              .join(a, a.c.key == mine.c.key)
                              .join(b, and_(b.c.key == other.c.key, b.c.first == a.c.first,
                                            b.c.n == a.c.n)))
                 .group_by(a.c.key, b.c.key, a.c.n).having(func.count() == a.c.n)
                 .subquery())
        return (select(func.count()).select_from(repeated).scalar_subquery()
                - select(func.count()).select_from(twins).scalar_subquery())

    @staticmethod
    def _cases(keys: Any, repeated: Any) -> Any:
        """The distinct cases of the repeated keys."""
        return (select(func.count(distinct(keys.c.id)))
                .join(repeated, repeated.c.key == keys.c.key).scalar_subquery())
