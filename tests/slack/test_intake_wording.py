"""Issue 10's wording set, through signed requests: what a person reads must make sense."""

from __future__ import annotations

from typing import Any

from cases.messages import person_responded_words
from cases.model import State
from handlers.blocks.direct import dm_message
from handlers.ids import ActionId, BlockId
from tests.slack.harness import CS_AGENT, CS_AGENT_2, DIRECTOR, GOOD_INTAKE, SlackDriver
from tests.unit.test_blocks import card


def log(slack: SlackDriver) -> Any:
    opened = len(slack.fake.calls("views.open"))
    slack.command(CS_AGENT, "new")
    view = dict(slack.fake.wait_for("views.open", opened + 1)[opened].answer["view"])
    slack.submit(CS_AGENT, view, {**GOOD_INTAKE, "received_at": slack.clock.now()},
                 view_id=view["id"])
    return slack.only_case()


def test_a_missing_argument_says_what_is_missing_with_an_example(slack: SlackDriver) -> None:
    for typed, expected in (
            ("show", "`/complaint show` needs which case: its reference, e.g. "
                     "`/complaint show TT-2026-0001`"),
            ("escalate", "e.g. `/complaint escalate TT-2026-0001`"),
            ("note", "`/complaint note` needs which case, then the note, e.g. "
                     "`/complaint note TT-2026-0001 Rang"),
            ("note TT-2026-0001", "`/complaint note` needs the note itself, after the "
                                  "reference")):
        answer = slack.command(CS_AGENT, typed).body
        assert expected in answer, answer
        assert "I don't know" not in answer and "/complaint help" not in answer


def test_a_report_from_a_future_start_says_so_and_not_that_an_end_is_wrong(
        slack: SlackDriver) -> None:
    answer = slack.command(DIRECTOR, "report 2027-01-01").body
    assert "the start date Fri 1 Jan 2027 is after today (Tue 5 May 2026)" in answer
    assert "end date" not in answer


def test_list_mine_says_your_open_cases(slack: SlackDriver) -> None:
    assert slack.command(CS_AGENT, "list mine").body == "You have no open cases."
    log(slack)
    answer = slack.command(CS_AGENT, "list mine").body
    assert answer.startswith("*Your open cases* (1)") and "Mine" not in answer


def test_required_boxes_are_required_inputs_so_slack_does_not_say_optional(
        slack: SlackDriver) -> None:
    opened = len(slack.fake.calls("views.open"))
    slack.command(CS_AGENT, "new")
    intake = slack.fake.wait_for("views.open", opened + 1)[opened].body["view"]
    checklist = next(b for b in intake["blocks"] if b.get("block_id") == "checklist")
    assert checklist.get("optional", False) is False
    case = log(slack)
    opened = len(slack.fake.calls("views.open"))
    slack.click(CS_AGENT, ActionId.ACKNOWLEDGE.value, case.id)
    ack = slack.fake.wait_for("views.open", opened + 1)[opened].body["view"]
    box = next(b for b in ack["blocks"]
               if b.get("block_id") == BlockId.PROCEDURE_ATTACHED.value)
    assert box.get("optional", False) is False


def test_a_step_that_no_longer_applies_names_the_stage_readably(slack: SlackDriver) -> None:
    case = log(slack)
    opened = len(slack.fake.calls("views.open"))
    slack.click(CS_AGENT, ActionId.ACKNOWLEDGE.value, case.id)
    view = slack.fake.wait_for("views.open", opened + 1)[opened].body["view"]
    box = next(b for b in view["blocks"] if b.get("block_id") == "procedure_attached")
    slack.submit(CS_AGENT, view, {"procedure_attached": [
        o["value"] for o in box["element"]["options"]]})
    slack.click(CS_AGENT_2, ActionId.ACKNOWLEDGE.value, case.id)
    refusal = slack.fake.wait_for("chat.postEphemeral")[0].body["text"]
    assert f"{case.reference} is now at “Acknowledged”" in refusal, refusal


def test_the_person_responded_dm_reads_as_a_sentence() -> None:
    view = card(State.UNDER_REVIEW)
    words = person_responded_words(view)
    text, _ = dm_message(words)
    assert f"The person complaint {view.reference} is about has given their response" in text
