"""Sprig v3's string functions (strings.go and the goutils/xstrings helpers it calls), path and URL functions.

Sprig slices strings by bytes; here a cut that would split a multi-byte character raises instead of producing
invalid UTF-8. Functions whose helpers work on bytes as if they were characters (abbrev, abbrevboth, wrap,
wrapWith, initials, nospace, snakecase, camelcase, kebabcase, swapcase) accept ASCII text only and raise "not
supported" otherwise.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Final

from ..errors import go_quote
from .convert import strslice, strval
from .sig import go
from .values import FuncError, fmt_v

__all__ = ["GO_SPACE", "STRING_FUNCS", "go_is_space", "go_lower", "go_upper"]

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
    return "".join(u if len(u := c.upper()) == 1 else c for c in s)


def go_lower(s: str) -> str:
    if s.isascii():
        return s.lower()
    return "".join(u if len(u := c.lower()) == 1 else c for c in s)


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


def _blen(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode())


def _ascii_only(s: str, fn: str) -> None:
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


def _abbreviate_full(s: str, offset: int, width: int) -> str:
    if s == "":
        return ""
    if width < 4:
        raise FuncError("Minimum abbreviation width is 4")
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
    _ascii_only(s, "abbrev")
    try:
        return _abbreviate_full(s, 0, width)
    except FuncError:
        return ""


@go("int", "int", "str")
def _abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    _ascii_only(s, "abbrevboth")
    try:
        return _abbreviate_full(s, left, right)
    except FuncError:
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
    _ascii_only(s, "nospace")
    return "".join(c for c in s if c not in GO_SPACE)


@go("str")
def _initials(s: str) -> str:
    _ascii_only(s, "initials")
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
    _ascii_only(s, "swapcase")
    return s.swapcase()


# --- xstrings case conversion (ASCII)
_INVALID, _NUMBER, _UPPER, _ALPHA, _CONNECTOR, _PUNCT, _OTHER = range(7)


def _is_connector(c: str) -> bool:
    return c in "-_" or c in GO_SPACE


def _is_punct(c: str) -> bool:
    return unicodedata.category(c).startswith("P")


def _next_word(s: str) -> tuple[int, str, str]:
    if not s:
        return _INVALID, "", ""
    c = s[0]
    i = 1
    n = len(s)
    if _is_connector(c):
        wt = _CONNECTOR
        while i < n and _is_connector(s[i]):
            i += 1
    elif _is_punct(c):
        wt = _PUNCT
        while i < n and _is_punct(s[i]):
            i += 1
    elif c.isupper():
        wt = _UPPER
        if i < n:
            if s[i].isupper():
                while i < n and s[i].isupper():
                    i += 1
                if i < n and s[i].isalpha():
                    i -= 1
            elif s[i].isalpha():
                while i < n and s[i].isalpha() and not s[i].isupper():
                    i += 1
    elif c.isalpha():
        wt = _ALPHA
        while i < n and s[i].isalpha() and not s[i].isupper():
            i += 1
    elif c.isdigit():
        wt = _NUMBER
        while i < n and s[i].isdigit():
            i += 1
    else:
        wt = _OTHER
        while i < n and not (_is_connector(s[i]) or s[i].isalpha() or s[i].isdigit() or _is_punct(s[i])):
            i += 1
    return wt, s[:i], s[i:]


def _to_lower(buf: list[str], wt: int, word: str, conn: str) -> None:
    if wt not in (_UPPER, _CONNECTOR):
        buf.append(word)
        return
    buf.extend(conn if _is_connector(c) else c.lower() for c in word)


def _camel_to_lower(s: str, conn: str) -> str:
    if not s:
        return ""
    buf: list[str] = []
    wt, word, rem = _next_word(s)
    while rem:
        if wt != _CONNECTOR:
            _to_lower(buf, wt, word, conn)
        prev, last = wt, word
        wt, word, rem = _next_word(rem)
        if prev == _NUMBER:
            while wt in (_ALPHA, _NUMBER):
                _to_lower(buf, wt, word, conn)
                wt, word, rem = _next_word(rem)
            if wt not in (_INVALID, _PUNCT, _CONNECTOR):
                buf.append(conn)
        elif prev == _CONNECTOR:
            _to_lower(buf, prev, last, conn)
        elif prev == _PUNCT:
            pass
        else:
            if wt != _NUMBER:
                if wt not in (_CONNECTOR, _PUNCT):
                    buf.append(conn)
                continue
            if not rem:
                continue
            last = word
            wt, word, rem = _next_word(rem)
            if wt != _ALPHA:
                _to_lower(buf, _NUMBER, last, conn)
                if wt not in (_CONNECTOR, _PUNCT):
                    buf.append(conn)
                continue
            buf.append(conn)
            _to_lower(buf, _NUMBER, last, conn)
            while wt in (_ALPHA, _NUMBER):
                _to_lower(buf, wt, word, conn)
                wt, word, rem = _next_word(rem)
            if wt not in (_INVALID, _CONNECTOR, _PUNCT):
                buf.append(conn)
    _to_lower(buf, wt, word, conn)
    return "".join(buf)


@go("str")
def _snakecase(s: str) -> str:
    _ascii_only(s, "snakecase")
    return _camel_to_lower(s, "_")


@go("str")
def _kebabcase(s: str) -> str:
    _ascii_only(s, "kebabcase")
    return _camel_to_lower(s, "-")


@go("str")
def _camelcase(s: str) -> str:
    _ascii_only(s, "camelcase")
    if not s:
        return ""
    buf: list[str] = []
    i = 0
    while i < len(s) and _is_connector(s[i]):
        buf.append(s[i])
        i += 1
    if i == len(s):
        return "".join(buf)
    r0 = s[i]
    first_upper = r0.isupper()
    r0 = r0.upper()
    i += 1
    if i == len(s):
        buf.append(r0)
        return "".join(buf)
    while i < len(s):
        r1, r0 = r0, s[i]
        i += 1
        if _is_connector(r0) and _is_connector(r1):
            buf.append(r1)
            continue
        if _is_connector(r1):
            first_upper = r0.isupper()
            r0 = r0.upper()
        else:
            if first_upper:
                if r0.isupper():
                    r0 = r0.lower()
                else:
                    first_upper = False
            buf.append(r1)
    buf.append(r0)
    return "".join(buf)


def _wrap_custom(s: str, width: int, nl: str, long_words: bool) -> str:
    if s == "":
        return ""
    nl = nl or "\n"
    width = max(width, 1)
    n = len(s)
    offset = 0
    out: list[str] = []
    while n - offset > width:
        if s[offset] == " ":
            offset += 1
            continue
        at = s.rfind(" ", offset, width + offset + 1)
        if at >= offset:
            out += [s[offset:at], nl]
            offset = at + 1
        elif long_words:
            out += [s[offset : offset + width], nl]
            offset += width
        else:
            idx = s.find(" ", width + offset)
            if idx < 0:
                out.append(s[offset:])
                offset = n
            else:
                out += [s[offset:idx], nl]
                offset = idx + 1
    out.append(s[offset:])
    return "".join(out)


@go("int", "str")
def _wrap(width: int, s: str) -> str:
    _ascii_only(s, "wrap")
    return _wrap_custom(s, width, "", False)


@go("int", "str", "str")
def _wrap_with(width: int, sep: str, s: str) -> str:
    _ascii_only(s, "wrapWith")
    return _wrap_custom(s, width, sep, True)


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


@go("int", "str")
def _indent(spaces: int, s: str) -> str:
    pad = " " * spaces
    return pad + s.replace("\n", "\n" + pad)


@go("int", "str")
def _nindent(spaces: int, s: str) -> str:
    pad = " " * spaces
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
def _split(sep: str, orig: str) -> dict[str, object]:
    return {f"_{i}": part for i, part in enumerate(_go_split(orig, sep))}


@go("str", "int", "str")
def _splitn(sep: str, n: int, orig: str) -> dict[str, object]:
    return {f"_{i}": part for i, part in enumerate(_go_split(orig, sep, n))}


@go("str", "str")
def _split_list(sep: str, orig: str) -> list[object]:
    return list(_go_split(orig, sep))


@go("str", "any")
def _join(sep: str, v: object) -> str:
    return sep.join(strslice(v))


@go("any")
def _sort_alpha(v: object) -> list[object]:
    if isinstance(v, (list, tuple)):
        names: list[str] = sorted(strslice(v), key=_utf8)
        return list(names)
    return [strval(v)]


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
    "snakecase": _snakecase,
    "camelcase": _camelcase,
    "kebabcase": _kebabcase,
    "wrap": _wrap,
    "wrapWith": _wrap_with,
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
