"""Stage One on Teams: `new` opens the intake dialog, the case card goes to the customer-
services channel, Acknowledge and Send reply from the card's dialogs refresh it in place,
and the timeline is replies in the card's thread."""

from __future__ import annotations

from typing import Any

from cases.roles import Role
from tests.teams.driver import CS_CHANNEL, TeamsDriver

CASEY = "aad-casey"


def intake_answers() -> dict[str, Any]:
    return {"complainant_name": "Ada Lovelace", "postal_address": "1 Example Street, Hull",
            "email": "ada@example.com", "phone": "01482 123456",
            "organisation": "Analytical Engines Ltd", "relationship": "customer",
            "channel": "phone", "received_at.date": "2026-06-10", "received_at.time": "10:00",
            "category": "product", "facts": "The tracker stopped reporting its location.",
            "remedy_sought": "A working tracker", "not_a_named_person": "true",
            "checklist.referred_to_procedure": "true", "checklist.feedback_form_sent": "true",
            "checklist.told_next_steps": "true"}


def log_one(teams: TeamsDriver) -> dict[str, Any]:
    """Install, say `new`, open the dialog, submit it; the posted card."""
    assert teams.install()[0] in (200, 202)
    teams.grant(CASEY, Role.CUSTOMER_SERVICES, "Casey Cross")
    teams.say(CASEY, "new")
    button = teams.fake.cards("reply")[-1]["actions"][0]
    dialog = teams.fetch(CASEY, button["data"])
    done = teams.submit(CASEY, dialog, intake_answers())
    assert done["task"]["type"] == "message" and "Logged TT-2026-0001" in done["task"]["value"]
    teams.deliver()
    posted = [c for c in teams.fake.of("send") if c.conversation == CS_CHANNEL]
    assert len(posted) == 1
    return posted[0].body["attachments"][0]["content"]


def test_intake_dialog_posts_the_case_card_without_personal_data(teams: TeamsDriver) -> None:
    card = log_one(teams)
    text = str(card)
    assert "TT-2026-0001" in text and "Logged" in text
    for secret in ("Ada Lovelace", "ada@example.com", "01482", "Example Street",
                   "stopped reporting"):
        assert secret not in text
    assert card["refresh"]["action"]["verb"] == "refresh"
    # What to tell the complainant went to Casey's personal chat, not the channel.
    dm = [c for c in teams.fake.of("send") if c.conversation == f"a:personal-{CASEY}"]
    assert dm and "TT-2026-0001" in str(dm[0].body)


def test_a_bad_intake_comes_back_with_the_problem_beside_the_field(teams: TeamsDriver) -> None:
    teams.install()
    teams.grant(CASEY, Role.CUSTOMER_SERVICES, "Casey Cross")
    dialog = teams.fetch(CASEY, {"dialog": "intake"})
    answers = intake_answers()
    del answers["complainant_name"]
    again = teams.submit(CASEY, dialog, answers)
    assert again["task"]["type"] == "continue"
    body = again["task"]["value"]["card"]["content"]["body"]
    ids = [b.get("id") for b in body]
    at = ids.index("complainant_name")
    assert body[at + 1]["type"] == "TextBlock" and "⚠" in body[at + 1]["text"]
    assert next(b for b in body if b.get("id") == "email")["value"] == "ada@example.com"
    with teams.desk.reader() as uow:
        assert uow.cases.list_open() == []


def test_stage_one_walk_through_refreshes_the_card_and_threads_the_timeline(
        teams: TeamsDriver) -> None:
    card = log_one(teams)
    ack = next(a for a in card["actions"] if a["title"] == "Acknowledge")
    dialog = teams.fetch(CASEY, ack["data"])
    done = teams.submit(CASEY, dialog, {"owner": teams.person(CASEY),
                                        "promised_reply_by": "2026-07-10",
                                        "procedure_attached": "true"})
    assert "done on TT-2026-0001" in done["task"]["value"]
    teams.deliver()
    updates = [c for c in teams.fake.of("update") if c.conversation == CS_CHANNEL]
    assert updates, "the card is updated in place"
    updated = updates[-1].body["attachments"][0]["content"]
    assert "Acknowledged" in str(updated) and "Casey Cross" in str(updated)
    thread = f"{CS_CHANNEL};messageid={teams.fake.of('send')[0].activity_id}"
    lines = [c.body.get("text", "") for c in teams.fake.of("reply") if c.conversation == thread]
    assert any("acknowledged it" in line for line in lines)
    # Refresh (Action.Execute) answers with the card as it is now.
    refreshed = teams.execute(CASEY, "refresh", updated["refresh"]["action"]["data"])
    assert refreshed["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Acknowledged" in str(refreshed["value"])
    # Resolve from the refreshed card, then Send reply from the card as it is then.
    resolve = next(a for a in refreshed["value"]["actions"] if a["title"] == "Resolve")
    done = teams.submit(CASEY, teams.fetch(CASEY, resolve["data"]),
                        {"resolution": "Sent a replacement tracker."})
    assert "done" in done["task"]["value"], done
    teams.deliver()
    now = teams.execute(CASEY, "refresh", updated["refresh"]["action"]["data"])["value"]
    reply = next(a for a in now["actions"] if a["title"] == "Send reply")
    dialog = teams.fetch(CASEY, reply["data"])
    done = teams.submit(CASEY, dialog, {"outcome": "upheld", "suggestions": "Replacement."})
    assert "done" in done["task"]["value"], done
    teams.deliver()
    last = [c for c in teams.fake.of("update") if c.conversation == CS_CHANNEL][-1]
    assert "Upheld" in str(last.body)


def test_a_stale_dialog_is_refused_privately_and_changes_nothing(teams: TeamsDriver) -> None:
    card = log_one(teams)
    ack = next(a for a in card["actions"] if a["title"] == "Acknowledge")
    first = teams.fetch(CASEY, ack["data"])
    second = teams.fetch(CASEY, ack["data"])
    answers = {"owner": teams.person(CASEY), "promised_reply_by": "2026-07-10",
               "procedure_attached": "true"}
    teams.submit(CASEY, first, answers)
    refused = teams.submit(CASEY, second, answers)
    assert refused["task"]["type"] == "message"
    assert "done" not in refused["task"]["value"]
