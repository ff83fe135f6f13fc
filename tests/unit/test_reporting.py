"""Phase Three: the trends and effectiveness report, worked through real procedure walks."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from cases.errors import IntakeInvalid, NotAllowed
from cases.model import DeadlineKind, Outcome
from cases.reporting import (
    AttentionKind,
    DeadlineStats,
    TrendReport,
    last_full_quarter,
    percentile,
    report_as_dict,
    report_text,
    trends_report,
)
from cases.roles import Role
from handlers import blocks
from handlers.blocks._common import SECTION_TEXT_MAX
from scheduling.calendar import UKWorkingCalendar
from tests.fakes import intake_data
from tests.unit.test_services import (
    CS,
    DIRECTOR,
    HR,
    OTHER_DIRECTOR,
    SUBJECT,
    World,
    london,
)

JUNE = (date(2026, 6, 1), date(2026, 6, 30))
REPORT_AT = london(2026, 8, 10, 12, 0)
PERSONAL = ("Ada Lovelace", "ada@example.com", "123456", "1 Example Street", "HU1 1AA",
            "Analytical Engines", "The tracker stopped reporting", "A working tracker",
            SUBJECT)


def _log(world: World, when: datetime, received: str, **overrides: Any) -> int:
    case = world.at(when).log_complaint(intake_data(received_at=received, **overrides),
                                        logged_by=CS)
    assert case.id is not None
    return case.id


def _resolved_and_replied(world: World, outcome: Outcome, **overrides: Any) -> int:
    """Received Wed 10 Jun; acknowledged late on Tue 16 Jun (due Mon 15 Jun); resolved by
    customer services on 17 Jun; replied on 18 Jun."""
    case_id = _log(world, london(2026, 6, 10, 11), "2026-06-10T10:00:00+01:00", **overrides)
    world.at(london(2026, 6, 16, 10)).acknowledge_case(
        case_id, actor=CS, owner=CS, promised_reply_by=date(2026, 7, 10),
        procedure_attached=True)
    world.at(london(2026, 6, 17, 10)).resolve_case(case_id, actor=CS,
                                                   resolution="Refunded the charge.")
    world.at(london(2026, 6, 18, 10)).send_reply(case_id, actor=CS, outcome=outcome,
                                                 suggestions="Refund made.")
    return case_id


@pytest.fixture
def june() -> World:
    """Seven complaints received in June 2026, two either side of it, walked to 10 Aug.

    A  product, phone: investigated, replied (upheld) on time.
    B  staff conduct about SUBJECT: as A, then Stage Two; a progress update moved the
       definitive reply from Mon 27 Jul to Wed 5 Aug; approved Tue 4 Aug (partly upheld):
       on time against the new date, late against the procedure's.
    C  staff conduct about SUBJECT again, by letter: logged, nothing since.
    D  billing, email: withdrawn two days later.
    E  billing, email, a partner: acknowledged late, resolved, replied (not upheld).
    F  billing, in person, a supplier: as E (partly upheld).
    G  delivery, email: received 23:30 on Tue 30 Jun (London), logged, nothing since.
    Outside June: billing received 23:30 on 31 May and 00:30 on 1 Jul (London times;
    the second is still 30 Jun in UTC).
    """
    world = World()
    world.replied()                                                     # A
    b = world.ready_for_decision()                                      # B
    world.at(london(2026, 7, 24, 10)).send_progress_update(
        b, actor=DIRECTOR, reason="Waiting on the courier's records.",
        new_reply_by=date(2026, 8, 5))
    world.at(london(2026, 8, 3, 10)).propose_decision(
        b, actor=DIRECTOR, outcome=Outcome.PARTLY_UPHELD, reasons="Partly fair.",
        remedy="An apology.")
    world.at(london(2026, 8, 4, 10)).approve_decision(b, actor=OTHER_DIRECTOR)
    _log(world, london(2026, 6, 10, 11), "2026-06-10T10:00:00+01:00",   # C
         category="staff_conduct", subject_user_id=SUBJECT, channel="letter")
    d = _log(world, london(2026, 6, 10, 11), "2026-06-10T10:00:00+01:00",  # D
             category="billing", channel="email")
    world.at(london(2026, 6, 12, 10)).withdraw(d, actor=CS, reason="Sorted it themselves.")
    _resolved_and_replied(world, Outcome.NOT_UPHELD, category="billing",  # E
                          channel="email", relationship="partner")
    _resolved_and_replied(world, Outcome.PARTLY_UPHELD, category="billing",  # F
                          channel="in_person", relationship="supplier")
    _log(world, london(2026, 7, 1, 9), "2026-06-30T23:30:00+01:00",     # G
         category="delivery", channel="email")
    _log(world, london(2026, 6, 1, 9), "2026-05-31T23:30:00+01:00", category="billing")
    _log(world, london(2026, 7, 1, 9), "2026-07-01T00:30:00+01:00", category="billing")
    world.at(REPORT_AT)
    return world


@pytest.fixture
def report(june: World) -> TrendReport:
    return june.desk.trends_report(viewer=HR, start=JUNE[0], end=JUNE[1])


def _deadline(report: TrendReport, kind: DeadlineKind) -> DeadlineStats:
    return next(d for d in report.deadlines if d.kind is kind)


def _counts(report: TrendReport, field: str) -> dict[str, int]:
    return {c.key: c.count for c in getattr(report, field) if c.count}


def test_counts_cases_received_on_london_dates_in_the_period(report: TrendReport) -> None:
    assert report.total == 7
    assert _counts(report, "by_category") == {
        "product": 1, "staff_conduct": 2, "billing": 3, "delivery": 1}
    assert _counts(report, "by_channel") == {"phone": 2, "email": 3, "letter": 1,
                                             "in_person": 1}
    assert _counts(report, "by_relationship") == {"customer": 5, "partner": 1, "supplier": 1}
    # Every category is listed, with its label, so that periods compare line by line.
    assert [c.label for c in report.by_category][:3] == ["Product", "Service", "Staff conduct"]
    assert report.still_open == 5  # A, E, F (review windows open), C, G
    assert report.withdrawn == 1


def test_stage_one_and_stage_two_outcomes(report: TrendReport) -> None:
    s1 = report.stage_one
    assert (s1.replied, s1.upheld, s1.partly_upheld, s1.not_upheld) == (4, 2, 1, 1)
    assert (s1.resolved_by_customer_services, s1.investigated) == (2, 2)
    s2 = report.stage_two
    assert (s2.escalated, s2.final, s2.still_in_review) == (1, 1, 0)
    assert (s2.upheld, s2.partly_upheld, s2.not_upheld) == (0, 1, 0)
    assert s2.escalation_rate == pytest.approx(1 / 7)


def test_reply_times_in_working_days_from_effective_receipt(report: TrendReport) -> None:
    # A and B: Wed 10 Jun -> Thu 2 Jul is 16 working days; E and F: -> Thu 18 Jun is 6.
    assert report.reply_times.replies == 4
    assert report.reply_times.median_working_days == 11.0
    assert report.reply_times.p90_working_days == 16


def test_deadlines_met_late_overdue_not_yet_due_and_retired(report: TrendReport) -> None:
    ack = _deadline(report, DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT)
    # On time A, B; late E, F; still owed C, G; retired D (withdrawn).
    assert (ack.met_on_time, ack.met_late, ack.open_overdue, ack.open_not_yet_due,
            ack.retired) == (2, 2, 2, 0, 1)
    assert ack.breach_rate == pytest.approx(4 / 6)
    inv = _deadline(report, DeadlineKind.INVESTIGATION)
    # C was due Fri 10 Jul; G counts from Wed 1 Jul (received after 17:00): due Fri 31 Jul.
    assert (inv.met_on_time, inv.met_late, inv.open_overdue, inv.open_not_yet_due,
            inv.retired) == (4, 0, 2, 0, 1)
    reply = _deadline(report, DeadlineKind.STAGE_ONE_REPLY)
    assert (reply.met_on_time, reply.breached) == (4, 0)
    assert [d.kind for d in report.deadlines] == [
        DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, DeadlineKind.INVESTIGATION,
        DeadlineKind.STAGE_ONE_REPLY, DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT,
        DeadlineKind.STAGE_TWO_REPLY, DeadlineKind.PERSON_RESPONSE]


def test_a_progress_update_does_not_hide_a_late_stage_two_reply(
        june: World, report: TrendReport) -> None:
    b = june.case(2)
    final = b.deadlines[DeadlineKind.STAGE_TWO_REPLY]
    assert final.met_at is not None and final.met_at < final.due_at  # before the new date
    assert final.met_at > final.original_due_at                      # after the promise
    two = _deadline(report, DeadlineKind.STAGE_TWO_REPLY)
    assert (two.met_on_time, two.met_late) == (0, 1)
    ack = _deadline(report, DeadlineKind.STAGE_TWO_ACKNOWLEDGEMENT)
    assert (ack.met_on_time, ack.met_late) == (1, 0)
    assert _deadline(report, DeadlineKind.PERSON_RESPONSE).met_on_time == 1


def test_needs_attention_lines(report: TrendReport) -> None:
    lines = {(a.kind, a.message) for a in report.attention}
    assert lines == {
        (AttentionKind.CATEGORY, "Billing complaints are 3 of 7 (43%): look for a common "
                                 "cause."),
        (AttentionKind.DEADLINE, "Acknowledgement: 4 of 6 late (67%) against the procedure's "
                                 "time limit."),
        (AttentionKind.DEADLINE, "Investigation and action: 2 of 6 late (33%) against the "
                                 "procedure's time limit."),
        (AttentionKind.REPEATED_SUBJECT, "1 member of staff was the subject of 2 or more "
                                         "staff-conduct complaints in the period: review "
                                         "those cases for a pattern."),
        # Every case of the fixture has the same complainant (the one intake).
        (AttentionKind.REPEAT_COMPLAINANT, "1 complainant (same email or phone) made 2 or more "
                                           "complaints in the 12 months to 30 Jun 2026: 8 "
                                           "cases; look at them together."),
    }
    # Stage Two's reply was late every time, but once is too few to call a trend;
    # staff conduct is 2 of 7 (29%), under the 30% line.


def test_breach_rate_line_from_exactly_one_in_five(june: World) -> None:
    on_time, late = june.case(1), june.case(5)  # A acknowledged on time, E late
    cal = UKWorkingCalendar()
    at_line = trends_report([late, *[on_time] * 4], *JUNE, REPORT_AT, cal)
    assert "Acknowledgement: 1 of 5 late (20%) against the procedure's time limit." in [
        a.message for a in at_line.attention]
    under = trends_report([late, *[on_time] * 5], *JUNE, REPORT_AT, cal)
    assert not [a for a in under.attention if a.kind is AttentionKind.DEADLINE]
    # Too few to call a trend: one late acknowledgement out of two.
    few = trends_report([late, on_time], *JUNE, REPORT_AT, cal)
    assert not [a for a in few.attention if a.kind is AttentionKind.DEADLINE]


def test_a_stream_of_pages_outside_the_period_is_skipped(june: World) -> None:
    everything = [june.case(i) for i in sorted(june.uow.store.cases)]
    may = trends_report(iter(everything), date(2026, 5, 1), date(2026, 5, 31), REPORT_AT,
                        UKWorkingCalendar())
    assert may.total == 1 and _counts(may, "by_category") == {"billing": 1}
    july = trends_report(everything, date(2026, 7, 1), date(2026, 7, 1), REPORT_AT,
                         UKWorkingCalendar())
    assert july.total == 1


def test_before_anything_is_due_deadlines_are_not_yet_due(june: World) -> None:
    c = june.case(3)
    early = trends_report([c], *JUNE, london(2026, 6, 11, 9), UKWorkingCalendar())
    ack = _deadline(early, DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT)
    assert (ack.open_not_yet_due, ack.open_overdue, ack.breach_rate) == (1, 0, None)
    assert early.attention == ()  # one case: below every minimum


def test_an_empty_period_reports_zeros_and_no_rates(june: World) -> None:
    empty = june.desk.trends_report(viewer=DIRECTOR, start=date(2025, 1, 1),
                                    end=date(2025, 3, 31))
    assert empty.total == 0 and empty.stage_two.escalation_rate is None
    assert empty.reply_times.median_working_days is None and empty.attention == ()
    assert "Nothing stands out" in report_text(empty)
    _, built = blocks.report_message(empty)
    assert len(built) <= 50


def test_only_the_hr_manager_and_directors_may_run_it(june: World) -> None:
    assert june.desk.trends_report(viewer=DIRECTOR, start=JUNE[0], end=JUNE[1]).total == 7
    for who in (CS, SUBJECT, "U_NOBODY"):
        with pytest.raises(NotAllowed, match="HR manager"):
            june.desk.trends_report(viewer=who, start=JUNE[0], end=JUNE[1])
    # The operator's command line needs no chat role.
    assert june.desk.trends_report_as_operator(start=JUNE[0], end=JUNE[1]).total == 7


def test_an_end_before_the_start_names_the_field(june: World) -> None:
    with pytest.raises(IntakeInvalid) as refused:
        june.desk.trends_report(viewer=HR, start=JUNE[1], end=JUNE[0])
    assert set(refused.value.errors) == {"end"}


def test_the_report_is_read_without_writing(june: World) -> None:
    commits = june.uow.store.commits
    june.desk.trends_report(viewer=HR, start=JUNE[0], end=JUNE[1])
    assert june.uow.store.commits == commits


def test_no_personal_data_or_staff_names_in_any_rendering(report: TrendReport) -> None:
    text, built = blocks.report_message(report)
    rendered = [text, json.dumps([b.to_dict() for b in built]), report_text(report),
                json.dumps(report_as_dict(report))]
    for output in rendered:
        for secret in PERSONAL:
            assert secret not in output, (secret, output[:200])


def test_slack_message_fits_slacks_limits_and_shows_the_key_figures(
        report: TrendReport) -> None:
    text, built = blocks.report_message(report)
    assert len(built) <= 50
    payload = [b.to_dict() for b in built]
    for block in payload:
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= SECTION_TEXT_MAX
            assert len(block.get("fields", [])) <= 10
    dumped = json.dumps(payload)
    assert "7 complaint(s) received" in dumped
    assert "Billing complaints are 3 of 7" in dumped
    assert "01 Jun 2026" in text and "30 Jun 2026" in text


def test_json_form_is_one_object_with_every_section(report: TrendReport) -> None:
    data = report_as_dict(report)
    assert data["start"] == "2026-06-01" and data["total"] == 7
    assert data["by_category"]["billing"] == 3
    assert data["deadlines"]["stage_two_reply"]["met_late"] == 1
    assert data["reply_working_days"] == {"replies": 4, "median": 11.0, "p90": 16}
    assert len(data["attention"]) == 5
    json.dumps(data)  # serialisable as it is


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 8, 10), (date(2026, 4, 1), date(2026, 6, 30))),
    (date(2026, 4, 1), (date(2026, 1, 1), date(2026, 3, 31))),
    (date(2027, 1, 15), (date(2026, 10, 1), date(2026, 12, 31))),
    (date(2026, 12, 31), (date(2026, 7, 1), date(2026, 9, 30))),
])
def test_last_full_quarter(today: date, expected: tuple[date, date]) -> None:
    assert last_full_quarter(today) == expected


def test_nearest_rank_percentile() -> None:
    assert percentile([5], 0.9) == 5
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile([3, 1, 2], 0.5) == 2


def test_in_memory_repository_pages_by_id(june: World) -> None:
    with june.uow() as uow:
        pages = list(uow.cases.received_between(
            london(2026, 6, 1), london(2026, 7, 1), batch=3))
    assert [len(p) for p in pages] == [3, 3, 1]
    ids = [c.id for page in pages for c in page]
    assert ids == sorted(ids) and len(ids) == 7


def test_roles_that_may_run_it(june: World) -> None:
    june.uow.grant("U_NEW_HR", Role.HR_MANAGER)
    assert june.desk.trends_report(viewer="U_NEW_HR", start=JUNE[0], end=JUNE[1]).total == 7


def test_a_reply_the_same_evening_as_a_receipt_after_the_cut_off_takes_zero_days() -> None:
    """Issue 10 item 7: received 18:00 (effective next working day), replied at 19:30 the
    same evening: no working days, never "median -1"."""
    world = World()
    case_id = _log(world, london(2026, 6, 10, 18, 5), "2026-06-10T18:00:00+01:00")
    world.at(london(2026, 6, 10, 18, 30)).acknowledge_case(
        case_id, actor=CS, owner=CS, promised_reply_by=date(2026, 7, 10),
        procedure_attached=True)
    world.at(london(2026, 6, 10, 19, 0)).resolve_case(case_id, actor=CS,
                                                      resolution="Refunded the charge.")
    world.at(london(2026, 6, 10, 19, 30)).send_reply(case_id, actor=CS,
                                                     outcome=Outcome.UPHELD,
                                                     suggestions="Refund made.")
    report = world.desk.trends_report(viewer=HR, start=JUNE[0], end=JUNE[1])
    assert report.reply_times.replies == 1
    assert report.reply_times.median_working_days == 0
    assert report.reply_times.p90_working_days == 0
    assert "median 0" in report_text(report) and "median -" not in report_text(report)
