"""Sprig v3's word functions: snakecase, camelcase, kebabcase (huandu/xstrings) and wrap, wrapWith
(goutils), for ASCII text (they raise "not supported" otherwise, since the Go helpers treat bytes as characters
in places)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Final

from .sig import go
from .sprig_strings import GO_SPACE, ascii_only, bytewise

__all__ = ["WORD_FUNCS"]


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
    ascii_only(s, "snakecase")
    return _camel_to_lower(s, "_")


@go("str")
def _kebabcase(s: str) -> str:
    ascii_only(s, "kebabcase")
    return _camel_to_lower(s, "-")


@go("str")
def _camelcase(s: str) -> str:
    ascii_only(s, "camelcase")
    if not s:
        return ""
    buf: list[str] = []
    i = 0
    while i < len(s) and _is_connector(s[i]):
        buf.append(s[i])
        i += 1
    if i == len(s):
        buf.append(s[-1])  # xstrings writes the last connector twice
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
    return bytewise(s, "wrap", lambda b: _wrap_custom(b, width, "", False))


@go("int", "str", "str")
def _wrap_with(width: int, sep: str, s: str) -> str:
    raw_sep = sep.encode().decode("latin-1")
    return bytewise(s, "wrapWith", lambda b: _wrap_custom(b, width, raw_sep, True))


WORD_FUNCS: Final[dict[str, Callable[..., object]]] = {
    "snakecase": _snakecase,
    "camelcase": _camelcase,
    "kebabcase": _kebabcase,
    "wrap": _wrap,
    "wrapWith": _wrap_with,
}
