"""What Slack had and Teams lacked: the case file in pages with Edit details and Reassign,
"my cases" in personal chat, person pickers that list people not on Teams yet, and the
intake's dates to tell the complainant following the received time."""

from __future__ import annotations

import json

from cases.people import AccountKind
from cases.roles import Role
from tests.teams.card_schema import validate
from tests.teams.driver import TeamsDriver
from tests.teams.walk import (
    CASEY,
    DANA,
    IVAN,
    button,
    card_now,
    dialog_text,
    dm_cards,
    inputs,
    intake_answers,
    log_case,
    press,
    staff,
    titles,
)


def card_of(dialog: dict[str, object]) -> dict[str, object]:
    return dialog["task"]["value"]["card"]["content"]  # type: ignore[index, no-any-return]


def test_case_file_pages_through_every_entry_and_records_one_view(teams: TeamsDriver) -> None:
    people = staff(teams)
    case = log_case(teams)
    assert case.id is not None
    for n in range(30):  # a long history: the file needs more than one page
        teams.desk.add_note(case.id, actor=people[CASEY],
                            text=f"Call {n:02d}: " + "the customer explained again. " * 8)
    first = press(teams, CASEY, card_now(teams), "Case file")
    validate(card_of(first))
    text = dialog_text(first)
    assert "ada@example.com" in text and "recorded in the case history" in text
    assert "Call 29" in text and "Call 00" not in text, "newest first"
    assert titles(card_of(first))[:1] == ["Older"] and "Edit details" in titles(card_of(first))
    seen: list[str] = [text]
    page = first
    while "Older" in titles(card_of(page)):
        page = teams.submit(CASEY, page, button(card_of(page), "Older")["data"])
        validate(card_of(page))
        seen.append(dialog_text(page))
    assert len(seen) > 1 and "Call 00" in seen[-1] and "Logged" in seen[-1]
    everything = "".join(seen)
    assert all(f"Call {n:02d}" in everything for n in range(30)), "no entry lost between pages"
    newer = teams.submit(CASEY, page, button(card_of(page), "Newer")["data"])
    assert dialog_text(newer) == seen[-2]
    views = [e for e in teams.desk.history(case.id) if e.action == "details_viewed"]
    assert len(views) == 1, "opening is recorded once; paging is not"
    # Someone without need-to-know is refused, and told why.
    refused = press(teams, IVAN, card_now(teams), "Case file")
    assert refused["task"]["type"] == "message" and "need to know" in refused["task"]["value"]


def test_edit_details_and_reassign_from_the_case_file(teams: TeamsDriver) -> None:
    people = staff(teams)
    case = log_case(teams)
    assert case.id is not None
    opened = press(teams, CASEY, card_now(teams), "Case file")
    edit = teams.submit(CASEY, opened, button(card_of(opened), "Edit details")["data"])
    assert inputs(edit)["email"]["value"] == "ada@example.com"
    validate(card_of(edit))
    again = teams.submit(CASEY, edit, {"email": "ada@new.example.com"})  # no reason given
    assert again["task"]["type"] == "continue" and "⚠" in dialog_text(again)
    done = teams.submit(CASEY, again, {"email": "ada@new.example.com",
                                       "reason": "She wrote with her new address."})
    assert done["task"]["value"] == f"Details corrected on {case.reference}."
    fixed = teams.desk.get_case(case.id)
    assert str(fixed.intake.email) == "ada@new.example.com"
    [edited] = [e for e in teams.desk.history(case.id) if e.action == "details_edited"]
    assert edited.details["old"] == {"email": "ada@example.com"}

    opened = press(teams, CASEY, card_now(teams), "Case file")
    move = teams.submit(CASEY, opened, button(card_of(opened), "Reassign")["data"])
    validate(card_of(move))
    done = teams.submit(CASEY, move, {"part": "owner", "person": people[DANA],
                                      "reason": "Dana knows this customer."})
    assert done["task"]["value"] == f"Reassigned on {case.reference}."
    assert teams.desk.get_case(case.id).owner == people[DANA]
    teams.deliver()
    assert any("made you the owner" in json.dumps(c) for c in dm_cards(teams, DANA))
    # Someone who may read but not correct gets no tools, and a forged press is refused.
    teams.grant(IVAN, Role.HR_MANAGER)
    hr_view = press(teams, IVAN, card_now(teams), "Case file")
    assert hr_view["task"]["type"] == "continue"
    assert "Edit details" not in titles(card_of(hr_view))
    forged = teams.activity("task_submit", IVAN)
    forged["value"]["data"] = {"dialog": "case_file", "open": "edit", "case_id": case.id}
    status, answer = teams.post(forged)
    assert status == 200 and answer["task"]["type"] == "message"
    assert "correct a case" in answer["task"]["value"]


