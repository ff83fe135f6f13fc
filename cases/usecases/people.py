"""People at the edges: a surface's account becomes a person, a person id becomes an account."""

from __future__ import annotations

from collections.abc import Iterable

from cases.errors import NotFound
from cases.people import AccountKind, Person
from cases.usecases.common import DeskBase


class PeopleDesk(DeskBase):
    """The two questions every surface asks about people."""

    def person_for_account(self, kind: AccountKind, external_id: str,
                           display_name: str = "") -> Person:
        """The person behind a surface's account, created on first sight (race-safe).

        ``display_name`` names a new person (the account id when empty); a known person
        keeps their name. ValueError when the account id is not one (``validate_account``).
        """
        with self.reader() as uow:
            found = uow.people.find_by_account(kind, external_id)
        if found is not None:
            return found
        with self.uow() as uow:
            person = uow.people.get_or_create_for_account(kind, external_id, display_name)
            uow.commit()
            return person

    def people(self, person_ids: Iterable[str]) -> dict[str, Person]:
        """The people of ``person_ids`` that exist, by id (unknown ids are left out)."""
        found: dict[str, Person] = {}
        with self.reader() as uow:
            for person_id in dict.fromkeys(person_ids):
                try:
                    found[person_id] = uow.people.get(person_id)
                except NotFound:
                    continue
        return found
