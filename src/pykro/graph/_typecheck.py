"""kro's type check of RGD expressions (v0.9.3 type-checks every expression with cel-go against typed variables):
field paths read from ``schema`` and from resources of a known kind must exist.

``schema`` is the instance without status (spec from the SimpleSchema, ObjectMeta — without ``namespace`` for a
cluster-scoped instance); a resource is typed by its built-in kind's schema, a registered CRD or a CRD templated
in the same graph, and collections are lists of it; unknown custom kinds stay ``dyn``. forEach iterators and the
variables of comprehensions (``xs.map(x, x.name)``, ``xs.all(i, x, ...)``) over a typed list are typed by its
items, the value variable of a two-variable comprehension over a typed map by its values. Paths come from
:func:`pykro.cel.references`, and through constant list indexes (``xs[0].name``); computed indexes, results of
function calls and paths under int-or-string and preserve-unknown-fields are not checked (``dyn``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pykro import cel
from pykro._memo import Memo
from pykro.cel._ast import (
    Binary,
    Call,
    Conditional,
    Ident,
    Index,
    ListExpr,
    Literal,
    MapExpr,
    Node,
    Select,
    UInt,
    children,
)
from pykro.cel._parser import macro_variable_count
from pykro.cel._types import CelType
from pykro.errors import CompositionError, ValidationError
from pykro.graph import _templates as templates
from pykro.resources import _typing as rt
from pykro.resources._kinds import OBJECT_META, node

if TYPE_CHECKING:
    from pykro.graph._analysis import Node as GraphNode
    from pykro.graph._expressions import Field
    from pykro.graph._model import Graph

__all__ = ["Site", "Typed", "check", "infer", "instance_root"]

Path = tuple[rt.Step, ...]
Resolver = Callable[[Path], CelType]
Raise = Callable[[str, str, str], ValidationError]

_STRING = {"type": "string"}
_MACROS = ("all", "exists", "map", "filter", "transform")  # comprehensions (checked only when the text can hold one)
_NO_STATUS_FIX = (
    "kro v0.9.3 hides the instance's own status from expressions: read the resource the status value comes from"
)


@dataclass(frozen=True)
class Typed:
    """A variable with a known type: its resolver (raises CompositionError) and where the variable sits in it."""

    resolve: Resolver
    prefix: Path = ()

    def at(self, path: Path) -> CelType:
        return self.resolve((*self.prefix, *path))

    def item(self, path: Path) -> Typed:
        return Typed(self.resolve, (*self.prefix, *path, 0))


def instance_root(graph: Graph) -> dict[str, Any]:
    """The schema of kro's ``schema`` variable: apiVersion, kind, ObjectMeta and the spec (no status)."""
    meta: Mapping[str, Any] = OBJECT_META
    if not graph.namespaced:
        full = node(OBJECT_META)
        meta = {**full, "properties": {k: v for k, v in full["properties"].items() if k != "namespace"}}
    spec = graph.openapi or {"type": "object"}
    properties = {"apiVersion": _STRING, "kind": _STRING, "metadata": meta, "spec": spec}
    return {"type": "object", "properties": properties}


def _instance(graph: Graph) -> Resolver:
    """The resolver of ``schema``: pure in the instance spec and scope, so graphs with the same spec share one."""
    key = (graph.namespaced, repr(graph.openapi))
    found = _INSTANCES.get(key)
    if found is None:
        found = _INSTANCES.put(key, _instance_resolver(instance_root(graph)))
    return found


_INSTANCES: Memo[tuple[bool, str], Resolver] = Memo(256)


def _instance_resolver(root: dict[str, Any]) -> Resolver:
    spec = root["properties"]["spec"]
    keys = ("properties", "additionalProperties", "x-kubernetes-preserve-unknown-fields")
    has_spec = any(spec.get(key) for key in keys)
    known: dict[Path, CelType] = {}

    def resolve(path: Path) -> CelType:
        found = known.get(path)
        if found is not None:
            return found
        if path[:1] == ("status",):
            raise CompositionError("the instance has no field status here", fix=_status_fix(root, path))
        if len(path) > 1 and path[0] == "spec" and not has_spec:
            raise CompositionError(
                f"the instance spec declares no fields: it has no field {path[1]}",
                fix=f"Declare {path[1]} under spec.schema.spec.",
            )
        found = known[path] = rt.schema_field_type("the instance", root, path)
        return found

    return resolve


