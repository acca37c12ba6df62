"""Go's time parsing for Sprig's date functions: ``time.ParseDuration``, ``Duration.String`` and
``time.ParseInLocation`` with the numeric and English-name elements of Go layouts (``2006 06 01 1 Jan January 02
2 _2 15 03 3 04 4 05 5 .000 .999 PM pm Mon Monday -0700 -07:00 -07 Z0700 Z07:00``). A layout using ``MST``
(zone abbreviations, which Go resolves against the local zone database) is refused."""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Final

__all__ = ["LayoutUnsupported", "duration_string", "parse_duration", "parse_time"]

_UNITS: Final = {
    "ns": 1, "us": 1_000, "\u00b5s": 1_000, "\u03bcs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
    "m": 60_000_000_000, "h": 3_600_000_000_000,
}  # fmt: skip
_PART: Final = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]+)")
_MAX: Final = 2**63 - 1


def parse_duration(s: str) -> int:
    """time.ParseDuration in nanoseconds; raises ValueError."""
    orig = s
    neg = s[:1] == "-"
    if s[:1] in "+-" and s:
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f'time: invalid duration "{orig}"')
    total = 0
    while s:
        m = _PART.match(s)
        if not m or (not m.group(1) and not m.group(2)):
            raise ValueError(f'time: invalid duration "{orig}"')
        unit_text = m.group(3)
        unit_len = 0
        while unit_len < len(unit_text) and unit_text[unit_len] not in "0123456789.":
            unit_len += 1
        unit = _UNITS.get(unit_text)
        if unit is None:
            raise ValueError(f'time: unknown unit "{unit_text}" in duration "{orig}"')
        whole = int(m.group(1) or "0")
        frac = m.group(2) or ""
        value = whole * unit
        if frac:
            value += int(float(int(frac)) * (unit / 10 ** len(frac)))
        total += value
        if total > _MAX + (1 if neg else 0):
            raise ValueError(f'time: invalid duration "{orig}"')
        s = s[m.end() :]
    return -total if neg else total


def _fmt_frac(v: int, prec: int) -> tuple[str, int]:
    digits = []
    printed = False
    for _ in range(prec):
        digit = v % 10
        printed = printed or digit != 0
        if printed:
            digits.append(str(digit))
        v //= 10
    text = "".join(reversed(digits))
    return ("." + text if text else ""), v


def duration_string(ns: int) -> str:
    """time.Duration.String."""
    if ns == 0:
        return "0s"
    neg = ns < 0
    u = -ns if neg else ns
    if u < 1_000_000_000:
        if u < 1_000:
            text = f"{u}ns"
        elif u < 1_000_000:
            frac, whole = _fmt_frac(u, 3)
            text = f"{whole}{frac}\u00b5s"
        else:
            frac, whole = _fmt_frac(u, 6)
            text = f"{whole}{frac}ms"
    else:
        frac, secs = _fmt_frac(u, 9)
        text = f"{secs % 60}{frac}s"
        mins = secs // 60
        if mins:
            text = f"{mins % 60}m{text}"
            hours = mins // 60
            if hours:
                text = f"{hours}h{text}"
    return ("-" if neg else "") + text


_MONTHS: Final = list(calendar.month_name)[1:]
_DAYS: Final = list(calendar.day_name)


class LayoutUnsupported(ValueError):
    pass


def _num(value: str, fixed: int | None) -> tuple[int, str]:
    """Go's getnum: exactly ``fixed`` digits, or one or two."""
    if fixed is not None:
        if len(value) < fixed or not value[:fixed].isdigit() or not value[:fixed].isascii():
            raise ValueError("bad number")
        return int(value[:fixed]), value[fixed:]
    if not value[:1].isdigit() or not value[:1].isascii():
        raise ValueError("bad number")
    n = 2 if value[1:2].isdigit() and value[1:2].isascii() else 1
    return int(value[:n]), value[n:]


def _name(value: str, names: list[str]) -> tuple[int, str]:
    for i, name in enumerate(names):
        if value[: len(name)].lower() == name.lower():
            return i, value[len(name) :]
    raise ValueError("bad name")


