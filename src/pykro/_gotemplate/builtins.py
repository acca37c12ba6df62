"""Go's predefined template functions (``text/template/funcs.go``): and, or, not, len, index, slice, print,
printf, println, html, js, urlquery, call, eq, ne, lt, le, gt, ge.

``and``/``or`` short-circuit and are evaluated by the executor; the functions here only declare their signature.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, cast
from urllib.parse import quote_plus

from .gofmt import sprint, sprintf, sprintln
from .sig import go
from .values import MISSING, FuncError, StrList, StrMap, go_type, is_int, truth

__all__ = ["BUILTINS"]


def _kind(v: object) -> str:
    """Go's basicKind: bool, int, float, string, or "" (invalid / not basic)."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return ""


def _valid(v: object) -> bool:
    return v is not MISSING and v is not None


@go("value", variadic="value")
def _and(*args: object) -> object:
    raise AssertionError("and is evaluated by the executor")


@go("value", variadic="value")
def _or(*args: object) -> object:
    raise AssertionError("or is evaluated by the executor")


@go("value")
def _not(v: object) -> bool:
    return not truth(v)


@go("value", variadic="value")
def _eq(a: object, *others: object) -> bool:
    if not others:
        raise FuncError("missing argument for comparison")
    k1 = _kind(a)
    for b in others:
        k2 = _kind(b)
        if k1 != k2:
            if _valid(a) and _valid(b):
                raise FuncError(f"incompatible types for comparison: {go_type(a)} and {go_type(b)}")
            continue
        if k1:
            if a == b:
                return True
            continue
        if not _valid(a) or not _valid(b):
            if _valid(a) == _valid(b):
                return True
            if isinstance(a if _valid(a) else b, (list, tuple, Mapping)):
                continue
            raise FuncError("non-comparable types")
        raise FuncError(f"non-comparable type {go_type(b)}")
    return False


@go("value", "value")
def _ne(a: object, b: object) -> bool:
    return not _eq(a, b)


@go("value", "value")
def _lt(a: object, b: object) -> bool:
    k1, k2 = _kind(a), _kind(b)
    if not k1 or not k2:
        raise FuncError("invalid type for comparison")
    if k1 != k2:
        raise FuncError(f"incompatible types for comparison: {go_type(a)} and {go_type(b)}")
    if k1 == "bool":
        raise FuncError("invalid type for comparison")
    return bool(a < b)  # type: ignore[operator]


@go("value", "value")
def _le(a: object, b: object) -> bool:
    return _lt(a, b) or _eq(a, b)


@go("value", "value")
def _gt(a: object, b: object) -> bool:
    return not _le(a, b)


@go("value", "value")
def _ge(a: object, b: object) -> bool:
    return not _lt(a, b)


@go("value")
def _len(v: object) -> int:
    if isinstance(v, str):
        return len(v.encode())
    if isinstance(v, (list, tuple, Mapping)):
        return len(v)
    if not _valid(v):
        raise FuncError("len of nil pointer" if v is None else "len of untyped nil")
    raise FuncError(f"len of type {go_type(v)}")


def _index_arg(i: object, cap: int) -> int:
    if not _valid(i):
        raise FuncError("cannot index slice/array with nil")
    if not is_int(i):
        raise FuncError(f"cannot index slice/array with type {go_type(i)}")
    x = int(cast(int, i))
    if x < 0 or x > cap:
        raise FuncError(f"index out of range: {x}")
    return x


@go("value", variadic="value")
def _index(item: object, *indexes: object) -> object:
    if not _valid(item):
        raise FuncError("index of untyped nil")
    for idx in indexes:
        if item is None or item is MISSING:
            raise FuncError("index of nil pointer")
        if isinstance(item, (list, tuple)):
            x = _index_arg(idx, len(item))
            if x == len(item):
                raise FuncError(f"index out of range: {x}")
            item = item[x]
        elif isinstance(item, str):
            data = item.encode()
            x = _index_arg(idx, len(data))
            if x == len(data):
                raise FuncError(f"index out of range: {x}")
            item = data[x]  # a byte (uint8): print shows the number
        elif isinstance(item, Mapping):
            if not isinstance(idx, str):
                if not _valid(idx):
                    raise FuncError("value is nil; should be of type string")
                raise FuncError(f"value has type {go_type(idx)}; should be string")
            item = item.get(idx, "" if isinstance(item, StrMap) else None)
        else:
            raise FuncError(f"can't index item of type {go_type(item)}")
    return item


@go("value", variadic="value")
def _slice(item: object, *indexes: object) -> object:
    if not _valid(item):
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(item, str):
        if len(indexes) == 3:
            raise FuncError("cannot 3-index slice a string")
        data = item.encode()
        size = len(data)
    elif isinstance(item, (list, tuple)):
        size = len(item)
    else:
        raise FuncError(f"can't slice item of type {go_type(item)}")
    idx = [0, size, size]
    for i, index in enumerate(indexes):
        idx[i] = _index_arg(index, size)
    if idx[0] > idx[1]:
        raise FuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise FuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    if isinstance(item, str):
        return item.encode()[idx[0] : idx[1]].decode("utf-8", errors="surrogateescape")
    return StrList(item[idx[0] : idx[1]]) if isinstance(item, StrList) else list(item[idx[0] : idx[1]])


def _eval_args(args: tuple[object, ...]) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(*("<no value>" if a is None else a for a in args))


_HTML: Final = {'"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;", "\x00": "\ufffd"}


@go(variadic="any")
def _html(*args: object) -> str:
    return "".join(_HTML.get(c, c) for c in _eval_args(args))


_JS: Final = {
    "\\": "\\\\", "'": "\\'", '"': "\\\"", "<": "\\u003C", ">": "\\u003E", "&": "\\u0026", "=": "\\u003D",
}  # fmt: skip


@go(variadic="any")
def _js(*args: object) -> str:
    out: list[str] = []
    for c in _eval_args(args):
        if c in _JS:
            out.append(_JS[c])
        elif ord(c) < 0x20 or (not c.isascii() and not c.isprintable()):
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


@go(variadic="any")
def _urlquery(*args: object) -> str:
    return quote_plus(_eval_args(args), safe="-_.~")


@go(variadic="any")
def _print(*args: object) -> str:
    return sprint(*args)


@go(variadic="any")
def _println(*args: object) -> str:
    return sprintln(*args)


@go("str", variadic="any")
def _printf(fmt: str, *args: object) -> str:
    return sprintf(fmt, *args)


@go("value", variadic="value")
def _call(fn: object, *args: object) -> object:
    if not _valid(fn):
        raise FuncError("call of nil")
    if not callable(fn):
        raise FuncError(f"non-function of type {go_type(fn)}")
    return fn(*(None if a is MISSING else a for a in args))


BUILTINS: Final[Mapping[str, Callable[..., object]]] = {
    "and": _and,
    "or": _or,
    "not": _not,
    "len": _len,
    "index": _index,
    "slice": _slice,
    "print": _print,
    "printf": _printf,
    "println": _println,
    "html": _html,
    "js": _js,
    "urlquery": _urlquery,
    "call": _call,
    "eq": _eq,
    "ne": _ne,
    "lt": _lt,
    "le": _le,
    "gt": _gt,
    "ge": _ge,
}
