"""The case file end to end: what Stage One recorded is read back, paged, need-to-know only.

Signed Slack requests go into the real bolt app; the modal comes out of the fake Slack API,
which refuses any view over Slack's limits (100 blocks, 3000 characters a section).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from cases.model import Case
from cases.roles import Role
from handlers.ids import ActionId, CallbackId
from tests.slack.harness import (
    CS_AGENT,
    CS_AGENT_2,
    DIRECTOR,
    DIRECTORS_CHANNEL,
    GOOD_INTAKE,
    STAFF,
    SUBJECT,
    SlackDriver,
)
from tests.slack.signing import block_actions_body
from tests.slack.test_stage_two import (
    cid,
    escalate,
    log_complaint,
    open_step,
    refusal_for,
    stage_one_replied,
    step,
)

HR = "U0HRMAN01"


def open_file(slack: SlackDriver, user: str, case: Case, *,
              channel: str | None = DIRECTORS_CHANNEL) -> dict[str, Any]:
    view = open_step(slack, user, ActionId.CASE_FILE, case, channel=channel)
    assert view["callback_id"] == CallbackId.CASE_FILE.value
    return view


def text_of(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"])


def test_stage_two_reviewer_reads_back_the_note_findings_and_suggestions(
        slack: SlackDriver) -> None:
    case = stage_one_replied(slack)
    assert slack.command(CS_AGENT, f"note {case.reference} Customer rang again, upset."
                         ).status == 200
    case = escalate(slack, case)
    step(slack, DIRECTOR, ActionId.ACKNOWLEDGE_REVIEW, case, {}, channel=DIRECTORS_CHANNEL)

    shown = text_of(open_file(slack, DIRECTOR, case))
    for recorded in ("Firmware fault confirmed.", "A replacement unit.",
                     "Customer rang again, upset.", "email to the MD", "ada@example.com",
                     "Findings", "Suggestions for improvement", "Note"):
        assert recorded in shown, recorded
    # Opening the file showed personal data: that is in the history, by whom.
    views = [e for e in slack.desk.history(cid(case)) if e.action == "details_viewed"]
    assert [(slack.slack_of(e.actor), e.details) for e in views] == [
        (DIRECTOR, {"via": "case file"})]


def test_resolution_typed_by_customer_services_is_in_the_file(slack: SlackDriver) -> None:
    case = log_complaint(slack)
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case)
    ticks = next(b for b in view["blocks"] if b.get("block_id") == "procedure_attached")
    slack.submit(CS_AGENT, view, {"procedure_attached": [
        o["value"] for o in ticks["element"]["options"]]})
    step(slack, CS_AGENT, ActionId.RESOLVE, case,
         {"resolution": "Sent a new unit by courier.", "outcome": "upheld"})
    step(slack, CS_AGENT, ActionId.SEND_REPLY, case,
         {"outcome": "upheld", "suggestions": "Check units before dispatch."})
    case = escalate(slack, case)
    shown = text_of(open_file(slack, DIRECTOR, case))
    assert "Sent a new unit by courier." in shown
    assert "Check units before dispatch." in shown


def test_staff_without_need_to_know_and_the_named_person_are_refused_the_file(
        slack: SlackDriver) -> None:
    case = stage_one_replied(slack)
    before = len(slack.fake.calls("chat.postEphemeral"))
    assert slack.click(STAFF, ActionId.CASE_FILE.value, case).status == 200
    assert "only for the people who need to know" in refusal_for(slack, STAFF, before)

    # The person it is about sees no part of their own case (cases.subject): no file at all.
    before = len(slack.fake.calls("chat.postEphemeral"))
    opened = len(slack.fake.calls("views.open"))
    assert slack.click(SUBJECT, ActionId.CASE_FILE.value, case).status == 200
    assert "only for the people who need to know" in refusal_for(slack, SUBJECT, before)
    assert len(slack.fake.calls("views.open")) == opened, "no case file for the named person"
    seen_by_subject = json.dumps([c.body for c in slack.fake.calls()
                                  if SUBJECT in (c.body.get("user"), c.body.get("channel"))])
    for secret in ("Firmware fault confirmed.", "ada@example.com", "Ada Example"):
        assert secret not in seen_by_subject, secret
    assert not [e for e in slack.desk.history(cid(case)) if e.action == "details_viewed"]


def test_a_file_with_200_events_pages_within_slacks_limits_and_loses_nothing(
        slack: SlackDriver) -> None:
    case = stage_one_replied(slack)
    long_note = "word " * 390  # nearly the longest note: every one needs its own section
    for n in range(200):
        slack.desk.add_note(cid(case), actor=slack.person(CS_AGENT),
                            text=f"Note {n:03d}. {long_note}")
        slack.clock.advance(timedelta(minutes=1))
    view = open_file(slack, DIRECTOR, case)  # the fake refuses a view over the limits
    view_id = slack.fake.calls("views.open")[-1].answer["view"]["id"]
    seen = text_of(view)
    pages = 1
    while True:
        paging = [e for b in view["blocks"] if b.get("type") == "actions"
                  for e in b["elements"] if e["action_id"] == ActionId.CASE_FILE_OLDER]
        if not paging:
            break
        updates = len(slack.fake.calls("views.update"))
        assert slack.send(block_actions_body(
            ActionId.CASE_FILE_OLDER.value, paging[0]["value"], user_id=DIRECTOR,
            channel_id=None, view={"id": view_id, "type": "modal"})).status == 200
        call = slack.fake.wait_for("views.update", updates + 1)[-1]
        assert call.answer is not None and call.answer["ok"], call.answer
        view = slack.fake.view(view_id)
        assert len(view["blocks"]) <= 100
        seen += text_of(view)
        pages += 1
    assert pages > 2
    for n in range(200):
        assert f"Note {n:03d}. {long_note.strip()}" in seen.replace("\\n", "\n"), n
    # Paging re-checked access but recorded the one opening only.
    views = [e for e in slack.desk.history(cid(case)) if e.action == "details_viewed"]
    assert len(views) == 1


def log(slack: SlackDriver, **changes: Any) -> Case:
    """Log a complaint through `/complaint new`; the newest case."""
    opened = len(slack.fake.calls("views.open"))
    assert slack.command(CS_AGENT, "new").status == 200
    view = slack.opened_view(opened + 1)
    answer = slack.submit(CS_AGENT, view, {**GOOD_INTAKE, "received_at": slack.clock.now(),
                                           **changes})
    assert answer.status == 200 and not answer.body, answer.body
    return max(slack.desk.list_cases(viewer=slack.person(CS_AGENT), which="open"),
               key=lambda c: cid(c))


def answer_text(response: Any) -> str:
    return str(response.body)


def test_find_by_email_reveals_the_complainants_two_cases_and_records_the_search(
        slack: SlackDriver) -> None:
    first = log(slack)
    slack.clock.advance(timedelta(hours=1))
    other = log(slack, complainant_name="Bob Other", email="bob@example.org",
                phone="07911 123456", organisation="")
    slack.clock.advance(timedelta(hours=1))
    second = log(slack, facts="The replacement unit is faulty too.")

    shown = answer_text(slack.command(DIRECTOR, "find  ADA@Example.com "))
    assert first.reference in shown and second.reference in shown
    assert other.reference not in shown
    assert ActionId.CASE_FILE.value in shown
    for case in (first, second):
        found = [(slack.slack_of(e.actor), e.details) for e in slack.desk.history(cid(case))
                 if e.action == "found"]
        assert found == [(DIRECTOR, {"query": "ADA@Example.com"})]
    assert not [e for e in slack.desk.history(cid(other)) if e.action == "found"]

    # The phone as people type it, the name in part, the reference in lower case.
    assert other.reference in answer_text(slack.command(CS_AGENT, "find +44 7911 123-456"))
    by_name = answer_text(slack.command(CS_AGENT, "find ada exa"))
    assert first.reference in by_name and other.reference not in by_name
    assert second.reference in answer_text(slack.command(CS_AGENT,
                                                         f"find {second.reference.lower()}"))


def test_find_reveals_nothing_to_staff_without_need_to_know(slack: SlackDriver) -> None:
    case = log(slack)
    shown = answer_text(slack.command(STAFF, "find ada@example.com"))
    assert case.reference not in shown and "No case that you can see" in shown
    assert not [e for e in slack.desk.history(cid(case)) if e.action == "found"]
    assert "at least two letters" in answer_text(slack.command(CS_AGENT, "find a"))


def home_of(slack: SlackDriver, user: str) -> dict[str, Any]:
    from tests.slack.signing import JSON, app_home_opened_event, event_body

    published = len(slack.fake.calls("views.publish"))
    assert slack.send(event_body(app_home_opened_event(user)), content_type=JSON).status == 200
    call = slack.fake.wait_for("views.publish", published + 1)[-1]
    assert call.answer is not None and call.answer["ok"], call.answer
    return dict(call.body["view"])


def section_texts(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b.get("type") == "section"
            and b.get("text")]


def test_customer_services_home_lists_the_unacknowledged_case_first_with_its_buttons(
        slack: SlackDriver) -> None:
    acknowledged = log(slack)
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, acknowledged)
    ticks = next(b for b in view["blocks"] if b.get("block_id") == "procedure_attached")
    slack.submit(CS_AGENT, view, {"procedure_attached": [
        o["value"] for o in ticks["element"]["options"]]})
    slack.clock.advance(timedelta(hours=2))
    waiting = log(slack, complainant_name="Bob Other")

    home = home_of(slack, CS_AGENT_2)  # a colleague: not their case, but their team's queue
    texts = section_texts(home)
    assert texts[0].startswith("*Waiting for acknowledgement* (1)")
    assert texts[1].startswith(f"*{waiting.reference}*") and "left" in texts[1]
    row_buttons = next(b for b in home["blocks"] if b.get("type") == "actions"
                       and ActionId.ACKNOWLEDGE.value in json.dumps(b))
    assert [e["action_id"] for e in row_buttons["elements"]] == [
        ActionId.OPEN_CASE.value, ActionId.ACKNOWLEDGE.value, ActionId.CASE_FILE.value]
    assert "Bob Other" not in json.dumps(home) and "ada@example.com" not in json.dumps(home)

    # The button works from the Home tab: it opens the acknowledgement form.
    opened = len(slack.fake.calls("views.open"))
    assert slack.send(block_actions_body(
        ActionId.ACKNOWLEDGE.value, row_buttons["elements"][1]["value"], user_id=CS_AGENT_2,
        channel_id=None)).status == 200
    assert slack.opened_view(opened + 1)["callback_id"] == CallbackId.ACKNOWLEDGE.value

    # Staff without a role get no queue and nobody else's case.
    staff_home = json.dumps(home_of(slack, STAFF))
    assert waiting.reference not in staff_home and "Waiting for" not in staff_home


def test_directors_home_shows_stage_two_waiting_and_the_hr_manager_sees_overdue_counts(
        slack: SlackDriver) -> None:
    case = escalate(slack, stage_one_replied(slack))
    texts = section_texts(home_of(slack, DIRECTOR))
    assert texts[0].startswith("*Stage Two waiting for acknowledgement* (1)")
    assert texts[1].startswith(f"*{case.reference}*")
    assert any(t.startswith("*Decisions waiting for approval* (0)") for t in texts)

    slack.grant(HR, Role.HR_MANAGER)
    slack.clock.advance(timedelta(days=10))  # the review acknowledgement is now overdue
    hr_home = home_of(slack, HR)
    texts = section_texts(hr_home)
    assert texts[0].startswith("*Overdue (oversight)* (1)")
    assert "Review acknowledgement: 1" in texts[0]
    assert ActionId.CASE_FILE.value in json.dumps(hr_home)
    shown = text_of(open_file(slack, HR, case, channel=None))  # read-only: no step buttons
    assert "Firmware fault confirmed." in shown
    assert ActionId.ACKNOWLEDGE_REVIEW.value not in shown


def push_from_file(slack: SlackDriver, user: str, file_view: dict[str, Any],
                   action: ActionId) -> dict[str, Any]:
    """Press a button of the open case file; the form it pushes."""
    button = next(e for b in file_view["blocks"] if b.get("type") == "actions"
                  for e in b["elements"] if e["action_id"] == action.value)
    pushed = len(slack.fake.calls("views.push"))
    view_id = slack.fake.calls("views.open")[-1].answer["view"]["id"]
    assert slack.send(block_actions_body(action.value, button["value"], user_id=user,
                                         channel_id=None,
                                         view={"id": view_id, "type": "modal"})).status == 200
    call = slack.fake.wait_for("views.push", pushed + 1)[-1]
    view = call.body["view"]
    return json.loads(view) if isinstance(view, str) else dict(view)


def test_an_edit_keeps_old_and_new_values_and_only_need_to_know_reads_them(
        slack: SlackDriver) -> None:
    case = log(slack)
    form = push_from_file(slack, CS_AGENT, open_file(slack, CS_AGENT, case, channel=None),
                          ActionId.EDIT_DETAILS)
    assert form["callback_id"] == CallbackId.EDIT_DETAILS.value
    answer = slack.submit(CS_AGENT, form, {"email": "ada.example@example.net",
                                           "reason": "She spelt it out on the phone."})
    assert answer.status == 200 and not answer.body, answer.body
    edited = slack.desk.get_case(cid(case))
    assert str(edited.intake.email) == "ada.example@example.net"
    assert edited.intake.complainant_name == "Ada Example"  # untouched fields stay
    event = [e for e in slack.desk.history(cid(case)) if e.action == "details_edited"][-1]
    assert (slack.slack_of(event.actor), event.details) == (CS_AGENT, {
        "fields": ["email"], "old": {"email": "ada@example.com"},
        "new": {"email": "ada.example@example.net"},
        "reason": "She spelt it out on the phone."})
    shown = text_of(open_file(slack, DIRECTOR, edited))
    assert "ada@example.com" in shown and "ada.example@example.net" in shown
    assert "Corrected the intake details" in shown
    # The new email finds the case; the card (in the channel) never shows either.
    assert case.reference in answer_text(slack.command(CS_AGENT, "find ada.example@"))
    slack.deliver()
    assert "example.net" not in json.dumps(slack.card(case).blocks)

    before = len(slack.fake.calls("chat.postEphemeral"))
    assert slack.click(STAFF, ActionId.EDIT_DETAILS.value, case).status == 200
    assert refusal_for(slack, STAFF, before)


def test_a_reassigned_owner_gets_the_dm_with_their_next_deadline_and_the_previous_is_told(
        slack: SlackDriver) -> None:
    case = log(slack)
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case)
    ticks = next(b for b in view["blocks"] if b.get("block_id") == "procedure_attached")
    slack.submit(CS_AGENT, view, {"procedure_attached": [
        o["value"] for o in ticks["element"]["options"]]})
    assert slack.slack_of(slack.desk.get_case(cid(case)).owner or "") == CS_AGENT
    slack.deliver()
    form = push_from_file(slack, CS_AGENT, open_file(slack, CS_AGENT, case, channel=None),
                          ActionId.REASSIGN)
    answer = slack.submit(CS_AGENT, form, {"owner": CS_AGENT_2, "reason": "Holiday cover."})
    assert answer.status == 200 and not answer.body, answer.body
    assert slack.slack_of(slack.desk.get_case(cid(case)).owner or "") == CS_AGENT_2
    slack.deliver()
    new = [t for t in slack.dms(CS_AGENT_2) if case.reference in t]
    assert new and "made you the owner" in new[-1] and "Investigation and action" in new[-1]
    assert any("in your place" in t for t in slack.dms(CS_AGENT))
    event = [e for e in slack.desk.history(cid(case)) if e.action == "reassigned"][-1]
    assert event.details == {"owner": slack.person(CS_AGENT_2),
                             "previous": slack.person(CS_AGENT), "reason": "Holiday cover."}
    assert f"<@{CS_AGENT_2}>" in json.dumps(slack.card(case).blocks)

    # The person the complaint is about can never be made its owner.
    form = push_from_file(slack, CS_AGENT_2, open_file(slack, CS_AGENT_2, case, channel=None),
                          ActionId.REASSIGN)
    about = log(slack, subject_user_id=SUBJECT)
    refused = slack.submit(CS_AGENT, {**form, "private_metadata": json.dumps(
        {"case": cid(about)})}, {"owner": SUBJECT})
    assert "the complaint is about this person" in str(refused.body)


def test_attach_to_case_keeps_a_messages_text_and_file_and_shows_them_in_the_file(
        slack: SlackDriver) -> None:
    from tests.slack.signing import _form, message_shortcut_payload

    case = log(slack)
    payload = message_shortcut_payload(CallbackId.SHORTCUT_ATTACH.value,
                                       "Fwd: my tracker is still broken", user_id=CS_AGENT)
    payload["message"]["files"] = [{
        "id": "F0FILE001", "name": "receipt.pdf", "title": "receipt",
        "permalink": "https://example.slack.com/files/U0CUSTOMER/F0FILE001/receipt.pdf"}]
    opened = len(slack.fake.calls("views.open"))
    assert slack.send(_form(payload)).status == 200
    form = slack.opened_view(opened + 1)
    assert form["callback_id"] == CallbackId.ATTACH.value
    assert "receipt.pdf" in json.dumps(form["blocks"])
    answer = slack.submit(CS_AGENT, form, {"case_reference": case.reference.lower()})
    assert answer.status == 200 and not answer.body, answer.body

    event = [e for e in slack.desk.history(cid(case)) if e.action == "attached"][-1]
    assert slack.slack_of(event.actor) == CS_AGENT and event.details["text"] == \
        "Fwd: my tracker is still broken"
    assert event.details["files"] == [{
        "name": "receipt.pdf",
        "link": "https://example.slack.com/files/U0CUSTOMER/F0FILE001/receipt.pdf"}]
    assert event.details["source"] == "slack:C0CS00001/1700000002.000002"
    shown = text_of(open_file(slack, DIRECTOR, case))
    assert "Attached correspondence" in shown and "receipt.pdf" in shown
    assert "Fwd: my tracker is still broken" in shown

    # Someone without need-to-know cannot attach to (or find out about) the case.
    refused = slack.submit(STAFF, form, {"case_reference": case.reference})
    assert "No case" in str(refused.body)
