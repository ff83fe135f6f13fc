"""Answers to what is typed to the bot in a channel (or a group chat) go to the person alone.

Slack answers a slash command ephemerally; Teams has no such message, so the answer (a
refusal, a card, a list, anything beyond a public acknowledgement such as "Note added")
is sent to the person's personal chat with the bot: the one the bot keeps, or one it asks
the Bot Connector to create (``POST v3/conversations``). The channel gets at most one
short neutral line, never the answer's words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity, ChannelAccount, ConversationParameters
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from teams.connector import text_activity
from teams.deps import TeamsDeps
from teams.ids import PERSONAL_KEY

log = logging.getLogger(__name__)
ANSWERED_PRIVATELY = "I've answered you in our personal chat."
NOT_REACHED = ("I couldn't reach you in a personal chat, so my answer is not shown here. "
               "Open a chat with Complaints Desk (Apps, then Complaints Desk) and send it to "
               "me there.")


@dataclass(frozen=True)
class Answer:
    """What the bot answers a message with; ``public``: a bare acknowledgement that may
    stay in the channel it was asked in."""

    activity: Activity
    public: bool = False


def is_personal(activity: Any) -> bool:
    conversation = activity.conversation
    return conversation is not None and conversation.conversation_type == "personal"


async def reply(deps: TeamsDeps, context: TurnContext, answer: Answer) -> None:
    """The answer where it belongs: in the conversation if personal (or public), else in
    the person's personal chat with a neutral line in the channel."""
    activity = context.activity
    sender = activity.from_property
    known = sender is not None and bool(getattr(sender, "aad_object_id", None))
    # Nobody to answer privately: the refusal saying so names no one and holds nothing.
    if answer.public or is_personal(activity) or not known:
        await context.send_activity(answer.activity)
        return
    try:
        await _to_personal_chat(deps, context, answer.activity)
        line = ANSWERED_PRIVATELY
    except aiohttp.ClientError as exc:
        # Teams refuses a chat with someone who has not got the app as a personal app.
        log.warning("no personal chat for a channel command's answer: %s",
                    getattr(exc, "status", type(exc).__name__))
        line = NOT_REACHED
    await context.send_activity(text_activity(line))


async def _to_personal_chat(deps: TeamsDeps, context: TurnContext, answer: Activity) -> None:
    activity = context.activity
    sender = activity.from_property
    aad = str(sender.aad_object_id)
    client: Any = context.services.get(ConnectorClientBase)
    chat = await deps.run(deps.store.load, PERSONAL_KEY + aad)
    if chat is None or chat.get("service_url") != activity.service_url:
        tenant = activity.conversation.tenant_id if activity.conversation else None
        created = await client.conversations.create_conversation(ConversationParameters(
            is_group=False, tenant_id=tenant, members=[ChannelAccount(id=sender.id)],
            agent=activity.recipient))
        chat = {"conversation_id": created.id, "service_url": activity.service_url,
                "tenant_id": tenant}
        await deps.run(deps.store.save, PERSONAL_KEY + aad, chat)
    await client.conversations.send_to_conversation(str(chat["conversation_id"]), answer)

