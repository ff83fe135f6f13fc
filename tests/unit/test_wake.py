"""A worker that does not deliver wakes the one that does, across processes (bot/wake.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.wake import WakeListener, wake_sender

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="Unix sockets")


def test_a_wake_up_from_another_process_reaches_the_dispatcher(tmp_path: Path) -> None:
    woken = threading.Event()
    listener = WakeListener(str(tmp_path / "wake.sock"), woken.set)
    listener.start()
    try:
        subprocess.run([sys.executable, "-c",
                        "import sys; from bot.wake import wake_sender; wake_sender(sys.argv[1])()",
                        str(tmp_path / "wake.sock")], check=True, timeout=30,
                       cwd=Path(__file__).resolve().parents[2])
        assert woken.wait(5)
    finally:
        listener.stop()
    assert not (tmp_path / "wake.sock").exists()


def test_waking_nobody_is_harmless(tmp_path: Path) -> None:
    wake_sender(str(tmp_path / "nobody.sock"))()  # no listener yet (it is restarting)


def test_a_socket_left_by_a_killed_worker_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "wake.sock"
    path.write_text("stale")
    woken = threading.Event()
    listener = WakeListener(str(path), woken.set)
    listener.start()
    try:
        wake_sender(str(path))()
        assert woken.wait(5)
    finally:
        listener.stop()
