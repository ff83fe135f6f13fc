"""Who is acting, and who was chosen: the one place a Slack user id is read from a payload.

A Slack user id becomes a person id here (``handlers.people.SlackPeople``): the rest
of the adapter, and the core, only ever see person ids.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from handlers.payloads import BadPayload

# U… for users, W… for Enterprise Grid users; upper-case letters and digits.
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,31}")
_NAME_MAX = 255


class People(Protocol):
    """Slack id -> person id (``handlers.people.SlackPeople``)."""

    def person_for(self, slack_id: str, display_name: str | None = None) -> str: ...


def is_slack_user(value: object) -> bool:
    """Does ``value`` look like a Slack user id?"""
    return isinstance(value, str) and _SLACK_USER.fullmatch(value) is not None


def _name_of(body: dict[str, Any]) -> str | None:
    """The sender's name as the payload gives it (display names are not sent)."""
    user = body.get("user")
    name = (user.get("name") or user.get("username")) if isinstance(user, dict) else None
    name = name or body.get("user_name")  # slash commands
    return name[:_NAME_MAX] if isinstance(name, str) and name.strip() else None


def slack_user_of(body: Any) -> str:
    """The Slack id of whoever sent the payload; BadPayload if the payload names nobody."""
    if isinstance(body, dict):
        user = body.get("user")
        found = user.get("id") if isinstance(user, dict) else user
        if found is None:
            found = body.get("user_id")  # slash commands
        if found is None and isinstance(body.get("event"), dict):
            found = body["event"].get("user")  # events (App Home)
        if is_slack_user(found):
            return str(found)
    raise BadPayload("this request does not say who sent it")


def actor_of(body: Any, people: People) -> str:
    """The person who clicked, typed or submitted; BadPayload if the payload names nobody."""
    slack_id = slack_user_of(body)
    return people.person_for(slack_id, _name_of(body))


def person_of(selected: Any, people: People | None) -> str | None:
    """The person chosen in a user-select field (owner, investigator, delegate, subject).

    None when nobody is chosen; ValueError when the value is not a person.
    """
    if selected is None or selected == "":
        return None
    if not is_slack_user(selected):
        raise ValueError("choose a person from the list")
    if people is None:
        raise ValueError("this choice could not be read; please choose again")
    return people.person_for(str(selected))
