"""util.identity: a value worked out once per object, objects told apart by identity."""

from __future__ import annotations

from schemagen.util.identity import Memo, by_identity


def test_worked_out_once_per_object_and_again_for_an_equal_other_object() -> None:
    calls: list[list[int]] = []

    def compute(obj: list[int]) -> str:
        calls.append(obj)
        return f"seen {len(calls)}"

    memo: Memo[list[int], str] = {}
    first, equal = [1, 2], [1, 2]
    assert by_identity(memo, first, compute) == "seen 1"
    assert by_identity(memo, first, compute) == "seen 1"
    assert by_identity(memo, equal, compute) == "seen 2"  # equal, yet another object
    assert calls == [first, equal] and calls[0] is first and calls[1] is equal


def test_the_memo_keeps_its_objects_so_no_id_is_reused() -> None:
    memo: Memo[object, int] = {}
    values = [by_identity(memo, object(), id) for _ in range(1000)]
    # each temporary object stays alive in the memo: a thousand distinct ids
    assert len(set(values)) == 1000 and len(memo) == 1000
