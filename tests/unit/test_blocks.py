"""Block Kit builders against Slack's limits, with the longest value every field allows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from cases.deadlines import open_deadline, policy_dates
from cases.intake import (
    CHECKLIST_MESSAGES,
    MAX_ADDRESS,
    MAX_FACTS,
    MAX_SHORT,
    MAX_TEXT,
    IntakeRecord,
    parse_intake,
)
from cases.learning import Learning, RemedyKind
from cases.lifecycle import Action
from cases.model import Case, DeadlineKind, Decision, Outcome, ProgressUpdate, State
from cases.policy import Policy
from cases.services import MAX_HOW, MAX_NOTE, MAX_REASONS, MAX_REMEDY, MAX_RESPONSE, PersonalDetails
from cases.views import (
    CaseCardView,
    case_card_view,
    dates_to_tell,
    decision_view,
    home_view_model,
)
from handlers import blocks
from handlers.answers import field_errors
from handlers.blocks.learning import with_learning
from handlers.forms import FIELD_BLOCKS, parse_form
from handlers.forms.intake import IntakeForm
from handlers.ids import (
    ACTION_BUTTONS,
    MODAL_FOR_ACTION,
    ActionId,
    BlockId,
    CallbackId,
    decode_case_ref,
)
from scheduling.calendar import UKWorkingCalendar

CAL = UKWorkingCalendar()
POLICY = Policy()
NOW = datetime(2025, 6, 5, 9, 0, tzinfo=UTC)
RECEIVED = datetime(2025, 4, 16, 9, 0, tzinfo=UTC)

# Personal data that must never reach a channel: distinctive so a leak is unmistakable.
NAME = ("Zebedee Quux-" + "N" * MAX_SHORT)[:MAX_SHORT]
EMAIL = "zebedee.quux.private@complainant-example.co.uk"
PHONE = "01482 765432"
ADDRESS = ("42 Secret Lane, Hessle " + "A" * MAX_ADDRESS)[:MAX_ADDRESS]
FACTS = ("FACTS-MARKER they said & <did> " + "F" * MAX_FACTS)[:MAX_FACTS]
PERSONAL = (NAME, EMAIL, "+44 1482 765432", PHONE, ADDRESS[:40], FACTS[:40], "Zebedee")

NOTE = ("note & <b>stuff</b> " + "x" * MAX_NOTE)[:MAX_NOTE]


def worst_intake(subject: str | None = "USUBJECT") -> IntakeRecord:
    return parse_intake({
        "complainant_name": NAME,
        "organisation": "O" * MAX_SHORT,
        "email": EMAIL,
        "phone": PHONE,
        "postal_address": ADDRESS,
        "relationship": "other",
        "relationship_other": "R" * MAX_SHORT,
        "channel": "in_person",
        "received_at": RECEIVED,
        "facts": FACTS,
        "remedy_sought": "W" * MAX_TEXT,
        "category": "data_protection",
        "subject_user_id": subject,
        "checklist": {k: True for k in CHECKLIST_MESSAGES},
    })


def worst_case(state: State, *, updates: int = 60, change_requests: int = 30) -> Case:
    """A case in ``state`` with every free-text field at its longest."""
    case = Case(reference="CMP-2025-9999", intake=worst_intake(), received_at=RECEIVED,
                effective_receipt=CAL.effective_receipt(RECEIVED), logged_by="ULOGGER",
                logged_at=RECEIVED, id=99_999, version=123)
    dates = policy_dates(POLICY, CAL, RECEIVED)
    open_deadline(case, DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT, dates.stage_one_acknowledge_by,
                  RECEIVED)
    open_deadline(case, DeadlineKind.INVESTIGATION, dates.stage_one_investigate_by, RECEIVED)
    case.state = state
    if state is not State.LOGGED:
        case.deadlines[DeadlineKind.STAGE_ONE_ACKNOWLEDGEMENT].met_at = RECEIVED
    case.owner, case.investigator = "UOWNER", "UINVESTIGATOR"
    case.resolution = case.findings = case.suggestions = NOTE
    case.outcome = Outcome.PARTLY_UPHELD
    if state in (State.REVIEW_REQUESTED, State.UNDER_REVIEW, State.DECISION_PROPOSED,
                 State.FINAL):
        at = datetime(2025, 5, 20, 10, tzinfo=UTC)
        case.review_requested_at = at
        # Staff free text that may name people: it must never reach a card.
        case.review_request_how = (NAME + " phoned " + PHONE)[:MAX_HOW]
        case.review_late_reason = (NAME + " was in hospital. " + NOTE)[:2000]
        case.reviewer, case.delegate = "UDIRECTOR", "USENIOR"
        case.review_reply_by = date(2025, 6, 30)
        case.person_informed_at = at
        case.person_response = "RESPONSE-MARKER " + "r" * (MAX_RESPONSE - 16)
        case.person_responded_at = at
        open_deadline(case, DeadlineKind.STAGE_TWO_REPLY, CAL.close_of_business(date(2025, 6, 3)),
                      at)
        case.deadlines[DeadlineKind.STAGE_TWO_REPLY].due_at = CAL.close_of_business(
            date(2025, 6, 30))
        for i in range(updates):
            case.progress_updates.append(ProgressUpdate(
                at=at, by=f"UREVIEWER{i}", reason=NOTE,
                new_due_at=CAL.close_of_business(date(2025, 6, 30))))
        case.decision = Decision(
            outcome=Outcome.UPHELD, reasons="Q" * MAX_REASONS, remedy="M" * MAX_REMEDY,
            drafted_by="USENIOR", drafted_at=at,
            change_requests=[{"by": f"UDIR{i}", "at": at.isoformat(), "comment": NOTE}
                             for i in range(change_requests)],
        )
        if state is State.FINAL:
            case.decision.approved_by, case.decision.approved_at = "UDIRECTOR", at
    return case


def card(state: State, surface: str = "cs") -> CaseCardView:
    return case_card_view(worst_case(state), NOW, CAL, POLICY, surface=surface)  # type: ignore[arg-type]


# ---- walking Block Kit JSON ------------------------------------------------------------

def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a Block Kit payload, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def check_blocks(block_list: list[dict[str, Any]], *, max_blocks: int) -> None:
    assert 0 < len(block_list) <= max_blocks
    block_ids = [b["block_id"] for b in block_list if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), "block_ids repeat"
    action_ids: list[str] = []
    for block in block_list:
        kind = block["type"]
        if kind == "section":
            if "text" in block:
                assert len(block["text"]["text"]) <= 3000
            for field in block.get("fields", []):
                assert len(field["text"]) <= 2000
            assert len(block.get("fields", [])) <= 10
        if kind == "header":
            assert len(block["text"]["text"]) <= 150
        if kind == "context":
            assert len(block["elements"]) <= 10
            for element in block["elements"]:
                assert len(element.get("text", "")) <= 3000
        if kind == "actions":
            assert len(block["elements"]) <= 25
        if kind == "input":
            assert block["label"]["type"] == "plain_text"
            assert len(block["label"]["text"]) <= 150
            element = block["element"]
            if element["type"] == "plain_text_input":
                limit = element.get("max_length", 3000)
                assert limit <= 3000
                assert len(element.get("initial_value", "")) <= limit
        for obj in walk(block):
            if obj.get("type") == "button":
                assert len(obj["text"]["text"]) <= 75
                assert len(obj.get("value", "")) <= 2000
            if "action_id" in obj:
                action_ids.append(obj["action_id"])
            if "options" in obj:
                for opt in obj["options"]:
                    assert len(opt["text"]["text"]) <= 75
                    assert len(opt["value"]) <= 150
            if "placeholder" in obj:
                assert len(obj["placeholder"]["text"]) <= 150
    assert len(action_ids) == len(set(action_ids)), f"action_ids repeat: {action_ids}"


def check_message(message: tuple[str, list[Block]]) -> tuple[str, list[dict[str, Any]]]:
    text, block_list = message
    assert text.strip(), "every message needs fallback text"
    assert len(text) <= 4000
    for block in block_list:
        block.validate_json()
    dumped = [b.to_dict() for b in block_list]
    check_blocks(dumped, max_blocks=50)
    return text, dumped


def check_modal(view: View | dict[str, Any]) -> dict[str, Any]:
    """A modal, as slack_sdk objects or as plain JSON (``handlers.blocks.plain``), within
    Slack's limits by slack_sdk's own checks and ours."""
    if isinstance(view, dict):  # the same checks: slack_sdk's objects read from the JSON
        assert View(**view).to_dict() == view
        data = view
    else:
        view.validate_json()
        data = view.to_dict()
    assert data["type"] == "modal"
    assert len(data["title"]["text"]) <= 24
    for key in ("submit", "close"):
        if key in data:
            assert len(data[key]["text"]) <= 24
    assert len(data.get("private_metadata", "")) <= 3000
    assert data["callback_id"] in {c.value for c in CallbackId}
    check_blocks(data["blocks"], max_blocks=100)
    return data


def assert_no_personal_data(*payloads: Any) -> None:
    dumped = json.dumps(payloads, ensure_ascii=False)
    for secret in PERSONAL:
        assert secret not in dumped, f"personal data leaked: {secret[:30]!r}"
    assert "RESPONSE-MARKER" not in dumped


ALL_STATES = list(State)


# ---- the case card ----------------------------------------------------------------------

@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("surface", ["cs", "directors"])
def test_card_fits_slack_limits_and_hides_personal_data(state: State, surface: str) -> None:
    text, dumped = check_message(blocks.case_card_message(card(state, surface)))
    assert_no_personal_data(text, dumped)
    assert "CMP-2025-9999" in text


def test_card_buttons_carry_the_case_id_and_version() -> None:
    _, dumped = check_message(blocks.case_card_message(card(State.ACKNOWLEDGED)))
    buttons = [o for o in walk(dumped) if o.get("type") == "button"]
    ids = [b["action_id"] for b in buttons]
    assert ids == [ActionId.RESOLVE, ActionId.ASSIGN_INVESTIGATOR, ActionId.REQUEST_REVIEW,
                   ActionId.WITHDRAW, ActionId.VIEW_DETAILS, ActionId.CASE_FILE]
    for button in buttons:
        ref = decode_case_ref(button["value"])
        assert (ref.case_id, ref.version) == (99_999, 123)


@pytest.mark.parametrize("state", [State.FINAL, State.WITHDRAWN])
def test_final_card_offers_only_view_details_and_the_case_file(state: State) -> None:
    case = worst_case(state)
    case.letters_sent = frozenset({"final_decision"})  # the final letter has gone
    view = case_card_view(case, NOW, CAL, POLICY)
    _, dumped = check_message(blocks.case_card_message(view))
    buttons = [o["action_id"] for o in walk(dumped) if o.get("type") == "button"]
    assert buttons == [ActionId.VIEW_DETAILS, ActionId.CASE_FILE]


def test_a_final_card_asks_for_the_final_letter_until_it_has_gone() -> None:
    text, dumped = check_message(blocks.case_card_message(card(State.FINAL)))
    buttons = [o["action_id"] for o in walk(dumped) if o.get("type") == "button"]
    assert buttons == [ActionId.SEND_FINAL_LETTER, ActionId.VIEW_DETAILS, ActionId.CASE_FILE]
    assert "Final decision letter not sent to the complainant yet" in json.dumps(dumped)
    _, directors = check_message(blocks.case_card_message(card(State.FINAL, "directors")))
    assert ActionId.SEND_FINAL_LETTER.value not in json.dumps(directors)


def test_card_shows_phase_owner_deadline_and_tracker() -> None:
    text, dumped = check_message(blocks.case_card_message(card(State.INVESTIGATING)))
    body = json.dumps(dumped)
    assert "<@UOWNER>" in body and "Under investigation" in body
    for phase in ("Logged", "Acknowledged", "Investigation", "Reply", "Review", "Closed"):
        assert phase in body
    assert "Investigation and action" in text


def test_directors_card_shows_many_progress_updates_within_limits() -> None:
    _, dumped = check_message(blocks.case_card_message(card(State.UNDER_REVIEW, "directors")))
    body = json.dumps(dumped)
    assert "Progress updates (60)" in body
    assert "response received: yes" in body
    assert "RESPONSE-MARKER" not in body


def test_card_escapes_staff_text_for_mrkdwn() -> None:
    _, dumped = check_message(blocks.case_card_message(card(State.UNDER_REVIEW, "directors")))
    body = json.dumps(dumped)
    assert "<b>" not in body and "&lt;b&gt;" in body


# ---- decision, timeline, DMs, home, help ------------------------------------------------

@pytest.mark.parametrize("state", [State.DECISION_PROPOSED, State.FINAL])
def test_decision_message_fits_with_the_longest_reasons_and_many_change_requests(
        state: State) -> None:
    view = decision_view(worst_case(state), CAL)
    text, dumped = check_message(blocks.decision_message(view))
    ids = [o["action_id"] for o in walk(dumped) if o.get("type") == "button"]
    if state is State.DECISION_PROPOSED:
        assert ids == [ActionId.APPROVE_DECISION, ActionId.REQUEST_CHANGES]
    else:
        assert ids == []
    assert_no_personal_data(text, dumped)


TIMELINE = [
    {"what": "logged", "actor": "U1", "channel": "phone"},
    {"what": "acknowledged", "actor": "U1", "owner": "U2", "promised_reply_by": "2025-05-21",
     "procedure_attached": True},
    {"what": "resolved", "actor": "U1"},
    {"what": "investigator_assigned", "actor": "U1", "investigator": "U3"},
    {"what": "investigation_concluded", "actor": "U3"},
    {"what": "replied", "actor": "U1", "outcome": "not_upheld"},
    {"what": "withdrawn", "actor": "U1"},
    {"what": "closed", "actor": "system"},
    {"what": "review_requested", "actor": "U1", "how": NAME},
    {"what": "review_acknowledged", "actor": "U4", "reply_by": "2025-06-30"},
    {"what": "review_delegated", "actor": "U4", "delegate": "U5"},
    {"what": "person_responded", "actor": "U6"},
    {"what": "no_response", "actor": "system"},
    {"what": "progress_update", "actor": "U5", "new_reply_by": "2025-07-04"},
    {"what": "changes_requested", "actor": "U4"},
    {"what": "decision_approved", "actor": "U4", "outcome": "upheld"},
    {"what": "note", "actor": "U1"},
    {"what": "something_new", "actor": "U1"},
]


@pytest.mark.parametrize("payload", TIMELINE, ids=[p["what"] for p in TIMELINE])
def test_timeline_line_is_short_uses_mentions_and_no_personal_data(
        payload: dict[str, Any]) -> None:
    line = blocks.timeline_text({**payload, "at": NOW.isoformat()})
    assert 0 < len(line) <= 300
    assert "\n" not in line
    if payload["actor"] != "system":
        assert f"<@{payload['actor']}>" in line
    assert_no_personal_data(line)


def test_timeline_dates_are_readable() -> None:
    line = blocks.timeline_text(TIMELINE[1])
    assert "Wed 21 May 2025" in line and "<@U2>" in line


def test_logged_dm_has_reference_and_the_dates_to_tell() -> None:
    dates = dates_to_tell(policy_dates(POLICY, CAL, RECEIVED), CAL)
    text, dumped = check_message(blocks.logged_dm("CMP-2025-9999", dates))
    body = json.dumps(dumped)
    for expected in ("CMP-2025-9999", "Wed 23 Apr 2025", "Fri 16 May 2025"):
        assert expected in text and expected in body


@pytest.mark.parametrize("template", ["investigator_assigned", "person_informed",
                                      "review_delegated", "person_responded",
                                      "changes_requested", "logged"])
def test_direct_messages_fit_and_keep_personal_data_out(template: str) -> None:
    dates = dates_to_tell(policy_dates(POLICY, CAL, RECEIVED), CAL)
    payload = {"user": "UX", "template": template, "by": "UDIRECTOR", "comment": NOTE}
    text, dumped = check_message(
        blocks.direct_message(payload, card(State.UNDER_REVIEW), dates))
    assert_no_personal_data(text, dumped)


def test_person_informed_dm_offers_respond() -> None:
    _, dumped = check_message(blocks.person_informed_dm(card(State.UNDER_REVIEW)))
    ids = [o["action_id"] for o in walk(dumped) if o.get("type") == "button"]
    assert ids == [ActionId.RECORD_PERSON_RESPONSE]


def test_unknown_dm_template_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown DM template"):
        blocks.direct_message({"template": "nope"}, card(State.LOGGED))


def test_home_view_fits_with_many_cases_and_has_log_button() -> None:
    cases = []
    for i in range(150):
        c = worst_case(State.LOGGED)
        c.reference, c.id = f"CMP-2025-{i:04d}", i + 1
        cases.append(c)
    model = home_view_model(cases, NOW, CAL, POLICY, "UOWNER")
    view = blocks.home_view(model)
    view.validate_json()
    data = view.to_dict()
    assert data["type"] == "home"
    check_blocks(data["blocks"], max_blocks=100)
    ids = [o["action_id"] for o in walk(data["blocks"]) if o.get("type") == "button"]
    assert ids == [ActionId.LOG_COMPLAINT]
    assert_no_personal_data(data)


def test_case_list_text_fits_a_section() -> None:
    views = [card(State.LOGGED) for _ in range(80)]
    text = blocks.case_list_text("open", views)
    assert len(text) <= 3000 and "CMP-2025-9999" in text
    assert_no_personal_data(text)
    assert blocks.case_list_text("mine", []) == "You have no open cases."
    assert blocks.case_list_text("mine", views[:1]).startswith("*Your open cases* (1)")
    assert blocks.case_list_text("overdue", []) == "No overdue cases that you can see."


def test_help_lists_every_subcommand() -> None:
    text = blocks.help_text()
    for expected in ("/complaint new", "list [mine|overdue|open]", "show REF", "escalate REF",
                     "/complaint help"):
        assert expected in text


# ---- modals ------------------------------------------------------------------------------

def _intake_prefill() -> dict[str, Any]:
    return {**worst_intake().model_dump(mode="python"), "staff_grievance": False}


def test_intake_modal_fits_with_every_field_at_its_longest() -> None:
    dates = dates_to_tell(policy_dates(POLICY, CAL, RECEIVED), CAL)
    data = check_modal(blocks.intake_modal(dates, _intake_prefill(), '{"channel":"C1"}'))
    by_block = {b.get("block_id"): b for b in data["blocks"]}
    assert by_block[BlockId.EMAIL]["element"]["type"] == "email_text_input"
    assert by_block[BlockId.RECEIVED_AT]["element"]["type"] == "datetimepicker"
    assert by_block[BlockId.SUBJECT_USER]["element"]["type"] == "users_select"
    assert by_block[BlockId.SUBJECT_USER]["optional"] is True
    assert by_block[BlockId.RELATIONSHIP]["element"]["type"] == "static_select"
    assert by_block[BlockId.STAFF_GRIEVANCE]["element"]["type"] == "radio_buttons"
    assert len(by_block[BlockId.CHECKLIST]["element"]["options"]) == 3
    assert by_block[BlockId.FACTS]["element"]["initial_value"] == FACTS
    assert "Wed 23 Apr 2025" in json.dumps(by_block[BlockId.INTAKE_DATES])


def test_intake_modal_defaults_the_received_time_to_now() -> None:
    dates = dates_to_tell(policy_dates(POLICY, CAL, RECEIVED), CAL)
    data = blocks.intake_modal(dates, None, "").to_dict()
    picker = next(b for b in data["blocks"] if b.get("block_id") == BlockId.RECEIVED_AT)
    assert picker["element"]["initial_date_time"] == int(RECEIVED.timestamp())


def test_every_intake_field_has_an_input_block() -> None:
    dates = dates_to_tell(policy_dates(POLICY, CAL, RECEIVED), CAL)
    data = blocks.intake_modal(dates, None, "").to_dict()
    block_ids = {b.get("block_id") for b in data["blocks"]}
    for field in IntakeRecord.model_fields:
        assert FIELD_BLOCKS[field] in block_ids, field
    for item in CHECKLIST_MESSAGES:
        assert FIELD_BLOCKS[f"checklist.{item}"] == BlockId.CHECKLIST


def _state_values(view: View, answers: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """state.values as Slack sends them for ``view``, with ``answers`` by block id."""
    values: dict[str, Any] = {}
    for block in view.to_dict()["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        answer = answers.get(block["block_id"], {})
        values[block["block_id"]] = {element["action_id"]: {"type": element["type"], **answer}}
    return values


def _intake_data(values: dict[str, Any]) -> dict[str, Any]:
    """The intake submission, read at the edge, as the dict the domain validates."""
    return parse_form(IntakeForm, {"state": {"values": values}}).to_data(CAL.local)


def test_intake_submission_parses_into_the_domain_record() -> None:
    dates = dates_to_tell(policy_dates(POLICY, CAL, RECEIVED), CAL)
    view = blocks.intake_modal(dates, None, "")
    values = _state_values(view, {
        BlockId.COMPLAINANT_NAME: {"value": "Ann Example"},
        BlockId.ORGANISATION: {"value": None},
        BlockId.EMAIL: {"value": "ann@example.com"},
        BlockId.PHONE: {"value": None},
        BlockId.POSTAL_ADDRESS: {"value": None},
        BlockId.RELATIONSHIP: {"selected_option": {"value": "customer"}},
        BlockId.RELATIONSHIP_OTHER: {"value": None},
        BlockId.CHANNEL: {"selected_option": {"value": "phone"}},
        BlockId.RECEIVED_AT: {"selected_date_time": 1_744_794_000},  # 16 Apr 2025 09:00 UTC
        BlockId.CATEGORY: {"selected_option": {"value": "billing"}},
        BlockId.FACTS: {"value": "Charged twice."},
        BlockId.REMEDY_SOUGHT: {"value": None},
        BlockId.SUBJECT_USER: {"selected_user": None},
        BlockId.STAFF_GRIEVANCE: {"selected_option": {"value": "no"}},
        BlockId.CHECKLIST: {"selected_options": [{"value": k} for k in CHECKLIST_MESSAGES]},
    })
    data = _intake_data(values)
    assert data["received_at"].utcoffset().total_seconds() == 3600  # BST
    assert data["received_at"].hour == 10
    record = parse_intake(data)
    assert record.complainant_name == "Ann Example"
    assert record.received_at == RECEIVED
    assert record.checklist.told_next_steps is True
    assert record.staff_grievance is False


def test_intake_submission_with_a_missing_checkbox_names_its_item() -> None:
    from cases.errors import IntakeInvalid

    dates = dates_to_tell(policy_dates(POLICY, CAL, RECEIVED), CAL)
    view = blocks.intake_modal(dates, None, "")
    values = _state_values(view, {
        BlockId.COMPLAINANT_NAME: {"value": "Ann"},
        BlockId.EMAIL: {"value": "ann@example.com"},
        BlockId.RELATIONSHIP: {"selected_option": {"value": "customer"}},
        BlockId.CHANNEL: {"selected_option": {"value": "email"}},
        BlockId.RECEIVED_AT: {"selected_date_time": 1_744_794_000},
        BlockId.CATEGORY: {"selected_option": {"value": "billing"}},
        BlockId.FACTS: {"value": "x"},
        BlockId.CHECKLIST: {"selected_options": [{"value": "told_next_steps"}]},
    })
    with pytest.raises(IntakeInvalid) as caught:
        parse_intake(_intake_data(values))
    shown = field_errors(caught.value.errors)
    assert set(shown) == {BlockId.CHECKLIST}
    assert "feedback form" in shown[BlockId.CHECKLIST]


def test_intake_submission_reads_a_grievance_answer() -> None:
    dates = dates_to_tell(policy_dates(POLICY, CAL, RECEIVED), CAL)
    view = blocks.intake_modal(dates, None, "")
    values = _state_values(view, {BlockId.STAFF_GRIEVANCE: {"selected_option": {"value": "yes"}}})
    assert _intake_data(values)["staff_grievance"] is True


def test_field_errors_join_the_checklist_items_on_its_one_block() -> None:
    shown = field_errors({"email": "bad", "checklist.feedback_form_sent": "form",
                          "checklist.told_next_steps": "steps"})
    assert shown == {BlockId.EMAIL: "bad", BlockId.CHECKLIST: "form; steps"}


def _step_modals() -> list[View | dict[str, Any]]:
    meta = '{"case":99999,"v":123}'
    at = datetime(2025, 5, 20, 10, tzinfo=UTC)
    return [
        blocks.notice_modal("Not done", NOTE),
        blocks.acknowledge_modal("CMP-2025-9999", meta, owner="UCLICKER",
                                 promised_reply_by=date(2025, 5, 21)),
        blocks.resolve_modal("CMP-2025-9999", meta),
        blocks.assign_investigator_modal("CMP-2025-9999", meta, "UINV"),
        blocks.conclude_investigation_modal("CMP-2025-9999", meta),
        blocks.send_reply_modal("CMP-2025-9999", meta, Outcome.UPHELD),
        blocks.request_review_modal("CMP-2025-9999", meta, requested_at=at, out_of_window=True),
        blocks.request_review_modal("CMP-2025-9999", meta, requested_at=at, out_of_window=False),
        blocks.withdraw_modal("CMP-2025-9999", meta),
        blocks.details_modal(PersonalDetails("CMP-2025-9999", worst_intake()), CAL),
        blocks.acknowledge_review_modal("CMP-2025-9999", meta, reply_by=date(2025, 6, 30)),
        blocks.delegate_modal("CMP-2025-9999", meta),
        blocks.respond_modal("CMP-2025-9999", meta, "Mon 2 Jun 2025 17:00"),
        blocks.progress_update_modal("CMP-2025-9999", meta, date(2025, 6, 30)),
        blocks.draft_decision_modal("CMP-2025-9999", meta, outcome=Outcome.NOT_UPHELD,
                                    reasons="Q" * MAX_REASONS, remedy="M" * MAX_REMEDY),
        blocks.request_changes_modal("CMP-2025-9999", meta),
        # The learning part on the longest modal, with the most causes a policy may list.
        with_learning(blocks.draft_decision_modal(
            "CMP-2025-9999", meta, outcome=Outcome.NOT_UPHELD, reasons="Q" * MAX_REASONS,
            remedy="M" * MAX_REMEDY), Action.PROPOSE_DECISION,
            {f"cause_{i}": "C" * 60 for i in range(50)},
            Learning("cause_3", tuple(RemedyKind), 99_999_999)),
    ]


@pytest.mark.parametrize("view", _step_modals(),
                         ids=lambda v: v["callback_id"] if isinstance(v, dict) else v.callback_id)
def test_every_modal_fits_slack_limits(view: View | dict[str, Any]) -> None:
    check_modal(view)


def test_details_modal_shows_all_personal_data() -> None:
    data = check_modal(blocks.details_modal(PersonalDetails("CMP-2025-9999", worst_intake()),
                                            CAL))
    body = json.dumps(data, ensure_ascii=False)
    for expected in (NAME, EMAIL, "+44 1482 765432", "42 Secret Lane", "FACTS-MARKER"):
        assert expected in body
    assert "they said &amp; &lt;did&gt;" in body


def test_out_of_window_escalation_requires_a_reason() -> None:
    at = datetime(2025, 5, 20, 10, tzinfo=UTC)
    for out, optional in ((True, False), (False, True)):
        data = blocks.request_review_modal("R", "{}", requested_at=at,
                                           out_of_window=out).to_dict()
        reason = next(b for b in data["blocks"] if b.get("block_id") == BlockId.REASON)
        assert reason.get("optional", False) is optional
        assert ("required" in reason["label"]["text"]) is out


def test_acknowledge_modal_prefills_owner_and_reply_date() -> None:
    data = blocks.acknowledge_modal("R", "{}", owner="UCLICKER",
                                    promised_reply_by=date(2025, 5, 21)).to_dict()
    by_block = {b.get("block_id"): b for b in data["blocks"]}
    assert by_block[BlockId.OWNER]["element"]["initial_user"] == "UCLICKER"
    assert by_block[BlockId.PROMISED_REPLY_BY]["element"]["initial_date"] == "2025-05-21"
    assert "complaints procedure" in json.dumps(by_block[BlockId.PROCEDURE_ATTACHED])


@pytest.mark.parametrize("action", list(MODAL_FOR_ACTION))
def test_step_modal_dispatches_every_card_action_to_its_modal(action: Action) -> None:
    view = case_card_view(worst_case(State.UNDER_REVIEW), NOW, CAL, POLICY)
    modal = blocks.step_modal(action, view, clicker="UCLICKER", today=date(2025, 6, 5),
                              private_metadata='{"case":99999}',
                              policy_prefill=blocks.StepPrefill(requested_at=NOW))
    assert modal.callback_id == MODAL_FOR_ACTION[action]
    assert modal.private_metadata == '{"case":99999}'
    check_modal(modal)


def test_every_button_action_has_a_modal_or_is_view_details() -> None:
    assert set(ACTION_BUTTONS) == set(MODAL_FOR_ACTION) | {Action.APPROVE_DECISION}


def test_modal_field_blocks_all_exist_somewhere() -> None:
    dates = dates_to_tell(policy_dates(POLICY, CAL, RECEIVED), CAL)
    seen: set[str] = set()
    for view in [*_step_modals(), blocks.intake_modal(dates, None, "")]:
        data = view if isinstance(view, dict) else view.to_dict()
        seen |= {b.get("block_id") for b in data["blocks"]}
    missing = set(FIELD_BLOCKS.values()) - seen
    assert not missing