def test_my_cases_in_personal_chat_lists_the_work_queues(teams: TeamsDriver) -> None:
    staff(teams)
    case = log_case(teams)
    before = len(teams.fake.of("reply"))
    teams.say(CASEY, "my cases")
    [answer] = teams.fake.of("reply")[before:]
    mine = answer.body["attachments"][0]["content"]
    validate(mine)
    assert case.reference in json.dumps(mine)
    assert "Acknowledge" in json.dumps(mine) and "Case file" in json.dumps(mine)
    # Asked in a channel: the queues go to the personal chat, the channel hears only that.
    before, sent = len(teams.fake.of("reply")), len(dm_cards(teams, CASEY))
    teams.say(CASEY, "mine", personal=False)
    [in_channel] = teams.fake.of("reply")[before:]
    assert in_channel.body["text"] == "I've answered you in our personal chat."
    assert case.reference not in json.dumps(in_channel.body)
    [privately] = dm_cards(teams, CASEY)[sent:]
    assert privately == mine
    before = len(teams.fake.of("reply"))
    teams.say(IVAN, "mine")
    [none] = teams.fake.of("reply")[before:]
    assert "You have no work queues" in json.dumps(none.body)


def test_pickers_list_people_not_on_teams_yet(teams: TeamsDriver) -> None:
    people = staff(teams)
    slack_only = teams.desk.person_for_account(AccountKind.SLACK, "U0ONLYSLK", "Olly Slack").id
    log_case(teams)
    dialog = press(teams, CASEY, card_now(teams), "Acknowledge")
    choices = {c["value"]: c["title"] for c in inputs(dialog)["owner"]["choices"]}
    assert choices[slack_only] == "Olly Slack (not on Teams yet)"
    assert choices[people[IVAN]] == "Ivan Inman"
    assert inputs(dialog)["owner"]["style"] == "filtered"
    assert inputs(dialog)["owner"]["value"] == people[CASEY]


def test_the_intake_dates_follow_the_received_time(teams: TeamsDriver) -> None:
    staff(teams)
    dialog = teams.fetch(CASEY, {"dialog": "intake"})
    # Received now (Wed 10 Jun 2026, 11:00): acknowledged within two working days.
    first = dialog_text(dialog)
    update = button(card_of(dialog), "Update the dates")
    again = teams.submit(CASEY, dialog, {**intake_answers(), **update["data"],
                                         "received_at.date": "2026-06-05",
                                         "received_at.time": "16:00"})
    assert again["task"]["type"] == "continue"
    second = dialog_text(again)
    assert second != first
    assert inputs(again)["received_at.date"]["value"] == "2026-06-05"
    assert inputs(again)["email"]["value"] == "ada@example.com", "what was typed is kept"
    with teams.desk.reader() as uow:
        assert uow.cases.list_open() == [], "updating the dates logs nothing"
    # Submitting it for real logs it, once, with the dialog's key.
    done = teams.submit(CASEY, again, {})
    assert "Logged TT-2026-0001" in done["task"]["value"]
