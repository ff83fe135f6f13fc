"""Finding cases by their normalised terms (``cases.search``), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from sqlalchemy import Table, bindparam, insert, intersect, select
from sqlalchemy.orm import Session

from cases.model import Case
from cases.search import key_range, search_terms
from storage import pg_rows
from storage.search_rows import CaseSearchTermRow

_TERMS = cast(Table, CaseSearchTermRow.__table__)
# Built once, bound parameters: every intake and save writes terms.
_TERMS_OF = select(_TERMS.c.term).where(_TERMS.c.case_id == bindparam("case_id"))
_TERM_INSERT = insert(_TERMS)


def index_case(session: Session, case: Case, *, keep_former: bool = False) -> None:
    """Write the case's terms: for a case just added (it has none yet); with ``keep_former``
    (a save, perhaps with corrected details) the new terms beside the ones already there, so
    a search by a detail since corrected (a subject-access request by an old email) still
    finds the case. Anonymising a case removes them all (``storage/records.py``)."""
    assert case.id is not None
    terms = search_terms(case.reference, case.intake)
    if keep_former:
        terms -= set(session.scalars(_TERMS_OF, {"case_id": case.id}))
    # Else nothing to delete: the case was added in this transaction (``add``, ``number``);
    # a term already there would fail the primary key loudly, not be kept silently.
    if terms:
        _insert_terms(session, [{"case_id": case.id, "term": term} for term in sorted(terms)])


def index_cases(session: Session, cases: Sequence[Case]) -> None:
    """Write the terms of cases just added (or numbered), all in one statement."""
    rows = [{"case_id": case.id, "term": term} for case in cases
            for term in sorted(search_terms(case.reference, case.intake))]
    if rows:
        _insert_terms(session, rows)


def _insert_terms(session: Session, rows: Sequence[Mapping[str, object]]) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        pg_rows.write(connection, pg_rows.TERMS, rows)
    else:
        connection.execute(_TERM_INSERT, rows)


def matching_ids(session: Session, keys: Sequence[str], *, limit: int) -> list[int]:
    """Ids of cases with, for every key, a term beginning with it; newest first."""
    if not keys:
        return []
    selects = []
    for key in keys:
        low, high = key_range(key)
        selects.append(select(_TERMS.c.case_id)
                       .where(_TERMS.c.term >= low, _TERMS.c.term < high))
    query = selects[0].distinct() if len(selects) == 1 else intersect(*selects)
    found = query.subquery()
    return list(session.scalars(select(found.c.case_id)
                                .order_by(found.c.case_id.desc()).limit(limit)))
