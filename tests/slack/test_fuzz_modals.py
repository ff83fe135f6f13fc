"""Every modal's view_submission, fuzzed through the real bolt pipeline (signed requests).

Each payload starts from the modal as the bot builds it and then breaks it the way a
fuzzer or an attacker would: answers of the wrong type, huge picker values, lone
surrogates, NUL bytes, missing users, views whose ``state`` or ``blocks`` are not the
shape Slack sends, odd or repeated view ids. Whatever arrives, the answer is a 200 with
the form closed, inline field errors or a clear refusal; never a traceback, never the
"something went wrong" apology, and a refused submission writes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text

from cases.model import Case
from cases.views import case_card_view, dates_to_tell
from handlers import blocks
from handlers.ids import MODAL_FOR_ACTION, CallbackId, CaseRef, encode_case_ref
from tests.slack.harness import CS_AGENT, DIRECTOR, GOOD_INTAKE, SlackDriver, fill
from tests.slack.signing import view_submission_payload

EXAMPLES_PER_MODAL = 30
MODALS = [CallbackId.INTAKE, *MODAL_FOR_ACTION.values()]
ACTION_OF = {callback: action for action, callback in MODAL_FOR_ACTION.items()}

# Values no Slack input element ever sends, and values near what it does send.
HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["\ud800", "a\x00b", "x" * 20_000, "9999999-99-99", "2025-02-30",
                     "+275760-09-13", "U0DIR0001", "u0dir0001", "yes", "upheld", "customer"]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5),
                                                         st.integers(), max_size=2),
)


def element_state(kind: str, value: Any) -> dict[str, Any]:
    """One input element's state with ``value`` where Slack puts the answer."""
    key = {"plain_text_input": "value", "email_text_input": "value",
           "users_select": "selected_user", "datepicker": "selected_date",
           "datetimepicker": "selected_date_time", "static_select": "selected_option",
           "radio_buttons": "selected_option", "checkboxes": "selected_options"}[kind]
    if key == "selected_option" and not isinstance(value, dict | type(None)):
        value = {"value": value}
    if key == "selected_options" and isinstance(value, str | int):
        value = [{"value": value}]
    return {"type": kind, key: value}


@st.composite
def broken_values(draw: st.DrawFn, view: dict[str, Any], good: dict[str, Any]) -> Any:
    """state.values for ``view``: well filled, then some answers broken or removed."""
    values = fill(view, good)
    for block in [b for b in view["blocks"] if b.get("type") == "input"]:
        block_id, element = block["block_id"], block["element"]
        how = draw(st.sampled_from(["keep", "keep", "hostile", "drop", "not_a_dict"]))
        if how == "hostile":
            values[block_id] = {element["action_id"]: element_state(element["type"],
                                                                    draw(HOSTILE))}
        elif how == "drop":
            values.pop(block_id, None)
        elif how == "not_a_dict":
            values[block_id] = {element["action_id"]: draw(HOSTILE)}
    return draw(st.one_of(st.just(values), st.just(values), st.just(values), HOSTILE))


@st.composite
def submissions(draw: st.DrawFn, view: dict[str, Any], good: dict[str, Any]) -> dict[str, Any]:
    """A whole view_submission payload, sometimes broken outside the answers too."""
    payload = view_submission_payload(
        view["callback_id"], {}, private_metadata=view.get("private_metadata") or "",
        user_id=draw(st.sampled_from([DIRECTOR, CS_AGENT])), blocks=view["blocks"],
        view_id=draw(st.sampled_from(["V0FUZZ0001", "V0FUZZ0002", None])))
    payload["view"]["state"]["values"] = draw(broken_values(view, good))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        where = draw(st.sampled_from(["user", "user.id", "view.id", "view.state",
                                      "view.blocks", "view.private_metadata"]))
        outer, _, inner = where.partition(".")
        if outer == "user" and not inner:
            # No user, or one bolt's own request parsing accepts (it fails on others
            # before any listener runs: that is the HTTP layer's refusal, not a form's).
            payload.pop("user", None) if draw(st.booleans()) else payload.update(user={})
        elif inner and isinstance(payload.get(outer), dict):
            payload[outer][inner] = draw(HOSTILE)
    return payload


