"""Sprig v3's string functions (strings.go and the goutils helpers it calls), path and URL functions.

Sprig slices strings by bytes (trunc, substr, abbrev...); here the same byte offsets are used, and a cut that
would split a multi-byte character raises instead of producing invalid UTF-8. Helpers that read bytes as
characters (nospace, initials, swapcase) accept ASCII text only and raise "not supported" otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ..errors import go_quote
from .convert import strslice, strval
from .sig import go
from .values import FuncError, StrList, StrMap, fmt_v

__all__ = ["GO_SPACE", "STRING_FUNCS", "ascii_only", "bytewise", "go_is_space", "go_lower", "go_upper"]

GO_SPACE: Final = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | frozenset(
    chr(c) for c in range(0x2000, 0x200B)
)


def go_is_space(ch: str) -> bool:
    return ch in GO_SPACE


def go_trim_space(s: str) -> str:
    start, end = 0, len(s)
    while start < end and s[start] in GO_SPACE:
        start += 1
    while end > start and s[end - 1] in GO_SPACE:
        end -= 1
    return s[start:end]


def go_upper(s: str) -> str:
    """strings.ToUpper: one rune to one rune (no 'ß' -> 'SS')."""
    if s.isascii():
        return s.upper()
    return "".join(_upper_rune(c) for c in s)


def _upper_rune(c: str) -> str:
    u = c.upper()
    if len(u) == 1:
        return u
    t = c.title()  # the simple mapping where the full one has several characters (e.g. U+1F80)
    return t if len(t) == 1 else c


def go_lower(s: str) -> str:
    if s.isascii():
        return s.lower()
    return "".join("i" if c == "\u0130" else u if len(u := c.lower()) == 1 else c for c in s)


def _utf8(s: str) -> bytes:
    return s.encode()


def byte_slice(s: str, start: int, end: int, fn: str) -> str:
    """s[start:end] in UTF-8 bytes; raises if out of range or the cut splits a character."""
    if s.isascii():
        if not 0 <= start <= end <= len(s):
            raise FuncError(f"runtime error: slice bounds out of range [{start}:{end}] with length {len(s)}")
        return s[start:end]
    data = s.encode()
    if not 0 <= start <= end <= len(data):
        raise FuncError(f"runtime error: slice bounds out of range [{start}:{end}] with length {len(data)}")
    try:
        return data[start:end].decode()
    except UnicodeDecodeError:
        raise FuncError(f"{fn} would cut a multi-byte character (Go would produce invalid UTF-8)") from None


def bytewise(s: str, fn: str, op: Callable[[str], str]) -> str:
    """``op`` applied to the UTF-8 bytes of ``s`` (one character per byte), as Go's byte-indexed helpers work;
    raises if the result is not valid UTF-8 (a multi-byte character was cut)."""
    if s.isascii():
        return op(s)
    result = op(s.encode().decode("latin-1"))
    try:
        return result.encode("latin-1").decode()
    except UnicodeDecodeError:
        raise FuncError(f"{fn} would cut a multi-byte character (Go would produce invalid UTF-8)") from None


def _blen(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode())


def ascii_only(s: str, fn: str) -> None:
    if not s.isascii():
        raise FuncError(f"{fn} of non-ASCII text is not supported (Sprig treats its bytes as characters)")


@go("int", "str")
def _trunc(c: int, s: str) -> str:
    n = _blen(s)
    if c < 0 and n + c > 0:
        return byte_slice(s, n + c, n, "trunc")
    if c >= 0 and n > c:
        return byte_slice(s, 0, c, "trunc")
    return s


class _AbbrevWidth(Exception):
    """goutils' illegal-width error, which Sprig turns into an empty result."""


def _abbreviate_full(s: str, offset: int, width: int) -> str:
    if s == "":
        return ""
    if width < 4:
        raise _AbbrevWidth
    if len(s) <= width:
        return s
    offset = min(offset, len(s))
    if len(s) - offset < width - 3:
        offset = len(s) - (width - 3)
    if offset <= 4:
        return s[: width - 3] + "..."
    if width < 7:
        return ""
    if offset + width - 3 < len(s):
        return "..." + _abbreviate_full(s[offset:], 0, width - 3)
    return "..." + s[len(s) - (width - 3) :]


