"""Go's ``fmt.Sprintf``/``Sprint``/``Sprintln`` for template values (``printf``, ``print``, ``println``).

Verbs: ``%v %+v %s %q %d %b %o %O %x %X %c %U %e %E %f %F %g %G %t %T %%`` with flags ``+ - # 0 space``, width,
precision, ``*`` and ``[n]`` argument indexes. Wrong verbs and missing or extra arguments print Go's
``%!verb(type=value)`` / ``%!verb(MISSING)`` / ``%!(EXTRA ...)`` forms. Formatting a float with ``%x``/``%b``
raises (not supported).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from ..errors import go_quote
from .values import MISSING, FuncError, fmt_float, fmt_v, go_type, is_int, sort_keys

__all__ = ["sprint", "sprintf", "sprintln"]


def sprint(*args: object) -> str:
    """fmt.Sprint: a space between operands when neither is a string."""
    out: list[str] = []
    prev_string = True
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(fmt_v(arg))
        prev_string = is_string
    return "".join(out)


def sprintln(*args: object) -> str:
    return " ".join(fmt_v(a) for a in args) + "\n"


@dataclass(slots=True)
class _Spec:
    minus: bool = False
    plus: bool = False
    sharp: bool = False
    zero: bool = False
    space: bool = False
    width: int | None = None
    prec: int | None = None


def _pad(text: str, spec: _Spec, zero_ok: bool = False) -> str:
    if spec.width is None or len(text) >= spec.width:
        return text
    fill = spec.width - len(text)
    if spec.minus:
        return text + " " * fill
    if spec.zero and zero_ok:
        sign = text[0] if text[:1] in ("-", "+", " ") else ""
        body = text[len(sign) :]
        return sign + "0" * fill + body
    return " " * fill + text


def _bad(verb: str, arg: object, spec: _Spec) -> str:
    """Go's badVerb: the value printed with %v and the same flags."""
    if arg is None or arg is MISSING:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type(arg)}={format_one(arg, 'v', spec)})"


def _fmt_int(v: int, verb: str, spec: _Spec) -> str:
    n = int(v)
    neg = n < 0
    mag = -n if neg else n
    prefix = ""
    if verb in ("d", "v"):
        body = str(mag)
    elif verb == "b":
        body = format(mag, "b")
        prefix = "0b" if spec.sharp else ""
    elif verb == "o":
        body = format(mag, "o")
        prefix = "0" if spec.sharp and body != "0" else ""
    elif verb == "O":
        body, prefix = format(mag, "o"), "0o"
    elif verb in ("x", "X"):
        body = format(mag, verb)
        prefix = ("0x" if verb == "x" else "0X") if spec.sharp else ""
    elif verb == "c":
        return _pad(chr(mag) if not neg and mag <= 0x10FFFF else "\ufffd", spec)
    elif verb == "q":
        ch = chr(mag) if not neg and mag <= 0x10FFFF else "\ufffd"
        quoted = "'" + go_quote(ch)[1:-1].replace('\\"', '"').replace("'", "\\'") + "'"
        return _pad(quoted, spec)
    elif verb == "U":
        text = f"U+{mag:04X}"
        if spec.sharp and not neg and mag <= 0x10FFFF and chr(mag).isprintable():
            text += f" '{chr(mag)}'"
        return _pad(text, spec)
    else:
        return _bad(verb, v, spec)
    if spec.prec is not None:
        body = body.rjust(spec.prec, "0") if not (spec.prec == 0 and mag == 0) else ""
    sign = "-" if neg else "+" if spec.plus else " " if spec.space else ""
    text = sign + prefix + body
    if spec.zero and spec.prec is None and not spec.minus and spec.width is not None and len(text) < spec.width:
        return sign + prefix + "0" * (spec.width - len(text)) + body
    return _pad(text, spec)


def _hex_float(f: float, upper: bool) -> str:
    """strconv's 'x' format, shortest: -0x1.cp+01."""
    text = abs(f).hex()  # 0x1.c000000000000p+1
    mant, _, exp = text[2:].partition("p")
    whole, _, frac = mant.partition(".")
    frac = frac.rstrip("0")
    e = int(exp)
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    point = "." + frac if frac else ""
    out = f"{sign}0x{whole}{point}p{'-' if e < 0 else '+'}{abs(e):02d}"
    return out.upper() if upper else out


def _fmt_float(f: float, verb: str, spec: _Spec) -> str:
    if verb == "b" or (verb in ("x", "X") and spec.prec is not None):
        raise FuncError(f"printf: %{verb} of a float64 is not supported")
    if math.isinf(f) or math.isnan(f):
        text = "NaN" if math.isnan(f) else ("+Inf" if f > 0 else "-Inf")
        if text == "+Inf" and not spec.plus:
            text = " Inf" if spec.space else "Inf"
        if text == "NaN" and (spec.plus or spec.space):
            text = ("+" if spec.plus else " ") + text
        return _pad(text, _Spec(minus=spec.minus, width=spec.width))
    if verb in ("x", "X") and math.isfinite(f):
        text = _hex_float(f, verb == "X")
    elif verb in ("g", "G") and spec.sharp and spec.prec is None:
        text = format(abs(f), f"#.6{verb}")
        if math.copysign(1.0, f) < 0:
            text = "-" + text
    elif verb in ("v", "g", "G") and spec.prec is None:
        text = fmt_float(f)
        if verb == "G":
            text = text.upper().replace("INF", "Inf").replace("NAN", "NaN")
    else:
        pyverb = {"v": "g", "F": "f"}.get(verb, verb)
        prec = spec.prec if spec.prec is not None else 6
        if pyverb in ("g", "G") and prec == 0:
            prec = 1
        text = format(abs(f), f"{'#' if spec.sharp else ''}.{prec}{pyverb}")
        if math.copysign(1.0, f) < 0:
            text = "-" + text
    if not text.startswith("-"):
        if spec.plus:
            text = "+" + text
        elif spec.space:
            text = " " + text
    return _pad(text, spec, zero_ok=True)


