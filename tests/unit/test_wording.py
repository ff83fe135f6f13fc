"""Audience, templates and words decided in cases/; Slack builders never cut user content."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cases.audience import (
    DIRECTORS_EVENTS,
    Audience,
    card_audiences,
    channel_audience,
    deadline_audience,
    timeline_audience,
)
from cases.messages import changes_requested_words, digest_view
from cases.model import STAGE_ONE_DEADLINES, DeadlineKind, State
from cases.policy import Policy
from cases.report_period import report_period
from cases.views import case_card_view
from cases.wording import Person, Strong, Template, plain_text, template_of, timeline_line
from handlers.blocks._common import SECTION_TEXT_MAX, split_text
from handlers.blocks.alerts import digest_message
from handlers.blocks.card import decision_message
from handlers.blocks.direct import changes_requested_dm
from scheduling.calendar import UKWorkingCalendar
from tests.unit.test_blocks import card, check_message, worst_case

CAL = UKWorkingCalendar()
AS_OF = date(2026, 4, 7)


def digest_payload(n: int, more: int = 0) -> dict[str, Any]:
    due = datetime(2026, 4, 7, 16, 0, tzinfo=UTC)
    items = [{"case_id": i + 1, "reference": f"TT-2026-{i + 1:04d}",
              "deadline": "stage_one_reply", "label": "Stage One reply",
              "due_at": (due - timedelta(days=i % 3)).isoformat(),
              "owner": f"U{i:03d}" if i % 4 else None,
              "overdue_days": (i % 3) or None}
             for i in range(n)]
    return {"template": "digest", "surface": "cs", "as_of": AS_OF.isoformat(),
            "items": items, "more": more}


def check_digest(message: tuple[str, list[Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Slack's limits for a channel message; action_ids unique within each block (its rule)."""
    text, block_list = message
    assert text.strip()
    for block in block_list:
        block.validate_json()
    dumped = [b.to_dict() for b in block_list]
    assert 0 < len(dumped) <= 50
    for block in dumped:
        if block.get("text"):
            assert len(block["text"]["text"]) <= SECTION_TEXT_MAX
        ids = [e["action_id"] for e in block.get("elements", []) if "action_id" in e]
        assert len(ids) == len(set(ids))
    return text, dumped


def section_texts(dumped: list[dict[str, Any]]) -> str:
    out = []
    for block in dumped:
        if block.get("text"):
            out.append(block["text"]["text"])
        for element in block.get("elements", []):
            if element.get("type") == "mrkdwn":
                out.append(element["text"])
    return "\n".join(out)


# ---- the digest lists every item or counts the rest --------------------------------------

def test_thirty_item_digest_shows_all_thirty() -> None:
    _, dumped = check_digest(digest_message(digest_payload(30), CAL))
    shown = section_texts(dumped)
    for i in range(30):
        assert f"TT-2026-{i + 1:04d}*" in shown
    assert all(len(b["text"]["text"]) <= SECTION_TEXT_MAX for b in dumped if b.get("text"))


def test_digest_counts_the_items_it_does_not_carry() -> None:
    text, dumped = check_digest(digest_message(digest_payload(30, more=12), CAL))
    shown = section_texts(dumped)
    assert sum(f"TT-2026-{i + 1:04d}*" in shown for i in range(30)) == 30
    assert "and 12 more" in shown
    view = digest_view(digest_payload(30, more=12), CAL)
    assert len(view.items) == 30 and view.more == 12
    overdue = sum(1 for i in range(30) if i % 3)
    assert text == f"Deadlines today: {30 - overdue} due today, {overdue + 12} overdue"


def test_digest_without_items_says_so() -> None:
    text, dumped = check_digest(digest_message(digest_payload(0), CAL))
    assert "Nothing is due today or overdue" in section_texts(dumped)
    assert text == "Deadlines today: nothing due today or overdue"


# ---- long user text is split, never cut --------------------------------------------------

@pytest.mark.parametrize("text", [
    "word " * 1400,
    "x" * 7001,
    "line of text\n" * 600,
    "&amp;" * 1000,
])
def test_split_text_loses_nothing_and_respects_the_limit(text: str) -> None:
    pieces = split_text(text, SECTION_TEXT_MAX)
    assert all(len(p) <= SECTION_TEXT_MAX for p in pieces)
    rejoined = "".join(pieces)
    # Cuts at a space or line break drop only that one separator.
    assert rejoined.replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", "")
    if "&" in text:
        assert all(p.count("&") == p.count(";") for p in pieces)


def test_a_three_thousand_character_comment_reaches_the_drafter_whole() -> None:
    comment = "Please reconsider the remedy & <explain> it. " * 70
    comment = comment[:3000]
    view = card(State.UNDER_REVIEW)
    _, dumped = check_message(changes_requested_dm(view, "UDIR", comment))
    shown = section_texts(dumped).replace("&amp;", "&").replace("&lt;", "<").replace(
        "&gt;", ">")
    flat = "".join(shown.split()).replace(">", "")
    assert "".join(comment.split()).replace(">", "") in flat
    assert changes_requested_words(view, "UDIR", comment).quote == comment


def test_long_decision_reasons_are_shown_whole() -> None:
    from cases.views import decision_view
    case = worst_case(State.DECISION_PROPOSED)
    assert case.decision is not None
    case.decision.reasons = "because & " * 249 + "END-OF-REASONS"
    _, dumped = check_message(decision_message(decision_view(case, CAL)))
    shown = section_texts(dumped)
    assert shown.count("because &amp;") == 249 and "END-OF-REASONS" in shown


# ---- one place decides the audience --------------------------------------------------------

