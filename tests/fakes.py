"""An in-memory implementation of the ports in ``cases.ports``: a fake, not mocks.

It behaves like storage/ where the use cases can tell the difference: nothing is
visible to another unit of work until ``commit``; ``save`` checks the version the
case was loaded with and raises ``ConcurrentChange`` when someone else saved first;
history is append-only and numbered; notices reach the outbox only on commit.
tests/integration/test_repository_contract.py holds it to the SQL repositories' behaviour.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any

from cases.communications import LetterEntry
from cases.errors import ConcurrentChange, NotFound
from cases.intake import IntakeRecord
from cases.model import ALERTED_DEADLINES, Case, DeadlineKind, HistoryEvent, Notice, State
from cases.people import AccountKind, AccountTaken, Person, new_person_id, validate_account
from cases.ports import (
    CaseRepository,
    LetterLog,
    Outbox,
    PeopleRepository,
    ReportReader,
    ReviewRepository,
    RoleRepository,
    UnitOfWork,
)
from cases.report_facts import CaseListReader
from cases.review import Review, ReviewAction
from cases.roles import ORGANISATION_ROLES, Role
from cases.search import search_terms


class InMemoryStore:
    """What a database would hold: committed cases, history, roles, the outbox, people."""

    def __init__(self) -> None:
        self.cases: dict[int, Case] = {}
        self.events: dict[int, list[HistoryEvent]] = {}
        self.roles: set[tuple[str, Role]] = set()
        self.outbox: list[Notice] = []
        self.people: dict[str, Person] = {}
        self.letters: list[LetterEntry] = []
        self.reviews: list[Review] = []
        self.commits = 0
        self._next_id = 1
        self._references: dict[int, int] = {}

    def allocate_id(self) -> int:
        case_id = self._next_id
        self._next_id += 1
        return case_id

    def allocate_reference(self, year: int) -> str:
        # Like a database sequence: allocated numbers are not given back on rollback.
        number = self._references.get(year, 0) + 1
        self._references[year] = number
        return f"TT-{year}-{number:04d}"


_NEVER = datetime.max.replace(tzinfo=UTC)


def _next_due(case: Case) -> datetime | None:
    deadline = case.next_deadline()
    return deadline.due_at if deadline else None


def _soonest_first(cases: Iterable[Case]) -> list[Case]:
    # As SQL orders them: soonest open deadline (staff deadlines before the review
    # window), cases without an open deadline last, then by id.
    def key(case: Case) -> tuple[bool, datetime, int]:
        due = _next_due(case)
        return (due is None, due or _NEVER, case.id or 0)

    return sorted(cases, key=key)


class InMemoryCaseRepository:
    """``CaseRepository`` over an ``InMemoryStore``; writes are staged until commit."""

    def __init__(self, store: InMemoryStore,
                 roles: InMemoryRoleRepository | None = None) -> None:
        self._store = store
        self._roles = roles or InMemoryRoleRepository(store)
        self.staged: dict[int, Case] = {}
        self.staged_events: dict[int, list[HistoryEvent]] = {}

    # -- writes -------------------------------------------------------------------------

    def _drain_events(self, case: Case) -> None:
        assert case.id is not None
        pending = self.staged_events.setdefault(case.id, [])
        already = len(self._store.events.get(case.id, [])) + len(pending)
        for offset, event in enumerate(case.new_events, start=1):
            pending.append(dataclasses.replace(event, case_id=case.id, seq=already + offset))
        case.new_events.clear()

    def add(self, *cases: Case) -> None:
        for case in cases:
            if case.id is not None:  # as storage.case_repository does
                raise ValueError(f"{case.reference} is already stored (id {case.id})")
        for case in cases:
            case.id = self._store.allocate_id()
            self._drain_events(case)
            self.staged[case.id] = copy.deepcopy(case)

    def save(self, case: Case) -> None:
        assert case.id is not None
        current = self.staged.get(case.id) or self._store.cases.get(case.id)
        if current is None:
            raise NotFound(f"No case with id {case.id}.")
        if current.version != case.version:
            raise ConcurrentChange(
                f"{case.reference} was already changed by {current.last_actor} "
                f"at {current.last_action_at}."
            )
        case.version += 1
        self._drain_events(case)
        self.staged[case.id] = copy.deepcopy(case)

    def append_history(self, *cases: Case) -> None:
        missing = [c.id for c in cases if c.id is None or c.id not in self._visible()]
        if missing:
            raise NotFound("No case with id " + ", ".join(map(str, missing)) + ".")
        for case in cases:
            self._drain_events(case)

    # -- reads --------------------------------------------------------------------------

    def _visible(self) -> dict[int, Case]:
        return {**self._store.cases, **self.staged}

    def get(self, case_id: int) -> Case:
        found = self._visible().get(case_id)
        if found is None:
            raise NotFound(f"No case with id {case_id}.")
        return copy.deepcopy(found)

    def get_with_roles(self, case_id: int, user_id: str) -> tuple[Case, frozenset[Role]]:
        return self.get(case_id), self._roles.roles_of(user_id)

    def get_with_letters(self, case_id: int, user_id: str
                         ) -> tuple[Case, frozenset[Role], list[LetterEntry]]:
        case, roles = self.get_with_roles(case_id, user_id)
        return case, roles, [e for e in self._store.letters if e.case_id == case_id]

    def get_by_reference(self, reference: str) -> Case:
        for case in self._visible().values():
            if case.reference == reference:
                return copy.deepcopy(case)
        raise NotFound(f"No case {reference}.")

    def next_reference(self, year: int) -> str:
        return self._store.allocate_reference(year)

    def number(self, year: int, *cases: Case) -> None:
        for case in cases:
            assert case.id is not None and case.id in self.staged
            case.reference = self.next_reference(year)
            self.staged[case.id].reference = case.reference

    def search(self, keys: Sequence[str], *, limit: int = 20) -> Sequence[int]:
        found = [case_id for case_id, case in self._visible().items()
                 if all(any(t.startswith(k) for t in search_terms(case.reference, case.intake))
                        for k in keys)]
        return sorted(found, reverse=True)[:limit] if keys else []

    def find_by_intake_key(self, key: str) -> Case | None:
        return self.find_by_intake_keys([key]).get(key)

    def find_by_intake_keys(self, keys: Iterable[str]) -> dict[str, Case]:
        wanted = set(keys)
        return {case.intake_key: copy.deepcopy(case) for case in self._visible().values()
                if case.intake_key is not None and case.intake_key in wanted}

    def list_open(self, *, limit: int = 50) -> Sequence[Case]:
        found = [c for c in self._visible().values() if c.is_open]
        return [copy.deepcopy(c) for c in _soonest_first(found)[:limit]]

    def list_for_user(self, user_id: str, *, limit: int = 50) -> Sequence[Case]:
        found = [c for c in self._visible().values()
                 if c.is_open and user_id in c.people_on_case()]
        return [copy.deepcopy(c) for c in _soonest_first(found)[:limit]]

    def list_overdue(self, now: datetime, *, limit: int = 50) -> Sequence[Case]:
        found = [c for c in self._visible().values()
                 if c.is_open and any(d.due_at < now and d.kind in ALERTED_DEADLINES
                                      for d in c.open_deadlines())]
        return [copy.deepcopy(c) for c in _soonest_first(found)[:limit]]

    def history(self, case_id: int) -> Sequence[HistoryEvent]:
        return [*self._store.events.get(case_id, []), *self.staged_events.get(case_id, [])]

    def received_between(self, start: datetime, end: datetime, *, batch: int = 500
                         ) -> Iterator[Sequence[Case]]:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        found = [c for _, c in sorted(self._visible().items())
                 if start <= c.received_at < end]
        for first in range(0, len(found), batch):
            yield [copy.deepcopy(c) for c in found[first:first + batch]]

    def ids_with_open_deadline_due(self, kind: DeadlineKind, now: datetime) -> Sequence[int]:
        return [case_id for case_id, case in sorted(self._visible().items())
                if case.is_open and (d := case.deadlines.get(kind)) is not None
                and d.is_open and d.due_at <= now]

    def ids_with_window_expired(self, now: datetime) -> Sequence[int]:
        ids = []
        for case_id, case in sorted(self._visible().items()):
            window = case.deadlines.get(DeadlineKind.REVIEW_WINDOW)
            if (case.state is State.REPLIED and window is not None and window.is_open
                    and window.due_at < now):
                ids.append(case_id)
        return ids

    # -- unit of work -------------------------------------------------------------------

    def commit(self) -> None:
        for case_id, case in self.staged.items():
            committed = self._store.cases.get(case_id)
            if committed is not None and committed.version >= case.version:
                # Someone committed this case after we saved it: a real database would
                # have made us wait and then fail the version check.
                raise ConcurrentChange(f"{case.reference} was changed by someone else.")
        for case_id, case in self.staged.items():
            self._store.cases[case_id] = case
        for case_id, events in self.staged_events.items():
            self._store.events.setdefault(case_id, []).extend(events)
        self.rollback()

    def rollback(self) -> None:
        self.staged = {}
        self.staged_events = {}


class InMemoryRoleRepository:
    """``RoleRepository`` over an ``InMemoryStore``; grants and revokes apply on commit."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self._pending: set[tuple[str, Role]] | None = None

    def _current(self) -> set[tuple[str, Role]]:
        return self._store.roles if self._pending is None else self._pending

    def roles_of(self, user_id: str) -> frozenset[Role]:
        return frozenset(role for user, role in self._current() if user == user_id)

    def grant(self, user_id: str, role: Role) -> bool:
        if role not in ORGANISATION_ROLES:
            raise ValueError(f"{role.value!r} is not an organisation role")
        if (user_id, role) in self._current():
            return False
        self._pending = {*self._current(), (user_id, role)}
        return True

    def revoke(self, user_id: str, role: Role) -> bool:
        if (user_id, role) not in self._current():
            return False
        self._pending = self._current() - {(user_id, role)}
        return True

    def all(self) -> Sequence[tuple[str, Role]]:
        return sorted(self._current())

    def members(self, role: Role) -> Sequence[str]:
        return sorted(user for user, held in self._current() if held is role)

    def commit(self) -> None:
        if self._pending is not None:
            self._store.roles = self._pending
        self.rollback()

    def rollback(self) -> None:
        self._pending = None


