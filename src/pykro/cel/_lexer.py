"""Tokenizer for CEL source (cel-spec langdef): numbers, all string/bytes literal forms, identifiers, operators."""

from __future__ import annotations

from dataclasses import dataclass

from pykro.cel._errors import CelCompileError

__all__ = ["RESERVED", "Token", "tokenize"]

RESERVED = frozenset(
    {"as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package"}
    | {"namespace", "return", "var", "void"}
)
OPERATORS_1 = frozenset("+-*/%<>!?:.,()[]{}=")
SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "?": "?",
    '"': '"',
    "'": "'",
    "`": "`",
}
HEX = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is INT, UINT, DOUBLE, STRING, BYTES, IDENT, ESCIDENT, OP or EOF."""

    kind: str
    value: object
    pos: int
    end: int


def _error(text: str, pos: int, what: str) -> CelCompileError:
    return CelCompileError(f"syntax error at offset {pos}: {what} in {text!r}", expression=text, position=pos)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens (comments and whitespace dropped); raise CelCompileError with a position."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\n\r\f":
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            token = _number(text, i)
            tokens.append(token)
            i = token.end
        elif c.isascii() and (c.isalpha() or c == "_"):
            j = i
            while j < n and (text[j].isalnum() or text[j] == "_") and text[j].isascii():
                j += 1
            word = text[i:j]
            if j < n and text[j] in "'\"" and word.lower() in {"r", "b", "rb", "br"}:
                token = _string(text, i, j, raw="r" in word.lower(), as_bytes="b" in word.lower())
                tokens.append(token)
                i = token.end
                continue
            tokens.append(Token("IDENT", word, i, j))
            i = j
        elif c in "'\"":
            token = _string(text, i, i, raw=False, as_bytes=False)
            tokens.append(token)
            i = token.end
        elif c == "`":
            end = text.find("`", i + 1)
            if end < 0 or "\n" in text[i:end]:
                raise _error(text, i, "unterminated quoted identifier")
            name = text[i + 1 : end]
            if not name or any(not (ch.isascii() and (ch.isalnum() or ch in "_.-/ ")) for ch in name):
                raise _error(text, i, f"invalid quoted identifier `{name}`")
            tokens.append(Token("ESCIDENT", name, i, end + 1))
            i = end + 1
        else:
            two = text[i : i + 2]
            if two in ("||", "&&", "==", "!=", "<=", ">="):
                tokens.append(Token("OP", two, i, i + 2))
                i += 2
            elif c in OPERATORS_1 and c != "=":
                tokens.append(Token("OP", c, i, i + 1))
                i += 1
            else:
                raise _error(text, i, f"unexpected character {c!r}")
    tokens.append(Token("EOF", None, n, n))
    return tokens


def _number(text: str, start: int) -> Token:
    n = len(text)
    i = start
    if text.startswith(("0x", "0X"), i):
        j = i + 2
        while j < n and text[j] in HEX:
            j += 1
        if j == i + 2:
            raise _error(text, i, "hexadecimal literal without digits")
        value = int(text[i + 2 : j], 16)
        return _int_suffix(text, start, j, value)
    j = i
    while j < n and text[j].isdigit():
        j += 1
    is_float = False
    if j + 1 < n and text[j] == "." and text[j + 1].isdigit():
        is_float = True
        j += 1
        while j < n and text[j].isdigit():
            j += 1
    if j < n and text[j] in "eE":
        k = j + 1
        if k < n and text[k] in "+-":
            k += 1
        if k < n and text[k].isdigit():
            is_float = True
            j = k
            while j < n and text[j].isdigit():
                j += 1
    if is_float:
        return Token("DOUBLE", float(text[start:j]), start, j)
    return _int_suffix(text, start, j, int(text[start:j]))


def _int_suffix(text: str, start: int, end: int, value: int) -> Token:
    if end < len(text) and text[end] in "uU":
        if value > 2**64 - 1:
            raise _error(text, start, "unsigned integer literal out of range")
        return Token("UINT", value, start, end + 1)
    return Token("INT", value, start, end)


def _string(text: str, start: int, quote_at: int, *, raw: bool, as_bytes: bool) -> Token:
    n = len(text)
    q = text[quote_at]
    delim = q * 3 if text.startswith(q * 3, quote_at) else q
    i = quote_at + len(delim)
    out: list[str] = []
    raw_bytes: list[int] = []

    def emit(chars: str) -> None:
        raw_bytes.extend(chars.encode("utf-8"))
        out.append(chars)

    while True:
        if i >= n:
            raise _error(text, start, "unterminated string literal")
        if text.startswith(delim, i):
            i += len(delim)
            break
        c = text[i]
        if c in "\r\n" and len(delim) == 1:
            raise _error(text, start, "newline in a single-quoted string literal")
        if c != "\\" or raw:
            emit(c)
            i += 1
            continue
        if i + 1 >= n:
            raise _error(text, i, "unterminated escape sequence")
        e = text[i + 1]
        if e in SIMPLE_ESCAPES:
            emit(SIMPLE_ESCAPES[e])
            i += 2
        elif e in "xX" or e in "uU":
            width = {"x": 2, "X": 2, "u": 4, "U": 8}[e]
            digits = text[i + 2 : i + 2 + width]
            if len(digits) != width or any(d not in HEX for d in digits):
                raise _error(text, i, f"invalid \\{e} escape")
            code = int(digits, 16)
            if e in "xX" and as_bytes:
                raw_bytes.append(code)
                out.append(chr(code))
            else:
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise _error(text, i, "invalid unicode code point in escape")
                emit(chr(code))
            i += 2 + width
        elif e in "0123":
            digits = text[i + 1 : i + 4]
            if len(digits) != 3 or any(d not in "01234567" for d in digits):
                raise _error(text, i, "invalid octal escape")
            code = int(digits, 8)
            if as_bytes:
                raw_bytes.append(code)
                out.append(chr(code))
            else:
                emit(chr(code))
            i += 4
        else:
            raise _error(text, i, f"invalid escape sequence \\{e}")
    if as_bytes:
        return Token("BYTES", bytes(raw_bytes), start, i)
    return Token("STRING", "".join(out), start, i)
