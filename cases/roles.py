"""Who may do what: organisation roles and the roles a user has on one case."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    # Organisation roles, stored in the database and managed with `complaints-bot roles`.
    CUSTOMER_SERVICES = "customer-services"
    DIRECTOR = "director"
    HR_MANAGER = "hr-manager"
    # "Suitably senior" staff a director may delegate a Stage Two review to.
    SENIOR = "senior"
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


ORGANISATION_ROLES: tuple[Role, ...] = (
    Role.CUSTOMER_SERVICES, Role.DIRECTOR, Role.HR_MANAGER, Role.SENIOR)

SYSTEM_ACTOR = "system"


def parse_organisation_role(text: str) -> Role:
    """Read a role name as typed on the command line; errors list the choices."""
    cleaned = text.strip().lower().replace("_", "-")
    for role in ORGANISATION_ROLES:
        if role.value == cleaned:
            return role
    choices = ", ".join(r.value for r in ORGANISATION_ROLES)
    raise ValueError(f"unknown role {text!r}: choose one of {choices}")


ROLE_WORDS: dict[Role, str] = {
    Role.CUSTOMER_SERVICES: "customer services", Role.DIRECTOR: "a director",
    Role.HR_MANAGER: "the HR manager", Role.SENIOR: "senior staff",
    Role.OWNER: "the case owner", Role.INVESTIGATOR: "the investigator",
    Role.REVIEWER: "the reviewer", Role.DELEGATE: "the delegate",
    Role.LOGGER: "the person who logged it", Role.SUBJECT: "the person it is about",
    Role.STAFF: "any member of staff", Role.SYSTEM: "the desk itself",
}


def who_may(roles: frozenset[Role]) -> str:
    """The people a row is for, in words: 'the reviewer or the delegate'."""
    words = [ROLE_WORDS[r] for r in Role if r in roles]
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


SHORT_WORDS: dict[Role, str] = {
    Role.CUSTOMER_SERVICES: "customer services", Role.DIRECTOR: "director",
    Role.OWNER: "owner", Role.INVESTIGATOR: "investigator", Role.REVIEWER: "reviewer",
    Role.DELEGATE: "delegate", Role.SUBJECT: "named person",
}


def short_who(roles: frozenset[Role]) -> str:
    """Who a button is for, as a label suffix: 'director', 'reviewer or delegate'."""
    return " or ".join(SHORT_WORDS.get(r, r.value) for r in Role if r in roles)
