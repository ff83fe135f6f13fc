"""People on Teams: ``from.aadObjectId`` becomes a person id coming in, and back going out.

Each sender seen is also remembered as a member (their ``29:`` id, tenant and service URL),
so the bot can open a personal chat with them later for a direct message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from cases.people import AccountKind
from cases.services import ComplaintsDesk
from teams.ids import MEMBER_KEY
from teams.ports import ConversationStore

MAX_NAME = 255


class BadActivity(Exception):
    """The activity lacks what the bot needs (who sent it, which case)."""


class TeamsPeople:
    """aadObjectId <-> person id, through the desk's people."""

    def __init__(self, desk: ComplaintsDesk, store: ConversationStore) -> None:
        self.desk = desk
        self.store = store

    def actor(self, activity: Any) -> str:
        """The person who sent ``activity``; BadActivity if it names nobody."""
        sender = activity.from_property
        aad = getattr(sender, "aad_object_id", None) if sender is not None else None
        if not isinstance(aad, str) or not aad.strip():
            raise BadActivity("this request does not say who sent it")
        name = (getattr(sender, "name", None) or "")[:MAX_NAME]
        tenant = getattr(activity.conversation, "tenant_id", None) if activity.conversation \
            else None
        member = {"id": sender.id, "name": name, "service_url": activity.service_url,
                  "tenant_id": tenant}
        if self.store.load(MEMBER_KEY + aad) != member:
            self.store.save(MEMBER_KEY + aad, member)
        return self.desk.person_for_account(AccountKind.TEAMS, aad, name).id

    def aad_of(self, person_id: str) -> str | None:
        """The Teams account (aadObjectId) of a person, if linked."""
        person = self.desk.people([person_id]).get(person_id)
        account = person.account(AccountKind.TEAMS) if person else None
        return account.external_id if account else None

    def names(self, person_ids: Iterable[str | None]) -> Callable[[str], str]:
        """Display names of these people (their id when unknown)."""
        found = self.desk.people([p for p in person_ids if p])

        def name(person_id: str) -> str:
            person = found.get(person_id)
            return person.display_name if person else person_id

        return name