def parse_time(layout: str, value: str, local: tzinfo | None) -> datetime:
    """time.ParseInLocation(layout, value, Local); raises ValueError (LayoutUnsupported for MST)."""
    year, month, day, hour, minute, second, micro = 0, 1, 1, 0, 0, 0, 0
    pm: bool | None = None
    offset: int | None = None
    i = 0
    while i < len(layout):
        rest = layout[i:]
        if rest.startswith("MST"):
            raise LayoutUnsupported("zone abbreviations (MST) in toDate layouts")
        step = 1
        if rest.startswith("January"):
            idx, value = _name(value, _MONTHS)
            month, step = idx + 1, 7
        elif rest.startswith("Jan"):
            idx, value = _name(value, [m[:3] for m in _MONTHS])
            month, step = idx + 1, 3
        elif rest.startswith("Monday"):
            value, step = _name(value, _DAYS)[1], 6
        elif rest.startswith("Mon"):
            value, step = _name(value, [d[:3] for d in _DAYS])[1], 3
        elif rest.startswith("2006"):
            year, value = _num(value, 4)
            step = 4
        elif rest.startswith(("01", "02", "03", "04", "05", "06")) or rest.startswith("15"):
            key = rest[:2]
            n, value = _num(value, 2 if key != "15" else None)
            if key == "01":
                month = n
            elif key == "02":
                day = n
            elif key in ("03", "15"):
                hour = n
            elif key == "04":
                minute = n
            elif key == "05":
                second = n
            else:
                year = n + (1900 if n >= 69 else 2000)
            step = 2
        elif rest.startswith("_2") and not rest.startswith("_2006"):
            if value[:1] == " ":
                value = value[1:]
            day, value = _num(value, None)
            step = 2
        elif rest[0] in "12345":
            n, value = _num(value, None)
            if rest[0] == "1":
                month = n
            elif rest[0] == "2":
                day = n
            elif rest[0] == "3":
                hour = n
            elif rest[0] == "4":
                minute = n
            else:
                second = n
        elif rest.startswith(("PM", "pm")):
            word = value[:2]
            if word not in (("AM", "PM") if rest[0] == "P" else ("am", "pm")):
                raise ValueError("bad AM/PM")
            pm, value, step = word.upper() == "PM", value[2:], 2
        elif rest[0] in "-Z" and re.match(r"[-Z](070000|07:00:00|0700|07:00|07)", rest):
            pat = re.match(r"[-Z](070000|07:00:00|0700|07:00|07)", rest)
            assert pat is not None
            step = pat.end()
            if rest[0] == "Z" and value[:1] == "Z":
                offset, value = 0, value[1:]
            else:
                shape = pat.group(1).replace("0", "9").replace("7", "9")
                rx = "[+-]" + re.escape(shape).replace("9", "[0-9]")
                m = re.match(rx, value)
                if not m:
                    raise ValueError("bad zone")
                digits = re.sub(r"[^0-9]", "", m.group(0))
                hh, mm, ss = int(digits[0:2]), int(digits[2:4] or 0), int(digits[4:6] or 0)
                offset = (hh * 3600 + mm * 60 + ss) * (-1 if m.group(0)[0] == "-" else 1)
                value = value[m.end() :]
        elif rest[0] in ".," and re.match(r"[.,](0+|9+)(?![0-9])", rest):
            pat = re.match(r"[.,](0+|9+)", rest)
            assert pat is not None
            step = pat.end()
            width = len(pat.group(1))
            m = (
                re.match(r"[.,]([0-9]+)", value)
                if pat.group(1)[0] == "9"
                else re.match(r"[.,]([0-9]{" + str(width) + "})", value)
            )
            if pat.group(1)[0] == "9" and not m:
                pass
            elif not m:
                raise ValueError("bad fraction")
            else:
                micro = int((m.group(1) + "000000")[:6])
                if len(m.group(1)) > 6 and m.group(1)[6:].strip("0"):
                    raise LayoutUnsupported("fractions below a microsecond")
                value = value[m.end() :]
        else:
            if not value.startswith(rest[0]):
                raise ValueError("literal mismatch")
            value = value[1:]
        # seconds without a fraction in the layout still accept one in the value
        frac_next = re.match(r"[.,](0+|9+)(?![0-9])", layout[i + step :])
        if layout[i : i + step] in ("05", "5") and value[:1] in ".," and value[1:2].isdigit() and not frac_next:
            m = re.match(r"[.,]([0-9]+)", value)
            assert m is not None
            micro = int((m.group(1) + "000000")[:6])
            value = value[m.end() :]
        i += step
    if value:
        raise ValueError("extra text")
    if year == 0:
        raise LayoutUnsupported("a date in year 0 (no year in the layout)")
    if pm is not None:
        if hour > 12:
            raise ValueError("hour out of range")
        hour = hour % 12 + (12 if pm else 0)
    if not (1 <= month <= 12 and 0 <= hour < 24 and minute < 60 and second < 60):
        raise ValueError("out of range")
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise ValueError("day out of range")
    if offset is not None:
        tz: tzinfo = timezone(timedelta(seconds=offset))
        dt = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
        if local is None:
            here = dt.astimezone()
            if here.utcoffset() == timedelta(seconds=offset):
                return here
        raise LayoutUnsupported("an offset in toDate that differs from the local zone")
    naive = datetime(year, month, day, hour, minute, second, micro)
    return naive.astimezone() if local is None else naive.replace(tzinfo=local)
