"""One bot on Slack and Teams at once, one database: a case started on Slack is continued on
Teams by the same person once `complaints-bot people link` has joined their accounts.
Their role and their history are the person's, whichever surface they used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from cases.clock import FrozenClock
from cases.model import State
from cases.people import AccountKind
from handlers.ids import ActionId
from tests.slack.conftest import _fake_slack_server, fake_slack  # noqa: F401 (fixtures)
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import CS_AGENT, INVESTIGATOR, SlackDriver, card_text
from tests.slack.test_stage_two import log_complaint, open_step, step
from tests.teams.driver import CS_CHANNEL, TeamsDriver, teams_runtime_options, teams_settings
from tests.teams.fake_teams import FakeTeams
from tests.teams.walk import CASEY, IVAN, button, card_now, dm_cards, done, inputs, press

Both = tuple[SlackDriver, TeamsDriver]


@pytest.fixture
def both(fake_slack: FakeSlack, fake_teams: FakeTeams, tmp_path: Path,  # noqa: F811
         clock: FrozenClock) -> Iterator[Both]:
    """The bot as `complaints-bot run` builds it with Slack and Teams settings."""
    slack = SlackDriver(fake_slack, tmp_path, clock, also=teams_settings(fake_teams),
                        runtime_options=teams_runtime_options(fake_teams))
    teams = TeamsDriver(fake_teams, tmp_path, clock, runtime=slack.runtime)
    yield slack, teams
    teams.close()


def link(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, slack: SlackDriver,
         person: str, account: str) -> None:
    """`complaints-bot people link PERSON ACCOUNT` on the bot's database."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", slack.settings.database_url)
    assert main(["people", "link", person, account]) == 0


def test_a_case_started_on_slack_is_continued_on_teams_by_the_linked_person(
        both: Both, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    slack, teams = both
    assert slack.settings.complaints_surfaces == ["slack", "teams"]
    teams.install()

    # Slack: the customer-services agent logs and acknowledges the complaint.
    case = log_complaint(slack)
    assert case.id is not None
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case)
    ticks = next(b for b in view["blocks"] if b.get("block_id") == "procedure_attached")
    slack.submit(CS_AGENT, view, {"procedure_attached": [
        o["value"] for o in ticks["element"]["options"]]})
    slack.deliver()
    assert "Acknowledged" in json.dumps(card_now(teams)), "the Teams card follows Slack"

    # The agent's Teams account is linked to the person they are on Slack.
    casey = slack.person(CS_AGENT)
    link(monkeypatch, tmp_path, slack, casey, f"teams:{CASEY}")
    assert f"teams:{CASEY} is now linked to {casey}" in capsys.readouterr().out
    assert teams.person(CASEY) == casey

    # Teams: their cases are theirs (no role was granted on Teams), and so is the card.
    status, _ = teams.say(CASEY, "list mine")
    assert status in (200, 202)
    answer = teams.fake.of("reply")[-1].body["text"]
    assert case.reference in answer
    # The investigator has used the bot on Slack only; the Teams picker still finds them.
    assert slack.command(INVESTIGATOR, "help").status == 200
    dialog = press(teams, CASEY, card_now(teams), "Assign investigator")
    picker = dict((c["value"], c["title"]) for c in inputs(dialog)["investigator"]["choices"])
    investigator = slack.person(INVESTIGATOR)
    assert picker[investigator].endswith("(not on Teams yet)"), picker
    done(teams.submit(CASEY, dialog, {"investigator": investigator}))
    slack.deliver()

    # The investigator is only on Slack: told there, and nothing is dead on Teams' side.
    assert any(case.reference in t and "investigate" in t for t in slack.dms(INVESTIGATOR))
    assert slack.runtime.outbox.dead() == []
    step(slack, INVESTIGATOR, ActionId.CONCLUDE_INVESTIGATION, case,
         {"findings": "Firmware fault confirmed."}, channel=None)
    slack.deliver()

    # Teams: the same person sends the reply; both surfaces' cards show it.
    done(press(teams, CASEY, card_now(teams), "Send reply",
               {"outcome": "partly_upheld", "suggestions": "A replacement unit."}))
    slack.deliver()
    assert slack.desk.get_case(case.id).state is State.REPLIED
    assert "Partly upheld" in card_text(slack.card(case))
    assert "Partly upheld" in json.dumps(card_now(teams))
    teams_thread = [c.body.get("text", "") for c in teams.fake.of("reply")
                    if c.conversation.startswith(f"{CS_CHANNEL};messageid=")]
    for thread in (slack.thread(case), teams_thread):
        assert any("sent the Stage One reply: Partly upheld" in t for t in thread), thread

    history = [(e.action, e.actor) for e in slack.desk.history(case.id)
               if e.action not in ("details_viewed", "details_refused")]
    assert [a for a, _ in history] == ["logged", "acknowledge", "assign_investigator",
                                      "conclude_investigation", "send_reply"]
    assert {actor for action, actor in history if action != "conclude_investigation"} == \
        {casey}, history
    assert ("conclude_investigation", investigator) in history
    # Personal data stayed out of both surfaces' channels.
    assert "Ada Example" not in json.dumps([c.body for c in teams.fake.calls
                                            if c.conversation.startswith("19:")])
    assert button(card_now(teams), "View details")


