"""Files in the sandbox's stand-in: slack_sdk's files_upload_v2 works against it, step by step
by Slack's rules, and a shared file is a message in the DM that the page links to."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.page import Page
from sandbox.workspace import Workspace
from tests.unit import sandbox_server
from tests.unit.sandbox_server import CS, STAFF, TOKEN

PDF = b"%PDF-1.7\n" + b"x" * 2000 + b"\n%%EOF\n"


@pytest.fixture
def served() -> Iterator[tuple[Workspace, WebClient]]:
    """The stand-in on a loopback port, and a WebClient pointed at it as the bot's is."""
    with sandbox_server.served() as ws:
        yield ws, WebClient(token=TOKEN, base_url=f"{ws.base_url}/api/")


def test_a_pdf_uploaded_with_files_upload_v2_is_a_file_in_the_persons_dm(
        served: tuple[Workspace, WebClient]) -> None:
    ws, client = served
    dm = client.conversations_open(users=STAFF)["channel"]["id"]
    assert dm == ws.dm(STAFF)

    done = client.files_upload_v2(channel=dm, initial_comment="The letter for TT-1, to print",
                                  file_uploads=[{"content": PDF, "filename": "TT-1-letter.pdf",
                                                 "title": "TT-1-letter.pdf"}])

    assert done["file"]["title"] == "TT-1-letter.pdf"
    [message] = ws.channel_messages(dm)
    assert message.text == "The letter for TT-1, to print"
    [shared] = message.files
    assert (shared["name"], shared["mimetype"], shared["size"]) == (
        "TT-1-letter.pdf", "application/pdf", len(PDF))
    html = Page(ws, STAFF, dm, "Wed 02 Dec 2026 09:00").html()
    link = f'href="/files/{shared["id"]}/TT-1-letter.pdf"'
    assert link in html and "TT-1-letter.pdf</a>" in html
    # The link opens the PDF itself, inline.
    with urllib.request.urlopen(f"{ws.base_url}/files/{shared['id']}/TT-1-letter.pdf") as got:
        assert got.headers["Content-Type"] == "application/pdf"
        assert got.headers["Content-Disposition"].startswith("inline")
        assert got.read() == PDF


def test_the_upload_steps_are_refused_as_slack_refuses_them(
        served: tuple[Workspace, WebClient]) -> None:
    ws, client = served
    # A user id is no conversation for completeUploadExternal (chat.postMessage would take it).
    with pytest.raises(SlackApiError) as refused:
        client.files_upload_v2(channel=STAFF, content=PDF, filename="letter.pdf")
    assert refused.value.response["error"] == "channel_not_found"
    # A reservation needs a name and a length; bytes other than the length reserved are refused.
    assert ws.call("files.getUploadURLExternal", {"length": "10"}, TOKEN)["error"] == \
        "invalid_arguments"
    assert ws.call("files.getUploadURLExternal", {"filename": "a.pdf", "length": "0"},
                   TOKEN)["error"] == "invalid_arguments"
    reserved = ws.call("files.getUploadURLExternal", {"filename": "a.pdf", "length": "5"},
                       TOKEN)
    assert ws.receive_upload(reserved["file_id"], b"1234")[0] == 400
    # Completing a file whose bytes never came, or one never reserved, is refused.
    files = f'[{{"id": "{reserved["file_id"]}"}}]'
    assert ws.call("files.completeUploadExternal", {"files": files, "channel_id": CS},
                   TOKEN)["error"] == "invalid_arguments"
    assert ws.call("files.completeUploadExternal", {"files": '[{"id": "FNOPE"}]'},
                   TOKEN)["error"] == "file_not_found"
    # A thread parent must be there; after the right bytes, completion shares once.
    assert ws.receive_upload(reserved["file_id"], b"12345") == (200, "OK - 5")
    assert ws.call("files.completeUploadExternal", {
        "files": files, "channel_id": CS, "thread_ts": "1.000001"}, TOKEN)["error"] == \
        "thread_not_found"
    assert ws.call("files.completeUploadExternal", {"files": files, "channel_id": CS},
                   TOKEN)["ok"]
    assert ws.call("files.completeUploadExternal", {"files": files, "channel_id": CS},
                   TOKEN)["error"] == "file_not_found"
    assert ws.receive_upload(reserved["file_id"], b"12345")[0] == 404  # the URL is spent
    assert [len(m.files) for m in ws.channel_messages(CS)] == [1]
    assert ws.channel_messages(ws.dm(STAFF)) == []  # nothing was shared by the refused ones
    # conversations.open names the person; a stranger has no DM here.
    assert ws.call("conversations.open", {}, TOKEN)["error"] == "users_list_not_supplied"
    assert ws.call("conversations.open", {"users": "U0NOBODY"}, TOKEN)["error"] == \
        "user_not_found"
    with pytest.raises(SlackApiError) as empty:  # an empty file cannot be reserved
        client.files_upload_v2(channel=CS, content=b"", filename="empty.pdf")
    assert empty.value.response["error"] == "invalid_arguments"
