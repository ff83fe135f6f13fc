"""Sending the report's charts and exports in Slack (files_upload_v2): privately, or to a
channel. Counts only; the charts and files come from ``charts`` and ``exports``."""

from __future__ import annotations

from typing import Any

from cases.report_model import TrendReport
from charts.render import report_charts
from exports.files import ExportFormat, export_bytes, export_filename


def dm_channel(client: Any, user: str) -> str:
    """The bot's direct-message channel with ``user`` (a person id; the client translates)."""
    return str(client.conversations_open(users=user)["channel"]["id"])


def upload_charts(client: Any, channel: str, report: TrendReport, *,
                  comment: str | None = None) -> int:
    """The report's four charts, each with its title and alt text, in one upload."""
    charts = report_charts(report)
    if not charts:
        return 0
    client.files_upload_v2(
        channel=channel,
        file_uploads=[{"content": c.png, "filename": c.filename, "title": c.title,
                       "alt_txt": c.alt_text[:1000]} for c in charts],
        initial_comment=comment or f"Charts: complaints received {report.start:%d %b %Y} – "
                                   f"{report.end:%d %b %Y} and the four quarters to then.")
    return len(charts)


def send_export(client: Any, user: str, report: TrendReport, fmt: ExportFormat) -> None:
    """The report as a file, in the user's direct messages with the bot."""
    name = export_filename(report, fmt)
    client.files_upload_v2(channel=dm_channel(client, user),
                           file_uploads=[{"content": export_bytes(report, fmt),
                                          "filename": name, "title": name}],
                           initial_comment="The trends report you exported: counts only, "
                                           "no personal data.")
