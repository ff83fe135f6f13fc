"""What every use case shares: the desk's dependencies, one transaction per step, notices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cases.clock import Clock, require_aware
from cases.communications import LetterEntry, view_payload
from cases.errors import ConcurrentChange, IntakeInvalid, InvalidTransition
from cases.events import TimelineEvent
from cases.intake import IntakeRecord
from cases.letters import LetterDraft
from cases.lifecycle import ACTION_LABELS, Action, apply, roles_on_case
from cases.model import Case, Notice, NoticeKind
from cases.policy import Policy
from cases.ports import UnitOfWorkFactory, WorkingCalendar
from cases.roles import Role
from cases.steps import Given, Rules
from cases.usecases.letter_record import LetterRecord, letter_body, record_letter
from cases.wording import Template

MAX_NOTE = 2000
MAX_HOW = 200
MAX_RESPONSE = 3000
MAX_REASONS = 2500
MAX_REMEDY = 1500
# Phase Three: the HR manager owns the policy; directors run the procedure's Stage Two.
REPORT_ROLES = frozenset({Role.HR_MANAGER, Role.DIRECTOR})

# A use case's own part of a step: write its fields, say the event's details and notices.
Record = Callable[[Case, datetime], tuple[dict[str, Any], list[Notice]]]


def card(case: Case) -> Notice:
    """Re-render the case's card(s) in place."""
    return Notice(NoticeKind.CARD, case.id, {})


def timeline(case: Case, what: TimelineEvent, actor: str, at: datetime, **public: Any) -> Notice:
    """One line in the case thread. ``public`` holds only fields safe for a channel."""
    return Notice(NoticeKind.TIMELINE, case.id,
                  {"what": what, "actor": actor, "at": at.isoformat(), **public})


def direct(case: Case, user: str, template: Template, **data: Any) -> Notice:
    """A direct message to one person, rendered by the adapter from ``template``."""
    return Notice(NoticeKind.DIRECT, case.id, {"user": user, "template": template, **data})


@dataclass(frozen=True)
class PersonalDetails:
    """What 'View details' shows, only to people the need-to-know rule allows."""

    reference: str
    intake: IntakeRecord
    # The named person's own response, for the reviewer (Stage Two); None until given.
    person_response: str | None = None
    person_responded_at: datetime | None = None
    # Staff's free text about the review request: may name people, so never on a card.
    review_request_how: str | None = None
    review_late_reason: str | None = None
    # Whether the request was taken outside the review window (so the reason is why).
    review_outside_window: bool = False
    # The communications log, read in the same unit of work when asked for (``letters=True``):
    # the same need-to-know rule lets a person see the details and the letters.
    letters: tuple[LetterEntry, ...] = ()


def text_field(value: str | None, field: str, *, required: bool = True,
               limit: int = MAX_NOTE) -> str | None:
    """Free text from a form, stripped; IntakeInvalid naming ``field`` if missing or long."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise IntakeInvalid({field: "this is required"})
    if len(cleaned) > limit:
        raise IntakeInvalid({field: f"keep this under {limit} characters"})
    return cleaned or None


def person_field(user: str, field: str) -> str:
    """A person chosen on a form; IntakeInvalid naming ``field`` if none was chosen."""
    cleaned = user.strip()
    if not cleaned:
        raise IntakeInvalid({field: "choose a person"})
    return cleaned


def check_version(case: Case, action: Action, expected: int | None) -> None:
    """Refuse an action taken from a card or form showing an older version of the case."""
    if expected is not None and case.version != expected:
        raise InvalidTransition(
            f"{case.reference} has changed since it was shown to you; "
            f"your “{ACTION_LABELS[action]}” was not applied. Look at the card again and "
            "retry if it still applies.",
            last_actor=case.last_actor, last_at=case.last_action_at)


class DeskBase:
    """The desk's dependencies and the one way a step changes a case."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, calendar: WorkingCalendar,
                 policy: Policy, *, reader: UnitOfWorkFactory | None = None) -> None:
        self.uow = uow
        # Units of work that only read (lists, lookups, pre-checks): they need not queue
        # behind writers where the database makes a difference (SQLite).
        self.reader = reader or uow
        self.clock = clock
        self.calendar = calendar
        self.policy = policy
        self.rules = Rules(policy=policy, calendar=calendar)

    def _now(self) -> datetime:
        return require_aware(self.clock.now())

    def _change(self, case_id: int, action: Action, actor: str, record: Record, *,
                given: Given | None = None, expected_version: int | None = None,
                letter: LetterDraft | None = None) -> Case:
        """Load, apply the table row, record, notify, commit: one use case.

        ``letter``: the letter the step writes to the complainant, recorded in the
        communications log and queued for delivery in this same transaction.

        ``expected_version`` is the version the user saw (on the card or when the modal
        opened): if the case changed since, nothing is applied and they are told who
        changed it and when, so a stale form never overwrites a colleague's later change.
        """
        now = self._now()
        notices: list[Notice] = []
        if letter is not None:
            letter_body(letter.text)  # refused before anything is loaded or changed

        def fill(case: Case) -> dict[str, Any]:
            details, owed = record(case, now)
            notices.extend(owed)
            return details

        with self.uow() as uow:
            case, held = uow.cases.get_with_roles(case_id, actor)
            check_version(case, action, expected_version)
            roles = roles_on_case(actor, case, held)
            apply(case, action, actor=actor, roles=roles, at=now, rules=self.rules,
                  given=given, fill=lambda: fill(case))
            try:
                uow.cases.save(case)
            except ConcurrentChange:
                uow.rollback()
                raise self._already_done(case_id, action) from None
            uow.outbox.add([card(case), *notices])
            if letter is not None:
                record_letter(uow, case, LetterRecord(
                    kind=letter.view.kind, view=view_payload(letter.view),
                    subject=letter.view.subject, method=letter.method, text=letter.text),
                    actor=actor, now=now)
            uow.commit()
            return case

    def _already_done(self, case_id: int, action: Action) -> InvalidTransition:
        with self.reader() as uow:
            fresh = uow.cases.get(case_id)
        return InvalidTransition(
            f"{fresh.reference} was changed by someone else just before you; "
            f"your “{action.value.replace('_', ' ')}” was not applied.",
            last_actor=fresh.last_actor, last_at=fresh.last_action_at,
        )
