"""The write gate's second stage: an advisory lock file that orders writers across processes.

The in-process write gate (``storage.db.WriteGate``) queues one process's SQLite writers
in order; with several processes on one database file (``complaints-bot run --workers N``,
or the command line beside a running bot) each process's next writer would otherwise
meet the others in SQLite's busy handler, which polls in sleeps of up to 100 ms. So a
writer that holds its process's gate also takes ``<database>.writers`` with ``flock``
before ``BEGIN IMMEDIATE``, and lets go at COMMIT or ROLLBACK. Only one thread per process
ever waits here (the others wait on the in-process gate), and it polls the lock every
millisecond: a free lock is taken within about a millisecond, not a hundred. A process
that dies holding it loses it at once (the kernel drops ``flock`` locks with the file).

Where ``fcntl`` does not exist (Windows) the stage is skipped: SQLite's locking still
guards the file, as before.
"""

from __future__ import annotations

import os
import threading
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

POLL_SECONDS = 0.001


class WritersLockFile:
    """An exclusive ``flock`` on one file, taken with a timeout (one holder per process)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None
        self._open = threading.Lock()

    def _descriptor(self) -> int:
        with self._open:
            if self._fd is None:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            return self._fd

    def acquire(self, timeout: float) -> bool:
        """Take the lock within ``timeout`` seconds; False if another process kept it."""
        if fcntl is None:
            return True
        fd = self._descriptor()
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(POLL_SECONDS)

    def release(self) -> None:
        if fcntl is not None and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
