"""The team's members: learnt from the Bot Connector's paged member list at install, when
people join, and by `complaints-bot teams members refresh`, so that person pickers offer
them before they have used the bot."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from microsoft_agents.hosting.core.connector.client import ConnectorClient

from bot.cli import main
from cases.audience import Audience
from cases.people import AccountKind, Person
from teams.ids import MEMBER_KEY
from teams.roster import fetch_roster
from tests.teams.driver import CS_CHANNEL, GENERAL, TeamsDriver, teams_runtime_options
from tests.teams.fake_teams import APP_ID, FakeTeams
from tests.teams.walk import CASEY, card_now, inputs, log_case, press, staff

TEAM = GENERAL  # a team's id is its General channel's
ROSTER = {"aad-rita": "Rita Roster", "aad-omar": "Omar Okafor", "aad-pia": "Pia Patel",
          "aad-quin": "Quin Quayle", "aad-uma": "Uma Underwood"}


def member(aad: str, name: str) -> dict[str, str]:
    """One member as pagedmembers gives it."""
    first, _, last = name.partition(" ")
    return {"id": f"29:1{aad}", "name": name, "aadObjectId": aad, "givenName": first,
            "surname": last, "email": f"{first.lower()}@tinytracker.example",
            "userPrincipalName": f"{first.lower()}@tinytracker.example",
            "tenantId": "tenant-tiny-tracker", "userRole": "user"}


def set_roster(fake: FakeTeams, people: dict[str, str], page_size: int = 2) -> None:
    fake.roster = [member(aad, name) for aad, name in people.items()]
    fake.max_page_size = page_size


def people(teams: TeamsDriver) -> list[Person]:
    with teams.desk.reader() as uow:
        return list(uow.people.list())


def on_teams(teams: TeamsDriver) -> dict[str, tuple[str, str]]:
    """aadObjectId -> (person id, display name) of everyone with a Teams account."""
    found = {}
    for person in people(teams):
        account = person.account(AccountKind.TEAMS)
        if account is not None:
            found[account.external_id] = (person.id, person.display_name)
    return found


def owner_choices(teams: TeamsDriver) -> dict[str, str]:
    """The Acknowledge dialog's owner picker: person id -> title."""
    dialog = press(teams, CASEY, card_now(teams), "Acknowledge")
    return {c["value"]: c["title"] for c in inputs(dialog)["owner"]["choices"]}


def test_install_learns_every_page_of_the_members_and_pickers_offer_them(
        teams: TeamsDriver) -> None:
    set_roster(teams.fake, ROSTER)
    status, _ = teams.install()
    assert status in (200, 202)
    pages = teams.fake.of("members")
    assert [p.conversation for p in pages] == [TEAM] * 3, "5 members, 2 a page"
    tokens = [p.body["continuationToken"] for p in pages]
    assert tokens[0] is None and None not in tokens[1:] and len(set(tokens)) == 3
    learnt = on_teams(teams)
    assert {aad: name for aad, (_, name) in learnt.items()} == ROSTER
    # Each can be reached on Teams: the bot knows their 29: id to open a personal chat.
    assert teams.runtime.teams.deps.store.load(MEMBER_KEY + "aad-rita") == {
        "id": "29:1aad-rita", "name": "Rita Roster", "service_url": teams.fake.service_url,
        "tenant_id": "tenant-tiny-tracker"}
    assert teams.runtime.teams.delivery.reaches(learnt["aad-rita"][0])
    staff(teams)
    log_case(teams)
    choices = owner_choices(teams)
    for person_id, name in learnt.values():
        assert choices[person_id] == name, "on Teams: not marked as not on Teams yet"
    assert len(people(teams)) == len(ROSTER) + 6, "installed twice, nobody made twice"


def test_people_added_to_the_team_are_learnt(teams: TeamsDriver) -> None:
    set_roster(teams.fake, {"aad-rita": "Rita Roster"})
    teams.install()
    channels_asked = len(teams.fake.of("channels"))
    set_roster(teams.fake, {"aad-rita": "Rita Roster", "aad-newcomer": "Nia Newcomer"})
    status, _ = teams.post(teams.activity("member_added_to_team", "aad-installer"))
    assert status in (200, 202)
    assert on_teams(teams)["aad-newcomer"][1] == "Nia Newcomer"
    assert len(people(teams)) == 2
    assert len(teams.fake.of("channels")) == channels_asked, "only the members are asked"


