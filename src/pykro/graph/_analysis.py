"""kro's graph builder offline: check an RGD the way kro v0.9.3 does, and record what the runtime needs (the
expressions of every resource, their dependencies, the topological order, the status expressions).

Every error is a ValidationError naming the YAML path, worded like kro's own message, with a fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pykro import cel
from pykro.cel import _ast as cel_ast
from pykro.cel._library import runtime as runtime_conditions
from pykro.errors import PykroError, ValidationError
from pykro.graph import _naming as naming
from pykro.graph import _typecheck as typecheck
from pykro.graph._dag import CycleError, topological_order
from pykro.graph._expressions import FUNCTION_NAMESPACES, Field, expression_fields, field_of, fields_in, format_path

if TYPE_CHECKING:
    from pykro.graph._model import Graph, Resource

__all__ = ["COLLECTION", "EXTERNAL", "EXTERNAL_COLLECTION", "MAX_COLLECTION_SIZE", "Analysis", "Node", "analyse"]

MAX_DIMENSIONS = 10  # kro's --rgd-max-collection-dimension-size default
MAX_COLLECTION_SIZE = 1000  # kro's --rgd-max-collection-size default
KRO_LABEL_PREFIX = "kro.run/"

RESOURCE = "Resource"
COLLECTION = "Collection"
EXTERNAL = "External"
EXTERNAL_COLLECTION = "ExternalCollection"


@dataclass
class Node:
    """What kro's builder knows about one resource after validation."""

    id: str
    index: int
    resource: Resource
    type: str
    namespaced: bool | None
    fields: list[Field] = field(default_factory=list)
    include_when: list[Field] = field(default_factory=list)
    ready_when: list[Field] = field(default_factory=list)
    for_each: list[tuple[str, Field]] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)

    @property
    def iterators(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.for_each)


@dataclass
class Analysis:
    """The validated graph: nodes in declaration order, topological order, status and condition expressions."""

    nodes: dict[str, Node]
    order: list[str]
    status_fields: list[Field]
    conditions: list[Field]


class _Errors:
    def __init__(self, source: str | None) -> None:
        self.source = source

    def __call__(self, path: str, what: str, fix: str) -> ValidationError:
        return ValidationError(what, where=f"{self.source}: {path}" if self.source else path, fix=fix)


def analyse(graph: Graph) -> Analysis:
    """Validate ``graph`` like kro's builder and return what the runtime needs; raises ValidationError."""
    err = _Errors(graph.source)
    _check_ids(graph, err)
    ids = graph.ids
    crds = _crd_scopes(graph)
    nodes = {res.id: _build_node(graph, i, res, err, crds) for i, res in enumerate(graph.resources)}
    _ = graph.openapi  # the SimpleSchema of the instance spec (raises ValidationError with kro's messages)
    id_set = frozenset(ids)
    for node in nodes.values():
        _resolve_dependencies(node, ids, id_set, err)
    deps = {node.id: node.dependencies for node in nodes.values()}
    try:
        order = topological_order(deps, ids)
    except CycleError as exc:
        raise err(
            "spec.resources",
            str(exc),
            "Break the cycle: one of these resources must stop reading the next one's fields.",
        ) from exc
    status_fields, conditions = _status(graph, ids, err)
    _compile_all(graph, nodes, status_fields, conditions, err)
    typecheck.check(graph, nodes, status_fields, conditions, err)
    return Analysis(nodes=nodes, order=order, status_fields=status_fields, conditions=conditions)