def test_stored_audience_names_are_unchanged() -> None:
    assert Audience.CUSTOMER_SERVICES == "cs" and Audience.DIRECTORS == "directors"
    assert channel_audience({"surface": "directors"}) is Audience.DIRECTORS
    assert channel_audience({}) is Audience.CUSTOMER_SERVICES


def test_a_case_has_a_directors_card_only_once_stage_two_began() -> None:
    assert card_audiences(worst_case(State.REPLIED)) == [Audience.CUSTOMER_SERVICES]
    assert card_audiences(worst_case(State.UNDER_REVIEW)) == [
        Audience.CUSTOMER_SERVICES, Audience.DIRECTORS]


@pytest.mark.parametrize("kind", list(DeadlineKind))
def test_stage_one_deadlines_belong_to_customer_services(kind: DeadlineKind) -> None:
    expected = (Audience.CUSTOMER_SERVICES if kind in STAGE_ONE_DEADLINES
                else Audience.DIRECTORS)
    assert deadline_audience(kind) is expected


def test_stage_two_events_go_to_the_directors_thread() -> None:
    assert timeline_audience("logged") is Audience.CUSTOMER_SERVICES
    assert timeline_audience("replied") is Audience.CUSTOMER_SERVICES
    for what in DIRECTORS_EVENTS:
        assert timeline_line({"what": what, "actor": "U1"}).audience is Audience.DIRECTORS


# ---- templates and words -------------------------------------------------------------------

def test_every_stored_template_name_maps_to_the_enum() -> None:
    for name in ("logged", "investigator_assigned", "person_informed", "review_delegated",
                 "person_responded", "changes_requested", "decision_proposed", "alert",
                 "digest"):
        assert template_of({"template": name}) is Template(name)
    assert template_of({"template": "nope"}) is None
    assert template_of({}) is None


def test_timeline_words_are_plain_text_with_people_by_id() -> None:
    line = timeline_line({"what": "acknowledged", "actor": "U1", "owner": "U2",
                          "promised_reply_by": "2026-05-01"})
    assert plain_text(line.words) == (
        "U1 acknowledged it: U2 deals with it; reply promised by Fri 1 May 2026; "
        "procedure sent.")
    assert Person("U2") in line.words
    bot = timeline_line({"what": "closed", "actor": "system"})
    assert plain_text(bot.words).startswith("Closed: no Stage Two review")


def test_plain_text_names_people_as_the_surface_asks() -> None:
    words = (Person("U1"), " asked ", Person(None, nobody="nobody"), " about ", Strong("X"))
    assert plain_text(words, {"U1": "Ann"}.__getitem__) == "Ann asked nobody about X"


def test_card_view_takes_an_audience_or_its_stored_name() -> None:
    case = worst_case(State.UNDER_REVIEW)
    now = datetime(2025, 6, 5, 9, tzinfo=UTC)
    by_name = case_card_view(case, now, CAL, Policy(), surface="directors")
    by_enum = case_card_view(case, now, CAL, Policy(), surface=Audience.DIRECTORS)
    assert by_name == by_enum and by_enum.surface is Audience.DIRECTORS
    assert by_enum.stage_two is not None


# ---- the default report period --------------------------------------------------------------

def test_report_period_defaults_to_the_last_full_quarter() -> None:
    today = date(2026, 5, 14)
    assert report_period(None, None, today) == (date(2026, 1, 1), date(2026, 3, 31))
    assert report_period(date(2026, 4, 1), None, today) == (date(2026, 4, 1), today)
    assert report_period(date(2026, 1, 1), date(2026, 2, 1), today) == (
        date(2026, 1, 1), date(2026, 2, 1))
    with pytest.raises(ValueError):
        report_period(None, date(2026, 2, 1), today)


def test_digest_json_has_no_owner_placeholder_for_unowned_cases() -> None:
    _, dumped = check_digest(digest_message(digest_payload(4), CAL))
    assert "_no owner yet_" in json.dumps(dumped)


def test_the_directors_card_shows_each_recent_progress_reason_whole() -> None:
    from handlers.blocks.card import case_card_message
    case = worst_case(State.UNDER_REVIEW)
    for n, update in enumerate(case.progress_updates[-5:]):
        update.reason = f"supplier log {n} " * 120 + f"END-{n}"
    view = case_card_view(case, datetime(2025, 6, 5, 9, tzinfo=UTC), CAL, Policy(),
                          surface=Audience.DIRECTORS)
    _, dumped = check_message(case_card_message(view))
    shown = section_texts(dumped)
    for n in range(5):
        assert shown.count(f"supplier log {n} ") == 120 and f"END-{n}" in shown
    assert "55 earlier update(s)" in shown


def test_every_timeline_event_has_its_own_words_and_slack_emoji() -> None:
    from cases.events import TimelineEvent
    from handlers.blocks.direct import TIMELINE_EMOJI
    for event in TimelineEvent:
        line = timeline_line({"what": event.value, "actor": "U1"})
        assert line.event is event
        assert "recorded: " not in plain_text(line.words)  # not the unknown-event fallback
        assert event in TIMELINE_EMOJI
    unknown = timeline_line({"what": "something_new", "actor": "U1"})
    assert unknown.event is None and plain_text(unknown.words) == "U1 recorded: something new."


def test_case_list_counts_the_cases_it_has_no_room_for() -> None:
    from handlers.blocks.home import case_list_text
    views = [card(State.UNDER_REVIEW) for _ in range(80)]
    text = case_list_text("open", views)
    assert len(text) <= SECTION_TEXT_MAX
    listed = text.count("\n• ")
    assert 0 < listed <= 30
    assert text.endswith(f"…and {80 - listed} more.")
    assert all(line.endswith(")") or "·" in line for line in text.split("\n")[1:-1])
