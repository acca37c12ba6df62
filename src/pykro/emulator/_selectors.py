"""Label and field selectors: parsing (the apiserver's syntax) and matching."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pykro.emulator._status import StatusError

__all__ = [
    "FieldRequirement",
    "Requirement",
    "field_value",
    "fields_match",
    "labels_match",
    "parse_field_selector",
    "parse_label_selector",
    "selector_to_string",
]

_SET_RE = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(notin|in)\s*\(([^)]*)\))?\s*\Z")


@dataclass(frozen=True)
class Requirement:
    """One label requirement: op is one of = != in notin exists !exists."""

    key: str
    op: str
    values: frozenset[str] = frozenset()

    def matches(self, labels: Mapping[str, str]) -> bool:
        present = self.key in labels
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if self.op in ("=", "in"):
            return present and labels[self.key] in self.values
        return not present or labels[self.key] not in self.values  # != and notin


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return [p.strip() for p in parts if p.strip()]


def parse_label_selector(text: str | None) -> list[Requirement]:
    """Parse `a=b,c!=d,e in (f,g),!h,i` into requirements; a syntax error is a 400 BadRequest."""
    if not text:
        return []
    reqs: list[Requirement] = []
    for part in _split_top(text):
        for op in ("==", "!=", "="):
            if op in part and "(" not in part:
                key, _, value = part.partition(op)
                reqs.append(Requirement(key.strip(), "!=" if op == "!=" else "=", frozenset([value.strip()])))
                break
        else:
            m = _SET_RE.match(part)
            if not m or (m.group(1) and m.group(3)):
                raise StatusError.bad_request(f"unable to parse requirement: found '{part}', expected: in, notin, =")
            neg, key, op, values = m.groups()
            if op:
                vals = frozenset(v.strip() for v in values.split(",") if v.strip())
                reqs.append(Requirement(key, op, vals))
            else:
                reqs.append(Requirement(key, "!exists" if neg else "exists"))
    return reqs


def labels_match(reqs: list[Requirement], labels: Mapping[str, str] | None) -> bool:
    labels = labels or {}
    return all(r.matches(labels) for r in reqs)


def selector_to_string(selector: Mapping[str, Any]) -> str:
    """A LabelSelector object (matchLabels/matchExpressions) as selector text."""
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        op, key, values = expr.get("operator"), expr.get("key"), expr.get("values") or []
        if op == "In":
            parts.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


@dataclass(frozen=True)
class FieldRequirement:
    path: str
    value: str
    negate: bool


def parse_field_selector(text: str | None) -> list[FieldRequirement]:
    """Parse `metadata.name=x,status.phase!=Running`."""
    if not text:
        return []
    reqs = []
    for part in _split_top(text):
        for op in ("!=", "==", "="):
            if op in part:
                path, _, value = part.partition(op)
                reqs.append(FieldRequirement(path.strip(), value.strip(), op == "!="))
                break
        else:
            raise StatusError.bad_request(f"invalid selector: '{part}'; can't understand '{part}'")
    return reqs


def field_value(obj: Mapping[str, Any], path: str) -> str:
    cur: Any = obj
    for seg in path.split("."):
        cur = cur.get(seg) if isinstance(cur, Mapping) else None
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)


def fields_match(reqs: list[FieldRequirement], obj: Mapping[str, Any]) -> bool:
    return all((field_value(obj, r.path) == r.value) != r.negate for r in reqs)
