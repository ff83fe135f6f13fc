"""The acknowledgement modal carries the letter: how it goes and its words, editable;
what was submitted is in the case's communications log, shown with the details."""

from __future__ import annotations

import json
from pathlib import Path

from cases.clock import FrozenClock
from cases.communications import LetterState
from cases.letters import DeliveryMethod, LetterKind
from handlers.blocks.letters import LETTER_METHOD, LETTER_TEXT, RESEND_ACTION
from handlers.ids import ActionId
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import CS_AGENT, DIRECTOR, DIRECTORS_CHANNEL, SlackDriver
from tests.slack.test_stage_one import log_complaint, open_step, tick_all
from tests.slack.test_stage_two import escalate, stage_one_replied
from tests.slack.test_stage_two import open_step as open_step2


def _block(view: dict[str, object], block_id: str) -> dict[str, object]:
    blocks = view["blocks"]
    assert isinstance(blocks, list)
    return next(b for b in blocks if b.get("block_id") == block_id)


def test_the_acknowledgement_modal_previews_the_letter_and_keeps_what_was_said(
        slack: SlackDriver) -> None:
    log_complaint(slack)
    case = slack.only_case()
    assert case.id is not None
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case.id)

    methods = [o["value"] for o in _block(view, LETTER_METHOD)["element"]["options"]]
    # No mail server in this workspace: post or phone, and the modal says why not email.
    assert methods == ["post", "phone"]
    assert "COMPLAINTS_SMTP_URL" in json.dumps(view["blocks"])
    preview = _block(view, LETTER_TEXT)["element"]["initial_value"]
    assert "Dear Ada Example" in preview and case.reference in preview
    assert "is dealing with your complaint" in preview

    said = preview.replace("Dear Ada Example", "Ada, as we discussed")
    assert slack.submit(CS_AGENT, view, {
        "procedure_attached": tick_all(view, "procedure_attached"),
        LETTER_METHOD: "phone", LETTER_TEXT: said}).status == 200

    [entry] = slack.desk.letters_of(case.id, actor=slack.person(CS_AGENT))
    assert (entry.method, entry.state) == (DeliveryMethod.PHONE, LetterState.TOLD)
    assert entry.text.startswith("Ada, as we discussed")
    assert entry.sent_by == slack.person(CS_AGENT)

    opened = len(slack.fake.calls("views.open"))
    slack.click(CS_AGENT, ActionId.VIEW_DETAILS.value, case.id)
    details = json.dumps(slack.opened_view(opened + 1)["blocks"])
    assert "Acknowledgement of your complaint" in details and "Told by phone" in details
    assert RESEND_ACTION not in details  # nothing to resend: it was said, not sent


def test_an_empty_letter_is_refused_before_the_step_is_taken(slack: SlackDriver) -> None:
    log_complaint(slack)
    case = slack.only_case()
    assert case.id is not None
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case.id)

    answer = slack.submit(CS_AGENT, view, {
        "procedure_attached": tick_all(view, "procedure_attached"), LETTER_TEXT: "  "})

    assert LETTER_TEXT in json.loads(answer.body)["errors"]
    assert slack.desk.get_case(case.id).owner is None
    assert slack.desk.letters_of(case.id, actor=slack.person(CS_AGENT)) == []


def test_the_review_acknowledgement_modal_carries_the_stage_two_letter(
        slack: SlackDriver) -> None:
    case = escalate(slack, stage_one_replied(slack))
    view = open_step2(slack, DIRECTOR, ActionId.ACKNOWLEDGE_REVIEW, case,
                      channel=DIRECTORS_CHANNEL)
    preview = _block(view, LETTER_TEXT)["element"]["initial_value"]
    assert "will deal with the review" in preview and "1 June 2026" in preview

    assert slack.submit(DIRECTOR, view, {LETTER_METHOD: "phone"}).status == 200

    assert case.id is not None
    director = slack.person(DIRECTOR)
    kinds = [(e.kind, e.method, e.sent_by)
             for e in slack.desk.letters_of(case.id, actor=director)]
    assert (LetterKind.STAGE_TWO_ACKNOWLEDGEMENT, DeliveryMethod.PHONE, director) in kinds


def test_a_posted_letter_comes_back_to_its_sender_as_a_pdf_in_their_dm(
        slack: SlackDriver) -> None:
    log_complaint(slack)
    case = slack.only_case()
    assert case.id is not None
    view = open_step(slack, CS_AGENT, ActionId.ACKNOWLEDGE, case.id)

    assert slack.submit(CS_AGENT, view, {
        "procedure_attached": tick_all(view, "procedure_attached"),
        LETTER_METHOD: "post"}).status == 200
    slack.deliver()  # the PDFs are made and sent by the outbox, after Slack has its answer

    dm = slack.fake.dm_channel(CS_AGENT)
    slack.fake.wait_until(lambda: any(m.files for m in slack.fake.messages(dm)), timeout=30,
                          describe="the posted letter's PDF in the sender's DM")
    [message] = [m for m in slack.fake.messages(dm) if m.files]
    assert case.reference in message.text and "print and post" in message.text
    names = [f["name"] for f in message.files]
    assert all(n.endswith(".pdf") for n in names) and len(names) == 2  # letter + procedure
    for shared in message.files:
        assert slack.fake.file_bytes(shared["id"]).startswith(b"%PDF")
    # The DM came through the upload pair, to a conversation id as Slack needs.
    [completed] = slack.fake.calls("files.completeUploadExternal")
    assert completed.body["channel_id"] == dm


def test_the_logged_dm_carries_the_companys_call_script(slack: SlackDriver) -> None:
    """The intake_script template is what staff say at first contact: the DM after
    logging gives it, with the case's own reference and dates."""
    log_complaint(slack)
    case = slack.only_case()
    slack.deliver()
    [dm] = [m for m in slack.fake.messages(slack.fake.dm_channel(CS_AGENT))
            if case.reference in m.text and "is logged" in m.text]
    shown = json.dumps(dm.blocks)
    assert "In the company's words" in shown
    assert f"under reference {case.reference}" in shown
    assert "8 May" in shown  # the acknowledgement date, in the script too


def test_a_companys_own_call_script_replaces_the_shipped_one(
        fake_slack: FakeSlack, tmp_path: Path, clock: FrozenClock) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "intake_script.txt.j2").write_text(
        "Thanks {{ complainant_name }}. Quote {{ reference }}; we acknowledge by "
        "{{ acknowledge_by }}.\n")
    slack = SlackDriver(fake_slack, tmp_path, clock, complaints_templates_dir=str(templates))
    log_complaint(slack)
    case = slack.only_case()
    slack.deliver()
    texts = [json.dumps(m.blocks) for m in slack.fake.messages(slack.fake.dm_channel(CS_AGENT))]
    assert any(f"Thanks Ada Example. Quote {case.reference}" in t for t in texts)
