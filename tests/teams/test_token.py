"""Every request to /api/messages proves it came from the Bot Connector, or gets 401 and
nothing is recorded: no person, no conversation, no call out."""

from __future__ import annotations

import logging

import pytest

from tests.teams.driver import TeamsDriver
from tests.teams.fake_teams import APP_ID, FakeTeams


def _nothing_recorded(teams: TeamsDriver) -> None:
    with teams.desk.reader() as uow:
        assert list(uow.people.list()) == []
    assert teams.runtime.teams.deps.store.all() == []
    assert teams.fake.calls == []


def test_a_good_token_is_answered(teams: TeamsDriver) -> None:
    status, _ = teams.say("aad-casey", "help")
    assert status == 200 or status == 202
    texts = [str(c.body.get("text") or "") for c in teams.fake.of("reply")]
    assert any("Complaints Desk" in t for t in texts), texts


@pytest.mark.parametrize("bad", [
    "no header", "not a jwt", "wrong key", "unendorsed key", "expired", "wrong issuer",
    "wrong audience", "other service url"])
def test_a_bad_token_gets_401_and_nothing_is_recorded(teams: TeamsDriver, fake_teams: FakeTeams,
                                                      bad: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    tokens = {
        "no header": None,
        "not a jwt": "abc.def.ghi",
        "wrong key": fake_teams.token(key=rsa.generate_private_key(65537, 2048)),
        "unendorsed key": fake_teams.token(kid="unendorsed"),
        "expired": fake_teams.token(expires_in=-301),
        "wrong issuer": fake_teams.token(issuer="https://login.example.org"),
        "wrong audience": fake_teams.token(audience="someone-else"),
        "other service url": fake_teams.token(service_url="https://evil.example.org/"),
    }
    activity = teams.activity("message_personal", "aad-mallory")
    status, _ = teams.post(activity, token=tokens[bad])
    assert status == 401
    _nothing_recorded(teams)


def test_an_expired_token_within_five_minutes_leeway_is_accepted(teams: TeamsDriver,
                                                                 fake_teams: FakeTeams) -> None:
    activity = teams.activity("message_personal", "aad-casey")
    status, _ = teams.post(activity, token=fake_teams.token(expires_in=-200))
    assert status in (200, 202)


def test_the_token_is_for_this_bot_only(teams: TeamsDriver, fake_teams: FakeTeams) -> None:
    activity = teams.activity("message_personal", "aad-casey")
    assert teams.post(activity, token=fake_teams.token(audience=APP_ID + "x"))[0] == 401
    assert teams.post(activity, token=fake_teams.token(audience=APP_ID))[0] in (200, 202)


def test_anonymous_is_off_unless_asked_and_warns_when_on(fake_teams: FakeTeams, tmp_path,
                                                          clock, caplog) -> None:
    (tmp_path / "off").mkdir()
    (tmp_path / "on").mkdir()
    off = TeamsDriver(fake_teams, tmp_path / "off", clock)
    try:
        assert off.post(off.activity("message_personal", "aad-x"), token=None)[0] == 401
    finally:
        off.close()
    caplog.set_level(logging.WARNING)
    on = TeamsDriver(fake_teams, tmp_path / "on", clock, complaints_teams_anonymous=True)
    try:
        assert "Agents Playground" in caplog.text
        status, _ = on.post(on.activity("message_personal", "aad-x"), token=None)
        assert status in (200, 202)
        # A token, when one is sent, is still checked.
        assert on.post(on.activity("message_personal", "aad-x"), token="abc.def.ghi")[0] == 401
    finally:
        on.close()
