"""An HTTP answer sent at once, then the work kept for after it (``handlers.handoff``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any


class AfterAnswer:
    """The WSGI body left once the answer is written: no blocks, only the work to run.

    The work runs when the server asks for the first block, and, if the server never asks
    (it stopped early), on ``close()``, which a WSGI server always calls."""

    def __init__(self, work: list[Callable[[], None]]) -> None:
        self._work = work

    def __iter__(self) -> Iterator[bytes]:
        self.close()
        return iter(())

    def close(self) -> None:
        while self._work:
            self._work.pop(0)()  # each reports its own errors (handlers.handoff)


def answer_then_run(start_response: Callable[..., Any], status: str,
                    headers: list[tuple[str, str]], body: Iterable[bytes],
                    work: list[Callable[[], None]]) -> AfterAnswer:
    """Write the whole answer now, through the ``write`` that ``start_response`` gives (PEP
    3333: what it is given is sent before it returns, headers and all, even for an empty
    body, which a block from the iterable would not be); then the work runs in this
    thread. The client, told its connection closes, sends no next request on it to wait
    behind the work. If the answer cannot be written, the work runs all the same."""
    then = AfterAnswer(work)
    try:
        write = start_response(status, [*headers, ("Connection", "close")])
        for block in body:
            write(block)
    except BaseException:
        then.close()
        raise
    return then
