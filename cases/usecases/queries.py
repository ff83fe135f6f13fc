"""Reading cases, notes and 'View details', and pre-checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cases import deadlines as dl
from cases.access import may_see_case, may_see_personal_data
from cases.clock import require_aware
from cases.communications import LetterEntry
from cases.errors import IntakeInvalid, NotAllowed, NotFound
from cases.events import TimelineEvent as E
from cases.lifecycle import (
    Action,
    precheck,
    record,
    requested_outside_window,
    roles_on_case,
    transition_for,
)
from cases.model import Case
from cases.roles import Role
from cases.usecases.common import (
    DeskBase,
    PersonalDetails,
    check_version,
    text_field,
    timeline,
)
from cases.usecases.group_commit import GroupCommit


@dataclass(frozen=True)
class _View:
    """A request to see a case's details, waiting for its batch's transaction."""

    case_id: int
    actor: str
    letters: bool
    at: datetime


@dataclass(frozen=True)
class _Seen:
    """A case as its viewer found it, whether they were allowed to, and its log if so."""

    case: Case
    allowed: bool
    letters: tuple[LetterEntry, ...]


class AnyTime(DeskBase):
    """Steps allowed in every state: notes and viewing the complainant's details."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Concurrent views of details share one transaction (cases.usecases.group_commit).
        self.views: GroupCommit[_View, _Seen] = GroupCommit(self._record_views)

    def add_note(self, case_id: int, *, actor: str, text: str) -> Case:
        """A note on the history; allowed in every state, final included."""
        body = text_field(text, "note")
        now = self._now()
        with self.uow() as uow:
            case = uow.cases.get(case_id)
            if not may_see_case(actor, case, uow.roles.roles_of(actor)):
                raise NotAllowed(f"You are not on {case.reference}'s need-to-know list.")
            record(case, "note", actor=actor, at=now, details={"text": body})
            uow.cases.append_history(case)
            uow.outbox.add([timeline(case, E.NOTE, actor, now)])
            uow.commit()
            return case

    def view_details(self, case_id: int, *, actor: str, letters: bool = False
                     ) -> PersonalDetails:
        """Show the complainant's personal data to someone allowed; record that they saw it.

        With ``letters``, the case's communications log too, from the same load of the case
        (``letters_of`` asks the same need-to-know rule).

        The view joins whatever other views are waiting (``views``, a group commit): one
        transaction loads each of their cases, records each view (or refusal) and commits,
        and the details are returned only once it has: nobody sees them unrecorded. Loading
        them there, rather than each in a reader of its own first, spares a view its own
        unit of work (bench/README.md, tenth round); what is recorded as seen is what the
        transaction read.
        """
        seen = self.views.submit(_View(case_id, actor, letters, self._now()))
        case = seen.case
        if not seen.allowed:
            raise NotAllowed(
                f"The complainant's details on {case.reference} are shown only to the "
                "people who need to know: customer services, directors, the HR manager "
                "and the staff working on this case.")
        return PersonalDetails(letters=seen.letters, reference=case.reference,
                               intake=case.intake, person_response=case.person_response,
                               person_responded_at=case.person_responded_at,
                               review_request_how=case.review_request_how,
                               review_late_reason=case.review_late_reason,
                               review_outside_window=requested_outside_window(case))

    def _record_views(self, views: Sequence[_View]) -> list[_Seen]:
        """Load each view's case, and append the view (or refusal) to its history, all in
        one transaction (a case not found fails the batch, which is then written again one
        view at a time: that view alone fails, NotFound)."""
        found: list[_Seen] = []
        with self.uow() as uow:
            for view in views:
                if view.letters:  # one read for the case, the roles and the log
                    case, roles, logged = uow.cases.get_with_letters(view.case_id, view.actor)
                else:
                    (case, roles), logged = uow.cases.get_with_roles(view.case_id,
                                                                     view.actor), ()
                allowed = may_see_personal_data(view.actor, case, roles)
                record(case, "details_viewed" if allowed else "details_refused",
                       actor=view.actor, at=view.at)
                found.append(_Seen(case, allowed, tuple(logged) if allowed else ()))
            uow.cases.append_history(*(seen.case for seen in found))
            uow.commit()
        return found


class Queries(DeskBase):
    """Reads: no unit of work here writes."""

    def check_action(self, case_id: int, action: Action, *, actor: str,
                     expected_version: int | None = None) -> Case:
        """Would ``action`` be accepted from ``actor`` now? Raises the refusal if not."""
        with self.reader() as uow:
            case, held = uow.cases.get_with_roles(case_id, actor)
            roles = roles_on_case(actor, case, held)
        transition_for(case, action)  # a move the state no longer allows says so first
        check_version(case, action, expected_version)
        precheck(case, action, actor=actor, roles=roles, at=self._now(), rules=self.rules)
        return case

    def get_case(self, case_id: int) -> Case:
        """Load a case (for rendering cards; no access check: cards hold no personal data)."""
        with self.reader() as uow:
            return uow.cases.get(case_id)

    def case_for(self, case_id: int, *, viewer: str) -> Case:
        """A case by id, if the viewer may see it; otherwise NotFound."""
        with self.reader() as uow:
            case, roles = uow.cases.get_with_roles(case_id, viewer)
            if not may_see_case(viewer, case, roles):
                raise NotFound("No such case that you can see.")
            return case

    def find_case(self, reference: str, *, viewer: str) -> Case:
        """A case by reference, if the viewer may see it; otherwise NotFound."""
        with self.reader() as uow:
            case = uow.cases.get_by_reference(reference.strip().upper())
            if not may_see_case(viewer, case, uow.roles.roles_of(viewer)):
                raise NotFound(f"No case {reference.strip().upper()} that you can see.")
            return case

    def list_cases(self, *, viewer: str, which: str = "open", limit: int = 50
                   ) -> Sequence[Case]:
        """``mine``, ``overdue`` or ``open`` cases the viewer may see."""
        with self.reader() as uow:
            roles = uow.roles.roles_of(viewer)
            if which == "mine":
                found = uow.cases.list_for_user(viewer, limit=limit)
            elif which == "overdue":
                found = uow.cases.list_overdue(self._now(), limit=limit)
            elif which == "open":
                found = uow.cases.list_open(limit=limit)
            else:
                raise IntakeInvalid({"which": "choose mine, overdue or open"})
            return [c for c in found if may_see_case(viewer, c, roles)]

    def roles_of(self, user: str) -> frozenset[Role]:
        """A user's organisation roles."""
        with self.reader() as uow:
            return uow.roles.roles_of(user)

    def history(self, case_id: int) -> Sequence[Any]:
        """The case's history, oldest first."""
        with self.reader() as uow:
            return uow.cases.history(case_id)

    def policy_dates(self, received_at: datetime, concluded_at: datetime | None = None
                     ) -> dl.PolicyDates:
        """Every due date for a receipt at ``received_at`` (for telling the complainant)."""
        return dl.policy_dates(self.policy, self.calendar, require_aware(received_at),
                               require_aware(concluded_at) if concluded_at else None)