class InMemoryOutbox:
    """``Outbox``: notices wait here until the unit of work commits."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.pending: list[Notice] = []

    def add(self, notices: Iterable[Notice]) -> None:
        # As the unique (surface, dedupe_key) makes SQL skip a notice already queued.
        for notice in notices:
            queued = {n.dedupe_key for n in (*self._store.outbox, *self.pending)}
            if notice.dedupe_key is None or notice.dedupe_key not in queued:
                self.pending.append(notice)

    def commit(self) -> None:
        self._store.outbox.extend(self.pending)
        self.rollback()

    def rollback(self) -> None:
        self.pending = []


class InMemoryPeopleRepository:
    """``PeopleRepository`` over an ``InMemoryStore``; changes apply on commit."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self._pending: dict[str, Person] | None = None

    def _current(self) -> dict[str, Person]:
        return self._store.people if self._pending is None else self._pending

    def _write(self, person: Person) -> None:
        self._pending = {**self._current(), person.id: person}

    def get(self, person_id: str) -> Person:
        try:
            return self._current()[person_id]
        except KeyError:
            raise NotFound(f"No person {person_id!r}") from None

    def find_by_account(self, kind: AccountKind, external_id: str) -> Person | None:
        wanted = (kind, external_id.strip())
        return next((p for p in self._current().values()
                     if any((a.kind, a.external_id) == wanted for a in p.accounts)), None)

    def get_or_create_for_account(self, kind: AccountKind, external_id: str,
                                  display_name: str) -> Person:
        account = validate_account(kind, external_id)
        found = self.find_by_account(account.kind, account.external_id)
        if found is not None:
            return found
        person = Person(new_person_id(), display_name.strip() or account.external_id,
                        (account,))
        self._write(person)
        return person

    def link(self, person_id: str, kind: AccountKind, external_id: str) -> bool:
        account = validate_account(kind, external_id)
        person = self.get(person_id)
        owner = self.find_by_account(account.kind, account.external_id)
        if owner is not None and owner.id != person.id:
            raise AccountTaken(f"{account} is already linked to another person, {owner.id}")
        if owner is not None:
            return False
        self._write(dataclasses.replace(person, accounts=(*person.accounts, account)))
        return True

    def list(self) -> Sequence[Person]:
        return sorted(self._current().values(), key=lambda p: (p.display_name, p.id))

    def commit(self) -> None:
        if self._pending is not None:
            self._store.people = self._pending
        self.rollback()

    def rollback(self) -> None:
        self._pending = None


