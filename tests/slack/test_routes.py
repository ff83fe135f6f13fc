"""Buttons, modals and shortcuts reach their listener through the routing tables
(``handlers.routes``); what no table knows is left to bolt's unhandled-request answer."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.authorization import AuthorizeResult

from handlers.handoff import HandOff
from handlers.ids import ActionId, CallbackId
from handlers.routes import Routes
from tests.slack.harness import CS_AGENT, SECRET, SlackDriver
from tests.slack.http_serving import post, serving
from tests.slack.signing import (
    FORM,
    _form,
    block_actions_body,
    block_actions_payload,
    global_shortcut_body,
    signed_headers,
    view_submission_body,
    view_submission_payload,
)


@pytest.mark.parametrize("body", [
    block_actions_body("not_a_button_we_made", '{"case": 1}', user_id=CS_AGENT),
    view_submission_body("not_a_modal_we_made", {}, user_id=CS_AGENT),
    global_shortcut_body("not_a_shortcut_we_made", user_id=CS_AGENT),
], ids=["button", "modal", "shortcut"])
def test_an_id_no_listener_has_gets_bolts_404_and_touches_nothing(
        slack: SlackDriver, body: bytes, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert slack.send(body).status == 404
    assert "Unhandled request" in caplog.text
    assert _calls_beyond_auth(slack) == []


def _calls_beyond_auth(slack: SlackDriver) -> list[str]:
    return [call.method for call in slack.fake.calls() if call.method != "auth.test"]


def _with(payload: dict[str, Any], path: tuple[str, ...], value: Any) -> bytes:
    here = payload
    for key in path[:-1]:
        here = here[key]
    here[path[-1]] = value
    return _form(payload)


@pytest.mark.parametrize(("value", "status"), [(5, 400), (["view_details"], 400),
                                               ({"id": "view_details"}, 400), (None, 404)],
                         ids=["number", "list", "object", "null"])
@pytest.mark.parametrize("where", ["button", "modal"])
def test_an_id_that_is_not_a_string_is_refused_or_unhandled_never_an_error(
        slack: SlackDriver, where: str, value: Any, status: int,
        caplog: pytest.LogCaptureFixture) -> None:
    if where == "button":
        payload = block_actions_payload(ActionId.VIEW_DETAILS.value, '{"case": 1}',
                                        user_id=CS_AGENT)
        body = _with(payload, ("actions", 0, "action_id"), value)
    else:
        payload = view_submission_payload(CallbackId.INTAKE.value, {}, user_id=CS_AGENT)
        body = _with(payload, ("view", "callback_id"), value)
    with serving(slack.runtime) as port:
        answer = post(port, body, {**signed_headers(body, SECRET), "Content-Type": FORM})
    assert answer[0] == status, answer
    assert "unhandled error" not in caplog.text
    assert _calls_beyond_auth(slack) == []


def _routes() -> tuple[App, Routes, HandOff]:
    # As handlers.app builds it; a fixed authorization: this app never calls Slack.
    app = App(signing_secret="s", request_verification_enabled=False,
              process_before_response=True,
              authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T0TEST001",
                                                    bot_token="xoxb-test",
                                                    bot_user_id="UBOTFAKE"))
    handoff = HandOff(app, ThreadPoolExecutor(max_workers=2))
    return app, Routes(app, handoff), handoff


def test_two_listeners_for_one_id_are_refused_when_registered() -> None:
    _, routes, _ = _routes()
    routes.action("press")(lambda ack: None)
    with pytest.raises(ValueError, match="two listeners for the button or menu action 'press'"):
        routes.action("press")(lambda ack: None)


def test_a_listener_asking_for_what_bolt_does_not_give_is_refused_when_registered() -> None:
    _, routes, _ = _routes()

    def wants_too_much(ack: Any, database: Any) -> None:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match="wants_too_much asks for database"):
        routes.view("form")(wants_too_much)


def test_a_listener_gets_the_arguments_it_names_as_bolt_would() -> None:
    app, routes, handoff = _routes()
    seen: dict[str, Any] = {}

    @routes.action("press")
    def pressed(ack: Any, action: dict[str, Any], body: dict[str, Any],
                context: Any) -> None:
        ack()
        seen.update(action=action["action_id"], user=body["user"]["id"],
                    context_user=context.user_id)

    routes.install()
    with pytest.raises(RuntimeError, match="registered before the routes are installed"):
        routes.action("late")
    payload = block_actions_payload("press", "v", user_id="U0PRESSER")
    answer = app.dispatch(BoltRequest(body=json.dumps(payload),
                                      headers={"content-type": "application/json"}))
    assert answer.status == 200
    assert handoff.wait_idle(5)
    assert seen == {"action": "press", "user": "U0PRESSER", "context_user": "U0PRESSER"}
