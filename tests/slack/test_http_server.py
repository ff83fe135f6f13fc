"""`complaints-bot run` in HTTP mode, as deployed: a real process, real sockets, SIGTERM."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

from tests.slack.conftest import TEST_BOT_TOKEN
from tests.slack.fake_slack import FakeSlack
from tests.slack.http_serving import start_listening
from tests.slack.signing import FORM, signed_headers, slash_command_body

SECRET = "http-test-signing-secret"


def _start(fake: FakeSlack, tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COMPLAINTS_"))}
    env.update({
        "DATABASE_URL": f"sqlite:///{tmp_path / 'http.sqlite3'}",
        "SLACK_BOT_TOKEN": TEST_BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.base_url,
        "COMPLAINTS_CS_CHANNEL": "C0CS00001",
        "COMPLAINTS_DIRECTORS_CHANNEL": "C0DIR0001",
        "COMPLAINTS_CUSTOMER_SERVICES": "U0CS00001",
    })
    return start_listening(["run", "--host", "127.0.0.1", "--port", "0"],
                           {**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
                           tmp_path)


def _request(port: int, method: str, path: str, body: bytes = b"",
             headers: dict[str, str] | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read().decode()


def test_http_mode_serves_slack_and_health_and_stops_cleanly_on_sigterm(
        fake_slack: FakeSlack, tmp_path: Path) -> None:
    proc, port = _start(fake_slack, tmp_path)
    try:
        status, body = _request(port, "GET", "/healthz")
        assert status == 200 and '"database": "ok"' in body

        help_body = slash_command_body("help", user_id="U0CS00001")
        headers = {**signed_headers(help_body, SECRET), "Content-Type": FORM}
        status, body = _request(port, "POST", "/slack/events", help_body, headers)
        assert status == 200 and "/complaint new" in body

        forged = {**signed_headers(help_body, "wrong-secret"), "Content-Type": FORM}
        assert _request(port, "POST", "/slack/events", help_body, forged)[0] == 401
        assert _request(port, "GET", "/nothing-here")[0] == 404

        # A request sent just before SIGTERM still gets its answer, and the process exits 0.
        held = fake_slack.hold_next("views.open")
        new_body = slash_command_body("new", user_id="U0CS00001")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/slack/events", body=new_body,
                     headers={**signed_headers(new_body, SECRET), "Content-Type": FORM})
        held.wait_arrived()  # the request is in flight: its listener is opening the modal
        proc.send_signal(signal.SIGTERM)
        held.release()
        assert conn.getresponse().status == 200
        fake_slack.wait_for("views.open")  # ... and its listener finished opening the modal
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_what_startup_built_is_frozen_and_what_requests_make_is_still_collected() -> None:
    import gc
    import weakref

    from bot.server import freeze_startup_objects

    class Node:
        me: Any = None

    try:
        kept = Node()  # made "at startup": frozen, never collected while it lives
        frozen = freeze_startup_objects()
        assert frozen == gc.get_freeze_count() and frozen > 1000
        later = Node()  # made by a request after startup: a cycle, then garbage
        later.me = later
        gone = weakref.ref(later)
        del later
        gc.collect()
        assert gone() is None, "garbage made after startup is still collected"
        assert kept is not None
    finally:
        gc.unfreeze()
