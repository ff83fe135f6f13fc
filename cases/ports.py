"""Ports the use cases need; adapters (storage/, scheduling/) implement them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from cases.communications import LetterEntry
    from cases.model import Case, DeadlineKind, HistoryEvent, Notice
    from cases.people import AccountKind, Person
    from cases.records import AccessEntry, ExpiredCase, Hold, HowAnonymised, MatchBy
    from cases.report_facts import CaseGroup, DeadlineGroup, RepeatContacts, Reply, Window
    from cases.report_model import CaseLink
    from cases.review import Review, ReviewAction
    from cases.roles import Role


class WorkingCalendar(Protocol):
    """UK working days in the business time zone (implemented in scheduling/)."""

    def local_date(self, at: datetime) -> date:
        """The business-time-zone date of an instant."""
        ...

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday, not a bank holiday, not a company closure."""
        ...

    def effective_receipt(self, received_at: datetime) -> date:
        """The working day a receipt counts from (next one if late or off-day)."""
        ...

    def add_working_days(self, start: date, n: int) -> date:
        """The Nth working day after ``start`` (``start`` itself not counted)."""
        ...

    def next_working_day_on_or_after(self, day: date) -> date:
        """``day`` if it is a working day, else the next working day."""
        ...

    def close_of_business(self, day: date) -> datetime:
        """The cut-off instant (17:00 local by default) on ``day``, in UTC."""
        ...

    def start_of_business(self, day: date) -> datetime:
        """The opening instant (09:00 local by default) on ``day``, in UTC."""
        ...

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when ``end`` is before ``start``."""
        ...

    def start_of_day(self, day: date) -> datetime:
        """The instant ``day`` begins (midnight local), in UTC."""
        ...


class CaseRepository(Protocol):
    def add(self, *cases: Case) -> None:
        """Store new cases (as many at once as a batch of intakes has); assigns each
        ``case.id``."""
        ...

    def get(self, case_id: int) -> Case:
        """Load one case by id; raises NotFound."""
        ...

    def get_with_roles(self, case_id: int, user_id: str) -> tuple[Case, frozenset[Role]]:
        """One case by id and the organisation roles ``user_id`` holds, read together (a
        button's load and its permission check); raises NotFound."""
        ...

    def get_with_letters(self, case_id: int, user_id: str
                         ) -> tuple[Case, frozenset[Role], Sequence[LetterEntry]]:
        """``get_with_roles`` and the case's communications log (``LetterLog.for_case``),
        read together (View details)."""
        ...

    def get_by_reference(self, reference: str) -> Case:
        """Load one case by its reference; raises NotFound."""
        ...

    def save(self, case: Case) -> None:
        """Persist changes under a version check; raises ConcurrentChange."""
        ...

    def append_history(self, *cases: Case) -> None:
        """Append each case's ``new_events`` without changing the case (no version bump).

        For what only adds to the record (notes, views of personal data), so that it
        never makes a colleague's concurrent transition fail. A case that is not stored
        raises NotFound, naming it; the unit of work is then to be rolled back.
        """
        ...

    def search(self, keys: Sequence[str], *, limit: int = 20) -> Sequence[int]:
        """Ids of cases with a term (``cases.search``) beginning with every key, newest first."""
        ...

    def next_reference(self, year: int) -> str:
        """Allocate the next unique reference for the year, safe under concurrency."""
        ...

    def number(self, year: int, *cases: Case) -> None:
        """Give added cases the year's next references (``next_reference``), in their
        order, and store them.

        Called last before the outbox and commit: the year's counter is held from here to
        the end of the transaction, so other intakes wait only for that much.
        """
        ...

    def find_by_intake_key(self, key: str) -> Case | None:
        """The case created by a submission with this idempotency key, if any."""
        ...

    def find_by_intake_keys(self, keys: Iterable[str]) -> Mapping[str, Case]:
        """``find_by_intake_key`` for many keys at once: the cases found, by key."""
        ...

    def list_open(self, *, limit: int = 50) -> Sequence[Case]:
        """Open cases, soonest deadline first."""
        ...

    def list_for_user(self, user_id: str, *, limit: int = 50) -> Sequence[Case]:
        """Open cases the user owns, investigates, reviews or logged."""
        ...

    def list_overdue(self, now: datetime, *, limit: int = 50) -> Sequence[Case]:
        """Open cases with a deadline past due."""
        ...

    def history(self, case_id: int) -> Sequence[HistoryEvent]:
        """The case's append-only history, oldest first."""
        ...

    def received_between(self, start: datetime, end: datetime, *, batch: int = 500
                         ) -> Iterator[Sequence[Case]]:
        """Cases received in [start, end), in pages of at most ``batch``, ordered by id.

        Pages are read one at a time (keyset on id), so memory stays bounded by ``batch``.
        """
        ...

    def ids_with_open_deadline_due(self, kind: DeadlineKind, now: datetime) -> Sequence[int]:
        """Open cases whose open deadline of ``kind`` was due at or before ``now``."""
        ...

    def ids_with_window_expired(self, now: datetime) -> Sequence[int]:
        """Cases whose review window ended before ``now`` and are still awaiting it."""
        ...


class ReportReader(Protocol):
    """The facts the trends report counts (``cases.report_facts``), never whole cases.

    Storage groups and counts them in SQL; ``cases.report_facts.CaseListReader`` derives
    the same from loaded cases. Cases are placed by their receipt instant in ``window``;
    the lists are ordered by case id.
    """

    def case_groups(self, window: Window) -> Iterable[CaseGroup]:
        """The cases of the window's months or period, equal facts counted together."""
        ...

    def deadline_groups(self, window: Window, now: datetime) -> Iterable[DeadlineGroup]:
        """Their reported deadlines, counted by month, period, kind and standing at now."""
        ...

    def replies(self, window: Window) -> Iterable[Reply]:
        """One per case replied with an outcome (read one at a time: memory stays flat)."""
        ...

    def category_cases(self, window: Window, category: str, limit: int | None
                       ) -> Sequence[CaseLink]:
        """The period's cases of ``category`` (at most ``limit``; None: all)."""
        ...

    def breached_cases(self, window: Window, kind: DeadlineKind, now: datetime
                       ) -> Sequence[CaseLink]:
        """The period's cases whose deadline of ``kind`` was met late or is overdue."""
        ...

    def subject_cases(self, window: Window, subjects: frozenset[str]
                      ) -> Sequence[tuple[str, CaseLink]]:
        """The period's staff-conduct cases about any of ``subjects``, with the subject."""
        ...

    def repeat_contacts(self, window: Window, least: int, limit: int) -> RepeatContacts:
        """The contact keys (email, phone) given by ``least`` or more of the cases received
        in ``window.contacts``: how many complainants (distinct sets of cases: an email and
        a phone on the very same cases are one person) and cases they make, and the first
        ``limit`` of their cases, ordered by the key's first case id, the key, then the
        case id (a person's cases together)."""
        ...


class RoleRepository(Protocol):
    def roles_of(self, user_id: str) -> frozenset[Role]:
        """The organisation roles a user holds."""
        ...

    def grant(self, user_id: str, role: Role) -> bool:
        """Give a role; False when the user had it already."""
        ...

    def revoke(self, user_id: str, role: Role) -> bool:
        """Take a role away; False when the user did not have it."""
        ...

    def all(self) -> Sequence[tuple[str, Role]]:
        """Every (user, role) pair, sorted."""
        ...

    def members(self, role: Role) -> Sequence[str]:
        """Users holding a role."""
        ...


class Outbox(Protocol):
    def add(self, notices: Iterable[Notice]) -> None:
        """Queue messages for the chat platform, in the current transaction."""
        ...


class LetterLog(Protocol):
    """The communications log: letters to complainants, with their delivery state."""

    def add(self, entry: LetterEntry) -> None:
        """Record a letter as sent (in the current transaction)."""
        ...

    def get(self, key: str) -> LetterEntry:
        """One letter by its key (NotFound if there is none)."""
        ...

    def for_case(self, case_id: int) -> Sequence[LetterEntry]:
        """The case's letters, oldest first, each with its delivery state now."""
        ...


class RecordsStore(Protocol):
    """Retention, legal holds, anonymisation, exports and the access log (``cases.records``)."""

    def hold(self, case_id: int, *, reason: str, by: str, at: datetime) -> bool:
        """Place a legal hold; False when the case is held already."""
        ...

    def release(self, case_id: int) -> bool:
        """Lift the hold; False when there was none."""
        ...

    def holds(self) -> Sequence[Hold]:
        """Every hold, oldest first."""
        ...

    def is_held(self, case_id: int) -> bool:
        """Whether the case is on legal hold."""
        ...

    def anonymised_at(self, case_id: int) -> datetime | None:
        """When the case was anonymised, if it was."""
        ...

    def expired(self, closed_before: datetime) -> Sequence[ExpiredCase]:
        """Cases closed before then and not yet anonymised, held ones marked, oldest first."""
        ...

    def anonymise(self, before: Case, after: Case, secrets: frozenset[str], *,
                  how: HowAnonymised, at: datetime) -> None:
        """Replace ``before``'s personal data everywhere it is kept with ``after``'s."""
        ...

    def delete_case(self, case_id: int) -> None:
        """Delete the case and everything kept about it."""
        ...

    def record_export(self, *, at: datetime, by: str, match_by: MatchBy,
                      references: Sequence[str]) -> int:
        """Record that an export happened (never what it searched for); returns its id."""
        ...

    def access_log(self, *, reference: str | None = None, actor: str | None = None,
                   start: datetime | None = None, end: datetime | None = None
                   ) -> Sequence[AccessEntry]:
        """Views of personal data, search hits and exports, oldest first, in [start, end)."""
        ...

    def prune_delivered_outbox(self, before: datetime) -> int:
        """Delete outbox rows delivered before then; returns how many."""
        ...

    def claim_daily_run(self, job: str, day: date, worker: str, at: datetime) -> bool:
        """Claim ``job`` for ``day``: True for exactly one caller across every process."""
class ReviewRepository(Protocol):
    """Quarterly reviews and their actions (Phase Three)."""

    def add(self, review: Review) -> None:
        """Store a review and its actions; assigns their ids."""
        ...

    def latest_ending_before(self, day: date) -> Review | None:
        """The last recorded review of a period that ended before ``day``, with its actions."""
        ...

    def action(self, action_id: int) -> ReviewAction:
        """One action; raises NotFound."""
        ...

    def save_action(self, action: ReviewAction) -> None:
        """Persist an action's done state."""
        ...

    def open_actions(self, *, due_by: date, limit: int = 500) -> Sequence[ReviewAction]:
        """Actions not done and due on or before ``due_by``, soonest first."""
        ...


class UnitOfWork(Protocol):
    cases: CaseRepository
    roles: RoleRepository
    outbox: Outbox
    people: PeopleRepository
    letters: LetterLog
    records: RecordsStore
    reviews: ReviewRepository
    report: ReportReader

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None:
        """Make everything done in this unit durable, at once."""
        ...

    def rollback(self) -> None:
        """Forget everything done in this unit."""
        ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class PeopleRepository(Protocol):
    """People and their linked accounts (``cases.people``); person ids are opaque."""

    def get(self, person_id: str) -> Person:
        """One person with their accounts; raises NotFound."""
        ...

    def find_by_account(self, kind: AccountKind, external_id: str) -> Person | None:
        """The person an account is linked to, if any."""
        ...

    def get_or_create_for_account(self, kind: AccountKind, external_id: str,
                                  display_name: str) -> Person:
        """The account's person, created with ``display_name`` if there is none yet.

        Safe when two units of work ask for the same new account at once: both get
        the same person.
        """
        ...

    def link(self, person_id: str, kind: AccountKind, external_id: str) -> bool:
        """Link an account; False if already this person's.

        Raises NotFound for an unknown person, ``cases.people.AccountTaken`` when the
        account belongs to someone else.
        """
        ...

    def list(self) -> Sequence[Person]:
        """Every person with their accounts, by display name then id."""
        ...
