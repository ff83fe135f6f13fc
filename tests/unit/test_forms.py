"""Modal answers parsed at the edge: typed values, or inline errors; never an exception."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from cases.errors import IntakeInvalid
from cases.model import Outcome
from handlers.forms import parse_form
from handlers.forms.intake import IntakeForm
from handlers.forms.steps import AcknowledgeForm, ProposeDecisionForm, RequestReviewForm
from handlers.identity import actor_of, person_of
from handlers.ids import decode_case_ref
from handlers.payloads import BadPayload


class People:
    """Slack id -> person id, recording the names it was given."""

    def __init__(self) -> None:
        self.names: dict[str, str | None] = {}

    def person_for(self, slack_id: str, display_name: str | None = None) -> str:
        self.names[slack_id] = display_name
        return f"person-of-{slack_id}"


def view(**elements: dict[str, Any]) -> dict[str, Any]:
    return {"state": {"values": {block: {block: state} for block, state in elements.items()}}}


def errors_of(model: Any, submitted: Any) -> dict[str, str]:
    with pytest.raises(IntakeInvalid) as caught:
        parse_form(model, submitted)
    return caught.value.errors


def test_pickers_and_selects_become_dates_people_and_outcomes() -> None:
    form = parse_form(AcknowledgeForm, view(
        owner={"type": "users_select", "selected_user": "U0CS00001"},
        promised_reply_by={"type": "datepicker", "selected_date": "2025-05-21"},
        procedure_attached={"type": "checkboxes", "selected_options": [{"value": "yes"}]}),
        People())
    assert (form.owner, form.promised_reply_by, form.procedure_attached) == (
        "person-of-U0CS00001", date(2025, 5, 21), frozenset({"yes"}))
    decision = parse_form(ProposeDecisionForm, view(
        outcome={"type": "radio_buttons", "selected_option": {"value": "upheld"}}))
    assert decision.outcome is Outcome.UPHELD


def test_required_answers_left_empty_say_what_to_choose() -> None:
    assert errors_of(AcknowledgeForm, view()) == {
        "owner": "choose who deals with it", "promised_reply_by": "choose a reply date"}


@pytest.mark.parametrize("state", [
    {"selected_date_time": 10**20}, {"selected_date_time": "1744794000"},
    {"selected_date_time": True}, {"selected_date_time": 1.5e9},
    {"selected_date_time": -(10**12)}])
def test_a_huge_or_odd_picked_time_is_a_field_error(state: dict[str, Any]) -> None:
    assert set(errors_of(RequestReviewForm, view(requested_at=state))) == {"requested_at"}


@pytest.mark.parametrize("raw", ["99999-01-01", "2025-02-30", "20250521", ["2025-05-21"], 7])
def test_a_date_that_is_not_a_picked_date_is_a_field_error(raw: Any) -> None:
    errors = errors_of(AcknowledgeForm, view(promised_reply_by={"selected_date": raw}))
    assert "promised_reply_by" in errors


@pytest.mark.parametrize("value", ["\ud800 lone surrogate", "nul\x00byte", ["a"], {"a": 1}, 3])
def test_text_that_cannot_be_stored_is_a_field_error(value: Any) -> None:
    assert set(errors_of(IntakeForm, view(facts={"value": value}))) == {"facts"}


def test_a_value_not_among_the_options_is_a_field_error() -> None:
    errors = errors_of(IntakeForm, view(channel={"selected_option": {"value": "pigeon"}},
                                        checklist={"selected_options": [{"value": "x"}]}))
    assert set(errors) == {"channel", "checklist"}


@pytest.mark.parametrize("submitted", [None, "view", {"state": []}, {"state": {"values": []}},
                                       {"blocks": "x"}])
def test_a_view_without_readable_state_is_refused_not_parsed(submitted: Any) -> None:
    with pytest.raises(BadPayload):
        parse_form(IntakeForm, submitted)


def test_intake_time_is_read_in_utc_and_shown_in_the_zone_given() -> None:
    form = parse_form(IntakeForm, view(received_at={"selected_date_time": 1_744_794_000}))
    assert form.received_at == datetime(2025, 4, 16, 9, 0, tzinfo=UTC)
    assert form.to_data(lambda at: at)["received_at"] == form.received_at


@pytest.mark.parametrize("body", [{}, {"user": {}}, {"user": {"id": 5}}, {"user_id": "x"},
                                  {"user": {"id": "U1 OR 1=1"}}, [], None])
def test_a_payload_without_a_plausible_user_names_nobody(body: Any) -> None:
    with pytest.raises(BadPayload):
        actor_of(body, People())


def test_actor_is_read_from_interactivity_commands_and_events() -> None:
    people = People()
    assert actor_of({"user": {"id": "U0CS00001", "name": "casey"}}, people) == \
        "person-of-U0CS00001"
    assert actor_of({"user_id": "U0CS00002", "user_name": "cass"}, people) == \
        "person-of-U0CS00002"
    assert actor_of({"event": {"user": "W0GRID001"}}, people) == "person-of-W0GRID001"
    # A new person is named as the payload names its sender, when it does.
    assert people.names == {"U0CS00001": "casey", "U0CS00002": "cass", "W0GRID001": None}
    assert person_of(None, people) is None
    with pytest.raises(ValueError):
        person_of("not-a-user", people)


@pytest.mark.parametrize("text", ['{"case": true}', '{"case": 99999999999999999999}',
                                  '{"case": 0}', '{"case": 1, "v": "2"}', "[1]", None, 5])
def test_case_references_that_are_not_ours_are_refused(text: Any) -> None:
    with pytest.raises(ValueError):
        decode_case_ref(text)
