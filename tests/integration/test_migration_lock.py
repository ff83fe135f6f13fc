"""Replicas starting together on an empty database: every one migrates or waits, none fails."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from storage import migrate
from tests.integration.test_migrations import HEAD

STARTERS = 4


def test_processes_starting_at_once_on_an_empty_database_all_reach_head(
        database_url: str) -> None:
    # Threads with an engine each, released together: as close to "at once" as can be made.
    barrier = threading.Barrier(STARTERS)
    failures: list[BaseException] = []

    def start() -> None:
        barrier.wait()
        try:
            migrate.upgrade(database_url)
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=start) for _ in range(STARTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not [t for t in threads if t.is_alive()], "a migration is still waiting"
    assert [str(f).splitlines()[0] for f in failures] == []
    assert migrate.current(database_url) == HEAD


def test_separate_processes_on_one_sqlite_file_all_reach_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    code = "import sys; from storage import migrate; migrate.upgrade(sys.argv[1])"
    root = str(Path(__file__).resolve().parents[2])
    procs = [subprocess.Popen([sys.executable, "-c", code, url], cwd=root,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for _ in range(3)]
    outputs = [(p.wait(120), p.communicate()[0]) for p in procs]
    assert [rc for rc, _ in outputs] == [0, 0, 0], outputs
    assert migrate.current(url) == HEAD
