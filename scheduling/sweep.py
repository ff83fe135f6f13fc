"""The deadline sweep: which alerts are due now (pure rules) and queuing them exactly once.

The rules are pure functions of one open deadline, ``now``, the calendar and the policy.
The ``Sweeper`` walks open deadlines in bounded batches through an ``AlertLedger`` (the
port ``storage.alerts`` implements), claims each alert by its unique key, and queues its
messages through the outbox in the same transaction as the claim.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from cases.alerts import Alert, AlertKind, AlertLedger, OpenDeadline
from cases.audience import TEAMS, Audience, digest_audiences, escalation_audience
from cases.clock import require_aware
from cases.model import (
    ALERTED_DEADLINES,
    DEADLINE_LABELS,
    STAGE_ONE_DEADLINES,
    Notice,
    NoticeKind,
)
from cases.policy import Policy
from cases.ports import WorkingCalendar
from cases.wording import Template

log = logging.getLogger(__name__)

BATCH = 500
SAMPLE = 20  # alerts a sweep report keeps for printing
DIGEST_MAX_ITEMS = 30
CLAIMS_IN_FLIGHT = 2  # pages being claimed at once, while the next is read


class CaseHousekeeping(Protocol):
    """The use cases that let cases close themselves (``ComplaintsDesk``)."""

    def close_expired_review_windows(self) -> list[str]: ...

    def record_missing_responses(self) -> list[str]: ...


class ReviewDuties(Protocol):
    """The quarterly review and its actions' reminders (``ComplaintsDesk``)."""

    def review_duties(self, now: datetime) -> int: ...


# ---- the rules (pure) -------------------------------------------------------------------


def in_business_hours(now: datetime, calendar: WorkingCalendar) -> bool:
    """A working day, between the start and close of business."""
    today = calendar.local_date(now)
    return (calendar.is_working_day(today)
            and calendar.start_of_business(today) <= now < calendar.close_of_business(today))


def sweep_horizon(now: datetime, calendar: WorkingCalendar, policy: Policy) -> datetime:
    """The latest due time the sweep must look at: close of the last 'due soon' day."""
    today = calendar.local_date(now)
    day = calendar.add_working_days(today, policy.alerts.warn_before_working_days)
    return calendar.close_of_business(day)


def working_days_overdue(due_at: datetime, now: datetime, calendar: WorkingCalendar) -> int:
    """Working days from the due day to today (0 on the due day itself)."""
    return max(0, calendar.working_days_between(calendar.local_date(due_at),
                                                calendar.local_date(now)))


def alert_key(d: OpenDeadline, kind: AlertKind, occurrence: int) -> str:
    """The unique key: case, deadline kind and its due time, alert kind, occurrence."""
    return f"{d.case_id}:{d.kind.value}:{d.due_at:%Y%m%dT%H%MZ}:{kind.value}:{occurrence}"


def alerts_due(d: OpenDeadline, now: datetime, calendar: WorkingCalendar, policy: Policy
               ) -> list[Alert]:
    """The alerts whose time has come for ``d`` as of ``now`` (none outside business hours).

    Overdue alerts carry the working-day count as their occurrence, so after downtime
    only the current occurrence is produced: one alert, not one per missed day.
    """
    now = require_aware(now)
    if not in_business_hours(now, calendar):
        return []
    today = calendar.local_date(now)
    not_before = calendar.start_of_business(today)
    return [due_alert(d, kind, occ, late, today, not_before)
            for kind, occ, late in due_kinds(d, now, today, calendar, policy)]


