"""Reading the case file, for people with need-to-know and for operators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cases.access import may_see_case, may_see_personal_data
from cases.casefile import CaseFile, build_case_file
from cases.errors import IntakeInvalid, NotAllowed
from cases.lifecycle import STATE_LABELS, record, roles_on_case
from cases.model import HistoryEvent
from cases.roles import Role
from cases.search import query_keys
from cases.usecases.common import DeskBase
from cases.usecases.corrections import CORRECTORS

OPERATOR = "operator"  # who the history names for a view from the operator CLI


@dataclass(frozen=True)
class FileRead:
    """A case file and the history it was built from (for the JSON form)."""

    file: CaseFile
    history: Sequence[HistoryEvent]
    may_correct: bool = False   # may edit the details and reassign (``Corrections``)


class CaseFiles(DeskBase):
    """The case file: read back everything recorded."""

    def case_file(self, case_id: int, *, viewer: str, record_view: bool = True) -> FileRead:
        """The file as ``viewer`` may see it; a view of personal data is recorded.

        Only need-to-know opens it (``cases.access``); the person it is about never does
        (``cases.subject``). A file built without personal data keeps its texts out.
        ``record_view`` is False for paging within a file already opened (and recorded).
        """
        now = self._now()
        # Paging only reads: it need not queue behind writers (SQLite's write lock).
        with (self.uow if record_view else self.reader)() as uow:
            case, roles = uow.cases.get_with_roles(case_id, viewer)
            if not may_see_case(viewer, case, roles):
                raise NotAllowed(f"The case file of {case.reference} is only for the people "
                                 "who need to know.")
            personal = may_see_personal_data(viewer, case, roles)
            if personal and record_view:
                record(case, "details_viewed", actor=viewer, at=now,
                       details={"via": "case file"})
                uow.cases.append_history(case)
                uow.commit()
            history = uow.cases.history(case_id)
            on_case = roles_on_case(viewer, case, roles)
            may_correct = personal and bool(on_case & CORRECTORS) and Role.SUBJECT not in on_case
            return FileRead(build_case_file(case, history, personal=personal), history,
                            may_correct)

    def case_file_as_operator(self, reference: str, *, record_view: bool = True) -> FileRead:
        """The whole file for an operator tool (the CLI); the view itself is recorded."""
        now = self._now()
        with self.uow() as uow:
            case = uow.cases.get_by_reference(reference.strip().upper())
            assert case.id is not None
            if record_view:
                record(case, "details_viewed", actor=OPERATOR, at=now,
                       details={"via": "operator CLI"})
                uow.cases.append_history(case)
                uow.commit()
            history = uow.cases.history(case.id)
            return FileRead(build_case_file(case, history, personal=True), history)


@dataclass(frozen=True)
class FoundCase:
    """One search result: enough to recognise the case and open it."""

    case_id: int
    reference: str
    summary: str
    state_label: str
    complainant: str
    received_at: datetime


class Finding(DeskBase):
    """`find`: search by reference, name, organisation, email or phone, for need-to-know."""

    def find_cases(self, text: str, *, viewer: str, limit: int = 20) -> list[FoundCase]:
        """Cases matching ``text`` that ``viewer`` may see; the search is recorded on each.

        Matching is on the complainant's personal data, so only cases whose personal data
        the viewer may see are revealed, and each of them records who searched for what.
        """
        try:
            keys = query_keys(text)
        except ValueError as exc:
            raise IntakeInvalid({"text": str(exc)}) from None
        now = self._now()
        found: list[FoundCase] = []
        with self.uow() as uow:
            roles = uow.roles.roles_of(viewer)
            for case_id in uow.cases.search(keys, limit=limit * 5):
                case = uow.cases.get(case_id)
                if len(found) >= limit or not may_see_personal_data(viewer, case, roles):
                    continue
                record(case, "found", actor=viewer, at=now,
                       details={"query": " ".join(text.split())})
                uow.cases.append_history(case)
                found.append(FoundCase(case_id, case.reference, case.intake.summary,
                                       STATE_LABELS[case.state], case.intake.complainant_name,
                                       case.received_at))
            uow.commit()
        return found
