"""The lexer of Go's ``text/template``: template source to a list of tokens.

Follows ``text/template/parse/lex.go``: ``{{``/``}}`` delimiters with the ``{{- `` / `` -}}`` trim markers (which
remove the white space of the adjacent text), ``{{/* comments */}}``, and inside actions: spaces, ``:=``, ``=``,
``|``, parentheses, strings, raw strings, character constants, numbers, ``.field`` chains, ``$variables``,
identifiers and keywords.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto
from typing import Final

from ..errors import go_quote

__all__ = ["LexError", "T", "Token", "lex"]


class T(Enum):
    """Token types."""

    TEXT = auto()
    COMMENT = auto()
    LEFT = auto()
    RIGHT = auto()
    SPACE = auto()
    IDENT = auto()
    FIELD = auto()
    VARIABLE = auto()
    DOT = auto()
    STRING = auto()
    RAW = auto()
    CHAR = auto()  # a character constant such as 'a'
    NUMBER = auto()
    BOOL = auto()
    NIL = auto()
    PIPE = auto()
    LPAREN = auto()
    RPAREN = auto()
    ASSIGN = auto()
    DECLARE = auto()
    PUNCT = auto()  # any other printable ASCII character, e.g. ','
    KEYWORD = auto()
    EOF = auto()


KEYWORDS: Final = frozenset(
    {"block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with"}
)
_SPACE: Final = " \t\r\n"
_TERMINATORS: Final = frozenset(" \t\r\n.,|:)(")


@dataclass(frozen=True, slots=True)
class Token:
    typ: T
    val: str
    pos: int  # offset in the source


class LexError(Exception):
    """A lexical error at ``pos``."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.pos = pos


