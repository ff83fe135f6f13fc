"""What every listener is given: the use cases, the clock, the calendar, the policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cases.audience import Audience
from cases.clock import Clock
from cases.letters import LetterWriter
from cases.model import Case
from cases.policy import Policy
from cases.records import CaseFilePdf
from cases.services import ComplaintsDesk
from cases.views import DisplayCalendar, case_card_view
from handlers.memo import LastMade
from handlers.people import SlackPeople


@dataclass(frozen=True)
class HandlerDeps:
    desk: ComplaintsDesk
    clock: Clock
    calendar: DisplayCalendar
    policy: Policy
    wake: Callable[[], None]
    # The letters surface, for previews and posted PDFs; None: the modals offer no letter.
    letters: LetterWriter | None = None
    # Renders a readable PDF of each case in a subject-access export; None: JSON and text.
    exports: CaseFilePdf | None = None
    people: SlackPeople = field(default=None)  # type: ignore[assignment]  # set below
    # The blank intake modal as sent, kept for the second it shows (handlers.listeners.intake).
    blank_intake: LastMade = field(default_factory=LastMade, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.people is None:
            object.__setattr__(self, "people", SlackPeople(self.desk))

    def card(self, case: Case, audience: Audience = Audience.CUSTOMER_SERVICES) -> Any:
        """The case card's view model as ``audience``'s card shows it now."""
        return case_card_view(case, self.clock.now(), self.calendar, self.policy,
                              surface=audience)
