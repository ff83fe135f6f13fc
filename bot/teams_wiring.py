"""The Teams surface wired to this bot: its store, directory, adapter, endpoint, deliverer."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import AgentAuthConfiguration, Connections

from bot.settings import Settings
from cases.letters import LetterWriter
from cases.people import AccountKind
from storage.conversations import SqlConversationRefs
from storage.people import SqlPeopleRepository
from teams import TEAMS
from teams.app import build_agent
from teams.auth import BotFrameworkTokens
from teams.channels import TeamsChannels
from teams.connector import TeamsConnector, raise_turn_error
from teams.delivery import TeamsDelivery
from teams.deps import TeamsDeps
from teams.ports import RosterCount
from teams.server import TeamsHost, web_app

if TYPE_CHECKING:
    from collections.abc import Callable

    from bot.container import Container
    from storage.outbox import OutboxStore

log = logging.getLogger(__name__)
DEFAULT_PORT = 3978


NOT_ON_TEAMS = " (not on Teams yet)"


class PeopleDirectory:
    """Everyone the desk knows, for a dialog's person choices: also people who have not
    used the bot on Teams yet (seen on Slack, or added by `people link`), marked so."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def choices(self) -> Sequence[tuple[str, str]]:
        with self.container.desk.reader() as uow:
            people = uow.people.list()
        return sorted(((p.id, p.display_name + ("" if p.account(AccountKind.TEAMS)
                                                  else NOT_ON_TEAMS)) for p in people),
                      key=lambda choice: choice[1].casefold())


class PeopleRoster:
    """``teams.ports.TeamMembers`` on the people repository: one transaction per roster."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def record(self, members: Sequence[tuple[str, str]]) -> RosterCount:
        outcomes: list[str] = []
        with self.container.uow() as uow:
            people = SqlPeopleRepository(uow.session)
            for aad, name in members:
                try:
                    outcomes.append(people.record_named_account(AccountKind.TEAMS, aad, name))
                except ValueError as exc:  # not an account id (e.g. spaces): skip that one
                    log.warning("team member skipped: %s", exc)
            uow.commit()
        return RosterCount(added=outcomes.count("added"), renamed=outcomes.count("renamed"))


@dataclass
class TeamsSurface:
    host: TeamsHost
    delivery: TeamsDelivery
    deps: TeamsDeps


def msal_connections(settings: Settings) -> Connections:
    """Client credentials of the bot's Entra app (the SDK's MSAL connection manager)."""
    from microsoft_agents.authentication.msal import MsalConnectionManager

    secret = settings.connections__service_connection__settings__clientsecret
    config = AgentAuthConfiguration(
        client_id=settings.teams_app_id(),
        tenant_id=settings.connections__service_connection__settings__tenantid,
        client_secret=secret.get_secret_value() if secret else None)
    return MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": config})


def build_teams(settings: Settings, container: Container, outbox: OutboxStore,
                wake: Callable[[], None], *, host: str = "0.0.0.0", port: int = DEFAULT_PORT,
                connections: Connections | None = None,
                letters: LetterWriter | None = None) -> TeamsSurface:
    """Everything Teams needs; the endpoint starts with ``surface.host.start()``."""
    store = SqlConversationRefs(container.engine, TEAMS, container.clock)
    channels = TeamsChannels(store, settings.complaints_teams_cs_channel,
                             settings.complaints_teams_directors_channel)
    deps = TeamsDeps(desk=container.desk, clock=container.clock, calendar=container.calendar,
                     policy=container.policy, wake=wake, store=store,
                     directory=PeopleDirectory(container), channels=channels,
                     letters=letters, members=PeopleRoster(container))
    connections = connections or msal_connections(settings)
    adapter = CloudAdapter(connection_manager=connections)
    adapter.on_turn_error = raise_turn_error
    agent = build_agent(deps, connections)
    tokens = BotFrameworkTokens(settings.complaints_teams_openid_metadata_url,
                                settings.teams_app_id())
    teams_host = TeamsHost(web_app(adapter, agent, tokens,
                                   anonymous=settings.complaints_teams_anonymous), host, port)
    connector = TeamsConnector(adapter, settings.teams_app_id(), lambda: teams_host.loop)
    delivery = TeamsDelivery(container.desk, outbox, channels, store, connector,
                             container.clock, container.calendar, container.policy,
                             letters=letters)
    return TeamsSurface(host=teams_host, delivery=delivery, deps=deps)
