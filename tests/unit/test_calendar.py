"""The UK working-day calendar and the due times it gives (issue 2, section 3)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.deadlines import due_after, policy_dates
from cases.policy import CalendarPolicy, Policy
from scheduling.calendar import UKWorkingCalendar

LONDON = ZoneInfo("Europe/London")
POLICY = Policy()
ENGLAND = UKWorkingCalendar()


def london(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=LONDON)


def five_pm(day: date) -> datetime:
    return datetime.combine(day, time(17), tzinfo=LONDON)


def in_nation(nation: str) -> UKWorkingCalendar:
    return UKWorkingCalendar(CalendarPolicy.model_validate({"nation": nation}))


# ---- the worked examples -------------------------------------------------------


def test_friday_evening_after_early_may_bank_holiday_counts_from_tuesday() -> None:
    assert ENGLAND.effective_receipt(london(2026, 5, 1, 18, 30)) == date(2026, 5, 5)


def test_acknowledgement_due_friday_8_may_for_friday_evening_receipt() -> None:
    due = due_after(POLICY.stage_one_acknowledgement, london(2026, 5, 1, 18, 30), ENGLAND)
    assert due == london(2026, 5, 8, 17, 0)
    assert due.astimezone(LONDON).utcoffset() == timedelta(hours=1)  # BST


def test_investigation_due_thursday_4_june_thirty_calendar_days_after_effective_receipt() -> None:
    due = due_after(POLICY.investigation, london(2026, 5, 1, 18, 30), ENGLAND)
    assert due == london(2026, 6, 4, 17, 0)


def test_receipt_at_five_pm_before_easter_counts_from_tuesday_after_easter_monday() -> None:
    assert ENGLAND.effective_receipt(london(2026, 4, 2, 17, 0)) == date(2026, 4, 7)


def test_acknowledgement_due_skips_good_friday_and_easter_monday() -> None:
    due = due_after(POLICY.stage_one_acknowledgement, london(2026, 4, 2, 17, 0), ENGLAND)
    assert due == london(2026, 4, 10, 17, 0)


def test_acknowledgement_due_skips_christmas_and_boxing_day_substitute() -> None:
    due = due_after(POLICY.stage_one_acknowledgement, london(2026, 12, 23, 10, 0), ENGLAND)
    assert due == london(2026, 12, 30, 17, 0)
    assert due.astimezone(LONDON).utcoffset() == timedelta(0)  # GMT


def test_policy_dates_for_friday_evening_receipt_match_the_worked_example() -> None:
    dates = policy_dates(POLICY, ENGLAND, london(2026, 5, 1, 18, 30))
    assert dates.effective_receipt == date(2026, 5, 5)
    assert dates.stage_one_acknowledge_by == london(2026, 5, 8, 17, 0)
    assert dates.stage_one_investigate_by == london(2026, 6, 4, 17, 0)
    # Stage Two, as if a review request came then: 2 and 10 working days from Tue 5 May.
    assert dates.stage_two_acknowledge_by == london(2026, 5, 7, 17, 0)
    assert dates.stage_two_reply_by == london(2026, 5, 19, 17, 0)
    assert dates.stage_one_reply_by is None


def test_stage_one_reply_due_five_calendar_days_after_conclusion() -> None:
    dates = policy_dates(POLICY, ENGLAND, london(2026, 5, 1, 18, 30),
                         concluded_at=london(2026, 5, 20, 11, 0))
    assert dates.stage_one_reply_by == london(2026, 5, 26, 17, 0)  # Mon 25 May is a holiday


# ---- cut-off and the effective receipt --------------------------------------------------


def test_received_at_four_fifty_nine_counts_the_same_day() -> None:
    assert ENGLAND.effective_receipt(london(2026, 6, 10, 16, 59)) == date(2026, 6, 10)


def test_received_at_exactly_five_pm_counts_the_next_working_day() -> None:
    assert ENGLAND.effective_receipt(london(2026, 6, 10, 17, 0)) == date(2026, 6, 11)


def test_received_before_opening_counts_the_same_day() -> None:
    assert ENGLAND.effective_receipt(london(2026, 6, 10, 7, 15)) == date(2026, 6, 10)


def test_received_on_saturday_counts_from_monday() -> None:
    assert ENGLAND.effective_receipt(london(2026, 6, 13, 10, 0)) == date(2026, 6, 15)


def test_received_friday_after_cut_off_counts_from_monday() -> None:
    assert ENGLAND.effective_receipt(london(2026, 6, 12, 17, 30)) == date(2026, 6, 15)


def test_effective_receipt_uses_the_london_date_not_the_utc_date() -> None:
    # 23:30 UTC on Tue 9 June is 00:30 BST on Wed 10 June.
    assert ENGLAND.effective_receipt(datetime(2026, 6, 9, 23, 30, tzinfo=UTC)) == date(2026, 6, 10)
    # 16:30 UTC in summer is 17:30 BST: after the cut-off.
    assert ENGLAND.effective_receipt(datetime(2026, 6, 10, 16, 30, tzinfo=UTC)) == date(2026, 6, 11)


def test_naive_received_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ENGLAND.effective_receipt(datetime(2026, 6, 10, 12, 0))  # noqa: DTZ001


def test_acknowledgement_for_a_wednesday_receipt_is_due_the_next_monday() -> None:
    # Wed 10 June: Thu (1), Fri (2), Mon (3); the effective day itself does not count.
    due = due_after(POLICY.stage_one_acknowledgement, london(2026, 6, 10, 9, 30), ENGLAND)
    assert due == london(2026, 6, 15, 17, 0)


def test_calendar_day_rule_landing_on_a_weekend_moves_to_monday() -> None:
    # Effective Fri 1 May 2026 (before cut-off); 30 days later is Sun 31 May.
    due = due_after(POLICY.investigation, london(2026, 5, 1, 10, 0), ENGLAND)
    assert due == london(2026, 6, 1, 17, 0)


# ---- BST and GMT --------------------------------------------------------------------------


def test_summer_due_time_is_sixteen_hundred_utc() -> None:
    due = due_after(POLICY.stage_one_acknowledgement, london(2026, 7, 1, 12, 0), ENGLAND)
    assert due.utcoffset() == timedelta(0)  # stored as UTC
    assert due == datetime(2026, 7, 6, 16, 0, tzinfo=UTC)


def test_winter_due_time_is_seventeen_hundred_utc() -> None:
    due = due_after(POLICY.stage_one_acknowledgement, london(2026, 1, 14, 12, 0), ENGLAND)
    assert due.utcoffset() == timedelta(0)
    assert due == datetime(2026, 1, 19, 17, 0, tzinfo=UTC)


def test_deadline_spanning_the_october_clock_change_is_due_at_five_pm_gmt() -> None:
    # Clocks go back on Sun 25 Oct 2026. Received Thu 22 Oct 10:00 BST (09:00 UTC).
    received = datetime(2026, 10, 22, 9, 0, tzinfo=UTC)
    due = due_after(POLICY.stage_one_acknowledgement, received, ENGLAND)
    assert due == datetime(2026, 10, 27, 17, 0, tzinfo=UTC)
    assert due.astimezone(LONDON).hour == 17


def test_deadline_spanning_the_march_clock_change_is_due_at_five_pm_bst() -> None:
    # Clocks go forward on Sun 29 Mar 2026. Received Thu 26 Mar 12:00 GMT.
    due = due_after(POLICY.stage_one_acknowledgement, london(2026, 3, 26, 12, 0), ENGLAND)
    assert due == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)


def test_close_of_business_follows_the_clock_change_day_by_day() -> None:
    assert ENGLAND.close_of_business(date(2026, 10, 23)) == datetime(2026, 10, 23, 16, 0,
                                                                      tzinfo=UTC)
    assert ENGLAND.close_of_business(date(2026, 10, 26)) == datetime(2026, 10, 26, 17, 0,
                                                                      tzinfo=UTC)
    assert ENGLAND.start_of_business(date(2026, 10, 26)) == datetime(2026, 10, 26, 9, 0,
                                                                      tzinfo=UTC)


# ---- nations and closures ---------------------------------------------------------------


def test_second_of_january_is_a_holiday_in_scotland_only() -> None:
    assert not in_nation("SCT").is_working_day(date(2026, 1, 2))
    assert ENGLAND.is_working_day(date(2026, 1, 2))


def test_st_andrews_day_is_a_holiday_in_scotland_only() -> None:
    assert not in_nation("SCT").is_working_day(date(2026, 11, 30))
    assert ENGLAND.is_working_day(date(2026, 11, 30))


def test_easter_monday_is_a_working_day_in_scotland() -> None:
    assert in_nation("SCT").is_working_day(date(2026, 4, 6))
    assert not ENGLAND.is_working_day(date(2026, 4, 6))


def test_st_patricks_day_is_a_holiday_in_northern_ireland_only() -> None:
    assert not in_nation("NIR").is_working_day(date(2026, 3, 17))
    assert ENGLAND.is_working_day(date(2026, 3, 17))
    assert in_nation("WLS").is_working_day(date(2026, 3, 17))


def test_wales_keeps_the_england_and_wales_bank_holidays() -> None:
    wales = in_nation("WLS")
    assert not wales.is_working_day(date(2026, 4, 6))
    assert not wales.is_working_day(date(2026, 8, 31))


def test_scottish_acknowledgement_skips_st_andrews_day() -> None:
    # Received Thu 26 Nov 2026: Fri 27 (1), Mon 30 is St Andrew's Day, Tue 1 (2), Wed 2 (3).
    received = london(2026, 11, 26, 10, 0)
    assert due_after(POLICY.stage_one_acknowledgement, received, in_nation("SCT")) == london(
        2026, 12, 2, 17, 0)
    assert due_after(POLICY.stage_one_acknowledgement, received, ENGLAND) == london(
        2026, 12, 1, 17, 0)


def test_northern_ireland_receipt_on_st_patricks_day_counts_from_the_next_day() -> None:
    assert in_nation("NIR").effective_receipt(london(2026, 3, 17, 10, 0)) == date(2026, 3, 18)


def test_company_closure_dates_are_not_working_days() -> None:
    closed = UKWorkingCalendar(CalendarPolicy(closures=(date(2026, 12, 24), date(2026, 12, 29))))
    assert not closed.is_working_day(date(2026, 12, 24))
    # Received Wed 23 Dec: Thu 24 closed, 25 and 28 holidays, 29 closed -> 30 (1), 31 (2), 4 Jan (3)
    due = due_after(POLICY.stage_one_acknowledgement, london(2026, 12, 23, 10, 0), closed)
    assert due == london(2027, 1, 4, 17, 0)


def test_receipt_on_a_closure_day_counts_from_the_next_working_day() -> None:
    closed = UKWorkingCalendar(CalendarPolicy(closures=(date(2026, 6, 10),)))
    assert closed.effective_receipt(london(2026, 6, 10, 10, 0)) == date(2026, 6, 11)


def test_configured_cut_off_moves_the_effective_receipt() -> None:
    early = UKWorkingCalendar(CalendarPolicy(business_end=time(16, 0)))
    assert early.effective_receipt(london(2026, 6, 10, 16, 0)) == date(2026, 6, 11)
    assert early.close_of_business(date(2026, 6, 10)) == london(2026, 6, 10, 16, 0)


# ---- counting helpers ------------------------------------------------------------------


def test_adding_zero_working_days_gives_the_start_day() -> None:
    assert ENGLAND.add_working_days(date(2026, 6, 10), 0) == date(2026, 6, 10)


def test_adding_negative_working_days_is_refused() -> None:
    with pytest.raises(ValueError):
        ENGLAND.add_working_days(date(2026, 6, 10), -1)


def test_working_days_between_skips_weekend_and_bank_holiday() -> None:
    # (Thu 2 Apr, Fri 10 Apr]: Tue 7, Wed 8, Thu 9, Fri 10.
    assert ENGLAND.working_days_between(date(2026, 4, 2), date(2026, 4, 10)) == 4
    assert ENGLAND.working_days_between(date(2026, 4, 10), date(2026, 4, 2)) == -4
    assert ENGLAND.working_days_between(date(2026, 4, 10), date(2026, 4, 10)) == 0


def test_next_working_day_on_or_after_keeps_a_working_day() -> None:
    assert ENGLAND.next_working_day_on_or_after(date(2026, 6, 10)) == date(2026, 6, 10)
    assert ENGLAND.next_working_day_on_or_after(date(2026, 12, 25)) == date(2026, 12, 29)


# ---- properties --------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2024, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2030, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
rules = st.sampled_from([
    POLICY.stage_one_acknowledgement, POLICY.investigation, POLICY.stage_one_reply,
    POLICY.review_window, POLICY.stage_two_acknowledgement, POLICY.stage_two_reply,
    POLICY.person_response,
])
calendars = st.sampled_from([ENGLAND, in_nation("SCT"), in_nation("WLS"), in_nation("NIR")])
PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(received=instants, rule=rules, calendar=calendars)
def test_due_time_is_always_five_pm_london_on_a_working_day(
    received: datetime, rule: object, calendar: UKWorkingCalendar
) -> None:
    due = due_after(rule, received, calendar)  # type: ignore[arg-type]
    local = due.astimezone(LONDON)
    assert (local.hour, local.minute, local.second) == (17, 0, 0)
    assert calendar.is_working_day(local.date())
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)


@PROPERTY
@given(received=instants, rule=rules)
def test_due_time_is_never_before_receipt(received: datetime, rule: object) -> None:
    assert due_after(rule, received, ENGLAND) > received  # type: ignore[arg-type]


@PROPERTY
@given(first=instants, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)),
       rule=rules)
def test_later_receipt_is_never_due_earlier(first: datetime, gap: timedelta, rule: object) -> None:
    earlier = due_after(rule, first, ENGLAND)  # type: ignore[arg-type]
    later = due_after(rule, first + gap, ENGLAND)  # type: ignore[arg-type]
    assert later >= earlier


@PROPERTY
@given(received=instants, calendar=calendars)
def test_effective_receipt_is_a_working_day_not_before_the_local_receipt_date(
    received: datetime, calendar: UKWorkingCalendar
) -> None:
    effective = calendar.effective_receipt(received)
    assert calendar.is_working_day(effective)
    local = received.astimezone(LONDON)
    assert effective >= local.date()
    if calendar.is_working_day(local.date()) and local.time() < time(17):
        assert effective == local.date()
    else:
        assert effective > local.date()
        # No working day is skipped between the receipt and the effective day.
        assert calendar.working_days_between(local.date(), effective) == 1


@PROPERTY
@given(start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
       n=st.integers(min_value=0, max_value=30))
def test_adding_n_working_days_counts_exactly_n(start: date, n: int) -> None:
    end = ENGLAND.add_working_days(start, n)
    assert ENGLAND.working_days_between(start, end) == n
    if n:
        assert ENGLAND.is_working_day(end)
