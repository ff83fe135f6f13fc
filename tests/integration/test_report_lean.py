"""The lean report path (facts counted in SQL) gives the very report the full-case path
(every case loaded, then counted in Python) gives, on random cases, on both databases."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from cases.intake import Category, Channel
from cases.learning import Learning, RemedyKind
from cases.model import Case, Deadline, DeadlineKind, Decision, Outcome, State
from cases.policy import Policy, ReportPolicy
from cases.report_model import AttentionKind, TrendReport
from cases.report_trends import full_report, report_from
from scheduling.calendar import UKWorkingCalendar
from storage.uow import SqlUnitOfWorkFactory
from tests.fakes import intake_record

CAL = UKWorkingCalendar()
NOW = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
# London midnights and the instants either side: months, quarters, BST changes.
EDGES = [datetime(2026, 3, 31, 23, 0, tzinfo=UTC), datetime(2026, 3, 31, 22, 59, 59, tzinfo=UTC),
         datetime(2026, 6, 30, 22, 59, 59, tzinfo=UTC), datetime(2026, 6, 30, 23, 0, tzinfo=UTC),
         datetime(2025, 12, 31, 23, 30, tzinfo=UTC), datetime(2026, 1, 1, 0, 0, tzinfo=UTC),
         datetime(2025, 10, 26, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 0, 59, tzinfo=UTC)]
PHONES = [f"020 7946 0{n:03d}" for n in range(8)]
SUBJECTS = ["P-SUBJ0000001", "P-SUBJ0000002", "P-SUBJ0000003"]
# Low thresholds, so that every kind of "needs attention" line is given.
KEEN = Policy(report=ReportPolicy(category_share=0.1, category_min=2, breach_rate=0.1,
                                  breach_min_cases=2, rising_quarters=1))


def _deadline(rng: random.Random, kind: DeadlineKind, received: datetime) -> Deadline:
    due = received + timedelta(days=rng.randint(1, 40))
    deadline = Deadline(kind, due + timedelta(days=rng.choice((0, 3))), due, received)
    roll = rng.random()
    if roll < 0.4:
        deadline.met_at = due + timedelta(hours=rng.choice((-30, -1, 0, 1, 50)))
    elif roll < 0.55:
        deadline.retired_at = received + timedelta(days=1)
    return deadline


def _learning(rng: random.Random) -> Learning | None:
    if rng.random() < 0.3:
        return None
    remedies = tuple(r for r in RemedyKind if rng.random() < 0.35)
    refund = RemedyKind.REFUND_OR_CREDIT in remedies
    return Learning(rng.choice(("billing", "delivery", "product_fault", "retired_cause")),
                    remedies, rng.randint(1, 90_000) if refund else None)


def _case(rng: random.Random, n: int) -> Case:
    received = (rng.choice(EDGES) if rng.random() < 0.15
                else NOW - timedelta(minutes=rng.randint(0, 560 * 24 * 60)))
    category = rng.choice(list(Category))
    email = rng.choice((None, f"Person{rng.randint(0, 25)}@Example.org"))
    intake = intake_record(
        category=category.value, channel=rng.choice(list(Channel)).value,
        relationship=rng.choice(("customer", "partner", "member_of_public")),
        received_at=received.isoformat(), email=email,
        phone=rng.choice(PHONES) if email is None or rng.random() < 0.4 else "",
        subject_user_id=(rng.choice(SUBJECTS) if category is Category.STAFF_CONDUCT
                         and rng.random() < 0.8 else None),
        not_a_named_person=category is Category.STAFF_CONDUCT)
    case = Case(reference=f"TT-2026-{n:05d}", intake=intake, received_at=received,
                effective_receipt=CAL.effective_receipt(received), logged_by="P-CS00000001",
                logged_at=received, state=rng.choice(list(State)))
    if rng.random() < 0.6:
        case.replied_at = received + timedelta(hours=rng.randint(1, 900))
        case.outcome = rng.choice((None, *Outcome))
    case.resolution = "Resolved on the phone." if rng.random() < 0.2 else None
    case.investigator = "P-INV0000001" if rng.random() < 0.3 else None
    case.learning = _learning(rng) if case.replied_at or case.resolution else None
    if rng.random() < 0.3:
        case.review_requested_at = received + timedelta(days=20)
        if rng.random() < 0.6:
            case.decision = Decision(rng.choice(list(Outcome)), "Reasons.", "Remedy.",
                                     "P-DIR0000001", received + timedelta(days=40),
                                     learning=_learning(rng))
    kinds = [k for k in DeadlineKind if rng.random() < 0.5]
    case.deadlines = {k: _deadline(rng, k, received) for k in kinds}
    return case


def _twin(n: int) -> Case:
    """One of three cases giving the same email and phone: one complainant, two keys."""
    received = datetime(2026, 5, 4 + n, 10, 0, tzinfo=UTC)
    return Case(reference=f"TT-2026-9{n:04d}", received_at=received,
                intake=intake_record(received_at=received.isoformat(),
                                     email="twin@example.org", phone="020 7946 0999"),
                effective_receipt=CAL.effective_receipt(received), logged_by="P-CS00000001",
                logged_at=received, state=State.LOGGED)


def _both(uow_factory: SqlUnitOfWorkFactory, start: date, end: date,
          policy: Policy) -> tuple[TrendReport, TrendReport]:
    with uow_factory.reader()() as uow:
        lean = report_from(uow.report, start, end, NOW, CAL, policy)
        pages = uow.cases.received_between(datetime(2000, 1, 1, tzinfo=UTC),
                                           datetime(3000, 1, 1, tzinfo=UTC))
        full = full_report((c for page in pages for c in page), start, end, NOW, CAL, policy)
    return lean, full


@pytest.mark.parametrize("seed", [1, 2])
def test_the_lean_path_gives_the_full_case_report(uow_factory: SqlUnitOfWorkFactory,
                                                  seed: int) -> None:
    rng = random.Random(seed)
    with uow_factory() as uow:
        for n in range(260):
            uow.cases.add(_case(rng, n))
        for n in range(3):
            uow.cases.add(_twin(n))
        uow.commit()

    for start, end, policy in [
            (date(2026, 4, 1), date(2026, 6, 30), KEEN),       # the last quarter
            (date(2026, 4, 1), date(2026, 6, 30), Policy()),   # with the default lines
            (date(2026, 5, 10), date(2026, 7, 1), KEEN),       # up to today, mid-quarter
            (date(2024, 11, 1), date(2026, 2, 14), KEEN),      # from before the quarters
            (date(2026, 3, 31), date(2026, 4, 1), KEEN)]:      # two days over a BST change
        lean, full = _both(uow_factory, start, end, policy)
        assert lean == full, (start, end)
    # The comparison covered something: every kind of line, with its cases.
    lean, _ = _both(uow_factory, date(2026, 4, 1), date(2026, 6, 30), KEEN)
    assert lean.total > 40 and lean.reply_times.replies > 10 and lean.refunded_pence > 0
    assert {a.kind for a in lean.attention if a.cases} == set(AttentionKind)
