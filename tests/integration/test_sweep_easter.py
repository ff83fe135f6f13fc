"""A frozen clock walks over Easter 2026; the exact alerts that reach the fake Slack API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, update

from bot.dispatch import OutboxDispatcher
from cases.clock import FrozenClock
from cases.delivery import SLACK
from cases.policy import Policy
from cases.services import ComplaintsDesk
from cases.views import Marker
from handlers.blocks._common import MARKER_EMOJI
from handlers.delivery import Channels, Pacer, SlackDelivery, slack_position
from handlers.ids import BlockId
from scheduling.calendar import UKWorkingCalendar
from scheduling.sweep import Sweeper
from storage.alerts import SqlAlertLedger
from storage.models import CaseRow
from storage.outbox import OutboxStore
from tests.integration.conftest import CS_USER
from tests.slack.fake_slack import FakeSlack

LONDON = ZoneInfo("Europe/London")
CS, DIRECTORS, OWNER = "C0CS", "C0DIRECTORS", "U0OWNER1"


def london(day: int, hour: int, minute: int = 0, month: int = 4) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        yield server


def alert_posts(fake: FakeSlack, since: int) -> list[tuple[str, str, str]]:
    """(where, channel, text) for each alert or digest post after call ``since``."""
    out = []
    for call in fake.calls("chat.postMessage")[since:]:
        body = call.body
        if "Owner:" not in str(body.get("text")) and "Deadlines" not in str(body.get("text")):
            continue
        where = "thread" if body.get("thread_ts") else "post"
        out.append((where, str(body["channel"]), str(body["text"])))
    return out


def test_alerts_across_easter_2026_reach_slack_exactly(
        desk: ComplaintsDesk, engine: Engine, clock: FrozenClock,
        calendar: UKWorkingCalendar, intake: dict[str, Any], fake: FakeSlack) -> None:
    clock.set(london(31, 10, month=3))
    # A: received Mon 30 Mar -> acknowledgement due Thu 2 Apr 17:00 (nobody owns it yet).
    a = desk.log_complaint({**intake, "received_at": "2026-03-30T10:00:00+01:00"},
                           logged_by=CS_USER)
    # B: received Tue 31 Mar -> due Tue 7 Apr 17:00 (Good Friday and Easter Monday skipped).
    b = desk.log_complaint({**intake, "received_at": "2026-03-31T10:00:00+01:00"},
                           logged_by=CS_USER)
    with engine.begin() as conn:  # an owner for B, so its alerts also go by DM
        conn.execute(update(CaseRow).where(CaseRow.id == b.id).values(owner=OWNER))
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    delivery = SlackDelivery(client, desk, OutboxStore(engine), Channels(CS, DIRECTORS), clock,
                             calendar, Policy(), Pacer(interval=0))
    dispatcher = OutboxDispatcher(OutboxStore(engine), delivery, clock)
    sweeper = Sweeper(SqlAlertLedger(engine), calendar, Policy(), housekeeping=desk)
    dispatcher.drain()
    seen = len(fake.calls("chat.postMessage"))

    def at(when: datetime, *, before_delivery: Any = None) -> list[tuple[str, str, str]]:
        nonlocal seen
        clock.set(when)
        sweeper.sweep(when)
        if before_delivery is not None:
            before_delivery()
        dispatcher.drain()
        posts = alert_posts(fake, seen)
        seen = len(fake.calls("chat.postMessage"))
        return posts

    none: list[tuple[str, str, str]] = []
    ref_a, ref_b = a.reference, b.reference
    nobody = "Owner: no owner yet"  # a push notification: plain words, no markup
    assert at(london(31, 15, month=3)) == none
    assert at(london(1, 9, 1)) == [
        ("thread", CS, f"{ref_a}: Acknowledgement due 17:00 Thu 2 Apr. {nobody}")]
    assert at(london(2, 9, 1)) == [
        ("thread", CS, f"{ref_a}: Acknowledgement due 17:00 today. {nobody}"),
        ("post", OWNER, f"{ref_b}: Acknowledgement due 17:00 Tue 7 Apr. Owner: <@{OWNER}>"),
        ("thread", CS, f"{ref_b}: Acknowledgement due 17:00 Tue 7 Apr. Owner: <@{OWNER}>"),
    ]
    # A falls due at 17:00 Thursday; night, Good Friday, the weekend, Easter Monday: quiet.
    for quiet in (london(2, 17, 30), london(3, 9, 1), london(4, 12), london(6, 9, 1),
                  london(7, 8, 59)):
        assert at(quiet) == none, quiet

    def acknowledge_b() -> None:
        # B is acknowledged after the sweep queued "due today" but before it was posted.
        desk.acknowledge_case(b.id or 0, actor=CS_USER, owner=OWNER,
                              promised_reply_by=date(2026, 4, 30), procedure_attached=True)

    assert at(london(7, 9, 0), before_delivery=acknowledge_b) == [
        ("post", CS, f"{ref_a}: Acknowledgement was due 17:00 Thu 2 Apr, overdue by "
                     f"1 working day. {nobody}")]
    assert at(london(7, 9, 1)) == none
    # Overdue by two working days: the Stage One deadline is raised to the directors too.
    assert at(london(8, 9, 0)) == [
        ("post", DIRECTORS, f"{ref_a}: Acknowledgement was due 17:00 Thu 2 Apr, overdue by "
                            f"2 working days. {nobody}"),
        ("post", CS, f"{ref_a}: Acknowledgement was due 17:00 Thu 2 Apr, overdue by "
                     f"2 working days. {nobody}"),
    ]
    clock.set(london(8, 10))
    desk.acknowledge_case(a.id or 0, actor=CS_USER, owner=OWNER,
                          promised_reply_by=date(2026, 4, 30), procedure_attached=True)
    assert at(london(9, 9, 0)) == none
    # Every alert carries an 'Open case' button and no complainant details.
    for call in fake.calls("chat.postMessage"):
        if "Owner:" in str(call.body.get("text")):
            dumped = str(call.body)
            assert "Open case" in dumped and "case_open" in dumped
            assert "case_view_details" not in dumped, "no personal data one click away"
            assert intake["complainant_name"] not in dumped and intake["email"] not in dumped


def test_digest_reaches_both_channels_at_0900(
        desk: ComplaintsDesk, engine: Engine, clock: FrozenClock,
        calendar: UKWorkingCalendar, intake: dict[str, Any], fake: FakeSlack) -> None:
    clock.set(london(31, 10, month=3))
    a = desk.log_complaint({**intake, "received_at": "2026-03-30T10:00:00+01:00"},
                           logged_by=CS_USER)
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    delivery = SlackDelivery(client, desk, OutboxStore(engine), Channels(CS, DIRECTORS), clock,
                             calendar, Policy(), Pacer(interval=0))
    dispatcher = OutboxDispatcher(OutboxStore(engine), delivery, clock)
    sweeper = Sweeper(SqlAlertLedger(engine), calendar, Policy())
    clock.set(london(8, 9))
    assert sweeper.digest(clock.now()) == ["cs", "directors"]
    dispatcher.drain()
    posts = {channel: text for _, channel, text in alert_posts(fake, 0)}
    assert posts == {CS: "Deadlines today: 0 due today, 1 overdue",
                     DIRECTORS: "Deadlines today: 0 due today, 1 overdue"}
    digest = next(c for c in fake.calls("chat.postMessage") if c.body["channel"] == CS)
    assert a.reference in str(digest.body["blocks"])
    assert "overdue by 2 working days" in str(digest.body["blocks"])


def deadline_line(blocks: list[Any] | None) -> str:
    """The text of a case card's deadline block."""
    [block] = [b for b in blocks or [] if b.get("block_id") == BlockId.CARD_DEADLINE.value]
    return str(block["text"]["text"])


