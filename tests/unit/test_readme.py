"""The README's Quick start stays true: two commands, and CI runs the same test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_quick_start_has_exactly_two_commands_one_runs_the_bot_one_runs_the_tests() -> None:
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands), "each command is one line"
    assert commands[0].startswith("python3 -m venv .venv") and "complaints-bot run" in commands[0]
    assert commands[1].startswith("python3 -m venv .venv") and commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _quick_start_commands()[1] in ci


def test_readme_interpretations_table_lists_every_reading_of_the_company() -> None:
    # Issue #10: every rule that is the company's reading, not the procedure's words.
    from cases.interpretations import interpretations

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Interpretations", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([^|]+)\|", section, re.M))
    assert set(rows) == set(interpretations())
    assert all(reading.strip() for reading in rows.values())