def due_kinds(d: OpenDeadline, now: datetime, today: date, calendar: WorkingCalendar,
              policy: Policy) -> list[tuple[AlertKind, int, int]]:
    """(alert kind, occurrence, working days late) due for ``d`` at ``now``, in business
    hours on ``today``: the rules alone, without keys or messages."""
    if d.kind not in ALERTED_DEADLINES:
        return []
    rules = policy.alerts
    found: list[tuple[AlertKind, int, int]] = []
    if now > d.due_at:
        late = working_days_overdue(d.due_at, now, calendar)
        found.append((AlertKind.OVERDUE, late // rules.overdue_repeat_working_days, late))
        if (d.kind in STAGE_ONE_DEADLINES
                and late >= rules.escalate_stage_one_after_working_days):
            found.append((AlertKind.ESCALATED, 0, late))
        return found
    due_day = calendar.local_date(d.due_at)
    if due_day == today:
        found.append((AlertKind.DUE_TODAY, 0, 0))
    elif (rules.warn_before_working_days > 0
          and calendar.working_days_between(today, due_day) <= rules.warn_before_working_days):
        found.append((AlertKind.DUE_SOON, 0, 0))
    return found


def due_alert(d: OpenDeadline, kind: AlertKind, occurrence: int, late: int, today: date,
              not_before: datetime, key: str | None = None) -> Alert:
    """One alert of ``d`` with its messages (``key`` when already computed)."""
    key = key or alert_key(d, kind, occurrence)
    return Alert(key=key, case_id=d.case_id, reference=d.reference, deadline_kind=d.kind,
                 alert_kind=kind, occurrence=occurrence, due_at=d.due_at,
                 not_before=not_before, notices=alert_notices(d, kind, key, today, late))


def alert_notices(d: OpenDeadline, kind: AlertKind, key: str, today: date, late: int
                  ) -> tuple[Notice, ...]:
    """The messages one alert posts: DM and thread, or a channel post."""
    payload: dict[str, Any] = {
        "template": Template.ALERT.value, "alert": kind.value, "key": key, "reference": d.reference,
        "deadline": d.kind.value, "label": DEADLINE_LABELS[d.kind],
        "due_at": d.due_at.isoformat(), "owner": d.responsible, "as_of": today.isoformat(),
        "owner_part": d.responsible_part,
        "overdue_days": late,
    }
    if kind in (AlertKind.DUE_SOON, AlertKind.DUE_TODAY):
        notices = [Notice(NoticeKind.CHANNEL, d.case_id,
                          {**payload, "audience": d.audience.value, "thread": True},
                          dedupe_key=f"alert:{key}:thread")]
        if d.responsible:
            notices.insert(0, Notice(NoticeKind.DIRECT, d.case_id,
                                     {**payload, "user": d.responsible},
                                     dedupe_key=f"alert:{key}:dm"))
        return tuple(notices)
    audience = escalation_audience() if kind is AlertKind.ESCALATED else d.audience
    return (Notice(NoticeKind.CHANNEL, d.case_id, {**payload, "audience": audience.value},
                   dedupe_key=f"alert:{key}:channel"),)


def digest_teams(d: OpenDeadline, now: datetime, calendar: WorkingCalendar,
                 policy: Policy) -> list[Audience]:
    """Which teams' digests list ``d`` (it must be due today or overdue)."""
    return digest_audiences(d.kind, d.due_at, now, calendar,
                            policy.alerts.escalate_stage_one_after_working_days)


# ---- the sweep ------------------------------------------------------------------------


@dataclass
class SweepReport:
    """What one sweep did, in counts: its size does not grow with the alerts it queued.

    ``sample`` keeps the first ``SAMPLE`` alerts queued (without their messages) for the
    command line to print; ``queued`` and ``by_kind`` count them all.
    """

    at: datetime
    queued: int = 0
    by_kind: dict[AlertKind, int] = field(default_factory=dict)
    sample: list[Alert] = field(default_factory=list)
    seen: int = 0
    closed: list[str] = field(default_factory=list)
    no_response: list[str] = field(default_factory=list)
    quiet: bool = False
    # Review and action-reminder notices offered to the outbox (each queued once by key).
    review_notices: int = 0

    def add(self, alerts: Sequence[Alert]) -> None:
        """Count alerts just queued; keep the first few as the sample."""
        self.queued += len(alerts)
        for alert in alerts:
            self.by_kind[alert.alert_kind] = self.by_kind.get(alert.alert_kind, 0) + 1
        room = SAMPLE - len(self.sample)
        if room > 0:
            self.sample.extend(replace(a, notices=()) for a in alerts[:room])

    def lines(self) -> list[str]:
        """Human-readable summary: the sampled alerts one per line, then the counts."""
        out = [f"{a.alert_kind.value:<10} {a.reference:<14} {a.deadline_kind.value:<26} "
               f"due {a.due_at.isoformat()} (#{a.occurrence})" for a in self.sample]
        if self.queued > len(self.sample):
            out.append(f"... and {self.queued - len(self.sample)} more")
        out += [f"closed     {ref} (review window ended)" for ref in self.closed]
        out += [f"recorded   {ref} (no response from the named person)"
                for ref in self.no_response]
        if self.quiet:
            out.append("outside business hours: no alerts posted now")
        kinds = ", ".join(f"{self.by_kind[k]} {k.value}" for k in AlertKind if k in self.by_kind)
        out.append(f"{self.queued} alert(s) queued{f' ({kinds})' if kinds else ''}, "
                   f"{self.seen} open deadline(s) looked at")
        return out


class Sweeper:
    """Turns due deadlines into claimed alerts; safe to run in several processes at once."""

    def __init__(self, ledger: AlertLedger, calendar: WorkingCalendar, policy: Policy, *,
                 housekeeping: CaseHousekeeping | None = None, batch: int = BATCH,
                 reviews: ReviewDuties | None = None) -> None:
        self.ledger = ledger
        self.reviews = reviews
        self.calendar = calendar
        self.policy = policy
        self.housekeeping = housekeeping
        self.batch = batch

    def sweep(self, now: datetime) -> SweepReport:
        """One pass at ``now``: housekeeping, then claim and queue every alert due."""
        now = require_aware(now)
        report = SweepReport(at=now)
        if self.housekeeping is not None:
            report.closed = self.housekeeping.close_expired_review_windows()
            # Cheap indexed check first: the use case loads cases, so call it only if needed.
            if self.ledger.person_responses_due(now):
                report.no_response = self.housekeeping.record_missing_responses()
        if not in_business_hours(now, self.calendar):
            report.quiet = True
            return report
        if self.reviews is not None:
            report.review_notices = self.reviews.review_duties(now)
        horizon = sweep_horizon(now, self.calendar, self.policy)
        today = self.calendar.local_date(now)
        not_before = self.calendar.start_of_business(today)
        # Pages are claimed in threads while the next page is read and its alerts built: the
        # database's work (inserting the keys and the outbox rows) overlaps ours, and two
        # claims overlap each other (pages hold disjoint keys, so they never wait on one
        # another). At most CLAIMS_IN_FLIGHT claims are pending, so memory stays at a few
        # pages; results are counted in page order, and a claim's error (or an interrupt)
        # is raised here, from ``result()``.
        pending: deque[Future[list[Alert]]] = deque()
        with ThreadPoolExecutor(max_workers=CLAIMS_IN_FLIGHT,
                                thread_name_prefix="sweep-claim") as claims:
            for page in self.ledger.open_deadlines_before(horizon, batch=self.batch):
                report.seen += len(page)
                wanted = self._unclaimed(page, now, today, not_before)
                while len(pending) >= CLAIMS_IN_FLIGHT:
                    _queued(report, pending.popleft().result())
                if wanted:
                    pending.append(claims.submit(self.ledger.claim, wanted, now))
            while pending:
                _queued(report, pending.popleft().result())
        return report

    def _unclaimed(self, page: Sequence[OpenDeadline], now: datetime, today: date,
                   not_before: datetime) -> list[Alert]:
        """The page's due alerts not claimed yet, with their messages."""
        found = [(d, kind, occ, late, alert_key(d, kind, occ)) for d in page
                 for kind, occ, late in due_kinds(d, now, today, self.calendar, self.policy)]
        if not found:
            return []
        # Messages only for keys not claimed yet: every minute, most due alerts are.
        taken = self.ledger.claimed([f[4] for f in found])
        return [due_alert(d, kind, occ, late, today, not_before, key)
                for d, kind, occ, late, key in found if key not in taken]

    def digest(self, now: datetime) -> list[Audience]:
        """Queue today's digest to each channel (once per day each); returns those queued."""
        now = require_aware(now)
        today = self.calendar.local_date(now)
        if not self.calendar.is_working_day(today):
            return []
        items: dict[Audience, list[dict[str, Any]]] = {a: [] for a in TEAMS}
        more: dict[Audience, int] = dict.fromkeys(TEAMS, 0)
        horizon = self.calendar.close_of_business(today)
        for page in self.ledger.open_deadlines_before(horizon, batch=self.batch):
            for d in page:
                for audience in digest_teams(d, now, self.calendar, self.policy):
                    if len(items[audience]) >= DIGEST_MAX_ITEMS:
                        more[audience] += 1
                        continue
                    items[audience].append(_digest_item(d, now, self.calendar))
        # Approved decisions whose letter has not gone: customer services writes them.
        unsent = {Audience.CUSTOMER_SERVICES: [
            {"case_id": case_id, "reference": reference, "owner": owner}
            for case_id, reference, owner in self.ledger.unsent_final_letters(
                DIGEST_MAX_ITEMS)]}
        notices = [Notice(NoticeKind.CHANNEL, None,
                          {"template": Template.DIGEST.value, "audience": audience.value,
                           "as_of": today.isoformat(),
                           "items": items[audience], "more": more[audience],
                           "unsent_letters": unsent.get(audience, [])},
                          dedupe_key=f"digest:{today.isoformat()}:{audience.value}")
                   for audience in TEAMS]
        queued = self.ledger.queue(notices, now)
        return list(TEAMS) if queued else []


def _queued(report: SweepReport, won: list[Alert]) -> None:
    """Count a page's claimed alerts and log each one."""
    report.add(won)
    for alert in won:
        log.info("alert queued: %s %s", alert.alert_kind.value, alert.deadline_kind.value,
                 extra={"case_reference": alert.reference, "alert_key": alert.key})


def _digest_item(d: OpenDeadline, now: datetime, calendar: WorkingCalendar) -> dict[str, Any]:
    late = working_days_overdue(d.due_at, now, calendar) if now > d.due_at else None
    return {"case_id": d.case_id, "reference": d.reference, "deadline": d.kind.value,
            "label": DEADLINE_LABELS[d.kind], "due_at": d.due_at.isoformat(),
            "owner": d.responsible, "overdue_days": late}
