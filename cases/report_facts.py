"""Phase Three: the few facts of each case the trends report counts, and where they fall.

The report never needs a whole case: only its receipt instant (which month and whether in
the period), a handful of labels (category, channel, state, outcomes, root cause and
remedies), its deadlines' standing, its reply dates, its staff-conduct subject and its
contact keys. A ``ReportReader`` (``cases.ports``) hands them over, counted where it can:
storage groups them in SQL; ``CaseListReader`` here derives them from loaded ``Case``
objects (the full-case path: the fakes, the tests, and the reference the SQL is checked
against). Both give the same groups, so the report built from either is the same.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from itertools import islice
from typing import NamedTuple

from cases.intake import Category
from cases.model import ALERTED_DEADLINES, Case, Deadline, DeadlineKind
from cases.report_model import CaseLink
from cases.search import fold, normalised_phone_key, phone_key

# The deadline kinds the report follows, in the procedure's order.
REPORTED_DEADLINES: tuple[DeadlineKind, ...] = tuple(
    k for k in DeadlineKind if k in ALERTED_DEADLINES)


class DeadlineStatus(StrEnum):
    """Where one deadline stands when the report is made."""

    ON_TIME = "on_time"
    LATE = "late"
    RETIRED = "retired"
    OVERDUE = "overdue"
    NOT_YET_DUE = "not_yet_due"


def deadline_status(deadline: Deadline, now: datetime) -> DeadlineStatus:
    """Met on time or late (against the original due time), no longer owed, or still owed."""
    if deadline.met_at is not None:
        return (DeadlineStatus.LATE if deadline.met_at > deadline.original_due_at
                else DeadlineStatus.ON_TIME)
    if deadline.retired_at is not None:
        return DeadlineStatus.RETIRED
    return (DeadlineStatus.OVERDUE if now > deadline.original_due_at
            else DeadlineStatus.NOT_YET_DUE)


BREACHED = (DeadlineStatus.LATE, DeadlineStatus.OVERDUE)


def email_key(email: str | None) -> str | None:
    """The complainant's email as a repeat-complainant key: the same however typed."""
    return "email:" + fold(email) if email else None


def phone_contact_key(phone: str | None, *, normalised: bool = False) -> str | None:
    """The phone as a key (E.164); None when there is none or it cannot be normalised.

    ``normalised``: ``phone`` is an intake record's, as ``normalise_phone`` wrote it.
    """
    if not phone:
        return None
    with suppress(ValueError):
        return "phone:" + (normalised_phone_key(phone) if normalised else phone_key(phone))
    return None


@dataclass(frozen=True)
class Window:
    """The instants the report counts between (UTC, from business-time-zone midnights).

    ``months``: 13 boundaries, month i is [months[i], months[i + 1]) (the four quarters'
    twelve months); ``period``: [start, end + 1 day); ``contacts``: the repeat-complainant
    months to the period's end. Nothing received at or after ``period[1]`` is counted.
    """

    months: tuple[datetime, ...]
    period: tuple[datetime, datetime]
    contacts: tuple[datetime, datetime]

    @property
    def since(self) -> datetime:
        """The first instant any month or the period counts."""
        return min(self.months[0], self.period[0])

    def month_of(self, at: datetime) -> int | None:
        """The index of the month ``at`` falls in, None when in none (or after the end)."""
        if at >= self.period[1]:
            return None
        for i in range(12):
            if self.months[i] <= at < self.months[i + 1]:
                return i
        return None

    def in_period(self, at: datetime) -> bool:
        """Whether ``at`` is in the report's period."""
        return self.period[0] <= at < self.period[1]


@dataclass(frozen=True)
class CaseGroup:
    """``count`` cases with the same facts, and the refunds or credits they gave."""

    month: int | None
    in_period: bool
    category: str
    channel: str
    relationship: str
    state: str
    resolved: bool
    investigated: bool
    outcome: str | None
    replied: bool
    review_requested: bool
    decision_outcome: str | None
    # The learning that counts: the final decision's when it has one, else Stage One's.
    root_cause: str | None
    remedies: tuple[str, ...]
    subject: str | None  # a staff-conduct complaint's subject; None otherwise
    count: int = 1
    refunded_pence: int = 0


@dataclass(frozen=True)
class DeadlineGroup:
    """``count`` deadlines of one kind with one standing, of cases in one month/period."""

    month: int | None
    in_period: bool
    kind: DeadlineKind
    status: DeadlineStatus
    count: int


class Reply(NamedTuple):
    """A Stage One reply: from its effective receipt to the instant it was sent.

    A named tuple, not a dataclass: the reader makes one per replied case.
    """

    month: int | None
    in_period: bool
    effective_receipt: date
    replied_at: datetime


@dataclass(frozen=True)
class ContactCase:
    """One case of a contact key given by at least the minimum of cases.

    Ordered by the key's first (lowest) case id, then the key, then the case id.
    """

    key: str
    first_id: int
    link: CaseLink


@dataclass(frozen=True)
class RepeatContacts:
    """Complainants behind several cases: how many, their cases, the first of them."""

    people: int
    cases: int
    first: tuple[ContactCase, ...]


def remedies_of(text: str | None) -> tuple[str, ...]:
    """A stored JSON list of remedy values as a tuple (empty for NULL or null)."""
    return tuple(json.loads(text) or ()) if text else ()


