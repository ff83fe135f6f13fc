"""What every Teams handler is given."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from microsoft_agents.activity import Activity, InvokeResponse
from microsoft_agents.hosting.core import TurnContext

from cases.clock import Clock
from cases.letters import LetterWriter
from cases.policy import Policy
from cases.services import ComplaintsDesk
from cases.views import DisplayCalendar
from teams.answers import Refusal, refusal_text
from teams.channels import TeamsChannels
from teams.ids import CARD_CONTENT_TYPE
from teams.people import TeamsPeople
from teams.ports import ConversationStore, Directory, TeamMembers

T = TypeVar("T")


@dataclass(frozen=True)
class TeamsDeps:
    desk: ComplaintsDesk
    clock: Clock
    calendar: DisplayCalendar
    policy: Policy
    wake: Callable[[], None]
    store: ConversationStore
    directory: Directory
    channels: TeamsChannels
    # The letters surface's previews and PDFs (None: this desk writes no letters).
    letters: LetterWriter | None = None
    # Records the team's members as people (None: members are not learnt).
    members: TeamMembers | None = None

    @property
    def people(self) -> TeamsPeople:
        return TeamsPeople(self.desk, self.store)

    def refusal(self, error: Refusal) -> str:
        """Why it was not done (and who changed the case last, when that is why)."""
        return refusal_text(error, self.calendar, self.people)

    def choices(self) -> list[tuple[str, str]]:
        return list(self.directory.choices())

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking work (the desk, the database) off the event loop."""
        return await asyncio.to_thread(work, *args, **kwargs)


async def answer_invoke(context: TurnContext, body: Any, status: int = 200) -> None:
    """The invoke's synchronous answer (a dialog, a card, a message)."""
    await context.send_activity(Activity(type="invokeResponse",
                                         value=InvokeResponse(status=status, body=body)))


def dialog(title: str, card: dict[str, Any]) -> dict[str, Any]:
    """A task module answer: show ``card`` in a dialog titled ``title``."""
    return {"task": {"type": "continue", "value": {
        "title": title[:60], "width": "medium", "height": "large",
        "card": {"contentType": CARD_CONTENT_TYPE, "content": card}}}}


def closing(message: str) -> dict[str, Any]:
    """A task module answer: close the dialog, telling the person ``message``."""
    return {"task": {"type": "message", "value": message}}