# --------------------------------------------------------------------------------------------------- naming
def _check_ids(graph: Graph, err: _Errors) -> None:
    seen: set[str] = set()
    ids = set(graph.ids)
    for i, res in enumerate(graph.resources):
        path = f"spec.resources[{i}].id"
        if naming.is_reserved(res.id):
            raise err(
                path,
                f"naming convention violation: id {res.id} is a reserved keyword in KRO",
                f"Pick another id, e.g. {res.id}Resource.",
            )
        if not naming.is_valid_id(res.id):
            suggestion = naming.suggest_id(res.id)
            hint = f" such as {suggestion!r}" if suggestion else ""
            raise err(
                path,
                f"naming convention violation: id {res.id} is not a valid KRO resource id: must be lower camelCase",
                f"Use a lowerCamelCase id{hint} (letters and digits, starting with a lower-case letter).",
            )
        if res.id in seen:
            raise err(path, f"found duplicate resource IDs {res.id}", "Give every resource a unique id.")
        seen.add(res.id)
    for i, res in enumerate(graph.resources):
        dims = res.dimensions
        if len(dims) > MAX_DIMENSIONS:
            raise err(
                f"spec.resources[{i}].forEach",
                f'resource "{res.id}": forEach cannot have more than {MAX_DIMENSIONS} dimensions, got {len(dims)}',
                "Combine dimensions into fewer lists.",
            )
        names: set[str] = set()
        for j, dim in enumerate(dims):
            path = f"spec.resources[{i}].forEach[{j}].{dim.name}"
            if not naming.is_valid_id(dim.name):
                raise err(
                    path,
                    f'resource "{res.id}": forEach iterator name "{dim.name}" is not valid: must be lowerCamelCase',
                    f"Rename the iterator{_maybe(naming.suggest_id(dim.name))}.",
                )
            if naming.is_reserved(dim.name):
                raise err(
                    path,
                    f'resource "{res.id}": forEach iterator name "{dim.name}" is a reserved keyword',
                    "Pick another iterator name, e.g. item -> entry, each -> element.",
                )
            if dim.name in ids:
                raise err(
                    path,
                    f'resource "{res.id}": forEach iterator name "{dim.name}" conflicts with resource ID',
                    "Iterator names and resource ids share one namespace; rename the iterator.",
                )
            if dim.name in names:
                raise err(
                    path,
                    f'resource "{res.id}": duplicate forEach iterator name "{dim.name}"',
                    "Give each dimension its own iterator name.",
                )
            names.add(dim.name)


def _maybe(suggestion: str | None) -> str:
    return f", e.g. to {suggestion!r}" if suggestion else ""


# --------------------------------------------------------------------------------------------------- resources
def _build_node(graph: Graph, index: int, res: Resource, err: _Errors, crds: dict[tuple[str, str], bool]) -> Node:
    base = f"spec.resources[{index}]"
    if res.is_external and res.for_each:
        raise err(
            base,
            f'resource "{res.id}": cannot use externalRef with forEach',
            "Read a collection with externalRef.metadata.selector instead, or create the objects with a template.",
        )
    body = res.body
    body_key = "template" if res.template is not None else "externalRef"
    _check_object(res, body, f"{base}.{body_key}", err)
    namespaced = _scope(res, crds)
    meta = body.get("metadata") or {}
    if namespaced is False and "namespace" in meta:
        raise err(
            f"{base}.{body_key}.metadata.namespace",
            f'resource "{res.id}" is cluster-scoped and must not set metadata.namespace',
            f"Remove metadata.namespace: {res.kind} objects do not live in a namespace.",
        )
    if namespaced and not graph.namespaced and not res.is_external_collection:
        ns = meta.get("namespace")
        if not isinstance(ns, str) or not ns.strip():
            raise err(
                f"{base}.{body_key}.metadata",
                f'resource "{res.id}" is namespaced and must set metadata.namespace when the instance CRD is '
                "cluster-scoped",
                "Set metadata.namespace (for example to ${schema.spec.namespace}).",
            )
    labels = meta.get("labels")
    if isinstance(labels, dict):
        for key in labels:
            if str(key).startswith(KRO_LABEL_PREFIX):
                raise err(
                    f'{base}.{body_key}.metadata.labels["{key}"]',
                    f'invalid label for resource "{res.id}". labels with prefix "{KRO_LABEL_PREFIX}" are reserved '
                    "for internal use",
                    "Remove the label; kro sets its own kro.run/ labels on every child.",
                )
    node_type = RESOURCE
    if res.is_external:
        node_type = EXTERNAL_COLLECTION if res.is_external_collection else EXTERNAL
    elif res.for_each:
        node_type = COLLECTION
    node = Node(id=res.id, index=index, resource=res, type=node_type, namespaced=namespaced)
    node.fields = _parse_fields(body, f"{base}.{body_key}", err)
    if res.kind == "CustomResourceDefinition" and res.api_version == "apiextensions.k8s.io/v1":
        for fld in node.fields:
            if fld.path[:1] != ("metadata",):
                raise err(
                    f"{base}.{body_key}.{fld.path_text}",
                    f'CEL expressions in CRDs are only supported for metadata fields, found in path "{fld.path_text}", '
                    f"resource {res.id}",
                    "Write the CRD's schema literally; only its metadata may be computed.",
                )
    node.ready_when = _standalone_list(res.ready_when, f"{base}.readyWhen", err)
    node.include_when = _standalone_list(res.include_when, f"{base}.includeWhen", err)
    for j, dim in enumerate(res.dimensions):
        [parsed] = _standalone_list([dim.expression], f"{base}.forEach[{j}].{dim.name}", err, indexed=False)
        node.for_each.append((dim.name, parsed))
    return node


