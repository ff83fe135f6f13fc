"""Group commit: concurrent callers share a write; each gets its own result or error."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from cases.usecases.group_commit import GroupCommit


class Writer:
    """Records every batch it is given; the first batch waits until released."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.first_started = threading.Event()
        self.release_first = threading.Event()

    def __call__(self, items: Sequence[str]) -> list[str]:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.first_started.set()
            assert self.release_first.wait(10)
        if "bad" in items:
            raise ValueError(f"cannot store {'bad'!r}")
        return [item.upper() for item in items]


def _submit_all(group: GroupCommit[str, str], writer: Writer, items: list[str]
                ) -> dict[str, str | BaseException]:
    """Submit items[0], wait until its write holds the turn, queue the rest, release."""
    results: dict[str, str | BaseException] = {}

    def run(item: str) -> None:
        try:
            results[item] = group.submit(item)
        except Exception as exc:  # noqa: BLE001 - asserted on by the tests
            results[item] = exc

    threads = [threading.Thread(target=run, args=(items[0],))]
    threads[0].start()
    assert writer.first_started.wait(10)
    for item in items[1:]:
        threads.append(threading.Thread(target=run, args=(item,)))
        threads[-1].start()
    while group.waiting < len(items) - 1:
        threading.Event().wait(0.001)
    writer.release_first.set()
    for thread in threads:
        thread.join(10)
    assert not any(t.is_alive() for t in threads), "a caller was left waiting"
    return results


def test_callers_that_queue_behind_a_write_share_the_next_one() -> None:
    writer = Writer()
    group = GroupCommit(writer)

    results = _submit_all(group, writer, ["a", "b", "c", "d"])

    assert results == {"a": "A", "b": "B", "c": "C", "d": "D"}
    assert writer.batches[0] == ["a"]
    assert sorted(writer.batches[1]) == ["b", "c", "d"]  # one write for the three
    assert (group.batches, group.items) == (2, 4)


def test_a_failing_item_fails_alone_and_the_rest_of_its_batch_is_stored() -> None:
    writer = Writer()
    group = GroupCommit(writer)

    results = _submit_all(group, writer, ["a", "b", "bad", "c"])

    assert isinstance(results["bad"], ValueError)
    assert {k: v for k, v in results.items() if k != "bad"} == {"a": "A", "b": "B", "c": "C"}
    # The batch of three failed as a whole, then each was written on its own.
    assert sorted(writer.batches[1]) == ["b", "bad", "c"]
    assert sorted(map(tuple, writer.batches[2:])) == [("b",), ("bad",), ("c",)]


def test_batches_are_capped() -> None:
    writer = Writer()
    group = GroupCommit(writer, max_batch=2)

    results = _submit_all(group, writer, ["a", "b", "c", "d", "e"])

    assert sorted(results.values()) == ["A", "B", "C", "D", "E"]  # type: ignore[type-var]
    assert max(len(b) for b in writer.batches) == 2
    assert group.items == 5


def test_a_write_that_gives_the_wrong_number_of_results_is_an_error_for_its_caller() -> None:
    group: GroupCommit[str, str] = GroupCommit(lambda items: [])

    with pytest.raises(RuntimeError, match="a batch of 1 gave 0 results"):
        group.submit("a")


def test_an_interrupted_write_leaves_nobody_waiting() -> None:
    def interrupted(items: Sequence[str]) -> list[str]:
        raise KeyboardInterrupt

    group: GroupCommit[str, str] = GroupCommit(interrupted)
    with pytest.raises(KeyboardInterrupt):
        group.submit("a")
    # The turn was given back: the next caller writes (and is interrupted) too.
    with pytest.raises(KeyboardInterrupt):
        group.submit("b")


def test_max_batch_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        GroupCommit(lambda items: list(items), max_batch=0)


def test_many_callers_at_once_each_get_their_own_outcome_and_none_is_left_waiting() -> None:
    # The turn passes from leader to leader; every caller wakes to its own outcome.
    def write(items: Sequence[str]) -> list[str]:
        threading.Event().wait(0.0005)  # a transaction's round trips: others queue
        if any(item.endswith("!") for item in items):
            raise ValueError("refused")
        return [item.upper() for item in items]

    group: GroupCommit[str, str] = GroupCommit(write, max_batch=4)
    outcomes: dict[str, str] = {}

    def caller(n: int) -> None:
        for i in range(40):
            item = f"c{n}-{i}" + ("!" if i % 7 == 3 else "")
            try:
                outcomes[item] = group.submit(item)
            except ValueError:
                outcomes[item] = "refused"

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads), "a caller was left waiting"
    assert len(outcomes) == 12 * 40
    assert all(v == ("refused" if k.endswith("!") else k.upper()) for k, v in outcomes.items())
    assert group.batches < group.items, "callers shared batches"
    assert group.waiting == 0


def test_callers_queued_behind_an_interrupted_write_are_still_written() -> None:
    writer = Writer()

    def interrupted_first(items: Sequence[str]) -> list[str]:
        result = writer(items)
        if len(writer.batches) == 1:
            raise KeyboardInterrupt
        return result

    group: GroupCommit[str, str] = GroupCommit(interrupted_first)
    results: dict[str, str | BaseException] = {}

    def run(item: str) -> None:
        try:
            results[item] = group.submit(item)
        except BaseException as exc:  # noqa: BLE001 - asserted on below
            results[item] = exc

    first = threading.Thread(target=run, args=("a",))
    first.start()
    assert writer.first_started.wait(10)
    others = [threading.Thread(target=run, args=(item,)) for item in ("b", "c")]
    for thread in others:
        thread.start()
    while group.waiting < 2:
        threading.Event().wait(0.001)
    writer.release_first.set()
    for thread in [first, *others]:
        thread.join(10)
    assert isinstance(results.pop("a"), KeyboardInterrupt)
    assert results == {"b": "B", "c": "C"}
