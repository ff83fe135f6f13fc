"""`complaints-bot case show|history REF [--json]` on a scratch SQLite database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.container import Container
from bot.settings import Settings
from cases.casefile import SCHEMA
from cases.clock import FrozenClock
from tests.unit.test_cli_sweep import CS_USER, log_case

pytestmark = pytest.mark.usefixtures("cli_database")

RECEIVED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _case_with_a_note() -> str:
    case_id, reference = log_case(RECEIVED, RECEIVED)
    container = Container(Settings(), FrozenClock(RECEIVED))
    container.desk.add_note(case_id, actor=CS_USER, text="Rang back.\nLeft a voicemail.")
    container.engine.dispose()
    return reference


def _history(reference: str) -> list[dict[str, object]]:
    container = Container(Settings(), FrozenClock(RECEIVED))
    try:
        case = container.desk.case_file_as_operator(reference, record_view=False)
        return [{"action": e.action, "actor": e.actor, "details": e.details}
                for e in case.history]
    finally:
        container.engine.dispose()


def test_case_show_json_is_the_documented_file_with_intake_and_every_text(
        capsys: pytest.CaptureFixture[str]) -> None:
    reference = _case_with_a_note()
    assert main(["case", "show", reference.lower(), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == SCHEMA
    assert data["reference"] == reference and data["state"] == "logged"
    assert data["intake"]["email"] == "ada@example.com"
    assert data["people"] == {"owner": None, "investigator": None, "reviewer": None,
                              "delegate": None}
    assert [d["label"] for d in data["deadlines"]] == ["Acknowledgement",
                                                        "Investigation and action"]
    actions = [(e["seq"], e["action"], e["actor"]) for e in data["history"]]
    assert actions[:2] == [(1, "logged", CS_USER), (2, "note", CS_USER)]
    assert data["history"][1]["details"] == {"text": "Rang back.\nLeft a voicemail."}
    assert set(data["history"][0]) == {"seq", "at", "actor", "action", "label", "from_state",
                                       "to_state", "details"}
    # Showing personal data to an operator is itself recorded.
    assert _history(reference)[-1] == {"action": "details_viewed", "actor": "operator",
                                       "details": {"via": "operator CLI"}}


def test_case_history_lists_who_did_what_with_each_text_indented(
        capsys: pytest.CaptureFixture[str]) -> None:
    reference = _case_with_a_note()
    assert main(["case", "history", reference]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("   1  Mon 02 Mar 2026 10:00  U0CSCLI  Logged [- -> logged]")
    assert out[1].endswith("U0CSCLI  Note")
    assert out[2:5] == ["      Note:", "        Rang back.", "        Left a voicemail."]
    assert main(["case", "history", reference, "--json"]) == 0
    events = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in events] == ["logged", "note", "details_viewed",
                                             "details_viewed"]


def test_case_show_of_an_unknown_reference_fails_and_says_so(
        capsys: pytest.CaptureFixture[str]) -> None:
    _case_with_a_note()
    assert main(["case", "show", "TT-2026-9999"]) == 2
    assert "TT-2026-9999" in capsys.readouterr().err
