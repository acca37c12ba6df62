"""The CustomResourceDefinition kro generates for an RGD's instance kind (kro v0.9.3 pkg/graph/crd), with the status
schema inferred from the status expressions."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from pykro import cel
from pykro.cel import _ast as ast
from pykro.graph._expressions import Field
from pykro.graph._plural import pluralize

if TYPE_CHECKING:
    from pykro.graph._model import Graph

__all__ = ["field_schema", "instance_crd", "plural_of", "status_schema"]

DYN: dict[str, Any] = {"x-kubernetes-preserve-unknown-fields": True}

STATE_SCHEMA: dict[str, Any] = {"type": "string"}
CONDITIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "type": {"type": "string"},
            "status": {"type": "string"},
            "reason": {"type": "string"},
            "message": {"type": "string"},
            "lastTransitionTime": {"type": "string"},
            "observedGeneration": {"type": "integer"},
        },
    },
}
DEFAULT_PRINTER_COLUMNS: list[dict[str, Any]] = [
    {
        "name": "State",
        "type": "string",
        "description": "The state of a ResourceGraphDefinition instance",
        "jsonPath": ".status.state",
    },
    {
        "name": "Ready",
        "type": "string",
        "description": "Whether a ResourceGraphDefinition instance is ready",
        "jsonPath": '.status.conditions[?(@.type=="Ready")].status',
    },
    {"name": "Age", "type": "date", "description": "Age of the resource", "jsonPath": ".metadata.creationTimestamp"},
]


def plural_of(kind: str) -> str:
    """The CRD plural kro uses: flect's pluralisation of the lower-cased kind."""
    return pluralize(kind.lower())


def instance_crd(graph: Graph) -> dict[str, Any]:
    """The CRD kro applies for ``graph``'s instances."""
    plural = plural_of(graph.kind)
    metadata: dict[str, Any] = {"name": f"{plural}.{graph.group}"}
    crd_meta = graph.schema_extra.get("metadata") or {}
    if crd_meta.get("labels"):
        metadata["labels"] = dict(crd_meta["labels"])
    if crd_meta.get("annotations"):
        metadata["annotations"] = dict(crd_meta["annotations"])
    columns = graph.schema_extra.get("additionalPrinterColumns") or DEFAULT_PRINTER_COLUMNS
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": metadata,
        "spec": {
            "group": graph.group,
            "names": {
                "kind": graph.kind,
                "listKind": f"{graph.kind}List",
                "plural": plural,
                "singular": graph.kind.lower(),
            },
            "scope": graph.scope,
            "versions": [
                {
                    "name": graph.api_version,
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "apiVersion": {"type": "string"},
                                "kind": {"type": "string"},
                                "metadata": {"type": "object"},
                                "spec": copy.deepcopy(graph.openapi),
                                "status": status_schema(graph),
                            },
                        }
                    },
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": copy.deepcopy(columns),
                }
            ],
        },
    }


def status_schema(graph: Graph) -> dict[str, Any]:
    """The instance status schema: one property per status expression (type inferred), plus state and conditions."""
    root: dict[str, Any] = {"type": "object", "properties": {}}
    for fld in graph.analysis.status_fields:
        _insert(root, list(fld.path), field_schema(graph, fld))
    root["properties"].setdefault("state", copy.deepcopy(STATE_SCHEMA))
    root["properties"].setdefault("conditions", copy.deepcopy(CONDITIONS_SCHEMA))
    return root


def _insert(node: dict[str, Any], path: list[str | int], leaf: dict[str, Any]) -> None:
    key, rest = path[0], path[1:]
    if isinstance(key, int):
        node["type"] = "array"
        node.pop("properties", None)
        items = node.setdefault("items", {"type": "object", "properties": {}} if rest else leaf)
        if rest:
            _insert(items, rest, leaf)
        return
    props = node.setdefault("properties", {})
    if not rest:
        props[key] = leaf
        return
    child = props.setdefault(key, {"type": "object", "properties": {}})
    _insert(child, rest, leaf)


# --------------------------------------------------------------------------------------------------- type inference
_BOOL_FUNCTIONS = {
    "has", "all", "exists", "exists_one", "startsWith", "endsWith", "contains", "matches", "isSorted", "bool",
    "isIP", "isCIDR", "isURL", "isQuantity", "isSemver", "containsIP", "containsCIDR", "isGreaterThan", "isLessThan",
}  # fmt: skip
_STRING_FUNCTIONS = {
    "string", "lowerAscii", "upperAscii", "trim", "replace", "join", "format", "substring", "charAt", "quote",
    "seededString", "marshal", "reverse", "getScheme", "getHost", "getHostname", "getPort", "getEscapedPath",
    "base64", "encode", "sha256", "sha1", "md5",
}  # fmt: skip
_INT_FUNCTIONS = {"size", "int", "indexOf", "lastIndexOf", "seededInt", "getMilliseconds", "compareTo", "sign"}
_LIST_FUNCTIONS = {"map", "filter", "split", "sort", "slice", "flatten", "distinct", "range", "keys", "values"}


