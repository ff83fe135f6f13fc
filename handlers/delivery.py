"""Turns outbox notices into Slack Web API calls: cards, thread lines, DMs, channel posts."""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from cases import messages
from cases.audience import Audience, card_audiences, channel_audience, team
from cases.clock import Clock
from cases.delivery import (
    DECISION_SLOT,
    PERSON_INFORMED_SLOT,
    SLACK,
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
from cases.wording import Template, template_of, timeline_line
from handlers import blocks
from handlers.blocks.alerts import alert_message, digest_message
from handlers.blocks.direct import dm_message, timeline_line_text
from handlers.letter_delivery import LetterMessages
from handlers.people import PeopleClient, SlackPeople
from handlers.review_delivery import deliver_review_notice, is_review_notice

log = logging.getLogger(__name__)

# Slack errors that retrying soon will not fix: an operator must act (token, channel, scope).
PERMANENT_ERRORS = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "channel_not_found", "not_in_channel", "is_archived", "missing_scope", "no_permission",
    "invalid_blocks", "msg_too_long", "user_not_found", "cannot_dm_bot",
})


# Slack errors that say "not now": retried for as long as it takes.
TRANSIENT_ERRORS = frozenset({
    "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
    "request_timeout", "team_added_to_org",
})


# Slack's message reference: the channel and the message ts, joined (neither has a colon).
# storage/migrations/versions/0006 turned the old chat_posts(channel, ts) into these.
_REF_SEPARATOR = ":"


def slack_ref(channel: str, ts: str) -> str:
    """The opaque reference stored for a Slack message."""
    return f"{channel}{_REF_SEPARATOR}{ts}"


def slack_position(ref: str) -> tuple[str, str]:
    """(channel, ts) of a Slack message from its stored reference."""
    channel, separator, ts = ref.partition(_REF_SEPARATOR)
    if not separator or not channel or not ts:
        raise ValueError(f"not a Slack message reference: {ref!r}")
    return channel, ts


class SlackPosts:
    """Where each case's messages are in Slack, per slot, on top of the neutral store."""

    def __init__(self, refs: MessageRefs) -> None:
        self.refs = refs

    def get(self, case_id: int, slot: str) -> tuple[str, str] | None:
        """(channel, ts) of the case's message in ``slot``, if it has one."""
        ref = self.refs.message_ref(SLACK, case_id, slot)
        return None if ref is None else slack_position(ref)

    def remember(self, case_id: int, slot: str, channel: str, ts: str) -> None:
        """Record (or move) the case's message in ``slot``."""
        self.refs.remember_message_ref(SLACK, case_id, slot, slack_ref(channel, ts))

    def forget(self, case_id: int, slot: str) -> None:
        """The message was deleted in Slack: the slot is empty."""
        self.refs.forget_message_ref(SLACK, case_id, slot)


@dataclass(frozen=True)
class Channels:
    customer_services: str
    directors: str

    def for_slot(self, slot: str) -> str:
        """The channel id a card slot (customer services, directors) posts to."""
        return self.directors if team(slot) is Audience.DIRECTORS else self.customer_services


class Pacer:
    """About one post per second per channel, as Slack asks."""

    def __init__(self, interval: float = 1.0, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self._sleep = sleep
        self._monotonic = monotonic
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, channel: str) -> None:
        """Block until ``channel`` may take another post."""
        with self._lock:
            now = self._monotonic()
            ready = self._last.get(channel, 0.0) + self.interval
            delay = max(0.0, ready - now)
            self._last[channel] = max(now, ready)
        if delay:
            self._sleep(delay)


# Decided in cases/ (``cases.messages.alert_retired``); the name is kept for callers.
alert_retired = messages.alert_retired




