"""Outbox delivery end to end against the fake Slack Web API: order, dead letters, repairs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from cases.delivery import DECISION_SLOT, SLACK
from cases.model import Case, Notice, NoticeKind, State
from handlers.delivery import slack_position
from handlers.ids import ActionId
from tests.slack.harness import (
    CS_AGENT,
    CS_CHANNEL,
    DIRECTOR,
    DIRECTORS_CHANNEL,
    SlackDriver,
    card_text,
)
from tests.slack.test_stage_two import decision_proposed, eventually

LONDON = ZoneInfo("Europe/London")
INTAKE: dict[str, Any] = {
    "complainant_name": "Ada Example",
    "email": "ada@example.com",
    "relationship": "customer",
    "channel": "phone",
    "received_at": "2026-05-05T09:00:00+01:00",
    "facts": "Tracker stopped working.",
    "category": "product",
    "checklist": {"referred_to_procedure": True, "feedback_form_sent": True,
                  "told_next_steps": True},
}


def logged(slack: SlackDriver) -> Case:
    """A complaint logged by the agent: card, 'logged' thread line and DM queued."""
    return slack.desk.log_complaint(INTAKE, logged_by=slack.person(CS_AGENT))


def queue(slack: SlackDriver, *notices: Notice) -> None:
    with slack.runtime.container.uow() as uow:
        uow.outbox.add(list(notices))
        uow.commit()


def deliver_for(slack: SlackDriver, minutes: int) -> None:
    """Let delivery run as the minutes pass (retries and backoff included)."""
    for _ in range(minutes):
        slack.deliver()
        slack.clock.advance(timedelta(minutes=1))
    slack.deliver()


def cards(slack: SlackDriver) -> list[Any]:
    return [m for m in slack.fake.messages(CS_CHANNEL) if m.thread_ts is None]


def test_a_cases_messages_reach_slack_in_the_order_they_were_queued(
        slack: SlackDriver) -> None:
    case = logged(slack)
    queue(slack, *[Notice(NoticeKind.CHANNEL, case.id, {"text": f"line {n}", "thread": True})
                   for n in range(1, 6)])
    slack.deliver()

    posts = [c for c in slack.fake.calls("chat.postMessage") if c.body["channel"] == CS_CHANNEL]
    assert "thread_ts" not in posts[0].body, "the card goes before its thread lines"
    assert len(cards(slack)) == 1
    assert slack.thread(case)[1:] == [f"line {n}" for n in range(1, 6)]


def test_card_refused_for_good_is_dead_and_the_next_thread_line_posts_it(
        slack: SlackDriver) -> None:
    case = logged(slack)
    # Slack refuses the card (e.g. the bot was not in the channel yet) until it is dead.
    slack.fake.error_next("chat.postMessage", "not_in_channel", count=5)
    deliver_for(slack, 6)

    [dead] = slack.runtime.outbox.dead()
    assert dead.kind == "card" and "not_in_channel" in dead.error
    # The dead card does not hold the case: its thread line posts the card, then itself.
    [card] = cards(slack)
    assert case.reference in card.text
    assert [case.reference in t or "ogged" in t for t in slack.thread(case)] == [True]
    assert any(case.reference in text for text in slack.dms(CS_AGENT))
    assert slack.runtime.outbox.counts() == {"pending": 0, "dead": 1, "delivered": 2}


def test_card_deleted_in_slack_is_posted_afresh_and_its_case_carries_on(
        slack: SlackDriver) -> None:
    case = logged(slack)
    assert case.id is not None
    slack.deliver()
    old = slack.card(case)
    # Someone deletes the card: Slack answers the next update with message_not_found.
    slack.fake.error_next("chat.update", "message_not_found")
    queue(slack, Notice(NoticeKind.CARD, case.id, {}),
          Notice(NoticeKind.CHANNEL, case.id, {"text": "after the repost", "thread": True}))
    slack.deliver()

    new = slack.card(case)
    assert new.ts != old.ts and case.reference in new.text
    assert [m.ts for m in cards(slack)] == [old.ts, new.ts]
    assert slack.thread(case) == ["after the repost"]
    assert slack.runtime.outbox.counts() == {"pending": 0, "dead": 0, "delivered": 5}
    # Later refreshes edit the new card.
    queue(slack, Notice(NoticeKind.CARD, case.id, {}))
    slack.deliver()
    assert slack.fake.calls("chat.update")[-1].body["ts"] == new.ts
    assert slack.card(case).updates == 1


def test_decision_message_deleted_in_slack_does_not_hold_the_card_back(
        slack: SlackDriver) -> None:
    case = decision_proposed(slack)
    assert case.id is not None
    case_id = case.id
    ref = slack.runtime.outbox.message_ref(SLACK, case.id, DECISION_SLOT)
    assert ref is not None
    slack.fake.delete_message(*slack_position(ref))

    slack.click(DIRECTOR, ActionId.APPROVE_DECISION.value, case, channel=DIRECTORS_CHANNEL)
    # Approve runs after its ack: deliver once the approval is recorded, not before.
    eventually(lambda: slack.desk.get_case(case_id).state is State.FINAL)
    slack.deliver()

    assert "Final decision" in card_text(slack.card(case, DIRECTORS_CHANNEL))
    assert slack.runtime.outbox.message_ref(SLACK, case.id, DECISION_SLOT) is None
    assert slack.runtime.outbox.counts()["pending"] == 0
    assert slack.runtime.outbox.counts()["dead"] == 0


def test_an_unknown_slack_error_is_dead_lettered_and_does_not_hold_the_case(
        slack: SlackDriver) -> None:
    case = logged(slack)
    slack.fake.error_next("chat.postMessage", "some_new_error", count=50)
    for _ in range(8):
        slack.deliver()
        slack.clock.advance(timedelta(minutes=5))
    dead = slack.runtime.outbox.dead()
    assert dead and "some_new_error" in dead[0].error
    slack.fake.reset()
    slack.runtime.outbox.requeue_dead(slack.clock.now())
    slack.deliver()
    assert case.reference in slack.card(case).text
