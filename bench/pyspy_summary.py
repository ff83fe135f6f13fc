"""Summarise py-spy's collapsed stacks (``--format raw``): where the sampled time went.

    .venv/bin/python -m bench.pyspy_summary FILE [--top N] [--match TEXT ...]

Prints the samples per thread (cheroot's request threads together), the functions with
the most samples inclusive (any frame of a stack) among the project's packages and the
libraries that matter here, and the leaf functions (self time). With ``--gil`` given to
py-spy (as ``bench.http_bench --py-spy`` does) a sample is the thread holding the GIL.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_THREAD = re.compile(r"^thread \(\w+\): ([^;]*);?")
_POOL = re.compile(r"^(CP Server Thread|Thread)-\d+.*")
_WATCH = ("bot/", "handlers/", "cases/", "storage/", "scheduling/", "letters/",
          "slack_sdk/models", "slack_bolt/", "sqlalchemy/", "psycopg/", "json/")


def parse(path: Path) -> list[tuple[str, list[str], int]]:
    """(thread kind, frames root first, samples) per line."""
    out = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        m = _THREAD.match(stack)
        thread = m.group(1) if m else "?"
        thread = _POOL.sub(r"\1 pool", thread)
        frames = stack[m.end():].split(";") if m else stack.split(";")
        out.append((thread, [f for f in frames if f], int(count)))
    return out


def summary(path: Path, top: int = 25, match: tuple[str, ...] = ()) -> list[str]:
    """The summary lines for one file."""
    stacks = parse(path)
    total = sum(c for _, _, c in stacks) or 1
    threads: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    for thread, frames, count in stacks:
        threads[thread] += count
        for frame in set(frames):
            if any(w in frame for w in match or _WATCH):
                inclusive[frame] += count
        if frames:
            leaf[frames[-1]] += count
    lines = [f"{path.name}: {total} samples"]
    lines += [f"  thread {t:<28} {c:6d} {100 * c / total:5.1f}%" for t, c in threads.most_common()]
    lines.append("  inclusive (project and key libraries):")
    lines += [f"    {100 * c / total:5.1f}%  {f}" for f, c in inclusive.most_common(top)]
    lines.append("  self (leaf frames):")
    lines += [f"    {100 * c / total:5.1f}%  {f}" for f, c in leaf.most_common(top // 2)]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", nargs="*", default=(), help="frames to count inclusively")
    args = parser.parse_args()
    for path in args.files:
        print("\n".join(summary(path, args.top, tuple(args.match))))


if __name__ == "__main__":
    main()
