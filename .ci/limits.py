#!/usr/bin/env python3
"""Size limits for product code: no file over 400 lines, no function over 60.

Run by `.ci/run` from the repository root: ``python3 .ci/limits.py``. Exit status 1 when a
file or function is over its limit and not in ALLOWLIST, or when an allowlisted one grew.

Files are counted in lines (as ``wc -l``); a function from its ``def`` line to its last line
(decorators not counted), nested functions and methods each on their own, keyed
``path::Outer.inner``. Standard library only, so it runs before the venv exists.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
PACKAGES = ("bot", "cases", "charts", "exports", "handlers", "letters", "storage", "scheduling",
            "sandbox")
# Alembic revisions are frozen history: a deployed database has run them as written, so
# splitting one changes nothing but risks a revision that no longer matches what ran. They
# are one long DDL script by nature. (storage/migrations/env.py is still checked.)
EXCLUDED = ("storage/migrations/versions/",)

# Today's offenders (issue #8 item 6 is splitting them): path or path::function -> its size
# when it was listed. An entry may only shrink: growing past it fails, and a new offender
# fails. Lower or delete an entry as a split lands; the checker says which can go.
ALLOWLIST: dict[str, int] = {}


@dataclass(frozen=True)
class Size:
    key: str
    lines: int
    limit: int


def _functions(tree: ast.AST, prefix: str = "") -> Iterable[tuple[str, int]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            name = f"{prefix}{node.name}"
            if not isinstance(node, ast.ClassDef):
                yield name, (node.end_lineno or node.lineno) - node.lineno + 1
            yield from _functions(node, name + ".")
        else:
            yield from _functions(node, prefix)


def measure(root: Path, packages: Iterable[str] = PACKAGES) -> list[Size]:
    """Every product file and function under ``root``, with its size and limit."""
    sizes: list[Size] = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel.startswith(EXCLUDED):
                continue
            source = path.read_text(encoding="utf-8")
            sizes.append(Size(rel, len(source.splitlines()), MAX_FILE_LINES))
            for name, lines in _functions(ast.parse(source, filename=rel)):
                sizes.append(Size(f"{rel}::{name}", lines, MAX_FUNCTION_LINES))
    return sizes


def check(sizes: Iterable[Size], allowlist: Mapping[str, int]) -> tuple[list[str], list[str]]:
    """(failures, notes): what breaks the limits, and what the allowlist can lose."""
    failures: list[str] = []
    notes: list[str] = []
    seen: dict[str, int] = {}
    for size in sizes:
        seen[size.key] = size.lines
        allowed = allowlist.get(size.key)
        if size.lines <= size.limit:
            if allowed is not None:
                notes.append(f"{size.key}: {size.lines} lines, within {size.limit}: "
                             "delete it from ALLOWLIST")
            continue
        if allowed is None:
            failures.append(f"{size.key}: {size.lines} lines, over the limit of {size.limit}")
        elif size.lines > allowed:
            failures.append(f"{size.key}: grew to {size.lines} lines (allowlisted at "
                            f"{allowed}, limit {size.limit}); it may only shrink")
        elif size.lines < allowed:
            notes.append(f"{size.key}: shrank to {size.lines}: lower its ALLOWLIST entry")
    for key in allowlist:
        if key not in seen:
            notes.append(f"{key}: no longer exists: delete it from ALLOWLIST")
    return failures, notes


def main(argv: list[str]) -> int:
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    failures, notes = check(measure(root), ALLOWLIST)
    for line in failures:
        print(f"limits: FAIL {line}")
    for line in notes:
        print(f"limits: note {line}")
    print(f"limits: {len(ALLOWLIST)} allowlisted offender(s) left:")
    for key, lines in sorted(ALLOWLIST.items(), key=lambda item: -item[1]):
        print(f"limits:   {lines:5d}  {key}")
    if failures:
        print(f"limits: {len(failures)} over the limits "
              f"({MAX_FILE_LINES} lines a file, {MAX_FUNCTION_LINES} a function)")
        return 1
    print("limits: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