def _status_fix(root: Mapping[str, Any], path: Path) -> str:
    in_spec = ("spec", *path[1:])
    try:
        rt.schema_field_type("the instance", root, in_spec)
    except CompositionError:
        return _NO_STATUS_FIX + "."
    return f"{_NO_STATUS_FIX}, or did you mean {rt.path_text(in_spec)}?"


def _graph_crds(graph: Graph) -> dict[tuple[str, str], Mapping[str, Any]]:
    """(apiVersion, kind) -> openAPIV3Schema of every served version of the CRDs templated in the graph."""
    found: dict[tuple[str, str], Mapping[str, Any]] = {}
    for res in graph.resources:
        template = res.template or {}
        spec = template.get("spec")
        if template.get("kind") != "CustomResourceDefinition" or not isinstance(spec, dict):
            continue
        group, kind = spec.get("group"), (spec.get("names") or {}).get("kind")
        for version in spec.get("versions") or []:
            schema = (version.get("schema") or {}).get("openAPIV3Schema") if isinstance(version, dict) else None
            if isinstance(group, str) and isinstance(kind, str) and isinstance(schema, dict):
                # an embedded resource is read as a resource root (apiVersion, kind and the full ObjectMeta)
                found.setdefault(
                    (f"{group}/{version.get('name')}", kind), {**schema, "x-kubernetes-embedded-resource": True}
                )
    return found


def _kind(api_version: str, kind: str, crds: Mapping[tuple[str, str], Mapping[str, Any]]) -> Resolver | None:
    defined = crds.get((api_version, kind))
    if defined is not None:
        return lambda path: rt.schema_field_type(kind, defined, path)
    if rt.is_typed(api_version, kind):
        return lambda path: rt.field_type(api_version, kind, path)
    return None


def _collection(resource_id: str, kind: str, each: Resolver) -> Resolver:
    def resolve(path: Path) -> CelType:
        if not path:
            return CelType.list_of(each(()))
        if isinstance(path[0], str):
            raise CompositionError(
                f"{resource_id} is a collection (a list of {kind}): it has no field {path[0]}",
                fix=f"Index it ({resource_id}[0].{path[0]}) or use a list function ({resource_id}.map(x, x.{path[0]}))",
            )
        return each(path[1:])

    return resolve


def check(
    graph: Graph, nodes: Mapping[str, GraphNode], status: list[Field], conditions: list[Field], err: Raise
) -> None:
    """Raise ValidationError (kro's wording, the expression's YAML path, a did-you-mean fix) for a bad field path."""
    crds = _graph_crds(graph)
    env: dict[str, Typed] = {"schema": Typed(_instance(graph))}
    selves: dict[str, Typed] = {}
    for gnode in nodes.values():
        res = gnode.resource
        each = _kind(res.api_version, res.kind, crds)
        if each is None:
            continue
        selves[gnode.id] = Typed(each)
        many = res.is_collection or res.is_external_collection
        env[gnode.id] = Typed(_collection(gnode.id, res.kind, each)) if many else Typed(each)
    for gnode in nodes.values():
        base = f"spec.resources[{gnode.index}]"
        scope: Mapping[str, Typed] = env
        iterators: dict[str, Typed | None] = {}
        for j, (name, fld) in enumerate(gnode.for_each):
            site = Site(err, _for_each, base, j, name, gnode.id)
            _expression(fld, env, site)
            iterators[name] = _iterator(fld, env, site)
        if iterators:
            scope = {**env, **{name: item for name, item in iterators.items() if item is not None}}
        body_key = "template" if gnode.resource.template is not None else "externalRef"
        for fld in gnode.fields:
            _expression(fld, scope, Site(err, _template, base, body_key, fld))
        templates.check_resource(gnode.resource, gnode.index, gnode.fields, crds, _typer(scope), err)
        for j, fld in enumerate(gnode.include_when):
            _expression(fld, env, Site(err, _condition, base, "includeWhen", j, fld, gnode.id))
        own = selves.get(gnode.id)
        ready = {("each" if gnode.resource.is_collection else gnode.id): own} if own else {}
        for j, fld in enumerate(gnode.ready_when):
            _expression(fld, ready, Site(err, _condition, base, "readyWhen", j, fld, gnode.id))
    for fld in status:
        _expression(fld, env, Site(err, _status, fld))
    for i, fld in enumerate(conditions):
        _expression(fld, env, Site(err, _instance_condition, i, fld))


