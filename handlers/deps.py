"""What every listener is given: the use cases, the clock, the calendar, the policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cases.clock import Clock
from cases.letters import LetterWriter
from cases.model import Case
from cases.policy import Policy
from cases.services import ComplaintsDesk
from cases.views import DisplayCalendar, Surface, case_card_view


@dataclass(frozen=True)
class HandlerDeps:
    desk: ComplaintsDesk
    clock: Clock
    calendar: DisplayCalendar
    policy: Policy
    wake: Callable[[], None]
    # The letters surface, for previews and posted PDFs; None: the modals offer no letter.
    letters: LetterWriter | None = None

    def card(self, case: Case, surface: Surface = "cs") -> Any:
        """The case card's view model as ``surface`` shows it now."""
        return case_card_view(case, self.clock.now(), self.calendar, self.policy,
                              surface=surface)