def _alnum(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


def lex(src: str) -> list[Token]:
    """Tokenize ``src``; raises LexError."""
    out: list[Token] = []
    n = len(src)
    pos = 0
    trim_next = False  # the previous action ended with " -}}"
    while True:
        start = src.find("{{", pos)
        end = n if start < 0 else start
        text_start = pos
        if trim_next:
            while text_start < end and src[text_start] in _SPACE:
                text_start += 1
            trim_next = False
        text_end = end
        if start >= 0 and src.startswith("-", start + 2) and start + 3 < n and src[start + 3] in _SPACE:
            while text_end > text_start and src[text_end - 1] in _SPACE:
                text_end -= 1
        if text_end > text_start:
            out.append(Token(T.TEXT, src[text_start:text_end], text_start))
        if start < 0:
            out.append(Token(T.EOF, "", n))
            return out
        pos, trim_next = _lex_action(src, start, out)


def _at_right(src: str, pos: int) -> tuple[bool, bool]:
    """(at a right delimiter, with trim marker)."""
    if src.startswith("}}", pos):
        return True, False
    if pos + 1 < len(src) and src[pos] in _SPACE and src[pos + 1] == "-" and src.startswith("}}", pos + 2):
        return True, True
    return False, False


def _lex_action(src: str, start: int, out: list[Token]) -> tuple[int, bool]:
    """Lex one action starting at ``{{``; return the position after ``}}`` and whether it trims what follows."""
    n = len(src)
    pos = start + 2
    if pos + 1 < n and src[pos] == "-" and src[pos + 1] in _SPACE:
        pos += 2
    # A comment: /* ... */ right before the closing delimiter.
    if src.startswith("/*", pos):
        cstart = pos
        close = src.find("*/", pos + 2)
        if close < 0:
            raise LexError("unclosed comment", start)
        after = close + 2
        right, trim = _at_right(src, after)
        if not right:
            raise LexError("comment ends before closing delimiter", start)
        out.append(Token(T.COMMENT, src[cstart:after], start))
        return after + (4 if trim else 2), trim
    out.append(Token(T.LEFT, "{{", start))
    depth = 0
    while True:
        right, trim = _at_right(src, pos)
        if right:
            if depth:
                raise LexError("unclosed left paren", pos)
            out.append(Token(T.RIGHT, "}}", pos))
            return pos + (4 if trim else 2), trim
        if pos >= n:
            raise LexError("unclosed action", start)
        ch = src[pos]
        begin = pos
        if ch in _SPACE:
            while pos < n and src[pos] in _SPACE:
                if _at_right(src, pos)[1]:
                    break
                pos += 1
            out.append(Token(T.SPACE, src[begin:pos], begin))
        elif ch == "=":
            out.append(Token(T.ASSIGN, "=", begin))
            pos += 1
        elif ch == ":":
            if not src.startswith(":=", pos):
                raise LexError("expected :=", pos)
            out.append(Token(T.DECLARE, ":=", begin))
            pos += 2
        elif ch == "|":
            out.append(Token(T.PIPE, "|", begin))
            pos += 1
        elif ch == '"':
            pos = _lex_quote(src, pos, '"', "unterminated quoted string")
            out.append(Token(T.STRING, src[begin:pos], begin))
        elif ch == "`":
            close = src.find("`", pos + 1)
            if close < 0:
                raise LexError("unterminated raw quoted string", begin)
            pos = close + 1
            out.append(Token(T.RAW, src[begin:pos], begin))
        elif ch == "'":
            pos = _lex_quote(src, pos, "'", "unterminated character constant")
            out.append(Token(T.CHAR, src[begin:pos], begin))
        elif ch == "$":
            pos = _lex_word(src, pos + 1)
            out.append(Token(T.VARIABLE, src[begin:pos], begin))
        elif ch == "." and not (pos + 1 < n and src[pos + 1].isdigit()):
            pos = _lex_word(src, pos + 1)
            out.append(Token(T.DOT if pos == begin + 1 else T.FIELD, src[begin:pos], begin))
        elif ch in "+-." or ch.isdigit():
            pos = _lex_number(src, pos)
            out.append(Token(T.NUMBER, src[begin:pos], begin))
        elif _alnum(ch):
            pos = _lex_word(src, pos)
            word = src[begin:pos]
            if word in KEYWORDS:
                out.append(Token(T.NIL if word == "nil" else T.KEYWORD, word, begin))
            elif word in ("true", "false"):
                out.append(Token(T.BOOL, word, begin))
            else:
                out.append(Token(T.IDENT, word, begin))
        elif ch == "(":
            depth += 1
            out.append(Token(T.LPAREN, "(", begin))
            pos += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise LexError("unexpected right paren", begin)
            out.append(Token(T.RPAREN, ")", begin))
            pos += 1
        elif ch.isascii() and ch.isprintable():
            out.append(Token(T.PUNCT, ch, begin))
            pos += 1
        else:
            raise LexError(f"unrecognized character in action: U+{ord(ch):04X}", begin)


def _lex_word(src: str, pos: int) -> int:
    """Consume alphanumerics; the word must end at a terminator."""
    n = len(src)
    while pos < n and _alnum(src[pos]):
        pos += 1
    if pos < n and src[pos] not in _TERMINATORS and not _at_right(src, pos)[0]:
        raise LexError(f"bad character {go_quote(src[pos])}", pos)
    return pos


def _lex_quote(src: str, pos: int, quote: str, unterminated: str) -> int:
    n = len(src)
    pos += 1
    while True:
        if pos >= n or src[pos] == "\n":
            raise LexError(unterminated, pos)
        ch = src[pos]
        if ch == "\\":
            pos += 2
            continue
        pos += 1
        if ch == quote:
            return pos


def _lex_number(src: str, pos: int) -> int:
    begin = pos
    n = len(src)

    def accept(chars: str) -> bool:
        nonlocal pos
        if pos < n and src[pos] in chars:
            pos += 1
            return True
        return False

    def run(chars: str) -> None:
        nonlocal pos
        while pos < n and src[pos] in chars:
            pos += 1

    accept("+-")
    digits = "0123456789_"
    if accept("0"):
        if accept("xX"):
            digits = "0123456789abcdefABCDEF_"
        elif accept("oO"):
            digits = "01234567_"
        elif accept("bB"):
            digits = "01_"
    run(digits)
    if accept("."):
        run(digits)
    if len(digits) == 11 and accept("eE"):
        accept("+-")
        run("0123456789_")
    if len(digits) == 23 and accept("pP"):
        accept("+-")
        run("0123456789_")
    accept("i")
    if pos < n and _alnum(src[pos]):
        raise LexError(f"bad number syntax: {go_quote(src[begin : pos + 1])}", begin)
    return pos
