"""The bot's real WSGI app served by cheroot on loopback, in this process, for HTTP tests.

In-process so a test can look at the database and the fake Slack API the bot talks to;
tests/slack/test_http_server.py covers the `complaints-bot run` process itself.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, MetaData, func, select

from bot.runtime import Runtime
from bot.server import wsgi_app


@contextmanager
def serving(runtime: Runtime) -> Iterator[int]:
    """Serve ``runtime``'s app on 127.0.0.1; yields the port."""
    from cheroot.wsgi import Server

    server = Server(("127.0.0.1", 0), wsgi_app(runtime), numthreads=4,
                    server_name="complaints-desk-test")
    server.prepare()
    thread = threading.Thread(target=server.serve, name="test-http", daemon=True)
    thread.start()
    try:
        yield server.bind_addr[1]
    finally:
        server.stop()
        thread.join(10)


def start_listening(args: list[str], env: dict[str, str], cwd: Path
                    ) -> tuple[subprocess.Popen[str], int]:
    """``complaints-bot ARGS`` as a process; returns it once it prints ``listening on``."""
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("listening on "):
            return proc, int(line.rsplit(":", 1)[1])
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise AssertionError("the bot did not start listening")


def post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    """POST ``body`` to /slack/events; the status and body of the answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the bot's database: a refused request must change none."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in meta.tables.items()}
