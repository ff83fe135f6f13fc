"""What is typed to the bot in a channel is answered privately: a refusal, a card, a list
go to the person's personal chat (the one the bot keeps, or one it creates through the Bot
Connector), and the channel hears one neutral line at most. A bare acknowledgement ("Note
added") stays in the channel it was asked in."""

from __future__ import annotations

import json

from cases.roles import Role
from teams.privately import ANSWERED_PRIVATELY, NOT_REACHED
from tests.teams.driver import CS_CHANNEL, TeamsDriver
from tests.teams.walk import (
    CASEY,
    IVAN,
    PERSONAL,
    card_now,
    chat,
    dm_cards,
    done,
    log_case,
    press,
    staff,
)

NEWCOMER = "aad-nia"  # customer services, has never written to the bot in a personal chat


def channel_lines(teams: TeamsDriver, before: int) -> list[str]:
    return [json.dumps(c.body, ensure_ascii=False) for c in teams.fake.of("reply")[before:]
            if c.conversation.startswith(f"{CS_CHANNEL};")]


def test_a_refusal_in_a_channel_goes_to_the_person_alone(teams: TeamsDriver) -> None:
    staff(teams)
    case = log_case(teams)
    before, sent = len(teams.fake.of("reply")), len(teams.fake.of("send"))
    teams.say(IVAN, f"note {case.reference} Sneaky.", personal=False)

    [line] = channel_lines(teams, before)
    assert ANSWERED_PRIVATELY in line and case.reference not in line
    [private] = teams.fake.of("send")[sent:]
    assert private.conversation == chat(IVAN)
    assert "Note added" not in private.body["text"] and private.body["text"]
    assert not [e for e in teams.desk.history(case.id or 0) if e.action == "note"]


def test_a_bare_acknowledgement_stays_in_the_channel(teams: TeamsDriver) -> None:
    staff(teams)
    case = log_case(teams)
    before, sent = len(teams.fake.of("reply")), len(teams.fake.of("send"))
    teams.say(CASEY, f"note {case.reference} Rang the customer back.", personal=False)

    [line] = channel_lines(teams, before)
    assert f"Note added to {case.reference}" in line
    assert teams.fake.of("send")[sent:] == []


def test_an_answer_for_someone_without_a_personal_chat_opens_one(teams: TeamsDriver) -> None:
    staff(teams)
    case = log_case(teams)
    nia = teams.grant(NEWCOMER, Role.CUSTOMER_SERVICES, "Nia Newcomer")
    before, sent = len(teams.fake.of("reply")), len(teams.fake.of("send"))
    teams.say(NEWCOMER, f"show {case.reference}", personal=False, display="Nia Newcomer")

    [created] = teams.fake.of("create")
    assert created.body["members"] == [{"id": f"29:{NEWCOMER}"}]
    assert created.body["isGroup"] is False and created.body["tenantId"]
    [private] = teams.fake.of("send")[sent:]
    assert private.conversation == created.conversation == chat(NEWCOMER)
    card = json.dumps(private.body["attachments"][0]["content"])
    assert case.reference in card
    [line] = channel_lines(teams, before)
    assert ANSWERED_PRIVATELY in line and "attachments" not in line
    assert case.reference not in line

    # The chat is kept: the next answer goes there without creating another.
    teams.say(NEWCOMER, "find lovelace", personal=False, display="Nia Newcomer")
    assert len(teams.fake.of("create")) == 1
    found = teams.fake.of("send")[-1]
    assert found.conversation == chat(NEWCOMER) and "Ada Lovelace" in found.body["text"]
    assert nia == teams.person(NEWCOMER)
    # Nothing personal was ever said in the channel.
    in_channel = json.dumps([c.body for c in teams.fake.calls
                             if c.conversation.startswith("19:")])
    for secret in PERSONAL:
        assert secret not in in_channel


def test_when_no_personal_chat_can_be_opened_the_channel_says_so_neutrally(
        teams: TeamsDriver) -> None:
    staff(teams)
    case = log_case(teams)
    teams.grant(NEWCOMER, Role.CUSTOMER_SERVICES, "Nia Newcomer")
    before, sent = len(teams.fake.of("reply")), len(teams.fake.of("send"))
    teams.fake.fail_next(403)  # Teams: the app is not installed for this user
    teams.say(NEWCOMER, f"show {case.reference}", personal=False)

    [line] = channel_lines(teams, before)
    assert NOT_REACHED.split(",")[0] in line
    assert case.reference not in line and "attachments" not in line
    assert teams.fake.of("send")[sent:] == []


def test_a_direct_message_opens_the_personal_chat_of_someone_seen_only_in_a_channel(
        teams: TeamsDriver) -> None:
    people = staff(teams)
    case = log_case(teams)
    nia = teams.grant(NEWCOMER, Role.CUSTOMER_SERVICES, "Nia Newcomer")
    press(teams, NEWCOMER, card_now(teams), "View details")  # seen, on a channel's card
    assert teams.fake.of("create") == []
    done(press(teams, CASEY, card_now(teams), "Acknowledge",
               {"owner": nia, "promised_reply_by": "2026-07-10",
                "procedure_attached": "true"}))
    teams.deliver()
    done(press(teams, CASEY, card_now(teams), "Assign investigator",
               {"investigator": nia}))
    teams.deliver()

    [created] = teams.fake.of("create")
    assert created.body["members"] == [{"id": f"29:{NEWCOMER}"}]
    told = [json.dumps(c) for c in dm_cards(teams, NEWCOMER)]
    assert any(case.reference in t and "investigat" in t for t in told), told
    assert teams.runtime.outbox.dead() == [] and people[CASEY] != nia
