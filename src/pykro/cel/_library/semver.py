"""Kubernetes' semver library (blang/semver v4 parsing and precedence, with the optional normalisation)."""

from __future__ import annotations

import re
from typing import Any

from pykro.cel._library import opaque
from pykro.cel._library.base import Fn, LibraryError, fn, glob, member
from pykro.cel._types import CelType

__all__ = ["FUNCTIONS", "compare", "is_semver", "normalize_and_parse", "parse", "semver"]

S, INT, BOOL, D = CelType.STRING, CelType.INT, CelType.BOOL, CelType.DYN
OPAQUE = CelType.map_of(S, D)
ALNUM = re.compile(r"[0-9A-Za-z-]+\Z")
NUM = re.compile(r"(0|[1-9][0-9]*)\Z")
UINT64_MAX = 2**64 - 1


def parse(text: str) -> dict[str, Any]:
    """blang/semver Parse: ``MAJOR.MINOR.PATCH[-pre][+build]`` without leading zeros."""
    if not text:
        raise LibraryError("Version string empty")
    core, plus, build = text.partition("+")
    core, dash, pre = core.partition("-")
    parts = core.split(".")
    if len(parts) != 3:
        raise LibraryError("No Major.Minor.Patch elements found")
    numbers = []
    for name, part in zip(("Major", "Minor", "Patch"), parts, strict=True):
        if not part.isdigit() or not part.isascii():
            raise LibraryError(f"Invalid character(s) found in {name.lower()} number {part!r}")
        if len(part) > 1 and part[0] == "0":
            raise LibraryError(f"{name} number must not contain leading zeroes {part!r}")
        if int(part) > UINT64_MAX:
            raise LibraryError(f"{name} number out of range {part!r}")
        numbers.append(int(part))
    prerelease: list[str] = []
    if dash:
        for ident in pre.split("."):
            if not ident or not ALNUM.match(ident):
                raise LibraryError(f"Invalid character(s) found in prerelease {ident!r}")
            if ident.isdigit() and not NUM.match(ident):
                raise LibraryError(f"Numeric PreRelease version must not contain leading zeroes {ident!r}")
            prerelease.append(ident)
    if plus:
        for ident in build.split("."):
            if not ident:
                raise LibraryError("Build meta data is empty")
            if not ALNUM.match(ident):
                raise LibraryError(f"Invalid character(s) found in build meta data {ident!r}")
    return opaque.make("semver", major=numbers[0], minor=numbers[1], patch=numbers[2], pre=prerelease)


def normalize_and_parse(text: str) -> dict[str, Any]:
    """Kubernetes' normalisation: drop a leading "v", leading zeros, and pad a missing minor/patch with 0."""
    text = text.removeprefix("v")
    parts = text.split(".", 2)
    for i, part in enumerate(parts):
        if len(part) > 1:
            part = part.lstrip("0")
            if not part or not part[0].isdigit():
                part = "0" + part
            parts[i] = part
    if len(parts) < 3:
        if any(c in parts[-1] for c in "+-"):
            raise LibraryError("short version cannot contain PreRelease/Build meta data")
        parts += ["0"] * (3 - len(parts))
    return parse(".".join(parts))


def semver(text: str, normalize: bool = False) -> dict[str, Any]:
    return normalize_and_parse(text) if normalize else parse(text)


def is_semver(text: str, normalize: bool = False) -> bool:
    try:
        semver(text, normalize)
    except LibraryError:
        return False
    return True


def _pre_key(ident: str) -> tuple[int, int, str]:
    return (0, int(ident), "") if ident.isdigit() else (1, 0, ident)


def compare(a: Any, b: Any, function: str = "compareTo") -> int:
    """Semver precedence: numbers, then a release above its prereleases, then prerelease identifiers."""
    x, y = opaque.unwrap(a, "semver", function), opaque.unwrap(b, "semver", function)
    for key in ("major", "minor", "patch"):
        if x[key] != y[key]:
            return 1 if x[key] > y[key] else -1
    px, py = x["pre"], y["pre"]
    if not px or not py:
        return (not px) - (not py)
    for ix, iy in zip(px, py, strict=False):
        kx, ky = _pre_key(ix), _pre_key(iy)
        if kx != ky:
            return 1 if kx > ky else -1
    return (len(px) > len(py)) - (len(px) < len(py))


FUNCTIONS: list[Fn] = [
    fn(
        "semver",
        glob("string_to_semver", (S,), OPAQUE, semver),
        glob("string_bool_to_semver", (S, BOOL), OPAQUE, semver),
    ),
    fn(
        "isSemver",
        glob("is_semver_string", (S,), BOOL, is_semver),
        glob("is_semver_string_bool", (S, BOOL), BOOL, is_semver),
    ),
    fn("major", member("semver_major", (OPAQUE,), INT, lambda v: opaque.unwrap(v, "semver", "major")["major"])),
    fn("minor", member("semver_minor", (OPAQUE,), INT, lambda v: opaque.unwrap(v, "semver", "minor")["minor"])),
    fn("patch", member("semver_patch", (OPAQUE,), INT, lambda v: opaque.unwrap(v, "semver", "patch")["patch"])),
    fn("isGreaterThan", member("semver_is_greater_than", (OPAQUE, OPAQUE), BOOL, lambda a, b: compare(a, b) > 0)),
    fn("isLessThan", member("semver_is_less_than", (OPAQUE, OPAQUE), BOOL, lambda a, b: compare(a, b) < 0)),
    fn("compareTo", member("semver_compare_to", (OPAQUE, OPAQUE), INT, compare)),
]