def test_removed_members_stay_people(teams: TeamsDriver) -> None:
    set_roster(teams.fake, {"aad-newcomer": "Nia Newcomer"})
    teams.install()
    asked = len(teams.fake.of("members"))
    teams.fake.roster = []
    status, _ = teams.post(teams.activity("member_removed_from_team", "aad-installer"))
    assert status in (200, 202)
    assert len(teams.fake.of("members")) == asked
    assert on_teams(teams)["aad-newcomer"][1] == "Nia Newcomer", "their history is theirs"


def test_reinstall_renames_and_never_merges_by_name(teams: TeamsDriver) -> None:
    slack_rita = teams.desk.person_for_account(AccountKind.SLACK, "U0RITA001", "Rita Roster")
    set_roster(teams.fake, ROSTER)
    teams.install()
    before = on_teams(teams)
    assert before["aad-rita"][0] != slack_rita.id, "same name, another person until linked"
    set_roster(teams.fake, {**ROSTER, "aad-rita": "Rita Married-Name"})
    teams.install()
    after = on_teams(teams)
    assert after["aad-rita"] == (before["aad-rita"][0], "Rita Married-Name")
    assert {k: v for k, v in after.items() if k != "aad-rita"} == {
        k: v for k, v in before.items() if k != "aad-rita"}
    everyone = people(teams)
    assert len(everyone) == len(ROSTER) + 1
    assert next(p for p in everyone if p.id == slack_rita.id) == slack_rita, "untouched"


def test_a_failing_member_list_still_leaves_the_channels_learnt(teams: TeamsDriver) -> None:
    set_roster(teams.fake, ROSTER)
    teams.fake.fail_members(503)
    status, _ = teams.install()
    assert status in (200, 202)
    assert on_teams(teams) == {}
    channels = teams.runtime.teams.deps.channels
    cs = channels.for_audience(Audience.CUSTOMER_SERVICES)
    assert cs is not None and cs.conversation_id == CS_CHANNEL
    assert channels.for_audience(Audience.DIRECTORS) is not None


def test_a_server_that_never_stops_paging_is_stopped(fake_teams: FakeTeams) -> None:
    fake_teams.endless_members = True
    fake_teams.issued.add("roster-test-token")

    async def fetch(**caps: Any) -> Any:
        client = ConnectorClient(fake_teams.service_url, "roster-test-token")
        try:
            return await fetch_roster(client, TEAM, **caps)
        finally:
            await client.close()

    roster = asyncio.run(fetch(max_pages=7))
    assert roster.problem == "the member list went on past 7 pages"
    assert len(fake_teams.of("members")) == 7
    roster = asyncio.run(fetch(deadline=0.0))
    assert roster.problem == "the member list took longer than 0 s"


def refresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, teams: TeamsDriver) -> int:
    """`complaints-bot teams members refresh` on the bot's database, tokens from the fake."""
    import bot.teams_wiring

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", teams.settings.database_url)
    prefix = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"
    for name, value in {"CLIENTID": APP_ID, "CLIENTSECRET": "not-used",
                        "TENANTID": "tenant-tiny-tracker"}.items():
        monkeypatch.setenv(prefix + name, value)
    connections = teams_runtime_options(teams.fake)["teams_connections"]
    monkeypatch.setattr(bot.teams_wiring, "msal_connections", lambda settings: connections)
    return main(["teams", "members", "refresh"])


def test_the_cli_refreshes_the_members(teams: TeamsDriver, monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert refresh(monkeypatch, tmp_path, teams) == 1, "not installed in any team yet"
    assert "knows no team yet" in capsys.readouterr().err
    set_roster(teams.fake, {"aad-rita": "Rita Roster"})
    teams.install()
    set_roster(teams.fake, {"aad-rita": "Rita Married-Name", "aad-omar": "Omar Okafor",
                            "aad-pia": "Pia Patel"})
    assert refresh(monkeypatch, tmp_path, teams) == 0
    out = capsys.readouterr().out
    assert f"{TEAM}: 3 members; 2 people added, 1 renamed" in out
    assert {name for _, name in on_teams(teams).values()} == {
        "Rita Married-Name", "Omar Okafor", "Pia Patel"}
    teams.fake.fail_members(500)
    assert refresh(monkeypatch, tmp_path, teams) == 1
    err = capsys.readouterr().err
    assert "the Bot Connector answered HTTP 500 to the member list" in err
