"""The size checker CI runs (.ci/limits.py) catches long files and long functions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def limits() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_limits", ROOT / ".ci" / "limits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_limits"] = module
    spec.loader.exec_module(module)
    return module


def _function(name: str, body_lines: int, indent: str = "") -> str:
    body = "".join(f"{indent}    x{i} = {i}\n" for i in range(body_lines))
    return f"{indent}def {name}() -> None:\n{body}"


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _run(limits: ModuleType, root: Path, allowlist: dict[str, int]) -> tuple[list[str], list[str]]:
    failures, notes = limits.check(limits.measure(root), allowlist)
    return failures, notes


def test_a_file_over_400_lines_fails(limits: ModuleType, tmp_path: Path) -> None:
    _write(tmp_path, "cases/small.py", "x = 1\n" * 400)
    _write(tmp_path, "cases/big.py", "x = 1\n" * 401)
    failures, _ = _run(limits, tmp_path, {})
    assert failures == ["cases/big.py: 401 lines, over the limit of 400"]


def test_a_function_over_60_lines_fails_nested_and_methods_included(
        limits: ModuleType, tmp_path: Path) -> None:
    source = (_function("fits", 59)                  # def line + 59 = 60 lines: allowed
              + _function("too_long", 60)            # 61 lines
              + "class Builder:\n" + _function("method", 61, indent="    ")
              + "def outer() -> None:\n" + _function("inner", 61, indent="    "))
    _write(tmp_path, "handlers/listeners.py", source)
    failures, _ = _run(limits, tmp_path, {})
    assert sorted(failures) == [
        "handlers/listeners.py::Builder.method: 62 lines, over the limit of 60",
        "handlers/listeners.py::outer.inner: 62 lines, over the limit of 60",
        "handlers/listeners.py::outer: 63 lines, over the limit of 60",
        "handlers/listeners.py::too_long: 61 lines, over the limit of 60",
    ]


def test_an_allowlisted_offender_may_shrink_but_not_grow(limits: ModuleType,
                                                          tmp_path: Path) -> None:
    _write(tmp_path, "storage/big.py", "x = 1\n" * 450)
    assert _run(limits, tmp_path, {"storage/big.py": 450}) == ([], [])
    failures, _ = _run(limits, tmp_path, {"storage/big.py": 449})
    assert failures == ["storage/big.py: grew to 450 lines (allowlisted at 449, limit 400); "
                        "it may only shrink"]
    failures, notes = _run(limits, tmp_path, {"storage/big.py": 500})
    assert failures == [] and notes == ["storage/big.py: shrank to 450: lower its ALLOWLIST entry"]


def test_the_allowlist_says_which_entries_can_go(limits: ModuleType, tmp_path: Path) -> None:
    _write(tmp_path, "bot/fixed.py", _function("split_already", 10))
    failures, notes = _run(limits, tmp_path, {"bot/fixed.py::split_already": 90,
                                              "bot/gone.py": 500})
    assert failures == []
    assert notes == [
        "bot/fixed.py::split_already: 11 lines, within 60: delete it from ALLOWLIST",
        "bot/gone.py: no longer exists: delete it from ALLOWLIST",
    ]


def test_alembic_revisions_are_not_counted(limits: ModuleType, tmp_path: Path) -> None:
    _write(tmp_path, "storage/migrations/versions/0001_x.py", _function("upgrade", 200))
    _write(tmp_path, "storage/migrations/env.py", _function("run", 70))
    failures, _ = _run(limits, tmp_path, {})
    assert failures == ["storage/migrations/env.py::run: 71 lines, over the limit of 60"]


def test_the_product_code_keeps_within_the_limits_or_the_allowlist(limits: ModuleType) -> None:
    failures, _ = limits.check(limits.measure(ROOT), limits.ALLOWLIST)
    assert failures == []


def test_main_exits_non_zero_and_names_the_offender(
        limits: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "scheduling/sweep.py", "x = 1\n" * 401)
    saved = dict(limits.ALLOWLIST)
    limits.ALLOWLIST.clear()
    try:
        assert limits.main(["limits.py", str(tmp_path)]) == 1
    finally:
        limits.ALLOWLIST.update(saved)
    assert "FAIL scheduling/sweep.py: 401 lines" in capsys.readouterr().out
