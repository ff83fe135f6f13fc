"""The log never holds the complainant's details, tokens, signatures or request bodies."""

from __future__ import annotations

import json
import logging

import pytest

from bot.startup import LibraryNoise
from cases.model import State
from handlers.ids import ActionId
from tests.slack.conftest import TEST_BOT_TOKEN
from tests.slack.harness import (
    CS_AGENT,
    DIRECTOR_2,
    DIRECTORS_CHANNEL,
    GOOD_INTAKE,
    SECRET,
    SlackDriver,
)
from tests.slack.http_serving import post, serving
from tests.slack.signing import FORM, signed_headers
from tests.slack.test_stage_two import decision_proposed, eventually, fresh

SECRETS = [GOOD_INTAKE["complainant_name"], GOOD_INTAKE["email"], GOOD_INTAKE["phone"],
           "01482", "High Street", "HU13 0AA", GOOD_INTAKE["postal_address"],
           TEST_BOT_TOKEN, SECRET]
APP_LOGGERS = ("bot", "handlers", "cases", "storage", "scheduling")


def _forged_intake() -> bytes:
    payload = {"type": "view_submission", "user": {"id": CS_AGENT},
               "view": {"id": "VFORGED01", "type": "modal", "callback_id": "complaint_intake",
                        "state": {"values": {"complainant_name": {"v": {
                            "type": "plain_text_input", "value": GOOD_INTAKE["complainant_name"]}},
                            "email": {"v": {"type": "email_text_input",
                                            "value": GOOD_INTAKE["email"]}}}}}}
    from urllib.parse import urlencode
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_a_whole_case_and_forged_requests_leave_no_personal_data_in_the_log(
        slack: SlackDriver, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # what `complaints-bot run` logs
    for name in APP_LOGGERS:  # and the app's own debug lines (-v)
        caplog.set_level(logging.DEBUG, logger=name)
    caplog.handler.addFilter(LibraryNoise())  # as bot.startup.configure_logging installs it

    # Stage One and Stage Two, with the details viewed, to the approved final decision.
    case = decision_proposed(slack)
    slack.click(CS_AGENT, ActionId.VIEW_DETAILS.value, case)
    slack.fake.wait_for("views.open", 1)
    assert slack.press(DIRECTOR_2, ActionId.APPROVE_DECISION.value, case,
                       channel=DIRECTORS_CHANNEL).status == 200
    eventually(lambda: fresh(slack, case).state is State.FINAL)
    slack.deliver()

    # Forged and malformed requests carrying the complainant's details.
    body = _forged_intake()
    with serving(slack.runtime) as port:
        forged = {**signed_headers(body, "wrong-secret"), "Content-Type": FORM}
        assert post(port, body, forged)[0] == 401  # type: ignore[arg-type]
        stale = {**signed_headers(body, SECRET, 1), "Content-Type": FORM}
        assert post(port, body, stale)[0] == 401  # type: ignore[arg-type]
        broken = body + b"%ZZ"
        assert post(port, broken, {**signed_headers(broken, SECRET),  # type: ignore[dict-item]
                                   "Content-Type": FORM})[0] == 400
    # ... and the same through bolt directly, as Socket Mode would hand them over.
    slack.send(body)

    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}"
                       for r in caplog.records)
    assert logged, "nothing was logged at all: the capture is not working"
    leaks = [s for s in SECRETS if s.lower() in logged.lower()]
    assert leaks == [], logged
    assert "payload=" not in logged and "v0=" not in logged
