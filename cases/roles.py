"""Who may do what: organisation roles and the roles a user has on one case."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    # Organisation roles, stored in the database and managed with `complaints-bot roles`.
    CUSTOMER_SERVICES = "customer-services"
    DIRECTOR = "director"
    HR_MANAGER = "hr-manager"
    # Case roles, derived from the case itself.
    OWNER = "owner"
    INVESTIGATOR = "investigator"
    REVIEWER = "reviewer"
    DELEGATE = "delegate"
    LOGGER = "logger"
    SUBJECT = "subject"
    # Everyone in the workspace, and the bot's own sweeps.
    STAFF = "staff"
    SYSTEM = "system"


ORGANISATION_ROLES: tuple[Role, ...] = (Role.CUSTOMER_SERVICES, Role.DIRECTOR, Role.HR_MANAGER)

SYSTEM_ACTOR = "system"


def parse_organisation_role(text: str) -> Role:
    """Read a role name as typed on the command line; errors list the choices."""
    cleaned = text.strip().lower().replace("_", "-")
    for role in ORGANISATION_ROLES:
        if role.value == cleaned:
            return role
    choices = ", ".join(r.value for r in ORGANISATION_ROLES)
    raise ValueError(f"unknown role {text!r}: choose one of {choices}")
