"""`complaints-bot records …` on a scratch SQLite database: holds, retention, erasure (with
its confirmation), a subject-access ZIP with a PDF per case, and the access log."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.container import Container
from bot.settings import Settings
from cases.clock import FrozenClock
from tests.unit.test_cli_sweep import CS_USER, log_case

pytestmark = pytest.mark.usefixtures("cli_database")

RECEIVED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def withdrawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A case withdrawn in March 2026, under a policy keeping personal data one month."""
    policy = tmp_path / "policy.toml"
    policy.write_text("[retention]\npersonal_data_months = 1\n", encoding="utf-8")
    monkeypatch.setenv("COMPLAINTS_POLICY_FILE", str(policy))
    case_id, reference = log_case(RECEIVED, RECEIVED)
    container = Container(Settings(), FrozenClock(RECEIVED))
    container.desk.withdraw(case_id, actor=CS_USER, reason="Sorted on the phone.")
    container.engine.dispose()
    return reference


def _out(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_retention_dry_run_lists_and_a_hold_keeps_the_case(
        withdrawn: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _out(capsys, "records", "retention", "--dry-run")
    assert code == 0 and f"{withdrawn}\tclosed 2026-03-02\twould be anonymised" in out
    assert _out(capsys, "records", "hold", withdrawn, "--reason", "Claim issued")[0] == 0
    code, out = _out(capsys, "records", "retention", "--dry-run")
    assert "on legal hold: kept" in out
    code, out = _out(capsys, "records", "retention")
    assert code == 0 and "Anonymised 0" in out and "kept on hold 1" in out
    code, out = _out(capsys, "records", "erase", withdrawn, "--reason", "asked", "--yes")
    assert code == 2 and "legal hold" in out
    assert _out(capsys, "records", "release", withdrawn)[0] == 0
    code, out = _out(capsys, "records", "retention")
    assert code == 0 and "Anonymised 1" in out and withdrawn in out
    code, out = _out(capsys, "case", "show", withdrawn, "--json")
    assert json.loads(out)["intake"]["complainant_name"] == "[anonymised]"


def test_erase_asks_for_the_reference_unless_told_yes(
        withdrawn: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    code, out = _out(capsys, "records", "erase", withdrawn, "--reason", "Erasure request")
    assert code == 1 and "Not erased." in out
    monkeypatch.setattr("builtins.input", lambda prompt: withdrawn.lower())
    code, out = _out(capsys, "records", "erase", withdrawn, "--reason", "Erasure request")
    assert code == 0 and "personal data erased" in out
    history = json.loads(_out(capsys, "case", "history", withdrawn, "--json")[1])
    assert [e for e in history if e["action"] == "anonymised"][0]["details"] == {
        "how": "erasure", "reason": "Erasure request"}


def test_erase_without_a_terminal_needs_yes(
        withdrawn: str, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, out = _out(capsys, "records", "erase", withdrawn, "--reason", "x")
    assert code == 2 and "--yes" in out


def test_export_writes_one_zip_with_json_and_pdf_and_is_in_the_access_log(
        withdrawn: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "sar.zip"
    code, out = _out(capsys, "records", "export", "--email", "ADA@example.com",
                     "--out", str(target), "--by", "Harper Lee")
    assert code == 0 and "1 case(s)" in out
    archive = zipfile.ZipFile(io.BytesIO(target.read_bytes()))
    shown = json.loads(_out(capsys, "case", "show", withdrawn, "--json")[1])
    exported = json.loads(archive.read(f"{withdrawn}/case-file.json"))
    # Every field the case file shows is in the export (the history grew by this view).
    assert set(exported) == set(shown) and exported["intake"] == shown["intake"]
    assert exported["history"] == shown["history"][:len(exported["history"])]
    assert archive.read(f"{withdrawn}/case-file.pdf").startswith(b"%PDF")
    assert exported["history"][-1]["details"]["requested_by"] == "Harper Lee"
    code, out = _out(capsys, "records", "access-log", "--ref", withdrawn, "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert "exported" in actions and "details_viewed" in actions
    code, out = _out(capsys, "records", "export", "--email", "a@b.c", "--phone", "01482")
    assert code == 2 and "exactly one of" in out
