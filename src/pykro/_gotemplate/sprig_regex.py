"""Sprig v3's regular-expression functions with Go's RE2 syntax, translated to Python's ``re``.

The translation keeps Go's meaning: ``\\d \\w \\s \\b`` are ASCII, ``$`` is the end of the text (without ``(?m)``),
``[[:alpha:]]`` classes, ``\\Q...\\E``, ``\\x{...}``, ``(?<name>...)``; replacement templates use Go's ``$1``,
``${name}`` expansion and Go's rules for empty matches. Syntax RE2 rejects (look-around, back-references,
possessive quantifiers) fails as in Go; Go syntax this translation cannot express (``\\p{...}`` classes, flag
groups after the start, ``(?U)``) raises "not supported".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Final

from .sig import go
from .values import FuncError, StrList

__all__ = ["REGEX_FUNCS"]

_POSIX: Final = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7f", "blank": "\\t ", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~", "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ", "upper": "A-Z", "word": "0-9A-Za-z_", "xdigit": "0-9A-Fa-f",
}  # fmt: skip
_CLASS: Final = {"d": "0-9", "s": "\\t\\n\\f\\r ", "w": "0-9A-Za-z_"}
_WORD: Final = "[0-9A-Za-z_]"
_BOUNDARY: Final = f"(?:(?<={_WORD})(?!{_WORD})|(?<!{_WORD})(?={_WORD}))"
_NOT_BOUNDARY: Final = f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))"
_SPECIAL: Final = frozenset("\\.+*?()|[]{}^$")


class _Unsupported(Exception):
    pass


class _Invalid(Exception):
    pass


def _hex_escape(p: str, i: int) -> tuple[str, int]:
    """\\x escapes at p[i] == 'x'; returns (python escape, next index)."""
    if i + 1 < len(p) and p[i + 1] == "{":
        close = p.find("}", i + 2)
        if close < 0 or not re.fullmatch(r"[0-9A-Fa-f]{1,8}", p[i + 2 : close]):
            raise _Invalid("invalid escape sequence")
        code = int(p[i + 2 : close], 16)
        if code > 0x10FFFF:
            raise _Invalid("invalid escape sequence")
        return f"\\U{code:08x}", close + 1
    digits = p[i + 1 : i + 3]
    if not re.fullmatch(r"[0-9A-Fa-f]{2}", digits):
        raise _Invalid("invalid escape sequence")
    return f"\\x{digits}", i + 3


def _escape(p: str, i: int, in_class: bool) -> tuple[str, int]:
    """The escape starting at p[i] == '\\'."""
    if i + 1 >= len(p):
        raise _Invalid("trailing backslash at end of expression")
    c = p[i + 1]
    if c in "dsw":
        return (_CLASS[c] if in_class else f"[{_CLASS[c]}]"), i + 2
    if c in "DSW":
        if in_class:
            raise _Unsupported("negated class escapes inside [...]")
        return f"[^{_CLASS[c.lower()]}]", i + 2
    if c in "pP":
        raise _Unsupported("Unicode classes \\p{...}")
    if c == "x":
        return _hex_escape(p, i + 1)
    if c in "afnrtv":
        return "\\" + c, i + 2
    if not in_class:
        if c == "A":
            return "\\A", i + 2
        if c == "z":
            return "\\Z", i + 2
        if c == "b":
            return _BOUNDARY, i + 2
        if c == "B":
            return _NOT_BOUNDARY, i + 2
    if c.isdigit():
        raise _Unsupported("octal escapes") if c == "0" else _Invalid("invalid escape sequence (back-reference)")
    if c.isascii() and not c.isalnum():
        return "\\" + c, i + 2
    raise _Invalid(f"invalid escape sequence: \\{c}")


def _char_class(p: str, i: int) -> tuple[str, int]:
    """A [...] class starting at p[i] == '['."""
    whole = re.match(r"\[\[:\^([a-z]+):\]\]", p[i:])
    if whole and whole.group(1) in _POSIX:
        return f"[^{_POSIX[whole.group(1)]}]", i + whole.end()
    out = ["["]
    i += 1
    if i < len(p) and p[i] == "^":
        out.append("^")
        i += 1
    first = True
    while True:
        if i >= len(p):
            raise _Invalid("missing closing ]")
        c = p[i]
        if c == "]" and not first:
            out.append("]")
            return "".join(out), i + 1
        first = False
        if c == "[" and p.startswith("[:", i):
            close = p.find(":]", i + 2)
            if close > 0:
                name = p[i + 2 : close]
                negate = name.startswith("^")
                ranges = _POSIX.get(name.lstrip("^"))
                if ranges is None:
                    raise _Invalid("invalid character class range")
                if negate:
                    raise _Unsupported("negated POSIX classes")
                out.append(ranges)
                i = close + 2
                continue
        if c == "\\":
            text, i = _escape(p, i, in_class=True)
            out.append(text)
            continue
        out.append("\\" + c if c in "[&~|]" else c)
        i += 1


def _translate(p: str) -> tuple[str, int]:
    """Go RE2 syntax to Python ``re`` syntax and flags."""
    flags = 0
    out: list[str] = []
    i = 0
    multiline = False
    m = re.match(r"\(\?([imsU]+)\)", p)
    if m:
        if "U" in m.group(1):
            raise _Unsupported("the U (ungreedy) flag")
        multiline = "m" in m.group(1)
        flags |= (re.I if "i" in m.group(1) else 0) | (re.M if multiline else 0) | (re.S if "s" in m.group(1) else 0)
        i = m.end()
    prev_quant = False
    names: set[str] = set()
    while i < len(p):
        c = p[i]
        quant = False
        if c == "\\":
            if p.startswith("\\Q", i):
                end = p.find("\\E", i + 2)
                lit = p[i + 2 :] if end < 0 else p[i + 2 : end]
                out.append(re.escape(lit))
                i = len(p) if end < 0 else end + 2
                continue
            text, i = _escape(p, i, in_class=False)
            out.append(text)
        elif c == "[":
            text, i = _char_class(p, i)
            out.append(text)
        elif c == "(":
            if p.startswith("(?", i):
                rest = p[i + 2 :]
                if rest.startswith("P<") or (rest.startswith("<") and not rest.startswith(("<=", "<!"))):
                    start = i + (4 if rest.startswith("P<") else 3)
                    close = p.find(">", start)
                    if close < 0 or not re.fullmatch(r"[A-Za-z0-9_]+", p[start:close]):
                        raise _Invalid("invalid named capture")
                    if p[start:close] in names:
                        raise _Unsupported("a group name used twice")
                    names.add(p[start:close])
                    out.append(f"(?P<{p[start:close]}>")
                    i = close + 1
                    continue
                if rest.startswith(":"):
                    out.append("(?:")
                    i += 3
                    continue
                fm = re.match(r"([imsU]*)(-[imsU]*)?:", rest)
                if fm and not fm.group(2) and "U" not in fm.group(1) and fm.group(1):
                    out.append(f"(?{fm.group(1)}:")
                    i += 2 + fm.end()
                    continue
                if re.match(r"-?[imsU]", rest):
                    raise _Unsupported("flag groups other than a leading (?ims)")
                raise _Invalid("invalid or unsupported Perl syntax")
            out.append("(")
            i += 1
        elif c == "$":
            out.append("$" if multiline else "\\Z")
            i += 1
        elif c == "{":
            rm = re.match(r"\{(\d+)(,(\d*))?\}", p[i:])
            if rm:
                if int(rm.group(1)) > 1000 or (rm.group(3) and int(rm.group(3)) > 1000):
                    raise _Invalid("invalid repeat count")
                if rm.group(3) and int(rm.group(3)) < int(rm.group(1)):
                    raise _Invalid("invalid repeat count")
                out.append(rm.group(0))
                i += rm.end()
                quant = True
            else:
                out.append("\\{")
                i += 1
        elif c in "*+?":
            if prev_quant and c == "+":
                raise _Invalid("invalid nested repetition operator")
            if prev_quant and c == "?":
                out.append("?")
                i += 1
                prev_quant = False
                continue
            out.append(c)
            i += 1
            quant = True
        else:
            out.append(c)
            i += 1
        prev_quant = quant
    return "".join(out), flags


class BadRegex(FuncError):
    """A pattern Go's regexp rejects."""


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    try:
        text, flags = _translate(pattern)
        return re.compile(text, flags)
    except _Unsupported as err:
        raise FuncError(f"regular expression {pattern!r}: {err} not supported") from None
    except (_Invalid, re.error) as err:
        raise BadRegex(f"error parsing regexp: {err}: `{pattern}`") from None


