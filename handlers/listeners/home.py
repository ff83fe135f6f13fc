"""App Home: my cases, and what is overdue for those with a role."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from cases.views import home_view_model
from handlers import blocks
from handlers.blocks.queues import queue_blocks
from handlers.deps import HandlerDeps
from handlers.identity import actor_of
from handlers.routes import Routes


def register(app: Routes, deps: HandlerDeps) -> None:
    @app.event("app_home_opened")
    def handle_event_app_home_opened(body: dict[str, Any], event: dict[str, Any],
                                     client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user = actor_of(body, deps.people)
        desk = deps.desk
        cases = list(desk.list_cases(viewer=user, which="mine"))
        if desk.roles_of(user):
            seen = {c.id for c in cases}
            cases += [c for c in desk.list_cases(viewer=user, which="overdue")
                      if c.id not in seen]
        model = home_view_model(cases, deps.clock.now(), deps.calendar, deps.policy, user)
        queues = queue_blocks(desk.work_queues(viewer=user, calendar=deps.calendar))
        client.views_publish(user_id=user, view=blocks.home_view(model, queues))
