"""Issue #10: the procedure's safeguards, end to end through signed Slack requests.

Who may approve, who the named person may be, what they are shown, the order of dates,
refusals before a form opens, whose deadline a message names, and what buttons say.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from cases.model import Case, DeadlineKind, State
from cases.roles import Role
from handlers.ids import ActionId, BlockId
from tests.slack.harness import (
    CS_AGENT,
    DIRECTOR,
    DIRECTOR_2,
    DIRECTORS_CHANNEL,
    SENIOR,
    STAFF,
    SUBJECT,
    SlackDriver,
    buttons,
    card_text,
)
from tests.slack.test_stage_two import (
    cid,
    escalate,
    eventually,
    fresh,
    log_complaint,
    open_pressed,
    open_step,
    refusal_for,
    stage_one_replied,
    step,
)

DECISION = {"outcome": "upheld", "reasons": "The unit was faulty.",
            "remedy": "Replacement and refund."}


def ephemerals(slack: SlackDriver) -> int:
    return len(slack.fake.calls("chat.postEphemeral"))


def opened(slack: SlackDriver) -> int:
    return len(slack.fake.calls("views.open"))


def errors_of(slack: SlackDriver, user: str, view: dict[str, Any],
              answers: dict[str, Any]) -> dict[str, str]:
    """Submit a modal that must be refused inline; the field errors shown."""
    answer = slack.submit(user, view, answers)
    body = json.loads(answer.body)
    assert body["response_action"] == "errors", body
    return dict(body["errors"])


def acknowledged_by(slack: SlackDriver, subject: str | None) -> Case:
    """Escalated and acknowledged by DIRECTOR, who is the reviewer."""
    case = escalate(slack, stage_one_replied(slack, subject))
    step(slack, DIRECTOR, ActionId.ACKNOWLEDGE_REVIEW, case, {}, channel=DIRECTORS_CHANNEL)
    slack.deliver()
    return fresh(slack, case)


# ---- 1. approval by a director other than the drafter ------------------------------------

def test_a_director_cannot_approve_the_decision_they_drafted(slack: SlackDriver) -> None:
    case = acknowledged_by(slack, subject=None)
    step(slack, DIRECTOR, ActionId.PROPOSE_DECISION, case, DECISION, channel=DIRECTORS_CHANNEL)
    before = ephemerals(slack)
    slack.click(DIRECTOR, ActionId.APPROVE_DECISION.value, case, channel=DIRECTORS_CHANNEL)
    assert "another director must approve" in refusal_for(slack, DIRECTOR, before)
    assert fresh(slack, case).state is State.DECISION_PROPOSED

    slack.click(DIRECTOR_2, ActionId.APPROVE_DECISION.value, case, channel=DIRECTORS_CHANNEL)
    eventually(lambda: fresh(slack, case).state is State.FINAL)
    approval = [e for e in slack.desk.history(cid(case)) if e.action == "approve_decision"]
    assert [slack.slack_of(e.actor) for e in approval] == [DIRECTOR_2]
    assert "own_draft" not in approval[0].details


# ---- 2. the named person takes no other part ---------------------------------------------

def test_the_named_person_cannot_be_made_the_owner(slack: SlackDriver) -> None:
    slack.grant(SUBJECT, Role.CUSTOMER_SERVICES)
    case = log_complaint(slack, subject_user_id=SUBJECT)
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case)
    ticks = next(b for b in view["blocks"] if b.get("block_id") == "procedure_attached")
    errors = errors_of(slack, CS_AGENT, view, {
        "owner": SUBJECT,
        "procedure_attached": [o["value"] for o in ticks["element"]["options"]]})
    assert "complaint is about this person" in errors[BlockId.OWNER.value]
    assert fresh(slack, case).owner is None


def test_the_named_person_cannot_list_show_or_annotate_their_own_case(
        slack: SlackDriver) -> None:
    slack.grant(SUBJECT, Role.DIRECTOR)
    case = log_complaint(slack, subject_user_id=SUBJECT)
    assert case.reference in slack.command(CS_AGENT, "list open").body
    assert case.reference not in slack.command(SUBJECT, "list open").body
    assert "No case" in slack.command(SUBJECT, f"show {case.reference}").body
    slack.command(SUBJECT, f"note {case.reference} I was not on shift that day.")
    assert "note" not in [e.action for e in slack.desk.history(cid(case))]


def test_a_review_is_delegated_only_to_a_director_or_senior_staff(slack: SlackDriver) -> None:
    case = acknowledged_by(slack, subject=None)
    view = open_step(slack, DIRECTOR, ActionId.DELEGATE_REVIEW, case, channel=DIRECTORS_CHANNEL)
    errors = errors_of(slack, DIRECTOR, view, {"delegate": STAFF})
    assert "director" in errors["delegate"] and "senior" in errors["delegate"]
    assert fresh(slack, case).delegate is None
    step(slack, DIRECTOR, ActionId.DELEGATE_REVIEW, case, {"delegate": SENIOR},
         channel=DIRECTORS_CHANNEL)
    assert slack.slack_of(fresh(slack, case).delegate or "") == SENIOR


# ---- 3. the named person is told what they respond to, by when, once ---------------------

def test_the_named_person_sees_the_facts_and_outcome_and_responds_once(
        slack: SlackDriver) -> None:
    case = acknowledged_by(slack, subject=SUBJECT)
    assert "Please respond by" in " ".join(slack.dms(SUBJECT))
    view = open_pressed(slack, SUBJECT, ActionId.RECORD_PERSON_RESPONSE, case, channel=None)
    shown = json.dumps(view)
    assert "stopped reporting its position" in shown     # the facts of the complaint
    assert "Stage One outcome:* Partly upheld" in shown
    assert "A replacement unit." in shown
    for contact in ("ada@example.com", "High Street", "123456"):
        assert contact not in shown
    assert slack.submit(SUBJECT, view, {"response": "My side of it."}).body == ""
    slack.deliver()
    # Their invitation is redrawn without its Respond button, saying they have responded.
    invitation = next(m for m in slack.fake.messages()
                      if "concerns you" in m.text and m.thread_ts is None
                      and not m.channel.startswith("C"))
    assert "You have given your response" in card_text(invitation)
    assert ActionId.RECORD_PERSON_RESPONSE.value not in json.dumps(invitation.blocks)

    views = opened(slack)
    # A client that still shows the old message can send the press: it is refused.
    slack.click(SUBJECT, ActionId.RECORD_PERSON_RESPONSE.value, case, channel=None)
    # Pressed in their DM, the answer comes there, at once, instead of the form.
    eventually(lambda: any("already responded" in t for t in slack.dms(SUBJECT)))
    assert opened(slack) == views, "no form opened for a second response"


# ---- 4. dates in order -------------------------------------------------------------------

def test_a_review_request_cannot_predate_the_stage_one_reply(slack: SlackDriver) -> None:
    case = stage_one_replied(slack)
    assert case.replied_at is not None
    view = open_step(slack, CS_AGENT, ActionId.REQUEST_REVIEW, case)
    errors = errors_of(slack, CS_AGENT, view, {
        "requested_at": case.replied_at - timedelta(days=3), "how": "by phone"})
    assert "after the Stage One reply" in errors[BlockId.REQUESTED_AT.value]
    assert fresh(slack, case).state is State.REPLIED


def test_a_review_request_in_the_minute_of_the_reply_is_accepted(slack: SlackDriver) -> None:
    """The time picker has whole minutes: its default in the reply's minute is not before it."""
    slack.clock.advance(timedelta(seconds=30))
    case = stage_one_replied(slack)
    assert case.replied_at is not None and case.replied_at.second == 30
    view = open_step(slack, CS_AGENT, ActionId.REQUEST_REVIEW, case)
    assert slack.submit(CS_AGENT, view, {
        "requested_at": case.replied_at.replace(second=0), "how": "by phone"}).status == 200
    assert fresh(slack, case).state is State.REVIEW_REQUESTED


