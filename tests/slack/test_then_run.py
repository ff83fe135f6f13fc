"""An answer with work kept for after it reaches the client before the work runs, over a
real cheroot server, and the work runs even when the answer cannot be sent
(``bot.then_run``)."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bot.then_run import answer_then_run

WAIT = 5.0


@contextmanager
def _serving(app: Callable[..., Iterable[bytes]]) -> Iterator[int]:
    from cheroot.wsgi import Server

    server = Server(("127.0.0.1", 0), app, numthreads=2, server_name="then-run-test")
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    try:
        yield server.bind_addr[1]
    finally:
        server.stop()
        thread.join(WAIT)


@pytest.mark.parametrize("body", [b"", b'{"response_action": "clear"}'])
def test_the_client_has_the_whole_answer_while_the_work_still_runs(body: bytes) -> None:
    release, done = threading.Event(), threading.Event()

    def work() -> None:
        release.wait(WAIT)
        done.set()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        return answer_then_run(start_response, "200 OK",
                               [("Content-Length", str(len(body)))], [body], [work])

    with _serving(app) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT / 2)
        conn.request("POST", "/slack/events", body=b"{}")
        answer = conn.getresponse()
        assert (answer.status, answer.read()) == (200, body)  # an empty one too
        assert answer.getheader("Connection") == "close"
        assert not done.is_set(), "answered before the work ran"
        release.set()
        assert done.wait(WAIT)
        conn.close()


def test_the_work_runs_even_if_the_answer_cannot_be_written() -> None:
    ran: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> Callable[..., None]:
        def write(block: bytes) -> None:
            raise ConnectionResetError("the client hung up")
        return write

    with pytest.raises(ConnectionResetError):
        answer_then_run(start_response, "200 OK", [("Content-Length", "0")], [b""],
                        [lambda: ran.append("first"), lambda: ran.append("second")])
    assert ran == ["first", "second"]


def test_a_server_that_never_asks_for_the_body_still_runs_the_work_on_close() -> None:
    ran: list[str] = []
    body = answer_then_run(lambda status, headers: (lambda block: None), "200 OK",
                           [("Content-Length", "0")], [b""], [lambda: ran.append("work")])
    assert ran == []
    body.close()
    assert ran == ["work"]
    assert list(body) == [] and ran == ["work"], "run once"