_UNSEEN = object()


def _typer(scope: Mapping[str, Typed]) -> Callable[[Field], CelType | None]:
    """The CEL type of a template expression that is a plain field path of a typed variable (None: not known)."""

    known: dict[str, CelType | None] = {}

    def type_of(fld: Field) -> CelType | None:
        found = known.get(fld.cel, _UNSEEN)
        if found is _UNSEEN:
            found = known[fld.cel] = _type_of(fld)
        return found  # type: ignore[return-value]

    def _type_of(fld: Field) -> CelType | None:
        return infer(fld.tree, scope)

    return type_of


_CONVERSIONS = {
    "string": CelType.STRING,
    "int": CelType.INT,
    "uint": CelType.UINT,
    "double": CelType.DOUBLE,
    "bool": CelType.BOOL,
    "bytes": CelType.BYTES,
    "timestamp": CelType.TIMESTAMP,
    "duration": CelType.DURATION,
}


def infer(tree: Node, scope: Mapping[str, Typed]) -> CelType | None:
    """The CEL type cel-go gives ``tree`` when it follows from its shape alone: literals, map and list literals (their
    value types joined as cel-go joins them: one type, else ``dyn``; ``{}`` is ``map(dyn, dyn)``), conditionals
    whose branches agree, ``dyn(...)`` and the conversions, string concatenation, and plain field paths of typed
    variables. None when it is not known here (left to kro)."""
    if isinstance(tree, Literal):
        value = tree.value
        if value is None:
            return CelType.NULL
        if isinstance(value, bool):
            return CelType.BOOL
        kinds = {int: CelType.INT, float: CelType.DOUBLE, str: CelType.STRING, bytes: CelType.BYTES}
        return kinds.get(type(value))
    if isinstance(tree, UInt):
        return CelType.UINT
    if isinstance(tree, MapExpr):
        if tree.optional:
            return None
        if not tree.entries:
            return CelType.map_of(CelType.DYN, CelType.DYN)
        key = _join([infer(k, scope) for k, _ in tree.entries])
        values = _join([infer(v, scope) for _, v in tree.entries])
        return None if key is None or values is None else CelType.map_of(key, values)
    if isinstance(tree, ListExpr):
        if tree.optional:
            return None
        item = _join([infer(i, scope) for i in tree.items]) if tree.items else CelType.DYN
        return None if item is None else CelType.list_of(item)
    if isinstance(tree, Conditional):
        then, otherwise = infer(tree.then, scope), infer(tree.otherwise, scope)
        return then if then is not None and then == otherwise else None
    if isinstance(tree, Call) and tree.target is None and len(tree.args) == 1:
        if tree.function == "dyn":
            return CelType.DYN
        return _CONVERSIONS.get(tree.function)
    if isinstance(tree, Binary) and tree.op == "+":
        left, right = infer(tree.left, scope), infer(tree.right, scope)
        return CelType.STRING if left == CelType.STRING and right == CelType.STRING else None
    steps: list[str] = []
    while isinstance(tree, Select) and not tree.optional:
        steps.append(tree.field)
        tree = tree.operand
    typed = scope.get(tree.name) if isinstance(tree, Ident) else None
    if typed is None:
        return None
    try:
        return typed.at(tuple(reversed(steps)))
    except CompositionError:
        return None


def _join(types: list[CelType | None]) -> CelType | None:
    """cel-go's type of an aggregate literal's keys or values: the one type they share, else ``dyn``."""
    if any(t is None for t in types):
        return None
    first = types[0]
    return first if all(t == first for t in types) else CelType.DYN


