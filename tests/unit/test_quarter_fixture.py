"""Phase Three numbers against a hand-counted quarter: 40 cases received in Q2 2026, plus
seven earlier billing complaints that make billing rise two quarters running.

The 40 (i = 0..39), every one received at 10:00 on a weekday:
  category  i 0-15 billing (16), 16-27 product (12), 28-35 delivery (8),
            36-39 staff conduct (4): 36, 37, 38 about P-SUBJ0000001, 39 about another
  month     i % 3: 0 April (14), 1 May (13), 2 June (13)
  ack       met on time, except i % 5 == 0 (8 of 40 late: 20%, the policy's line)
  reply     i < 30 replied after 4 working days; i < 25 record a root cause:
            i % 3 == 0 billing (9), 1 communication (8), 2 product fault (8); 25-29 not
            recorded (5); remedies: every recorded one an apology (25), i % 5 == 1 also a
            refund of £10.50 (5: i = 1, 6, 11, 16, 21)
  stage two i % 10 == 0 escalated (4 of 40: 10%)
  contacts  i = 1, 2, 3 share one email (a repeat complainant); the rest their own
Earlier: billing 2 in Q4 2025 and 5 in Q1 2026 (so 2 -> 5 -> 16).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from PIL import Image

from cases.learning import Learning, RemedyKind
from cases.model import Case, Deadline, DeadlineKind, Outcome, State
from cases.policy import Policy
from cases.report_model import AttentionKind, TrendReport
from cases.report_tables import report_tables
from cases.report_trends import full_report
from charts.render import report_charts
from exports.files import ExportFormat, export_bytes
from scheduling.calendar import UKWorkingCalendar
from tests.fakes import intake_record

CAL = UKWorkingCalendar()
AT = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
Q2 = (date(2026, 4, 1), date(2026, 6, 30))
MONTH_DAYS = {0: date(2026, 4, 7), 1: date(2026, 5, 12), 2: date(2026, 6, 9)}


def _category(i: int) -> str:
    if i < 16:
        return "billing"
    if i < 28:
        return "product"
    return "delivery" if i < 36 else "staff_conduct"


def _case(i: int, day: date, category: str, **intake: object) -> Case:
    received = datetime(day.year, day.month, day.day, 9, 0, tzinfo=UTC)  # 10:00 BST
    ack_due = received + timedelta(days=3)
    ack = Deadline(DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, ack_due, ack_due, received,
                   met_at=ack_due + (timedelta(days=1) if i % 5 == 0 else -timedelta(days=1)))
    case = Case(reference=f"TT-2026-{i + 1:04d}", intake=intake_record(
                    category=category, received_at=received.isoformat(), **intake),
                received_at=received, effective_receipt=day, logged_by="P-CS00000001",
                logged_at=received, state=State.LOGGED, id=i + 1,
                deadlines={ack.kind: ack})
    return case


def _quarter_case(i: int) -> Case:
    category = _category(i)
    extra: dict[str, object] = {"email": "same@example.org" if i in (1, 2, 3)
                                else f"c{i}@example.org", "phone": ""}
    if category == "staff_conduct":
        extra["subject_user_id"] = "P-SUBJ0000001" if i < 39 else "P-SUBJ0000002"
    case = _case(i, MONTH_DAYS[i % 3], category, **extra)
    if i < 30:
        case.state, case.outcome = State.REPLIED, Outcome.UPHELD
        case.replied_at = case.received_at + timedelta(days=6)  # Tue -> Mon: 4 working days
        if i < 25:
            cause = ("billing", "communication", "product_fault")[i % 3]
            refund = i % 5 == 1
            case.learning = Learning(cause, (RemedyKind.APOLOGY,)
                                     + ((RemedyKind.REFUND_OR_CREDIT,) if refund else ()),
                                     1050 if refund else None)
    if i % 10 == 0:
        case.state = State.REVIEW_REQUESTED
        case.review_requested_at = case.replied_at or case.received_at + timedelta(days=10)
    return case


def _earlier() -> list[Case]:
    days = [date(2025, 11, 4), date(2025, 12, 9)] + [date(2026, 2, 3 + k) for k in range(5)]
    return [_case(100 + k, day, "billing", email=f"old{k}@example.org", phone="")
            for k, day in enumerate(days)]


@pytest.fixture(scope="module")
def report() -> TrendReport:
    cases = [*_earlier(), *(_quarter_case(i) for i in range(40))]
    return full_report(iter(cases), *Q2, AT, CAL, Policy())


def _count(items: object, key: str) -> int:
    return next(c.count for c in items if c.key == key)  # type: ignore[attr-defined]


def test_counts_by_category_month_and_stage(report: TrendReport) -> None:
    assert report.total == 40
    assert {c.key: c.count for c in report.by_category if c.count} == {
        "billing": 16, "product": 12, "delivery": 8, "staff_conduct": 4}
    assert report.stage_one.replied == 30
    assert report.stage_two.escalated == 4 and report.stage_two.escalation_rate == 0.1
    assert report.reply_times.median_working_days == 4
    assert report.series is not None
    june_back = {m.label: sum(c.count for c in m.by_category) for m in report.series.months}
    assert (june_back["Apr 2026"], june_back["May 2026"], june_back["Jun 2026"]) == (14, 13, 13)
    assert june_back["Nov 2025"] == 1 and june_back["Feb 2026"] == 5
    assert [q.label for q in report.series.quarters] == ["2025 Q3", "2025 Q4", "2026 Q1",
                                                         "2026 Q2"]
    assert [q.total for q in report.series.quarters] == [0, 2, 5, 40]
    assert report.series.quarters[-1].stage_two_rate == 0.1


def test_on_time_rate_per_deadline(report: TrendReport) -> None:
    ack = next(d for d in report.deadlines if d.kind is DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT)
    assert (ack.met_on_time, ack.met_late) == (32, 8)
    assert report.series is not None
    rates = dict((k, r) for k, _, r in report.series.quarters[-1].on_time)
    assert rates[DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT] == 0.8
    assert rates[DeadlineKind.STAGE_TWO_REPLY] is None


def test_root_causes_and_remedies(report: TrendReport) -> None:
    assert _count(report.by_root_cause, "billing") == 9
    assert _count(report.by_root_cause, "communication") == 8
    assert _count(report.by_root_cause, "product_fault") == 8
    assert _count(report.by_root_cause, "not_recorded") == 5
    assert _count(report.by_remedy, "apology") == 25
    assert _count(report.by_remedy, "refund_or_credit") == 5
    assert report.refunded_pence == 5 * 1050


def test_trends_needing_action_list_their_cases(report: TrendReport) -> None:
    found = {a.kind: a for a in report.attention}
    assert set(found) == {AttentionKind.CATEGORY, AttentionKind.DEADLINE,
                          AttentionKind.REPEATED_SUBJECT, AttentionKind.RISING_CATEGORY,
                          AttentionKind.REPEAT_COMPLAINANT}
    assert found[AttentionKind.CATEGORY].message.startswith("Billing complaints are 16 of 40")
    assert len(found[AttentionKind.CATEGORY].cases) == 16
    assert found[AttentionKind.DEADLINE].message.startswith("Acknowledgement: 8 of 40 late")
    assert [c.reference for c in found[AttentionKind.DEADLINE].cases] == [
        f"TT-2026-{i + 1:04d}" for i in range(0, 40, 5)]
    assert found[AttentionKind.RISING_CATEGORY].message == (
        "Billing complaints rose 2 quarters running: 2 (2025 Q4) → 5 (2026 Q1) → 16 (2026 Q2).")
    assert [c.reference for c in found[AttentionKind.REPEATED_SUBJECT].cases] == [
        "TT-2026-0037", "TT-2026-0038", "TT-2026-0039"]
    assert [c.reference for c in found[AttentionKind.REPEAT_COMPLAINANT].cases] == [
        "TT-2026-0002", "TT-2026-0003", "TT-2026-0004"]
    assert found[AttentionKind.REPEAT_COMPLAINANT].message.startswith("1 complainant")


def test_charts_are_pngs_of_the_expected_size_with_alt_text(report: TrendReport) -> None:
    charts = report_charts(report)
    assert len(charts) == 4
    for chart in charts:
        image = Image.open(io.BytesIO(chart.png))
        assert image.format == "PNG" and image.size == (1200, 675)
        image.load()  # decodes the whole image
    assert "Apr 2026 14" in charts[0].alt_text
    assert "busiest month was Apr 2026" in charts[0].alt_text
    assert "2026 Q2: Acknowledgement 80%" in charts[1].alt_text
    assert "2026 Q2: median 4 days" in charts[2].alt_text
    assert "2026 Q2: 4 of 40 (10%)" in charts[3].alt_text


def test_csv_round_trip_gives_back_every_table(report: TrendReport) -> None:
    rows = list(csv.DictReader(io.StringIO(export_bytes(report, ExportFormat.CSV).decode())))
    for table in report_tables(report):
        for number, row in enumerate(table.rows, start=1):
            for column, value in zip(table.columns, row, strict=True):
                cell = next(r["value"] for r in rows if r["table"] == table.name
                            and r["row"] == str(number) and r["column"] == column)
                assert cell == ("" if value is None else str(value))
    by_category = {r["column"]: r["value"] for r in rows
                   if r["table"] == "by_category" and r["row"] == "2"}
    assert by_category == {"key": "service", "label": "Service", "count": "0"}


def test_xlsx_round_trip_one_sheet_per_table(report: TrendReport) -> None:
    book = load_workbook(io.BytesIO(export_bytes(report, ExportFormat.XLSX)))
    tables = report_tables(report)
    assert book.sheetnames == [t.name for t in tables]
    for table in tables:
        sheet = book[table.name]
        values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
        assert values[0] == table.columns
        assert values[1:] == [tuple(r) for r in table.rows]
    category = {row[0]: row[2] for row in book["by_category"].iter_rows(min_row=2,
                                                                      values_only=True)}
    assert category["billing"] == 16 and category["staff_conduct"] == 4


def test_exports_hold_counts_only(report: TrendReport) -> None:
    for fmt in ExportFormat:
        data = export_bytes(report, fmt)
        text = data.decode("utf-8", "replace") if fmt is not ExportFormat.XLSX else ""
        for secret in ("Ada Lovelace", "same@example.org", "01482", "Example Street",
                       "P-SUBJ0000001", "TT-2026-"):
            assert secret not in text
    whole = json.loads(export_bytes(report, ExportFormat.JSON))
    assert whole["total"] == 40 and whole["by_root_cause"]["not_recorded"] == 5
