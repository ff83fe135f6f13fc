"""Turns outbox notices into Bot Connector calls: cards, thread replies, personal chats.

The same notices as on Slack, from the same view models: a case's card is posted in its
team's channel (a new thread) and updated in place; timeline lines, alerts in a thread and
the drafted decision are replies in that thread; direct messages go to the person's
personal chat with the bot; digests and channel alerts are posts in the channel.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from cases import messages
from cases.audience import Audience, card_audiences, channel_audience
from cases.clock import Clock
from cases.delivery import (
    DECISION_SLOT,
    PERSON_INFORMED_SLOT,
    DeliveryItem,
    MessageRefs,
    PermanentFailure,
    RetryLater,
)
from cases.letters import LetterWriter
from cases.model import Case, NoticeKind, State
from cases.policy import Policy
from cases.services import ComplaintsDesk
from cases.views import DisplayCalendar, case_card_view, dates_to_tell, decision_view
from cases.wording import Template, plain_text, template_of, timeline_line
from teams import TEAMS, cards
from teams.channels import ChannelRef, TeamsChannels
from teams.connector import TeamsConnector, Where, card_activity, text_activity
from teams.ids import MEMBER_KEY, PERSONAL_KEY
from teams.letter_delivery import TeamsLetterMessages
from teams.people import TeamsPeople
from teams.ports import ConversationStore

log = logging.getLogger(__name__)


def teams_ref(conversation_id: str, activity_id: str, where: Where | None = None) -> str:
    """The opaque reference stored for a Teams message (its conversation and its id; for a
    personal chat, also the service it is on)."""
    ref = {"conversation": conversation_id, "activity": activity_id}
    if where is not None:
        ref |= {"service_url": where.service_url, "tenant_id": where.tenant_id or ""}
    return json.dumps(ref)


def teams_position(ref: str) -> tuple[str, str]:
    found = json.loads(ref)
    return str(found["conversation"]), str(found["activity"])


class TeamsDelivery:
    """Delivers one outbox item on Teams; raises RetryLater or PermanentFailure."""

    surface = TEAMS

    def __init__(self, desk: ComplaintsDesk, refs: MessageRefs, channels: TeamsChannels,
                 store: ConversationStore, connector: TeamsConnector, clock: Clock,
                 calendar: DisplayCalendar, policy: Policy,
                 letters: LetterWriter | None = None) -> None:
        self.desk, self.refs, self.channels, self.store = desk, refs, channels, store
        self.letter_messages = TeamsLetterMessages(desk, policy, letters)
        self.connector, self.clock, self.calendar, self.policy = connector, clock, calendar, policy
        self.people = TeamsPeople(desk, store)

    def deliver(self, item: DeliveryItem) -> None:
        """Render the notice from the case as it is now and send it."""
        case = self.desk.get_case(item.case_id) if item.case_id is not None else None
        if messages.alert_retired(case, item.payload):
            return
        try:
            kind = NoticeKind(item.kind)
            if kind is NoticeKind.CARD:
                assert case is not None
                for audience in card_audiences(case):
                    self._card(case, audience)
                self._refresh_decision(case)
                self._retire_respond_button(case)
            elif kind is NoticeKind.TIMELINE:
                assert case is not None
                line = timeline_line(item.payload)
                names = self.people.names(s.id for s in line.words if hasattr(s, "id"))
                self._reply(case, line.audience, text_activity(cards.words(line.words, names)))
            elif kind is NoticeKind.DIRECT:
                self._direct(case, item.payload)
            else:
                self._channel(case, item.payload)
        except aiohttp.ClientResponseError as exc:
            raise classify(exc) from exc
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            raise RetryLater(f"Bot Connector unreachable: {type(exc).__name__}") from exc

    # ---- where --------------------------------------------------------------------------

    def _channel_of(self, audience: Audience) -> ChannelRef:
        found = self.channels.for_audience(audience)
        if found is None:
            raise RetryLater(f"the {audience.value} channel is not known yet: install the app "
                             "in the team (the bot learns its channels then)", 300)
        return found

    @staticmethod
    def _where(channel: ChannelRef) -> Where:
        return Where(channel.conversation_id, channel.service_url, channel.tenant_id)

    # ---- cards --------------------------------------------------------------------------

    def _card(self, case: Case, slot: Audience) -> tuple[Where, str]:
        assert case.id is not None
        view = case_card_view(case, self.clock.now(), self.calendar, self.policy,
                              surface=slot)
        names = self.people.names([view.owner, view.investigator,
                                   *((view.stage_two.reviewer, view.stage_two.delegate)
                                     if view.stage_two else ())])
        activity = card_activity(cards.case_card(view, names),
                                 f"{view.reference}: {view.phase_label}")
        channel = self._channel_of(slot)
        where = self._where(channel)
        ref = self.refs.message_ref(TEAMS, case.id, slot)
        if ref is not None:
            conversation, activity_id = teams_position(ref)
            try:
                self.connector.update(where, activity_id, activity)
                return where, activity_id
            except aiohttp.ClientResponseError as exc:
                if exc.status != 404:
                    raise
            log.warning("%s card of %s was deleted in Teams; posting it again", slot,
                        case.reference, extra={"case_reference": case.reference})
        activity_id = self.connector.send(where, activity)
        self.refs.remember_message_ref(TEAMS, case.id, slot,
                                       teams_ref(channel.conversation_id, activity_id))
        return where, activity_id

    def _thread(self, case: Case, slot: Audience) -> tuple[Where, str]:
        assert case.id is not None
        ref = self.refs.message_ref(TEAMS, case.id, slot)
        if ref is None:  # the card row died: post the card now rather than hold the line
            return self._card(case, slot)
        return self._where(self._channel_of(slot)), teams_position(ref)[1]

    def _reply(self, case: Case, slot: Audience, activity: Any) -> str:
        where, thread = self._thread(case, slot)
        return self.connector.reply(where, thread, activity)

    def _refresh_decision(self, case: Case) -> None:
        assert case.id is not None
        ref = self.refs.message_ref(TEAMS, case.id, DECISION_SLOT)
        if case.decision is None or ref is None:
            return
        view = decision_view(case, self.calendar)
        names = self.people.names([view.drafted_by, view.approved_by])
        where = self._where(self._channel_of(Audience.DIRECTORS))
        self.connector.update(where, teams_position(ref)[1],
                              card_activity(cards.decision_card(view, names),
                                            f"Draft decision for {view.reference}"))
        if case.state is State.UNDER_REVIEW:  # sent back: a redraft gets its own message
            self.refs.forget_message_ref(TEAMS, case.id, DECISION_SLOT)

    def _retire_respond_button(self, case: Case) -> None:
        """Once the named person has responded, their invitation loses its Respond button
        (redrawn once, then forgotten: nothing more is asked of them)."""
        assert case.id is not None
        ref = self.refs.message_ref(TEAMS, case.id, PERSON_INFORMED_SLOT)
        if case.person_responded_at is None or ref is None:
            return
        stored = json.loads(ref)
        where = Where(str(stored["conversation"]), str(stored["service_url"]),
                      stored.get("tenant_id") or None)
        activity_id = str(stored["activity"])
        view = case_card_view(case, self.clock.now(), self.calendar, self.policy)
        dm = messages.person_informed_words(view, responded=True)
        names = self.people.names([])
        try:
            self.connector.update(where, activity_id, card_activity(
                cards.direct_card(dm, names), plain_text(dm.summary, names)))
        except aiohttp.ClientResponseError as exc:
            if exc.status != 404:
                raise
            log.warning("the named person's invitation on %s was deleted in Teams",
                        case.reference, extra={"case_reference": case.reference})
        self.refs.forget_message_ref(TEAMS, case.id, PERSON_INFORMED_SLOT)

    # ---- direct messages and channel posts ---------------------------------------------

    def _direct(self, case: Case | None, payload: dict[str, Any]) -> None:
        person = str(payload["user"])
        if case is None or case.id is None:
            raise PermanentFailure(f"direct message {payload.get('template')!r} has no case")
        about_letter = self.letter_messages.activity(case, payload)
        if about_letter is not None:
            self.connector.send(self._personal(person), about_letter)
            return
        if template_of(payload) is Template.ALERT:
            view = messages.alert_view(payload, case.id, self.calendar)
            body = cards.alert_card(view, self.people.names([view.owner.id]))
            summary = f"{view.headline}: {view.reference}"
        else:
            card_view = case_card_view(case, self.clock.now(), self.calendar, self.policy)
            dm = messages.direct_message_view(payload, card_view, dates_to_tell(
                self.desk.policy_dates(case.received_at), self.calendar))
            names = self.people.names(s.id for p in dm.paragraphs for line in p
                                      for s in (*line, *dm.summary) if hasattr(s, "id"))
            body = cards.direct_card(dm, names)
            summary = plain_text(dm.summary, names)
        where = self._personal(person)
        sent = self.connector.send(where, card_activity(body, summary))
        if template_of(payload) is Template.PERSON_INFORMED:
            self.refs.remember_message_ref(TEAMS, case.id, PERSON_INFORMED_SLOT,
                                           teams_ref(where.conversation_id, sent, where))

    def reaches(self, person_id: str) -> bool:
        """Whether a direct message can reach ``person_id`` on Teams: a linked account, and
        a personal chat with the bot or a way to open one (they have used the bot, or were
        learnt as one of the team's members)."""
        aad = self.people.aad_of(person_id)
        return aad is not None and (self.store.load(PERSONAL_KEY + aad) is not None
                                    or self.store.load(MEMBER_KEY + aad) is not None)

    def _personal(self, person_id: str) -> Where:
        aad = self.people.aad_of(person_id)
        if aad is None:
            raise PermanentFailure(f"{person_id} has no Teams account: link one with "
                                   f"`complaints-bot people link {person_id} teams:…`")
        chat = self.store.load(PERSONAL_KEY + aad)
        if chat is None:
            member = self.store.load(MEMBER_KEY + aad)
            if member is None:
                raise PermanentFailure(f"{person_id} has not used the bot on Teams yet, so "
                                       "no personal chat can be opened")
            conversation = self.connector.open_personal_chat(
                str(member["id"]), str(member["service_url"]), member.get("tenant_id"))
            chat = {"conversation_id": conversation, "service_url": member["service_url"],
                    "tenant_id": member.get("tenant_id")}
            self.store.save(PERSONAL_KEY + aad, chat)
        return Where(str(chat["conversation_id"]), str(chat["service_url"]),
                     chat.get("tenant_id"))

    def _channel(self, case: Case | None, payload: dict[str, Any]) -> None:
        template = template_of(payload)
        audience = channel_audience(payload)
        if template is Template.DECISION_PROPOSED:
            assert case is not None and case.id is not None
            view = decision_view(case, self.calendar)
            body = cards.decision_card(view, self.people.names([view.drafted_by]))
            activity_id = self._reply(case, audience, card_activity(
                body, f"Draft decision for {view.reference}"))
            channel = self._channel_of(audience)
            self.refs.remember_message_ref(TEAMS, case.id, DECISION_SLOT,
                                           teams_ref(channel.conversation_id, activity_id))
            return
        if template is Template.ALERT and case is not None and case.id is not None:
            alert = messages.alert_view(payload, case.id, self.calendar)
            activity = card_activity(cards.alert_card(alert, self.people.names([alert.owner.id])),
                                     f"{alert.headline}: {alert.reference}")
        elif template is Template.DIGEST:
            digest = messages.digest_view(payload, self.calendar)
            names = self.people.names(i.owner.id for i in digest.items)
            activity = card_activity(cards.digest_card(digest, names), digest.summary)
        else:
            activity = text_activity(cards.escape(str(payload.get("text", ""))))
        if payload.get("thread") and case is not None:
            self._reply(case, audience, activity)
        else:
            self.connector.send(self._where(self._channel_of(audience)), activity)


def classify(exc: aiohttp.ClientResponseError) -> Exception:
    """The Bot Connector's answer as the outbox's retry decision."""
    if exc.status == 429:
        header = exc.headers.get("Retry-After") if exc.headers is not None else None
        retry_after = float(header or 1)
        return RetryLater(f"rate limited by Teams for {retry_after:.0f}s", retry_after)
    if exc.status >= 500:
        return RetryLater(f"Bot Connector error {exc.status}")
    return PermanentFailure(f"Bot Connector refused: HTTP {exc.status}")
