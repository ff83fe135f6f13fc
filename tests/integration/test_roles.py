"""SqlRoleRepository and the settings bootstrap."""

from __future__ import annotations

import pytest

from cases.people import AccountKind
from cases.roles import Role
from storage.role_repository import bootstrap_roles
from storage.uow import SqlUnitOfWorkFactory


def test_grant_and_revoke_report_whether_anything_changed(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.roles.grant("U0B", Role.DIRECTOR) is True
        assert uow.roles.grant("U0B", Role.DIRECTOR) is False
        assert uow.roles.grant("U0A", Role.DIRECTOR) is True
        assert uow.roles.grant("U0A", Role.HR_MANAGER) is True
        uow.commit()
    with uow_factory() as uow:
        assert uow.roles.roles_of("U0A") == {Role.DIRECTOR, Role.HR_MANAGER}
        assert uow.roles.members(Role.DIRECTOR) == ["U0A", "U0B"]
        assert uow.roles.all() == [("U0A", Role.DIRECTOR), ("U0A", Role.HR_MANAGER),
                                   ("U0B", Role.DIRECTOR)]
        assert uow.roles.revoke("U0A", Role.DIRECTOR) is True
        assert uow.roles.revoke("U0A", Role.DIRECTOR) is False
        uow.commit()
    with uow_factory() as uow:
        assert uow.roles.roles_of("U0A") == {Role.HR_MANAGER}
        assert uow.roles.roles_of("U0NOBODY") == frozenset()


def test_only_organisation_roles_can_be_granted(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow, pytest.raises(ValueError, match="not an organisation role"):
        uow.roles.grant("U0A", Role.OWNER)


def test_bootstrap_roles_is_idempotent(uow_factory: SqlUnitOfWorkFactory) -> None:
    mapping = {Role.CUSTOMER_SERVICES: ["U0CS", " u0cs2 ", ""], Role.DIRECTOR: ["U0DIR"]}

    assert bootstrap_roles(uow_factory, mapping) == 3
    assert bootstrap_roles(uow_factory, mapping) == 0
    with uow_factory() as uow:
        # Settings name Slack users; the roles are held by their people (upper-cased ids).
        slack = {p.id: str(p.account(AccountKind.SLACK)) for p in uow.people.list()}
        assert sorted(slack[m] for m in uow.roles.members(Role.CUSTOMER_SERVICES)) == [
            "slack:U0CS", "slack:U0CS2"]


def test_bootstrap_roles_refuses_what_is_not_a_slack_user_id(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    with pytest.raises(ValueError, match="not a Slack user id"):
        bootstrap_roles(uow_factory, {Role.DIRECTOR: ["U0DIR", "ada@example.com"]})
    with uow_factory() as uow:
        assert uow.roles.members(Role.DIRECTOR) == [] and uow.people.list() == []


def test_uncommitted_unit_of_work_is_rolled_back(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.roles.grant("U0GONE", Role.DIRECTOR)
    with pytest.raises(RuntimeError), uow_factory() as uow:
        uow.roles.grant("U0GONE", Role.DIRECTOR)
        raise RuntimeError("boom")
    with uow_factory() as uow:
        assert uow.roles.roles_of("U0GONE") == frozenset()
