"""Celestra's ``serialize(builder)`` / ``deserialize(json)``: a builder as JSON and back.

The JSON is Celestra's envelope ``{"type": "App", "name": "web", "data": {...}}``; pykro's ``data`` holds the
setter calls in the order they were made (``{"calls": [{"method": "port", "args": [8080], "kwargs": {}}]}``), so
``deserialize`` replays them and every value is checked again. Builders passed to a setter (a Secret added to an
App) are nested the same way; ``bytes`` and paths are tagged (``{"$bytes": "<base64>"}``, ``{"$path": "..."}``).
A Secret's values would be written in plain text, so serializing a Secret that holds any is refused unless the
caller asks for it with ``include_secrets=True`` (then keep the JSON as safe as the Secret itself).
"""

from __future__ import annotations

import base64
import enum
import json
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from pykro.authoring._location import fail
from pykro.authoring._refs import is_ref
from pykro.builders._base import Builder

__all__ = ["deserialize", "list_available_classes", "serialize"]

_TAGS = ("$builder", "$bytes", "$path", "$dict")


def _classes() -> dict[str, type[Builder]]:
    import pykro.builders as builders

    return {
        name: cls
        for name in builders.__all__
        if isinstance(cls := getattr(builders, name), type) and issubclass(cls, Builder)
    }


def list_available_classes() -> list[str]:
    """The builder classes serialize() and deserialize() know."""
    return sorted(_classes())


def _encode(value: Any, where: str, secrets: bool) -> Any:
    if is_ref(value):
        raise fail(
            f"serialize(): {where} is a reference to a composition's spec or status, which has no JSON form",
            "Serialize builders made with plain values.",
        )
    if isinstance(value, enum.Enum):  # CRDScope.CLUSTER -> "Cluster": the setters take the value too
        return _encode(value.value, where, secrets)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Builder):
        return {"$builder": _envelope(value, secrets)}
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode("ascii")}
    if isinstance(value, PurePath):
        return {"$path": str(value)}
    if isinstance(value, list | tuple):
        return [_encode(v, f"{where}[{i}]", secrets) for i, v in enumerate(value)]
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        encoded = {k: _encode(v, f"{where}.{k}", secrets) for k, v in value.items()}
        return {"$dict": encoded} if any(k in _TAGS for k in value) else encoded
    raise fail(
        f"serialize(): {where} is a {type(value).__name__}, which has no JSON form",
        "Pass plain values (text, numbers, lists, dicts, builders) to the builder.",
    )


def _envelope(builder: Builder, secrets: bool) -> dict[str, Any]:
    kind = type(builder).__name__
    if kind not in _classes():
        raise fail(
            f"serialize() takes a pykro builder, got {kind}", f"Pass one of {', '.join(list_available_classes())}."
        )
    if kind == "Secret" and builder._calls and not secrets:
        raise fail(
            f"serialize(): Secret {builder.name!r} holds values that the JSON would show in plain text",
            "Pass include_secrets=True to write them (and keep the JSON as safe as the Secret), or serialize "
            "without the Secret.",
        )
    calls = [
        {
            "method": method,
            "args": _encode(list(args), f"{kind}.{method}() args", secrets),
            "kwargs": _encode(kwargs, method, secrets),
        }
        for method, args, kwargs in builder._calls
    ]
    return {"type": kind, "name": builder.name, "data": {"calls": calls}}


def serialize(obj: Any, *, include_secrets: bool = False) -> str:
    """The builder as JSON (Celestra's ``{"type", "name", "data"}`` envelope; ``data.calls``: its setter calls).
    A Secret with values is refused unless ``include_secrets`` is true."""
    if not isinstance(obj, Builder):
        raise fail(f"serialize() takes a pykro builder, got {type(obj).__name__}", "Pass an App, Secret, ...")
    return json.dumps(_envelope(obj, include_secrets), indent=2)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in _TAGS:
            tag, inner = next(iter(value.items()))
            if tag == "$builder":
                return _build(inner)
            if tag == "$bytes":
                return base64.b64decode(inner)
            if tag == "$path":
                return PurePath(inner)
            return {k: _decode(v) for k, v in inner.items()}
        return {k: _decode(v) for k, v in value.items()}
    return value


def _build(data: Any) -> Builder:
    if not isinstance(data, Mapping) or not {"type", "name"} <= set(data):
        raise fail(
            "deserialize(): the JSON is not a serialized builder (no 'type' and 'name')", "Pass serialize()'s output."
        )
    classes = _classes()
    kind = data["type"]
    if kind not in classes:
        raise fail(f"deserialize(): unknown builder type {kind!r}", f"Known: {', '.join(sorted(classes))}.")
    builder = classes[kind](data["name"])
    for call in (data.get("data") or {}).get("calls", []):
        method = call.get("method") if isinstance(call, Mapping) else None
        target = getattr(builder, method, None) if isinstance(method, str) and not method.startswith("_") else None
        if target is None or not getattr(target, "__pykro_builder__", False):
            raise fail(f"deserialize(): {kind} has no setter {method!r}", "Pass serialize()'s output unchanged.")
        target(*_decode(call.get("args", [])), **_decode(call.get("kwargs", {})))
    return builder


def deserialize(json_data: str | Mapping[str, Any]) -> Builder:
    """The builder serialize() wrote (its setter calls replayed, so every value is checked again)."""
    if isinstance(json_data, str):
        try:
            json_data = json.loads(json_data)
        except json.JSONDecodeError as error:
            raise fail(f"deserialize(): the text is not JSON ({error.msg} at line {error.lineno})") from None
    return _build(json_data)
