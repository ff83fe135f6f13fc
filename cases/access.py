"""Need-to-know: who may see a case, and who may see the complainant's personal data."""

from __future__ import annotations

from cases import subject
from cases.lifecycle import roles_on_case
from cases.model import Case
from cases.roles import Role

_PERSONAL_DATA_ROLES = frozenset({
    Role.CUSTOMER_SERVICES, Role.DIRECTOR, Role.HR_MANAGER, Role.OWNER, Role.INVESTIGATOR,
    Role.REVIEWER, Role.DELEGATE, Role.LOGGER,
})


def may_see_personal_data(user_id: str, case: Case, org_roles: frozenset[Role]) -> bool:
    """Address, email, phone and facts: the case team and the complaint's owners only.

    The staff member a complaint is about never sees them, whatever else they are
    (``cases.subject``): they see only what concerns their own response.
    """
    roles = roles_on_case(user_id, case, org_roles)
    return subject.may_see_personal_data(roles) and bool(roles & _PERSONAL_DATA_ROLES)


def may_see_case(user_id: str, case: Case, org_roles: frozenset[Role]) -> bool:
    """The card's non-personal summary: the case team, never the person it is about.

    They are told by direct message and answer from there (``cases.subject``).
    """
    roles = roles_on_case(user_id, case, org_roles)
    return subject.may_view_case(roles) and bool(roles & _PERSONAL_DATA_ROLES)
