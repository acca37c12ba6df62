"""``--set a.b=v``: one assignment applied to a spec's values, typed by the spec's schema."""

from __future__ import annotations

import json
import re
from typing import Any

import pydantic

from pykro import _yamlio as yamlio
from pykro.errors import ValidationError
from pykro.runtime._values import (
    _DOT,
    _NULLS,
    Schema,
    _python_names,
    _settled,
    _untyped,
    check_part,
    normalize,
    unknown_field,
)
from pykro.schema._ints import INT_BOUNDS

__all__ = ["set_value"]


def set_value(
    values: dict[str, Any],
    assignment: str,
    schema: Schema | None = None,
    model: type[pydantic.BaseModel] | None = None,
) -> None:
    """Apply one ``--set a.b=v`` (``\\.`` for a dot inside a key). With a schema, the path must name fields (Python
    or CRD names), a string field keeps ``v`` as written, other fields take ``v`` as YAML that must fit their type,
    and ``null`` removes the field (an error for a required one). Without a schema, ``v`` is YAML."""
    key, sep, raw = assignment.partition("=")
    where = f"--set {assignment}"
    if not sep or not key:
        raise ValidationError(f"{assignment!r} is not KEY=VALUE", where="--set", fix="E.g. --set replicas=3.")
    path = [part.replace("\\.", ".") for part in _DOT.split(key)]
    if any(not part for part in path):
        raise ValidationError(f"--set {key!r} has an empty field name", where=where, fix="E.g. --set db.size=10.")
    target = values
    node: Any = schema
    required = False
    for depth, part in enumerate(path):
        last = depth == len(path) - 1
        dotted = ".".join(path[: depth + 1])
        if node is not None:
            part, node, model, required = _step(node, model, part, dotted, where)
            path[depth] = part
        if last:
            break
        if node is not None and node.get("type") == "array":
            raise _into_list(dotted, where)
        if target.get(part) is None:  # absent, or null in a values file
            target[part] = {}
        target = target[part]
        if not isinstance(target, dict):
            raise ValidationError(
                f"{'.'.join(path[: depth + 1])} is not a mapping (it is {json.dumps(target, default=str)[:40]})",
                where=where,
                fix="Set a field of a mapping.",
            )
    value = _typed(raw, node, ".".join(path), where)
    if value is None and node is not None:
        if required:
            raise ValidationError(f"{'.'.join(path)} is required and cannot be null", where=where, fix="Give a value.")
        target.pop(path[-1], None)  # null unsets an optional field: its default applies, as with kubectl and helm
        return
    if node is not None:
        value = normalize(node, value, model=model, where=where, path=".".join(path))
        check_part(node, value, where, "spec." + ".".join(path))
    target[path[-1]] = value


def _step(
    node: Schema, model: type[pydantic.BaseModel] | None, part: str, dotted: str, where: str
) -> tuple[str, Schema | None, type[pydantic.BaseModel] | None, bool]:
    """One path segment of --set: (CRD name, its schema, the model behind it, whether it is required)."""
    props = node.get("properties")
    if props is not None or (node.get("type") == "object" and not node.get("additionalProperties")):
        props = props or {}
        names = _python_names(model)
        name = part if part in props else names.get(part, (part, None))[0]
        if name in props:
            return name, props[name], names.get(name, (name, None))[1], name in (node.get("required") or ())
        if node.get("x-kubernetes-preserve-unknown-fields"):
            return part, None, None, False
        indexed = re.fullmatch(r"(.+)\[[^\]]*\]", part)  # helm's list[0]=v
        if indexed and (props.get(names.get(indexed[1], (indexed[1], None))[0]) or {}).get("type") == "array":
            raise _into_list(dotted.removesuffix(part) + indexed[1], where)
        raise unknown_field(dotted, part, props, names, where)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        return part, extra, model, False
    return part, None, None, False


def _into_list(dotted: str, where: str) -> ValidationError:
    return ValidationError(
        f"{dotted} is a list; --set cannot reach into it",
        where=where,
        fix=f"Set the whole list as YAML, e.g. --set '{dotted}=[...]', or use -f values.yaml.",
    )


def _typed(raw: str, node: Schema | None, dotted: str, where: str) -> Any:
    """The value of ``--set dotted=raw`` for a field with schema ``node`` (None: unknown, plain YAML)."""
    if node is not None and node.get("type") == "string" and not node.get("x-kubernetes-int-or-string"):
        return None if raw in _NULLS else raw
    if node is not None and node.get("x-kubernetes-int-or-string"):
        return int(raw) if re.fullmatch(r"-?[1-9][0-9]*|0", raw) else None if raw in _NULLS else raw
    if not raw:
        value: Any = ""
    else:
        try:
            value = yamlio.load_values(raw, where)
        except ValidationError as exc:
            if " does not fit in 64 bits " in exc.what:
                low, high = INT_BOUNDS["int64"]
                number = exc.what.split(" does not fit", 1)[0]
                raise ValidationError(
                    f"the value of {dotted} holds {number}, which does not fit in a 64-bit integer ({low} to {high})",
                    where=where,
                    fix="Use a number in that range"
                    + (" (or quote it to give text: --set 'key=\"123\"')." if node is None else "."),
                ) from None
            raise ValidationError(
                f"the value of {dotted} is not valid YAML ({exc.what.removeprefix('invalid YAML: ')})",
                where=where,
                fix="Check its brackets and quotes, and quote the whole option for the shell: --set 'key=value'.",
            ) from None
    if node is None or value is None:
        return _untyped(value, dotted, where)
    value = _settled(node, value, dotted, where)  # inside lists and maps: normalize() settles them
    expected = node.get("type")
    ok = {
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        "array": isinstance(value, list),
        "object": isinstance(value, dict),
    }.get(str(expected), True)
    if not ok:
        article = "an" if str(expected)[:1] in "aeiou" else "a"
        example = {"array": "[a, b]", "object": "{key: value}"}.get(str(expected))
        fix = f"Write it as YAML: --set '{dotted}={example}'." if example else f"Give {article} {expected}."
        raise ValidationError(f"{dotted} takes {article} {expected}, not {raw!r}", where=where, fix=fix)
    return value
