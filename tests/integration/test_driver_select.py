"""The case load read on the driver's cursor (``storage.driver_select``) gives the rows
SQLAlchemy gives for the same statement: every column, typed the same, on both databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import Engine, bindparam, column, select, table
from sqlalchemy.orm import Session

from cases.clock import FrozenClock
from cases.communications import LetterEntry, LetterState
from cases.letters import DeliveryMethod, LetterKind
from cases.model import Case, Deadline, DeadlineKind
from cases.roles import Role
from storage.case_load import case_by_id, case_rows
from storage.driver_select import DriverSelect
from storage.uow import SqlUnitOfWorkFactory
from tests.fakes import intake_record
from tests.integration.conftest import NOW


def _a_case_with_everything(engine: Engine) -> int:
    uow_factory = SqlUnitOfWorkFactory(engine, FrozenClock(NOW))
    due = NOW + timedelta(days=3, microseconds=123456)
    deadlines = {DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT: Deadline(
        kind=DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, due_at=due, original_due_at=due,
        started_at=NOW, met_at=due - timedelta(hours=1))}
    case = Case(reference="TT-2026-0001", intake=intake_record(), received_at=NOW,
                effective_receipt=NOW.date(), logged_by="U0LOG", logged_at=NOW,
                owner="U0OWN", promised_reply_by=NOW.date() + timedelta(days=20),
                deadlines=deadlines)
    with uow_factory() as uow:
        uow.cases.add(case)
        assert case.id is not None
        uow.roles.grant("U0CS", Role.CUSTOMER_SERVICES)
        uow.roles.grant("U0CS", Role.DIRECTOR)
        for n, (method, state) in enumerate([(DeliveryMethod.EMAIL, LetterState.FAILED),
                                             (DeliveryMethod.PHONE, LetterState.TOLD)]):
            uow.letters.add(LetterEntry(
                key=f"letter-{n}", case_id=case.id, kind=LetterKind.STAGE_ONE_ACKNOWLEDGEMENT,
                method=method, subject="Your complaint", text="Dear Ada,\nWe have it.",
                sent_by="U0OWN", sent_at=NOW + timedelta(minutes=n), state=state,
                recipient="ada@example.com" if method is DeliveryMethod.EMAIL else None,
                error="550 mailbox unavailable" if state is LetterState.FAILED else None,
                view={"kind": "stage_one_acknowledgement", "n": n}))
        uow.commit()
    return case.id


@pytest.mark.parametrize(("user", "letters"), [(None, False), ("U0CS", False),
                                                ("U0CS", True), ("U0NOBODY", True)])
def test_the_driver_read_gives_sqlalchemys_rows_column_for_column(
        engine: Engine, user: str | None, letters: bool) -> None:
    case_id = _a_case_with_everything(engine)
    stmt = case_by_id(engine.dialect.name, with_roles=user is not None, with_letters=letters)
    params: dict[str, Any] = {"case_id": case_id}
    if user is not None:
        params["user_id"] = user
    with Session(engine) as session:
        expected = list(session.execute(stmt, params))
        got = case_rows(session.connection(), case_id, user, letters=letters)
        assert case_rows(session.connection(), case_id + 1, user, letters=letters) == []
    assert len(got) == len(expected) >= 1
    for driver_row, row in zip(got, expected, strict=True):
        assert driver_row._fields == row._fields
        assert driver_row._mapping == row._mapping
        for name, value, want in zip(row._fields, driver_row, row, strict=True):
            assert (type(value), value) == (type(want), want), name
    if user is not None:
        assert got[0].user_roles == expected[0].user_roles


def test_a_driver_error_is_raised_as_sqlalchemy_raises_it_even_inside_a_transaction(
        engine: Engine) -> None:
    missing = DriverSelect(select(column("x")).select_from(table("no_such_table"))
                           .where(column("x") == bindparam("x")), engine.dialect, {"x": 1})
    with Session(engine) as session:
        connection = session.connection()  # a transaction begun, as a writer's is
        with pytest.raises(sqlalchemy.exc.DBAPIError) as raised:
            missing.rows(connection, {"x": 1})
        with pytest.raises(sqlalchemy.exc.DBAPIError) as through_sqlalchemy:
            session.rollback()
            session.execute(missing.stmt, {"x": 1})
    # The driver's own error, wrapped as SQLAlchemy wraps it: not what a second try says.
    assert type(raised.value) is type(through_sqlalchemy.value)
    assert type(raised.value.orig) is type(through_sqlalchemy.value.orig)
    assert "no_such_table" in str(raised.value.orig)
    assert not raised.value.connection_invalidated


def test_a_statement_expanding_a_list_is_not_kept_compiled(engine: Engine) -> None:
    listed = select(column("x")).where(column("x").in_(bindparam("xs", expanding=True)))
    with pytest.raises(ValueError, match="expands a list"):
        DriverSelect(listed, engine.dialect, {"xs": [1, 2]})
