"""``complaints-bot run --workers N``: N processes serving Slack's HTTP requests on one port.

The GIL lets one process use one core. With ``--workers N`` the command becomes a small
supervisor: it migrates, grants the bootstrap roles and checks Slack once, reserves the
port, then starts N worker processes (``python -m bot.cli run --worker I ...``). Each
binds the port with ``SO_REUSEPORT``, so the kernel spreads new connections over them.
Worker 0 also does the background work, once for the whole bot: outbox delivery, the
scheduled sweeps and digests, and Teams when it is configured; the other workers wake its
outbox dispatcher through a Unix datagram socket (``bot.wake``) after they queue messages.
SQLite's writers queue across the processes through the lock file beside the database
(``storage.file_lock``).

The supervisor prints ``listening on HOST:PORT`` once every worker is listening, restarts a
worker that dies (giving up, with exit status 1, when workers keep dying within seconds of
starting), and on SIGTERM or SIGINT passes the signal on and waits for the workers to
finish their in-flight requests. A worker whose supervisor is gone stops by itself (it
watches a pipe the supervisor holds open).
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)

START_TIMEOUT = 60.0  # seconds for every worker to be listening
QUICK_DEATH = 10.0  # a worker that dies this soon after starting counts towards giving up
MAX_QUICK_DEATHS = 3
STOP_TIMEOUT = 20.0  # after SIGTERM, beyond the workers' own shutdown timeout


@dataclass(frozen=True)
class WorkerRole:
    """What one worker process is told by its supervisor (hidden ``run`` options)."""

    index: int
    ready_fd: int  # write "index\n" here once listening
    lifeline_fd: int  # end of file here: the supervisor is gone
    wake_path: str  # worker 0 listens here; the others send to it

    @property
    def delivers(self) -> bool:
        """Worker 0 does the background work: outbox, sweeps, Teams."""
        return self.index == 0

    @classmethod
    def parse(cls, text: str) -> WorkerRole:
        index, ready, lifeline, path = text.split(":", 3)
        return cls(int(index), int(ready), int(lifeline), path)

    def argument(self) -> str:
        return f"{self.index}:{self.ready_fd}:{self.lifeline_fd}:{self.wake_path}"

    def tell_ready(self) -> None:
        os.write(self.ready_fd, f"{self.index}\n".encode())

    def watch_supervisor(self) -> None:
        """Stop this worker (SIGTERM to itself) when the supervisor's pipe closes."""
        def watch() -> None:
            while os.read(self.lifeline_fd, 1):
                pass
            log.warning("worker %d: the supervisor is gone; stopping", self.index)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def reserve_port(host: str, port: int) -> socket.socket:
    """Bind (not listen) with SO_REUSEPORT: the port is taken for the workers to share."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class Supervisor:
    """Starts, watches and stops the worker processes."""

    def __init__(self, host: str, port: int, workers: int, teams_port: int) -> None:
        self.host, self.port, self.count, self.teams_port = host, port, workers, teams_port
        self.folder = tempfile.mkdtemp(prefix="complaints-desk-")
        self.wake_path = str(Path(self.folder) / "outbox-wake.sock")
        self.ready_r, self.ready_w = os.pipe()
        self.lifeline_r, self.lifeline_w = os.pipe()
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        self.started: dict[int, float] = {}
        self.stopping = threading.Event()
        self.quick_deaths = 0

    def spawn(self, index: int) -> None:
        role = WorkerRole(index, self.ready_w, self.lifeline_r, self.wake_path)
        argv = [sys.executable, "-m", "bot.cli", "run", "--host", self.host,
                "--port", str(self.port), "--teams-port", str(self.teams_port),
                "--worker", role.argument()]
        self.procs[index] = subprocess.Popen(argv, pass_fds=(self.ready_w, self.lifeline_r))
        self.started[index] = time.monotonic()
        log.info("worker %d started (pid %d)", index, self.procs[index].pid)

    def wait_listening(self) -> bool:
        """True once every worker has said it listens; False if one exits first."""
        waiting = set(self.procs)
        deadline = time.monotonic() + START_TIMEOUT
        buffer = b""
        while waiting and time.monotonic() < deadline and not self.stopping.is_set():
            readable, _, _ = select.select([self.ready_r], [], [], 0.1)
            if readable:
                buffer += os.read(self.ready_r, 256)
            *lines, buffer = buffer.split(b"\n")
            waiting -= {int(line) for line in lines if line.strip()}
            if any(self.procs[i].poll() is not None for i in waiting):
                return False
        return not waiting

    def watch(self) -> int:
        """Restart workers that die, until a signal; then the workers' worst exit status."""
        while not self.stopping.wait(0.2):
            for index, proc in list(self.procs.items()):
                code = proc.poll()
                if code is None or self.stopping.is_set():
                    continue
                quick = time.monotonic() - self.started[index] < QUICK_DEATH
                self.quick_deaths = self.quick_deaths + 1 if quick else 0
                log.error("worker %d (pid %d) exited with status %d", index, proc.pid, code)
                if self.quick_deaths >= MAX_QUICK_DEATHS:
                    log.error("workers keep dying at start; stopping")
                    self.stop()
                    return 1
                self.spawn(index)
        return self.stop()

    def stop(self) -> int:
        """SIGTERM to every worker; wait for them (SIGKILL after STOP_TIMEOUT)."""
        self.stopping.set()
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        worst = 0
        deadline = time.monotonic() + STOP_TIMEOUT
        for index, proc in self.procs.items():
            try:
                code = proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("worker %d did not stop in time; killing it", index)
                proc.kill()
                code = proc.wait()
            worst = max(worst, abs(code))
        return worst

    def close(self) -> None:
        for fd in (self.ready_r, self.ready_w, self.lifeline_r, self.lifeline_w):
            os.close(fd)
        for leftover in Path(self.folder).iterdir():
            leftover.unlink()
        os.rmdir(self.folder)


def supervise(host: str, port: int, workers: int, teams_port: int) -> int:
    """Run ``workers`` worker processes on ``host:port`` until SIGTERM/SIGINT."""
    try:
        reserved = reserve_port(host, port)
    except OSError as exc:
        print(f"complaints-bot: cannot listen on {host}:{port}: {exc.strerror}",
              file=sys.stderr, flush=True)
        return 1
    supervisor = Supervisor(host, reserved.getsockname()[1], workers, teams_port)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("received %s: stopping the workers", signal.Signals(signum).name)
        supervisor.stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        for index in range(workers):
            supervisor.spawn(index)
        if not supervisor.wait_listening():
            code = supervisor.stop()
            if supervisor.stopping.is_set() and code == 0:
                return 0
            print("complaints-bot: a worker did not start (its error is above)",
                  file=sys.stderr, flush=True)
            return 1
        print(f"listening on {host}:{supervisor.port}", flush=True)
        log.info("Complaints Desk: %d workers on http://%s:%d/slack/events", workers, host,
                 supervisor.port)
        return supervisor.watch()
    finally:
        supervisor.close()
        reserved.close()
