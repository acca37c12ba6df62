"""The JSONPath of a form's ``ignore_fields`` (Lynq's ``ignoreFields``) and keeping those fields from the live
object.

Paths start with ``$`` and go down by ``.name``, ``['key']`` (or ``["key"]``: keys with dots or slashes), ``[n]``
and ``[*]`` / ``.*`` (every element or key). Filters, slices and recursive descent (``..``) are refused with the
path named. Keeping follows Lynq: when the object does not exist yet it is created with every field; afterwards
each ignored location takes the live object's value (absent in the live object: dropped from what is applied), so
whatever changed it there (an HPA, a person) keeps it. Locations that do not exist, are out of range or have
another type are skipped silently."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pykro.errors import PykroError

__all__ = ["keep_live", "parse"]

WILDCARD: Final = object()
Segment = str | int | object
_TOKEN = re.compile(
    r"""\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)|\.\*(?P<dotstar>)|\[(?:(?P<index>\d+)|(?P<star>\*)|'(?P<sq>(?:[^'\\]|\\.)*)'|"(?P<dq>(?:[^"\\]|\\.)*)")\]"""
)


def parse(path: str, where: str) -> tuple[Segment, ...]:
    """The segments of ``path``; a PykroError naming ``where`` and the path when it is not a supported JSONPath."""
    if not isinstance(path, str) or not path.startswith("$"):
        raise PykroError(
            f"ignore_fields path {path!r} is not a JSONPath (it must start with $)",
            where=where,
            fix="Write e.g. $.spec.replicas or $.metadata.annotations['app.kubernetes.io/version'].",
        )
    segments: list[Segment] = []
    at = 1
    while at < len(path):
        found = _TOKEN.match(path, at)
        if found is None:
            raise PykroError(
                f"ignore_fields path {path!r} cannot be read at character {at + 1} ({path[at:]!r})",
                where=where,
                fix="Use .name, ['key'], [0] and [*] steps only (no filters, slices or ..).",
            )
        if found.group("name") is not None:
            segments.append(found.group("name"))
        elif found.group("index") is not None:
            segments.append(int(found.group("index")))
        elif found.group("star") is not None or found.group("dotstar") is not None:
            segments.append(WILDCARD)
        else:
            quoted = found.group("sq") if found.group("sq") is not None else found.group("dq")
            segments.append(re.sub(r"\\(.)", r"\1", quoted))
        at = found.end()
    if not segments:
        raise PykroError(f"ignore_fields path {path!r} names the whole object", where=where, fix="Name a field.")
    return tuple(segments)


_MISSING: Final = object()


def _get(container: Any, key: Any) -> Any:
    if isinstance(container, dict) and isinstance(key, str):
        return container.get(key, _MISSING)
    if isinstance(container, list) and isinstance(key, int) and not isinstance(key, bool):
        return container[key] if key < len(container) else _MISSING
    return _MISSING


def _keys(desired: Any, live: Any) -> list[Any]:
    out: list[Any] = []
    for c in (live, desired):
        if isinstance(c, dict):
            out += [k for k in c if k not in out]
        elif isinstance(c, list):
            out += [i for i in range(len(c)) if i not in out]
    return out


def _keep(desired: Any, live: Any, segments: Sequence[Segment]) -> None:
    head, rest = segments[0], segments[1:]
    for key in _keys(desired, live) if head is WILDCARD else [head]:
        have, want = _get(live, key), _get(desired, key)
        if rest:
            if want is _MISSING and isinstance(have, dict) and isinstance(desired, dict) and isinstance(key, str):
                desired[key] = want = {}
            if want is not _MISSING:
                _keep(want, have, rest)
        elif have is _MISSING:
            if isinstance(desired, dict) and isinstance(key, str):
                desired.pop(key, None)
        else:
            _put(desired, key, copy.deepcopy(have))


def _put(container: Any, key: Any, value: Any) -> None:
    """``container[key] = value`` where that location can hold it (a list is never extended)."""
    fits = isinstance(container, dict) and isinstance(key, str)
    fits = fits or (isinstance(container, list) and isinstance(key, int) and key < len(container))
    if fits:
        container[key] = value


def keep_live(desired: dict[str, Any], live: Mapping[str, Any], paths: Sequence[tuple[Segment, ...]]) -> dict[str, Any]:
    """``desired`` (a copy) with each location of ``paths`` taken from ``live`` (see the module docstring)."""
    out = copy.deepcopy(desired)
    for segments in paths:
        _keep(out, live, segments)
    return out