def _acknowledged_on_slack(slack: SlackDriver) -> tuple[int, str]:
    """A complaint logged and acknowledged on Slack; its case id and the agent's person."""
    case = log_complaint(slack)
    assert case.id is not None
    agent = slack.person(CS_AGENT)
    slack.desk.acknowledge_case(case.id, actor=agent, owner=agent,
                                promised_reply_by=date(2026, 7, 8), procedure_attached=True)
    return case.id, agent


def deliver_for(slack: SlackDriver, minutes: int) -> None:
    """Let delivery run as the minutes pass (retries and backoff included)."""
    for _ in range(minutes):
        slack.deliver()
        slack.clock.advance(timedelta(minutes=1))
    slack.deliver()


def test_a_person_only_on_teams_is_told_on_teams_and_slack_skips_them(both: Both) -> None:
    slack, teams = both
    teams.install()
    teams.say(IVAN, "help", display="Ivan Inman")  # on Teams only: no Slack account
    ivan = teams.person(IVAN)
    case_id, agent = _acknowledged_on_slack(slack)
    slack.desk.assign_investigator(case_id, actor=agent, investigator=ivan)
    deliver_for(slack, 6)

    told = [json.dumps(c) for c in dm_cards(teams, IVAN)]
    assert any("investigat" in t for t in told), told
    # Slack could not reach them and Teams could: Slack's row is done, nothing is dead.
    assert slack.runtime.outbox.dead() == []
    assert slack.runtime.outbox.counts()["pending"] == 0


def test_a_person_no_surface_reaches_is_dead_lettered_on_each_with_the_reason(
        both: Both) -> None:
    slack, teams = both
    teams.install()
    with slack.runtime.container.uow() as uow:
        ada = uow.people.get_or_create_for_account(AccountKind.EMAIL, "ada@tinytracker.example",
                                                   "Ada Investigator")
        uow.commit()
    case_id, agent = _acknowledged_on_slack(slack)
    slack.desk.assign_investigator(case_id, actor=agent, investigator=ada.id)
    deliver_for(slack, 6)

    dead = {d.surface: d for d in slack.runtime.outbox.dead()}
    assert set(dead) == {"slack", "teams"}, dead
    assert "no Slack account: link one" in dead["slack"].error
    assert f"people link {ada.id} slack:" in dead["slack"].error
    assert "no Teams account: link one" in dead["teams"].error
    assert f"people link {ada.id} teams:" in dead["teams"].error
    assert all(d.kind == "direct" for d in dead.values())


def test_a_teams_account_that_never_used_the_bot_leaves_the_message_to_slack(
        both: Both, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    slack, teams = both
    teams.install()
    assert slack.command(INVESTIGATOR, "help").status == 200
    investigator = slack.person(INVESTIGATOR)
    # Linked to a Teams account the bot has never seen: no personal chat can be opened.
    link(monkeypatch, tmp_path, slack, investigator, "teams:aad-never-seen")
    case_id, agent = _acknowledged_on_slack(slack)
    slack.desk.assign_investigator(case_id, actor=agent, investigator=investigator)
    deliver_for(slack, 6)

    assert any("investigate" in t for t in slack.dms(INVESTIGATOR))
    assert slack.runtime.outbox.dead() == []
    assert not teams.fake.of("create")
