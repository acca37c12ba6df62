"""The regular expression for what resource.Quantity's UnmarshalJSON accepts (the pattern pykro's offline
validation gives every Quantity field of a built-in kind)."""

from __future__ import annotations

__all__ = ["quantity_pattern"]


def _at_most(bound: str) -> str:
    """A regular expression for the digit strings no longer than ``bound`` whose value is at most ``bound``."""
    same = [bound] + [
        f"{bound[:i]}[0-{int(bound[i]) - 1}][0-9]{{{len(bound) - i - 1}}}" for i in range(len(bound)) if bound[i] != "0"
    ]
    return f"0*([0-9]{{1,{len(bound) - 1}}}|{'|'.join(same)})"


def quantity_pattern() -> str:
    """Exactly the strings resource.Quantity's UnmarshalJSON accepts (apimachinery pkg/api/resource quantity.go,
    suffix.go, inf.Dec SetString; tests/cel/test_quantity_go.py): Go's spaces around, a sign, digits with at most one
    point, a decimal or binary suffix or an int64 exponent. Without a digit the number is zero, and Pi, Ei or an
    exponent below -9 send it through inf.Dec, which wants one (exact for exponents of magnitude below 2^31, where
    Go's int32 conversion does not wrap)."""
    space = "[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*"
    si = "[numkMGTPE]|[KMGTPE]i"
    int64 = f"\\+?{_at_most(str(2**63 - 1))}|-{_at_most(str(2**63))}"
    small = f"\\+?{_at_most(str(2**31 - 1))}|-0*[0-9]"
    digits = f"[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)({si}|[eE]({int64}))?"
    digitless = f"[+-]\\.?|\\.|[+-]?\\.?([numkMGTPE]|[KMGT]i|[eE]({small}))"
    return f"^{space}({digits}|{digitless}){space}$"
