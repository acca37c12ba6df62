"""The string formats a CRD schema may declare, checked the way the apiserver checks them.

Formats the apiserver does not support are stripped from CRD schemas before validation, so they pass here too.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable
from datetime import date, datetime
from email.utils import parseaddr
from typing import Final
from urllib.parse import urlsplit

from pykro._kube import DNS1123_LABEL

__all__ = ["check_format"]

_HOSTNAME: Final = re.compile(
    r"^([a-zA-Z0-9\w]((-?[a-zA-Z0-9\w]{0,62})?)|([a-zA-Z0-9\w](([a-zA-Z0-9\-\w]{0,61}[a-zA-Z0-9\w])?)(\.)){1,}"
    r"([a-zA-Z]|[^\W\d_]){2,63})\Z"
)
_UUID: Final = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\Z", re.I)
_UUID3: Final = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}\Z", re.I)
_UUID4: Final = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}\Z", re.I)
_UUID5: Final = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}\Z", re.I)
_MAC: Final = re.compile(r"^([0-9a-fA-F]{2}[:-]){5,19}[0-9a-fA-F]{2}\Z|^([0-9a-fA-F]{4}\.){2,9}[0-9a-fA-F]{4}\Z")
_SSN: Final = re.compile(r"^\d{3}[- ]?\d{2}[- ]?\d{4}\Z")
_HEXCOLOR: Final = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})\Z")
_RGBCOLOR: Final = re.compile(
    r"^rgb\(\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*,"
    r"\s*(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])\s*\)$"
)
_BSON: Final = re.compile(r"^[0-9a-fA-F]{24}\Z")
_DURATION: Final = re.compile(
    r"^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$|^[-+]?0$"
    r"|^\d+\s*(?:ns|nano|nanos|nanosecond|nanoseconds|us|micro|micros|microsecond|microseconds|ms|milli|millis|"
    r"millisecond|milliseconds|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hour|hours|d|day|days|"
    r"w|wk|week|weeks)$"
)
_DATETIME_LOCAL: Final = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\Z")


def _ip(version: int) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            return ipaddress.ip_address(value).version == version
        except ValueError:
            return False

    return check


def _cidr(value: str) -> bool:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return "/" in value


def _uri(value: str) -> bool:
    if not value or value.startswith("#"):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme) or value.startswith("/")


def _email(value: str) -> bool:
    _, address = parseaddr(value)
    return "@" in address and not address.startswith("@") and not address.endswith("@")


def _hostname(value: str) -> bool:
    return bool(_HOSTNAME.match(value)) and len(value) <= 255 and all(len(p) <= 63 for p in value.split("."))


def _byte(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _datetime(value: str) -> bool:
    if _DATETIME_LOCAL.match(value):
        return True
    candidate = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
    if "T" not in candidate.upper() or len(value) < 20:
        return False
    try:
        datetime.fromisoformat(candidate)
    except ValueError:
        return False
    return True


def _isbn10(value: str) -> bool:
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{9}[\dX]", digits):
        return False
    total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(digits))
    return total % 11 == 0


def _isbn13(value: str) -> bool:
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{13}", digits):
        return False
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def _creditcard(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    if not re.fullmatch(
        r"4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}"
        r"|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}",
        digits,
    ):
        return False
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _long_name(value: str) -> bool:
    return len(value) <= 253 and all(DNS1123_LABEL.match(part) for part in value.split("."))


CHECKS: Final[dict[str, Callable[[str], bool]]] = {
    "bsonobjectid": lambda v: bool(_BSON.match(v)),
    "uri": _uri,
    "email": _email,
    "hostname": _hostname,
    "ipv4": _ip(4),
    "ipv6": _ip(6),
    "cidr": _cidr,
    "mac": lambda v: bool(_MAC.match(v)),
    "uuid": lambda v: bool(_UUID.match(v)),
    "uuid3": lambda v: bool(_UUID3.match(v)),
    "uuid4": lambda v: bool(_UUID4.match(v)),
    "uuid5": lambda v: bool(_UUID5.match(v)),
    "isbn": lambda v: _isbn10(v) or _isbn13(v),
    "isbn10": _isbn10,
    "isbn13": _isbn13,
    "creditcard": _creditcard,
    "ssn": lambda v: bool(_SSN.match(v)),
    "hexcolor": lambda v: bool(_HEXCOLOR.match(v)),
    "rgbcolor": lambda v: bool(_RGBCOLOR.match(v)),
    "byte": _byte,
    "password": lambda v: True,
    "date": _date,
    "duration": lambda v: bool(_DURATION.match(v)),
    "datetime": _datetime,
    "k8sshortname": lambda v: len(v) <= 63 and bool(DNS1123_LABEL.match(v)),
    "k8slongname": _long_name,
}


def check_format(fmt: str, value: str) -> bool:
    """True when ``value`` satisfies ``fmt`` (unsupported formats always pass, as in the apiserver)."""
    check = CHECKS.get(fmt.replace("-", "").lower() if fmt.startswith("k8s") else fmt.replace("-", ""))
    return True if check is None else check(value)
