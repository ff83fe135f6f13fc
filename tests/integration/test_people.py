"""People on SQL: one person per account, linking, and the race for a new account."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from cases.errors import NotFound
from cases.people import PERSON_ID, Account, AccountKind, AccountTaken, Person, is_slack_user_id
from storage.people import SqlPeopleRepository
from storage.uow import SqlUnitOfWorkFactory
from tests.integration.test_concurrency import _race

SLACK = AccountKind.SLACK


def test_an_account_gets_one_person_across_units_of_work(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        ada = uow.people.get_or_create_for_account(SLACK, "U0ADA0001", "Ada")
        uow.commit()
    assert PERSON_ID.fullmatch(ada.id) and not is_slack_user_id(ada.id)
    assert ada.accounts == (Account(SLACK, "U0ADA0001"),)
    with uow_factory() as uow:
        again = uow.people.get_or_create_for_account(SLACK, "U0ADA0001", "Someone else")
        assert again == ada  # the first name stays
        assert uow.people.find_by_account(SLACK, "U0ADA0001") == ada
        assert uow.people.find_by_account(SLACK, "U0NOBODY1") is None
        assert uow.people.get(ada.id) == ada
        with pytest.raises(NotFound):
            uow.people.get("P-0000000000")


def test_nothing_is_kept_without_commit(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.people.get_or_create_for_account(SLACK, "U0ADA0001", "Ada")
    with uow_factory() as uow:
        assert uow.people.list() == []


def test_link_adds_accounts_and_refuses_someone_elses(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        ada = uow.people.get_or_create_for_account(SLACK, "U0ADA0001", "Ada")
        bob = uow.people.get_or_create_for_account(SLACK, "U0BOB0001", "Bob")
        uow.commit()
    with uow_factory() as uow:
        assert uow.people.link(ada.id, AccountKind.EMAIL, "Ada@Example.com") is True
        assert uow.people.link(ada.id, AccountKind.EMAIL, "ada@example.com") is False
        with pytest.raises(AccountTaken, match="slack:U0BOB0001"):
            uow.people.link(ada.id, SLACK, "U0BOB0001")
        with pytest.raises(NotFound):
            uow.people.link("P-0000000000", SLACK, "U0NEW0001")
        with pytest.raises(ValueError, match="not a Slack user id"):
            uow.people.link(ada.id, SLACK, "u0lower")
        uow.commit()
    with uow_factory() as uow:
        listed = uow.people.list()
    assert [(p.display_name, [str(a) for a in p.accounts]) for p in listed] == [
        ("Ada", ["slack:U0ADA0001", "email:ada@example.com"]), ("Bob", ["slack:U0BOB0001"])]
    assert listed[1].id == bob.id


class _LostTheRace(SqlPeopleRepository):
    """Saw no owner at first, as when another writer commits the account just after."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self.blind = True

    def _owner(self, account: Account) -> str | None:
        if self.blind:
            self.blind = False
            return None
        return super()._owner(account)


def test_the_loser_of_a_race_for_a_new_account_gets_the_winners_person(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        winner = uow.people.get_or_create_for_account(SLACK, "U0ADA0001", "Ada")
        uow.commit()
    with uow_factory() as uow:
        late = _LostTheRace(uow.session)
        assert late.get_or_create_for_account(SLACK, "U0ADA0001", "Ada again") == winner
        assert not late.blind  # it did take the insert path and hit the unique account
        uow.commit()
    with uow_factory() as uow:
        assert uow.people.list() == [winner]  # the loser's half-made person is gone


def test_units_of_work_racing_for_a_new_account_all_get_one_person(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    def first_use() -> Person:
        with uow_factory() as uow:
            person = uow.people.get_or_create_for_account(SLACK, "U0ADA0001", "Ada")
            uow.commit()
            return person

    results = _race([first_use] * 4)
    assert all(isinstance(r, Person) for r in results), results
    assert len({r.id for r in results if isinstance(r, Person)}) == 1
    with uow_factory() as uow:
        assert [p.id for p in uow.people.list()] == [results[0].id]  # type: ignore[union-attr]


TEAMS = AccountKind.TEAMS


def test_record_named_account_creates_then_renames_and_never_duplicates(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        assert uow.people.get_or_create_for_account(SLACK, "U0RITA001", "Rita Roster")
        people = SqlPeopleRepository(uow.session)
        assert people.record_named_account(TEAMS, "aad-rita", "Rita Roster") == "added"
        assert people.record_named_account(TEAMS, " aad-rita ", "Rita Roster") == "unchanged"
        uow.commit()
    with uow_factory() as uow:
        people = SqlPeopleRepository(uow.session)
        assert people.record_named_account(TEAMS, "aad-rita", " Rita Married ") == "renamed"
        assert people.record_named_account(TEAMS, "aad-rita", "  ") == "unchanged"
        assert people.record_named_account(TEAMS, "aad-omar", "") == "added"
        with pytest.raises(ValueError, match="not a teams id"):
            people.record_named_account(TEAMS, "aad with spaces", "Someone")
        uow.commit()
    with uow_factory() as uow:
        listed = uow.people.list()
    # The Slack-only Rita of the same name is another person: linking is `people link`'s.
    assert [(p.display_name, [str(a) for a in p.accounts]) for p in listed] == [
        ("Rita Married", ["teams:aad-rita"]), ("Rita Roster", ["slack:U0RITA001"]),
        ("aad-omar", ["teams:aad-omar"])]


def test_record_named_account_renames_a_person_another_writer_just_created(
        uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        first = uow.people.get_or_create_for_account(TEAMS, "aad-rita", "aad-rita")
        uow.commit()
    with uow_factory() as uow:
        late = _LostTheRace(uow.session)
        assert late.record_named_account(TEAMS, "aad-rita", "Rita Roster") == "renamed"
        assert not late.blind
        uow.commit()
    with uow_factory() as uow:
        assert uow.people.list() == [Person(first.id, "Rita Roster", first.accounts)]
