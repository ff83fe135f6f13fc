"""The team's members, from the Bot Connector's paged member list, so that person pickers
offer people who have not used the bot yet.

Fetched when the bot is installed in a team, when people are added to it, and by
`complaints-bot teams members refresh`. Each member becomes (or stays) a person with a Teams
account, created or renamed through ``TeamMembers``, and a member reference (their ``29:``
id), so the bot can open a personal chat with them. Members removed are not forgotten: their
history is the person's.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from teams.ids import MEMBER_KEY
from teams.people import MAX_NAME
from teams.ports import ConversationStore, RosterCount, TeamMembers

log = logging.getLogger(__name__)
PAGE_SIZE = 500    # the most the Bot Connector gives per page
MAX_PAGES = 1000   # a server that keeps answering with a continuation token is stopped here
DEADLINE = 60.0    # seconds for the whole list
# What a Bot Connector call can fail with: HTTP errors and unreachable hosts, the deadline,
# an answer that is not a member list (pydantic's ValidationError is a ValueError).
FETCH_ERRORS = (aiohttp.ClientError, TimeoutError, ValueError)


@dataclass(frozen=True)
class Team:
    """A team the bot is installed in, and where its Bot Connector is."""

    team_id: str
    service_url: str
    tenant_id: str | None = None


@dataclass(frozen=True)
class Member:
    aad_object_id: str
    name: str
    member_id: str  # 29:…


@dataclass(frozen=True)
class Roster:
    """The members fetched; ``problem`` says why the list may be incomplete."""

    members: list[Member] = field(default_factory=list)
    problem: str | None = None


@dataclass(frozen=True)
class RosterResult:
    fetched: int
    count: RosterCount
    problem: str | None = None


def _member(account: Any) -> Member | None:
    aad = getattr(account, "aad_object_id", None)
    member_id = getattr(account, "id", None)
    if not isinstance(aad, str) or not aad.strip() or not isinstance(member_id, str):
        return None  # the bot itself, or an account Teams names without an Entra object
    return Member(aad.strip(), (getattr(account, "name", None) or "").strip()[:MAX_NAME],
                  member_id)


async def fetch_roster(client: Any, team_id: str, *, page_size: int = PAGE_SIZE,
                       max_pages: int = MAX_PAGES, deadline: float = DEADLINE) -> Roster:
    """Every member of the team, page by page (``continuationToken``), within the caps."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + deadline
    found: dict[str, Member] = {}
    token: str | None = None
    tokens: set[str] = set()
    for _ in range(max_pages):
        left = ends - loop.time()
        if left <= 0:
            return Roster(list(found.values()), _failed(TimeoutError(), deadline))
        try:
            page = await asyncio.wait_for(
                client.conversations.get_conversation_paged_members(
                    team_id, page_size=page_size, continuation_token=token), left)
        except FETCH_ERRORS as exc:
            return Roster(list(found.values()), _failed(exc, deadline))
        for account in page.members or []:
            member = _member(account)
            if member is not None:
                found[member.aad_object_id] = member
        token = page.continuation_token
        if not token:
            return Roster(list(found.values()))
        if token in tokens:
            return Roster(list(found.values()),
                          "the Bot Connector gave the same continuation token twice")
        tokens.add(token)
    return Roster(list(found.values()), f"the member list went on past {max_pages} pages")


def _failed(exc: Exception, deadline: float) -> str:
    if isinstance(exc, TimeoutError):
        return f"the member list took longer than {deadline:g} s"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"the Bot Connector answered HTTP {exc.status} to the member list"
    return f"the member list could not be read ({type(exc).__name__}: {exc})"


def record_roster(store: ConversationStore, people: TeamMembers, team: Team,
                  members: list[Member]) -> RosterCount:
    """Remember each member (person and member reference); blocking."""
    count = people.record([(m.aad_object_id, m.name) for m in members])
    known = dict(store.all(MEMBER_KEY))
    for m in members:
        reference = {"id": m.member_id, "name": m.name, "service_url": team.service_url,
                     "tenant_id": team.tenant_id}
        if known.get(MEMBER_KEY + m.aad_object_id) != reference:
            store.save(MEMBER_KEY + m.aad_object_id, reference)
    return count


async def learn_members(store: ConversationStore, people: TeamMembers, client: Any,
                        team: Team) -> RosterResult:
    """Fetch the team's members and record them; a failure is in ``problem``, not raised
    (what was fetched before it is still recorded)."""
    roster = await fetch_roster(client, team.team_id)
    count = await asyncio.to_thread(record_roster, store, people, team, roster.members)
    if roster.problem:
        log.warning("team members: %s (%d fetched before that)", roster.problem,
                    len(roster.members))
    log.info("team members: %d fetched, %d people added, %d renamed",
             len(roster.members), count.added, count.renamed)
    return RosterResult(len(roster.members), count, roster.problem)
