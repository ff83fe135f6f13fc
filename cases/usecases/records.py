"""Records under UK GDPR: legal holds, retention, erasure, subject access, the access log.

Operators run these from the command line (actor ``operator``); directors and the HR
manager may export, and the HR manager may read the access log, from a chat surface.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from cases.anonymise import anonymised_case, months_before, personal_values, scrub
from cases.casefile import build_case_file, case_file_json
from cases.errors import IntakeInvalid, InvalidTransition, NotAllowed, NotFound
from cases.lifecycle import record
from cases.model import Case, HistoryEvent
from cases.ports import UnitOfWork
from cases.records import (
    AccessEntry,
    ExpiredCase,
    Export,
    ExportedCase,
    HowAnonymised,
    MatchBy,
    RetentionRun,
)
from cases.roles import Role
from cases.search import fold, phone_key, query_keys
from cases.usecases.casefile import OPERATOR
from cases.usecases.common import REPORT_ROLES, DeskBase, text_field

RETENTION_JOB = "retention"
EXPORT_ROLES = REPORT_ROLES                  # directors and the HR manager
ACCESS_LOG_ROLES = frozenset({Role.HR_MANAGER})
# The most cases one search term may stand for (a name shared by very many complainants).
MAX_MATCHES = 100_000


class Records(DeskBase):
    """Holds, retention, erasure, exports and the access log."""

    # -- legal holds

    def place_hold(self, reference: str, *, reason: str, by: str = OPERATOR) -> Case:
        """Keep a case's personal data past its retention period (and refuse erasure)."""
        why = text_field(reason, "reason", limit=500) or ""
        now = self._now()
        with self.uow() as uow:
            case = self._case(uow, reference)
            assert case.id is not None
            if uow.records.anonymised_at(case.id) is not None:
                raise InvalidTransition(f"{case.reference} is already anonymised: there is "
                                        "no personal data left to hold.")
            if not uow.records.hold(case.id, reason=why, by=by, at=now):
                raise InvalidTransition(f"{case.reference} is already on legal hold.")
            record(case, "hold_placed", actor=by, at=now, details={"reason": why})
            uow.cases.append_history(case)
            uow.commit()
            return case

    def release_hold(self, reference: str, *, by: str = OPERATOR) -> Case:
        """Lift a legal hold: the retention period applies again from the next run."""
        now = self._now()
        with self.uow() as uow:
            case = self._case(uow, reference)
            assert case.id is not None
            if not uow.records.release(case.id):
                raise InvalidTransition(f"{case.reference} is not on legal hold.")
            record(case, "hold_released", actor=by, at=now)
            uow.cases.append_history(case)
            uow.commit()
            return case

    # -- retention and erasure

    def retention_due(self, now: datetime | None = None) -> Sequence[ExpiredCase]:
        """Cases whose retention period has ended by ``now`` (held ones marked)."""
        cutoff = months_before(now or self._now(), self.policy.retention.personal_data_months)
        with self.reader() as uow:
            return list(uow.records.expired(cutoff))

    def run_retention(self, now: datetime | None = None, *, worker: str = OPERATOR,
                      claim_day: bool = False) -> RetentionRun:
        """Anonymise (or delete) every expired case not on hold; prune delivered outbox rows.

        ``claim_day``: the scheduled run claims the day first, in the same transaction, so
        one replica does it and a crash gives the claim back.
        """
        at = now or self._now()
        retention = self.policy.retention
        cutoff = months_before(at, retention.personal_data_months)
        with self.uow() as uow:
            if claim_day and not uow.records.claim_daily_run(
                    RETENTION_JOB, self.calendar.local_date(at), worker, at):
                return RetentionRun(at=at, skipped=True)
            done, deleted, held = [], [], []
            for expired in uow.records.expired(cutoff):
                if expired.held:
                    held.append(expired.reference)
                    continue
                case = uow.cases.get(expired.case_id)
                self._anonymise(uow, case, HowAnonymised.RETENTION, "system", at, None)
                if retention.keep_anonymised:
                    done.append(case.reference)
                else:
                    uow.records.delete_case(expired.case_id)
                    deleted.append(case.reference)
            pruned = uow.records.prune_delivered_outbox(
                at - timedelta(days=retention.delivered_outbox_days))
            uow.commit()
        return RetentionRun(at=at, anonymised=tuple(done), deleted=tuple(deleted),
                            held=tuple(held), outbox_pruned=pruned)

    def erase_case(self, reference: str, *, reason: str, by: str = OPERATOR) -> Case:
        """Anonymise one case now (an erasure request); refused on hold or while open."""
        why = text_field(reason, "reason", limit=500) or ""
        now = self._now()
        with self.uow() as uow:
            case = self._case(uow, reference)
            assert case.id is not None
            if uow.records.is_held(case.id):
                raise NotAllowed(f"{case.reference} is on legal hold: release it first "
                                 "(`complaints-bot records release REF`).")
            if uow.records.anonymised_at(case.id) is not None:
                raise InvalidTransition(f"{case.reference} is already anonymised.")
            if case.is_open:
                raise InvalidTransition(f"{case.reference} is still open: withdraw it first, "
                                        "then erase it.")
            after = self._anonymise(uow, case, HowAnonymised.ERASURE, by, now, why)
            uow.commit()
            return after

    def _anonymise(self, uow: UnitOfWork, case: Case, how: HowAnonymised, actor: str,
                   at: datetime, reason: str | None) -> Case:
        assert case.id is not None
        history = uow.cases.history(case.id)
        secrets = personal_values(case, history)
        after = anonymised_case(case)
        uow.records.anonymise(case, after, secrets, how=how, at=at)
        details = {"how": how.value}
        if reason:
            details["reason"] = scrub(reason, secrets)
        record(after, "anonymised", actor=actor, at=at, details=details)
        uow.cases.append_history(after)
        return after

    # -- subject access

    def export_records(self, match_by: MatchBy, value: str, *, by: str = OPERATOR,
                       requested_by: str | None = None) -> Export:
        """Every case holding the person's data, as recorded now; the export is recorded."""
        now = self._now()
        with self.uow() as uow:
            self._may(uow, by, EXPORT_ROLES, "Subject-access exports are for directors and "
                                             "the HR manager.")
            cases = self._matching(uow, match_by, value)
            actor_detail = {"requested_by": requested_by} if requested_by else {}
            export_id = uow.records.record_export(at=now, by=by, match_by=match_by,
                                                  references=[c.reference for c in cases])
            exported = []
            for case in cases:
                assert case.id is not None
                record(case, "exported", actor=by, at=now,
                       details={"export": export_id, "matched_by": match_by.value,
                                **actor_detail})
                uow.cases.append_history(case)
                history = uow.cases.history(case.id)
                file = build_case_file(case, history, personal=True)
                exported.append(ExportedCase(case.reference, case_file_json(file, history),
                                             tuple(uow.letters.for_case(case.id))))
            uow.commit()
        return Export(export_id=export_id, at=now, by=by, match_by=match_by,
                      cases=tuple(exported))

    def _matching(self, uow: UnitOfWork, match_by: MatchBy, value: str) -> list[Case]:
        text = " ".join(value.split())
        if not text:
            raise IntakeInvalid({match_by.value: "say whose records to export"})
        if match_by is MatchBy.REFERENCE:
            return [self._case(uow, text)]
        if match_by is MatchBy.EMAIL:
            if "@" not in text:
                raise IntakeInvalid({"email": f"{text!r} is not an email address"})
            keys: tuple[str, ...] = (fold(text),)
        elif match_by is MatchBy.PHONE:
            try:
                keys = (phone_key(text),)
            except ValueError:
                raise IntakeInvalid({"phone": f"{text!r} is not a phone number"}) from None
        else:
            try:
                keys = query_keys(text)
            except ValueError as exc:
                raise IntakeInvalid({"name": str(exc)}) from None
        found = [uow.cases.get(i) for i in uow.cases.search(keys, limit=MAX_MATCHES)]
        return sorted((c for c in found
                       if _holds(_details_held(c, uow.cases.history(c.id or 0)), match_by,
                                 keys[0], text)),
                      key=lambda c: c.id or 0)

    # -- who looked at what

    def access_log(self, *, viewer: str = OPERATOR, reference: str | None = None,
                   person: str | None = None, start: datetime | None = None,
                   end: datetime | None = None) -> Sequence[AccessEntry]:
        """Every view of personal data, search hit and export, oldest first."""
        with self.reader() as uow:
            self._may(uow, viewer, ACCESS_LOG_ROLES, "The access log is for the HR manager.")
            ref = None
            if reference:
                ref = self._case(uow, reference).reference
            return list(uow.records.access_log(reference=ref, actor=person, start=start,
                                               end=end))

    # -- shared

    @staticmethod
    def _case(uow: UnitOfWork, reference: str) -> Case:
        try:
            return uow.cases.get_by_reference(reference.strip().upper())
        except NotFound:
            raise NotFound(f"No case {reference.strip().upper()}.") from None

    @staticmethod
    def _may(uow: UnitOfWork, actor: str, roles: frozenset[Role], refusal: str) -> None:
        if actor != OPERATOR and not uow.roles.roles_of(actor) & roles:
            raise NotAllowed(refusal)


def _details_held(case: Case, history: Iterable[HistoryEvent]) -> list[Mapping[str, Any]]:
    """The complainant's details as recorded now, and as they were before each correction."""
    held: list[Mapping[str, Any]] = [case.intake.model_dump(mode="json")]
    held += [e.details["old"] for e in history
             if e.action == "details_edited" and isinstance(e.details.get("old"), dict)]
    return held


def _holds(held: list[Mapping[str, Any]], match_by: MatchBy, key: str, text: str) -> bool:
    """Whether the case really holds the person's detail (the index matches prefixes), now
    or before a correction: a subject-access request by an old email still finds it."""
    for details in held:
        value = details.get({MatchBy.EMAIL: "email", MatchBy.PHONE: "phone"}.get(
            match_by, "complainant_name"))
        if not isinstance(value, str) or not value:
            continue
        if match_by is MatchBy.EMAIL and fold(value) == key:
            return True
        if match_by is MatchBy.PHONE and _phone_key(value) == key:
            return True
        if match_by not in (MatchBy.EMAIL, MatchBy.PHONE) and fold(value) == fold(text):
            return True
    return False


def _phone_key(value: str) -> str | None:
    try:
        return phone_key(value)
    except ValueError:
        return None
