"""``cases.ports.RoleRepository`` on SQLAlchemy, and the roles granted from settings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, delete, select
from sqlalchemy.orm import Session

from cases.people import AccountKind, validate_account
from cases.ports import UnitOfWorkFactory
from cases.roles import ORGANISATION_ROLES, Role
from storage.db import upsert_insert
from storage.models import RoleRow

# Built once: asked on every button and command.
_ROLE_ROWS = cast(Table, RoleRow.__table__)
# The table's columns, not the ORM's: asked on every button, and the same SQL either way.
_ROLES_OF = select(_ROLE_ROWS.c.role).where(_ROLE_ROWS.c.user_id == bindparam("user_id"))


class SqlRoleRepository:
    """``cases.ports.RoleRepository``: organisation roles per chat user id."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def roles_of(self, user_id: str) -> frozenset[Role]:
        """The organisation roles a user holds."""
        return frozenset(Role(r) for r in self.session.scalars(_ROLES_OF,
                                                                {"user_id": user_id}))

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
    """Grant the roles configured in settings (idempotent); returns how many were new.

    Settings name people by Slack id (upper-cased and checked: ValueError names a bad
    one); each becomes the person with that Slack account, created on first sight.
    """
    accounts = {role: [validate_account(AccountKind.SLACK, u.strip().upper())
                       for u in users if u.strip()] for role, users in mapping.items()}
    granted = 0
    with uow_factory() as uow:
        for role, listed in accounts.items():
            for account in listed:
                person = uow.people.get_or_create_for_account(
                    account.kind, account.external_id, account.external_id)
                if uow.roles.grant(person.id, role):
                    granted += 1
        uow.commit()
    return granted
