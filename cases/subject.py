"""The person a complaint is about: the procedure's one rule for them, in one place.

"If the complaint relates to a specific person ... they will be informed and given a
further opportunity to respond", and complaints are handled "informing only those who
need to know". So the person a complaint is about gives their own response and takes no
other part: whatever else they are (customer services, a director), they do not run,
steer, investigate, review or approve their own case, and they never see the
complainant's personal data.
"""

from __future__ import annotations

from collections.abc import Iterable

from cases.errors import IntakeInvalid, NotAllowed
from cases.model import Case
from cases.roles import Role

# What naming them to a part of the case would have them do, for the form's error.
_PARTS = {
    "investigator": "choose someone else to investigate",
    "reviewer": "they cannot review it",
    "delegate": "they cannot review it",
}


def is_about(case: Case, person: str | None) -> bool:
    """True if ``person`` is the staff member the complaint is about."""
    return bool(person) and person == case.intake.subject_user_id


def named_person(case: Case) -> str | None:
    """The member of staff the complaint is about, if it is about one."""
    return case.intake.subject_user_id or None


def names_a_person(case: Case) -> bool:
    """True if the complaint is about a specific member of staff."""
    return named_person(case) is not None


def refuse_acting(case: Case, label: str, row_roles: Iterable[Role],
                  roles: frozenset[Role]) -> None:
    """NotAllowed if the person the complaint is about tries anything but their response."""
    allowed = frozenset(row_roles)
    if Role.SUBJECT not in roles or Role.SUBJECT in allowed:
        return
    by = "another director" if allowed == {Role.DIRECTOR} else "someone else"
    raise NotAllowed(
        f"{case.reference} is a complaint about you, so “{label}” must be done by {by}; "
        "you are asked for your own response."
    )


def refuse_naming(case: Case, person: str, field: str) -> None:
    """IntakeInvalid if a form names the person the complaint is about to a part of it."""
    if is_about(case, person):
        raise IntakeInvalid({field: "the complaint is about this person; "
                                    + _PARTS.get(field, "choose someone else")})


def may_see_personal_data(roles: frozenset[Role]) -> bool:
    """False for the person the complaint is about, whatever their other roles."""
    return Role.SUBJECT not in roles
