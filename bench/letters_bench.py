"""Letters benchmark: time to render an acknowledgement with the procedure attached, and
memory over many renders.

    .venv/bin/python -m bench.letters_bench            # --renders N (default 100)

Three timings, each the median of the renders after the first: the acknowledgement's own
PDF; both PDFs with the procedure rendered afresh each time (no cache); both PDFs as the
email surface makes them (the procedure rendered once per process and kept). Memory is
the process's resident set (VmRSS, which sees Pango's and WeasyPrint's C allocations,
unlike tracemalloc) after the 1st, 10th, 50th and last render.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from cases.company import CompanyDetails
from cases.letters import LetterView, stage_one_acknowledgement
from letters.pdf import PdfRenderer, html_to_pdf
from letters.templates import LetterTemplates
from tests.letters.helpers import a_case


def rss_kib() -> int:
    """The process's resident set size now, in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _timed(renders: int, work: Callable[[], object]) -> tuple[float, float, dict[int, int]]:
    """(first, median of the rest) seconds and RSS after chosen renders."""
    times: list[float] = []
    memory: dict[int, int] = {}
    for n in range(1, renders + 1):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
        if n in (1, 10, 50, renders):
            memory[n] = rss_kib()
    return times[0], statistics.median(times[1:] or times), memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=100)
    args = parser.parse_args()
    company = CompanyDetails()
    templates = LetterTemplates()
    view: LetterView = stage_one_acknowledgement(a_case(), company, date(2026, 12, 2),
                                                 owner_name="Carys Jones",
                                                 reply_by=date(2026, 12, 31))
    renderer = PdfRenderer(templates)
    procedure_html = templates.procedure_html(company)
    runs: list[tuple[str, Callable[[], object]]] = [
        ("letter PDF only", lambda: renderer.letter(view)),
        ("letter + procedure, both rendered", lambda: (renderer.letter(view),
                                                       html_to_pdf(procedure_html))),
        ("letter + procedure (kept), as emailed", lambda: renderer.attachments(view)),
    ]
    print(f"{'what':40} {'first s':>8} {'median s':>9}  RSS KiB after renders")
    for name, work in runs:
        first, median, memory = _timed(args.renders, work)
        marks = "  ".join(f"{n}: {kib:,}" for n, kib in memory.items())
        print(f"{name:40} {first:8.3f} {median:9.3f}  {marks}")


if __name__ == "__main__":
    main()
