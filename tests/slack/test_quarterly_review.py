"""Phase Three end to end: the HR manager gets the quarterly review with charts, records
two actions through its modal, and sees them in the next quarter's report."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from bot.runtime import build_sweeper
from cases.clock import FrozenClock
from handlers.ids import ActionId
from tests.slack.harness import (
    CS_AGENT,
    CS_CHANNEL,
    DIRECTOR,
    DIRECTORS_CHANNEL,
    GOOD_INTAKE,
    HR_MANAGER,
    SlackDriver,
)
from tests.slack.signing import block_actions_body

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.usefixtures("hr_manager")


@pytest.fixture
def clock() -> FrozenClock:
    # Wed 1 Jul 2026 10:00: the first working day of Q3, after the review's 09:00.
    return FrozenClock(datetime(2026, 7, 1, 10, 0, tzinfo=LONDON))



def _log(slack: SlackDriver, received: datetime, **changes: Any) -> None:
    data = {**GOOD_INTAKE, "checklist": {"referred_to_procedure": True,
                                         "feedback_form_sent": True, "told_next_steps": True},
            "staff_grievance": False, "received_at": received.isoformat(),
            "late_reason": "Logged late for this test's history.", **changes}
    slack.desk.log_complaint(data, logged_by=slack.person(CS_AGENT))


def _buttons(message: Any) -> dict[str, dict[str, Any]]:
    return {e["action_id"] + ":" + e.get("value", ""): e for b in message.blocks or []
            if b.get("type") == "actions" for e in b["elements"]}


def _press(slack: SlackDriver, user: str, message: Any, action_id: str) -> dict[str, Any]:
    element = next(e for e in _buttons(message).values() if e["action_id"] == action_id)
    slack.send(block_actions_body(action_id, element["value"], user_id=user,
                                  channel_id=message.channel, message_ts=message.ts))
    return element


def _review_message(slack: SlackDriver, channel: str) -> Any:
    found = [m for m in slack.fake.messages(channel)
             if "Quarterly complaints review" in m.text and not m.files]  # not the charts
    assert len(found) == 1, f"{len(found)} review messages in {channel}"
    return found[0]


def test_hr_manager_gets_the_review_with_charts_records_two_actions_and_sees_them_next_quarter(
        slack: SlackDriver, clock: FrozenClock) -> None:
    for day in (6, 7, 8):
        _log(slack, datetime(2026, 5, day, 10, 0, tzinfo=LONDON), category="billing")
    _log(slack, datetime(2026, 4, 14, 10, 0, tzinfo=LONDON), category="delivery",
         email="someone.else@example.org", phone="01482 654321")
    sweeper = build_sweeper(slack.runtime.container)

    # Two sweeps that day (as two replicas would run): the review goes out once.
    sweeper.sweep(clock.now())
    sweeper.sweep(clock.now())
    slack.deliver()

    hr_dm = slack.fake.dm_channel(HR_MANAGER)
    review = _review_message(slack, hr_dm)
    shown = json.dumps(review.blocks)
    assert "*4 complaint(s) received*" in shown and "Billing: 3" in shown
    assert "Record review" in shown and "Export XLSX" in shown
    # The HR manager may open every case: the trend lists them, each with a Case file button.
    assert "Cases: TT-2026-0001, TT-2026-0002, TT-2026-0003" in shown
    assert any(k.startswith(ActionId.CASE_FILE.value) for k in _buttons(review))
    for secret in ("Ada Example", "ada@example.com", "High Street", "stopped reporting"):
        assert secret not in shown
    charts = slack.fake.uploaded_files(hr_dm)
    assert [f["filename"] for f in charts] == ["complaints-per-month.png",
                                            "on-time-by-deadline.png", "time-to-reply.png",
                                            "stage-two-rate.png"]
    for chart in charts:
        assert chart["alt_txt"] and len(chart["alt_txt"]) > 40
        assert chart["content"] is not None
        assert Image.open(io.BytesIO(chart["content"])).size == (1200, 675)
    # The directors channel gets the same report and charts, with no case references.
    in_channel = _review_message(slack, DIRECTORS_CHANNEL)
    assert "TT-2026-" not in json.dumps(in_channel.blocks)
    assert len(slack.fake.uploaded_files(DIRECTORS_CHANNEL)) == 4
    assert slack.fake.uploaded_files(CS_CHANNEL) == []

    # Record review: findings and two actions, one due before the next quarter.
    _press(slack, HR_MANAGER, review, ActionId.REPORT_RECORD_REVIEW.value)
    modal = slack.opened_view()
    answer = slack.submit(HR_MANAGER, modal, {
        "findings": "Billing complaints cluster in May: the new invoice layout.",
        "action_1_what": "Rewrite the invoice explanation leaflet",
        "action_1_owner": CS_AGENT, "action_1_due_on": "2026-07-31",
        "action_2_what": "Train the billing team on the new layout",
        "action_2_owner": DIRECTOR, "action_2_due_on": "2026-08-14",
    })
    assert answer.status == 200 and not answer.body
    slack.deliver()
    assert any("Rewrite the invoice explanation leaflet" in t for t in slack.dms(CS_AGENT))
    assert any("Train the billing team" in t for t in slack.dms(DIRECTOR))

    # The owner marks theirs done from the DM.
    owner_dm = slack.fake.dm_channel(CS_AGENT)
    assigned = next(m for m in slack.fake.messages(owner_dm) if "leaflet" in m.text)
    _press(slack, CS_AGENT, assigned, ActionId.REVIEW_ACTION_DONE.value)

    # Next quarter: the Q3 review shows the Q2 review's actions, one done, one overdue.
    clock.set(datetime(2026, 10, 1, 10, 0, tzinfo=LONDON))
    sweeper.sweep(clock.now())
    slack.deliver()
    reviews = [m for m in slack.fake.messages(hr_dm)
               if "Quarterly complaints review" in m.text and not m.files]
    assert len(reviews) == 2
    latest = json.dumps(reviews[-1].blocks, ensure_ascii=False)
    assert ("Actions from the last review (01 Apr 2026 – 30 Jun 2026): 1 done, 1 overdue, "
            "0 not yet due.") in latest
    assert "Rewrite the invoice explanation leaflet" in latest
    assert "Train the billing team on the new layout" in latest


def test_record_review_refuses_an_action_without_an_owner_at_the_field(
        slack: SlackDriver) -> None:
    sweeper = build_sweeper(slack.runtime.container)
    sweeper.sweep(slack.clock.now())
    slack.deliver()
    review = _review_message(slack, slack.fake.dm_channel(HR_MANAGER))
    _press(slack, HR_MANAGER, review, ActionId.REPORT_RECORD_REVIEW.value)
    answer = slack.submit(HR_MANAGER, slack.opened_view(), {
        "findings": "Nothing unusual.", "action_1_what": "Check the phone scripts",
        "action_1_due_on": "2026-07-31"})
    body = json.loads(answer.body)
    assert body["response_action"] == "errors"
    assert body["errors"] == {"action_1_owner": "choose who does it"}