def test_a_progress_update_cannot_promise_a_date_before_the_original(
        slack: SlackDriver) -> None:
    case = acknowledged_by(slack, subject=None)
    original = case.deadlines[DeadlineKind.STAGE_TWO_REPLY].original_due_at.date()
    earlier = original - timedelta(days=1)
    while earlier.weekday() >= 5:
        earlier -= timedelta(days=1)
    view = open_step(slack, DIRECTOR, ActionId.SEND_PROGRESS_UPDATE, case,
                     channel=DIRECTORS_CHANNEL)
    errors = errors_of(slack, DIRECTOR, view, {"reason": "Waiting for logs.",
                                               "new_reply_by": earlier})
    assert "earlier date than the original" in errors[BlockId.NEW_REPLY_BY.value]
    assert fresh(slack, case).progress_updates == []


# ---- 5. refused before the form opens ----------------------------------------------------

def test_draft_decision_is_refused_before_its_form_while_the_person_may_respond(
        slack: SlackDriver) -> None:
    case = acknowledged_by(slack, subject=SUBJECT)
    before, views = ephemerals(slack), opened(slack)
    slack.click(DIRECTOR, ActionId.PROPOSE_DECISION.value, case, channel=DIRECTORS_CHANNEL)
    text = refusal_for(slack, DIRECTOR, before)
    assert "may still respond (until 17:00 on" in text
    assert opened(slack) == views, "the form was not opened to be refused later"