@go("int", "str")
def _abbrev(width: int, s: str) -> str:
    if width < 4:
        return s
    try:
        return bytewise(s, "abbrev", lambda b: _abbreviate_full(b, 0, width))
    except _AbbrevWidth:
        return ""


@go("int", "int", "str")
def _abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    try:
        return bytewise(s, "abbrevboth", lambda b: _abbreviate_full(b, left, right))
    except _AbbrevWidth:
        return ""


def _title(s: str) -> str:
    """strings.Title: upper-case the first letter of each word."""
    out: list[str] = []
    prev = " "
    for ch in s:
        sep = not (prev.isalnum() or prev == "_") if prev.isascii() else prev in GO_SPACE
        if sep:
            t = ch.title() if len(ch.title()) == 1 else ch
            out.append(t)
        else:
            out.append(ch)
        prev = ch
    return "".join(out)


@go("str")
def _title_fn(s: str) -> str:
    return _title(s)


@go("str")
def _untitle(s: str) -> str:
    if not s:
        return s
    return go_lower(s[0]) + s[1:]


@go("int", "int", "str")
def _substr(start: int, end: int, s: str) -> str:
    n = _blen(s)
    if start < 0:
        return byte_slice(s, 0, end, "substr")
    if end < 0 or end > n:
        return byte_slice(s, start, n, "substr")
    return byte_slice(s, start, end, "substr")


@go("int", "str")
def _repeat(count: int, s: str) -> str:
    if count < 0:
        raise FuncError("strings: negative Repeat count")
    return s * count


@go("str")
def _trim(s: str) -> str:
    return go_trim_space(s)


@go("str")
def _upper(s: str) -> str:
    return go_upper(s)


@go("str")
def _lower(s: str) -> str:
    return go_lower(s)


@go("str", "str")
def _trim_all(cutset: str, s: str) -> str:
    return s.strip(cutset) if cutset else s


@go("str", "str")
def _trim_suffix(suffix: str, s: str) -> str:
    return s.removesuffix(suffix)


@go("str", "str")
def _trim_prefix(prefix: str, s: str) -> str:
    return s.removeprefix(prefix)


@go("str")
def _nospace(s: str) -> str:
    ascii_only(s, "nospace")
    return "".join(c for c in s if c not in GO_SPACE)


@go("str")
def _initials(s: str) -> str:
    ascii_only(s, "initials")
    out: list[str] = []
    gap = True
    for ch in s:
        if ch in GO_SPACE:
            gap = True
        elif gap:
            out.append(ch)
            gap = False
    return "".join(out)


@go("str")
def _swapcase(s: str) -> str:
    ascii_only(s, "swapcase")
    return s.swapcase()


@go("str", "str")
def _contains(sub: str, s: str) -> bool:
    return sub in s


@go("str", "str")
def _has_prefix(p: str, s: str) -> bool:
    return s.startswith(p)


@go("str", "str")
def _has_suffix(p: str, s: str) -> bool:
    return s.endswith(p)


@go(variadic="any")
def _quote(*args: object) -> str:
    return " ".join(go_quote(strval(a)) for a in args if a is not None)


@go(variadic="any")
def _squote(*args: object) -> str:
    return " ".join(f"'{fmt_v(a)}'" for a in args if a is not None)


@go(variadic="any")
def _cat(*args: object) -> str:
    return " ".join(fmt_v(a) for a in args if a is not None)


def _pad_spaces(spaces: int) -> str:
    if spaces < 0:
        raise FuncError("strings: negative Repeat count")
    return " " * spaces


@go("int", "str")
def _indent(spaces: int, s: str) -> str:
    pad = _pad_spaces(spaces)
    return pad + s.replace("\n", "\n" + pad)


