"""Steps of the procedure as a person does them in Teams: press a card's or a message's
button, fill its dialog, submit; read what the bot posted where."""

from __future__ import annotations

import json
from typing import Any

from cases.model import Case
from cases.roles import Role
from tests.teams.driver import CS_CHANNEL, DIRECTORS_CHANNEL, TeamsDriver

CASEY = "aad-casey"            # customer services
IVAN = "aad-ivan"              # investigator
SAM = "aad-sam"                # the member of staff the complaint is about
DANA = "aad-dana"              # director
DEV = "aad-dev"                # director
SENA = "aad-sena"              # senior (a review may be delegated to them)
NAMES = {CASEY: "Casey Cross", IVAN: "Ivan Inman", SAM: "Sam Subject", DANA: "Dana Director",
         DEV: "Dev Director", SENA: "Sena Senior"}
PERSONAL = ("Ada Lovelace", "ada@example.com", "1482 123456", "Example Street",
            "Analytical Engines")


def intake_answers(**changes: Any) -> dict[str, Any]:
    answers = {"complainant_name": "Ada Lovelace", "postal_address": "1 Example Street, Hull",
               "email": "ada@example.com", "phone": "01482 123456",
               "organisation": "Analytical Engines Ltd", "relationship": "customer",
               "channel": "phone", "received_at.date": "2026-06-10",
               "received_at.time": "10:00", "category": "product",
               "facts": "The tracker stopped reporting its location.",
               "remedy_sought": "A working tracker", "not_a_named_person": "true",
               "checklist.referred_to_procedure": "true",
               "checklist.feedback_form_sent": "true", "checklist.told_next_steps": "true"}
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def staff(teams: TeamsDriver) -> dict[str, str]:
    """Everyone above as a person with a Teams account and a personal chat with the bot."""
    teams.install()
    roles = {CASEY: Role.CUSTOMER_SERVICES, DANA: Role.DIRECTOR, DEV: Role.DIRECTOR,
             SENA: Role.SENIOR}
    people = {}
    for aad, name in NAMES.items():
        people[aad] = (teams.grant(aad, roles[aad], name) if aad in roles
                       else teams.person(aad, name))
        teams.say(aad, "help", display=name)  # the bot now knows their personal chat
    return people


def chat(aad: str) -> str:
    return f"a:personal-{aad}"


def posted(teams: TeamsDriver, conversation: str, kind: str = "send") -> list[dict[str, Any]]:
    """The cards the bot sent (or updated, or replied) in ``conversation``."""
    return [a["content"] for c in teams.fake.of(kind)
            if c.conversation.split(";")[0] == conversation
            for a in c.body.get("attachments") or [] if "content" in a]


def card_now(teams: TeamsDriver, channel: str = CS_CHANNEL) -> dict[str, Any]:
    """The case card in ``channel`` as it stands (its last post or update)."""
    found = [a["content"] for c in teams.fake.calls
             if c.kind in ("send", "update") and c.conversation == channel
             for a in c.body.get("attachments") or []
             if "refresh" in a["content"] and
             a["content"]["refresh"]["action"]["data"].get("slot") != "decision"]
    assert found, f"no case card in {channel}"
    return found[-1]


def thread_texts(teams: TeamsDriver, channel: str) -> list[str]:
    return [json.dumps(c.body) for c in teams.fake.of("reply")
            if c.conversation.startswith(f"{channel};messageid=")]


def decision_cards(teams: TeamsDriver) -> list[dict[str, Any]]:
    return [a["content"] for c in teams.fake.of("reply")
            if c.conversation.startswith(f"{DIRECTORS_CHANNEL};")
            for a in c.body.get("attachments") or []
            if "Draft decision" in json.dumps(a["content"])]


def dm_cards(teams: TeamsDriver, aad: str) -> list[dict[str, Any]]:
    return posted(teams, chat(aad))


def button(card: dict[str, Any], title: str) -> dict[str, Any]:
    found = [a for a in card.get("actions", []) if a["title"] == title]
    assert found, f"no {title!r} button on {[a['title'] for a in card.get('actions', [])]}"
    return found[0]


def titles(card: dict[str, Any]) -> list[str]:
    return [a["title"] for a in card.get("actions", [])]


def inputs(dialog: dict[str, Any]) -> dict[str, Any]:
    """The dialog's inputs by id (with their prefilled values)."""
    body = dialog["task"]["value"]["card"]["content"]["body"]
    return {b["id"]: b for b in body if "id" in b}


def dialog_text(dialog: dict[str, Any]) -> str:
    return json.dumps(dialog["task"]["value"]["card"]["content"], ensure_ascii=False)


def press(teams: TeamsDriver, aad: str, card: dict[str, Any], title: str,
          answers: dict[str, Any] | None = None, *, personal: bool = False) -> Any:
    """Press a dialog button on ``card``; with ``answers``, fill and submit the dialog."""
    dialog = teams.fetch(aad, button(card, title)["data"], personal=personal)
    if answers is None:
        return dialog
    assert dialog["task"]["type"] == "continue", dialog
    return teams.submit(aad, dialog, answers)


def done(answer: Any) -> None:
    assert answer["task"]["type"] == "message" and "done on" in answer["task"]["value"], answer


def log_case(teams: TeamsDriver, **changes: Any) -> Case:
    teams.say(CASEY, "new")
    dialog = teams.fetch(CASEY, button(teams.fake.cards("reply")[-1], "Log a complaint")["data"],
                         personal=True)
    answer = teams.submit(CASEY, dialog, intake_answers(**changes))
    assert "Logged" in answer["task"]["value"], answer
    teams.deliver()
    [case] = teams.desk.list_cases(viewer=teams.person(CASEY), which="open")
    return case


def replied(teams: TeamsDriver, people: dict[str, str], *, about: str | None = SAM) -> Case:
    """A complaint (about ``about``) acknowledged, investigated and answered at Stage One."""
    changes: dict[str, Any] = {"subject_user_id": people[about], "not_a_named_person": None} \
        if about else {}
    case = log_case(teams, **changes)
    done(press(teams, CASEY, card_now(teams), "Acknowledge",
               {"owner": people[CASEY], "promised_reply_by": "2026-07-10",
                "procedure_attached": "true"}))
    teams.deliver()
    done(press(teams, CASEY, card_now(teams), "Assign investigator",
               {"investigator": people[IVAN]}))
    teams.deliver()
    done(press(teams, IVAN, dm_cards(teams, IVAN)[-1], "Investigation concluded",
               {"findings": "Firmware fault confirmed."}, personal=True))
    teams.deliver()
    done(press(teams, CASEY, card_now(teams), "Send reply",
               {"outcome": "partly_upheld", "suggestions": "A replacement unit."}))
    teams.deliver()
    return teams.desk.get_case(case.id or 0)
