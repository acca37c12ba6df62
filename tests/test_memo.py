"""pykro._memo: results kept by key, bounded."""

from pykro._memo import Memo


def test_oldest_entry_is_dropped_past_the_limit() -> None:
    memo: Memo[str, int] = Memo(2)
    assert memo.put("a", 1) == 1
    memo.put("b", 2)
    memo.put("c", 3)
    assert len(memo) == 2
    assert memo.get("a") is None and memo.get("b") == 2 and memo.get("c") == 3
    assert memo.get("a", -1) == -1


def test_clear_all_empties_every_memo_and_cached_function() -> None:
    from pykro import _memo as memo_module
    from pykro._memo import cached, clear_all

    calls: list[int] = []

    @cached(maxsize=4)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    store: Memo[str, int] = Memo(4)
    store.put("a", 1)
    assert square(3) == 9 and square(3) == 9 and calls == [3]
    clear_all()
    assert store.get("a") is None and len(store) == 0
    assert square(3) == 9 and calls == [3, 3]
    for _ in range(10):  # bounded
        square(len(calls))
    assert square.cache_info().currsize <= 4  # type: ignore[attr-defined]
    assert memo_module._MEMOS  # every Memo is registered
