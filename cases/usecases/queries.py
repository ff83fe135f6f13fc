"""Reading cases, notes and 'View details', and pre-checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cases import deadlines as dl
from cases.access import may_see_case, may_see_personal_data
from cases.clock import require_aware
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
from cases.model import Case, HistoryEvent
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
    """A view of a case's details (or its refusal), waiting to be recorded."""

    case: Case
    event: HistoryEvent


class AnyTime(DeskBase):
    """Steps allowed in every state: notes and viewing the complainant's details."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Concurrent views of details share one transaction (cases.usecases.group_commit).
        self.views: GroupCommit[_View, None] = GroupCommit(self._record_views)

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

        The case is read without the write lock; the view (or the refusal) is then recorded
        with whatever other views are waiting (``views``, a group commit), and the details
        are returned only once it is committed: nobody sees them unrecorded.
        """
        now = self._now()
        with self.reader() as uow:
            if letters:  # one read for the case, the roles and the log
                case, roles, logged = uow.cases.get_with_letters(case_id, actor)
            else:
                (case, roles), logged = uow.cases.get_with_roles(case_id, actor), ()
            allowed = may_see_personal_data(actor, case, roles)
            log = tuple(logged) if allowed else ()
        seen = record(case, "details_viewed" if allowed else "details_refused", actor=actor,
                      at=now)
        self.views.submit(_View(case, seen))
        if not allowed:
            raise NotAllowed(
                f"The complainant's details on {case.reference} are shown only to the "
                "people who need to know: customer services, directors, the HR manager "
                "and the staff working on this case.")
        return PersonalDetails(letters=log, reference=case.reference, intake=case.intake,
                               person_response=case.person_response,
                               person_responded_at=case.person_responded_at,
                               review_request_how=case.review_request_how,
                               review_late_reason=case.review_late_reason,
                               review_outside_window=requested_outside_window(case))

    def _record_views(self, views: Sequence[_View]) -> list[None]:
        """Append each view (or refusal) to its case's history, all in one transaction."""
        with self.uow() as uow:
            for view in views:
                # Set again each time: a batch that failed is written again one by one.
                view.case.new_events[:] = [view.event]
            uow.cases.append_history(*(view.case for view in views))
            uow.commit()
        return [None] * len(views)


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
