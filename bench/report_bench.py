"""Report benchmark: the Phase Three report (four quarters) over N cases, on PostgreSQL.

    .venv/bin/python -m bench.report_bench --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.report_bench            # SQLite temp file

Seeds N cases (default sizes 10,000 and 100,000) received over the last year with full
intakes (40,000 distinct emails, a phone on every other case from 1,000 numbers, 300
staff-conduct subjects), one acknowledgement deadline each, then times
``trends_report_as_operator`` for the last quarter (which counts the four quarters and 12
months of contacts: every case) and, separately, the charts; reports Python's peak traced
memory during one report and the load average when the run ended (the machine is shared).
``--profile`` prints the report's cProfile (top functions by cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, text

from bench.sweep_bench import CHUNK, scratch_database
from cases.clock import FrozenClock
from cases.policy import Policy
from cases.report_facts import email_key, phone_contact_key
from cases.services import ComplaintsDesk
from charts.render import report_charts
from scheduling.calendar import UKWorkingCalendar
from storage import migrate
from storage.db import make_engine
from storage.models import CaseRow, DeadlineRow
from storage.uow import SqlUnitOfWorkFactory

NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
CATEGORIES = ("product", "billing", "delivery", "staff_conduct", "service", "other")


def _phone(i: int) -> str | None:
    return f"+44 20 7946 {i % 1000:04d}" if i % 2 else None


def _intake(i: int, received: datetime) -> dict[str, Any]:
    category = CATEGORIES[i % len(CATEGORIES)]
    return {"complainant_name": f"Person {i}", "email": f"person{i % 40000}@example.com",
            "phone": _phone(i), "relationship": "customer", "channel": "phone",
            "received_at": received.isoformat(), "facts": "Bench facts.", "category": category,
            "subject_user_id": f"P-{i % 300:010d}" if category == "staff_conduct" else None,
            "not_a_named_person": False,
            "checklist": {"referred_to_procedure": True, "feedback_form_sent": True,
                          "told_next_steps": True}}


def _rows(i: int, phones: list[str | None]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Case ``i`` (a quarter of them replied) and its acknowledgement deadline (met)."""
    received = NOW - timedelta(days=1 + (i * 7919) % 364, hours=i % 7)
    replied = received + timedelta(days=6) if i % 4 == 0 else None
    intake = _intake(i, received)
    case = {"id": i, "reference": f"TT-2026-{i:06d}", "version": 0,
            "state": "replied" if replied else "acknowledged", "intake": intake,
            "received_at": received, "category": intake["category"], "channel": "phone",
            "relationship": "customer", "subject_user_id": intake["subject_user_id"],
            "contact_email_key": email_key(intake["email"]),
            "contact_phone_key": phones[i % 1000] if i % 2 else None,
            "effective_receipt": received.date(), "logged_by": "P-BENCH",
            "logged_at": received, "outcome": "upheld" if replied else None,
            "replied_at": replied, "progress_updates": [],
            "root_cause": "billing" if replied else None,
            "remedies": ["apology"] if replied else None}
    due = received + timedelta(days=3)
    deadline = {"case_id": i, "kind": "stage_one_acknowledgement", "due_at": due,
                "original_due_at": due, "started_at": received,
                "met_at": due - timedelta(hours=i % 50), "retired_at": None}
    return case, deadline


def seed(url: str, n: int) -> None:
    """``n`` cases received over the year to NOW, a quarter of them replied."""
    engine = make_engine(url)
    # The keys the repository would store with each intake (cases.report_facts).
    phones = [phone_contact_key(f"+44 20 7946 {k:04d}") for k in range(1000)]
    try:
        with engine.begin() as conn:
            for start in range(0, n, CHUNK):
                pairs = [_rows(i, phones) for i in range(start + 1, min(n, start + CHUNK) + 1)]
                conn.execute(insert(CaseRow), [c for c, _ in pairs])
                conn.execute(insert(DeadlineRow), [d for _, d in pairs])
            if engine.dialect.name == "postgresql":
                conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def measure(url: str, n: int, profile: bool = False) -> dict[str, float]:
    migrate.upgrade(url)
    seed(url, n)
    engine = make_engine(url)
    try:
        clock = FrozenClock(NOW)
        desk = ComplaintsDesk(SqlUnitOfWorkFactory(engine, clock=clock), clock,
                              UKWorkingCalendar(), Policy())
        period = {"start": date(2026, 4, 1), "end": date(2026, 6, 30)}
        desk.trends_report_as_operator(**period)  # warm-up: holidays, caches
        times = []
        for _ in range(3):
            t = time.perf_counter()
            report = desk.trends_report_as_operator(**period)
            times.append(time.perf_counter() - t)
        t = time.perf_counter()
        report_charts(report)
        charts = time.perf_counter() - t
        tracemalloc.start()
        kept = desk.trends_report_as_operator(**period)
        # What is still traced while the report is kept is the report itself (mostly the
        # references its lines list); the rest of the peak is the working memory.
        retained, peak = (b / 1024 for b in tracemalloc.get_traced_memory())
        tracemalloc.stop()
        del kept
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(desk.trends_report_as_operator, **period)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return {"report": statistics.median(times), "charts": charts, "peak_kib": peak,
                "report_kib": retained,
                "in_period": report.total, "load": os.getloadavg()[0]}
    finally:
        engine.dispose()


def main() -> None:
    """Run the benchmark and print one line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL URL (a scratch schema is made and dropped)")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--profile", action="store_true", help="print each report's profile")
    args = parser.parse_args()
    for n in (int(s) for s in args.sizes.split(",")):
        with scratch_database(args.pg) as url:
            found = measure(url, n, args.profile)
        db = "PostgreSQL" if args.pg else "SQLite"
        print(f"{db:<10} {n:>7,} cases ({found['in_period']:,.0f} in the quarter): report "
              f"{found['report']:.2f} s, charts {found['charts']:.2f} s, "
              f"peak {found['peak_kib']:,.0f} KiB (the report itself "
              f"{found['report_kib']:,.0f} KiB), load average {found['load']:.2f}",
              flush=True)


if __name__ == "__main__":
    main()