def _check_object(res: Resource, body: dict[str, Any], path: str, err: _Errors) -> None:
    what = f"resource {res.id} is not a valid Kubernetes object: "
    for key in ("apiVersion", "kind"):
        if key not in body:
            raise err(
                f"{path}.{key}", what + f"{key} field not found", f"Add {key} (e.g. apiVersion: v1, kind: ConfigMap)."
            )
        if not isinstance(body[key], str):
            raise err(f"{path}.{key}", what + f"{key} field is not a string", f"Write {key} as a plain string.")
    if "metadata" not in body:
        raise err(f"{path}.metadata", what + "metadata field not found", "Add metadata with at least a name.")
    if not isinstance(body["metadata"], dict):
        raise err(f"{path}.metadata", what + "metadata field is not a map", "metadata is a mapping (name: ...).")
    version = body["apiVersion"].rsplit("/", 1)[-1]
    if not version or body["apiVersion"].count("/") > 1 or not body["kind"]:
        raise err(
            f"{path}.apiVersion",
            f"failed to extract GVK from resource {res.id}: invalid apiVersion {body['apiVersion']!r}",
            "Use group/version (apps/v1) or a core version (v1).",
        )


def _crd_scopes(graph: Graph) -> dict[tuple[str, str], bool]:
    """(group, kind) -> namespaced, for the kinds that CRD templates of this graph define (the first one wins)."""
    found: dict[tuple[str, str], bool] = {}
    for other in graph.resources:
        template = other.template or {}
        spec = template.get("spec") or {}
        names = spec.get("names") if isinstance(spec, dict) else None
        if template.get("kind") == "CustomResourceDefinition" and isinstance(names, dict):
            group, kind = spec.get("group"), names.get("kind")
            if isinstance(group, str) and isinstance(kind, str):
                found.setdefault((group, kind), bool(spec.get("scope", "Namespaced") != "Cluster"))
    return found


def _scope(res: Resource, crds: dict[tuple[str, str], bool]) -> bool | None:
    """True when the kind is namespaced, False when cluster-scoped, None when the kind is unknown offline."""
    defined = crds.get((res.api_version.split("/")[0], res.kind))
    if defined is not None:
        return defined
    from pykro.schema._kubernetes import scope_of

    scope = scope_of(res.api_version, res.kind)
    return None if scope is None else scope != "Cluster"


def _parse_fields(body: Any, base: str, err: _Errors) -> list[Field]:
    try:
        fields = expression_fields(body)
    except PykroError as exc:
        raise err(base, f"invalid expression: {exc.what}", exc.fix or "Fix the ${...} expression.") from exc
    return fields


def _standalone_list(values: list[str], base: str, err: _Errors, *, indexed: bool = True) -> list[Field]:
    out: list[Field] = []
    for j, value in enumerate(values):
        path = f"{base}[{j}]" if indexed else base
        try:
            parsed = field_of((), value)
        except PykroError as exc:
            raise err(path, f"invalid expression: {exc.what}", exc.fix or "Fix the ${...} expression.") from exc
        if parsed is None or not parsed.standalone:
            raise err(
                path,
                "only standalone expressions are allowed",
                f"Write the whole value as one ${{...}} expression, e.g. {_as_standalone(value)}.",
            )
        out.append(parsed)
    return out


def _as_standalone(value: str) -> str:
    inner = value.replace("${", "").replace("}", "")
    return "${" + inner + "}" if "${" in value else "${" + value + "}"


