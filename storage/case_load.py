"""One case by id in one statement: the case, the letters it sent, its deadlines and, for a
button, the roles of whoever clicked it (``SqlCaseRepository.get`` and ``get_with_roles``).

Each statement is a round trip on PostgreSQL and costs about 340 us of CPU through
SQLAlchemy and psycopg whatever its size (bench/README.md, "Sixth round"), so what every
button reads is read at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from weakref import WeakKeyDictionary

from sqlalchemy import (
    JSON,
    Connection,
    Dialect,
    Select,
    Table,
    bindparam,
    func,
    select,
    type_coerce,
)

from cases.errors import NotFound
from cases.model import Case
from storage.case_rows import DEADLINE_COLUMNS, case_from_row, deadlines_from_json
from storage.driver_select import DriverSelect
from storage.letter_log import letters_sent_of, with_letters_logged, with_letters_sent
from storage.models import CaseRow, DeadlineRow, RoleRow

_CASES = cast(Table, CaseRow.__table__)
_DEADLINES = cast(Table, DeadlineRow.__table__)


def case_by_id(dialect: str, *, with_roles: bool = False, with_letters: bool = False
               ) -> Select[Any]:
    """One case by id with the letters it sent and its deadlines, in one statement: two
    round trips fewer per load than ``_load``'s three (every button on a case loads it).
    The deadlines come as one JSON array of arrays (``DEADLINE_COLUMNS``), in the
    dialect's own aggregate. ``with_roles``: and the roles of ``:user_id``, comma-separated
    (the button's permission check: one more round trip saved). ``with_letters``: and
    each letter whole, for the communications log (View details). Built on first use."""
    stmt = _CASE_LOADS.get((dialect, with_roles, with_letters))
    if stmt is None:
        columns = [_DEADLINES.c[name] for name in DEADLINE_COLUMNS]
        rows = (func.json_agg(func.json_build_array(*columns)) if dialect == "postgresql"
                else func.json_group_array(func.json_array(*columns)))
        deadlines = (select(type_coerce(rows, JSON)).where(_DEADLINES.c.case_id == _CASES.c.id)
                     .scalar_subquery().label("deadlines_json"))
        stmt = with_letters_sent(_CASES, _CASES.c.id == bindparam("case_id")
                                 ).add_columns(deadlines)
        if with_roles:
            stmt = stmt.add_columns(
                select(func.aggregate_strings(_ROLES.c.role, ","))
                .where(_ROLES.c.user_id == bindparam("user_id"))
                .scalar_subquery().label("user_roles"))
        if with_letters:
            stmt = with_letters_logged(stmt)
        _CASE_LOADS[(dialect, with_roles, with_letters)] = stmt
    return stmt


_CASE_LOADS: dict[tuple[str, bool, bool], Select[Any]] = {}
_ROLES = cast(Table, RoleRow.__table__)
# Per dialect object (its processors are its own), then per variant.
_DRIVER_LOADS: WeakKeyDictionary[Dialect, dict[tuple[bool, bool], DriverSelect]] = (
    WeakKeyDictionary())


def case_rows(connection: Connection, case_id: int, user_id: str | None = None, *,
              letters: bool = False) -> list[Any]:
    """The rows of ``case_by_id`` for ``case_id`` (and with ``user_id``, that person's
    roles; with ``letters``, the communications log), read on the driver's cursor
    (``storage.driver_select``): every button on a case runs this statement."""
    dialect = connection.dialect
    roles = user_id is not None
    params: dict[str, Any] = {"case_id": case_id}
    if roles:
        params["user_id"] = user_id
    loads = _DRIVER_LOADS.setdefault(dialect, {})
    select_ = loads.get((roles, letters))
    if select_ is None:
        select_ = DriverSelect(case_by_id(dialect.name, with_roles=roles, with_letters=letters),
                               dialect, params)
        loads[(roles, letters)] = select_
    return select_.rows(connection, params)


def case_of_rows(rows: Sequence[Any], case_id: int) -> Case:
    """The case from the rows of ``case_by_id``; NotFound when there are none."""
    if not rows:
        raise NotFound(f"No case with id {case_id}.")
    case = case_from_row(rows[0], deadlines_from_json(rows[0].deadlines_json))
    case.letters_sent = letters_sent_of(rows)
    return case