@go("int", "str")
def _nindent(spaces: int, s: str) -> str:
    pad = _pad_spaces(spaces)
    return "\n" + pad + s.replace("\n", "\n" + pad)


@go("str", "str", "str")
def _replace(old: str, new: str, src: str) -> str:
    return src.replace(old, new)


@go("str", "str", "int")
def _plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


def _go_split(s: str, sep: str, n: int = -1) -> list[str]:
    """strings.SplitN."""
    if n == 0:
        return []
    if sep == "":
        chars = list(s)
        if n > 0 and len(chars) > n:
            return [*chars[: n - 1], "".join(chars[n - 1 :])]
        return chars
    return s.split(sep, n - 1) if n > 0 else s.split(sep)


@go("str", "str")
def _split(sep: str, orig: str) -> StrMap:
    return StrMap({f"_{i}": part for i, part in enumerate(_go_split(orig, sep))})


@go("str", "int", "str")
def _splitn(sep: str, n: int, orig: str) -> StrMap:
    return StrMap({f"_{i}": part for i, part in enumerate(_go_split(orig, sep, n))})


@go("str", "str")
def _split_list(sep: str, orig: str) -> list[object]:
    return StrList(_go_split(orig, sep))


@go("str", "any")
def _join(sep: str, v: object) -> str:
    return sep.join(strslice(v))


@go("any")
def _sort_alpha(v: object) -> list[object]:
    if isinstance(v, (list, tuple)):
        names: list[str] = sorted(strslice(v), key=_utf8)
        return StrList(names)
    return StrList([strval(v)])


# --- paths (path and path/filepath on Linux)
def go_clean(p: str) -> str:
    if p == "":
        return "."
    rooted = p.startswith("/")
    parts: list[str] = []
    for part in p.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


@go("str")
def _base(p: str) -> str:
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    return p[p.rfind("/") + 1 :]


@go("str")
def _dir(p: str) -> str:
    return go_clean(p[: p.rfind("/") + 1])


@go("str")
def _clean(p: str) -> str:
    return go_clean(p)


@go("str")
def _ext(p: str) -> str:
    i = len(p) - 1
    while i >= 0 and p[i] != "/":
        if p[i] == ".":
            return p[i:]
        i -= 1
    return ""


@go("str")
def _is_abs(p: str) -> bool:
    return p.startswith("/")


@go("str")
def _url_parse(v: str) -> dict[str, object]:
    raise FuncError("urlParse is not supported (Go's net/url parsing rules differ from Python's)")


@go("map")
def _url_join(d: dict[str, object]) -> str:
    raise FuncError("urlJoin is not supported (Go's net/url rules differ from Python's)")


STRING_FUNCS: Final[dict[str, Callable[..., object]]] = {
    "abbrev": _abbrev,
    "abbrevboth": _abbrevboth,
    "trunc": _trunc,
    "trim": _trim,
    "upper": _upper,
    "lower": _lower,
    "title": _title_fn,
    "untitle": _untitle,
    "substr": _substr,
    "repeat": _repeat,
    "trimall": _trim_all,
    "trimAll": _trim_all,
    "trimSuffix": _trim_suffix,
    "trimPrefix": _trim_prefix,
    "nospace": _nospace,
    "initials": _initials,
    "swapcase": _swapcase,
    "contains": _contains,
    "hasPrefix": _has_prefix,
    "hasSuffix": _has_suffix,
    "quote": _quote,
    "squote": _squote,
    "cat": _cat,
    "indent": _indent,
    "nindent": _nindent,
    "replace": _replace,
    "plural": _plural,
    "split": _split,
    "splitList": _split_list,
    "splitn": _splitn,
    "join": _join,
    "sortAlpha": _sort_alpha,
    "base": _base,
    "dir": _dir,
    "clean": _clean,
    "ext": _ext,
    "isAbs": _is_abs,
    "osBase": _base,
    "osClean": _clean,
    "osDir": _dir,
    "osExt": _ext,
    "osIsAbs": _is_abs,
    "urlParse": _url_parse,
    "urlJoin": _url_join,
}
