"""People at the Slack edge: Slack ids become people coming in, and Slack ids going out.

A database upgraded from the Slack-id schema keeps working, the people a Slack flow
met are listed with their Slack accounts, and a person Slack cannot reach is told so.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from cases.clock import FrozenClock
from cases.people import PERSON_ID, AccountKind
from cases.policy import Policy
from cases.services import ComplaintsDesk
from handlers.ids import ActionId
from scheduling.calendar import UKWorkingCalendar
from storage import migrate
from storage.db import make_engine
from storage.uow import SqlUnitOfWorkFactory
from tests.fakes import intake_data
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import CS_AGENT, INVESTIGATOR, SlackDriver, card_text
from tests.slack.test_delivery import deliver_for
from tests.slack.test_stage_one import log_complaint, open_step, tick_all
from tests.unit.conftest import SETTINGS_ENV

OLD_AGENT = "U0OLDCS01"  # customer services before people existed


def _slack_id_database(tmp_path: Path, clock: FrozenClock) -> int:
    """The previous schema (0006) holding a role and a case logged by a Slack id."""
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    migrate.upgrade(url, "0006")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO roles (user_id, role) VALUES (:u, :r)"),
                     {"u": OLD_AGENT, "r": "customer-services"})
    uow = SqlUnitOfWorkFactory(engine, clock)
    desk = ComplaintsDesk(uow, clock, UKWorkingCalendar(), Policy())
    case = desk.log_complaint(intake_data(received_at=clock.now().isoformat()),
                              logged_by=OLD_AGENT)
    engine.dispose()
    assert case.id is not None
    return case.id


def test_an_upgraded_database_knows_its_slack_users_as_the_same_people(
        fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock) -> None:
    case_id = _slack_id_database(tmp_path, clock)
    slack = SlackDriver(fake_slack, tmp_path, clock)  # upgrades to the people schema
    old = slack.desk.get_case(case_id)
    assert PERSON_ID.fullmatch(old.logged_by) and slack.slack_of(old.logged_by) == OLD_AGENT

    # The same Slack user presses Acknowledge: their migrated role lets them.
    view = open_step(slack, OLD_AGENT, ActionId.ACKNOWLEDGE, case_id)
    assert slack.submit(OLD_AGENT, view, {"procedure_attached": tick_all(
        view, "procedure_attached")}).status == 200
    acknowledged = slack.desk.get_case(case_id)
    assert acknowledged.owner == old.logged_by  # the owner field started as the clicker
    assert [slack.slack_of(e.actor) for e in slack.desk.history(case_id)] == [
        OLD_AGENT, OLD_AGENT]
    slack.deliver()
    assert f"<@{OLD_AGENT}>" in card_text(slack.card(case_id))
    assert any(old.reference in dm for dm in slack.dms(OLD_AGENT))


def test_people_list_shows_whom_a_slack_flow_met_with_their_slack_accounts(
        slack: SlackDriver, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert log_complaint(slack) == {}
    for name in SETTINGS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", slack.settings.database_url)
    capsys.readouterr()
    assert main(["people", "list", "--json"]) == 0
    listed = {tuple(p["accounts"]): p for p in json.loads(capsys.readouterr().out)}
    agent = listed[(f"slack:{CS_AGENT}",)]
    assert PERSON_ID.fullmatch(agent["id"])
    assert agent["id"] == slack.only_case().logged_by


def test_a_direct_message_to_someone_without_slack_is_dead_lettered_with_the_reason(
        slack: SlackDriver) -> None:
    assert log_complaint(slack) == {}
    case = slack.only_case()
    assert case.id is not None
    with slack.runtime.container.uow() as uow:
        ada = uow.people.get_or_create_for_account(AccountKind.EMAIL, "ada@tinytracker.example",
                                                   "Ada Investigator")
        uow.commit()
    agent = slack.person(CS_AGENT)
    slack.desk.acknowledge_case(case.id, actor=agent, owner=agent,
                                promised_reply_by=date(2026, 5, 8), procedure_attached=True)
    slack.desk.assign_investigator(case.id, actor=agent, investigator=ada.id)
    deliver_for(slack, 6)  # a hard failure is retried, then kept for an operator

    [dead] = slack.runtime.outbox.dead()
    assert dead.kind == "direct" and ada.id in dead.error and "no Slack account" in dead.error
    shown = card_text(slack.card(case))
    assert "Ada Investigator" in shown and ada.id not in shown  # named, not mentioned
    assert not slack.dms(INVESTIGATOR)
