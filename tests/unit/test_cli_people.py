"""`complaints-bot people list|link` on a scratch database."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from cases.people import AccountKind
from storage import migrate
from storage.db import make_engine
from storage.uow import SqlUnitOfWorkFactory


def _person(url: str, slack_id: str, name: str) -> str:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        with SqlUnitOfWorkFactory(engine)() as uow:
            person = uow.people.get_or_create_for_account(AccountKind.SLACK, slack_id, name)
            uow.commit()
        return person.id
    finally:
        engine.dispose()


def test_people_list_on_an_empty_database_says_how_people_appear(
        cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["people", "list"]) == 0
    assert "No people yet" in capsys.readouterr().out
    assert main(["people", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_people_link_adds_an_email_and_list_shows_every_account(
        cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    ada = _person(cli_database, "U0ADA0001", "Ada")
    bob = _person(cli_database, "U0BOB0001", "Bob")
    assert main(["people", "link", ada, "email:ada@example.com"]) == 0
    assert capsys.readouterr().out.strip() == f"email:ada@example.com is now linked to {ada}"
    assert main(["people", "link", ada, "U0ADA0001"]) == 0  # a bare Slack id still works
    assert "was already linked" in capsys.readouterr().out

    assert main(["people", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{ada}\tAda\tslack:U0ADA0001 email:ada@example.com", f"{bob}\tBob\tslack:U0BOB0001"]
    assert main(["people", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0] == {
        "id": ada, "display_name": "Ada",
        "accounts": ["slack:U0ADA0001", "email:ada@example.com"]}


def test_people_link_refuses_someone_elses_account_and_bad_input(
        cli_database: str, capsys: pytest.CaptureFixture[str]) -> None:
    ada = _person(cli_database, "U0ADA0001", "Ada")
    _person(cli_database, "U0BOB0001", "Bob")
    assert main(["people", "link", ada, "slack:U0BOB0001"]) == 2
    assert "already linked to another person" in capsys.readouterr().err
    assert main(["people", "link", ada, "slack:bob"]) == 2
    assert "ACCOUNT: 'bob' is not a Slack user id" in capsys.readouterr().err
    assert main(["people", "link", "P-0000000000", "email:x@example.com"]) == 2
    assert "No person 'P-0000000000'" in capsys.readouterr().err
    assert main(["people", "list"]) == 0
    assert "email:x@example.com" not in capsys.readouterr().out
