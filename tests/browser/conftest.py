"""The sandbox served for real, and a headless Chromium (Debian's) to click through it.

Without /usr/bin/chromium the browser tests skip, saying why, except under CI=true where
they fail: `.ci/run` installs Chromium when it is missing. Playwright never downloads a
browser here: it launches the system one by path.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox_cli import Running, start

CHROMIUM = Path("/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _need_chromium() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reason = "the playwright package is not installed (pip install -e '.[dev]')"
    else:
        if CHROMIUM.exists():
            return
        reason = f"no Chromium at {CHROMIUM} (apt-get install -y chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests are mandatory in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Running]:
    """The real bot and its stand-in on a free loopback port, on a fresh SQLite file."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'complaints-desk.db'}")
    running = start(_free_port())
    yield running
    running.stop()


@pytest.fixture
def page(sandbox: Running) -> Iterator[Any]:
    """A Chromium page at the sandbox's front page."""
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                         args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1200, "height": 900})
        tab.set_default_timeout(15_000)
        tab.goto(f"http://127.0.0.1:{sandbox.port}/")
        yield tab
        browser.close()
