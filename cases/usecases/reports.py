"""Phase Three: the trends report (with its four quarters), for a viewer or an operator."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from cases.access import may_see_case
from cases.errors import IntakeInvalid, NotAllowed, NotFound
from cases.report_model import Attention, CaseLink, TrendReport
from cases.report_trends import report_from
from cases.review import action_summary
from cases.usecases.common import REPORT_ROLES, DeskBase


class Reports(DeskBase):
    """Phase Three: trends and effectiveness."""

    def trends_report(self, *, viewer: str, start: date, end: date) -> TrendReport:
        """The report for the HR manager or a director: the cases behind each trend are
        listed only where this viewer may open them."""
        self.require_report_role(viewer)
        return self.report_for_viewer(self.trends_report_as_operator(start=start, end=end),
                                      viewer)

    def require_report_role(self, viewer: str) -> None:
        """NotAllowed unless the viewer is the HR manager or a director."""
        with self.reader() as uow:
            roles = uow.roles.roles_of(viewer)
        if not roles & REPORT_ROLES:
            raise NotAllowed(
                "The trends report is for the HR manager, who owns the complaints policy, "
                "and directors. Ask one of them if you need it.")

    def report_for_viewer(self, report: TrendReport, viewer: str) -> TrendReport:
        """The report with each trend's cases cut to those ``viewer`` may open."""
        ids = {link.case_id for a in report.attention for link in a.cases}
        allowed: set[int] = set()
        with self.reader() as uow:
            roles = uow.roles.roles_of(viewer)
            for case_id in ids:
                try:
                    if may_see_case(viewer, uow.cases.get(case_id), roles):
                        allowed.add(case_id)
                except NotFound:
                    continue
        return _with_links(report, lambda link: link.case_id in allowed)

    def trends_report_as_operator(self, *, start: date, end: date) -> TrendReport:
        """The trends report without a role check: for operator tools (the CLI) only."""
        if start > end:
            raise IntakeInvalid({"end": f"the end date {end:%d %b %Y} is before the start "
                                        f"date {start:%d %b %Y}"})
        if start.year < 2000 or end.year > 9000:
            raise IntakeInvalid({"start" if start.year < 2000 else "end":
                                 "choose a date between 2000 and 9000"})
        now = self._now()
        with self.reader() as uow:
            # The report's facts only, counted by the reader (SQL), never whole cases.
            report = report_from(uow.report, start, end, now, self.calendar, self.policy)
            last = uow.reviews.latest_ending_before(start)
        today = self.calendar.local_date(now)
        return replace(report, actions=action_summary(last, today) if last else None)

    def channel_report(self, *, start: date, end: date) -> TrendReport:
        """The report for a channel: no case references (who may open them varies)."""
        return _with_links(self.trends_report_as_operator(start=start, end=end),
                           lambda link: False)


def _with_links(report: TrendReport, keep: object) -> TrendReport:
    assert callable(keep)
    attention = tuple(Attention(a.kind, a.message, tuple(c for c in a.cases if keep(c)))
                      for a in report.attention)
    return replace(report, attention=attention)


__all__ = ["CaseLink", "Reports"]
