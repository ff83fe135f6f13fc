"""The two team channels (customer services, directors), learnt when the bot is installed.

``COMPLAINTS_TEAMS_CS_CHANNEL`` and ``COMPLAINTS_TEAMS_DIRECTORS_CHANNEL`` name each by its
channel id (``19:…@thread.tacv2``) or its display name; the reference is whichever stored
channel matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cases.audience import Audience, team
from teams.ids import CHANNEL_KEY
from teams.ports import ConversationStore

GENERAL = "General"  # Teams sends no name for a team's first channel


@dataclass(frozen=True)
class ChannelRef:
    conversation_id: str
    service_url: str
    tenant_id: str | None
    name: str


class TeamsChannels:
    def __init__(self, store: ConversationStore, customer_services: str | None,
                 directors: str | None) -> None:
        self.store = store
        self.settings = {Audience.CUSTOMER_SERVICES: customer_services,
                         Audience.DIRECTORS: directors}

    def learn(self, channel_id: str, name: str | None, service_url: str,
              tenant_id: str | None, team_id: str | None) -> None:
        """Remember a channel the bot can post to."""
        known = self.store.load(CHANNEL_KEY + channel_id) or {}
        # Messages and invokes name a channel by id only: a name learnt at install stays.
        reference = {"conversation_id": channel_id, "service_url": service_url,
                     "tenant_id": tenant_id, "name": name or known.get("name") or GENERAL,
                     "team_id": team_id or known.get("team_id")}
        if known != reference:
            self.store.save(CHANNEL_KEY + channel_id, reference)

    def for_audience(self, audience: Audience) -> ChannelRef | None:
        """The channel a team audience posts to, if the bot has learnt it."""
        wanted = self.settings[team(audience)]
        if not wanted:
            return None
        by_name = None
        for _, ref in self.store.all(CHANNEL_KEY):
            if ref.get("conversation_id") == wanted:
                return _ref(ref)
            if str(ref.get("name", "")).casefold() == wanted.casefold() and by_name is None:
                by_name = ref
        return _ref(by_name) if by_name else None

    def audience_of(self, channel_id: str) -> Audience | None:
        """Which team's channel ``channel_id`` is (None: neither)."""
        for audience in (Audience.CUSTOMER_SERVICES, Audience.DIRECTORS):
            found = self.for_audience(audience)
            if found is not None and found.conversation_id == channel_id:
                return audience
        return None


def _ref(stored: dict[str, Any]) -> ChannelRef:
    return ChannelRef(str(stored["conversation_id"]), str(stored["service_url"]),
                      stored.get("tenant_id"), str(stored.get("name") or GENERAL))
