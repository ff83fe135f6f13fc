"""Correcting the record: edit intake details (old and new kept), reassign a part of the case.

Neither moves the case through the procedure, so neither is a row of the state machine:
each is one recorded event (``lifecycle.record``) saved under the version check, with
the card re-rendered. A new investigator or delegate goes through their own table row
(``assign_investigator``, ``delegate_review``: guards and roles as ever); the owner has
none, so it is checked here. The person the complaint is about takes no part
(``cases.subject``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cases import subject
from cases.errors import ConcurrentChange, IntakeInvalid, InvalidTransition, NotAllowed
from cases.intake import IntakeRecord, parse_intake
from cases.lifecycle import Action, record, roles_on_case
from cases.model import Case, Notice
from cases.roles import Role
from cases.steps import Given
from cases.usecases.common import DeskBase, card, direct, person_field, text_field
from cases.wording import Template

# Intake fields a correction may change. Not the received time (it would move every
# deadline), the person it is about (it would change who may know), nor the checklist.
EDITABLE = ("complainant_name", "organisation", "email", "phone", "postal_address",
            "relationship", "relationship_other", "channel", "category", "facts",
            "remedy_sought")
CORRECTORS = frozenset({Role.CUSTOMER_SERVICES, Role.DIRECTOR, Role.OWNER})
PARTS = {"owner": "owner", "investigator": "investigator", "delegate": "Stage Two delegate"}
REASSIGNED = Template.REASSIGNED  # the DM template and the history event


def _check_version(case: Case, label: str, expected: int | None) -> None:
    if expected is not None and case.version != expected:
        raise InvalidTransition(
            f"{case.reference} has changed since it was shown to you; your “{label}” was "
            "not applied. Open the case file again and retry if it still applies.",
            last_actor=case.last_actor, last_at=case.last_action_at)


def _blank(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


class Corrections(DeskBase):
    def edit_details(self, case_id: int, *, actor: str, changes: dict[str, Any], reason: str,
                     expected_version: int | None = None) -> Case:
        """Correct intake fields, with a reason; the history keeps old and new values."""
        why = text_field(reason, "reason")
        unknown = sorted(set(changes) - set(EDITABLE))
        if unknown:
            raise IntakeInvalid({unknown[0]: "this cannot be corrected here"})
        now = self._now()
        with self.uow() as uow:
            case, roles = uow.cases.get_with_roles(case_id, actor)
            self._may_correct(case, actor, roles, "Edit details")
            _check_version(case, "Edit details", expected_version)
            old = case.intake.model_dump(mode="json")
            intake = parse_intake({**old, **{k: _blank(v) for k, v in changes.items()}})
            new = intake.model_dump(mode="json")
            changed = [k for k in EDITABLE if old.get(k) != new.get(k)]
            if not changed:
                raise IntakeInvalid({"reason": "nothing was changed"})
            case.intake = IntakeRecord.model_validate(new)
            record(case, "details_edited", actor=actor, at=now, details={
                "fields": changed, "old": {k: old.get(k) for k in changed},
                "new": {k: new.get(k) for k in changed}, "reason": why})
            return self._save(uow, case, [])

    def reassign(self, case_id: int, *, actor: str, part: str, person: str,
                 reason: str | None = None, expected_version: int | None = None) -> Case:
        """Give the owner, investigator or delegate part to ``person``; both are told."""
        if part not in PARTS:
            raise IntakeInvalid({part: "choose the owner, investigator or delegate"})
        chosen = person_field(person, part)
        why = text_field(reason, "reason", required=False)
        if part == "owner":
            return self._reassign_owner(case_id, actor, chosen, why, expected_version)
        action = Action.ASSIGN_INVESTIGATOR if part == "investigator" else Action.DELEGATE_REVIEW

        def fill(case: Case, now: datetime) -> tuple[dict[str, Any], list[Notice]]:
            previous = getattr(case, part)
            setattr(case, part, chosen)
            return ({part: chosen, "previous": previous, "reason": why},
                    self._told(case, part, chosen, previous, actor))

        return self._change(case_id, action, actor, fill, given=Given(person=chosen),
                            expected_version=expected_version)

    def _reassign_owner(self, case_id: int, actor: str, person: str, why: str | None,
                        expected_version: int | None) -> Case:
        now = self._now()
        with self.uow() as uow:
            case, roles = uow.cases.get_with_roles(case_id, actor)
            self._may_correct(case, actor, roles, "Reassign")
            _check_version(case, "Reassign", expected_version)
            subject.refuse_naming(case, person, "owner")
            previous = case.owner
            if previous == person:
                raise IntakeInvalid({"owner": "they already own this case"})
            case.owner = person
            record(case, REASSIGNED, actor=actor, at=now, details={
                "owner": person, "previous": previous, "reason": why})
            return self._save(uow, case, self._told(case, "owner", person, previous, actor))

    def _may_correct(self, case: Case, actor: str, org_roles: frozenset[Role],
                     label: str) -> None:
        roles = roles_on_case(actor, case, org_roles)
        subject.refuse_acting(case, label, CORRECTORS, roles)
        if not roles & CORRECTORS:
            raise NotAllowed(f"“{label}” on {case.reference} needs: customer services, a "
                             "director or the case's owner.")

    @staticmethod
    def _told(case: Case, part: str, person: str, previous: str | None,
              actor: str) -> list[Notice]:
        notices = [direct(case, person, REASSIGNED, part=part, side="new", by=actor)]
        if previous and previous != person:
            notices.append(direct(case, previous, REASSIGNED, part=part, side="previous",
                                  by=actor, to=person))
        return notices

    def _save(self, uow: Any, case: Case, notices: list[Notice]) -> Case:
        try:
            uow.cases.save(case)
        except ConcurrentChange:
            uow.rollback()
            raise
        uow.outbox.add([card(case), *notices])
        uow.commit()
        return case