def _fmt_str(s: str, verb: str, spec: _Spec) -> str:
    if spec.prec is not None:
        s = s[: spec.prec]
    if verb in ("s", "v"):
        return _pad(s, spec)
    if verb == "q":
        if spec.sharp and "`" not in s and all(c.isprintable() or c == "\t" for c in s):
            return _pad("`" + s + "`", spec)
        quoted = go_quote(s)
        if spec.plus:
            quoted = "".join(
                c if c.isascii() else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}" for c in quoted
            )
        return _pad(quoted, spec)
    if verb in ("x", "X"):
        data = s.encode()
        sep = " " if spec.space else ""
        parts = [format(b, "02x" if verb == "x" else "02X") for b in data]
        if spec.sharp:
            pre = "0x" if verb == "x" else "0X"
            parts = [pre + p for p in parts] if spec.space else ([pre + "".join(parts)] if parts else [])
        return _pad(sep.join(parts), spec)
    return _bad(verb, s, spec)


def _sharp_v(arg: object) -> str:
    """%#v (Go syntax) of a scalar."""
    if isinstance(arg, str):
        return go_quote(arg)
    if arg is None or arg is MISSING:
        return "<nil>"
    if isinstance(arg, (bool, int, float)):
        return fmt_v(arg)
    raise FuncError(f"printf: %#v of a {go_type(arg)} is not supported")


def format_one(arg: object, verb: str, spec: _Spec, nested: bool = False) -> str:
    if verb == "T":
        return _pad(go_type(arg), spec)
    if verb == "v" and spec.sharp:
        return _pad(_sharp_v(arg), spec)
    if verb == "v" and spec.plus:
        spec = _Spec(spec.minus, False, spec.sharp, spec.zero, spec.space, spec.width, spec.prec)
    if arg is None or arg is MISSING:
        return _pad("<nil>", spec) if verb == "v" or nested else _bad(verb, arg, spec)
    if isinstance(arg, bool):
        if verb in ("t", "v"):
            return _pad("true" if arg else "false", spec)
        return _bad(verb, arg, spec)
    if is_int(arg):
        return _fmt_int(arg, verb, spec)  # type: ignore[arg-type]
    if isinstance(arg, float):
        if verb in ("v", "e", "E", "f", "F", "g", "G", "x", "X", "b"):
            return _fmt_float(arg, verb, spec)
        return _bad(verb, arg, spec)
    if isinstance(arg, str):
        return _fmt_str(arg, verb, spec)
    if isinstance(arg, Sequence):
        inner = _Spec(spec.minus, spec.plus, spec.sharp, spec.zero, spec.space, spec.width, spec.prec)
        return "[" + " ".join(format_one(x, verb, inner, nested=True) for x in arg) + "]"
    if isinstance(arg, Mapping):
        items = [
            f"{format_one(k, verb, spec, nested=True)}:{format_one(arg[k], verb, spec, nested=True)}"
            for k in sort_keys(arg)
        ]
        return "map[" + " ".join(items) + "]"
    return _pad(fmt_v(arg), spec)


def sprintf(fmt: str, *args: object) -> str:
    """fmt.Sprintf."""
    out: list[str] = []
    argi = 0
    reordered = False
    i, n = 0, len(fmt)
    while i < n:
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        out.append(fmt[i:j])
        i = j + 1
        spec = _Spec()
        while i < n and fmt[i] in "+-# 0":
            ch = fmt[i]
            spec.plus |= ch == "+"
            spec.minus |= ch == "-"
            spec.sharp |= ch == "#"
            spec.zero |= ch == "0"
            spec.space |= ch == " "
            i += 1

        bad_index = False

        def arg_index() -> None:
            nonlocal i, argi, reordered, bad_index
            if i < n and fmt[i] == "[":
                reordered = True
                close = fmt.find("]", i)
                if close > i and fmt[i + 1 : close].isdigit() and 0 < int(fmt[i + 1 : close]) <= len(args):
                    argi = int(fmt[i + 1 : close]) - 1
                else:
                    bad_index = True
                i = close + 1 if close > i else i + 1

        def number() -> int | None:
            nonlocal i, argi
            if i < n and fmt[i] == "*":
                i += 1
                if argi < len(args) and is_int(args[argi]):
                    value = int(cast(int, args[argi]))
                    argi += 1
                    return value
                argi += 1
                out.append("%!(BADWIDTH)")
                return None
            start = i
            while i < n and fmt[i].isdigit():
                i += 1
            return int(fmt[start:i]) if i > start else None

        arg_index()
        spec.width = number()
        if spec.width is not None and spec.width < 0:
            spec.minus, spec.width = True, -spec.width
        if i < n and fmt[i] == ".":
            i += 1
            arg_index()
            spec.prec = number() or 0
            if spec.prec < 0:
                spec.prec = None
        arg_index()
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if bad_index:
            out.append(f"%!{verb}(BADINDEX)")
            continue
        if argi >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[argi]
        argi += 1
        out.append(format_one(arg, verb, spec))
    if not reordered and argi < len(args):
        extra = ", ".join("<nil>" if a is None else f"{go_type(a)}={fmt_v(a)}" for a in args[argi:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)
