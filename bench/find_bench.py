"""Find benchmark: `/complaint find` searches over 100,000 cases, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.find_bench                       # SQLite temp file
    .venv/bin/python -m bench.find_bench --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

Seeds N cases (default 100,000) with their search terms as ``cases.search.terms_of``
makes them (a name from 2,000 first and 1,000 last names, an organisation for one in
three, an email and a phone each), then times the storage query (``matching_ids``, the
first 100 ids as the use case asks) for each kind of search, the median of 21 runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from bench.sweep_bench import CHUNK, scratch_database, seed_cases
from cases.search import query_keys, terms_of
from storage import migrate
from storage.db import make_engine
from storage.search import matching_ids
from storage.search_rows import CaseSearchTermRow

SEARCHES = {
    "email (exact)": "person4242@example42.com",
    "phone (other form)": "07700 104242",
    "reference": "TT-2026-054321",
    "surname (100 cases)": "lastname421",
    "first + last name": "first42 lastname42",
    "short prefix (2 letters)": "fi",
}


def seed_terms(engine: Engine, n: int) -> None:
    """The search terms of cases 1..n (as ``bench.sweep_bench.seed_cases`` numbers them)."""
    with engine.begin() as conn:
        for start in range(0, n, CHUNK):
            rows = []
            for i in range(start + 1, min(n, start + CHUNK) + 1):
                terms = terms_of(f"TT-2026-{i:06d}", name=f"First{i % 2000} Lastname{i % 1000}",
                                 organisation=f"Org {i % 700} Ltd" if i % 3 == 0 else None,
                                 email=f"person{i}@example{i % 100}.com",
                                 phone=f"+447700{100000 + i:06d}")
                rows += [{"case_id": i, "term": t} for t in terms]
            conn.execute(insert(CaseSearchTermRow.__table__), rows)


def measure(url: str, n: int) -> dict[str, tuple[float, int]]:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        seed_cases(engine, n, 0)
        seed_terms(engine, n)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        out: dict[str, tuple[float, int]] = {}
        with Session(engine) as session:
            for label, query in SEARCHES.items():
                keys = query_keys(query)
                times = []
                for _ in range(21):
                    started = time.perf_counter()
                    found = matching_ids(session, keys, limit=100)
                    times.append(time.perf_counter() - started)
                out[label] = (statistics.median(times), len(found))
        return out
    finally:
        engine.dispose()


def main() -> None:
    """Seed, search, print one line per kind of search."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL URL (a scratch schema is made and dropped)")
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    with scratch_database(args.pg) as url:
        results = measure(url, args.cases)
    db = "postgresql" if args.pg else "sqlite"
    for label, (seconds, found) in results.items():
        print(f"{db:<10} {args.cases:>7} {label:<26} {seconds * 1000:>8.2f} ms {found:>4} found")


if __name__ == "__main__":
    main()