class Errors(logging.Handler):
    """Every ERROR record logged while a payload is handled."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged_errors() -> Iterator[Errors]:
    handler = Errors()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


def fingerprint(slack: SlackDriver) -> tuple[int, ...]:
    """Row counts of every table plus the sum of case versions: any write changes it."""
    engine = slack.runtime.container.engine
    with engine.connect() as conn:
        counts = [conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
                  for name in sorted(inspect(engine).get_table_names())]
        versions = conn.execute(text("SELECT coalesce(sum(version), 0) FROM cases")).scalar_one()
    return (*counts, versions)


def modal_for(slack: SlackDriver, callback: CallbackId, case: Case) -> dict[str, Any]:
    """The modal as the bot builds it (intake, or the step's modal for ``case``)."""
    container, now = slack.runtime.container, slack.clock.now()
    if callback is CallbackId.INTAKE:
        dates = dates_to_tell(slack.desk.policy_dates(now), container.calendar)
        return blocks.intake_modal(dates, None, "", now=container.calendar.local(now)).to_dict()
    assert case.id is not None
    card = case_card_view(case, now, container.calendar, container.policy)
    meta = encode_case_ref(CaseRef(case_id=case.id, version=case.version))
    return blocks.step_modal(ACTION_OF[callback], card, clicker=DIRECTOR,
                             today=container.calendar.local_date(now), private_metadata=meta,
                             policy_prefill=blocks.StepPrefill(requested_at=now)).to_dict()


GOOD_STEP = {"owner": DIRECTOR, "investigator": "U0INV0001", "delegate": "U0SENR001",
             "outcome": "upheld", "procedure_attached": ["yes"], "resolution": "Sorted.",
             "findings": "Found.", "reason": "Because.", "comment": "Change it.",
             "response": "My side.", "reasons": "Reasons.", "remedy": "Remedy."}


@pytest.mark.parametrize("callback", MODALS, ids=lambda c: c.value)
def test_fuzzed_submissions_never_crash_never_apologise_and_refusals_write_nothing(
        slack: SlackDriver, logged_errors: Errors, callback: CallbackId) -> None:
    slack.desk.log_complaint({**GOOD_INTAKE, "received_at": slack.clock.now(),
                              "staff_grievance": False,
                              "checklist": {k: True for k in GOOD_INTAKE["checklist"]}},
                             logged_by=slack.person(CS_AGENT))
    # The people the payloads name are known already: seeing a Slack user for the first
    # time adds them to the people table, a write a refusal would otherwise be blamed for.
    for user in (DIRECTOR, CS_AGENT, GOOD_STEP["investigator"], GOOD_STEP["delegate"]):
        slack.person(user)
    case = slack.only_case()
    good = {**GOOD_INTAKE, "received_at": slack.clock.now()} if callback is CallbackId.INTAKE \
        else GOOD_STEP
    view = modal_for(slack, callback, case)
    seen = {"payloads": 0}

    @settings(max_examples=EXAMPLES_PER_MODAL, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(payload=submissions(view, good))
    def check(payload: dict[str, Any]) -> None:
        seen["payloads"] += 1
        before, apologies = fingerprint(slack), len(slack.fake.calls("chat.postMessage"))
        logged_errors.records.clear()
        body = urlencode({"payload": json.dumps(payload)}).encode("utf-8")
        response = slack.send(body)
        assert response.status == 200, response.body
        assert "went wrong" not in response.body
        assert [r.getMessage() for r in logged_errors.records] == []
        answer = json.loads(response.body) if response.body else {}
        if answer.get("response_action") in ("errors", "update"):
            assert fingerprint(slack) == before, f"refused, yet written: {answer}"
        new = slack.fake.calls("chat.postMessage")[apologies:]
        assert not [c for c in new if "went wrong" in str(c.body.get("text"))]

    check()
    assert seen["payloads"] >= EXAMPLES_PER_MODAL // 2
