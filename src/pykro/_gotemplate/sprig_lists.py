"""Sprig v3's list, dict and math functions (list.go, dict.go, numeric.go and the arithmetic in functions.go).

Integer arithmetic wraps at 64 bits as Go's int64 does. ``keys`` and ``values`` return keys in sorted order
(Go's order is random). ``merge``/``mergeOverwrite`` follow mergo's rules for maps of JSON-like values.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Final

from .convert import deep_equal, empty, strval, to_float64, to_int64, wrap64
from .sig import go
from .values import I64, MISSING, FuncError, StrList, go_type

__all__ = ["LIST_FUNCS"]


def _utf8(s: str) -> bytes:
    return s.encode()


def _need_list(v: object, what: str) -> list[object]:
    if isinstance(v, (list, tuple)):
        return list(v)
    if v is None or v is MISSING:
        raise FuncError("runtime error: invalid memory address or nil pointer dereference")
    kind = "map" if isinstance(v, Mapping) else go_type(v)
    raise FuncError(f"Cannot {what} type {kind}")


@go(variadic="any")
def _list(*items: object) -> list[object]:
    return list(items)


@go("any", "any")
def _push(lst: object, v: object) -> list[object]:
    return [*_need_list(lst, "push on"), v]


@go("any", "any")
def _prepend(lst: object, v: object) -> list[object]:
    return [v, *_need_list(lst, "prepend on")]


@go("int", "any")
def _chunk(size: int, lst: object) -> list[object]:
    items = _need_list(lst, "chunk")
    if size <= 0:
        raise FuncError("chunk size must be positive")
    return [items[i : i + size] for i in range(0, len(items), size)]


@go("any")
def _first(lst: object) -> object:
    items = _need_list(lst, "first")
    return items[0] if items else None


@go("any")
def _last(lst: object) -> object:
    items = _need_list(lst, "last")
    return items[-1] if items else None


@go("any")
def _rest(lst: object) -> object:
    return _need_list(lst, "rest")[1:]


@go("any")
def _initial(lst: object) -> object:
    return _need_list(lst, "initial")[:-1]


@go("any")
def _reverse(lst: object) -> list[object]:
    return _need_list(lst, "reverse")[::-1]


@go("any")
def _compact(lst: object) -> list[object]:
    return [x for x in _need_list(lst, "compact on") if not empty(x)]


def _in_list(haystack: list[object], needle: object) -> bool:
    return any(deep_equal(needle, h) for h in haystack)


@go("any")
def _uniq(lst: object) -> list[object]:
    out: list[object] = []
    for x in _need_list(lst, "uniq"):
        if not _in_list(out, x):
            out.append(x)
    return out


@go("any", variadic="any")
def _without(lst: object, *omit: object) -> list[object]:
    return [x for x in _need_list(lst, "without") if not _in_list(list(omit), x)]


@go("any", "any")
def _has(needle: object, haystack: object) -> bool:
    if haystack is None or haystack is MISSING:
        return False
    return _in_list(_need_list(haystack, "has"), needle)


@go("any", variadic="any")
def _slice(lst: object, *indices: object) -> object:
    items = _need_list(lst, "slice")
    if not items:
        return None
    start = to_int64(indices[0]) if indices else 0
    end = to_int64(indices[1]) if len(indices) >= 2 else len(items)
    if not 0 <= start <= end <= len(items):
        raise FuncError(f"reflect: slice index out of bounds [{start}:{end}]")
    return StrList(items[start:end]) if isinstance(lst, StrList) else items[start:end]


@go(variadic="any")
def _concat(*lists: object) -> object:
    out: list[object] = []
    for lst in lists:
        out.extend(_need_list(lst, "concat"))
    return out


# --- dicts
@go(variadic="any")
def _dict(*kv: object) -> dict[str, object]:
    out: dict[str, object] = {}
    for i in range(0, len(kv), 2):
        out[strval(kv[i])] = kv[i + 1] if i + 1 < len(kv) else ""
    return out


@go("map", "str")
def _get(d: dict[str, object], key: str) -> object:
    return d.get(key, "")


@go("map", "str", "any")
def _set(d: dict[str, object], key: str, value: object) -> dict[str, object]:
    d[key] = value
    return d


@go("map", "str")
def _unset(d: dict[str, object], key: str) -> dict[str, object]:
    d.pop(key, None)
    return d


@go("map", "str")
def _has_key(d: dict[str, object], key: str) -> bool:
    return key in d


@go("str", variadic="map")
def _pluck(key: str, *dicts: dict[str, object]) -> list[object]:
    return [d[key] for d in dicts if key in d]


@go(variadic="map")
def _keys(*dicts: dict[str, object]) -> StrList:
    out = StrList()
    for d in dicts:
        names: list[str] = sorted(d, key=_utf8)
        out.extend(names)
    return out


@go("map", variadic="str")
def _pick(d: dict[str, object], *keys: str) -> dict[str, object]:
    return {k: d[k] for k in keys if k in d}


@go("map", variadic="str")
def _omit(d: dict[str, object], *keys: str) -> dict[str, object]:
    return {k: v for k, v in d.items() if k not in keys}


@go("map")
def _values(d: dict[str, object]) -> list[object]:
    return [d[k] for k in sorted(d, key=lambda k: k.encode())]


def _merge_into(dst: dict[str, object], src: Mapping[str, object], overwrite: bool) -> None:
    """mergo.Merge / MergeWithOverwrite for maps of JSON-like values."""
    for key, sv in src.items():
        dv = dst.get(key, MISSING)
        present = dv is not MISSING and not empty(dv)
        if isinstance(sv, Mapping) and isinstance(dv, dict) and present:
            _merge_into(dv, sv, overwrite)
        elif overwrite or (sv is not None and not present):
            dst[key] = sv


@go("map", variadic="map")
def _merge(dst: dict[str, object], *srcs: dict[str, object]) -> object:
    for src in srcs:
        _merge_into(dst, src, overwrite=False)
    return dst


@go("map", variadic="map")
def _merge_overwrite(dst: dict[str, object], *srcs: dict[str, object]) -> object:
    for src in srcs:
        _merge_into(dst, src, overwrite=True)
    return dst


@go("any")
def _deep_copy(v: object) -> object:
    if v is None:
        raise FuncError("deepCopy error: nil")
    return copy.deepcopy(v)


@go(variadic="any")
def _dig(*args: object) -> object:
    if len(args) < 3:
        raise FuncError("dig needs at least three arguments")
    d = args[-1]
    default = args[-2]
    keys = args[:-2]
    for i, key in enumerate(keys):
        if not isinstance(d, dict):
            raise FuncError(f"interface conversion: interface {{}} is {go_type(d)}, not map[string]interface {{}}")
        if not isinstance(key, str):
            raise FuncError(f"interface conversion: interface {{}} is {go_type(key)}, not string")
        if key not in d:
            return default
        if i == len(keys) - 1:
            return d[key]
        d = d[key]
    return default


# --- math
@go("any")
def _add1(v: object) -> I64:
    return I64(wrap64(to_int64(v) + 1))


@go(variadic="any")
def _add(*vs: object) -> I64:
    return I64(wrap64(sum(to_int64(v) for v in vs)))


@go("any", "any")
def _sub(a: object, b: object) -> I64:
    return I64(wrap64(to_int64(a) - to_int64(b)))


def _go_div(a: int, b: int, op: str) -> int:
    if b == 0:
        raise FuncError("runtime error: integer divide by zero")
    q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
    return wrap64(q) if op == "/" else wrap64(a - q * b)


@go("any", "any")
def _div(a: object, b: object) -> I64:
    return I64(_go_div(to_int64(a), to_int64(b), "/"))


@go("any", "any")
def _mod(a: object, b: object) -> I64:
    return I64(_go_div(to_int64(a), to_int64(b), "%"))


@go("any", variadic="any")
def _mul(a: object, *vs: object) -> I64:
    acc = to_int64(a)
    for v in vs:
        acc = wrap64(acc * to_int64(v))
    return I64(acc)


@go("any", variadic="any")
def _max(a: object, *vs: object) -> I64:
    return I64(max([to_int64(a), *(to_int64(v) for v in vs)]))


@go("any", variadic="any")
def _min(a: object, *vs: object) -> I64:
    return I64(min([to_int64(a), *(to_int64(v) for v in vs)]))


def _fmax(a: float, b: float) -> float:
    """Go's math.Max: +Inf wins over NaN, and +0 over -0."""
    if a == math.inf or b == math.inf:
        return math.inf
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == 0 and b == 0:
        return b if math.copysign(1, a) < 0 else a
    return a if a > b else b


