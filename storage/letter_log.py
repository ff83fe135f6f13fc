"""``cases.ports.LetterLog``: the communications log in the ``letters`` table.

An emailed letter's state is read from its outbox row, so the dispatcher's record of
delivery (sent, retrying, dead-lettered) is the log's: there is no second copy to drift.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    exists,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from cases.communications import LetterEntry, LetterState, outbox_key
from cases.delivery import EMAIL
from cases.errors import NotFound
from cases.letters import DeliveryMethod, LetterKind
from storage.models import CaseRow, LetterRow, OutboxRow


def _entry(row: Row[Any], prefix: str = "") -> LetterEntry:
    """A row of ``_LETTERS`` as the log's entry (its columns named ``prefix`` + name)."""
    m: Mapping[Any, Any] = row._mapping
    if prefix:
        m = {k[len(prefix):]: v for k, v in m.items() if k.startswith(prefix)}
    state = LetterState(m["state"])
    delivered_at = m["delivered_at"]
    if m["method"] == DeliveryMethod.EMAIL.value:
        state = (LetterState.SENT if delivered_at is not None
                 else LetterState.FAILED if m["dead_at"] is not None else LetterState.QUEUED)
    return LetterEntry(key=m["key"], case_id=m["case_id"], kind=LetterKind(m["kind"]),
                       method=DeliveryMethod(m["method"]), subject=m["subject"],
                       text=m["body"], sent_by=m["sent_by"], sent_at=m["sent_at"],
                       recipient=m["recipient"], resend_of=m["resend_of"], state=state,
                       error=m["last_error"], delivered_at=delivered_at, view=dict(m["view"]))


class SqlLetterLog:
    """Letters in the use case's own session (one transaction with the case change)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: LetterEntry) -> None:
        """Record a letter; an emailed one's outbox row is queued beside it."""
        self.session.add(LetterRow(
            key=entry.key, case_id=entry.case_id, kind=entry.kind.value,
            method=entry.method.value, subject=entry.subject, body=entry.text,
            view=dict(entry.view), recipient=entry.recipient, sent_by=entry.sent_by,
            sent_at=entry.sent_at, state=entry.state.value, resend_of=entry.resend_of,
            outbox_key=outbox_key(entry.key) if entry.method is DeliveryMethod.EMAIL
            else None))
        self.session.flush()

    def get(self, key: str) -> LetterEntry:
        """One letter by its key."""
        found = self.session.connection().execute(_LETTER_BY_KEY, {"key": key}).first()
        if found is None:
            raise NotFound(f"no letter {key}")
        return _entry(found)

    def for_case(self, case_id: int) -> Sequence[LetterEntry]:
        """The case's letters, oldest first."""
        rows = self.session.connection().execute(_LETTERS_OF_CASE, {"case_id": case_id})
        return [_entry(r) for r in rows]


# Of the tables' own columns, not the ORM's: the same SQL without the ORM's pass over the
# statement each time (75 -> 45 us for the letters-sent query, bench/README.md).
_L, _O = cast(Table, LetterRow.__table__), cast(Table, OutboxRow.__table__)


# A letter's email delivery in the outbox (none for a letter sent by post).
_ITS_EMAIL = and_(_O.c.surface == EMAIL, _O.c.dedupe_key == _L.c.outbox_key)


def _went() -> Any:  # a letter that went or is going: not an email dead-lettered
    return or_(_L.c.outbox_key.is_(None), _O.c.id.is_(None), _O.c.dead_at.is_(None))


# Each letter with its email's delivery (a letter by post has none), oldest first.
_DELIVERY = (_O.c.delivered_at, _O.c.dead_at, _O.c.last_error)
_LETTERS = select(_L, *_DELIVERY).outerjoin(_O, _ITS_EMAIL)
_LETTER_BY_KEY = _LETTERS.where(_L.c.key == bindparam("key"))
_LETTERS_OF_CASE = _LETTERS.where(_L.c.case_id == bindparam("case_id")).order_by(_L.c.id)


# Built once (every case load asks it): bound parameters, so the compiled SQL is cached.
_SENT_KINDS = (select(_L.c.case_id, _L.c.kind).distinct()
               .outerjoin(_O, _ITS_EMAIL)
               .where(_L.c.case_id.in_(bindparam("ids", expanding=True)), _went()))


def with_letters_sent(cases: Table, where: ColumnElement[bool]) -> Select[Any]:
    """The rows of ``cases`` that ``where`` picks, each once per letter of its case (once,
    with nulls, when it has none), with the letter's kind and whether it went: a case and
    its letters sent in one statement (``letters_sent_of`` reads them off the rows)."""
    return (select(cases, _L.c.kind.label("sent_kind"),
                   type_coerce(_went(), Boolean).label("sent_went"))
            .outerjoin(_L, _L.c.case_id == cases.c.id)
            .outerjoin(_O, _ITS_EMAIL)
            .where(where))


_LOGGED = "letter_"


def with_letters_logged(stmt: Select[Any]) -> Select[Any]:
    """A ``with_letters_sent`` statement with each row's whole letter too, as the log
    shows it (``letters_logged_of`` reads them off the rows)."""
    return stmt.add_columns(*(c.label(_LOGGED + c.name) for c in (*_L.c, *_DELIVERY)))


def letters_logged_of(rows: Iterable[Row[Any]]) -> list[LetterEntry]:
    """The case's letters, oldest first, from rows of ``with_letters_logged``."""
    return [_entry(r, _LOGGED) for r in sorted(
        (r for r in rows if r.letter_id is not None), key=lambda r: r.letter_id)]


def letters_sent_of(rows: Iterable[Row[Any]]) -> frozenset[str]:
    """The kinds of letter that went or are going, from rows of ``with_letters_sent``."""
    return frozenset(r.sent_kind for r in rows if r.sent_kind is not None and r.sent_went)


def sent_kinds(session: Session, case_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """Per case, the kinds of letter that went or are going (``Case.letters_sent``)."""
    if not case_ids:
        return {}
    rows = session.execute(_SENT_KINDS, {"ids": list(case_ids)})
    found: dict[int, set[str]] = {}
    for case_id, kind in rows:
        found.setdefault(case_id, set()).add(kind)
    return {case_id: frozenset(kinds) for case_id, kinds in found.items()}


def unsent_final_letters(session: Session, *, limit: int = 30
                         ) -> list[tuple[int, str, str | None]]:
    """(case id, reference, owner) of final cases whose final letter has not gone."""
    went = (select(_L.c.id).outerjoin(_O, _ITS_EMAIL)
            .where(_L.c.case_id == CaseRow.id,
                   _L.c.kind == LetterKind.FINAL_DECISION.value, _went()))
    rows = session.execute(
        select(CaseRow.id, CaseRow.reference, CaseRow.owner)
        .where(CaseRow.state == "final", ~exists(went))
        .order_by(CaseRow.id).limit(limit))
    return [(int(i), str(r), o) for i, r, o in rows]
