"""Listeners, one small module per family; each has ``register(app, deps)``.

Each listener: payload -> typed command -> use case (``cases.services.ComplaintsDesk``)
-> answer. Refusals are worded in ``handlers.answers``; acting users are read by
``handlers.identity``.
"""

from __future__ import annotations

from slack_bolt import App

from handlers.deps import HandlerDeps
from handlers.listeners import (
    attach,
    case_buttons,
    casefile,
    commands,
    corrections,
    errors,
    home,
    intake,
    letters,
    report,
    shortcuts,
    step_buttons,
    step_submissions,
)

FAMILIES = (commands, shortcuts, intake, step_buttons, step_submissions, case_buttons, home,
            casefile, corrections, attach, letters, report, errors)


def register_all(app: App, deps: HandlerDeps) -> None:
    """Register every listener family on ``app``."""
    for family in FAMILIES:
        family.register(app, deps)
