"""The sandbox's WSGI app served for a test on a loopback port, by cheroot as the sandbox is,
in front of no bot (the tests here talk to the stand-in, the page and the mailbox)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cheroot.wsgi import Server

from sandbox.model import Person
from sandbox.payloads import BotLink
from sandbox.web import Sandbox
from sandbox.workspace import Workspace

TOKEN = "xoxb-sandbox-test"
CS, STAFF = "C0SANDCS01", "U0SAMSTAFF"


class _Clock:
    def label(self) -> str:
        return "Wed 02 Dec 2026 09:00"

    def move(self, how: str) -> None:
        return


def _no_bot(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("404 Not Found", [("Content-Length", "0")])
    return [b""]


@contextmanager
def served() -> Iterator[Workspace]:
    """A workspace (Sam Staff, #customer-services) whose ``base_url`` answers on loopback."""
    server = Server(("127.0.0.1", 0), _no_bot, numthreads=4, shutdown_timeout=1)
    server.prepare()
    port = server.bind_addr[1]
    ws = Workspace([Person(STAFF, "Sam Staff", "staff")], {CS: "customer-services"}, TOKEN,
                   base_url=f"http://127.0.0.1:{port}")
    server.wsgi_app = Sandbox(ws, _no_bot, BotLink("http://127.0.0.1:9/", "secret"), _Clock())
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield ws
    finally:
        ws.shut()
        server.stop()
        thread.join(timeout=5)