class Site:
    """Where an expression is and how kro introduces its errors, spelled only when an error is raised."""

    def __init__(self, err: Raise, describe: Callable[..., tuple[str, str]], *args: Any) -> None:
        self._err = err
        self._describe = describe
        self._args = args

    def error(self, what: str, fix: str, *, standalone: bool = False) -> ValidationError:
        where, context = self._describe(*self._args)
        return self._err(where, what if standalone else f"{context}: {what}", fix)

    @property
    def context(self) -> str:
        return self._describe(*self._args)[1]


def _for_each(base: str, j: int, name: str, rid: str) -> tuple[str, str]:
    return f"{base}.forEach[{j}].{name}", f'node "{rid}": forEach iterator "{name}"'


def _template(base: str, body_key: str, fld: Field) -> tuple[str, str]:
    where = f"{base}.{body_key}.{fld.path_text}"
    return where, f'failed to compile template expression "{fld.written}" at path "{fld.path_text}"'


def _condition(base: str, key: str, j: int, fld: Field, rid: str) -> tuple[str, str]:
    return f"{base}.{key}[{j}]", f'failed to type-check {key} expression "{fld.written}" in resource "{rid}"'


def _status(fld: Field) -> tuple[str, str]:
    where = f"spec.schema.status.{fld.path_text}"
    return where, f'failed to type-check status expression "{fld.written}" at path "{fld.path_text}"'


def _instance_condition(i: int, fld: Field) -> tuple[str, str]:
    return f"spec.schema.status.conditions[{i}]", f'failed to type-check condition "{fld.written}"'


def _iterator(fld: Field, env: Mapping[str, Typed], site: Site) -> Typed | None:
    """The iterator's type when the forEach expression is a plain path to a typed list (None: dyn)."""
    found = _path_of(fld.tree, env, fld.references)
    if found is None:
        return None
    typed, path = found
    result = typed.at(path)
    if result.kind == "list":
        return typed.item(path)
    if result.kind != "dyn":
        raise site.error(
            f'{site.context} must return a list, got "{result}"',
            "forEach iterates a list: point it at a list field, or build one (e.g. ${[a, b]}).",
            standalone=True,
        )
    return None


def _path_of(
    tree: Node, env: Mapping[str, Typed], refs: tuple[cel.Reference, ...] | None = None
) -> tuple[Typed, Path] | None:
    """(variable, field path) when ``tree`` is nothing but a typed variable's field selection."""
    found = refs if refs is not None else cel.references(tree)
    if len(found) != 1 or found[0].root not in env:
        return None
    rebuilt: Node = Ident(found[0].root)
    for step in found[0].path:
        rebuilt = Select(rebuilt, step)
    return (env[found[0].root], found[0].path) if rebuilt == tree else None


def _expression(fld: Field, env: Mapping[str, Typed], site: Site) -> None:
    if not env:
        return
    for ref in fld.references:
        typed = env.get(ref.root)
        if typed is not None:
            _field(typed, ref.root, ref.path, site)
    text = fld.cel
    if "[" in text or ("(" in text and any(name in text for name in _MACROS)):
        _scopes(fld.tree, env, site)


def _scopes(tree: Node, env: Mapping[str, Typed], site: Site) -> None:
    """Check comprehension variables over typed lists (and maps, for two-variable forms) and field paths that go
    through constant list indexes (``xs[0].name``), which :func:`pykro.cel.references` stops at."""
    stack: list[tuple[Node, Mapping[str, Typed]]] = [(tree, env)]
    while stack:
        current, scope = stack.pop()
        count = macro_variable_count(current) if isinstance(current, Call) and current.function != "bind" else 0
        if isinstance(current, Call) and count in (1, 2):
            assert current.target is not None
            bound = [a.name if isinstance(a, Ident) else "" for a in current.args[:count]]
            var = bound[-1]
            item = _range(current.target, scope, site, values=count == 2)
            inner = {k: v for k, v in scope.items() if k not in bound}
            if item is not None:
                inner[var] = item
                for arg in current.args[count:]:
                    for ref in cel.references(arg):
                        if ref.root == var:
                            _field(item, var, ref.path, site)
            stack.append((current.target, scope))
            stack.extend((arg, inner) for arg in current.args[count:])
            continue
        if isinstance(current, Select | Index):
            chain = _chain(current)
            if chain is not None and chain[0] in scope and any(isinstance(step, int) for step in chain[1]):
                _field(scope[chain[0]], chain[0], chain[1], site)
                continue  # the chain's inner nodes are prefixes of the path just checked
        stack.extend((child, scope) for child in children(current))


