"""What factory keywords accept, and the few helpers that compute with them without ever reading a reference.

A keyword takes a plain value, a reference (``spec.replicas``, ``db.status.podIP``), an f-string over references
(a ``Template``) or an expression; references are left in place for the serializer. Raw Kubernetes dicts are
accepted wherever Kubernetes has an object, with references anywhere inside.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, TypeAlias

from pykro.authoring._location import fail
from pykro.authoring._refs import Ref, is_ref, node_of, type_of
from pykro.authoring._resource import ResourceRef
from pykro.cel import _ast as ast
from pykro.cel._types import CelType
from pykro.graph._naming import did_you_mean
from pykro.schema._models import camel

__all__ = [
    "Bool",
    "Int",
    "IntOrStr",
    "Labels",
    "Obj",
    "Objs",
    "Str",
    "Strs",
    "camel",
    "camelize",
    "compact",
    "concat",
    "dns_label",
    "is_resource",
    "label_selector",
    "metadata",
    "name_of",
    "namespace_of",
    "only",
    "static",
    "text",
    "texts",
]

Str: TypeAlias = str | Ref
Int: TypeAlias = int | Ref
Bool: TypeAlias = bool | Ref
IntOrStr: TypeAlias = int | str | Ref
Strs: TypeAlias = Sequence[Str] | Ref
Labels: TypeAlias = Mapping[str, str | int | float | bool | Ref] | Ref  # values become text
Obj: TypeAlias = Mapping[str, Any] | Ref
Objs: TypeAlias = Sequence[Obj] | Ref

_DNS_LABEL: Final = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")


def text(what: str, value: Any, secret: bool = False) -> Any:
    """A value Kubernetes wants as a string (env values, ConfigMap data, label values): numbers and bools become
    their text (``"8080"``, ``"true"``), also when they are references (CEL ``string(x)``).

    A float becomes its shortest exact text (``1e+20``, ``0.1``); NaN and infinities have no agreed text and are
    refused. With ``secret`` the error names the type only, never the value.
    """
    if isinstance(value, str):
        return value
    if is_ref(value):
        kind = type_of(value).kind
        if kind in ("int", "uint", "double", "bool"):
            return Ref(ast.Call("string", (node_of(value),)), CelType.STRING)
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        shown = "" if secret else f" {value!r}"
        raise fail(f"{what} is the float{shown}, which has no text form", 'write the text you mean, e.g. "inf"')
    if isinstance(value, int | float):
        return str(value)
    shown = "" if secret else f" {value!r}"
    raise fail(f"{what} must be text, got {type(value).__name__}{shown}", "convert it to a string first")


def one_of(value: Any, what: str, choices: Sequence[str]) -> Any:
    """``value`` if it is one of ``choices`` (or a reference or None); the API server refuses any other."""
    if isinstance(value, str) and value not in choices:
        raise fail(
            f"{what} {value!r} is not one of {', '.join(choices)}", f"Use one of them.{did_you_mean(value, choices)}"
        )
    return value


def check_size(value: Any, what: str) -> Any:
    """``value``, a memory or storage size; a plain number is refused (Kubernetes reads ``"20"`` as 20 bytes)."""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        plain = str(value)
        if re.fullmatch(r"\+?[0-9.]+", plain) and plain.strip("+0.") != "":
            raise fail(
                f"{what} {plain!r} has no unit, so Kubernetes reads it as {plain} bytes",
                f"Write it with a unit, e.g. '{plain}Gi' or '{plain}Mi'.",
            )
    return value


def text_keys(what: str, keys: Iterable[Any]) -> None:
    """Refuse map keys that are not strings: ``{1: "a", "1": "b"}`` would collapse into one key."""
    for key in keys:
        if not isinstance(key, str):
            raise fail(
                f"{what} has the non-string key {key!r} ({type(key).__name__})", f'write it as a string: "{key}"'
            )


def texts(what: str, values: Any, secret: bool = False) -> Any:
    """A string map (labels, annotations, data) with :func:`text` values; a reference to a whole map stays."""
    if values is None or is_ref(values):
        return values
    text_keys(what, values)
    return {key: text(f"{what} {key!r}", value, secret) for key, value in values.items()}


def static(value: Any) -> bool:
    """True for a value known now (not a reference, template or expression)."""
    return not is_ref(value)


def dns_label(value: Any) -> bool:
    """True for a static string that is a valid DNS-1123 label (container, port and volume names)."""
    return isinstance(value, str) and bool(_DNS_LABEL.fullmatch(value))


def camelize(value: Any) -> Any:
    """A dict with its top-level keys in Kubernetes spelling (``target_port`` -> ``targetPort``); others as they are.

    Only for objects whose keys are all Kubernetes field names (ports, rules, subjects), never for user data. The
    same field in both spellings (``target_port`` and ``targetPort``) is an error.
    """
    if not isinstance(value, Mapping):
        return value
    out: dict[Any, Any] = {}
    spelled: dict[Any, Any] = {}
    for key, item in value.items():
        name = camel(key) if isinstance(key, str) else key
        if name in out:
            raise fail(f"{spelled[name]!r} and {key!r} are the same field {name}", "give it once")
        out[name], spelled[name] = item, key
    return out


def only(what: str, entry: Mapping[str, Any], known: Sequence[str]) -> None:
    """Refuse keys of a shortcut dict (keys already camelCase) other than ``known`` (camelCase field names)."""
    for key in entry:
        if key not in known:
            spellings = [*known, *(re.sub(r"([A-Z])", lambda m: "_" + m[1].lower(), k) for k in known)]
            hint = did_you_mean(str(key), spellings).strip()
            listed = ", ".join(known)
            raise fail(f"{what} has the unknown key {key!r}", f"{hint} Known keys: {listed}.".strip())


def concat(given: Any, extra: list[Any]) -> Any:
    """``given`` (a list, a list reference, or None) followed by ``extra``; for a reference, a CEL ``+``."""
    if not extra:
        return given
    if given is None:
        return extra
    if is_ref(given):
        return given + extra
    return [*given, *extra]


def compact(**fields: Any) -> dict[str, Any]:
    """The keyword arguments that are not None, as a dict of Kubernetes fields (keys already camelCase)."""
    return {key: value for key, value in fields.items() if value is not None}


def is_resource(value: Any) -> bool:
    """True for what a factory or ``resource()`` returns (a ResourceRef, carrying its object in ``obj``)."""
    return isinstance(value, ResourceRef)


def name_of(value: Any) -> Any:
    """A name given as itself or as a resource: a resource's static name, else a reference to its name."""
    if not is_resource(value):
        return value
    name = (value.obj.get("metadata") or {}).get("name")
    return name if isinstance(name, str) else value.metadata.name


def namespace_of(value: Any) -> Any:
    """A resource's static namespace, else a reference to it (kro fills the instance namespace in)."""
    namespace = (value.obj.get("metadata") or {}).get("namespace")
    return namespace if isinstance(namespace, str) else value.metadata.namespace


def label_selector(selector: Any) -> Any:
    """A LabelSelector from labels (``{"app": "web"}``) or a full selector (``matchLabels``/``matchExpressions``)."""
    if selector is None or is_ref(selector):
        return None if selector is None else {"matchLabels": selector}
    if "matchLabels" in selector or "matchExpressions" in selector:
        return dict(selector)
    return {"matchLabels": dict(selector)}


def metadata(name: Any, namespace: Any = None, labels: Any = None, annotations: Any = None) -> dict[str, Any]:
    """``metadata`` with only what was given (labels and annotations may be references or hold them)."""
    return compact(
        name=name,
        namespace=namespace,
        labels=texts("label", labels) or None if not is_ref(labels) else labels,
        annotations=texts("annotation", annotations) or None if not is_ref(annotations) else annotations,
    )
