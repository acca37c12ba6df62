"""Sprig v3's date, random, UUID and flow functions, and the functions pykro refuses.

Dates: ``now`` is a :class:`GoTime`; ``date``/``dateInZone``/``htmlDate``/``htmlDateInZone`` format with Go
layouts (``2006-01-02 15:04:05 MST``...), ``unixEpoch``, ``duration``, ``ago``. Random values come from
``secrets``. Functions that would read the hub's environment or network, or need Go-only algorithms (semver
constraints, certificate generation, bcrypt, AES, Go layout parsing) raise "not supported" (see ``REFUSED``).
"""

from __future__ import annotations

import base64
import secrets
import string
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .go_time import LayoutUnsupported, duration_string, parse_duration, parse_time
from .sig import go
from .values import I64, FuncError, go_type

__all__ = ["MISC_FUNCS", "REFUSED", "GoTime", "go_format_time"]


class GoTime:
    """A Go ``time.Time``."""

    __slots__ = ("dt",)

    def __init__(self, dt: datetime) -> None:
        self.dt = dt

    def go_string(self) -> str:
        """Go's Time.String()."""
        return go_format_time(self.dt, "2006-01-02 15:04:05.999999999 -0700 MST")


_MONTHS: Final = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December"]  # fmt: skip
_DAYS: Final = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _offset(dt: datetime, colon: bool, seconds: bool, short: bool, z: bool) -> str:
    off = dt.utcoffset()
    total = int(off.total_seconds()) if off is not None else 0
    if z and total == 0:
        return "Z"
    sign = "-" if total < 0 else "+"
    total = abs(total)
    hh, mm, ss = total // 3600, total // 60 % 60, total % 60
    if short:
        return f"{sign}{hh:02d}"
    sep = ":" if colon else ""
    text = f"{sign}{hh:02d}{sep}{mm:02d}"
    if seconds:
        text += f"{sep}{ss:02d}"
    return text