def _fmin(a: float, b: float) -> float:
    """Go's math.Min: -Inf wins over NaN, and -0 over +0."""
    if a == -math.inf or b == -math.inf:
        return -math.inf
    if math.isnan(a) or math.isnan(b):
        return math.nan
    if a == 0 and b == 0:
        return a if math.copysign(1, a) < 0 else b
    return a if a < b else b


@go("any", variadic="any")
def _maxf(a: object, *vs: object) -> float:
    acc = to_float64(a)
    for v in vs:
        acc = _fmax(acc, to_float64(v))
    return acc


@go("any", variadic="any")
def _minf(a: object, *vs: object) -> float:
    acc = to_float64(a)
    for v in vs:
        acc = _fmin(acc, to_float64(v))
    return acc


def _go_floor(f: float) -> float:
    return math.copysign(float(math.floor(f)), f) if math.isfinite(f) else f


def _go_ceil(f: float) -> float:
    return math.copysign(float(math.ceil(f)), f) if math.isfinite(f) else f


@go("any")
def _floor(v: object) -> float:
    return _go_floor(to_float64(v))


@go("any")
def _ceil(v: object) -> float:
    return _go_ceil(to_float64(v))


@go("any", "int", variadic="float")
def _round(v: object, places: int, *round_on: float) -> float:
    on = round_on[0] if round_on else 0.5
    val = to_float64(v)
    pow10 = math.pow(10, places)
    digit = pow10 * val
    frac = math.modf(digit)[0]
    rounded = _go_ceil(digit) if frac >= on else _go_floor(digit)
    return rounded / pow10


