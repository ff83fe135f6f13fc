"""Messages and App Home, by the names the rest of the adapter has always imported.

The builders live in small modules: ``card`` (the case card, the decision), ``direct``
(timeline lines, direct messages), ``home`` (App Home, lists, help), ``alerts``.
"""

from __future__ import annotations

from cases.audience import DIRECTORS_EVENTS
from handlers.blocks.card import (
    Message,
    case_card_message,
    deadline_line,
    decision_message,
    tracker_line,
)
from handlers.blocks.direct import (
    changes_requested_dm,
    direct_message,
    dm_message,
    investigator_assigned_dm,
    logged_dm,
    person_informed_dm,
    person_responded_dm,
    review_delegated_dm,
    timeline_line_text,
    timeline_text,
)
from handlers.blocks.home import case_list_text, help_text, home_view

__all__ = [
    "DIRECTORS_EVENTS",
    "Message",
    "case_card_message",
    "case_list_text",
    "changes_requested_dm",
    "deadline_line",
    "decision_message",
    "direct_message",
    "dm_message",
    "help_text",
    "home_view",
    "investigator_assigned_dm",
    "logged_dm",
    "person_informed_dm",
    "person_responded_dm",
    "review_delegated_dm",
    "timeline_line_text",
    "timeline_text",
    "tracker_line",
]
