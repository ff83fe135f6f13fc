"""Subject-access export benchmark: 10,000 cases, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.records_bench                    # SQLite temp file
    .venv/bin/python -m bench.records_bench --pg postgresql+psycopg://postgres@127.0.0.1:5432/test

Seeds N cases (default 10,000), each with a valid intake, five history events and one
letter, all of them the same complainant's (the worst case: one person's whole history),
plus a second complainant with 3 cases among them (a usual request). Times, through the
real use case (``ComplaintsDesk.export_records``, which records the export on every case)
and ``cases.records.export_zip``:

- the usual request (3 cases), with the PDFs;
- all N cases as JSON and text (no PDFs);
- the PDF of one case (WeasyPrint), the median of a sample, times N: the PDFs of all N.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert

from bench.sweep_bench import CHUNK, scratch_database
from cases.clock import FrozenClock
from cases.intake import parse_intake
from cases.policy import Policy
from cases.records import MatchBy, export_zip
from cases.search import terms_of
from cases.services import ComplaintsDesk
from letters.casefile_pdf import CaseFilePdfRenderer
from scheduling.calendar import UKWorkingCalendar
from storage import migrate
from storage.db import make_engine
from storage.models import CaseEventRow, CaseRow, LetterRow
from storage.search_rows import CaseSearchTermRow
from storage.uow import SqlUnitOfWorkFactory

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)
EMAIL, OTHER = "frequent@example.com", "usual@example.com"
PDF_SAMPLE = 20


def _intake(i: int, email: str) -> dict[str, Any]:
    return parse_intake({
        "complainant_name": "Freya Frequent" if email == EMAIL else "Uma Usual",
        "email": email, "phone": "01482 765432", "postal_address": "1 Long Road\nHull",
        "relationship": "customer", "channel": "email",
        "received_at": (NOW - timedelta(days=400 - i % 300)).isoformat(),
        "facts": f"Complaint number {i}: the tracker stopped. " * 8, "category": "product",
        "checklist": {"referred_to_procedure": True, "feedback_form_sent": True,
                      "told_next_steps": True}}).model_dump(mode="json")


def seed(engine: Engine, n: int) -> None:
    """N cases: the last 3 are OTHER's, the rest EMAIL's; events, a letter, search terms."""
    with engine.begin() as conn:
        for start in range(0, n, CHUNK):
            ids = range(start + 1, min(n, start + CHUNK) + 1)
            cases, events, letters, terms = [], [], [], []
            for i in ids:
                email = OTHER if i > n - 3 else EMAIL
                intake, at = _intake(i, email), NOW - timedelta(days=i % 300)
                cases.append({"id": i, "reference": f"TT-2026-{i:06d}", "version": 5,
                              "state": "closed", "intake": intake, "intake_key": None,
                              "received_at": at, "effective_receipt": at.date(),
                              "logged_by": "P-00000000b1", "logged_at": at,
                              "owner": "P-00000000b2", "progress_updates": [],
                              "closed_at": at, "outcome": "upheld",
                              "resolution": "Replaced the tracker."})
                events += [{"case_id": i, "seq": s, "at": at, "actor": "P-00000000b2",
                            "action": a, "from_state": None, "to_state": None,
                            "details": {"text": "Rang back about the tracker."}}
                           for s, a in enumerate(("logged", "acknowledge", "note", "resolve",
                                                  "details_viewed"), start=1)]
                letters.append({"key": f"letter-{i:032x}", "case_id": i,
                                "kind": "stage_one_acknowledgement", "method": "email",
                                "subject": f"Acknowledgement (TT-2026-{i:06d})",
                                "body": "Dear customer,\n" + "We have your complaint. " * 20,
                                "view": {}, "recipient": email, "sent_by": "P-00000000b2",
                                "sent_at": at, "state": "queued", "outbox_key": None,
                                "resend_of": None})
                terms += [{"case_id": i, "term": t} for t in terms_of(
                    f"TT-2026-{i:06d}", name=intake["complainant_name"], organisation=None,
                    email=email, phone=intake["phone"])]
            conn.execute(insert(CaseRow), cases)
            conn.execute(insert(CaseEventRow), events)
            conn.execute(insert(LetterRow), letters)
            conn.execute(insert(CaseSearchTermRow.__table__), terms)


def measure(url: str, n: int) -> dict[str, float]:
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        seed(engine, n)
        clock = FrozenClock(NOW)
        uow = SqlUnitOfWorkFactory(engine, clock)
        desk = ComplaintsDesk(uow, clock, UKWorkingCalendar(), Policy(), reader=uow.reader())
        pdf = CaseFilePdfRenderer()
        out: dict[str, float] = {}
        started = time.perf_counter()
        usual = desk.export_records(MatchBy.EMAIL, OTHER)
        out["usual_bytes"] = len(export_zip(usual, pdf))
        out["usual_s"] = time.perf_counter() - started
        started = time.perf_counter()
        everything = desk.export_records(MatchBy.EMAIL, EMAIL)
        out["all_read_s"] = time.perf_counter() - started
        data = export_zip(everything, None)
        out["all_s"] = time.perf_counter() - started
        out["all_cases"], out["all_bytes"] = len(everything.cases), len(data)
        times = []
        for case in everything.cases[:PDF_SAMPLE]:
            began = time.perf_counter()
            pdf.case_file_pdf(case.case_file, [])
            times.append(time.perf_counter() - began)
        out["pdf_each_s"] = statistics.median(times)
        return out
    finally:
        engine.dispose()


def main() -> None:
    """Seed, export, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL URL (a scratch schema is made and dropped)")
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    with scratch_database(args.pg) as url:
        r = measure(url, args.cases)
    db = "postgresql" if args.pg else "sqlite"
    n = int(r["all_cases"])
    print(f"{db}: usual request (3 of {args.cases} cases, with PDFs): {r['usual_s']:.2f} s, "
          f"{r['usual_bytes'] / 1024:.0f} KiB")
    print(f"{db}: all {n} cases of one person, JSON and text: {r['all_s']:.1f} s "
          f"(read and recorded {r['all_read_s']:.1f} s), {r['all_bytes'] / 2**20:.1f} MiB")
    print(f"{db}: one case's PDF {r['pdf_each_s'] * 1000:.0f} ms (median of {PDF_SAMPLE}); "
          f"all {n}: about {r['pdf_each_s'] * n / 60:.0f} min")


if __name__ == "__main__":
    main()
