"""Outgoing calls to the Bot Connector, through the SDK's adapter and its connection manager.

The outbox dispatcher runs in its own thread; Teams' client is asyncio. Each call is run
on the Teams server's event loop and waited for, so a deliverer stays a plain function.
The adapter asks the connection manager for the token (MSAL client credentials in
production; in tests, a provider asking a local token endpoint).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any, TypeVar

from microsoft_agents.activity import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
)
from microsoft_agents.hosting.core import ChannelServiceAdapter, TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from teams.ids import CARD_CONTENT_TYPE

T = TypeVar("T")
CHANNEL_ID = "msteams"
AUDIENCE = "https://api.botframework.com"
CALL_TIMEOUT = 30.0  # seconds one Bot Connector call may take before the outbox retries it


@dataclass(frozen=True)
class Where:
    """A conversation on one Bot Connector service."""

    conversation_id: str
    service_url: str
    tenant_id: str | None = None


def card_activity(card: dict[str, Any], summary: str) -> Activity:
    """A message carrying one Adaptive Card (``summary`` is the notification's text)."""
    return Activity(type="message", summary=summary[:200],
                    attachments=[{"contentType": CARD_CONTENT_TYPE, "content": card}])


def text_activity(text: str) -> Activity:
    return Activity(type="message", text=text, text_format="markdown")


async def raise_turn_error(context: TurnContext, error: Exception) -> None:
    """The adapter's ``on_turn_error``: let the error reach whoever started the turn.

    The SDK's default posts "Exception caught: …" into the conversation (a channel, for a
    proactive post) and then fails building that reply, hiding the Bot Connector's answer.
    Raised instead, a proactive call's HTTP error reaches the outbox (``classify``) and an
    incoming turn's reaches the endpoint, which answers 500 and logs it; nothing is posted.
    """
    raise error


class TeamsConnector:
    """Send, reply, update and open personal chats, from any thread."""

    def __init__(self, adapter: ChannelServiceAdapter, app_id: str,
                 loop: Callable[[], asyncio.AbstractEventLoop]) -> None:
        self.adapter = adapter
        self.app_id = app_id
        self._loop = loop

    def _run(self, work: Awaitable[T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(
            work, self._loop())  # type: ignore[arg-type]
        try:
            return future.result(CALL_TIMEOUT)
        except FutureTimeout:
            future.cancel()
            raise TimeoutError("the Bot Connector did not answer in time") from None

    async def _with_client(self, where: Where,
                           call: Callable[[Any], Awaitable[T]]) -> T:
        found: list[T] = []

        async def callback(context: TurnContext) -> None:
            client = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
            if client is None:
                raise RuntimeError("the adapter gave no Bot Connector client")
            found.append(await call(client))

        continuation = Activity(
            type="event", name="ContinueConversation", channel_id=CHANNEL_ID,
            service_url=where.service_url,
            conversation=ConversationAccount(id=where.conversation_id,
                                             tenant_id=where.tenant_id))
        await self.adapter.continue_conversation(self.app_id, continuation, callback)
        return found[0]

    async def with_client(self, where: Where, call: Callable[[Any], Awaitable[T]]) -> T:
        """``call(client)`` with a Bot Connector client for ``where``, on the caller's loop
        (a command-line tool's own, not the server's)."""
        return await self._with_client(where, call)

    def send(self, where: Where, activity: Activity) -> str:
        """Post ``activity`` to the conversation (a channel: a new thread); its id."""
        async def call(client: Any) -> str:
            sent = await client.conversations.send_to_conversation(where.conversation_id,
                                                                   activity)
            return str(sent.id or "")
        return self._run(self._with_client(where, call))

    def reply(self, where: Where, thread_id: str, activity: Activity) -> str:
        """Post ``activity`` in the thread started by message ``thread_id``."""
        thread = Where(f"{where.conversation_id};messageid={thread_id}", where.service_url,
                       where.tenant_id)
        return self.send(thread, activity)

    def update(self, where: Where, activity_id: str, activity: Activity) -> None:
        """Replace message ``activity_id`` with ``activity``."""
        async def call(client: Any) -> None:
            activity.id = activity_id
            await client.conversations.update_activity(where.conversation_id, activity_id,
                                                       activity)
        self._run(self._with_client(where, call))

    def open_personal_chat(self, member_id: str, service_url: str,
                           tenant_id: str | None) -> str:
        """The personal chat's conversation id with the member ``member_id`` (29:…)."""
        found: list[str] = []

        async def callback(context: TurnContext) -> None:
            found.append(str(context.activity.conversation.id))

        params = ConversationParameters(is_group=False, tenant_id=tenant_id,
                                        members=[ChannelAccount(id=member_id)],
                                        agent=ChannelAccount(id=f"28:{self.app_id}"))
        self._run(self.adapter.create_conversation(self.app_id, CHANNEL_ID, service_url,
                                                   AUDIENCE, params, callback))
        return found[0]

    def channels_of(self, context: TurnContext, team_id: str) -> Awaitable[list[Any]]:
        """The team's channels (during an install turn)."""
        client: Any = context.services.get(ConnectorClientBase)
        return client.fetch_channel_list(team_id)  # type: ignore[no-any-return]
