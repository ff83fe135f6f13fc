"""The one place that words a refusal on Teams, as ``handlers/answers.py`` does on Slack:
why, and for a change that no longer applies, who changed the case last and when."""

from __future__ import annotations

from cases.errors import DomainError, InvalidTransition
from cases.views import DisplayCalendar
from teams.people import BadActivity, TeamsPeople

Refusal = DomainError | BadActivity
UNREADABLE = ("This could not be read, so nothing was done ({why}). Close it and try again "
              "from the case card or by sending me `help`.")


def refusal_text(error: Refusal, calendar: DisplayCalendar, people: TeamsPeople) -> str:
    """A private one-liner for a stale button, a role refusal or an unreadable request."""
    if isinstance(error, BadActivity):
        return UNREADABLE.format(why=error)
    if isinstance(error, InvalidTransition) and error.last_actor:
        when = ""
        if error.last_at is not None:
            local = calendar.local(error.last_at)
            when = f" at {local:%H:%M} on {local:%a %d %b}"
        who = "the bot" if error.last_actor == "system" else \
            people.names([error.last_actor])(error.last_actor)
        return f"{error} Last change by {who}{when}."
    return str(error)