# --------------------------------------------------------------------------------------------------- dependencies
def _resolve_dependencies(node: Node, ids: list[str], id_set: frozenset[str], err: _Errors) -> None:
    base = f"spec.resources[{node.index}]"
    body_key = "template" if node.resource.template is not None else "externalRef"
    iterators = node.iterators
    used_in_identity: set[str] = set()

    def add(dep: str) -> None:
        if dep not in node.dependencies:
            node.dependencies.append(dep)

    def check_root(root: str, path: str, allow_iterators: bool, context: str) -> None:
        if root == "schema":
            return
        if root in id_set:
            if root == node.id:
                raise err(
                    path,
                    f'resource "{node.id}": self references are not allowed',
                    "A resource cannot read its own fields here; use readyWhen to wait on its status.",
                )
            add(root)
            return
        if root in iterators and allow_iterators:
            return
        if root == "runtime":
            raise err(path, "runtime is only available in status.conditions expressions", "Remove runtime here.")
        if root in FUNCTION_NAMESPACES:
            return
        known = [*ids, "schema", *iterators]
        raise err(path, f"{context}references unknown identifiers: [{root}]", _unknown_fix(root, known))

    for fld in node.fields:
        for root in fld.roots:
            if root != "schema":  # always allowed: no path to make
                check_root(root, f"{base}.{body_key}.{fld.path_text}", True, "")
            if root in iterators and (
                fld.path == ("metadata", "name")
                or (fld.path == ("metadata", "namespace") and node.namespaced is not False)
            ):
                used_in_identity.add(root)
    missing = [name for name in iterators if name not in used_in_identity]
    if missing:
        raise err(
            f"{base}.{body_key}.metadata.name",
            f'node "{node.id}": all forEach dimensions must be used to produce a unique resource identity, '
            f"missing: [{' '.join(missing)}]",
            "Use every iterator in metadata.name, e.g. name: ${schema.spec.name}-${" + missing[0] + "}.",
        )
    for j, (name, fld) in enumerate(node.for_each):
        path = f"{base}.forEach[{j}].{name}"
        crossed = [r for r in fld.roots if r in iterators]
        if crossed:
            raise err(
                path,
                f'node "{node.id}": forEach iterator "{name}" cannot reference other iterators [{" ".join(crossed)}] - '
                "forEach iterators are independent (cartesian product)",
                "Compute each dimension's list from schema or other resources only.",
            )
        for root in fld.roots:
            check_root(root, path, False, "")
    for j, fld in enumerate(node.include_when):
        for root in fld.roots:
            check_root(root, f"{base}.includeWhen[{j}]", False, f'resource "{node.id}" includeWhen: ')
    allowed = "each" if node.type == COLLECTION else node.id
    for j, fld in enumerate(node.ready_when):
        for root in fld.roots:
            if root != allowed and root not in FUNCTION_NAMESPACES:
                raise err(
                    f"{base}.readyWhen[{j}]",
                    f'resource "{node.id}" readyWhen: references unknown identifiers: [{root}]',
                    f"readyWhen may only read the resource itself (${{{allowed}.status...}}); "
                    "use includeWhen or a template reference to depend on other resources.",
                )


def _unknown_fix(root: str, known: list[str]) -> str:
    hint = naming.did_you_mean(root, known)
    if root == "each":
        return "each is only available in readyWhen of a forEach resource." + hint
    return f"Reference schema or one of the resource ids ({', '.join(known) or 'none'}).{hint}"


