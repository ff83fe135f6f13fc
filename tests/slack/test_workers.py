"""`complaints-bot run --workers 2`: two processes on one port, one outbox, clean stops."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.slack.conftest import TEST_BOT_TOKEN
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import GOOD_INTAKE, fill
from tests.slack.http_serving import post, start_listening
from tests.slack.signing import FORM, signed_headers, slash_command_body, view_submission_body

SECRET = "workers-test-signing-secret"
CS = "U0CS00001"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SO_REUSEPORT is POSIX only")


def _env(fake: FakeSlack, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COMPLAINTS_"))}
    env.update({"DATABASE_URL": f"sqlite:///{db}", "SLACK_BOT_TOKEN": TEST_BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.base_url,
                "COMPLAINTS_CS_CHANNEL": "C0CS00001",
                "COMPLAINTS_DIRECTORS_CHANNEL": "C0DIR0001",
                "COMPLAINTS_CUSTOMER_SERVICES": CS, "PYTHONPATH": str(ROOT)})
    return env


def _start(env: dict[str, str], cwd: Path, *extra: str) -> tuple[subprocess.Popen[str], int]:
    return start_listening(["run", "--host", "127.0.0.1", "--port", "0", *extra], env, cwd)


def _healthz_pid(port: int) -> int:
    """The process that answered GET /healthz on a fresh connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/healthz")
        return int(json.loads(conn.getresponse().read())["pid"])
    finally:
        conn.close()


def _signed_post(port: int, body: bytes) -> tuple[int, str]:
    return post(port, body, {**signed_headers(body, SECRET), "Content-Type": FORM})


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_two_workers_share_the_port_store_every_case_and_post_every_card(
        fake_slack: FakeSlack, tmp_path: Path) -> None:
    proc, port = _start(_env(fake_slack, tmp_path / "w.sqlite3"), tmp_path, "--workers", "2")
    try:
        workers = _children(proc.pid)
        assert len(workers) == 2
        # New connections are spread over both processes by the kernel.
        answered = {_healthz_pid(port) for _ in range(60)}
        assert answered == workers

        assert _signed_post(port, slash_command_body("new", user_id=CS))[0] == 200
        view = fake_slack.wait_for("views.open", timeout=20)[-1].body["view"]
        view = json.loads(view) if isinstance(view, str) else view
        received = datetime.now().astimezone() - timedelta(minutes=5)
        state = fill(view, {**GOOD_INTAKE, "received_at": received})
        for _ in range(6):  # served by either worker; SQLite writers of both queue in turn
            status, body = _signed_post(port,
                                        view_submission_body("intake_modal", state, user_id=CS))
            assert status == 200 and "errors" not in body
        engine = create_engine(f"sqlite:///{tmp_path / 'w.sqlite3'}")
        with engine.connect() as conn:
            refs = set(conn.execute(text("SELECT reference FROM cases")).scalars())
        engine.dispose()
        assert len(refs) == 6
        # Worker 0 delivers the outbox for both: every case's card reaches the channel.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            posted = json.dumps([c.body for c in fake_slack.calls("chat.postMessage")
                                 if c.body.get("channel") == "C0CS00001"])
            if all(ref in posted for ref in refs):
                break
            time.sleep(0.2)
        assert all(ref in posted for ref in refs)
    finally:
        code = _stop(proc)
    assert code == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_a_worker_that_dies_is_started_again(fake_slack: FakeSlack, tmp_path: Path) -> None:
    proc, port = _start(_env(fake_slack, tmp_path / "w.sqlite3"), tmp_path, "--workers", "2")
    try:
        before = _children(proc.pid)
        victim = max(before)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = _children(proc.pid)
            if len(now) == 2 and victim not in now:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the dead worker was not replaced")
        deadline = time.monotonic() + 30
        answered: set[int] = set()
        while answered != now and time.monotonic() < deadline:
            answered.add(_healthz_pid(port))
        assert answered == now
    finally:
        assert _stop(proc) == 0


def test_more_than_one_worker_needs_http_mode(fake_slack: FakeSlack, tmp_path: Path) -> None:
    env = {**_env(fake_slack, tmp_path / "w.sqlite3"), "SLACK_APP_TOKEN": "xapp-1-test"}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--workers", "2"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "--workers" in done.stderr and "Socket Mode" in done.stderr
