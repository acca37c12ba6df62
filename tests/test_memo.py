"""pykro.memo: results kept by key, bounded."""

from pykro.memo import Memo


def test_oldest_entry_is_dropped_past_the_limit() -> None:
    memo: Memo[str, int] = Memo(2)
    assert memo.put("a", 1) == 1
    memo.put("b", 2)
    memo.put("c", 3)
    assert len(memo) == 2
    assert memo.get("a") is None and memo.get("b") == 2 and memo.get("c") == 3
    assert memo.get("a", -1) == -1
