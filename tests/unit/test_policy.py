"""The procedure as data: defaults, TOML overrides, and errors that name the key."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from cases.errors import PolicyFileError
from cases.policy import ClockStart, DayUnit, Policy, Rule, load_policy, policy_from_mapping


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rule(days: int, unit: DayUnit, starts: ClockStart) -> Rule:
    return Rule(days=days, unit=unit, starts=starts)


# ---- defaults are the Tiny Tracker procedure --------------------------------------------


def test_default_rules_are_the_procedure() -> None:
    policy = Policy()
    assert policy.stage_one_acknowledgement == rule(3, DayUnit.WORKING,
                                                    ClockStart.COMPLAINT_RECEIVED)
    assert policy.investigation == rule(30, DayUnit.CALENDAR, ClockStart.COMPLAINT_RECEIVED)
    assert policy.stage_one_reply == rule(5, DayUnit.CALENDAR,
                                          ClockStart.STAGE_ONE_WORK_CONCLUDED)
    assert policy.review_window == rule(56, DayUnit.CALENDAR, ClockStart.STAGE_ONE_REPLY_SENT)
    assert policy.stage_two_acknowledgement == rule(2, DayUnit.WORKING,
                                                    ClockStart.REVIEW_REQUEST_RECEIVED)
    assert policy.stage_two_reply == rule(10, DayUnit.WORKING,
                                          ClockStart.REVIEW_REQUEST_RECEIVED)
    assert policy.person_response == rule(3, DayUnit.WORKING, ClockStart.PERSON_INFORMED)


def test_default_alerts_warn_one_day_before_repeat_daily_escalate_after_two() -> None:
    alerts = Policy().alerts
    assert alerts.warn_before_working_days == 1
    assert alerts.overdue_repeat_working_days == 1
    assert alerts.escalate_stage_one_after_working_days == 2


def test_default_calendar_is_england_london_nine_to_five_without_closures() -> None:
    calendar = Policy().calendar
    assert calendar.timezone == "Europe/London"
    assert calendar.nation == "ENG"
    assert calendar.closures == ()
    assert (calendar.business_start, calendar.business_end) == (time(9), time(17))


def test_no_file_gives_the_defaults() -> None:
    assert load_policy(None) == Policy()


def test_rule_describes_itself_with_unit_and_starting_event() -> None:
    assert Policy().stage_one_acknowledgement.describe() == (
        "3 working days from complaint received")
    assert rule(1, DayUnit.CALENDAR, ClockStart.PERSON_INFORMED).describe() == (
        "1 calendar day from person informed")


# ---- valid overrides --------------------------------------------------------------------


def test_toml_file_overrides_one_value_and_keeps_the_rest(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "[stage_one_acknowledgement]\ndays = 5\n"))
    assert policy.stage_one_acknowledgement == rule(5, DayUnit.WORKING,
                                                    ClockStart.COMPLAINT_RECEIVED)
    assert policy.investigation == Policy().investigation
    assert policy.alerts == Policy().alerts


def test_toml_file_may_change_a_rules_unit(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, '[investigation]\nunit = "working"\ndays = 20\n'))
    assert policy.investigation.unit is DayUnit.WORKING
    assert policy.investigation.days == 20


def test_toml_file_sets_nation_closures_hours_and_alerts(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, (
        "[calendar]\n"
        'nation = "SCT"\n'
        "closures = [2026-12-24, 2026-12-31]\n"
        "business_start = 08:30:00\n"
        "business_end = 16:30:00\n"
        "[alerts]\n"
        "warn_before_working_days = 2\n"
    )))
    assert policy.calendar.nation == "SCT"
    assert policy.calendar.closures == (date(2026, 12, 24), date(2026, 12, 31))
    assert policy.calendar.business_end == time(16, 30)
    assert policy.alerts.warn_before_working_days == 2
    assert policy.alerts.escalate_stage_one_after_working_days == 2


def test_toml_file_restating_a_rules_own_start_is_accepted(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, '[stage_two_reply]\nstarts = "review_request_received"\n'))
    assert policy == Policy()


def test_empty_toml_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_policy(write(tmp_path, "# nothing overridden\n")) == Policy()


def test_policy_is_immutable() -> None:
    policy = Policy()
    with pytest.raises(Exception, match="frozen"):
        policy.stage_one_acknowledgement = rule(  # type: ignore[misc]
            9, DayUnit.WORKING, ClockStart.COMPLAINT_RECEIVED)


# ---- invalid files name the key ---------------------------------------------------------


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(PolicyFileError) as caught:
        load_policy(write(tmp_path, text))
    return str(caught.value)


def test_days_that_are_not_a_number_name_the_key(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[stage_one_acknowledgement]\ndays = "three"\n')
    assert "stage_one_acknowledgement.days" in message


def test_zero_days_name_the_key(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[stage_two_reply]\ndays = 0\n")
    assert "stage_two_reply.days" in message


def test_misspelt_rule_is_an_unknown_key(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[stage_one_acknowledgment]\ndays = 3\n")
    assert "stage_one_acknowledgment" in message
    assert "unknown key" in message


def test_unknown_key_inside_a_rule_is_named(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[investigation]\nweeks = 4\n")
    assert "investigation.weeks" in message
    assert "unknown key" in message


def test_unknown_unit_names_the_key(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[investigation]\nunit = "fortnightly"\n')
    assert "investigation.unit" in message
    assert "working" in message and "calendar" in message


def test_bad_toml_syntax_is_a_policy_file_error_naming_the_file(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[stage_one_acknowledgement\ndays = 3\n")
    assert "not valid TOML" in message
    assert "policy.toml" in message


def test_business_start_after_business_end_is_refused(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[calendar]\nbusiness_start = 18:00:00\n")
    assert "calendar" in message
    assert "business_start" in message


def test_unknown_nation_names_the_key(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[calendar]\nnation = "CYM"\n')
    assert "calendar.nation" in message


def test_unknown_time_zone_names_the_key(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[calendar]\ntimezone = "Europe/Hessle"\n')
    assert "calendar.timezone" in message


def test_changing_the_event_that_starts_a_clock_is_refused(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[investigation]\nstarts = "stage_one_reply_sent"\n')
    assert "investigation.starts" in message


def test_negative_alert_value_names_the_key(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[alerts]\nwarn_before_working_days = -1\n")
    assert "alerts.warn_before_working_days" in message


def test_rule_given_as_a_bare_number_names_the_key(tmp_path: Path) -> None:
    message = error_for(tmp_path, "stage_one_acknowledgement = 3\n")
    assert "stage_one_acknowledgement" in message


def test_every_problem_in_a_file_is_reported_at_once(tmp_path: Path) -> None:
    message = error_for(tmp_path, "[investigation]\ndays = 0\n[stage_one_reply]\ndays = 999\n")
    assert "investigation.days" in message
    assert "stage_one_reply.days" in message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(PolicyFileError, match="cannot read") as caught:
        load_policy(missing)
    assert "nowhere.toml" in str(caught.value)


def test_file_that_is_not_utf8_is_a_policy_file_error(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(b"[investigation]\ndays = \xff\n")
    with pytest.raises(PolicyFileError):
        load_policy(path)


def test_mapping_errors_name_their_source() -> None:
    with pytest.raises(PolicyFileError, match=r"^settings: investigation\.days"):
        policy_from_mapping({"investigation": {"days": 0}}, source="settings")
