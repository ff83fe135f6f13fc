"""`complaints-bot teams package`: the Teams app package for upload;
`complaints-bot teams members refresh`: learn the installed teams' members again."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from microsoft_agents.hosting.core import Connections

    from bot.container import Container
    from bot.settings import Settings
    from teams.roster import RosterResult, Team


def cmd_teams_package(args: argparse.Namespace) -> int:
    from bot.cli import _settings
    from bot.cli_ops import CliError
    from teams.package import package

    settings = _settings()
    app_id = args.app_id or settings.teams_app_id()
    if not app_id:
        raise CliError("teams package: the bot's app id is needed: set "
                       "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID or pass --app-id")
    out = Path(args.out)
    out.write_bytes(package(app_id, domain=args.domain))
    print(f"wrote {out} (manifest.json, color.png, outline.png): upload it in Teams under "
          "Apps > Manage your apps > Upload an app")
    return 0


def installed_teams(container: Container) -> list[Team]:
    """The teams the bot was installed in, from the channels it learnt there."""
    from storage.conversations import SqlConversationRefs
    from teams import TEAMS
    from teams.ids import CHANNEL_KEY
    from teams.roster import Team

    store = SqlConversationRefs(container.engine, TEAMS, container.clock)
    found: dict[str, Team] = {}
    for _, ref in store.all(CHANNEL_KEY):
        team_id = ref.get("team_id")
        if team_id and team_id not in found and ref.get("service_url"):
            found[team_id] = Team(str(team_id), str(ref["service_url"]), ref.get("tenant_id"))
    return list(found.values())


def refresh_members(settings: Settings, container: Container, teams: list[Team],
                    connections: Connections | None = None) -> list[RosterResult]:
    """Fetch and record each team's members through the Bot Connector (its own loop)."""
    import asyncio

    from microsoft_agents.hosting.aiohttp import CloudAdapter

    from bot.teams_wiring import PeopleRoster, msal_connections
    from storage.conversations import SqlConversationRefs
    from teams import TEAMS
    from teams.connector import TeamsConnector, Where, raise_turn_error
    from teams.roster import learn_members

    adapter = CloudAdapter(connection_manager=connections or msal_connections(settings))
    adapter.on_turn_error = raise_turn_error
    store = SqlConversationRefs(container.engine, TEAMS, container.clock)
    people = PeopleRoster(container)

    def no_server_loop() -> asyncio.AbstractEventLoop:
        raise RuntimeError("the command line makes no blocking Bot Connector calls")

    connector = TeamsConnector(adapter, settings.teams_app_id(), no_server_loop)

    async def each() -> list[RosterResult]:
        results = []
        for team in teams:
            def call(client: Any, team: Team = team) -> Any:
                return learn_members(store, people, client, team)
            results.append(await connector.with_client(
                Where(team.team_id, team.service_url, team.tenant_id), call))
        return results

    return asyncio.run(each())


def cmd_teams_members_refresh(args: argparse.Namespace) -> int:
    import aiohttp

    from bot.cli import _settings
    from bot.cli_ops import CliError
    from bot.container import Container
    from storage import migrate

    settings = _settings()
    prefix = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
    missing = ([] if settings.teams_app_id() else [prefix + "CLIENTID"]) + [
        name for name in settings.missing_for_teams() if name.startswith(prefix)]
    if missing:  # the bot's own credentials: the channels are not needed here
        raise CliError("teams members refresh: these Teams settings are missing: "
                       + ", ".join(missing))
    container = Container(settings)
    migrate.upgrade(settings.database_url)
    try:
        teams = installed_teams(container)
        if not teams:
            print("complaints-bot: teams members refresh: the bot knows no team yet: add the "
                  "app to the team in Teams first (its install is what names the team)",
                  file=sys.stderr)
            return 1
        try:
            results = refresh_members(settings, container, teams)
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            print(f"complaints-bot: teams members refresh: the Bot Connector could not be "
                  f"asked ({type(exc).__name__}: {exc})", file=sys.stderr)
            return 1
    finally:
        container.engine.dispose()
    failed = 0
    for team, result in zip(teams, results, strict=True):
        print(f"{team.team_id}: {result.fetched} members; {result.count.added} people added, "
              f"{result.count.renamed} renamed")
        if result.problem:
            failed += 1
            print(f"complaints-bot: teams members refresh: {team.team_id}: {result.problem} "
                  "(the members fetched before that are recorded)", file=sys.stderr)
    return 1 if failed else 0


def add_teams_parser(sub: Any) -> None:
    teams = sub.add_parser("teams", help="Microsoft Teams: the app package, the team's members")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True)
    pkg = teams_sub.add_parser("package", help="write the Teams app package (a zip)")
    pkg.add_argument("--out", default="complaints-desk-teams.zip", help="zip file to write")
    pkg.add_argument("--app-id", help="the bot's app id (default: CLIENTID's setting)")
    pkg.add_argument("--domain", help="the bot's public host name, for validDomains")
    pkg.set_defaults(func=cmd_teams_package)
    members = teams_sub.add_parser("members", help="the team's members, as people")
    members_sub = members.add_subparsers(dest="members_command", required=True)
    refresh = members_sub.add_parser(
        "refresh", help="fetch the installed teams' members again (create or rename people)")
    refresh.set_defaults(func=cmd_teams_members_refresh)