def _matches(rx: re.Pattern[str], s: str, n: int) -> Iterator[re.Match[str]]:
    """Go's allMatches: at most ``n`` (all when negative); no empty match right after a previous match."""
    pos, prev_end, count = 0, -1, 0
    while (n < 0 or count < n) and pos <= len(s):
        m = rx.search(s, pos)
        if m is None:
            return
        accept = True
        if m.end() == pos:
            accept = m.start() != prev_end
            pos += 1
        else:
            pos = m.end()
        prev_end = m.end()
        if accept:
            count += 1
            yield m


def _expand(template: str, m: re.Match[str]) -> str:
    out: list[str] = []
    i = 0
    while i < len(template):
        c = template[i]
        if c != "$":
            out.append(c)
            i += 1
            continue
        if template.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        brace = template.startswith("${", i)
        j = i + (2 if brace else 1)
        k = j
        while k < len(template) and (template[k].isascii() and (template[k].isalnum() or template[k] == "_")):
            k += 1
        name = template[j:k]
        if not name or (brace and (k >= len(template) or template[k] != "}")):
            out.append("$")
            i += 1
            continue
        i = k + (1 if brace else 0)
        group: str | None
        if name.isdigit():
            idx = int(name)
            group = m.group(idx) if idx <= (m.re.groups or 0) else None
        else:
            group = m.group(name) if name in m.re.groupindex else None
        out.append(group or "")
    return "".join(out)