# ---- 9. each message names its reader's own deadline --------------------------------------

def test_the_delegate_is_told_the_reviews_deadline_not_the_named_persons(
        slack: SlackDriver) -> None:
    case = acknowledged_by(slack, subject=SUBJECT)
    step(slack, DIRECTOR, ActionId.DELEGATE_REVIEW, case, {"delegate": SENIOR},
         channel=DIRECTORS_CHANNEL)
    slack.deliver()
    told = " ".join(slack.dms(SENIOR))
    assert "Stage Two definitive reply is due" in told
    assert "Named person's response" not in told


# ---- 12-14. notes, buttons, the review window ---------------------------------------------

def test_a_note_on_a_request_inside_the_window_is_not_labelled_as_outside_it(
        slack: SlackDriver) -> None:
    case = stage_one_replied(slack)
    slack.clock.advance(timedelta(days=1))
    step(slack, CS_AGENT, ActionId.REQUEST_REVIEW, case,
         {"how": "email to the MD", "reason": "They also asked for a call back."})
    view = open_step(slack, CS_AGENT, ActionId.VIEW_DETAILS, case)
    shown = json.dumps(view)
    assert "Note on the request: They also asked for a call back." in shown
    assert "outside the review window because" not in shown


def test_after_the_window_the_card_says_the_request_is_for_a_director(
        slack: SlackDriver) -> None:
    case = stage_one_replied(slack)
    slack.clock.advance(timedelta(days=60))
    assert slack.desk.close_expired_review_windows() == [case.reference]
    slack.deliver()
    card = slack.card(case)
    assert "Late review request (director)" in card_text(card)
    assert ActionId.REQUEST_REVIEW.value in buttons(card)
    before = ephemerals(slack)
    slack.click(CS_AGENT, ActionId.REQUEST_REVIEW.value, case)
    assert "only a director may accept it" in refusal_for(slack, CS_AGENT, before)


def test_a_refusal_says_who_the_step_is_for(slack: SlackDriver) -> None:
    case = acknowledged_by(slack, subject=None)
    assert "Draft decision (reviewer or delegate)" in card_text(
        slack.card(case, DIRECTORS_CHANNEL))
    before = ephemerals(slack)
    slack.click(DIRECTOR_2, ActionId.PROPOSE_DECISION.value, case, channel=DIRECTORS_CHANNEL)
    assert "is for the reviewer or the delegate" in refusal_for(slack, DIRECTOR_2, before)


def test_the_review_window_is_shown_as_information_not_as_a_deadline(
        slack: SlackDriver) -> None:
    case = stage_one_replied(slack)
    shown = card_text(slack.card(case))
    assert "Review window closes" in shown
    assert "may ask for a Stage Two review until then" in shown
    assert "(on time)" not in shown and "working days left" not in shown
    assert case.deadlines[DeadlineKind.REVIEW_WINDOW].is_open