class InMemoryLetterLog:
    """``LetterLog``: letters kept on commit; states as recorded (no outbox to read)."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.pending: list[LetterEntry] = []

    def add(self, entry: LetterEntry) -> None:
        self.pending.append(entry)

    def get(self, key: str) -> LetterEntry:
        for entry in (*self._store.letters, *self.pending):
            if entry.key == key:
                return entry
        raise NotFound(f"no letter {key}")

    def for_case(self, case_id: int) -> Sequence[LetterEntry]:
        return [e for e in (*self._store.letters, *self.pending) if e.case_id == case_id]

    def commit(self) -> None:
        self._store.letters.extend(self.pending)
        self.rollback()

    def rollback(self) -> None:
        self.pending = []


class InMemoryReviewRepository:
    """``ReviewRepository``: reviews kept on commit; actions are the stored objects."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.pending: list[Review] = []

    def add(self, review: Review) -> None:
        review.id = self._store.allocate_id()
        for action in review.actions:
            action.id, action.review_id = self._store.allocate_id(), review.id
        self.pending.append(copy.deepcopy(review))

    def latest_ending_before(self, day: date) -> Review | None:
        found = [r for r in self._store.reviews if r.period_end < day]
        return copy.deepcopy(max(found, key=lambda r: (r.period_end, r.id or 0), default=None))

    def action(self, action_id: int) -> ReviewAction:
        for review in self._store.reviews:
            for action in review.actions:
                if action.id == action_id:
                    return copy.deepcopy(action)
        raise NotFound(f"No review action {action_id}.")

    def save_action(self, action: ReviewAction) -> None:
        for review in self._store.reviews:
            review.actions = [copy.deepcopy(action) if a.id == action.id else a
                              for a in review.actions]

    def open_actions(self, *, due_by: date, limit: int = 500) -> Sequence[ReviewAction]:
        found = [a for r in self._store.reviews for a in r.actions
                 if a.done_at is None and a.due_on <= due_by]
        return [copy.deepcopy(a) for a in sorted(found, key=lambda a: (a.due_on, a.id or 0))
                ][:limit]

    def commit(self) -> None:
        self._store.reviews.extend(self.pending)
        self.rollback()

    def rollback(self) -> None:
        self.pending = []


