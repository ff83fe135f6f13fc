"""Listeners, one small module per family; each has ``register(app, deps)``.

Families register on ``handlers.routes.Routes``, which bolt sees as a few listeners.
Each listener: payload -> typed command -> use case (``cases.services.ComplaintsDesk``)
-> answer. Refusals are worded in ``handlers.answers``; acting users are read by
``handlers.identity``.
"""

from __future__ import annotations

from slack_bolt import App

from handlers.deps import HandlerDeps
from handlers.handoff import HandOff
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
from handlers.routes import Routes

FAMILIES = (commands, shortcuts, intake, step_buttons, step_submissions, case_buttons, home,
            casefile, corrections, attach, letters, report, errors)


def register_all(app: App, deps: HandlerDeps, handoff: HandOff) -> None:
    """Register every listener family on ``app``: buttons, modals and shortcuts through one
    routing table each (``handlers.routes``), commands and events as bolt listeners; each
    runs through ``handoff`` (``handlers.handoff``)."""
    routes = Routes(app, handoff)
    for family in FAMILIES:
        family.register(routes, deps)
    routes.install()