def _chain(tree: Node) -> tuple[str, Path] | None:
    """``(variable, path)`` of a selection chain of fields, string keys and constant list indexes (``a.b[0]["c"]``);
    None when it holds anything else (a call, a computed index, an optional step)."""
    steps: list[rt.Step] = []
    while isinstance(tree, Select | Index):
        if tree.optional:
            return None
        if isinstance(tree, Select):
            steps.append(tree.field)
        elif isinstance(tree.index, Literal) and type(tree.index.value) in (int, str):
            steps.append(tree.index.value)  # type: ignore[arg-type]
        else:
            return None
        tree = tree.operand
    return (tree.name, tuple(reversed(steps))) if isinstance(tree, Ident) else None


def _root_name(tree: Node) -> str:
    while isinstance(tree, Select | Index):
        tree = tree.operand
    return tree.name if isinstance(tree, Ident) else "?"


def _range(target: Node, scope: Mapping[str, Typed], site: Site, *, values: bool = False) -> Typed | None:
    """The type of a comprehension's (last) variable when ``target`` is a typed list — or, with ``values`` (the
    two-variable forms), a typed map; raises when ``target`` cannot be a range at all."""
    found = _path_of(target, scope)
    if found is None:
        return None
    typed, path = found
    result = typed.at(path)
    if result.kind == "list":
        return typed.item(path)
    if result.kind == "map" and values:
        return Typed(typed.resolve, (*typed.prefix, *path, _ANY_KEY))
    if result.kind in ("map", "dyn", "object"):
        return None  # maps range over their keys (strings); objects are checked by cel-go at run time
    text = rt.path_text((_root_name(target), *path))
    raise site.error(
        f"expression of type '{result}' cannot be range of a comprehension (must be list, map, or dynamic)",
        f"{text} is a single value: iterate a list field instead.",
    )


_ANY_KEY = "*"  # a map value's place in a path (maps accept any key): spec.labels.*


def _field(typed: Typed, root: str, path: Path, site: Site) -> None:
    if not path:
        return
    try:
        typed.at(path)
    except CompositionError as exc:
        raise site.error(f"{_kro_reason(typed, path)}: {exc.what}", _fix(exc, typed, root)) from exc


def _kro_reason(typed: Typed, path: Path) -> str:
    """cel-go's wording for the first step of ``path`` that cannot be resolved."""
    for depth in range(len(path)):
        try:
            typed.at(path[: depth + 1])
        except CompositionError:
            step = path[depth]
            try:
                parent = typed.at(path[:depth])
            except CompositionError:
                parent = CelType.DYN
            if isinstance(step, int):
                return f"type '{parent}' does not support indexing with an int"
            if parent.kind in ("object", "dyn"):
                return f"undefined field '{step}'"
            return f"type '{parent}' does not support field selection"
    return "invalid field path"


def _fix(exc: CompositionError, typed: Typed, root: str) -> str:
    """The resolver's fix with its paths spelled from the expression's variable (``worker.name``, ``db.spec.x``)."""
    fix = exc.fix or "Check the field path against the schema."
    prefix = rt.path_text(typed.prefix)

    def spelled(path: str) -> str:
        if prefix and (path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))):
            return root + path[len(prefix) :]
        return f"{root}.{path}" if not prefix else path

    if fix.startswith("Fields of ") and ": " in fix:
        path, _, listed = fix.removeprefix("Fields of ").partition(": ")
        return f"Fields of {spelled(path) if path != 'the object' else root}: {listed}"
    for lead in ("Did you mean ", "did you mean ", " lives at "):
        head, found, tail = fix.partition(lead)
        if found:
            body, end = (tail[:-1], tail[-1]) if tail.endswith(("?", ".")) else (tail, "")
            first, *rest = body.split(" or ")
            paths = [spelled(p) for p in first.split(", ")] + [spelled(p) for p in rest]
            joined = paths[0] if len(paths) == 1 else f"{', '.join(paths[:-1])} or {paths[-1]}"
            return f"{head}{found}{joined}{end}"
    return fix