def field_schema(graph: Graph, fld: Field) -> dict[str, Any]:
    """The OpenAPI schema of a status field, from the static type of its expression (dyn when unknown)."""
    if not fld.standalone:
        return {"type": "string"}
    try:
        node = cel.parse(fld.cel)
    except cel.CelError:
        return dict(DYN)
    return _infer(graph, node)


def _infer(graph: Graph, node: ast.Node) -> dict[str, Any]:
    if isinstance(node, ast.Literal):
        return _literal(node.value)
    if isinstance(node, ast.UInt):
        return {"type": "integer"}
    if isinstance(node, ast.Unary):
        return {"type": "boolean"} if node.op == "!" else _infer(graph, node.operand)
    if isinstance(node, ast.Binary):
        return _binary(graph, node)
    if isinstance(node, ast.Conditional):
        then = _infer(graph, node.then)
        return then if then != DYN else _infer(graph, node.otherwise)
    if isinstance(node, ast.Call):
        return _call(graph, node)
    if isinstance(node, ast.ListExpr):
        items = _infer(graph, node.items[0]) if node.items else dict(DYN)
        return {"type": "array", "items": items}
    if isinstance(node, ast.MapExpr):
        values = _infer(graph, node.entries[0][1]) if node.entries else dict(DYN)
        return {"type": "object", "additionalProperties": values}
    if isinstance(node, ast.Select | ast.Ident | ast.Index):
        return _reference(graph, node)
    return dict(DYN)


def _literal(value: object) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, bytes):
        return {"type": "string", "format": "byte"}
    return dict(DYN)


def _binary(graph: Graph, node: ast.Binary) -> dict[str, Any]:
    if node.op in ("||", "&&", "==", "!=", "<", "<=", ">", ">=", "in"):
        return {"type": "boolean"}
    left, right = _infer(graph, node.left), _infer(graph, node.right)
    known = left if left != DYN else right
    if node.op == "/" and known.get("type") == "number":
        return {"type": "number"}
    return known


def _call(graph: Graph, node: ast.Call) -> dict[str, Any]:
    name = node.function
    if name in _BOOL_FUNCTIONS:
        return {"type": "boolean"}
    if name in _STRING_FUNCTIONS:
        return {"type": "string"}
    if name in _INT_FUNCTIONS:
        return {"type": "integer"}
    if name == "double":
        return {"type": "number"}
    if name in _LIST_FUNCTIONS:
        return {"type": "array", "items": dict(DYN)}
    if name in ("orValue", "value") and node.target is not None:
        target = _infer(graph, node.target)
        return target if target != DYN or not node.args else _infer(graph, node.args[0])
    return dict(DYN)


_SCHEMA_KEYS = (
    "type",
    "format",
    "items",
    "properties",
    "additionalProperties",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
)


def _type_only(schema: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _SCHEMA_KEYS:
        if key not in schema:
            continue
        value = schema[key]
        if key == "items" and isinstance(value, dict):
            value = _type_only(value)
        elif key == "properties" and isinstance(value, dict):
            value = {k: _type_only(v) for k, v in value.items()}
        elif key == "additionalProperties" and isinstance(value, dict):
            value = _type_only(value)
        out[key] = value
    return out or dict(DYN)


def _reference(graph: Graph, node: ast.Node) -> dict[str, Any]:
    refs = cel.references(node)
    if len(refs) != 1:
        return dict(DYN)
    ref = refs[0]
    if ref.root in graph.ids and not isinstance(node, ast.Index):
        return _resource_field(graph, ref.root, ref.path)
    if ref.root != "schema" or not ref.path:
        return dict(DYN)
    head, *rest = ref.path
    if head == "metadata":
        return {"type": "string"} if rest and rest[0] in ("name", "namespace", "uid") else dict(DYN)
    if head != "spec":
        return dict(DYN)
    schema: dict[str, Any] | None = graph.openapi
    for key in rest:
        if schema is None:
            break
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        schema = props.get(key) if key in props else (extra if isinstance(extra, dict) else None)
    computed_index = isinstance(node, ast.Index) and not (
        isinstance(node.index, ast.Literal) and isinstance(node.index.value, str)
    )
    if computed_index and schema is not None:
        schema = schema.get("items") if schema.get("type") == "array" else schema.get("additionalProperties")
    return _type_only(schema) if isinstance(schema, dict) else dict(DYN)


def _resource_field(graph: Graph, resource_id: str, path: tuple[str, ...]) -> dict[str, Any]:
    """The type of a scalar field of a built-in kind (``deployment.status.readyReplicas`` -> integer)."""
    from pykro.schema._kubernetes import builtin_schema, resolve

    res = graph.resource(resource_id)
    if res.is_collection or res.is_external_collection or not path:
        return dict(DYN)
    schema: Any = builtin_schema(res.api_version, res.kind)
    for key in path:
        if not isinstance(schema, dict):
            return dict(DYN)
        schema = resolve(schema).get("properties", {}).get(key)
    if not isinstance(schema, dict):
        return dict(DYN)
    declared = resolve(schema).get("type")
    types = [t for t in (declared if isinstance(declared, list) else [declared]) if t != "null"]
    if len(types) == 1 and types[0] in ("string", "integer", "number", "boolean"):
        return {"type": types[0]}
    return dict(DYN)