def go_format_time(dt: datetime, layout: str) -> str:
    """time.Time.Format with a Go reference layout."""
    out: list[str] = []
    i, n = 0, len(layout)
    hour12 = dt.hour % 12 or 12
    while i < n:
        rest = layout[i:]
        c = layout[i]
        if rest.startswith("January"):
            out.append(_MONTHS[dt.month - 1])
            i += 7
        elif rest.startswith("Jan"):
            out.append(_MONTHS[dt.month - 1][:3])
            i += 3
        elif rest.startswith("Monday"):
            out.append(_DAYS[dt.weekday()])
            i += 6
        elif rest.startswith("Mon"):
            out.append(_DAYS[dt.weekday()][:3])
            i += 3
        elif rest.startswith("MST"):
            name = dt.tzname() or ""
            out.append(name or _offset(dt, False, False, False, False))
            i += 3
        elif rest.startswith("2006"):
            out.append(f"{dt.year:04d}")
            i += 4
        elif rest.startswith("002"):
            out.append(f"{dt.timetuple().tm_yday:03d}")
            i += 3
        elif c == "0" and i + 1 < n and layout[i + 1] in "123456":
            d = layout[i + 1]
            value = {"1": dt.month, "2": dt.day, "3": hour12, "4": dt.minute, "5": dt.second, "6": dt.year % 100}[d]
            out.append(f"{value:02d}")
            i += 2
        elif rest.startswith("15"):
            out.append(f"{dt.hour:02d}")
            i += 2
        elif c == "1":
            out.append(str(dt.month))
            i += 1
        elif rest.startswith("__2"):
            out.append(f"{dt.timetuple().tm_yday:>3d}")
            i += 3
        elif rest.startswith("_2") and not rest.startswith("_2006"):
            out.append(f"{dt.day:>2d}")
            i += 2
        elif c == "2":
            out.append(str(dt.day))
            i += 1
        elif c == "3":
            out.append(str(hour12))
            i += 1
        elif c == "4":
            out.append(str(dt.minute))
            i += 1
        elif c == "5":
            out.append(str(dt.second))
            i += 1
        elif rest.startswith("PM"):
            out.append("PM" if dt.hour >= 12 else "AM")
            i += 2
        elif rest.startswith("pm"):
            out.append("pm" if dt.hour >= 12 else "am")
            i += 2
        elif c in "-Z" and rest[1:].startswith(("070000", "07:00:00", "0700", "07:00", "07")):
            z = c == "Z"
            for pat, colon, secs, short in (("070000", False, True, False), ("07:00:00", True, True, False),
                                            ("0700", False, False, False), ("07:00", True, False, False),
                                            ("07", False, False, True)):  # fmt: skip
                if rest[1:].startswith(pat):
                    out.append(_offset(dt, colon, secs, short, z))
                    i += 1 + len(pat)
                    break
        elif c in ".," and i + 1 < n and layout[i + 1] in "09":
            digit = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == digit:
                j += 1
            if j < n and layout[j].isdigit():
                out.append(c)
                i += 1
                continue
            width = j - i - 1
            frac = f"{dt.microsecond:06d}000"[:width]
            if digit == "9":
                frac = frac.rstrip("0")
                out.append(c + frac if frac else "")
            else:
                out.append(c + frac)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _zone(name: str) -> tzinfo | None:
    if name == "Local":
        return None
    if name in ("", "UTC"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _to_time(v: object) -> datetime:
    if isinstance(v, GoTime):
        return v.dt
    if isinstance(v, int) and not isinstance(v, bool):
        return datetime.fromtimestamp(int(v), UTC)
    return datetime.now(UTC)


def _in_zone(dt: datetime, zone: str) -> datetime:
    tz = _zone(zone)
    return dt.astimezone(tz) if tz is not None else dt.astimezone()


@go()
def _now() -> GoTime:
    return GoTime(datetime.now().astimezone())


@go("str", "any")
def _date(fmt: str, d: object) -> str:
    return go_format_time(_in_zone(_to_time(d), "Local"), fmt)


@go("str", "any", "str")
def _date_in_zone(fmt: str, d: object, zone: str) -> str:
    return go_format_time(_in_zone(_to_time(d), zone), fmt)


@go("any")
def _html_date(d: object) -> str:
    return go_format_time(_in_zone(_to_time(d), "Local"), "2006-01-02")


@go("any", "str")
def _html_date_in_zone(d: object, zone: str) -> str:
    return go_format_time(_in_zone(_to_time(d), zone), "2006-01-02")


@go("any")
def _unix_epoch(t: object) -> str:
    if not isinstance(t, GoTime):
        raise FuncError(f"wrong type for value; expected time.Time; got {go_type(t)}")
    return str(int(t.dt.timestamp() // 1))


def _duration_string(seconds: int) -> str:
    return duration_string(seconds * 1_000_000_000)


@go("any")
def _duration(sec: object) -> str:
    n = 0
    if isinstance(sec, str):
        try:
            n = int(sec, 10) if sec.lstrip("+-").isdigit() and sec.isascii() else 0
        except ValueError:
            n = 0
    elif isinstance(sec, I64):
        n = int(sec)
    return _duration_string(n)


def _zero_time() -> GoTime:
    return GoTime(datetime(1, 1, 1, tzinfo=UTC))


def _parse_date(layout: str, value: str) -> GoTime:
    try:
        return GoTime(parse_time(layout, value, None))
    except LayoutUnsupported as err:
        raise FuncError(f"toDate with {err} is not supported") from None


@go("str", "str")
def _to_date(layout: str, value: str) -> GoTime:
    try:
        return _parse_date(layout, value)
    except ValueError:
        return _zero_time()


@go("str", "str")
def _must_to_date(layout: str, value: str) -> GoTime:
    try:
        return _parse_date(layout, value)
    except ValueError as err:
        raise FuncError(f"parsing time {value!r} as {layout!r}: {err}") from None


def _time_arg(t: object) -> datetime:
    if not isinstance(t, GoTime):
        raise FuncError(f"wrong type for value; expected time.Time; got {go_type(t)}")
    return t.dt


def _add_ns(dt: datetime, ns: int) -> GoTime:
    if ns % 1000:
        raise FuncError("dateModify by less than a microsecond is not supported")
    return GoTime(dt + timedelta(microseconds=ns // 1000))


@go("str", "any")
def _date_modify(fmt: str, t: object) -> GoTime:
    dt = _time_arg(t)
    try:
        ns = parse_duration(fmt)
    except ValueError:
        return GoTime(dt)
    return _add_ns(dt, ns)


@go("str", "any")
def _must_date_modify(fmt: str, t: object) -> GoTime:
    dt = _time_arg(t)
    try:
        ns = parse_duration(fmt)
    except ValueError as err:
        raise FuncError(str(err)) from None
    return _add_ns(dt, ns)


_UNITS_ROUND: Final = [
    (3_600_000_000_000 * 24 * 365, "y"), (3_600_000_000_000 * 24 * 30, "mo"), (3_600_000_000_000 * 24, "d"),
    (3_600_000_000_000, "h"), (60_000_000_000, "m"), (1_000_000_000, "s"),
]  # fmt: skip


@go("any")
def _duration_round(d: object) -> str:
    ns = 0
    if isinstance(d, str):
        try:
            ns = parse_duration(d)
        except ValueError:
            ns = 0
    elif isinstance(d, I64):
        ns = int(d)
    elif isinstance(d, GoTime):
        ns = int((datetime.now(UTC) - d.dt).total_seconds() * 1e9)
    u = abs(ns)
    for size, unit in _UNITS_ROUND:
        if u > size:
            return f"{u // size}{unit}"
    return "0s"


@go("any")
def _ago(d: object) -> str:
    then = _to_time(d)
    return _duration_string(round((datetime.now(UTC) - then).total_seconds()))


# --- random
def _rand(count: int, alphabet: str) -> str:
    if count < 0:
        return ""
    return "".join(secrets.choice(alphabet) for _ in range(count))


@go("int")
def _rand_alpha_num(count: int) -> str:
    return _rand(count, string.ascii_letters + string.digits)


@go("int")
def _rand_alpha(count: int) -> str:
    return _rand(count, string.ascii_letters)


@go("int")
def _rand_numeric(count: int) -> str:
    return _rand(count, string.digits)


@go("int")
def _rand_ascii(count: int) -> str:
    return _rand(count, "".join(chr(c) for c in range(32, 127)))


@go("int", "int")
def _rand_int(lo: int, hi: int) -> int:
    if hi <= lo:
        raise FuncError("invalid argument to Intn")
    return lo + secrets.randbelow(hi - lo)


@go("int")
def _rand_bytes(count: int) -> str:
    return base64.b64encode(secrets.token_bytes(max(count, 0))).decode()


@go("str")
def _shuffle(s: str) -> str:
    chars = list(s)
    for i in range(len(chars) - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


@go()
def _uuidv4() -> str:
    return str(uuid.uuid4())


@go("str")
def _fail(msg: str) -> str:
    raise FuncError(msg)


@go()
def _hello() -> str:
    return "Hello!"


REFUSED: Final = {
    "env": "reads the hub process's environment",
    "expandenv": "reads the hub process's environment",
    "getHostByName": "does a DNS lookup while rendering",
    "semver": "needs Masterminds/semver's version model",
    "semverCompare": "needs Masterminds/semver's constraint rules",
    "bcrypt": "needs bcrypt",
    "htpasswd": "needs bcrypt",
    "derivePassword": "needs Sprig's scrypt-based derivation",
    "genPrivateKey": "generates keys",
    "buildCustomCert": "generates certificates",
    "genCA": "generates certificates",
    "genCAWithKey": "generates certificates",
    "genSelfSignedCert": "generates certificates",
    "genSelfSignedCertWithKey": "generates certificates",
    "genSignedCert": "generates certificates",
    "genSignedCertWithKey": "generates certificates",
    "encryptAES": "needs AES",
    "decryptAES": "needs AES",
}


def _refuse(name: str, why: str) -> Callable[..., object]:
    @go(variadic="any")
    def refused(*args: object) -> object:
        raise FuncError(f"{name} is not supported by pykro's Go template engine ({why})")

    return refused


MISC_FUNCS: Final[dict[str, Callable[..., object]]] = {
    "now": _now,
    "date": _date,
    "dateInZone": _date_in_zone,
    "date_in_zone": _date_in_zone,
    "htmlDate": _html_date,
    "htmlDateInZone": _html_date_in_zone,
    "unixEpoch": _unix_epoch,
    "duration": _duration,
    "ago": _ago,
    "toDate": _to_date,
    "mustToDate": _must_to_date,
    "dateModify": _date_modify,
    "date_modify": _date_modify,
    "mustDateModify": _must_date_modify,
    "must_date_modify": _must_date_modify,
    "durationRound": _duration_round,
    "randAlphaNum": _rand_alpha_num,
    "randAlpha": _rand_alpha,
    "randNumeric": _rand_numeric,
    "randAscii": _rand_ascii,
    "randInt": _rand_int,
    "randBytes": _rand_bytes,
    "shuffle": _shuffle,
    "uuidv4": _uuidv4,
    "fail": _fail,
    "hello": _hello,
    **{name: _refuse(name, why) for name, why in REFUSED.items()},
}
