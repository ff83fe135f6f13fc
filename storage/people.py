"""``cases.ports.PeopleRepository`` on SQL: people and their linked accounts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, delete, insert, select, update
from sqlalchemy.orm import Session

from cases.errors import NotFound
from cases.people import (
    MAX_DISPLAY_NAME,
    Account,
    AccountKind,
    AccountTaken,
    Person,
    new_person_id,
    validate_account,
)
from storage.db import upsert_insert
from storage.models import PersonAccountRow, PersonRow

Recorded = Literal["added", "renamed", "unchanged"]


class SqlPeopleRepository:
    """People and accounts; an account (kind, external id) is unique in the database."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _accounts(self, person_id: str | None = None) -> dict[str, list[Account]]:
        """Accounts by person, in the order they were linked (everyone's when None)."""
        stmt = select(PersonAccountRow.person_id, PersonAccountRow.kind,
                      PersonAccountRow.external_id).order_by(PersonAccountRow.id)
        if person_id is not None:
            stmt = stmt.where(PersonAccountRow.person_id == person_id)
        found: dict[str, list[Account]] = defaultdict(list)
        rows = self.session.execute(stmt)
        for person_id, kind, external_id in rows:
            found[person_id].append(Account(AccountKind(kind), external_id))
        return found

    def get(self, person_id: str) -> Person:
        """One person with their accounts; raises NotFound."""
        name = self.session.scalar(
            select(PersonRow.display_name).where(PersonRow.id == person_id))
        if name is None:
            raise NotFound(f"No person {person_id!r}: `complaints-bot people list` shows them.")
        return Person(person_id, name, tuple(self._accounts(person_id)[person_id]))

    def _owner(self, account: Account) -> str | None:
        return self.session.scalar(
            select(PersonAccountRow.person_id).where(
                PersonAccountRow.kind == account.kind.value,
                PersonAccountRow.external_id == account.external_id))

    def find_by_account(self, kind: AccountKind, external_id: str) -> Person | None:
        """The person an account is linked to, if any."""
        owner = self._owner(Account(kind, external_id.strip()))
        return self.get(owner) if owner is not None else None

    def _insert_account(self, person_id: str, account: Account) -> bool:
        """Insert-if-absent: True when this call linked it (ON CONFLICT on both DBs)."""
        ins = upsert_insert(self.session)
        result = cast(CursorResult[Any], self.session.execute(
            ins(PersonAccountRow)
            .values(person_id=person_id, kind=account.kind.value,
                    external_id=account.external_id)
            .on_conflict_do_nothing(index_elements=["kind", "external_id"])
            .execution_options(preserve_rowcount=True)))
        return result.rowcount == 1

    def get_or_create_for_account(self, kind: AccountKind, external_id: str,
                                  display_name: str) -> Person:
        """The account's person, created with ``display_name`` if there is none yet.

        Two writers racing for the same new account: on PostgreSQL the loser's insert
        waits on the unique index for the winner to commit, then does nothing; on SQLite
        writers are serialised (BEGIN IMMEDIATE). Either way the loser drops the person
        it just made and returns the winner's.
        """
        account = validate_account(kind, external_id)
        existing = self._owner(account)
        if existing is not None:
            return self.get(existing)
        person_id = new_person_id()
        name = (display_name.strip() or account.external_id)[:MAX_DISPLAY_NAME]
        self.session.execute(insert(PersonRow).values(id=person_id, display_name=name))
        if self._insert_account(person_id, account):
            return Person(person_id, name, (account,))
        self.session.execute(delete(PersonRow).where(PersonRow.id == person_id))
        winner = self._owner(account)
        if winner is None:  # pragma: no cover - the conflicting row was just seen
            raise RuntimeError(f"{account} conflicted but is linked to no one")
        return self.get(winner)

    def record_named_account(self, kind: AccountKind, external_id: str,
                             display_name: str) -> Recorded:
        """The account's person, created with ``display_name`` or renamed to it.

        Only the account decides who it is: someone of the same name without this account
        (e.g. only on Slack) is another person until ``people link`` says otherwise. An
        empty name renames no one.
        """
        account = validate_account(kind, external_id)
        name = display_name.strip()[:MAX_DISPLAY_NAME]
        owner = self._owner(account)
        if owner is None:
            person = self.get_or_create_for_account(kind, account.external_id, name)
            if person.display_name == (name or account.external_id):
                return "added"
            owner = person.id  # another writer created it first, with its own name
        current = self.session.scalar(
            select(PersonRow.display_name).where(PersonRow.id == owner))
        if not name or current == name:
            return "unchanged"
        self.session.execute(update(PersonRow).where(PersonRow.id == owner)
                             .values(display_name=name))
        return "renamed"

    def link(self, person_id: str, kind: AccountKind, external_id: str) -> bool:
        """Link an account; False if already this person's; AccountTaken if another's."""
        account = validate_account(kind, external_id)
        person = self.get(person_id)
        if self._insert_account(person.id, account):
            return True
        owner = self._owner(account)
        if owner == person.id:
            return False
        raise AccountTaken(f"{account} is already linked to another person, {owner}; "
                           "an account belongs to one person.")

    def list(self) -> Sequence[Person]:
        """Every person with their accounts, by display name then id."""
        rows = self.session.execute(
            select(PersonRow.id, PersonRow.display_name)
            .order_by(PersonRow.display_name, PersonRow.id)).all()
        accounts = self._accounts()
        return [Person(pid, name, tuple(accounts[pid])) for pid, name in rows]
