"""Messages to the bot (``new``, ``list``, ``show REF``, ``find TEXT``, ``note REF TEXT``,
``report``, ``help``) and conversation updates (install: learn the team's channels and
members; people added: learn the members again).

Typed in a channel, every answer but a bare acknowledgement goes to the person's personal
chat (``teams.privately``), refusals included."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.connector import ConnectorClientBase

from cases.errors import DomainError, IntakeInvalid
from cases.lifecycle import Action
from cases.report_format import report_text
from cases.report_period import report_period
from cases.reporting import parse_day
from cases.views import case_card_view
from teams import cards, privately, roster
from teams.connector import card_activity, text_activity
from teams.deps import TeamsDeps
from teams.ids import PERSONAL_KEY, Dialog
from teams.people import BadActivity
from teams.privately import Answer

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<at>[^<]*</at>")
HELP = ("**Complaints Desk**: log customer complaints and track them through the "
        "procedure. Send me:\n\n"
        "- `new`: log a complaint (opens the intake form)\n"
        "- `mine` (or `my cases`): your work queues, each case with its next step\n"
        "- `list [mine|overdue|open]`: cases you can see\n"
        "- `show REF`: one case's card, just for you\n"
        "- `find TEXT`: cases by reference, name, organisation, email or phone\n"
        "- `escalate REF`: record a request for a Stage Two review\n"
        "- `note REF TEXT`: add a note to the case's history\n"
        "- `report [FROM [TO]]`: trends and effectiveness (HR manager and directors)\n"
        "- `help`: this message\n\n"
        "Asked in a channel, I answer you in our personal chat. *Log a complaint* is "
        "also in the message menu (…) of any message.")


def channel_data(activity: Any) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def remember(deps: TeamsDeps, activity: Any) -> None:
    """Keep what this activity tells about where the bot can post (blocking)."""
    conversation = activity.conversation
    sender = activity.from_property
    if conversation is None:
        return
    if conversation.conversation_type == "personal" and sender is not None \
            and sender.aad_object_id:
        chat = {"conversation_id": conversation.id, "service_url": activity.service_url,
                "tenant_id": conversation.tenant_id}
        if deps.store.load(PERSONAL_KEY + sender.aad_object_id) != chat:
            deps.store.save(PERSONAL_KEY + sender.aad_object_id, chat)
    data = channel_data(activity)
    channel, team = data.get("channel"), data.get("team")
    if isinstance(channel, dict) and channel.get("id"):
        deps.channels.learn(str(channel["id"]), channel.get("name"), activity.service_url,
                            conversation.tenant_id,
                            team.get("id") if isinstance(team, dict) else None)


def _list(deps: TeamsDeps, actor: str, args: list[str]) -> Activity:
    which = args[0].lower() if args else "open"
    try:
        found = deps.desk.list_cases(viewer=actor, which=which)
    except IntakeInvalid:
        return text_activity("Use `list mine`, `list overdue` or `list open`.")
    if not found:
        return text_activity(f"No {which} cases that you can see.")
    lines = [f"- **{cards.escape(c.reference)}** {cards.escape(c.intake.summary)}"
             for c in found]
    return text_activity(f"{which.capitalize()} cases:\n\n" + "\n".join(lines))


def _show(deps: TeamsDeps, actor: str, args: list[str]) -> Activity:
    case = deps.desk.find_case(args[0], viewer=actor)
    view = case_card_view(case, deps.clock.now(), deps.calendar, deps.policy)
    return card_activity(cards.case_card(view, deps.people.names([view.owner])),
                         case.reference)


def _find(deps: TeamsDeps, actor: str, args: list[str]) -> Activity:
    found = deps.desk.find_cases(" ".join(args), viewer=actor)
    if not found:
        return text_activity("No cases that you can see match that.")
    return text_activity("\n".join(
        f"- **{cards.escape(f.reference)}** {cards.escape(f.summary)} "
        f"({cards.escape(f.complainant)}, {f.state_label})" for f in found))


def _note(deps: TeamsDeps, actor: str, args: list[str], text: str) -> Answer:
    case = deps.desk.find_case(args[0], viewer=actor)
    assert case.id is not None
    deps.desk.add_note(case.id, actor=actor, text=text.split(None, 2)[2])
    deps.wake()
    # A bare acknowledgement (the note itself is in the case's thread): fine in a channel.
    return Answer(text_activity(f"Note added to {case.reference}'s history."), public=True)


def _escalate(deps: TeamsDeps, actor: str, args: list[str]) -> Activity:
    case = deps.desk.find_case(args[0], viewer=actor)
    assert case.id is not None
    deps.desk.check_action(case.id, Action.REQUEST_REVIEW, actor=actor)
    return card_activity(cards.notice_card(
        f"Record the complainant's request for a Stage Two review of {case.reference}.",
        actions=[cards.dialog_button("Escalate to Stage Two", Dialog.STEP, "positive",
                                     case_id=case.id, version=case.version,
                                     action=Action.REQUEST_REVIEW.value)]), case.reference)


def _mine(deps: TeamsDeps, actor: str) -> Activity:
    queues = deps.desk.work_queues(viewer=actor, calendar=deps.calendar)
    return card_activity(cards.queues_card(queues, deps.people.names([])), "My cases")


def _report(deps: TeamsDeps, actor: str, args: list[str]) -> Activity:
    today = deps.calendar.local_date(deps.clock.now())
    try:
        start, end = report_period(parse_day(args[0]) if args else None,
                                   parse_day(args[1]) if len(args) > 1 else None, today)
    except ValueError as exc:
        return text_activity(f"{exc}. Use `report`, `report FROM` or `report FROM TO`, "
                             "dates as YYYY-MM-DD.")
    report = deps.desk.trends_report(viewer=actor, start=start, end=end)
    return text_activity("```\n" + report_text(report) + "\n```")


NEEDS = {"show": 1, "escalate": 1, "note": 2, "find": 1}


def answer(deps: TeamsDeps, activity: Any) -> Answer:
    """The answer to one message to the bot (blocking: it calls the desk)."""
    found = _answer(deps, activity)
    return found if isinstance(found, Answer) else Answer(found)


def _answer(deps: TeamsDeps, activity: Any) -> Activity | Answer:
    remember(deps, activity)
    text = _MENTION.sub("", activity.text or "").strip()
    words = text.split()
    verb = words[0].lower() if words else "help"
    args = words[1:]
    if verb == "my" and args[:1] == ["cases"]:  # "my cases", as Slack's App Home
        verb, args = "mine", args[1:]
    try:
        actor = deps.people.actor(activity)
        if len(args) < NEEDS.get(verb, 0):
            return text_activity(f"`{verb}` needs more: e.g. `{verb} TT-2026-0001"
                                 f"{' Rang the customer back.' if verb == 'note' else ''}`")
        if verb == "new":
            return card_activity(cards.notice_card(
                "Log a complaint after the call: the form asks for everything the "
                "procedure needs.", actions=[cards.dialog_button(
                    "Log a complaint", Dialog.INTAKE, "positive")]), "Log a complaint")
        handlers: dict[str, Callable[[], Activity | Answer]] = {
                    "list": lambda: _list(deps, actor, args),
                    "show": lambda: _show(deps, actor, args),
                    "find": lambda: _find(deps, actor, args),
                    "note": lambda: _note(deps, actor, args, text),
                    "escalate": lambda: _escalate(deps, actor, args),
                    "report": lambda: _report(deps, actor, args),
                    "mine": lambda: _mine(deps, actor)}
        if verb in handlers:
            return handlers[verb]()
        if verb != "help":
            return text_activity(f"I don't know `{cards.escape(text)}`.\n\n{HELP}")
        return text_activity(HELP)
    except (DomainError, BadActivity) as exc:
        return text_activity(cards.escape(deps.refusal(exc)))


async def handle_message(deps: TeamsDeps, context: TurnContext) -> None:
    await privately.reply(deps, context, await deps.run(answer, deps, context.activity))


async def handle_conversation_update(deps: TeamsDeps, context: TurnContext) -> None:
    """Installed in a team (or a channel created or renamed, or people added): learn its
    channels and its members."""
    activity = context.activity
    await deps.run(remember, deps, activity)
    data = channel_data(activity)
    team = data.get("team") if isinstance(data.get("team"), dict) else None
    bot_id = activity.recipient.id if activity.recipient else None
    added = [m.id for m in activity.members_added or []]
    if team is None or not team.get("id") or not added:
        return
    client: Any = context.services.get(ConnectorClientBase)
    tenant = activity.conversation.tenant_id if activity.conversation else None
    if bot_id in added:
        channels = await client.fetch_channel_list(str(team["id"]))
        for channel in channels:
            await deps.run(deps.channels.learn, str(channel.id), channel.name,
                           activity.service_url, tenant, str(team["id"]))
        log.info("installed in a team: %d channel(s) learnt", len(channels))
    if deps.members is not None:
        await roster.learn_members(deps.store, deps.members, client,
                                   roster.Team(str(team["id"]), activity.service_url, tenant))
