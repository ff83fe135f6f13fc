"""`/complaint report`: the Phase Three report, privately, for directors and the HR manager."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cases.clock import FrozenClock
from tests.slack.harness import CS_AGENT, DIRECTOR, GOOD_INTAKE, HR_MANAGER, STAFF, SlackDriver

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.usefixtures("hr_manager")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 6, 10, 10, 0, tzinfo=LONDON))



def _log(slack: SlackDriver, received: datetime, **changes: Any) -> None:
    data = {**GOOD_INTAKE, "checklist": {"referred_to_procedure": True,
                                         "feedback_form_sent": True, "told_next_steps": True},
            "staff_grievance": False, "received_at": received.isoformat(),
            "late_reason": "Logged late for this report's history.", **changes}
    slack.desk.log_complaint(data, logged_by=slack.person(CS_AGENT))


def _answer(slack: SlackDriver, user: str, text: str) -> dict[str, Any]:
    """The slash command's answer: bolt sends a text-only ack as the bare text."""
    response = slack.command(user, text)
    assert response.status == 200
    if not response.body.startswith("{"):
        return {"text": response.body}
    answer: dict[str, Any] = json.loads(response.body)
    return answer


def test_director_gets_the_report_privately_with_counts_only(slack: SlackDriver) -> None:
    for day in (5, 6, 7):
        _log(slack, datetime(2026, 5, day, 10, 0, tzinfo=LONDON), category="billing")
    _log(slack, datetime(2026, 5, 8, 10, 0, tzinfo=LONDON), category="delivery",
         channel="email")
    _log(slack, datetime(2026, 4, 30, 10, 0, tzinfo=LONDON))  # April: not in the period

    answer = _answer(slack, DIRECTOR, "report 2026-05-01 2026-05-31")

    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert answer["text"].startswith("Complaints trends 01 May 2026 – 31 May 2026: 4 received")
    shown = json.dumps(answer["blocks"])
    assert "*4 complaint(s) received*" in shown
    assert "Billing: 3" in shown and "Delivery: 1" in shown
    assert "Billing complaints are 3 of 4 (75%)" in shown
    for secret in ("Ada Example", "ada@example.com", "123456", "High Street", "Example Ltd",
                   "stopped reporting", "replacement unit"):
        assert secret not in shown
    assert len(answer["blocks"]) <= 50
    # Nothing is posted to a channel: the answer rides on the ack alone.
    assert slack.fake.calls("chat.postMessage") == []
    assert slack.fake.calls("chat.postEphemeral") == []


def test_hr_manager_may_run_it_and_the_default_is_the_last_full_quarter(
        slack: SlackDriver) -> None:
    answer = _answer(slack, HR_MANAGER, "report")
    assert answer["text"].startswith("Complaints trends 01 Jan 2026 – 31 Mar 2026: 0 received")
    from_only = _answer(slack, HR_MANAGER, "report 2026-06-01")
    assert "01 Jun 2026 – 10 Jun 2026" in from_only["text"]


@pytest.mark.parametrize("user", [CS_AGENT, STAFF])
def test_customer_services_and_staff_are_refused(slack: SlackDriver, user: str) -> None:
    _log(slack, datetime(2026, 5, 5, 10, 0, tzinfo=LONDON))
    answer = _answer(slack, user, "report 2026-05-01 2026-05-31")
    assert "HR manager" in answer["text"] and "directors" in answer["text"]
    assert "blocks" not in answer


def test_bad_dates_are_explained(slack: SlackDriver) -> None:
    bad = _answer(slack, DIRECTOR, "report 2026-05-40")
    assert "'2026-05-40' is not a date: use YYYY-MM-DD, e.g. 2026-04-01." in bad["text"]
    backwards = _answer(slack, DIRECTOR, "report 2026-05-31 2026-05-01")
    assert backwards["text"].startswith("Report not run: the end date")
    too_many = _answer(slack, DIRECTOR, "report 2026-05-01 2026-05-31 extra")
    assert too_many["text"].startswith("Use `/complaint report`")


def test_help_mentions_the_report(slack: SlackDriver) -> None:
    assert "/complaint report [FROM [TO]]" in _answer(slack, STAFF, "help")["text"]