# --------------------------------------------------------------------------------------------------- status
def _status(graph: Graph, ids: list[str], err: _Errors) -> tuple[list[Field], list[Field]]:
    status = dict(graph.status)
    id_set = frozenset(ids)
    conditions: list[Field] = []
    if "conditions" in status:
        raw = status.pop("conditions")
        if not isinstance(raw, list):
            raise err(
                "spec.schema.status.conditions",
                f"status.conditions must be a list, got {type(raw).__name__}",
                "Write a list of ${runtime.newCondition(...)} expressions.",
            )
        for i, item in enumerate(raw):
            path = f"spec.schema.status.conditions[{i}]"
            if not isinstance(item, str):
                raise err(
                    path,
                    f"status.conditions[{i}] must be a CEL expression string, got {type(item).__name__}",
                    "Write ${runtime.newCondition(...)}.",
                )
            conditions.extend(_standalone_list([item], path, err, indexed=False))
        for i, fld in enumerate(conditions):
            for root in fld.roots:
                if root not in id_set and root not in ("schema", "runtime") and root not in FUNCTION_NAMESPACES:
                    raise err(
                        f"spec.schema.status.conditions[{i}]",
                        f"condition {fld.cel!r}: references unknown identifiers: [{root}]",
                        _unknown_fix(root, [*ids, "schema", "runtime"]),
                    )
        problem = runtime_conditions.check_entries([fld.cel for fld in conditions])
        if problem is not None:
            fix = "Use True, False or Unknown, one entry per type, and read only kro's built-in types from schema."
            raise err(f"spec.schema.status.conditions[{problem[0]}]", problem[1], fix)
    try:
        fields, plain = fields_in(status)
    except PykroError as exc:
        raise err("spec.schema.status", f"invalid expression: {exc.what}", exc.fix or "Fix the expression.") from exc
    if plain:
        paths = " ".join(format_path(p) for p in plain)
        raise err(
            f"spec.schema.status.{format_path(plain[0])}",
            f"status fields without expressions are not supported: [{paths}]",
            "kro v0.9.3 computes every status field; write a ${...} expression (a literal needs no status field).",
        )
    for fld in fields:
        roots = [r for r in fld.roots if r not in FUNCTION_NAMESPACES]
        for root in roots:
            if root not in id_set and root != "schema":
                raise err(
                    f"spec.schema.status.{fld.path_text}",
                    f'status field "{fld.path_text}" expression "{fld.cel}": references unknown identifiers: [{root}]',
                    _unknown_fix(root, [*ids, "schema"]),
                )
        if not roots:
            raise err(
                f"spec.schema.status.{fld.path_text}",
                f"instance status field must refer to a resource or schema: status.{fld.path_text}",
                "Read a resource or schema field in the expression; constants are not status.",
            )
    return fields, conditions


# --------------------------------------------------------------------------------------------------- compile
def _compile_all(
    graph: Graph, nodes: dict[str, Node], status: list[Field], conditions: list[Field], err: _Errors
) -> None:
    evaluator = graph.evaluator

    def check(fld: Field, base: str, tail: str | None = None, *, template: bool = False) -> None:
        """``base.tail`` is the field's YAML path (``tail``: the field's own path when None), made for errors only."""
        if "omit" in fld.cel and _uses_omit(fld.tree):
            raise _omit_error(fld, _where(fld, base, tail), template, err)
        try:
            evaluator.compile(fld.cel)
        except cel.CelUnsupportedLocally:
            return
        except cel.CelCompileError as exc:
            what = f"failed to compile expression {fld.cel!r}: {exc.what}"
            raise err(_where(fld, base, tail), what, exc.fix or "Fix the CEL.") from exc

    for node in nodes.values():
        base = f"spec.resources[{node.index}]"
        body = f"{base}.{'template' if node.resource.template is not None else 'externalRef'}"
        for fld in node.fields:
            check(fld, body, template=True)
        for j, fld in enumerate(node.include_when):
            check(fld, base, f"includeWhen[{j}]")
        for j, fld in enumerate(node.ready_when):
            check(fld, base, f"readyWhen[{j}]")
        for j, (name, fld) in enumerate(node.for_each):
            check(fld, base, f"forEach[{j}].{name}")
    for fld in status:
        check(fld, "spec.schema.status")
    for i, fld in enumerate(conditions):
        check(fld, "spec.schema.status", f"conditions[{i}]")


def _where(fld: Field, base: str, tail: str | None) -> str:
    return f"{base}.{fld.path_text if tail is None else tail}"


def _uses_omit(tree: cel_ast.Node) -> bool:
    return any(isinstance(n, cel_ast.Call) and n.function == "omit" and n.target is None for n in cel_ast.walk(tree))


def _omit_error(fld: Field, path: str, template: bool, err: _Errors) -> ValidationError:
    """kro v0.9.3's refusal of omit(): outside templates always; in templates unless the CELOmitFunction feature
    gate (alpha, off by default) is on, which pykro does not assume."""
    if not template:
        return err(
            path,
            f"{fld.written}: omit() can only be used in resource template expressions",
            "omit() removes a template field; conditions and status values cannot be omitted: give it a value.",
        )
    return err(
        path,
        f"{fld.written} uses omit(), which kro v0.9.3 accepts only with its CELOmitFunction feature gate "
        '(alpha, off by default): kro leaves the graph Inactive ("omit() requires the CELOmitFunction '
        'feature gate to be enabled")',
        "Leave the field out another way: give it a value in every case, build its parent object as "
        "${dyn(cond ? {...} : {...})}, or make two resources with opposite includeWhen conditions.",
    )