def case_group(case: Case, month: int | None, in_period: bool) -> CaseGroup:
    """One case's facts."""
    intake = case.intake
    learning = (case.decision.learning if case.decision and case.decision.learning
                else case.learning)
    conduct = intake.category is Category.STAFF_CONDUCT
    return CaseGroup(
        month=month, in_period=in_period, category=intake.category.value,
        channel=intake.channel.value, relationship=intake.relationship.value,
        state=case.state.value, resolved=case.resolution is not None,
        investigated=case.investigator is not None,
        outcome=case.outcome.value if case.outcome else None,
        replied=case.replied_at is not None,
        review_requested=case.review_requested_at is not None,
        decision_outcome=case.decision.outcome.value if case.decision else None,
        root_cause=learning.root_cause if learning else None,
        remedies=tuple(r.value for r in learning.remedies) if learning else (),
        subject=intake.subject_user_id if conduct and intake.subject_user_id else None,
        refunded_pence=(learning.amount_pence or 0) if learning else 0)


class CaseListReader:
    """``cases.ports.ReportReader`` over loaded cases (in id order): the full-case path."""

    def __init__(self, cases: Iterable[Case]) -> None:
        self.cases = sorted(cases, key=lambda c: c.id or 0)

    def _placed(self, window: Window) -> Iterator[tuple[Case, int | None, bool]]:
        for case in self.cases:
            month, in_period = window.month_of(case.received_at), window.in_period(
                case.received_at)
            if month is not None or in_period:
                yield case, month, in_period

    def case_groups(self, window: Window) -> Iterator[CaseGroup]:
        """Equal facts summed into one group each."""
        groups: Counter[CaseGroup] = Counter()
        refunds: Counter[CaseGroup] = Counter()
        for case, month, in_period in self._placed(window):
            one = case_group(case, month, in_period)
            key = replace(one, refunded_pence=0)
            groups[key] += 1
            refunds[key] += one.refunded_pence
        for key, n in groups.items():
            yield replace(key, count=n, refunded_pence=refunds[key])

    def deadline_groups(self, window: Window, now: datetime) -> Iterator[DeadlineGroup]:
        """Reported deadlines by month, period, kind and standing."""
        found: Counter[tuple[int | None, bool, DeadlineKind, DeadlineStatus]] = Counter()
        for case, month, in_period in self._placed(window):
            for kind in REPORTED_DEADLINES:
                if (deadline := case.deadlines.get(kind)) is not None:
                    found[(month, in_period, kind, deadline_status(deadline, now))] += 1
        for (month, in_period, kind, status), n in found.items():
            yield DeadlineGroup(month, in_period, kind, status, n)

    def replies(self, window: Window) -> Iterator[Reply]:
        """Cases replied with an outcome."""
        for case, month, in_period in self._placed(window):
            if case.outcome is not None and case.replied_at is not None:
                yield Reply(month, in_period, case.effective_receipt, case.replied_at)

    def _in_period(self, window: Window) -> Iterator[Case]:
        return (c for c in self.cases if window.in_period(c.received_at))

    def category_cases(self, window: Window, category: str, limit: int | None
                       ) -> list[CaseLink]:
        """The period's cases of one category, by id."""
        found = [_link(c) for c in self._in_period(window) if c.intake.category == category]
        return found[:limit] if limit is not None else found

    def breached_cases(self, window: Window, kind: DeadlineKind, now: datetime
                       ) -> list[CaseLink]:
        """The period's cases whose deadline of ``kind`` was breached, by id."""
        return [_link(c) for c in self._in_period(window)
                if (d := c.deadlines.get(kind)) is not None
                and deadline_status(d, now) in BREACHED]

    def subject_cases(self, window: Window, subjects: frozenset[str]
                      ) -> list[tuple[str, CaseLink]]:
        """The period's staff-conduct cases about these subjects, by id."""
        found = []
        for case in self._in_period(window):
            subject = case_group(case, None, True).subject
            if subject is not None and subject in subjects:
                found.append((subject, _link(case)))
        return found

    def _contacts(self, window: Window) -> dict[str, list[CaseLink]]:
        keys: dict[str, list[CaseLink]] = {}
        for case in self.cases:
            if window.contacts[0] <= case.received_at < window.contacts[1]:
                for key in (email_key(str(case.intake.email) if case.intake.email else None),
                            phone_contact_key(case.intake.phone, normalised=True)):
                    if key is not None:
                        keys.setdefault(key, []).append(_link(case))
        return keys

    def repeat_contacts(self, window: Window, least: int, limit: int) -> RepeatContacts:
        """The contact keys with ``least`` cases: complainants, cases, the first cases."""
        repeated = sorted((links[0].case_id, key, links)
                          for key, links in self._contacts(window).items()
                          if len(links) >= least)
        sets = {frozenset(link.case_id for link in links) for _, _, links in repeated}
        rows = (ContactCase(key, first, link) for first, key, links in repeated
                for link in links)
        return RepeatContacts(len(sets), len(frozenset().union(*sets)),
                              tuple(islice(rows, limit)))


def _link(case: Case) -> CaseLink:
    return CaseLink(case.id or 0, case.reference)
