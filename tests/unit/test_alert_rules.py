"""The pure alert rules: what is due when, quiet hours, catch-up, escalation, keys."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cases.model import DeadlineKind, NoticeKind
from cases.policy import AlertPolicy, Policy
from scheduling.calendar import UKWorkingCalendar
from scheduling.sweep import (
    SAMPLE,
    AlertKind,
    OpenDeadline,
    SweepReport,
    alerts_due,
    digest_teams,
    in_business_hours,
    sweep_horizon,
)

LONDON = ZoneInfo("Europe/London")
CAL = UKWorkingCalendar()
POLICY = Policy()


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def deadline(kind: DeadlineKind = DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT,
             due: datetime | None = None, owner: str | None = "U0OWNER") -> OpenDeadline:
    return OpenDeadline(deadline_id=1, case_id=7, reference="TT-2026-0007", kind=kind,
                        due_at=due or at(7, 17), owner=owner, reviewer="U0DIR")


def kinds(d: OpenDeadline, now: datetime, policy: Policy = POLICY) -> list[tuple[str, int]]:
    return [(a.alert_kind.value, a.occurrence) for a in alerts_due(d, now, CAL, policy)]


def test_due_soon_fires_one_working_day_before_across_easter() -> None:
    # Due Tue 7 Apr 2026: the working day before is Thu 2 Apr (Good Friday, Easter Monday).
    d = deadline(due=at(7, 17))
    assert kinds(d, at(1, 10)) == []
    assert kinds(d, at(2, 9)) == [("due_soon", 0)]


def test_due_today_fires_on_the_morning_of_the_due_day() -> None:
    assert kinds(deadline(due=at(7, 17)), at(7, 9)) == [("due_today", 0)]


def test_nothing_is_alerted_outside_business_hours() -> None:
    d = deadline(due=at(2, 17))
    for quiet in (at(2, 17, 30), at(3, 10), at(4, 12), at(6, 10), at(7, 8, 59)):
        assert kinds(d, quiet) == [], quiet
    assert not in_business_hours(at(6, 10), CAL)  # Easter Monday
    assert in_business_hours(at(7, 9), CAL)


def test_overdue_first_alert_is_0900_next_working_day_after_easter() -> None:
    assert kinds(deadline(due=at(2, 17)), at(7, 9)) == [("overdue", 1)]


def test_overdue_repeats_each_working_day_with_a_new_occurrence() -> None:
    d = deadline(kind=DeadlineKind.STAGE_TWO_REPLY, due=at(2, 17))
    assert kinds(d, at(8, 9)) == [("overdue", 2)]
    assert kinds(d, at(9, 14)) == [("overdue", 3)]


def test_catch_up_after_downtime_is_one_alert_not_one_per_missed_day() -> None:
    d = deadline(kind=DeadlineKind.STAGE_TWO_REPLY, due=at(2, 17))
    assert kinds(d, at(14, 9)) == [("overdue", 6)]  # 7,8,9,10,13,14 Apr


def test_stage_one_overdue_two_working_days_is_raised_to_directors() -> None:
    d = deadline(due=at(2, 17))
    assert kinds(d, at(7, 9)) == [("overdue", 1)]
    alerts = alerts_due(d, at(8, 9), CAL, POLICY)
    assert [(a.alert_kind, a.occurrence) for a in alerts] == [
        (AlertKind.OVERDUE, 2), (AlertKind.ESCALATED, 0)]
    escalated = alerts[1].notices[0]
    assert escalated.payload["audience"] == "directors"
    # Escalation is raised once: the key stays the same on later days.
    later = alerts_due(d, at(9, 9), CAL, POLICY)[1]
    assert later.key == alerts[1].key


def test_stage_two_deadlines_are_never_escalated_and_go_to_directors() -> None:
    d = deadline(kind=DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT, due=at(2, 17))
    alerts = alerts_due(d, at(10, 9), CAL, POLICY)
    assert [a.alert_kind for a in alerts] == [AlertKind.OVERDUE]
    assert alerts[0].notices[0].payload["audience"] == "directors"


def test_review_window_is_not_alerted() -> None:
    assert kinds(deadline(kind=DeadlineKind.REVIEW_WINDOW, due=at(2, 17)), at(7, 10)) == []


def test_due_soon_goes_to_owner_by_dm_and_to_the_case_thread() -> None:
    [alert] = alerts_due(deadline(due=at(7, 17)), at(2, 9), CAL, POLICY)
    dm, thread = alert.notices
    assert dm.kind is NoticeKind.DIRECT and dm.payload["user"] == "U0OWNER"
    assert thread.kind is NoticeKind.CHANNEL and thread.payload["thread"] is True
    assert thread.payload["audience"] == "cs"


def test_without_an_owner_only_the_thread_is_told() -> None:
    [alert] = alerts_due(deadline(due=at(7, 17), owner=None), at(7, 9), CAL, POLICY)
    assert [n.kind for n in alert.notices] == [NoticeKind.CHANNEL]
    assert alert.notices[0].payload["owner"] is None


def test_stage_two_alerts_name_the_delegate_before_the_reviewer() -> None:
    d = OpenDeadline(1, 7, "TT-2026-0007", DeadlineKind.STAGE_TWO_REPLY, at(7, 17),
                     owner="U0OWNER", reviewer="U0DIR", delegate="U0DEL")
    assert d.responsible == "U0DEL"
    assert d.audience == "directors"


def test_alert_payload_has_no_personal_data() -> None:
    [alert] = alerts_due(deadline(due=at(2, 17)), at(7, 9), CAL, POLICY)
    assert set(alert.notices[0].payload) == {
        "template", "alert", "key", "reference", "deadline", "label", "due_at", "owner",
        "as_of", "overdue_days", "audience", "owner_part"}


def test_key_changes_when_the_due_time_moves() -> None:
    before = alerts_due(deadline(due=at(7, 17)), at(7, 9), CAL, POLICY)[0].key
    after = alerts_due(deadline(due=at(7, 17).replace(day=8)), at(7, 9), CAL, POLICY)
    assert after[0].alert_kind is AlertKind.DUE_SOON
    assert before != after[0].key


def test_warning_offset_of_zero_sends_no_due_soon() -> None:
    policy = Policy(alerts=AlertPolicy(warn_before_working_days=0))
    assert kinds(deadline(due=at(7, 17)), at(2, 9), policy) == []


def test_repeat_every_two_working_days() -> None:
    policy = Policy(alerts=AlertPolicy(overdue_repeat_working_days=2))
    d = deadline(kind=DeadlineKind.STAGE_TWO_REPLY, due=at(2, 17))
    assert [kinds(d, at(day, 9), policy) for day in (7, 8, 9)] == [
        [("overdue", 0)], [("overdue", 1)], [("overdue", 1)]]


def test_horizon_is_close_of_business_on_the_next_working_day() -> None:
    assert sweep_horizon(at(2, 9), CAL, POLICY) == at(7, 17)


@pytest.mark.parametrize(("kind", "now", "expected"), [
    (DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, at(7, 9), ["cs"]),
    (DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, at(8, 9), ["cs", "directors"]),
    (DeadlineKind.STAGE_TWO_REPLY, at(7, 9), ["directors"]),
    (DeadlineKind.REVIEW_WINDOW, at(7, 9), []),
])
def test_digest_channels(kind: DeadlineKind, now: datetime, expected: list[str]) -> None:
    assert digest_teams(deadline(kind=kind, due=at(2, 17)), now, CAL, POLICY) == expected


def test_sweep_report_counts_every_alert_but_keeps_a_bounded_sample() -> None:
    now = at(8, 10)
    report = SweepReport(at=now)
    for page in range(3):
        report.add([a for i in range(40)
                    for a in alerts_due(OpenDeadline(
                        deadline_id=i, case_id=page * 100 + i, reference=f"TT-2026-{i:04d}",
                        kind=DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, due_at=at(2, 17)),
                        now, CAL, POLICY)])
    # Overdue by 3 working days: an overdue and an escalated alert per deadline.
    assert report.queued == 240
    assert report.by_kind == {AlertKind.OVERDUE: 120, AlertKind.ESCALATED: 120}
    assert len(report.sample) == SAMPLE
    assert all(a.notices == () for a in report.sample)
    lines = report.lines()
    assert lines[SAMPLE] == f"... and {240 - SAMPLE} more"
    assert lines[-1] == ("240 alert(s) queued (120 overdue, 120 escalated), "
                         "0 open deadline(s) looked at")


@pytest.mark.parametrize("kind", [DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT,
                                  DeadlineKind.PERSON_RESPONSE])
def test_reminders_never_go_by_dm_to_someone_who_cannot_act(kind: DeadlineKind) -> None:
    # Before a director takes the review, the Stage One owner cannot acknowledge it; the
    # named person's response is theirs to give, not the reviewer's.
    d = OpenDeadline(1, 7, "TT-2026-0007", kind, at(7, 17), owner="UCS", reviewer="UDIR",
                     delegate="USENIOR")
    assert d.responsible is None