def _until_step(start: int, stop: int, step: int) -> list[object]:
    if stop < start:
        return list(range(start, stop, step)) if step < 0 else []
    return list(range(start, stop, step)) if step > 0 else []


@go("int")
def _until(count: int) -> list[object]:
    return _until_step(0, count, 1 if count >= 0 else -1)


@go("int", "int", "int")
def _until_step_fn(start: int, stop: int, step: int) -> list[object]:
    return _until_step(start, stop, step)


@go(variadic="int")
def _seq(*params: int) -> str:
    if len(params) == 1:
        start, end = 1, params[0]
        inc = -1 if end < start else 1
        items = _until_step(start, end + inc, inc)
    elif len(params) == 2:
        start, end = params
        inc = -1 if end < start else 1
        items = _until_step(start, end + inc, inc)
    elif len(params) == 3:
        start, step, end = params
        inc = 1
        if end < start:
            inc = -1
            if step > 0:
                return ""
        items = _until_step(start, end + inc, step)
    else:
        return ""
    return " ".join(str(i) for i in items)


def _dec(v: object) -> Decimal:
    f = to_float64(v)
    if not math.isfinite(f):
        raise FuncError(f"decimal of {f} is not supported")
    return Decimal(repr(f))


def _decimal_op(a: object, bs: tuple[object, ...], op: str) -> float:
    """shopspring/decimal arithmetic on float64s (exact, division rounded half away from zero to 16 places)."""
    with localcontext() as ctx:
        ctx.prec = 1000
        acc = _dec(a)
        for b in bs:
            d = _dec(b)
            if op == "+":
                acc += d
            elif op == "-":
                acc -= d
            elif op == "*":
                acc *= d
            else:
                if d == 0:
                    raise FuncError("decimal division by 0")
                acc = (acc / d).quantize(Decimal(1).scaleb(-16), rounding=ROUND_HALF_UP)
        return float(acc)


@go("any")
def _add1f(v: object) -> float:
    return _decimal_op(v, (1,), "+")


@go(variadic="any")
def _addf(*vs: object) -> float:
    return _decimal_op(0.0, vs, "+")


@go("any", variadic="any")
def _subf(a: object, *vs: object) -> float:
    return _decimal_op(a, vs, "-")


@go("any", variadic="any")
def _mulf(a: object, *vs: object) -> float:
    return _decimal_op(a, vs, "*")


@go("any", variadic="any")
def _divf(a: object, *vs: object) -> float:
    return _decimal_op(a, vs, "/")


LIST_FUNCS: Final[dict[str, Callable[..., object]]] = {
    "list": _list,
    "tuple": _list,
    "append": _push,
    "push": _push,
    "mustAppend": _push,
    "mustPush": _push,
    "prepend": _prepend,
    "mustPrepend": _prepend,
    "chunk": _chunk,
    "mustChunk": _chunk,
    "first": _first,
    "mustFirst": _first,
    "last": _last,
    "mustLast": _last,
    "rest": _rest,
    "mustRest": _rest,
    "initial": _initial,
    "mustInitial": _initial,
    "reverse": _reverse,
    "mustReverse": _reverse,
    "compact": _compact,
    "mustCompact": _compact,
    "uniq": _uniq,
    "mustUniq": _uniq,
    "without": _without,
    "mustWithout": _without,
    "has": _has,
    "mustHas": _has,
    "slice": _slice,
    "mustSlice": _slice,
    "concat": _concat,
    "dict": _dict,
    "get": _get,
    "set": _set,
    "unset": _unset,
    "hasKey": _has_key,
    "pluck": _pluck,
    "keys": _keys,
    "pick": _pick,
    "omit": _omit,
    "values": _values,
    "merge": _merge,
    "mustMerge": _merge,
    "mergeOverwrite": _merge_overwrite,
    "mustMergeOverwrite": _merge_overwrite,
    "deepCopy": _deep_copy,
    "mustDeepCopy": _deep_copy,
    "dig": _dig,
    "add1": _add1,
    "add": _add,
    "sub": _sub,
    "div": _div,
    "mod": _mod,
    "mul": _mul,
    "max": _max,
    "biggest": _max,
    "min": _min,
    "maxf": _maxf,
    "minf": _minf,
    "floor": _floor,
    "ceil": _ceil,
    "round": _round,
    "until": _until,
    "untilStep": _until_step_fn,
    "seq": _seq,
    "add1f": _add1f,
    "addf": _addf,
    "subf": _subf,
    "mulf": _mulf,
    "divf": _divf,
}