class SlackDelivery:
    """Delivers one outbox item; raises RetryLater or PermanentFailure when it cannot."""

    surface = SLACK

    def __init__(self, client: WebClient, desk: ComplaintsDesk, refs: MessageRefs,
                 channels: Channels, clock: Clock, calendar: DisplayCalendar, policy: Policy,
                 pacer: Pacer | None = None, people: SlackPeople | None = None,
                 letters: LetterWriter | None = None) -> None:
        self.desk = desk
        # Every call names people by person id; the client turns them into Slack ids.
        self.people = people or SlackPeople(desk)
        self.client: Any = PeopleClient(client, self.people)
        self.posts = SlackPosts(refs)
        self.channels = channels
        self.clock = clock
        self.calendar = calendar
        self.policy = policy
        self.pacer = pacer or Pacer()
        self.letter_messages = LetterMessages(self.client, client, desk, policy, letters,
                                              self.pacer.wait)

    def deliver(self, item: DeliveryItem) -> None:
        """Render the notice from the case as it is now and send it."""
        case = self.desk.get_case(item.case_id) if item.case_id is not None else None
        if alert_retired(case, item.payload):
            log.info("alert retired before posting: its deadline was met or moved",
                     extra={"case_reference": case.reference if case else None})
            return
        try:
            kind = NoticeKind(item.kind)
            if is_review_notice(item.payload):
                deliver_review_notice(self, kind, item.payload)
            elif kind is NoticeKind.CARD:
                assert case is not None
                self._cards(case)
            elif kind is NoticeKind.TIMELINE:
                assert case is not None
                self._timeline(case, item.payload)
            elif kind is NoticeKind.DIRECT:
                self._direct(case, item.payload)
            else:
                self._channel(case, item.payload)
        except SlackApiError as exc:
            raise self._classify(exc) from exc
        except (OSError, TimeoutError, http.client.HTTPException) as exc:
            # Connection refused/reset, timeouts, an answer cut short (IncompleteRead and
            # the other HTTPExceptions are not OSErrors): Slack may well have the post.
            raise RetryLater(f"Slack unreachable: {type(exc).__name__}: {exc}") from exc

    # ---- kinds -----------------------------------------------------------------------

    def _cards(self, case: Case) -> None:
        for audience in card_audiences(case):
            self._card(case, audience)
        self._refresh_decision(case)
        self._retire_respond_button(case)

    def _card(self, case: Case, slot: Audience) -> tuple[str, str]:
        """Update the case's card in ``slot``, or post it if it has none; where it is."""
        assert case.id is not None
        view = case_card_view(case, self.clock.now(), self.calendar, self.policy,
                              surface=slot)
        text, card_blocks = blocks.case_card_message(view)
        payload = [b.to_dict() for b in card_blocks]
        where = self.posts.get(case.id, slot)
        if where is not None:
            channel, ts = where
            self.pacer.wait(channel)
            try:
                self.client.chat_update(channel=channel, ts=ts, text=text, blocks=payload)
                return where
            except SlackApiError as exc:
                if _error_of(exc) != "message_not_found":
                    raise
            # Someone deleted the card in Slack: retrying the update would hold the case's
            # messages back for ever, so the card is posted afresh (a new thread starts).
            log.warning("%s card of %s was deleted in Slack; posting it again", slot,
                        case.reference, extra={"case_reference": case.reference})
            self.posts.forget(case.id, slot)
        channel = self.channels.for_slot(slot)
        self.pacer.wait(channel)
        response = self.client.chat_postMessage(channel=channel, text=text, blocks=payload,
                                                unfurl_links=False)
        where = (str(response["channel"]), str(response["ts"]))
        self.posts.remember(case.id, slot, *where)
        return where

    def _refresh_decision(self, case: Case) -> None:
        """Keep the latest draft's thread message true to the case.

        While it awaits approval its buttons carry the case's current version (a progress
        update meanwhile must not leave Approve stale for ever). Once it is sent back,
        approved or withdrawn it loses its buttons and shows what happened; a draft sent
        back is then done with, so a redraft is posted as a new message and this one is
        never touched again.
        """
        assert case.id is not None
        if case.decision is None:
            return
        where = self.posts.get(case.id, DECISION_SLOT)
        if where is None:
            return
        channel, ts = where
        text, msg_blocks = blocks.decision_message(decision_view(case, self.calendar))
        self.pacer.wait(channel)
        try:
            self.client.chat_update(channel=channel, ts=ts, text=text,
                                    blocks=[b.to_dict() for b in msg_blocks])
        except SlackApiError as exc:
            if _error_of(exc) != "message_not_found":
                raise
            # The draft was deleted in Slack: nothing left to refresh, and the card must not
            # wait for it.
            log.warning("decision message of %s was deleted in Slack; not refreshed",
                        case.reference, extra={"case_reference": case.reference})
            self.posts.forget(case.id, DECISION_SLOT)
            return
        if case.state is State.UNDER_REVIEW:  # sent back: the redraft gets its own message
            self.posts.forget(case.id, DECISION_SLOT)

    def _retire_respond_button(self, case: Case) -> None:
        """Once the named person has responded, their invitation loses its Respond button.

        The message is redrawn once, then forgotten: nothing more is asked of them.
        """
        assert case.id is not None
        if case.person_responded_at is None:
            return
        where = self.posts.get(case.id, PERSON_INFORMED_SLOT)
        if where is None:
            return
        channel, ts = where
        view = case_card_view(case, self.clock.now(), self.calendar, self.policy)
        text, dm_blocks = dm_message(messages.person_informed_words(view, responded=True))
        self.pacer.wait(channel)
        try:
            self.client.chat_update(channel=channel, ts=ts, text=text,
                                    blocks=[b.to_dict() for b in dm_blocks])
        except SlackApiError as exc:
            if _error_of(exc) != "message_not_found":
                raise
            log.warning("the named person's invitation on %s was deleted in Slack",
                        case.reference, extra={"case_reference": case.reference})
        self.posts.forget(case.id, PERSON_INFORMED_SLOT)

    def _thread_of(self, case: Case, slot: Audience) -> tuple[str, str]:
        assert case.id is not None
        where = self.posts.get(case.id, slot)
        if where is None:
            # A case's messages go in order, so the card row came first; it is missing only
            # when that row was dead-lettered. The card is the case as it is now: post it
            # here rather than hold this line (and the case's later messages) for ever.
            where = self._card(case, slot)
        return where

    def _timeline(self, case: Case, payload: dict[str, Any]) -> None:
        line = timeline_line(payload)
        text = timeline_line_text(line)
        channel, ts = self._thread_of(case, line.audience)
        self.pacer.wait(channel)
        self.client.chat_postMessage(channel=channel, thread_ts=ts, text=text)

    def _direct(self, case: Case | None, payload: dict[str, Any]) -> None:
        user = self._slack_account(str(payload["user"]))
        if self.letter_messages.deliver(case, payload, user):
            return
        template = template_of(payload)
        if template is Template.ALERT and case is not None and case.id is not None:
            text, alert_blocks = alert_message(payload, case.id, self.calendar)
            self.pacer.wait(user)
            self.client.chat_postMessage(channel=user, text=text,
                                         blocks=[b.to_dict() for b in alert_blocks])
            return
        if case is None:
            raise PermanentFailure(f"direct message {payload.get('template')!r} has no case")
        view = case_card_view(case, self.clock.now(), self.calendar, self.policy,
                              surface=Audience.CUSTOMER_SERVICES)
        script = (self.letter_messages.intake_script(case, self.calendar.local_date(
            self.clock.now())) if template is Template.LOGGED else None)
        text, dm_blocks = dm_message(messages.direct_message_view(
            payload, view, self._dates(case), script=script))
        self.pacer.wait(user)
        response = self.client.chat_postMessage(channel=user, text=text,
                                                blocks=[b.to_dict() for b in dm_blocks])
        if template is Template.PERSON_INFORMED and case.id is not None:
            self.posts.remember(case.id, PERSON_INFORMED_SLOT, str(response["channel"]),
                                str(response["ts"]))

    def directors_channel(self) -> str:
        """The directors channel's id."""
        return self.channels.directors

    def reaches(self, person_id: str) -> bool:
        """Whether a direct message can reach ``person_id`` on Slack (a linked account)."""
        return self.people.slack_id(person_id) is not None

    def _slack_account(self, person_id: str) -> str:
        """The Slack id a direct message to ``person_id`` goes to."""
        found = self.people.slack_id(person_id)
        if found is None:
            raise PermanentFailure(
                f"{person_id} has no Slack account: link one with `complaints-bot people "
                f"link {person_id} slack:U…`, or they are told on another surface")
        return found

    def _channel(self, case: Case | None, payload: dict[str, Any]) -> None:
        template = template_of(payload)
        if template is Template.DECISION_PROPOSED:
            assert case is not None
            channel, ts = self._thread_of(case, channel_audience(payload))
            text, msg_blocks = blocks.decision_message(decision_view(case, self.calendar))
            self.pacer.wait(channel)
            response = self.client.chat_postMessage(channel=channel, thread_ts=ts, text=text,
                                                    blocks=[b.to_dict() for b in msg_blocks])
            assert case.id is not None
            self.posts.remember(case.id, DECISION_SLOT, str(response["channel"]),
                                          str(response["ts"]))
            return
        surface = channel_audience(payload)
        channel = self.channels.for_slot(surface)
        text = str(payload.get("text", ""))
        body: dict[str, Any] = {"channel": channel, "text": text}
        if payload.get("blocks"):
            body["blocks"] = payload["blocks"]
        if template in (Template.ALERT, Template.DIGEST):
            text, rendered = (alert_message(payload, case.id, self.calendar)
                              if template is Template.ALERT and case is not None and case.id
                              else digest_message(payload, self.calendar))
            body.update(text=text, blocks=[b.to_dict() for b in rendered])
        if payload.get("thread") and case is not None:
            body["channel"], body["thread_ts"] = self._thread_of(case, surface)
        self.pacer.wait(body["channel"])
        self.client.chat_postMessage(**body)

    def _dates(self, case: Case | None) -> Any:
        if case is None:
            return None
        return dates_to_tell(self.desk.policy_dates(case.received_at), self.calendar)

    # ---- errors ----------------------------------------------------------------------

    @staticmethod
    def _classify(exc: SlackApiError) -> Exception:
        response = exc.response
        status = getattr(response, "status_code", 0)
        error = _error_of(exc)
        if status == 429:
            retry_after = float(response.headers.get("Retry-After", response.headers.get(
                "retry-after", 1)) or 1)
            return RetryLater(f"rate limited by Slack for {retry_after:.0f}s", retry_after)
        if error in PERMANENT_ERRORS:
            return PermanentFailure(f"Slack refused: {error}")
        if status >= 500 or error in TRANSIENT_ERRORS or not error:
            return RetryLater(f"Slack error {status} {error}".strip())
        # An error code we do not know: retried a few times, then kept for an operator,
        # so that one odd message never holds its case's later messages for ever.
        return PermanentFailure(f"Slack refused: {error} (HTTP {status})")


def _error_of(exc: SlackApiError) -> str:
    """Slack's error code (``message_not_found``, ...), or "" when the answer had none."""
    try:
        return str(exc.response.get("error", ""))
    except (AttributeError, TypeError):
        return ""
