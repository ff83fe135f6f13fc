"""Person ids and accounts as typed on the command line; the in-memory people fake."""

from __future__ import annotations

import pytest

from cases.errors import NotFound
from cases.people import (
    PERSON_ID,
    Account,
    AccountKind,
    AccountTaken,
    is_slack_user_id,
    new_person_id,
    parse_account,
)
from tests.fakes import InMemoryUnitOfWorkFactory


@pytest.mark.parametrize(("text", "account"), [
    ("slack:U012ABC", Account(AccountKind.SLACK, "U012ABC")),
    ("U012ABC", Account(AccountKind.SLACK, "U012ABC")),
    (" W0ENTERPRISE ", Account(AccountKind.SLACK, "W0ENTERPRISE")),
    ("email:Ada@Example.com", Account(AccountKind.EMAIL, "ada@example.com")),
    ("teams:29:1abc-def", Account(AccountKind.TEAMS, "29:1abc-def")),
])
def test_accounts_are_read_and_written_as_kind_colon_id(text: str, account: Account) -> None:
    assert parse_account(text) == account
    assert parse_account(str(account)) == account


@pytest.mark.parametrize(("text", "problem"), [
    ("slack:u012abc", "not a Slack user id"),
    ("slack:U1", "not a Slack user id"),
    ("slack:C012ABC", "not a Slack user id"),  # a channel, not a user
    ("email:ada", "not an email address"),
    ("teams:", "not a teams id"),
    ("phone:0123", "not an account"),
    ("ada", "not an account"),
])
def test_malformed_accounts_are_refused_saying_why(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_account(text)


def test_person_ids_are_opaque_and_never_look_like_slack_ids() -> None:
    ids = {new_person_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(PERSON_ID.fullmatch(i) and len(i) <= 32 and not is_slack_user_id(i)
               for i in ids)
    assert is_slack_user_id("U012ABC") and not is_slack_user_id("system")


def test_the_fake_keeps_one_person_per_account_and_applies_on_commit() -> None:
    uow = InMemoryUnitOfWorkFactory()
    with uow() as u:
        ada = u.people.get_or_create_for_account(AccountKind.SLACK, "U0ADA0001", "Ada")
    with uow() as u:
        assert u.people.list() == []  # not committed
        ada = u.people.get_or_create_for_account(AccountKind.SLACK, "U0ADA0001", "Ada")
        bob = u.people.get_or_create_for_account(AccountKind.SLACK, "U0BOB0001", "Bob")
        assert u.people.link(ada.id, AccountKind.EMAIL, "ada@example.com") is True
        assert u.people.link(ada.id, AccountKind.EMAIL, "ada@example.com") is False
        with pytest.raises(AccountTaken):
            u.people.link(ada.id, AccountKind.SLACK, "U0BOB0001")
        with pytest.raises(NotFound):
            u.people.get("P-0000000000")
        u.commit()
    with uow() as u:
        assert [p.id for p in u.people.list()] == [ada.id, bob.id]
        found = u.people.find_by_account(AccountKind.EMAIL, "ada@example.com")
        assert found is not None and found.id == ada.id
        assert found.account(AccountKind.SLACK) == Account(AccountKind.SLACK, "U0ADA0001")
