"""Stage Two end to end: review, delegation, the named person's response, approval in-thread.

Signed Slack requests go into the real bolt app; what the bot says comes out of the
fake Slack Web API. Button listeners run after the ack in bolt's thread pool, so the
tests wait on the fake (or on the case) before asserting.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cases.errors import DomainError
from cases.model import Case, DeadlineKind, State
from handlers.ids import ActionId, BlockId, CallbackId
from tests.slack.harness import (
    CS_AGENT,
    CS_CHANNEL,
    DIRECTOR,
    DIRECTOR_2,
    DIRECTORS_CHANNEL,
    GOOD_INTAKE,
    INVESTIGATOR,
    SENIOR,
    STAFF,
    SUBJECT,
    SlackDriver,
    buttons,
    card_text,
)

LONDON = ZoneInfo("Europe/London")
PERSONAL = ("Ada Example", "ada@example.com", "123456", "High Street", "stopped reporting")


# ---- driving the app ------------------------------------------------------------------

def cid(case: Case) -> int:
    assert case.id is not None
    return case.id


def fresh(slack: SlackDriver, case: Case) -> Case:
    """The case as stored now."""
    return slack.desk.get_case(cid(case))


def open_step(slack: SlackDriver, user: str, action: ActionId, case: Case | int, *,
              channel: str | None = CS_CHANNEL) -> dict[str, Any]:
    """Click a step button and return the modal it opened."""
    opened = len(slack.fake.calls("views.open"))
    assert slack.click(user, action.value, case, channel=channel).status == 200
    return slack.opened_view(opened + 1)


def open_pressed(slack: SlackDriver, user: str, action: ActionId, case: Case | int, *,
                 channel: str | None) -> dict[str, Any]:
    """Press the button as Slack shows it now (its real value) and return the modal."""
    opened = len(slack.fake.calls("views.open"))
    assert slack.press(user, action.value, case, channel=channel).status == 200
    return slack.opened_view(opened + 1)


def step(slack: SlackDriver, user: str, action: ActionId, case: Case | int,
         answers: dict[str, Any], *, channel: str | None = CS_CHANNEL) -> dict[str, Any]:
    """Click, fill the modal, submit; the submit must be accepted (empty ack)."""
    view = open_step(slack, user, action, case, channel=channel)
    answer = slack.submit(user, view, answers)
    assert answer.status == 200
    body = json.loads(answer.body) if answer.body else {}
    assert body == {}, body
    return view


def refusal_for(slack: SlackDriver, user: str, before: int) -> str:
    """The ephemeral answer ``user`` got after ``before`` earlier ephemerals."""
    calls = slack.fake.wait_for("chat.postEphemeral", before + 1)
    mine = [c.body for c in calls[before:] if c.body.get("user") == user]
    assert mine, f"no ephemeral answer for {user}"
    return str(mine[-1]["text"])


def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for a listener running after its ack (one that calls no Slack method)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the listener did not finish in time"
        time.sleep(0.02)


def dm_blocks(slack: SlackDriver, user: str) -> str:
    """Every DM to ``user`` as JSON text (fallback text and blocks)."""
    return json.dumps([c.body for c in slack.fake.calls("chat.postMessage")
                       if c.body.get("channel") == user])


def directors_thread(slack: SlackDriver, case: Case) -> list[Any]:
    card = slack.card(case, DIRECTORS_CHANNEL)
    return slack.fake.thread(card.channel, card.ts)


def decision_messages(slack: SlackDriver, case: Case) -> list[Any]:
    return [m for m in directors_thread(slack, case) if m.text.startswith("Decision drafted")]


def log_complaint(slack: SlackDriver, **changes: Any) -> Case:
    opened = len(slack.fake.calls("views.open"))
    assert slack.command(CS_AGENT, "new").status == 200
    view = slack.opened_view(opened + 1)
    answer = slack.submit(CS_AGENT, view, {**GOOD_INTAKE, "received_at": slack.clock.now(),
                                           **changes})
    assert answer.status == 200 and not answer.body, answer.body
    return slack.only_case()


def stage_one_replied(slack: SlackDriver, subject: str | None = SUBJECT) -> Case:
    """A complaint about ``subject``, investigated and answered at Stage One."""
    case = log_complaint(slack, subject_user_id=subject)
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case)
    ticks = next(b for b in view["blocks"] if b.get("block_id") == "procedure_attached")
    slack.submit(CS_AGENT, view, {"procedure_attached": [
        o["value"] for o in ticks["element"]["options"]]})
    step(slack, CS_AGENT, ActionId.ASSIGN_INVESTIGATOR, case, {"investigator": INVESTIGATOR})
    slack.clock.advance(timedelta(days=9))
    step(slack, INVESTIGATOR, ActionId.CONCLUDE_INVESTIGATION, case,
         {"findings": "Firmware fault confirmed."})
    step(slack, CS_AGENT, ActionId.SEND_REPLY, case,
         {"outcome": "partly_upheld", "suggestions": "A replacement unit."})
    slack.deliver()
    replied = fresh(slack, case)
    assert replied.state is State.REPLIED
    return replied


def escalate(slack: SlackDriver, case: Case) -> Case:
    slack.clock.advance(timedelta(days=1))
    view = step(slack, CS_AGENT, ActionId.REQUEST_REVIEW, case, {"how": "email to the MD"})
    assert view["callback_id"] == CallbackId.REQUEST_REVIEW.value
    slack.deliver()
    return fresh(slack, case)


def under_review(slack: SlackDriver, subject: str | None = SUBJECT) -> Case:
    """Escalated, acknowledged by DIRECTOR, delegated to SENIOR, the named person answered."""
    case = escalate(slack, stage_one_replied(slack, subject))
    step(slack, DIRECTOR, ActionId.ACKNOWLEDGE_REVIEW, case, {}, channel=DIRECTORS_CHANNEL)
    step(slack, DIRECTOR, ActionId.DELEGATE_REVIEW, case, {"delegate": SENIOR},
         channel=DIRECTORS_CHANNEL)
    if subject:
        step(slack, subject, ActionId.RECORD_PERSON_RESPONSE, case,
             {"response": "I escalated the fault the day it was reported."}, channel=None)
    slack.deliver()
    return fresh(slack, case)


def draft(slack: SlackDriver, case: Case, reasons: str = "The unit was faulty.") -> None:
    step(slack, SENIOR, ActionId.PROPOSE_DECISION, case,
         {"outcome": "upheld", "reasons": reasons, "remedy": "Replacement and refund."},
         channel=None)
    slack.deliver()


def decision_proposed(slack: SlackDriver) -> Case:
    case = under_review(slack)
    draft(slack, case)
    case = fresh(slack, case)
    assert case.state is State.DECISION_PROPOSED
    return case


def approved_actions(slack: SlackDriver, case: Case) -> list[tuple[str, str]]:
    return [(e.action, slack.slack_of(e.actor)) for e in slack.desk.history(cid(case))
            if e.action == "approve_decision"]


# ---- the whole path ---------------------------------------------------------------------

def test_whole_stage_two_path_with_delegation_response_and_approval_in_thread(
        slack: SlackDriver) -> None:
    case = stage_one_replied(slack)
    assert ActionId.REQUEST_REVIEW.value in buttons(slack.card(case))

    # Customer services records the request for a review.
    case = escalate(slack, case)
    assert case.state is State.REVIEW_REQUESTED
    assert case.review_request_how == "email to the MD"
    assert case.review_requested_at == slack.clock.now()
    cs_card = slack.card(case)
    assert "In Stage Two review" in card_text(cs_card)
    assert buttons(cs_card) == [ActionId.VIEW_DETAILS.value, ActionId.CASE_FILE.value]
    director_card = slack.card(case, DIRECTORS_CHANNEL)
    shown = card_text(director_card)
    assert "Stage Two" in shown and case.reference in shown
    for secret in PERSONAL:
        assert secret not in shown, f"personal data {secret!r} on the directors' card"
    assert ActionId.ACKNOWLEDGE_REVIEW.value in buttons(director_card)

    # A director acknowledges; the reply date is prefilled to 10 working days.
    view = open_step(slack, DIRECTOR, ActionId.ACKNOWLEDGE_REVIEW, case,
                     channel=DIRECTORS_CHANNEL)
    reply_block = next(b for b in view["blocks"] if b.get("block_id") == BlockId.REPLY_BY)
    # Requested Fri 15 May 2026; ten working days, skipping the 25 May bank holiday.
    assert reply_block["element"]["initial_date"] == "2026-06-01"
    assert slack.submit(DIRECTOR, view, {}).status == 200
    case = fresh(slack, case)
    assert case.state is State.UNDER_REVIEW and slack.slack_of(case.reviewer or "") == DIRECTOR
    assert case.review_reply_by == date(2026, 6, 1)

    # SENIOR cannot see the details before being delegated the review...
    before = len(slack.fake.calls("chat.postEphemeral"))
    slack.click(SENIOR, ActionId.VIEW_DETAILS.value, case, channel=DIRECTORS_CHANNEL)
    assert "need to know" in refusal_for(slack, SENIOR, before)
    # ...then is delegated it, gets a DM, and may View details.
    step(slack, DIRECTOR, ActionId.DELEGATE_REVIEW, case, {"delegate": SENIOR},
         channel=DIRECTORS_CHANNEL)
    slack.deliver()
    assert any(case.reference in t and "delegated" in t for t in slack.dms(SENIOR))
    view = open_step(slack, SENIOR, ActionId.VIEW_DETAILS, case, channel=None)
    assert view["callback_id"] == CallbackId.DETAILS.value
    assert "ada@example.com" in json.dumps(view)

    # The named person is told by DM and responds through its button.
    assert any(case.reference in t and "concerns you" in t for t in slack.dms(SUBJECT))
    assert ActionId.RECORD_PERSON_RESPONSE.value in dm_blocks(slack, SUBJECT)
    for secret in PERSONAL:
        assert secret not in dm_blocks(slack, SUBJECT)
    view = open_pressed(slack, SUBJECT, ActionId.RECORD_PERSON_RESPONSE, case, channel=None)
    assert view["callback_id"] == CallbackId.RECORD_PERSON_RESPONSE.value
    assert slack.submit(SUBJECT, view, {
        "response": "I escalated the fault the day it was reported."}).body == ""
    slack.deliver()
    case = fresh(slack, case)
    assert case.person_response == "I escalated the fault the day it was reported."
    assert case.person_responded_at == slack.clock.now()
    assert case.deadlines[DeadlineKind.PERSON_RESPONSE].met_at == slack.clock.now()
    for reviewer in (DIRECTOR, SENIOR):
        assert any("given their response" in t for t in slack.dms(reviewer)), reviewer
    assert "response received: yes" in card_text(slack.card(case, DIRECTORS_CHANNEL))

    # The delegate cannot meet the date: a progress update moves it, the original stays.
    original = case.deadlines[DeadlineKind.STAGE_TWO_REPLY].due_at
    slack.clock.advance(timedelta(days=5))
    step(slack, SENIOR, ActionId.SEND_PROGRESS_UPDATE, case,
         {"reason": "Waiting for the supplier's lab report.", "new_reply_by": date(2026, 6, 12)},
         channel=None)
    slack.deliver()
    case = fresh(slack, case)
    reply = case.deadlines[DeadlineKind.STAGE_TWO_REPLY]
    assert reply.original_due_at == original
    assert reply.due_at > original and reply.due_at.astimezone(LONDON).date() == date(2026, 6, 12)
    assert case.review_reply_by == date(2026, 6, 12)
    shown = card_text(slack.card(case, DIRECTORS_CHANNEL))
    assert "Progress updates (1)" in shown and "Originally due" in shown
    assert "12 Jun" in shown
    assert any("progress update" in t for t in slack.thread(case, DIRECTORS_CHANNEL))

    # The delegate drafts; the draft is a threaded reply on the directors' card.
    draft(slack, case, reasons="The unit was faulty from the start.")
    case = fresh(slack, case)
    assert case.state is State.DECISION_PROPOSED
    [first] = decision_messages(slack, case)
    assert buttons(first) == [ActionId.APPROVE_DECISION.value, ActionId.REQUEST_CHANGES.value]
    assert "The unit was faulty from the start." in card_text(first)

    # DIRECTOR asks for changes: the drafter gets the comment by DM.
    view = open_pressed(slack, DIRECTOR, ActionId.REQUEST_CHANGES, case,
                        channel=DIRECTORS_CHANNEL)
    assert view["callback_id"] == CallbackId.REQUEST_CHANGES.value
    assert slack.submit(DIRECTOR, view, {"comment": "Say what the refund covers."}).body == ""
    slack.deliver()
    case = fresh(slack, case)
    assert case.state is State.UNDER_REVIEW
    assert "Say what the refund covers." in dm_blocks(slack, SENIOR)
    assert any("asked for changes" in t for t in slack.dms(SENIOR))
    assert any("asked for changes" in t for t in slack.thread(case, DIRECTORS_CHANNEL))

    # The delegate drafts again; DIRECTOR_2 approves in the thread.
    draft(slack, case, reasons="The unit was faulty; the refund covers two months.")
    second = decision_messages(slack, case)[-1]
    assert len(decision_messages(slack, case)) == 2
    assert "Say what the refund covers." in card_text(second)
    assert slack.press(DIRECTOR_2, ActionId.APPROVE_DECISION.value, case,
                       channel=DIRECTORS_CHANNEL).status == 200
    eventually(lambda: fresh(slack, case).state is State.FINAL)
    slack.deliver()

    case = fresh(slack, case)
    assert case.decision is not None and slack.slack_of(case.decision.approved_by) == DIRECTOR_2
    assert case.closed_at == slack.clock.now()
    for channel in (CS_CHANNEL, DIRECTORS_CHANNEL):
        card = slack.card(case, channel)
        assert "Final decision:* Upheld" in card_text(card), channel
        # Customer services is asked to send the final letter until it has gone.
        first = [ActionId.SEND_FINAL_LETTER.value] if channel == CS_CHANNEL else []
        assert buttons(card) == [*first, ActionId.VIEW_DETAILS.value,
                                 ActionId.CASE_FILE.value], channel
    assert case.final_letter is not None
    assert "This decision is final" in case.final_letter
    assert "Upheld" in case.final_letter and "two months" in case.final_letter
    assert any("approved the final decision" in t for t in slack.thread(case, DIRECTORS_CHANNEL))
    assert not any(c.body.get("channel") in (CS_CHANNEL, DIRECTORS_CHANNEL)
                   and secret in json.dumps(c.body)
                   for c in slack.fake.calls() if c.method in ("chat.postMessage", "chat.update")
                   for secret in PERSONAL), "personal data in a channel"

    history = [(e.action, slack.slack_of(e.actor)) for e in slack.desk.history(cid(case))]
    stage_two = [h for h in history if h[0] not in ("details_viewed", "details_refused")][5:]
    assert stage_two == [
        ("request_review", CS_AGENT), ("acknowledge_review", DIRECTOR),
        ("delegate_review", DIRECTOR), ("record_person_response", SUBJECT),
        ("send_progress_update", SENIOR), ("propose_decision", SENIOR),
        ("request_changes", DIRECTOR), ("propose_decision", SENIOR),
        ("approve_decision", DIRECTOR_2),
    ]


# ---- refusals -----------------------------------------------------------------------------

@pytest.mark.parametrize("user", [STAFF, SENIOR, CS_AGENT])
def test_non_director_approval_is_refused_with_an_ephemeral_message(
        slack: SlackDriver, user: str) -> None:
    case = decision_proposed(slack)
    before = len(slack.fake.calls("chat.postEphemeral"))
    assert slack.click(user, ActionId.APPROVE_DECISION.value, case,
                       channel=DIRECTORS_CHANNEL).status == 200
    text = refusal_for(slack, user, before)
    assert "director" in text
    assert fresh(slack, case).state is State.DECISION_PROPOSED
    assert approved_actions(slack, case) == []


def test_named_person_can_neither_approve_nor_see_the_complainants_details(
        slack: SlackDriver) -> None:
    case = decision_proposed(slack)
    opened = len(slack.fake.calls("views.open"))

    before = len(slack.fake.calls("chat.postEphemeral"))
    slack.click(SUBJECT, ActionId.APPROVE_DECISION.value, case, channel=DIRECTORS_CHANNEL)
    refusal_for(slack, SUBJECT, before)
    assert fresh(slack, case).state is State.DECISION_PROPOSED

    before = len(slack.fake.calls("chat.postEphemeral"))
    slack.click(SUBJECT, ActionId.VIEW_DETAILS.value, case, channel=DIRECTORS_CHANNEL)
    assert "need to know" in refusal_for(slack, SUBJECT, before)
    assert len(slack.fake.calls("views.open")) == opened, "no modal for the named person"
    seen_by_subject = json.dumps([c.body for c in slack.fake.calls()
                                  if SUBJECT in (c.body.get("user"), c.body.get("channel"))])
    for secret in PERSONAL:
        assert secret not in seen_by_subject
    assert ("details_refused", SUBJECT) in [(e.action, slack.slack_of(e.actor))
                                            for e in slack.desk.history(cid(case))]


def test_director_the_complaint_is_about_cannot_review_or_approve(slack: SlackDriver) -> None:
    case = escalate(slack, stage_one_replied(slack, subject=DIRECTOR_2))
    before = len(slack.fake.calls("chat.postEphemeral"))
    slack.click(DIRECTOR_2, ActionId.ACKNOWLEDGE_REVIEW.value, case, channel=DIRECTORS_CHANNEL)
    assert "about you" in refusal_for(slack, DIRECTOR_2, before)
    step(slack, DIRECTOR, ActionId.ACKNOWLEDGE_REVIEW, case, {}, channel=DIRECTORS_CHANNEL)
    step(slack, DIRECTOR_2, ActionId.RECORD_PERSON_RESPONSE, case,
         {"response": "My side of it."}, channel=None)
    step(slack, DIRECTOR, ActionId.DELEGATE_REVIEW, case, {"delegate": SENIOR},
         channel=DIRECTORS_CHANNEL)
    draft(slack, case)
    before = len(slack.fake.calls("chat.postEphemeral"))
    slack.click(DIRECTOR_2, ActionId.APPROVE_DECISION.value, case, channel=DIRECTORS_CHANNEL)
    assert "about you" in refusal_for(slack, DIRECTOR_2, before)
    assert fresh(slack, case).state is State.DECISION_PROPOSED


def test_progress_update_moves_the_due_date_and_keeps_the_original(slack: SlackDriver) -> None:
    case = under_review(slack)
    original = case.deadlines[DeadlineKind.STAGE_TWO_REPLY].due_at
    step(slack, DIRECTOR, ActionId.SEND_PROGRESS_UPDATE, case,
         {"reason": "The lab report is late.", "new_reply_by": date(2026, 6, 10)},
         channel=DIRECTORS_CHANNEL)
    slack.deliver()
    case = fresh(slack, case)
    reply = case.deadlines[DeadlineKind.STAGE_TWO_REPLY]
    assert reply.original_due_at == original
    assert reply.due_at.astimezone(LONDON).date() == date(2026, 6, 10)
    assert case.next_deadline() is not None
    assert case.next_deadline().due_at == reply.due_at  # type: ignore[union-attr]
    [update] = case.progress_updates
    assert slack.slack_of(update.by) == DIRECTOR and update.reason == "The lab report is late."
    shown = card_text(slack.card(case, DIRECTORS_CHANNEL))
    assert "Wed 10 Jun" in shown and "Originally due" in shown
    assert "The lab report is late." in shown
    [event] = [e for e in slack.desk.history(cid(case)) if e.action == "send_progress_update"]
    assert event.details["original_due_at"] == original.isoformat()
    assert event.details["new_reply_by"] == "2026-06-10"

    # A date that is not after today, or not a working day, is refused inline.
    view = open_step(slack, DIRECTOR, ActionId.SEND_PROGRESS_UPDATE, case,
                     channel=DIRECTORS_CHANNEL)
    answer = json.loads(slack.submit(DIRECTOR, view, {
        "reason": "Again.", "new_reply_by": date(2026, 6, 13)}).body)
    assert answer["response_action"] == "errors" and "new_reply_by" in answer["errors"]


def test_actions_on_a_final_case_are_refused_but_notes_are_allowed(
        slack: SlackDriver) -> None:
    case = decision_proposed(slack)
    slack.click(DIRECTOR, ActionId.APPROVE_DECISION.value, case, channel=DIRECTORS_CHANNEL)
    eventually(lambda: fresh(slack, case).state is State.FINAL)
    slack.deliver()
    opened = len(slack.fake.calls("views.open"))

    for user, action, channel in [
        (DIRECTOR_2, ActionId.APPROVE_DECISION, DIRECTORS_CHANNEL),
        (DIRECTOR_2, ActionId.REQUEST_CHANGES, DIRECTORS_CHANNEL),
        (SENIOR, ActionId.PROPOSE_DECISION, None),
        (SENIOR, ActionId.SEND_PROGRESS_UPDATE, None),
        (DIRECTOR, ActionId.DELEGATE_REVIEW, DIRECTORS_CHANNEL),
        (CS_AGENT, ActionId.REQUEST_REVIEW, CS_CHANNEL),
        (CS_AGENT, ActionId.WITHDRAW, CS_CHANNEL),
    ]:
        before = len(slack.fake.calls("chat.postEphemeral"))
        dms_before = len(slack.dms(user))
        assert slack.click(user, action.value, case, channel=channel).status == 200
        if channel is None:
            eventually(lambda u=user, n=dms_before: len(slack.dms(u)) > n)  # type: ignore[misc]
            texts = slack.dms(user)[dms_before:]
        else:
            texts = [refusal_for(slack, user, before)]
        assert any("is now at “Final decision given”" in t and "no longer applies" in t
                   for t in texts), (action, texts)
    assert len(slack.fake.calls("views.open")) == opened, "no modal on a final case"
    assert "is now at “Final decision given”" in slack.command(
        DIRECTOR, f"escalate {case.reference}").body
    with pytest.raises(DomainError):
        slack.desk.request_changes(cid(case), actor=slack.person(DIRECTOR_2), comment="too late")

    slack.desk.add_note(cid(case), actor=slack.person(CS_AGENT),
                        text="Complainant rang to say thanks.")
    slack.deliver()
    case = fresh(slack, case)
    assert case.state is State.FINAL
    history = [(e.action, slack.slack_of(e.actor)) for e in slack.desk.history(cid(case))]
    assert history[-1] == ("note", CS_AGENT)
    assert approved_actions(slack, case) == [("approve_decision", DIRECTOR)]
    assert any("added a note" in t for t in slack.thread(case))


def test_two_directors_clicking_approve_at_once_give_one_approval(slack: SlackDriver) -> None:
    case = decision_proposed(slack)
    start = threading.Barrier(2)
    answers: list[int] = []

    def press(user: str) -> None:
        start.wait()
        answers.append(slack.click(user, ActionId.APPROVE_DECISION.value, case,
                                   channel=DIRECTORS_CHANNEL).status)

    threads = [threading.Thread(target=press, args=(u,)) for u in (DIRECTOR, DIRECTOR_2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert answers == [200, 200]
    eventually(lambda: fresh(slack, case).state is State.FINAL)
    approvals = approved_actions(slack, case)
    assert len(approvals) == 1
    winner = approvals[0][1]
    loser = DIRECTOR_2 if winner == DIRECTOR else DIRECTOR
    # The loser is told, whether it lost at the check or at the save.
    eventually(lambda: bool(slack.ephemerals(loser)))
    assert slack.slack_of(fresh(slack, case).decision.approved_by) == winner  # type: ignore[union-attr]
    slack.deliver()
    assert sum("approved the final decision" in t
               for t in slack.thread(case, DIRECTORS_CHANNEL)) == 1


def test_two_directors_approving_through_the_desk_at_once_give_one_approval(
        slack: SlackDriver) -> None:
    case = decision_proposed(slack)
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def approve(user: str) -> None:
        start.wait()
        try:
            slack.desk.approve_decision(cid(case), actor=slack.person(user))
            results[user] = "approved"
        except DomainError as exc:
            results[user] = f"refused: {exc}"

    threads = [threading.Thread(target=approve, args=(u,)) for u in (DIRECTOR, DIRECTOR_2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(v.split(":")[0] for v in results.values()) == ["approved", "refused"], results
    approvals = approved_actions(slack, case)
    assert len(approvals) == 1 and results[approvals[0][1]] == "approved"
    assert fresh(slack, case).state is State.FINAL


def test_sent_back_and_approved_drafts_lose_their_buttons_and_redrafts_start_from_the_last(
        slack: SlackDriver) -> None:
    case = decision_proposed(slack)
    step(slack, DIRECTOR, ActionId.REQUEST_CHANGES, case, {"comment": "Say what we refund."},
         channel=DIRECTORS_CHANNEL)
    slack.deliver()
    first = decision_messages(slack, case)[0]
    assert buttons(first) == [], "a draft sent back keeps no Approve button"
    assert "Say what we refund." in json.dumps(first.blocks)

    view = open_step(slack, SENIOR, ActionId.PROPOSE_DECISION, case, channel=None)
    assert "The unit was faulty." in json.dumps(view), "the redraft starts from the last draft"
    slack.submit(SENIOR, view, {"reasons": "The unit was faulty; we refund £40."})
    slack.deliver()
    second = decision_messages(slack, case)[-1]
    assert ActionId.APPROVE_DECISION.value in buttons(second)

    assert slack.click(DIRECTOR_2, ActionId.APPROVE_DECISION.value, cid(case),
                       channel=DIRECTORS_CHANNEL).status == 200
    eventually(lambda: fresh(slack, case).state is State.FINAL)
    slack.deliver()
    approved = decision_messages(slack, case)[-1]
    assert buttons(approved) == [] and "final" in json.dumps(approved.blocks)


def test_approve_on_an_older_draft_is_refused_and_approves_nothing(slack: SlackDriver) -> None:
    case = decision_proposed(slack)
    old_version = fresh(slack, case).version
    step(slack, DIRECTOR, ActionId.REQUEST_CHANGES, case, {"comment": "Name the refund."},
         channel=DIRECTORS_CHANNEL)
    draft(slack, case, reasons="Faulty unit; refund of £40.")
    before = len(slack.fake.calls("chat.postEphemeral"))
    assert slack.click(DIRECTOR_2, ActionId.APPROVE_DECISION.value, cid(case),
                       channel=DIRECTORS_CHANNEL, version=old_version).status == 200
    assert "has changed since" in refusal_for(slack, DIRECTOR_2, before)
    assert fresh(slack, case).state is State.DECISION_PROPOSED
    assert approved_actions(slack, case) == []


def test_a_stale_form_never_overwrites_a_colleagues_later_change(slack: SlackDriver) -> None:
    case = under_review(slack)
    first = open_step(slack, DIRECTOR, ActionId.SEND_PROGRESS_UPDATE, case,
                      channel=DIRECTORS_CHANNEL)
    second = open_step(slack, DIRECTOR_2, ActionId.SEND_PROGRESS_UPDATE, case,
                       channel=DIRECTORS_CHANNEL)
    new_date = date(2026, 7, 1)
    assert slack.submit(DIRECTOR_2, second, {"reason": "Waiting for the courier's report.",
                                             "new_reply_by": new_date}).status == 200
    answer = slack.submit(DIRECTOR, first, {"reason": "Another reason.",
                                            "new_reply_by": date(2026, 7, 8)})
    body = json.loads(answer.body)
    assert body["response_action"] == "update"
    assert "has changed since it was shown to you" in json.dumps(body["view"])
    assert f"<@{DIRECTOR_2}>" in json.dumps(body["view"])
    assert fresh(slack, case).review_reply_by == new_date


def test_approve_still_works_after_a_progress_update_while_the_draft_waits(
        slack: SlackDriver) -> None:
    case = decision_proposed(slack)
    step(slack, SENIOR, ActionId.SEND_PROGRESS_UPDATE, case,
         {"reason": "Awaiting the courier's report.", "new_reply_by": date(2026, 7, 1)},
         channel=None)
    slack.deliver()
    assert slack.press(DIRECTOR_2, ActionId.APPROVE_DECISION.value, case,
                       channel=DIRECTORS_CHANNEL).status == 200
    eventually(lambda: fresh(slack, case).state is State.FINAL)


def test_named_person_responds_from_the_dm_after_the_review_was_delegated(
        slack: SlackDriver) -> None:
    case = escalate(slack, stage_one_replied(slack))
    step(slack, DIRECTOR, ActionId.ACKNOWLEDGE_REVIEW, case, {}, channel=DIRECTORS_CHANNEL)
    slack.deliver()  # the DM with the Respond button goes out now
    step(slack, DIRECTOR, ActionId.DELEGATE_REVIEW, case, {"delegate": SENIOR},
         channel=DIRECTORS_CHANNEL)
    slack.deliver()
    view = open_pressed(slack, SUBJECT, ActionId.RECORD_PERSON_RESPONSE, case, channel=None)
    assert slack.submit(SUBJECT, view, {"response": "My side."}).body == ""
    assert fresh(slack, case).person_response == "My side."
