"""The procedure as data: defaults, TOML overrides, and errors that name the key."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path

import pytest

from bot.cli import main
from cases.errors import PolicyFileError
from cases.policy import (
    RULE_LABELS,
    RULE_NAMES,
    ClockStart,
    DayUnit,
    Policy,
    Rule,
    Source,
    load_policy,
    policy_from_mapping,
    policy_summary,
)

ROOT = Path(__file__).resolve().parents[2]
P, INT = Source.PROCEDURE, Source.INTERPRETATION


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rule(days: int, unit: DayUnit, starts: ClockStart) -> Rule:
    return Rule(days=days, unit=unit, starts=starts)


def timing(r: Rule) -> tuple[int, DayUnit, ClockStart]:
    return (r.days, r.unit, r.starts)


# ---- defaults are the Tiny Tracker procedure --------------------------------------------


def test_default_rules_are_the_procedure() -> None:
    policy = Policy()
    assert timing(policy.stage_one_acknowledgement) == (3, DayUnit.WORKING,
                                                        ClockStart.COMPLAINT_RECEIVED)
    assert timing(policy.investigation) == (30, DayUnit.CALENDAR,
                                            ClockStart.COMPLAINT_RECEIVED)
    assert timing(policy.stage_one_reply) == (5, DayUnit.CALENDAR,
                                              ClockStart.STAGE_ONE_WORK_CONCLUDED)
    assert timing(policy.review_window) == (56, DayUnit.CALENDAR,
                                            ClockStart.STAGE_ONE_REPLY_SENT)
    assert timing(policy.stage_two_acknowledgement) == (2, DayUnit.WORKING,
                                                        ClockStart.REVIEW_REQUEST_RECEIVED)
    assert timing(policy.stage_two_reply) == (10, DayUnit.WORKING,
                                              ClockStart.REVIEW_REQUEST_RECEIVED)
    assert timing(policy.person_response) == (3, DayUnit.WORKING, ClockStart.PERSON_INFORMED)


# Read by hand from the procedure: which numbers it gives, and where it says "working".
WHOSE = {
    "stage_one_acknowledgement": (P, P),  # "within three working days"
    "investigation": (P, INT),            # "within 30 days": calendar is our reading
    "stage_one_reply": (P, INT),          # "within five days": calendar is our reading
    "review_window": (INT, INT),            # no time to ask for a review is given
    "stage_two_acknowledgement": (P, P),  # "within two working days"
    "stage_two_reply": (P, P),            # "within 10 working days"
    "person_response": (INT, INT),          # "a further opportunity to respond": no time
}


def test_each_rule_is_marked_as_the_procedures_or_our_interpretation() -> None:
    policy = Policy()
    for name, (days_from, unit_from) in WHOSE.items():
        r = policy.rule_for(name)
        assert (r.source, r.unit_source) == (days_from, unit_from), name
        assert r.basis, f"{name} says why"


def test_readme_table_marks_each_rule_as_the_policy_does() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## How the time limits are read", 1)[1].split("\n## ", 1)[0]
    rows = {m[0].strip(): (m[1].strip(), m[2].strip(), m[3].strip())
            for m in re.findall(r"^\| ([^|]+)\| ([^|]+)\| ([^|]+)\| ([^|]+)\|", section, re.M)}
    policy = Policy()
    for name in RULE_NAMES:
        r = policy.rule_for(name)
        limit, days_from, unit_from = rows[RULE_LABELS[name]]
        assert limit == f"{r.days} {r.unit.value} days", name
        assert (days_from, unit_from) == (r.source.value, r.unit_source.value), name


def test_policy_show_marks_every_number(capsys: pytest.CaptureFixture[str],
                                        cli_environment: Path) -> None:
    assert main(["policy", "show"]) == 0
    out = capsys.readouterr().out
    assert ("Review window (review_window): 56 calendar days from stage one reply sent"
            "  [days: interpretation; calendar days: interpretation]") in out
    assert ("Stage Two definitive reply (stage_two_reply): 10 working days from review "
            "request received  [days: procedure; working days: procedure]") in out
    assert "[days: procedure; calendar days: interpretation]" in out  # the 30 and 5 days
    assert "Report [interpretation" in out and "report.category_share = 0.3" in out


def test_policy_file_change_is_marked_as_the_policy_files(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, '[stage_two_reply]\ndays = 15\nunit = "calendar"\n'
                                         "[review_window]\ndays = 56\n"))
    assert policy.stage_two_reply.source is Source.POLICY_FILE
    assert policy.stage_two_reply.unit_source is Source.POLICY_FILE
    assert policy.review_window.source is Source.INTERPRETATION  # restated, not changed
    summary = "\n".join(policy_summary(policy))
    assert "15 calendar days from review request received  [days: policy file; " in summary


def test_policy_file_cannot_claim_a_number_is_the_procedures(tmp_path: Path) -> None:
    message = error_for(tmp_path, '[review_window]\ndays = 90\nsource = "procedure"\n')
    assert "review_window.source" in message


def test_report_thresholds_are_policy_and_a_file_may_change_them(tmp_path: Path) -> None:
    report = Policy().report
    assert (report.category_share, report.category_min) == (0.30, 3)
    assert (report.breach_rate, report.breach_min_cases) == (0.20, 3)
    assert report.repeat_subject_min == 2
    changed = load_policy(write(tmp_path, "[report]\nrepeat_subject_min = 3\n"))
    assert changed.report.repeat_subject_min == 3
    assert changed.report.category_min == 3


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
    assert timing(policy.stage_one_acknowledgement) == (5, DayUnit.WORKING,
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
