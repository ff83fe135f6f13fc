"""The sandbox's Slack stand-in refuses what Slack refuses, and the page shows what it refused."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.page import NOT_SLACK, Page
from sandbox.render import mrkdwn
from sandbox.state import state_values
from sandbox.workspace import Person, Workspace

TOKEN = "xoxb-sandbox-test"
CS = "C0SANDCS01"
STAFF = "U0SAMSTAFF"
MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Log a complaint"},
         "callback_id": "intake_modal", "blocks": []}


class Seconds:
    """A monotonic clock the test moves (trigger ids live 3 s of it)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def seconds() -> Seconds:
    return Seconds()


@pytest.fixture
def ws(seconds: Seconds) -> Workspace:
    return Workspace([Person(STAFF, "Sam Staff", "staff")], {CS: "customer-services"}, TOKEN,
                     seconds=seconds)


def call(ws: Workspace, method: str, **body: Any) -> dict[str, Any]:
    return ws.call(method, body, TOKEN)


def test_an_over_long_header_is_refused_and_nothing_is_posted(ws: Workspace) -> None:
    header = {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}
    answer = call(ws, "chat.postMessage", channel=CS, text="card", blocks=[header])
    assert answer["ok"] is False and answer["error"] == "invalid_blocks"
    assert "[json-pointer:/blocks/0/text/text]" in answer["response_metadata"]["messages"][0]
    assert ws.channel_messages(CS) == []
    html = Page(ws, STAFF, CS, "Wed 02 Dec 2026 09:00").html()
    assert "refused: invalid_blocks" in html


def test_fifty_one_blocks_are_refused_fifty_are_posted(ws: Workspace) -> None:
    divider = {"type": "divider"}
    assert call(ws, "chat.postMessage", channel=CS, text="t", blocks=[divider] * 51)[
        "error"] == "invalid_blocks"
    assert call(ws, "chat.postMessage", channel=CS, text="t", blocks=[divider] * 50)["ok"]
    assert len(ws.channel_messages(CS)) == 1


def test_a_trigger_expires_after_three_seconds_and_works_once(
        ws: Workspace, seconds: Seconds) -> None:
    late = ws.issue_trigger(STAFF)
    seconds.now += 3.5
    assert call(ws, "views.open", trigger_id=late, view=MODAL)["error"] == "expired_trigger_id"
    assert ws.stack(STAFF) == []
    fresh = ws.issue_trigger(STAFF)
    seconds.now += 2.9
    opened = call(ws, "views.open", trigger_id=fresh, view=MODAL)
    assert opened["ok"] and [v.id for v in ws.stack(STAFF)] == [opened["view"]["id"]]
    assert call(ws, "views.open", trigger_id=fresh, view=MODAL)["error"] == \
        "exchanged_trigger_id"
    assert call(ws, "views.open", trigger_id="never-issued", view=MODAL)["error"] == \
        "invalid_trigger_id"


def test_threads_views_and_tokens_are_checked(ws: Workspace) -> None:
    assert call(ws, "chat.postMessage", channel=CS, text="reply",
                thread_ts="1.000001")["error"] == "thread_not_found"
    assert call(ws, "views.update", view_id="VNOPE", view=MODAL)["error"] == "not_found"
    assert ws.call("auth.test", {}, "xoxb-wrong")["error"] == "invalid_auth"
    assert call(ws, "chat.postMessage", channel="C0NOWHERE", text="x")["error"] == \
        "channel_not_found"


def test_a_modal_with_inputs_needs_a_submit_button(ws: Workspace) -> None:
    view = {**MODAL, "blocks": [{"type": "input", "block_id": "facts",
                                 "label": {"type": "plain_text", "text": "Facts"},
                                 "element": {"type": "plain_text_input",
                                             "action_id": "facts"}}]}
    answer = call(ws, "views.open", trigger_id=ws.issue_trigger(STAFF), view=view)
    assert answer["error"] == "invalid_arguments"


def test_every_page_says_it_is_not_slack(ws: Workspace) -> None:
    for place in (CS, ws.dm(STAFF), "home"):
        assert NOT_SLACK in Page(ws, STAFF, place, "now").html()
    assert "Nothing leaves this machine" in NOT_SLACK