def test_card_refresh_queued_with_the_alert_marks_the_card_overdue_in_slack(
        desk: ComplaintsDesk, engine: Engine, clock: FrozenClock,
        calendar: UKWorkingCalendar, intake: dict[str, Any], fake: FakeSlack) -> None:
    clock.set(london(31, 10, month=3))
    # Received Mon 30 Mar: acknowledgement due Thu 2 Apr 17:00.
    a = desk.log_complaint({**intake, "received_at": "2026-03-30T10:00:00+01:00"},
                           logged_by=CS_USER)
    assert a.id is not None
    outbox = OutboxStore(engine)
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    delivery = SlackDelivery(client, desk, outbox, Channels(CS, DIRECTORS), clock, calendar,
                             Policy(), Pacer(interval=0))
    dispatcher = OutboxDispatcher(outbox, delivery, clock)
    sweeper = Sweeper(SqlAlertLedger(engine), calendar, Policy(), housekeeping=desk)
    dispatcher.drain()
    ref = outbox.message_ref(SLACK, a.id, "cs")
    assert ref is not None
    channel, ts = slack_position(ref)
    edits = fake.message(channel, ts).updates  # the fake's message is live: copy the count
    assert deadline_line(fake.message(channel, ts).blocks).startswith(
        f"{MARKER_EMOJI[Marker.ON_TIME]} ")
    updates = len(fake.calls("chat.update"))

    # Tue 7 Apr 09:00, first working day after Easter: the sweep's overdue alert carries a
    # card refresh; delivering it edits the card in place with the overdue marker.
    clock.set(london(7, 9, 0))
    assert sweeper.sweep(clock.now()).queued == 1
    dispatcher.drain()
    [update_call] = fake.calls("chat.update")[updates:]
    assert (update_call.body["channel"], update_call.body["ts"]) == (channel, ts)
    card = fake.message(channel, ts)
    assert card.updates == edits + 1
    line = deadline_line(card.blocks)
    assert line.startswith(f"{MARKER_EMOJI[Marker.OVERDUE]} *Acknowledgement* ")
    assert line.endswith("(overdue)")
    # The alert itself went to the channel, and the next minute's sweep changes nothing.
    assert alert_posts(fake, 0) == [
        ("post", CS, f"{a.reference}: Acknowledgement was due 17:00 Thu 2 Apr, overdue by "
                     "1 working day. Owner: no owner yet")]
    clock.set(london(7, 9, 1))
    assert sweeper.sweep(clock.now()).queued == 0
    assert dispatcher.drain() == 0
    assert len(fake.calls("chat.update")) == updates + 1
