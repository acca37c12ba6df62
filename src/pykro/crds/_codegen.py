"""``pykro types``: a Python module of typed resource classes for the kinds of some CRDs.

For each kind the module holds:

* ``<Kind>Spec`` and nested ``TypedDict``s (every key optional, names exactly as in the CRD) for what the class
  accepts — ``spec=`` or the same fields as keywords — where each value may also be a reference;
* ``<Kind>SpecRef`` / ``<Kind>StatusRef`` and nested classes, seen only by type checkers, that list the fields a
  reference can reach (``db.status.readyInstances``) so that editors complete them;
* the class itself, a :class:`~pykro.crds.CustomResource` built from the CRD, embedded in the module (descriptions
  removed), so the module needs nothing else at run time.

Objects nested deeper than :data:`MAX_DEPTH` levels are typed as plain mappings (their fields are still checked
against the schema when the graph is built).
"""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pykro.crds._definition import Definition

__all__ = ["MAX_DEPTH", "generate", "strip_descriptions"]

MAX_DEPTH: Final = 8
_RESERVED_KEYWORDS: Final = {"name", "spec", "namespace", "labels", "annotations", "id", "ready_when", "self"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def strip_descriptions(value: Any) -> Any:
    """``value`` without ``description`` keys (they make up most of a CRD and are not needed to type it)."""
    if isinstance(value, Mapping):
        return {k: strip_descriptions(v) for k, v in value.items() if k != "description"}
    if isinstance(value, list):
        return [strip_descriptions(v) for v in value]
    return value


def _pascal(text: str) -> str:
    parts = re.split(r"[^A-Za-z0-9]+", text)
    return "".join(p[:1].upper() + p[1:] for p in parts if p) or "Field"


def _props(schema: Any) -> Mapping[str, Any]:
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    return props if isinstance(props, Mapping) else {}


def _attribute(name: str) -> bool:
    return bool(_IDENTIFIER.match(name)) and not keyword.iskeyword(name)


@dataclass
class _Module:
    names: set[str] = field(default_factory=set)
    dicts: list[str] = field(default_factory=list)  # TypedDict definitions, children first
    refs: list[str] = field(default_factory=list)  # reference classes (TYPE_CHECKING only), children first

    def name(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self.names:
            name, n = f"{wanted}{n}", n + 1
        self.names.add(name)
        return name

    # -------------------------------------------------------------------- values (what the class accepts)
    def value(self, schema: Any, path: str, depth: int) -> str:
        if not isinstance(schema, Mapping):
            return "Any"
        if schema.get("x-kubernetes-preserve-unknown-fields") and not _props(schema):
            return "Any"
        if schema.get("x-kubernetes-int-or-string"):
            return "int | str | Ref"
        kind = schema.get("type")
        enum = schema.get("enum")
        if kind == "string" and isinstance(enum, list) and enum and all(isinstance(e, str) for e in enum):
            return f"Literal[{', '.join(json.dumps(e) for e in enum)}] | Ref"
        scalar = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}.get(str(kind))
        if scalar is not None:
            return f"{scalar} | Ref"
        if kind == "array":
            return f"Sequence[{self.value(schema.get('items'), path + 'Item', depth + 1)}] | Ref"
        if _props(schema):
            if depth >= MAX_DEPTH:
                return "Mapping[str, Any] | Ref"
            return f"{self.typed_dict(schema, path, depth)} | Ref"
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            return f"Mapping[str, {self.value(extra, path + 'Value', depth + 1)}] | Ref"
        return "Any"

    def typed_dict(self, schema: Mapping[str, Any], path: str, depth: int) -> str:
        name = self.name(path)
        fields = [f"{json.dumps(k)}: {self.value(v, path + _pascal(k), depth + 1)}" for k, v in _props(schema).items()]
        body = ", ".join(fields)
        self.dicts.append(f'{name} = TypedDict("{name}", {{{body}}}, total=False)')
        return name

    # -------------------------------------------------------------------- references (what a reference reaches)
    def ref(self, schema: Any, path: str, depth: int) -> str:
        props = _props(schema)
        if not props or depth >= MAX_DEPTH:
            return "Ref"
        name = self.name(path + "Ref")
        lines = [f"    class {name}(Ref):"]
        for key, sub in props.items():
            if _attribute(key):
                lines.append(f"        {key}: {self.ref(sub, path + _pascal(key), depth + 1)}")
        if len(lines) == 1:
            lines.append("        pass")
        self.refs.append("\n".join(lines))
        return name


def _kind(module: _Module, definition: Definition, index: int, stub: bool) -> tuple[str, str, str]:
    """The CRD constant, the class and the class's name (the kind, unless the module already uses that name)."""
    kind = definition.kind
    class_name = module.name(kind)
    root = definition.schema
    spec_schema = _props(root).get("spec")
    spec_type = "Mapping[str, Any]"
    keywords = "**fields: Any"
    if isinstance(spec_schema, Mapping) and _props(spec_schema):
        spec_type = module.typed_dict(spec_schema, f"{kind}Spec", 1)
        keys = list(_props(spec_schema))
        if all(_attribute(k) and k not in _RESERVED_KEYWORDS for k in keys):
            keywords = f"**fields: Unpack[{spec_type}]"
    attributes = []
    for part in ("spec", "status"):
        sub = _props(root).get(part)
        if isinstance(sub, Mapping):
            attributes.append(f"        {part}: {module.ref(sub, kind + _pascal(part), 1)}")
    crd = json.dumps(strip_descriptions(definition.crd), separators=(",", ":"), sort_keys=True)
    constant = f"_CRD_{index} = json.loads({crd!r})"
    namespace = "        namespace: str | Ref | None = None,\n" if definition.namespaced else ""
    scope = "" if definition.namespaced else " It is cluster-scoped (no namespace)."
    base = "CustomResource" if stub else f"CustomResource, crd=_CRD_{index}, source={json.dumps(definition.source)}"
    text = f'''class {class_name}({base}):
    """{kind} ({definition.api_version}).{scope}"""

    __slots__ = ()

    if TYPE_CHECKING:
        metadata: Ref
{chr(10).join(attributes)}

        def __init__(
            self,
            name: str | Ref,
            *,
            spec: {spec_type} | None = None,
{namespace}            labels: Mapping[str, Any] | None = None,
            annotations: Mapping[str, Any] | None = None,
            id: str | None = None,
            ready_when: ReadyWhen = CONVENTIONS,
            {keywords},
        ) -> None: ...
'''
    return constant, text, class_name


def generate(
    definitions: Sequence[Definition],
    sources: Sequence[str],
    *,
    stub: bool = False,
    constants: Mapping[str, str] | None = None,
) -> str:
    """The text of a typed module for ``definitions`` (one class per kind), made from ``sources``.

    ``stub``: a ``.pyi`` stub instead, for a module of the same name that makes the classes at run time (with
    :func:`pykro.crds.load`); it has no CRD data. ``constants`` (name -> annotation) are declared in a stub too.
    """
    module = _Module(names={"Any", "CONVENTIONS", "CustomResource", "Ref", "ReadyWhen", "TypedDict"})
    data: list[str] = []
    classes: list[str] = []
    names: list[str] = []
    for index, definition in enumerate(definitions):
        constant, text, class_name = _kind(module, definition, index, stub)
        names.append(class_name)
        if not stub:
            data.append(constant)
        classes.append(text)
    kinds = [d.kind for d in definitions]
    declared = dict(constants or {})
    if stub:
        data += [f"{name}: {annotation}" for name, annotation in declared.items()]
    head = f'''"""Typed resource classes for {", ".join(kinds)}.

Generated by `pykro types`{" (stubs)" if stub else ""} from {", ".join(sources)}. Regenerate it rather than edit it.
"""

# ruff: noqa
# fmt: off
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

from pykro.authoring import Ref
from pykro.crds import CONVENTIONS, CustomResource, ReadyWhen

__all__ = {json.dumps(sorted([*names, *declared]))}
'''
    if stub:
        head = head.replace("import json\n", "")
    parts = [head, "\n".join(data), "", "\n".join(module.dicts), ""]
    if module.refs:
        parts += ["if TYPE_CHECKING:", "\n\n".join(module.refs), ""]
    parts += ["", "\n\n".join(classes)]
    return "\n".join(parts).rstrip() + "\n"
