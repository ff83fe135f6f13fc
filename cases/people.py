"""People, not platform ids: a person has an internal id and linked accounts.

A person id is opaque to the rest of the core: use cases compare and store it, never
parse it. Accounts are how a surface knows the person: ``slack:U012ABC`` today,
``teams:…`` and ``email:ada@example.com`` later. Each account belongs to one person.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from cases.errors import DomainError

# A Slack user id as Slack writes it: U… (or W… on Enterprise Grid), upper case.
SLACK_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
# Person ids: "P-" and 10 lower-case hex digits; never mistaken for a Slack id.
PERSON_ID = re.compile(r"P-[0-9a-f]{10}")
MAX_PERSON_ID = 32
MAX_DISPLAY_NAME = 255
MAX_EXTERNAL_ID = 255
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class AccountKind(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    EMAIL = "email"


class AccountTaken(DomainError):
    """The account is already linked to another person."""


@dataclass(frozen=True)
class Account:
    """One way a surface knows a person: a kind and the id that surface uses."""

    kind: AccountKind
    external_id: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.external_id}"


@dataclass(frozen=True)
class Person:
    id: str
    display_name: str
    accounts: tuple[Account, ...] = ()

    def account(self, kind: AccountKind) -> Account | None:
        """The person's first account of ``kind``, if linked."""
        return next((a for a in self.accounts if a.kind is kind), None)


def new_person_id() -> str:
    """A fresh opaque person id (``P-`` and 10 lower-case hex digits)."""
    return f"P-{secrets.token_hex(5)}"


def is_slack_user_id(text: str) -> bool:
    """Is ``text`` exactly a Slack user id (``U…`` or ``W…``, upper case)?"""
    return SLACK_USER_ID.fullmatch(text) is not None


def validate_account(kind: AccountKind, external_id: str) -> Account:
    """The account, normalised; ValueError names what is wrong."""
    value = external_id.strip()
    if kind is AccountKind.SLACK:
        if not is_slack_user_id(value):
            raise ValueError(f"{external_id!r} is not a Slack user id (e.g. U012ABC)")
    elif kind is AccountKind.EMAIL:
        value = value.lower()
        if not _EMAIL.fullmatch(value):
            raise ValueError(f"{external_id!r} is not an email address")
    elif not value or any(ch.isspace() for ch in value):
        raise ValueError(f"{external_id!r} is not a {kind.value} id")
    if len(value) > MAX_EXTERNAL_ID:
        raise ValueError(f"a {kind.value} id has at most {MAX_EXTERNAL_ID} characters")
    return Account(kind, value)


def parse_account(text: str) -> Account:
    """Read ``slack:U012ABC``, ``teams:…`` or ``email:ada@example.com``.

    A bare Slack user id (``U012ABC``) is a Slack account, as the CLI always accepted.
    """
    cleaned = text.strip()
    if is_slack_user_id(cleaned):
        return Account(AccountKind.SLACK, cleaned)
    prefix, sep, rest = cleaned.partition(":")
    try:
        kind = AccountKind(prefix.lower())
    except ValueError:
        kind = None
    if not sep or kind is None:
        choices = ", ".join(f"{k.value}:…" for k in AccountKind)
        raise ValueError(f"{text!r} is not an account: write {choices}")
    return validate_account(kind, rest)


def format_account(account: Account) -> str:
    """The account as the CLI and logs write it: ``kind:external_id``."""
    return str(account)
