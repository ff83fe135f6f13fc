"""Report tables -> bytes of a CSV, an XLSX workbook (one sheet per table) or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import StrEnum

from openpyxl import Workbook

from cases.report_format import report_as_dict
from cases.report_model import TrendReport
from cases.report_tables import Table, report_tables


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
}
CSV_COLUMNS = ("table", "row", "column", "value")


def csv_bytes(tables: Sequence[Table]) -> bytes:
    """One long CSV: a line per cell (table, row number, column, value); opens anywhere."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for table in tables:
        for number, row in enumerate(table.rows, start=1):
            for column, value in zip(table.columns, row, strict=True):
                writer.writerow((table.name, number, column, "" if value is None else value))
    return out.getvalue().encode("utf-8")


def xlsx_bytes(tables: Sequence[Table]) -> bytes:
    """A workbook with one sheet per table, its header in the first row."""
    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    for table in tables:
        sheet = book.create_sheet(title=table.name[:31])
        sheet.append(list(table.columns))
        for row in table.rows:
            sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_bytes(report: TrendReport, fmt: ExportFormat) -> bytes:
    """The report in ``fmt``."""
    if fmt is ExportFormat.JSON:
        data = report_as_dict(report)
        data["tables"] = {t.name: {"columns": list(t.columns), "rows": [list(r) for r in t.rows]}
                          for t in report_tables(report)}
        return json.dumps(data, indent=2, default=str).encode("utf-8")
    tables = report_tables(report)
    return csv_bytes(tables) if fmt is ExportFormat.CSV else xlsx_bytes(tables)


def export_filename(report: TrendReport, fmt: ExportFormat) -> str:
    """'complaints-report-2026-04-01-to-2026-06-30.xlsx'."""
    return f"complaints-report-{report.start.isoformat()}-to-{report.end.isoformat()}.{fmt.value}"