def test_a_submitted_form_becomes_slack_state_values() -> None:
    view = {"blocks": [
        {"type": "input", "block_id": "facts",
         "element": {"type": "plain_text_input", "action_id": "facts"}},
        {"type": "input", "block_id": "who", "element": {"type": "users_select",
                                                          "action_id": "who"}},
        {"type": "input", "block_id": "ticks", "element": {
            "type": "checkboxes", "action_id": "ticks",
            "options": [{"value": "a", "text": {"type": "plain_text", "text": "A"}},
                        {"value": "b", "text": {"type": "plain_text", "text": "B"}}]}},
        {"type": "input", "block_id": "when", "element": {"type": "datetimepicker",
                                                           "action_id": "when"}}]}
    values = state_values(view, {"facts::facts": ["It broke."], "who::who": [STAFF],
                                 "ticks::ticks": ["b"], "when::when": ["2026-07-01T10:30"]})
    assert values["facts"]["facts"] == {"type": "plain_text_input", "value": "It broke."}
    assert values["who"]["who"]["selected_user"] == STAFF
    assert [o["value"] for o in values["ticks"]["ticks"]["selected_options"]] == ["b"]
    assert values["when"]["when"]["selected_date_time"] == 1782898200  # 09:30 UTC, BST


def test_mrkdwn_draws_emphasis_mentions_links_and_escapes_html() -> None:
    html = mrkdwn("*Due* <@U0SAMSTAFF> <https://example.com|the form> &lt;b&gt; :tada:",
                  lambda user: "Sam Staff")
    assert "<strong>Due</strong>" in html and "@Sam Staff" in html
    assert '<a href="https://example.com"' in html and "the form</a>" in html
    assert "&lt;b&gt;" in html and "<b>" not in html and "★" in html


def test_the_bots_answers_to_a_submission_are_done_as_slack_does(ws: Workspace) -> None:
    view = {**MODAL, "submit": {"type": "plain_text", "text": "Log complaint"},
            "blocks": [{"type": "input", "block_id": "email",
                        "label": {"type": "plain_text", "text": "Email"},
                        "element": {"type": "email_text_input", "action_id": "email"}}]}
    opened = call(ws, "views.open", trigger_id=ws.issue_trigger(STAFF), view=view)["view"]
    ws.after_submission(opened["id"], {"response_action": "errors",
                                       "errors": {"email": "Give a valid email address."}})
    html = Page(ws, STAFF, CS, "now").html()
    assert 'role="alert">Give a valid email address.' in html
    pushed = {**MODAL, "title": {"type": "plain_text", "text": "Are you sure?"}}
    ws.after_submission(opened["id"], {"response_action": "push", "view": pushed})
    assert [v.view["title"]["text"] for v in ws.stack(STAFF)] == ["Log a complaint",
                                                                   "Are you sure?"]
    assert "Under this: Log a complaint" in Page(ws, STAFF, CS, "now").html()
    ws.after_submission(opened["id"], {"response_action": "clear"})
    assert ws.stack(STAFF) == []


def test_messages_and_the_demo_clock_survive_a_restart(ws: Workspace, tmp_path: Any) -> None:
    from datetime import UTC, datetime

    from sandbox import persist

    posted = call(ws, "chat.postMessage", channel=CS, text="card one")
    at = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    persist.save(ws, tmp_path / "state.json", at)
    again = Workspace(ws.people, ws.channels, TOKEN)
    assert persist.load(again, tmp_path / "state.json") == at
    assert [m.text for m in again.channel_messages(CS)] == ["card one"]
    assert again.call("chat.update", {"channel": CS, "ts": posted["ts"], "text": "card two"},
                      TOKEN)["ok"]  # the bot's later chat.update still finds its card
    assert persist.load(again, tmp_path / "missing.json") is None


def test_a_file_shared_by_upload_shows_in_the_dm_by_name_and_unknown_ones_are_refused(
        ws: Workspace) -> None:
    got = call(ws, "files.getUploadURLExternal", filename="letter.pdf", length="2048")
    assert got["ok"] and got["upload_url"].endswith(got["file_id"])
    assert call(ws, "files.completeUploadExternal", channel_id=ws.dm(STAFF),
                files=[{"id": got["file_id"], "title": "letter.pdf"}])["error"] == \
        "file_not_found"  # nothing was sent to the upload URL yet
    assert ws.receive_upload(got["file_id"], b"%PDF" * 512)
    assert not ws.receive_upload("FNEVERGIVEN", b"x")

    done = call(ws, "files.completeUploadExternal", channel_id=ws.dm(STAFF),
                files=[{"id": got["file_id"], "title": "letter.pdf"}],
                initial_comment="To print and post.")

    assert done["ok"]
    [shown] = ws.channel_messages(ws.dm(STAFF))
    assert "To print and post." in shown.text and "letter.pdf (2 KB" in shown.text
