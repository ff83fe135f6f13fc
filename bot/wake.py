"""Waking the outbox dispatcher from another process (``run --workers N``).

Only one worker process delivers the outbox; the others store their requests' messages
and wake it with one datagram on a Unix socket, as a listener wakes the dispatcher of its
own process. A wake-up is a hint: lost or coalesced ones cost nothing but the dispatcher's
idle poll (it looks at the outbox every second anyway).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class WakeListener:
    """Binds ``path`` and calls ``wake`` for every datagram that arrives there."""

    def __init__(self, path: str, wake: Callable[[], None]) -> None:
        self.path = path
        self.wake = wake
        if os.path.exists(path):
            os.unlink(path)  # left by a worker that was killed
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(path)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="outbox-wake", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _listen(self) -> None:
        while not self._stopping.is_set():
            try:
                self._sock.recv(64)
            except OSError:
                return  # closed under us
            if not self._stopping.is_set():
                self.wake()

    def stop(self) -> None:
        self._stopping.set()
        wake_sender(self.path)()  # ends the blocked recv
        self._thread.join(2)
        self._sock.close()
        if os.path.exists(self.path):
            os.unlink(self.path)


def wake_sender(path: str) -> Callable[[], None]:
    """A ``wake`` that sends one datagram to the dispatcher's process; it never blocks."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.setblocking(False)

    def wake() -> None:
        try:
            sock.sendto(b"w", path)
        except OSError as exc:  # not listening yet, restarting, or its queue is full
            log.debug("outbox wake-up not sent: %s", exc)

    return wake
