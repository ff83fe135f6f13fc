"""Who is acting, and who was chosen: the one place a Slack user id is read from a payload.

Today a person is known by their Slack user id; when people get internal ids, this is
where a Slack id becomes one (the rest of the adapter only ever asks these functions).
"""

from __future__ import annotations

import re
from typing import Any

from handlers.payloads import BadPayload

# U… for users, W… for Enterprise Grid users; upper-case letters and digits.
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{1,31}")


def is_slack_user(value: object) -> bool:
    """Does ``value`` look like a Slack user id?"""
    return isinstance(value, str) and _SLACK_USER.fullmatch(value) is not None


def actor_of(body: Any) -> str:
    """The person who clicked, typed or submitted; BadPayload if the payload names nobody."""
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


def person_of(selected: Any) -> str | None:
    """The person chosen in a user-select field (owner, investigator, delegate, subject).

    None when nobody is chosen; ValueError when the value is not a person.
    """
    if selected is None or selected == "":
        return None
    if not is_slack_user(selected):
        raise ValueError("choose a person from the list")
    return str(selected)
