"""Slack is answered the moment a listener acks; the listener's work goes on after, and its
errors, before or after the ack, reach the app's error handler (``handlers.handoff``)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.authorization import AuthorizeResult

from handlers.handoff import HandOff
from handlers.routes import Routes
from tests.slack.harness import CS_AGENT, SlackDriver
from tests.slack.signing import block_actions_payload

WAIT = 5.0  # seconds a test waits for something that should take milliseconds


def _app(ack_timeout: float = 3.0) -> tuple[App, Routes, HandOff]:
    # Built as handlers.app builds the bot's; a fixed authorization: it never calls Slack.
    app = App(signing_secret="s", request_verification_enabled=False,
              process_before_response=True,
              authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T0TEST001",
                                                    bot_token="xoxb-test",
                                                    bot_user_id="UBOTFAKE"))
    handoff = HandOff(app, ThreadPoolExecutor(max_workers=4), ack_timeout=ack_timeout)
    return app, Routes(app, handoff), handoff


def _press(app: App, action_id: str = "press") -> BoltResponse:
    payload = block_actions_payload(action_id, "v", user_id="U0PRESSER")
    return app.dispatch(BoltRequest(body=json.dumps(payload),
                                    headers={"content-type": "application/json"}))


def _event(app: App) -> BoltResponse:
    body = {"type": "event_callback", "team_id": "T0TEST001", "api_app_id": "A0TEST",
            "event_id": "Ev0001", "event_time": 1,
            "event": {"type": "app_home_opened", "user": "U0OPENER", "tab": "home"}}
    return app.dispatch(BoltRequest(body=json.dumps(body),
                                    headers={"content-type": "application/json"}))


def test_slack_is_answered_with_the_ack_while_the_listener_still_works() -> None:
    app, routes, handoff = _app()
    acked, release, done = threading.Event(), threading.Event(), threading.Event()

    @routes.action("press")
    def pressed(ack: Any) -> None:
        ack(text="on it")
        acked.set()
        release.wait(WAIT)  # still working (opening a modal, posting an answer)
        done.set()

    routes.install()
    answer = _press(app)
    assert answer.status == 200 and answer.body == "on it"
    assert acked.is_set() and not done.is_set(), "answered before the work ended"
    assert not handoff.wait_idle(0.05), "the listener is still running"
    release.set()
    assert handoff.wait_idle(WAIT) and done.is_set()


def test_an_error_before_the_ack_is_answered_by_the_error_handler() -> None:
    app, routes, handoff = _app()
    seen: list[tuple[str, bool]] = []

    @routes.action("press")
    def pressed(ack: Any) -> None:
        raise ValueError("no such case")

    @routes.error
    def on_error(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
        seen.append((str(error), response is not None))
        return BoltResponse(status=200, body="That case is not there.")

    routes.install()
    answer = _press(app)
    assert (answer.status, answer.body) == (200, "That case is not there.")
    assert seen == [("no such case", True)]
    assert handoff.wait_idle(WAIT)


def test_without_an_error_handler_an_error_before_the_ack_is_bolts_500() -> None:
    app, routes, _ = _app()

    @routes.action("press")
    def pressed(ack: Any) -> None:
        raise ValueError("broken")

    routes.install()
    assert _press(app).status == 500


def test_an_error_after_the_ack_reaches_the_error_handler_with_nothing_to_answer() -> None:
    app, routes, handoff = _app()
    seen: list[tuple[str, bool, str]] = []

    @routes.action("press")
    def pressed(ack: Any) -> None:
        ack()
        raise ValueError("Slack refused the modal")

    @routes.error
    def on_error(error: Exception, response: BoltResponse | None) -> None:
        seen.append((str(error), response is None, threading.current_thread().name))

    routes.install()
    answer = _press(app)
    assert answer.status == 200  # the ack, sent before the error
    assert handoff.wait_idle(WAIT)
    assert len(seen) == 1
    error, nothing_to_answer, thread = seen[0]
    assert (error, nothing_to_answer) == ("Slack refused the modal", True)
    assert thread != threading.current_thread().name  # the listener's, not the request's


def test_a_button_that_acks_first_is_answered_before_its_handler_even_starts() -> None:
    app, routes, handoff = _app()
    release, done = threading.Event(), threading.Event()
    seen: list[tuple[str, bool]] = []
    acks: list[Any] = []

    @routes.action("press", acks_first=True)
    def pressed(ack: Any) -> None:
        release.wait(WAIT)  # never acks before this: the answer cannot have come from it
        acks.append(ack())  # does nothing: Slack has its answer
        done.set()
        raise ValueError("Slack refused the modal")

    @routes.action("other")
    def other(ack: Any) -> None:
        ack(text="the ordinary way")

    @routes.error
    def on_error(error: Exception, response: BoltResponse | None) -> None:
        seen.append((str(error), response is None))

    routes.install()
    answer = _press(app)
    assert (answer.status, answer.body) == (200, "")
    assert not done.is_set() and not handoff.wait_idle(0.05), "answered while it waits"
    release.set()
    assert handoff.wait_idle(WAIT) and done.is_set()
    assert acks == [None]
    assert seen == [("Slack refused the modal", True)]  # an error after the answer
    other_answer = _press(app, "other")
    assert (other_answer.status, other_answer.body) == (200, "the ordinary way")


def test_a_listener_that_never_acks_leaves_the_request_once_slack_stops_waiting() -> None:
    app, routes, handoff = _app(ack_timeout=0.2)
    release = threading.Event()

    @routes.action("press")
    def pressed(ack: Any) -> None:
        release.wait(WAIT)
        ack()  # too late: nobody is waiting for it

    routes.install()
    started = time.monotonic()
    answer = _press(app)
    assert time.monotonic() - started < WAIT / 2
    assert answer.status == 404  # bolt: no listener answered
    release.set()
    assert handoff.wait_idle(WAIT)


def test_a_listener_that_returns_without_acking_does_not_hold_the_request() -> None:
    app, routes, handoff = _app(ack_timeout=WAIT)

    @routes.action("press")
    def pressed(ack: Any) -> None:
        return None

    routes.install()
    started = time.monotonic()
    assert _press(app).status == 404
    assert time.monotonic() - started < WAIT / 2
    assert handoff.wait_idle(WAIT)


def test_an_event_is_acked_at_once_and_handled_after() -> None:
    app, routes, handoff = _app()
    release, handled = threading.Event(), threading.Event()

    @routes.event("app_home_opened")
    def opened(event: dict[str, Any]) -> None:
        release.wait(WAIT)
        assert event["user"] == "U0OPENER"
        handled.set()

    routes.install()
    assert _event(app).status == 200
    assert not handled.is_set()
    release.set()
    assert handoff.wait_idle(WAIT) and handled.is_set()


def test_an_error_in_an_event_listener_reaches_the_error_handler() -> None:
    app, routes, handoff = _app()
    seen: list[str] = []

    @routes.event("app_home_opened")
    def opened() -> None:
        raise RuntimeError("the home tab failed")

    @routes.error
    def on_error(error: Exception) -> None:
        seen.append(str(error))

    routes.install()
    assert _event(app).status == 200
    assert handoff.wait_idle(WAIT)
    assert seen == ["the home tab failed"]


def test_an_ack_that_raises_is_an_error_before_the_ack() -> None:
    app, routes, handoff = _app()
    seen: list[bool] = []

    @routes.view("form")
    def submitted(ack: Any) -> None:
        ack(text="Saved", surprise=1)  # bolt's ack takes no such argument: it raises

    @routes.error
    def on_error(error: Exception, response: BoltResponse | None) -> BoltResponse:
        seen.append(response is not None)
        return BoltResponse(status=200, body="Something went wrong; nothing was saved.")

    routes.install()
    payload = {"type": "view_submission", "team": {"id": "T0TEST001"},
               "user": {"id": "U0SUBMIT", "team_id": "T0TEST001"},
               "view": {"id": "V0001", "type": "modal", "callback_id": "form",
                        "state": {"values": {}}}}
    answer = app.dispatch(BoltRequest(body=json.dumps(payload),
                                      headers={"content-type": "application/json"}))
    assert (answer.status, answer.body) == (200, "Something went wrong; nothing was saved.")
    assert seen == [True], "the handler answered Slack, once"
    assert handoff.wait_idle(WAIT)


def test_the_bots_own_app_runs_its_listeners_through_the_hand_off(
        slack: SlackDriver) -> None:
    # Were bolt's threaded runner back (process_before_response=False), the hand-off's
    # waiting listener would hold one of bolt's pool threads for each request.
    assert slack.runtime.app.process_before_response
    answer = slack.command(CS_AGENT, "help")
    assert answer.status == 200 and "/complaint new" in str(answer.body)
    assert slack.runtime.listeners.wait_idle(WAIT)


def test_while_deferring_work_after_a_decided_answer_waits_for_this_thread() -> None:
    # As the WSGI app runs it: the answer is sent first, then the kept work, in this thread.
    app, routes, handoff = _app()
    ran: list[tuple[str, str]] = []
    here = threading.current_thread().name

    @routes.action("press", acks_first=True)
    def pressed(ack: Any) -> None:
        ran.append(("press", threading.current_thread().name))

    @routes.event("app_home_opened")
    def opened() -> None:
        ran.append(("home", threading.current_thread().name))

    @routes.action("other")
    def other(ack: Any) -> None:
        ack(text="the ordinary way")  # the answer waits for this ack: on the pool
        ran.append(("other", threading.current_thread().name))

    routes.install()
    with handoff.deferring() as kept:
        assert (_press(app).status, _event(app).status) == (200, 200)
        assert _press(app, "other").body == "the ordinary way"
    assert handoff.wait_idle(WAIT) is False, "the kept work counts as running"
    assert [name for name, _ in ran] == ["other"] and ran[0][1] != here
    assert len(kept) == 2
    for work in kept:
        work()
    assert ran[1:] == [("press", here), ("home", here)]
    assert handoff.wait_idle(WAIT)
    _press(app)  # outside deferring: the pool's again
    assert handoff.wait_idle(WAIT) and ran[-1][0] == "press" and ran[-1][1] != here


def _submit(app: App, callback_id: str = "form") -> BoltResponse:
    payload = {"type": "view_submission", "team": {"id": "T0TEST001"},
               "user": {"id": "U0SUBMIT", "team_id": "T0TEST001"},
               "view": {"id": "V0001", "type": "modal", "callback_id": callback_id,
                        "state": {"values": {}}}}
    return app.dispatch(BoltRequest(body=json.dumps(payload),
                                    headers={"content-type": "application/json"}))


def test_a_submission_that_answers_last_runs_in_the_request_thread() -> None:
    app, routes, handoff = _app()
    ran: list[str] = []
    seen: list[tuple[str, bool]] = []

    @routes.view("form", answers_last=True)
    def submitted(ack: Any) -> None:
        ran.append(threading.current_thread().name)
        ack(response_action="errors", errors={"name": "give a name"})
        raise RuntimeError("waking delivery failed")  # after the answer: reported

    @routes.view("broken", answers_last=True)
    def broken(ack: Any) -> None:
        ack(surprise=1)  # raises before answering: the error handler answers

    @routes.error
    def on_error(error: Exception, response: BoltResponse | None) -> BoltResponse | None:
        seen.append((type(error).__name__, response is None))
        if response is None:
            return None  # Slack has its answer already
        return BoltResponse(status=200, body="Something went wrong; nothing was saved.")

    routes.install()
    answer = _submit(app)
    assert answer.status == 200 and json.loads(answer.body) == {
        "response_action": "errors", "errors": {"name": "give a name"}}
    assert ran == [threading.current_thread().name]
    assert seen == [("RuntimeError", True)]
    assert _submit(app, "broken").body == "Something went wrong; nothing was saved."
    assert seen[1] == ("TypeError", False)
    assert handoff.wait_idle(0)  # nothing was handed to the pool


def _type(app: App, text: str, **fields: Any) -> BoltResponse:
    body = {"command": "/complaint", "text": text, "user_id": "U0TYPIST1",
            "team_id": "T0TEST001", "channel_id": "C0CS00001", **fields}
    return app.dispatch(BoltRequest(body=json.dumps(body),
                                    headers={"content-type": "application/json"}))


def test_complaint_new_is_answered_before_its_handler_starts_and_other_verbs_are_not(
        ) -> None:
    from handlers.listeners.commands import opens_the_intake

    app, routes, handoff = _app()
    release, done = threading.Event(), threading.Event()

    @routes.command("/complaint", acks_first=opens_the_intake)
    def typed(ack: Any, body: dict[str, Any]) -> None:
        if body["text"].strip().lower() == "new" and isinstance(body.get("trigger_id"), str) \
                and body["trigger_id"] and body["user_id"]:
            release.wait(WAIT)  # opening the form: after Slack has its answer
            ack(text="too late to say anything")
            done.set()
            return
        ack(text=f"answered: {body['text']!r}")

    routes.install()
    answer = _type(app, " NEW ", trigger_id="13345224609.738474920.8088930838d88f008e0")
    assert (answer.status, answer.body) == (200, "")
    assert not done.is_set() and not handoff.wait_idle(0.05), "answered while it waits"
    release.set()
    assert handoff.wait_idle(WAIT) and done.is_set()
    # What could still be refused is answered the ordinary way, by the handler's own ack.
    assert _type(app, "new").body == "answered: 'new'"  # no trigger to open a form with
    assert _type(app, "new", trigger_id=7).body == "answered: 'new'"
    assert _type(app, "help", trigger_id="1.2.3").body == "answered: 'help'"
    assert _type(app, "new", trigger_id="1.2.3", user_id="").body == "answered: 'new'"


def test_work_kept_while_deferring_goes_to_the_pool_if_the_dispatch_fails() -> None:
    app, routes, handoff = _app()
    ran: list[str] = []

    @routes.action("press", acks_first=True)
    def pressed(ack: Any) -> None:
        ran.append(threading.current_thread().name)

    routes.install()
    with pytest.raises(RuntimeError, match="the answer could not be built"), \
            handoff.deferring() as kept:
        assert _press(app).status == 200
        raise RuntimeError("the answer could not be built")
    assert kept == []
    assert handoff.wait_idle(WAIT), "nothing is left counted as running"
    assert len(ran) == 1 and ran[0] != threading.current_thread().name


def test_past_the_bound_work_after_an_answer_goes_to_the_pool_even_while_deferring() -> None:
    # A slow Slack must not leave every request thread busy with work after its answer.
    app = App(signing_secret="s", request_verification_enabled=False,
              process_before_response=True,
              authorize=lambda **_: AuthorizeResult(enterprise_id=None, team_id="T0TEST001",
                                                    bot_token="xoxb-test",
                                                    bot_user_id="UBOTFAKE"))
    pool = ThreadPoolExecutor(max_workers=2)
    handoff = HandOff(app, pool, deferred_max=1)
    routes = Routes(app, handoff)
    ran: list[str] = []

    @routes.action("press", acks_first=True)
    def pressed(ack: Any) -> None:
        ran.append(threading.current_thread().name)

    routes.install()
    here = threading.current_thread().name
    with handoff.deferring() as kept:
        assert (_press(app).status, _press(app).status) == (200, 200)
    assert len(kept) == 1
    assert _wait_for(lambda: len(ran) == 1) and ran[0] != here  # the second: the pool's
    kept.pop()()
    assert ran[1] == here
    with handoff.deferring() as kept:  # the bound was given back when the work ended
        _press(app)
    assert len(kept) == 1
    pool.shutdown()
    handoff.hand_over(kept)  # the pool takes no more: run here rather than lost
    assert ran[2] == here and handoff.wait_idle(WAIT)


def _wait_for(condition: Any) -> bool:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True
