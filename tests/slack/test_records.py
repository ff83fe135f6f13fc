"""`/complaint records export|access-log`: the ZIP goes privately to a director or the HR
manager (files_upload_v2 to their DM); the access log is the HR manager's."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cases.clock import FrozenClock
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import CS_AGENT, DIRECTOR, GOOD_INTAKE, HR_MANAGER, SlackDriver

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.usefixtures("hr_manager")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 6, 10, 10, 0, tzinfo=LONDON))



def _log(slack: SlackDriver) -> str:
    data = {**GOOD_INTAKE, "checklist": {"referred_to_procedure": True,
                                         "feedback_form_sent": True, "told_next_steps": True},
            "staff_grievance": False, "received_at": "2026-06-09T10:00:00+01:00"}
    return slack.desk.log_complaint(data, logged_by=slack.person(CS_AGENT)).reference


def _text(slack: SlackDriver, user: str, text: str) -> str:
    response = slack.command(user, text)
    assert response.status == 200
    if response.body.startswith("{"):
        answer: dict[str, Any] = json.loads(response.body)
        return str(answer.get("text"))
    return response.body


def test_the_hr_manager_gets_the_export_zip_in_a_direct_message(
        slack: SlackDriver, fake_slack: FakeSlack) -> None:
    reference = _log(slack)
    email = str(GOOD_INTAKE["email"])
    answer = _text(slack, HR_MANAGER, f"records export --email {email}")
    assert "direct message" in answer
    dm = fake_slack.dm_channel(HR_MANAGER)
    fake_slack.wait_until(lambda: bool(fake_slack.uploaded_files(dm)), timeout=60,
                          describe="the export uploaded")
    [upload] = fake_slack.uploaded_files(dm)
    assert upload["filename"].startswith("subject-access-") and "1 case(s)" in \
        upload["initial_comment"]
    archive = zipfile.ZipFile(io.BytesIO(upload["content"]))
    file = json.loads(archive.read(f"{reference}/case-file.json"))
    assert file["intake"]["email"] == email
    assert archive.read(f"{reference}/case-file.pdf").startswith(b"%PDF")
    # Nothing of it went to a channel.
    assert not [c for c in fake_slack.calls("chat.postMessage")
                if email in json.dumps(c.body)]
    # The HR manager's access log shows the export, by them.
    log = _text(slack, HR_MANAGER, f"records access-log --ref {reference}")
    assert "exported (subject access)" in log and f"<@{HR_MANAGER}>" in log


def test_staff_are_refused_the_export_and_directors_the_access_log(
        slack: SlackDriver, fake_slack: FakeSlack) -> None:
    _log(slack)
    assert "direct message" in _text(slack, CS_AGENT, "records export --email ada@example.com")
    fake_slack.wait_until(lambda: any("directors and the HR manager" in t
                                      for t in slack.ephemerals(CS_AGENT)),
                          describe="the refusal")
    assert fake_slack.uploaded_files() == []
    assert "HR manager" in _text(slack, DIRECTOR, "records access-log")
    assert "exactly one of" in _text(slack, DIRECTOR, "records export")
    assert "needs a flag" in _text(slack, HR_MANAGER, "records access-log TT-2026-0001")
    assert _text(slack, HR_MANAGER, "records access-log --from 2026-13-01").startswith(
        "--from: ")
