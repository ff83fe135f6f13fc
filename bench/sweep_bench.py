"""Sweep benchmark: time and peak memory of one sweep with many open cases, some due.

    .venv/bin/python -m bench.sweep_bench                      # SQLite temp file
    .venv/bin/python -m bench.sweep_bench --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

Runs, as CASES:DUE pairs (``--runs``): 1% due at 10k and 100k open cases, then a fixed
1,000 due at 10k and 100k (memory against the number of cases) and 10,000 due at 100k
(memory against the number due). Each run is seeded into a fresh database; the first
sweep claims and queues every due alert (the heavy one), the second finds them all claimed
(the steady state, every minute). Peak memory is traced (tracemalloc) around the sweep only.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from cases.model import DeadlineKind
from cases.policy import Policy
from scheduling.calendar import UKWorkingCalendar
from scheduling.sweep import Sweeper
from storage import migrate
from storage.alerts import SqlAlertLedger
from storage.db import make_engine
from storage.models import CaseRow, DeadlineRow

# Wed 8 Apr 2026 10:00 London: a working day, in business hours.
NOW = datetime(2026, 4, 8, 9, 0, tzinfo=UTC)
CHUNK = 5000


def seed_cases(engine: Engine, n: int, due: int, now: datetime = NOW, *,
               kind: DeadlineKind = DeadlineKind.STAGE_TWO_REPLY) -> None:
    """``n`` open cases with one ``kind`` deadline each; the first ``due`` are overdue."""
    overdue_at = now - timedelta(days=1, hours=1)
    later = now + timedelta(days=60)
    received = now - timedelta(days=20)
    with engine.begin() as conn:
        for start in range(0, n, CHUNK):
            ids = range(start + 1, min(n, start + CHUNK) + 1)
            conn.execute(insert(CaseRow), [_case(i, received) for i in ids])
            conn.execute(insert(DeadlineRow), [
                {"case_id": i, "kind": kind.value,
                 "due_at": overdue_at if i <= due else later,
                 "original_due_at": overdue_at if i <= due else later,
                 "started_at": received, "met_at": None, "retired_at": None}
                for i in ids])


def _case(i: int, received: datetime) -> dict[str, Any]:
    return {"id": i, "reference": f"TT-2026-{i:06d}", "version": 0, "state": "under_review",
            "intake": {}, "intake_key": None, "received_at": received,
            "effective_receipt": received.date(), "logged_by": "U0BENCH",
            "logged_at": received, "owner": f"U{i % 50:08d}", "reviewer": "U0DIRECTOR",
            "progress_updates": [], "review_requested_at": received}


DEFAULT_RUNS = "10000:100,100000:1000,10000:1000,100000:10000"


def measure(url: str, n: int, due: int) -> dict[str, float]:
    """Seed ``n`` cases, ``due`` of them overdue, into the empty database at ``url`` and
    time two sweeps."""
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        seed_cases(engine, n, due)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text("ANALYZE"))
        calendar = UKWorkingCalendar()
        # Warm-up outside the measurement: the bank-holiday tables load once per process.
        calendar.working_days_between(NOW.date() - timedelta(days=60), NOW.date())
        sweeper = Sweeper(SqlAlertLedger(engine), calendar, Policy())
        out: dict[str, float] = {}
        for label in ("first", "steady"):
            # Time without tracing (tracemalloc slows allocation-heavy code several-fold),
            # then undo and repeat under tracemalloc for the peak.
            started = time.perf_counter()
            report = sweeper.sweep(NOW)
            out[f"{label}_s"] = time.perf_counter() - started
            out[f"{label}_queued"] = report.queued
            if label == "first":
                with engine.begin() as conn:
                    conn.execute(text("DELETE FROM outbox"))
                    conn.execute(text("DELETE FROM alerts"))
            tracemalloc.start()
            sweeper.sweep(NOW)
            out[f"{label}_peak_kib"] = tracemalloc.get_traced_memory()[1] / 1024
            tracemalloc.stop()
        return out
    finally:
        engine.dispose()


def _pg_schema_url(base: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    with create_engine(base).begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def _drop_schema(base: str, schema: str) -> None:
    with create_engine(base).begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


@contextmanager
def scratch_database(pg: str | None) -> Iterator[str]:
    """A fresh database for one run: a scratch schema on PostgreSQL ``pg`` (dropped
    afterwards), else a SQLite file in a temporary folder."""
    if pg:
        url, schema = _pg_schema_url(pg)
        try:
            yield url
        finally:
            _drop_schema(pg, schema)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"


def main() -> None:
    """Run the benchmark and print one line per database and size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL URL (a scratch schema is made and dropped)")
    parser.add_argument("--runs", default=DEFAULT_RUNS,
                        help=f"CASES:DUE pairs, comma-separated (default {DEFAULT_RUNS})")
    args = parser.parse_args()
    runs = [tuple(int(x) for x in run.split(":")) for run in args.runs.split(",")]
    print(f"{'db':<10} {'cases':>7} {'due':>6} {'first sweep':>12} {'peak KiB':>9} "
          f"{'steady sweep':>13} {'peak KiB':>9}")
    for n, due in runs:
        with scratch_database(args.pg) as url:
            r = measure(url, n, due)
        db = "postgresql" if args.pg else "sqlite"
        print(f"{db:<10} {n:>7} {int(r['first_queued']):>6} {r['first_s']:>11.3f}s "
              f"{r['first_peak_kib']:>9.0f} {r['steady_s']:>12.3f}s {r['steady_peak_kib']:>9.0f}")


if __name__ == "__main__":
    main()
