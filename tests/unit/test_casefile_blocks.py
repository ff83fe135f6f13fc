"""The case file modal and the work queues: Slack's limits with worst-case data, nothing cut."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from typing import Any

from cases.casefile import build_case_file
from cases.model import HistoryEvent, State
from cases.queues import queues_for
from cases.roles import Role
from cases.views import home_view_model
from handlers import blocks
from handlers.blocks.casefile import case_file_modal, paginate
from handlers.blocks.queues import queue_blocks
from handlers.ids import ActionId, decode_page_ref
from tests.unit.test_blocks import (
    CAL,
    EMAIL,
    NOTE,
    NOW,
    POLICY,
    RECEIVED,
    assert_no_personal_data,
    check_blocks,
    check_modal,
    walk,
    worst_case,
)


def check_rows(block_list: list[dict[str, Any]], *, max_blocks: int) -> None:
    """``check_blocks`` for lists of rows that each carry the same buttons.

    Slack wants an action_id unique within its block, not the whole view (a row's Open
    and Case file repeat row after row); each block is checked for that here, then the
    ids are made unique per block so that every other limit is checked as usual.
    """
    renamed = copy.deepcopy(block_list)
    for n, block in enumerate(renamed):
        ids = [o["action_id"] for o in walk(block) if "action_id" in o]
        assert len(ids) == len(set(ids)), f"action_ids repeat within a block: {ids}"
        for o in walk(block):
            if "action_id" in o:
                o["action_id"] += f"#{n}"
    check_blocks(renamed, max_blocks=max_blocks)


def _history(n: int) -> list[HistoryEvent]:
    """``n`` events, every kind of text at its longest."""
    texts = [{"findings": NOTE}, {"text": NOTE}, {"reasons": "Q" * 2500, "remedy": "M" * 1500},
             {"response": "r" * 3000}, {"final_letter": "L" * 6500}]
    return [HistoryEvent(case_id=99_999, seq=i + 1, at=RECEIVED + timedelta(minutes=i),
                         actor="UACTOR", action="note", from_state=None, to_state=None,
                         details=texts[i % len(texts)]) for i in range(n)]


def _pages(personal: bool = True, events: int = 200) -> list[dict[str, object]]:
    file = build_case_file(worst_case(State.DECISION_PROPOSED), _history(events),
                           personal=personal)
    views, page = [], 0
    while True:
        data = check_modal(case_file_modal(file, CAL, page))
        views.append(data)
        older = [o for o in walk(data["blocks"]) if o.get("action_id") == ActionId.CASE_FILE_OLDER]
        if not older:
            return views
        page = decode_page_ref(older[0]["value"]).page


def test_a_file_of_200_long_events_pages_within_limits_and_keeps_every_text_whole() -> None:
    views = _pages()
    assert len(views) > 3
    everything = ""
    for data in views:
        check_blocks(data["blocks"], max_blocks=100)  # also 3000 characters a section
        everything += "".join(o["text"] for o in walk(data["blocks"])
                              if o.get("type") == "mrkdwn")
    assert everything.count("L" * 2900) >= 40  # the 6,500-character letter, in sections
    assert everything.count("r" * 2900) == 40 and everything.count("Q" * 2500) == 40
    assert EMAIL in everything  # need-to-know sees the intake


def test_without_need_to_know_the_file_has_no_texts_and_no_personal_data() -> None:
    for data in _pages(personal=False, events=20):
        assert_no_personal_data(data)
        assert "r" * 100 not in json.dumps(data)


def test_a_chunk_longer_than_a_page_is_split_and_small_ones_are_kept_together() -> None:
    chunks: list[list[object]] = [[1] * 3, [2] * 10, [3] * 4]
    assert paginate(chunks, limit=5) == [[1, 1, 1], [2] * 5, [2] * 5, [3] * 4]  # type: ignore[arg-type]


def test_home_with_every_queue_full_fits_and_each_row_has_its_buttons() -> None:
    cases = []
    for i, state in enumerate([State.LOGGED, State.ACKNOWLEDGED, State.REVIEW_REQUESTED,
                               State.DECISION_PROPOSED] * 30):
        c = worst_case(state)
        c.reference, c.id = f"CMP-2025-{i:04d}", i + 1
        cases.append(c)
    queues = queues_for(frozenset({Role.CUSTOMER_SERVICES, Role.DIRECTOR, Role.HR_MANAGER}),
                        cases, NOW, CAL, POLICY)
    assert [q.title for q in queues] == [
        "Waiting for acknowledgement", "Due in the next 2 working days",
        "Stage Two waiting for acknowledgement", "Decisions waiting for approval",
        "Overdue (oversight)"]
    view = blocks.home_view(home_view_model(cases, NOW, CAL, POLICY, "UOWNER"),
                            queue_blocks(queues))
    data = view.to_dict()
    check_rows(data["blocks"], max_blocks=100)
    assert_no_personal_data(data)
    ids = [o["action_id"] for o in walk(data["blocks"]) if o.get("type") == "button"]
    assert ids.count(ActionId.CASE_FILE) == 25 and ids.count(ActionId.ACKNOWLEDGE) == 5
    assert queues_for(frozenset(), cases, NOW, CAL, POLICY) == ()


def test_the_bot_and_the_operator_are_named_not_mentioned() -> None:
    events = [HistoryEvent(case_id=99_999, seq=n + 1, at=RECEIVED, actor=actor,
                           action="details_viewed", from_state=None, to_state=None,
                           details={}) for n, actor in enumerate(("system", "operator",
                                                                   "UPERSON1"))]
    file = build_case_file(worst_case(State.LOGGED), events, personal=True)
    shown = json.dumps(check_modal(case_file_modal(file, CAL))["blocks"])
    assert "the bot" in shown and "an operator (command line)" in shown
    assert "<@UPERSON1>" in shown and "<@system>" not in shown and "<@operator>" not in shown