class InMemoryUnitOfWork:
    """``UnitOfWork``: one use case, one transaction; leaving without commit rolls back."""

    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self._roles = InMemoryRoleRepository(store)
        self._cases = InMemoryCaseRepository(store, self._roles)
        self._outbox = InMemoryOutbox(store)
        self._people = InMemoryPeopleRepository(store)
        self._letters = InMemoryLetterLog(store)
        self._reviews = InMemoryReviewRepository(store)
        # Typed as the ports, so mypy checks that the fakes implement them.
        self.cases: CaseRepository = self._cases
        self.roles: RoleRepository = self._roles
        self.outbox: Outbox = self._outbox
        self.people: PeopleRepository = self._people
        self.letters: LetterLog = self._letters
        self.reviews: ReviewRepository = self._reviews
        # The full-case path: the report's facts derived from the stored cases themselves.
        self.report: ReportReader = CaseListReader(store.cases.values())

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self._cases.commit()
        self._roles.commit()
        self._outbox.commit()
        self._people.commit()
        self._letters.commit()
        self._reviews.commit()
        self.store.commits += 1

    def rollback(self) -> None:
        self._cases.rollback()
        self._roles.rollback()
        self._outbox.rollback()
        self._people.rollback()
        self._letters.rollback()
        self._reviews.rollback()


class InMemoryUnitOfWorkFactory:
    """``UnitOfWorkFactory``: every call opens a new unit of work on the same store."""

    def __init__(self, store: InMemoryStore | None = None) -> None:
        self.store = store or InMemoryStore()

    def __call__(self) -> UnitOfWork:
        return InMemoryUnitOfWork(self.store)

    def grant(self, user_id: str, *roles: Role) -> None:
        """Seed organisation roles, as `complaints-bot roles add` would."""
        with self() as uow:
            for role in roles:
                uow.roles.grant(user_id, role)
            uow.commit()

    @property
    def outbox(self) -> list[Notice]:
        return self.store.outbox

    def committed(self, case_id: int) -> Case:
        """The case as last committed (a copy)."""
        return copy.deepcopy(self.store.cases[case_id])

    def history(self, case_id: int) -> list[HistoryEvent]:
        return list(self.store.events.get(case_id, []))


def intake_data(**overrides: Any) -> dict[str, Any]:
    """A complete, valid intake form as an adapter would pass it; override any field."""
    data: dict[str, Any] = {
        "complainant_name": "Ada Lovelace",
        "postal_address": "1 Example Street, Hull HU1 1AA",
        "organisation": "Analytical Engines Ltd",
        "email": "ada@example.com",
        "phone": "01482 123456",
        "relationship": "customer",
        "channel": "phone",
        "received_at": "2026-06-10T10:00:00+01:00",
        "facts": "The tracker stopped reporting its location after the update.",
        "remedy_sought": "A working tracker",
        "category": "product",
        "checklist": {"referred_to_procedure": True, "feedback_form_sent": True,
                      "told_next_steps": True},
    }
    data.update(overrides)
    return data


def intake_record(**overrides: Any) -> IntakeRecord:
    """A valid ``IntakeRecord`` built from ``intake_data``."""
    return IntakeRecord.model_validate(intake_data(**overrides))
