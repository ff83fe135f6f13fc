"""`complaints-bot run` with no Slack settings: the sandbox, as a person starts it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from cases.people import AccountKind
from sandbox.page import NOT_SLACK


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_run_without_slack_settings_says_sandbox_first_and_serves_the_page(
        tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "COMPLAINTS_")) and k != "DATABASE_URL"}
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", "--port", str(port)], cwd=tmp_path,
        env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Sandbox (not Slack) on http://127.0.0.1:")
        assert "nothing leaves this machine" in first
        assert proc.stdout.readline().startswith("Open http://127.0.0.1:")  # serving now
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as answer:
            page = answer.read().decode()
        assert NOT_SLACK in page and "# customer-services" in page
        assert (tmp_path / "complaints-desk.db").exists()  # the default database, here
        # A forged request to the bot's own endpoint is still refused: it is the real bot.
        forged = urllib.request.Request(f"http://127.0.0.1:{port}/slack/events",
                                        data=b"command=/complaint", method="POST")
        try:
            urllib.request.urlopen(forged, timeout=10)
            raise AssertionError("an unsigned request was accepted")
        except urllib.error.HTTPError as refused:
            assert refused.code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0


def test_seed_demo_logs_example_cases_once_and_reset_starts_empty(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.sandbox_cli import CS_CHANNEL, start

    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'complaints-desk.db'}")

    def cards_after(**flags: bool) -> int:
        running = start(_free_port(), **flags)
        try:
            running.runtime.dispatcher.wake()
            desk = running.runtime.container.desk
            casey = desk.person_for_account(AccountKind.SLACK, "U0CASEYCS1").id
            expected = len(desk.list_cases(viewer=casey, which="open"))
            assert running.workspace.wait_for(lambda: len(running.workspace.channel_messages(
                CS_CHANNEL)) >= expected, timeout=20), "the cards did not reach the channel"
            return expected
        finally:
            running.stop()

    assert cards_after(seed_demo=True) == 3
    assert cards_after(seed_demo=True) == 3  # the same intake keys: nothing added
    assert cards_after(reset=True) == 0