def _replace(rx: re.Pattern[str], s: str, repl: Callable[[re.Match[str]], str]) -> str:
    out: list[str] = []
    last = 0
    search = 0
    while search <= len(s):
        m = rx.search(s, search)
        if m is None:
            break
        out.append(s[last : m.start()])
        if m.end() > last or m.start() == 0:
            out.append(repl(m))
        last = m.end()
        search = search + 1 if search + 1 > m.end() else m.end()
    out.append(s[last:])
    return "".join(out)


@go("str", "str")
def _must_regex_match(regex: str, s: str) -> bool:
    return _compile(regex).search(s) is not None


@go("str", "str")
def _regex_match(regex: str, s: str) -> bool:
    try:
        return _compile(regex).search(s) is not None
    except BadRegex:
        return False  # Sprig ignores the error


@go("str", "str", "int")
def _regex_find_all(regex: str, s: str, n: int) -> list[object]:
    return StrList(m.group(0) for m in _matches(_compile(regex), s, n)) if n != 0 else StrList()


@go("str", "str")
def _regex_find(regex: str, s: str) -> str:
    m = _compile(regex).search(s)
    return m.group(0) if m else ""


@go("str", "str", "str")
def _regex_replace_all(regex: str, s: str, repl: str) -> str:
    return _replace(_compile(regex), s, lambda m: _expand(repl, m))


@go("str", "str", "str")
def _regex_replace_all_literal(regex: str, s: str, repl: str) -> str:
    return _replace(_compile(regex), s, lambda m: repl)


@go("str", "str", "int")
def _regex_split(regex: str, s: str, n: int) -> list[object]:
    if n == 0:
        return StrList()
    rx = _compile(regex)
    if regex and not s:
        return StrList([""])
    parts = StrList()
    beg = end = 0
    for m in _matches(rx, s, n):
        if n > 0 and len(parts) == n - 1:
            break
        end = m.start()
        if m.end() != 0:
            parts.append(s[beg:end])
        beg = m.end()
    if end != len(s):
        parts.append(s[beg:])
    return parts


@go("str")
def _regex_quote_meta(s: str) -> str:
    return "".join("\\" + c if c in _SPECIAL else c for c in s)


REGEX_FUNCS: Final[dict[str, Callable[..., object]]] = {
    "regexMatch": _regex_match,
    "mustRegexMatch": _must_regex_match,
    "regexFindAll": _regex_find_all,
    "mustRegexFindAll": _regex_find_all,
    "regexFind": _regex_find,
    "mustRegexFind": _regex_find,
    "regexReplaceAll": _regex_replace_all,
    "mustRegexReplaceAll": _regex_replace_all,
    "regexReplaceAllLiteral": _regex_replace_all_literal,
    "mustRegexReplaceAllLiteral": _regex_replace_all_literal,
    "regexSplit": _regex_split,
    "mustRegexSplit": _regex_split,
    "regexQuoteMeta": _regex_quote_meta,
}
