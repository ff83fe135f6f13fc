"""The Teams bot: an ``AgentApplication`` whose routes parse activities into use cases."""

from __future__ import annotations

from typing import Any

from microsoft_agents.hosting.core import (
    AgentApplication,
    Connections,
    MemoryStorage,
    TurnContext,
    TurnState,
)

from teams import commands, file_consent, invokes
from teams.deps import TeamsDeps


def build_agent(deps: TeamsDeps, connections: Connections) -> AgentApplication[TurnState]:
    """The application with one route per kind of activity the bot answers."""
    app: AgentApplication[TurnState] = AgentApplication[TurnState](
        storage=MemoryStorage(), connection_manager=connections)

    @app.activity("message")
    async def handle_teams_message(context: TurnContext, state: TurnState) -> None:
        await commands.handle_message(deps, context)

    @app.activity("conversationUpdate")
    async def handle_teams_conversation_update(context: TurnContext, state: TurnState) -> None:
        await commands.handle_conversation_update(deps, context)

    @app.invoke("task/fetch")
    async def handle_teams_task_fetch(context: TurnContext, state: TurnState) -> None:
        await invokes.handle_task_fetch(deps, context)

    @app.invoke("task/submit")
    async def handle_teams_task_submit(context: TurnContext, state: TurnState) -> None:
        await invokes.handle_task_submit(deps, context)

    @app.invoke("composeExtension/fetchTask")
    async def handle_teams_extension_fetch(context: TurnContext, state: TurnState) -> None:
        await invokes.handle_extension_fetch(deps, context)

    @app.invoke("composeExtension/submitAction")
    async def handle_teams_extension_submit(context: TurnContext, state: TurnState) -> None:
        await invokes.handle_task_submit(deps, context)

    @app.invoke("adaptiveCard/action")
    async def handle_teams_card_action(context: TurnContext, state: TurnState) -> None:
        await invokes.handle_execute(deps, context)

    @app.invoke("fileConsent/invoke")
    async def handle_teams_file_consent(context: TurnContext, state: TurnState) -> None:
        await file_consent.handle_file_consent(deps, context)

    @app.error
    async def handle_teams_error(context: TurnContext, error: Exception) -> None:
        _log_error(error)

    return app


def _log_error(error: Exception) -> Any:
    import logging
    import uuid

    ref = uuid.uuid4().hex[:8]
    logging.getLogger(__name__).error("Teams turn failed (ref %s): %s", ref,
                                      type(error).__name__, exc_info=error)
    return ref
