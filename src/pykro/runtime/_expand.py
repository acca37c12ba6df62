"""Client-side KRO: expand an instance of a graph against observed objects, the way kro's instance controller
processes its nodes (kro v0.9.3 pkg/runtime and pkg/controller/instance).

For every resource, in topological order: includeWhen (contagious through dependencies), readiness of the
dependencies, evaluation of the template (forEach expanded as a cartesian product), namespace defaulting, kro's
labels, then readiness of the observed object. The instance status is resolved softly and its state and
conditions computed as kro does."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pykro import cel
from pykro.errors import go_quote
from pykro.graph import Field, Graph, Node
from pykro.graph._analysis import COLLECTION, EXTERNAL, EXTERNAL_COLLECTION, MAX_COLLECTION_SIZE
from pykro.graph._secrets import Redactor
from pykro.resources._typing import path_text
from pykro.runtime import _labels as kl
from pykro.runtime import _paths as paths
from pykro.runtime._fill import fill, set_path
from pykro.runtime._instance import prepare_instance
from pykro.runtime._plan import plans, waits_on
from pykro.runtime._status import instance_status

__all__ = [
    "Expansion",
    "ResourceState",
    "applying_pass",
    "expand",
    "expand_applying",
    "expand_prepared",
    "identity",
]

State = Literal["ready", "pending", "skipped", "error"]


@dataclass
class ResourceState:
    """Where one resource stands: ``ready``, ``pending`` (``waiting_on`` ids or data), ``skipped`` or ``error``.

    ``node_state`` is kro's own word for it (SYNCED, IN_PROGRESS, WAITING_FOR_READINESS, SKIPPED, ERROR).
    """

    id: str
    state: State
    node_state: str
    objects: list[dict[str, Any]] = field(default_factory=list)
    waiting_on: list[str] = field(default_factory=list)
    message: str = ""


@dataclass
class Expansion:
    """The result of one expansion: the instance (defaulted, labelled, status filled), the desired objects in apply
    order, and a state per resource in topological order."""

    instance: dict[str, Any]
    objects: list[dict[str, Any]]
    states: dict[str, ResourceState]
    observed: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = self.instance.get("status", {})
        return status

    @property
    def state(self) -> str:
        return str(self.status.get("state", ""))


class _Pending(Exception):
    def __init__(self, on: list[str], message: str) -> None:
        self.on = on
        super().__init__(message)


class _Failed(Exception):
    pass


def expand(
    graph: Graph,
    instance: dict[str, Any],
    observed: dict[str, Any] | None = None,
    *,
    source: str | None = None,
) -> Expansion:
    """Expand ``instance`` of ``graph``; ``observed`` maps resource id -> live object (a list for forEach)."""
    return expand_prepared(graph, prepare_instance(graph, instance, source), observed)


def expand_prepared(graph: Graph, prepared: dict[str, Any], observed: dict[str, Any] | None = None) -> Expansion:
    """:func:`expand` for an instance :func:`prepare_instance` already returned (it is not changed: the expansion's
    instance is a shallow copy with its own ``status``), so repeated passes prepare it once."""
    return _Run(graph, dict(prepared), observed or {}).execute()


Apply = Callable[[dict[str, Any]], dict[str, Any]]


def expand_applying(
    graph: Graph, prepared: dict[str, Any], live: dict[str, Any], apply: Apply
) -> tuple[Expansion, bool]:
    """One reconcile against a cluster that answers at once: every object is applied (``apply(obj) -> live object``)
    as soon as it resolves and observed by the resources after it in the same pass, as kro's controller observes
    what it applied. ``live`` (resource id -> live object, a list for forEach) is updated in place: resolved objects
    are stored, excluded ones dropped. Returns the expansion and whether ``live`` changed."""
    run = applying_pass(graph, prepared, live, apply)
    return run.execute(), run.changed


def applying_pass(graph: Graph, prepared: dict[str, Any], live: dict[str, Any], apply: Apply) -> _Run:
    """The pass :func:`expand_applying` runs, not run yet: ``execute(status=False)`` then ``add_status()`` when its
    result is the one kept (the status feeds nothing back), ``changed`` after it."""
    return _Run(graph, dict(prepared), live, apply)


class _Context:
    """The state of one expansion and the CEL evaluation over it: the context of a set of roots, expressions
    evaluated with kro's pending/failed distinction, and the status fields that resolve now."""

    def __init__(
        self, graph: Graph, instance: dict[str, Any], observed: dict[str, Any], apply: Apply | None = None
    ) -> None:
        self.apply = apply
        self.changed = False
        self.graph = graph
        self.analysis = graph.analysis
        self.evaluator = graph.evaluator
        self.instance = instance
        self.schema_value = {k: v for k, v in instance.items() if k != "status"}
        self.given = observed
        self.observed: dict[str, list[dict[str, Any]] | None] = {}
        self.desired: dict[str, list[dict[str, Any]] | None] = {}
        self.ignored: dict[str, bool] = {}
        self.states: dict[str, ResourceState] = {}
        self.plans = plans(self.analysis)
        self.paths = paths.Resolver(self.evaluator.variables)
        self.labels = kl.child_labels(instance, graph.namespaced, "")
        self._redactor: Redactor | None = None

    # ------------------------------------------------------------------------------------------- evaluation
    def context(self, roots: tuple[str, ...]) -> dict[str, Any]:
        ctx: dict[str, Any] = {}
        for root in roots:
            if root == "schema":
                ctx["schema"] = self.schema_value
            elif root in self.analysis.nodes:
                observed = self.observed.get(root)
                if observed is None:
                    continue
                node = self.analysis.nodes[root]
                ctx[root] = list(observed) if node.type in (COLLECTION, EXTERNAL_COLLECTION) else observed[0]
        return ctx

    def _eval(self, fld: Field, ctx: dict[str, Any], *, pending_on: Sequence[str]) -> Any:
        try:
            if isinstance(fld.parsed, cel.Template):
                return self._template(fld.parsed, fld.cel, ctx)
            return self._evaluate(fld.cel, ctx)
        except cel.CelDataPending as exc:
            raise _Pending(
                list(pending_on),
                f"failed to evaluate expression {fld.written!r}: {self._quiet(exc.what)} (data pending)",
            ) from exc
        except cel.CelError as exc:
            raise _Failed(f"failed to evaluate expression {fld.written!r}: {self._quiet(exc.what)}") from exc

    def _quiet(self, message: str) -> str:
        """A CEL error message without the values of the graph's secret spec fields (engines quote values)."""
        if self._redactor is None:
            self._redactor = Redactor()
            self._redactor.learn_spec(self.graph, self.instance.get("spec") or {})
        return self._redactor.text(message)

    def _template(self, template: cel.Template, concatenation: str, ctx: dict[str, Any]) -> str:
        """A string template's value: the concatenation validation compiled, when it yields a plain string; else
        part by part, which gives kro's error for the part that failed or is not a string."""
        found = paths.template_paths(concatenation, template)
        if found is not None:
            joined = self.paths.template(found, ctx)
            if joined is not paths.DEFER:
                return str(joined)
        try:
            value = self.evaluator.evaluate(concatenation, ctx)
        except cel.CelError:
            value = None
        if isinstance(value, str):
            return value
        parts = [self._evaluate(expr, ctx) for expr in template.expressions]
        return cel.render_template(template, parts)

    def _evaluate(self, expression: str, ctx: dict[str, Any]) -> Any:
        """The engine's value of ``expression``, looked up directly when it is a bare field path (see paths)."""
        keys = paths.bare_path(expression)
        if keys is not None:
            value = self.paths.lookup(keys, ctx)
            if value is not paths.DEFER:
                return value
        return self.evaluator.evaluate(expression, ctx)

    def _certainly_pending(self, fld: Field, ctx: dict[str, Any]) -> bool:
        """True when ``fld`` compiles and its evaluation would certainly be data pending (see paths.pending)."""
        try:
            self.evaluator.compile(fld.cel)
        except cel.CelError:
            return False
        return self.paths.pending(fld.tree, ctx)

    def soft_status(self) -> tuple[dict[str, Any], list[str]]:
        """The status fields whose inputs are all available (kro's soft resolution), and fatal errors.

        As in kro, a resource not observed (not created yet, or excluded by includeWhen) is absent from the
        context: a field that reads it stays unset, one whose evaluation does not reach it (the other branch of a
        ``?:``, the short-circuited side of ``&&``/``||``) resolves."""
        status: dict[str, Any] = {}
        errors: list[str] = []
        for fld in self.analysis.status_fields:
            roots = [r for r in fld.roots if r in self.analysis.nodes or r == "schema"]
            if any(self.observed.get(r) is None for r in roots if r != "schema") and _plain_path(fld.tree):
                continue  # a lone path into a missing resource: certainly pending, no need to evaluate
            ctx = self.context(tuple(roots))
            if self._certainly_pending(fld, ctx):
                continue
            try:
                value = self._eval(fld, ctx, pending_on=roots)
            except _Pending:
                continue
            except _Failed as exc:
                errors.append(f"status.{fld.path_text}: {exc}")
                continue
            where = _non_finite(value)
            if where is not None:
                errors.append(
                    f"status.{path_text((*fld.path, *where))}: evaluated to {_non_finite_text(value, where)}, which "
                    "Kubernetes JSON cannot hold"
                )
                continue
            set_path(status, fld.path, value)
        return status, errors


class _Run(_Context):
    """The pass over the graph: each node in topological order through includeWhen, dependency readiness,
    resolution (forEach collections included), decoration, apply and observed readiness."""

    # ------------------------------------------------------------------------------------------- driver
    def execute(self, *, status: bool = True) -> Expansion:
        """Run the pass; without ``status`` the instance's status is left to :meth:`add_status`."""
        objects: list[dict[str, Any]] = []
        for node_id in self.analysis.order:
            node = self.analysis.nodes[node_id]
            state = self._process(node)
            self.states[node_id] = state
            if node.type not in (EXTERNAL, EXTERNAL_COLLECTION):
                objects.extend(state.objects)
        if status:
            self.add_status()
        return Expansion(instance=self.instance, objects=objects, states=self.states, observed=dict(self.given))

    def add_status(self) -> None:
        """Set the status kro would write after this pass on the instance (the one its Expansion holds)."""
        self.instance["status"] = instance_status(self)

    def _process(self, node: Node) -> ResourceState:
        try:
            if self._is_ignored(node):
                self.observed[node.id] = None
                external = node.type in (EXTERNAL, EXTERNAL_COLLECTION)
                if self.apply is not None and node.id in self.given and not external:
                    del self.given[node.id]
                    self.changed = True
                return ResourceState(node.id, "skipped", "SKIPPED", message="includeWhen evaluated to false")
            desired = self._resolve(node)
        except _Pending as exc:
            return ResourceState(node.id, "pending", "IN_PROGRESS", waiting_on=exc.on, message=str(exc))
        except _Failed as exc:
            return ResourceState(node.id, "error", "ERROR", message=str(exc))
        self.desired[node.id] = desired
        if node.type in (EXTERNAL, EXTERNAL_COLLECTION):
            return self._observe_external(node, desired)
        for i, obj in enumerate(desired):
            self._decorate(node, obj, (i, len(desired)) if node.type == COLLECTION else None)
        if self.apply is not None and desired:
            applied = [self.apply(obj) for obj in desired]
            new: Any = applied if node.type == COLLECTION else applied[0]
            if self.given.get(node.id) != new:
                self.given[node.id] = new
                self.changed = True
        self._observe(node, desired)
        try:
            self._check_observed_readiness(node)
        except _Pending as exc:
            state = "WAITING_FOR_READINESS" if self.observed.get(node.id) else "IN_PROGRESS"
            return ResourceState(node.id, "pending", state, desired, exc.on, str(exc))
        except _Failed as exc:
            return ResourceState(node.id, "error", "ERROR", desired, message=str(exc))
        return ResourceState(node.id, "ready", "SYNCED", desired)

    # ------------------------------------------------------------------------------------------- observation
    def _observe(self, node: Node, desired: list[dict[str, Any]]) -> None:
        live = self.given.get(node.id)
        if live is None:
            # kro lists a collection's items by label: observed, possibly empty (an empty list in the CEL context)
            self.observed[node.id] = [] if node.type == COLLECTION else None
            return
        if node.type == COLLECTION:
            items = live if isinstance(live, list) else [live]
            by_key = {identity(obj): obj for obj in items}
            self.observed[node.id] = [by_key[identity(d)] for d in desired if identity(d) in by_key]
        else:
            self.observed[node.id] = [live[0] if isinstance(live, list) else live]

    def _observe_external(self, node: Node, desired: list[dict[str, Any]]) -> ResourceState:
        live = self.given.get(node.id)
        if node.type == EXTERNAL_COLLECTION:
            self.observed[node.id] = list(live) if isinstance(live, list) else ([live] if live else [])
        elif live is None:
            self.observed[node.id] = None
            return ResourceState(
                node.id,
                "pending",
                "WAITING_FOR_READINESS",
                desired,
                [node.id],
                f'waiting for external reference "{node.id}": not found',
            )
        else:
            self.observed[node.id] = [live[0] if isinstance(live, list) else live]
        try:
            self._check_observed_readiness(node)
        except _Pending as exc:
            return ResourceState(node.id, "pending", "WAITING_FOR_READINESS", desired, exc.on, str(exc))
        except _Failed as exc:
            return ResourceState(node.id, "error", "ERROR", desired, message=str(exc))
        return ResourceState(node.id, "ready", "SYNCED", desired)

    # ------------------------------------------------------------------------------------------- includeWhen
    def _is_ignored(self, node: Node) -> bool:
        if node.id in self.ignored:
            return self.ignored[node.id]
        ignored = any(self.ignored.get(dep, False) for dep in node.dependencies)
        if not ignored and node.include_when:
            refs = {r for fld in node.include_when for r in fld.roots if r in self.analysis.nodes}
            for dep in sorted(refs):
                self._check_observed_readiness(self.analysis.nodes[dep], context=f"includeWhen dependency {dep!r}")
            for fld in node.include_when:
                value = self._eval(fld, self.context(fld.roots), pending_on=sorted(refs) or ["schema"])
                if value is None:
                    value = False
                if not isinstance(value, bool):
                    raise _Failed(f'includeWhen "{fld.cel}" did not return bool')
                if not value:
                    ignored = True
                    break
        self.ignored[node.id] = ignored
        return ignored

    # ------------------------------------------------------------------------------------------- readiness
    def _check_readiness(self, dep_id: str) -> None:
        """Readiness of a dependency for gating: ignored dependencies count as ready."""
        if self.ignored.get(dep_id):
            return
        self._check_observed_readiness(self.analysis.nodes[dep_id])

    def _check_observed_readiness(self, node: Node, context: str = "") -> None:
        prefix = f"{context}: " if context else ""
        observed = self.observed.get(node.id)
        if node.type in (COLLECTION, EXTERNAL_COLLECTION):
            if node.type == COLLECTION:
                desired = self.desired.get(node.id)
                if desired is None:
                    raise _Pending([node.id], f'{prefix}node "{node.id}": collection not computed')
                if not desired:
                    return
                if len(observed or []) < len(desired):
                    raise _Pending(
                        [node.id],
                        f'{prefix}node "{node.id}": collection not ready: observed {len(observed or [])} but desired '
                        f"{len(desired)}",
                    )
            for i, obj in enumerate(observed or []):
                for fld in node.ready_when:
                    self._ready_when(node, fld, {"each": obj}, prefix, f" (item {i})")
            return
        if not observed:
            raise _Pending([node.id], f'{prefix}node "{node.id}": no observed state')
        for fld in node.ready_when:
            self._ready_when(node, fld, {node.id: observed[0]}, prefix, "")

    def _ready_when(self, node: Node, fld: Field, ctx: dict[str, Any], prefix: str, item: str) -> None:
        try:
            value = self._evaluate(fld.cel, ctx)
        except cel.CelDataPending as exc:
            raise _Pending(
                [node.id],
                f'{prefix}node "{node.id}": failed to evaluate readyWhen{"" if item else " expression:"} '
                f"{go_quote(fld.cel)}{item} (waiting for readiness)",
            ) from exc
        except cel.CelError as exc:
            raise _Failed(
                f'node "{node.id}": failed to evaluate readyWhen "{fld.cel}"{item}: {self._quiet(exc.what)}'
            ) from exc
        if not isinstance(value, bool):
            raise _Failed(f'readyWhen "{fld.cel}" did not return bool')
        if not value:
            raise _Pending([node.id], f'{prefix}readyWhen condition evaluated to false: "{fld.cel}"{item}')

    # ------------------------------------------------------------------------------------------- resolution
    def _resolve(self, node: Node) -> list[dict[str, Any]]:
        for dep in node.dependencies:
            try:
                self._check_readiness(dep)
            except _Pending as exc:
                raise _Pending([dep], f'node "{node.id}": dependent node "{dep}" not ready: {exc}') from exc
        planned = self.plans[node.id]
        base_ctx = self.context(planned.base_roots)
        values = {f.path: self._eval(f, base_ctx, pending_on=on) for f, on in planned.base}
        _check_finite(node, values.items())
        if node.type != COLLECTION:
            objects = [fill(node.resource.body, values, planned.targets)]
        else:
            objects = []
            ctx = self.context(planned.iterated_roots)
            for combo in self._combinations(node):
                item_values = dict(values)
                item_ctx = {**ctx, **combo}
                for f, on in planned.iterated:
                    item_values[f.path] = self._eval(f, item_ctx, pending_on=on)
                _check_finite(node, ((f.path, item_values[f.path]) for f, _ in planned.iterated))
                objects.append(fill(node.resource.body, item_values, planned.targets))
            seen: set[str] = set()
            for obj in objects:
                self._normalize_namespace(node, [obj])
                key = identity(obj)
                if key in seen:
                    raise _Failed(f'node "{node.id}" identity collision: duplicate identity: {key}')
                seen.add(key)
        if node.type != EXTERNAL_COLLECTION:
            self._normalize_namespace(node, objects)
        return objects

    def _combinations(self, node: Node) -> list[dict[str, Any]]:
        lists: list[list[Any]] = []
        for name, fld in node.for_each:
            value = self._eval(fld, self.context(fld.roots), pending_on=waits_on(fld, node))
            if value is None:
                raise _Failed(f'forEach "{name}": expression "{fld.cel}" returned null, expected list')
            if not isinstance(value, list):
                raise _Failed(f'forEach "{name}": expression "{fld.cel}" did not return a list')
            if not value:
                return []
            lists.append(value)
        total = 1
        for values in lists:
            total *= len(values)
            if total > MAX_COLLECTION_SIZE:
                raise _Failed(
                    f"collection size of {total} is over the maximum collection size of {MAX_COLLECTION_SIZE}"
                )
        names = node.iterators
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*lists)]

    def _normalize_namespace(self, node: Node, objects: list[dict[str, Any]]) -> None:
        if node.namespaced is False:
            return
        namespace = self.instance["metadata"].get("namespace", "")
        for obj in objects:
            meta = obj.setdefault("metadata", {})
            if meta.get("namespace"):
                continue
            if not namespace:
                raise _Failed(
                    f'node "{node.id}" is namespaced and must resolve metadata.namespace when the instance is '
                    "cluster-scoped"
                )
            meta["namespace"] = namespace

    def _decorate(self, node: Node, obj: dict[str, Any], collection: tuple[int, int] | None) -> None:
        meta = obj.setdefault("metadata", {})
        labels = dict(meta.get("labels") or {})
        labels.update(self.labels)
        labels[kl.NODE_ID] = node.id
        if collection is not None:
            labels[kl.COLLECTION_INDEX] = str(collection[0])
            labels[kl.COLLECTION_SIZE] = str(collection[1])
        meta["labels"] = labels


def _check_finite(node: Node, values: Iterable[tuple[tuple[str | int, ...], Any]]) -> None:
    """A value that is NaN or infinite (e.g. ``0.0/0.0``) -> _Failed naming the field: Kubernetes JSON cannot hold
    it, and a NaN, unequal to itself, would never let a reconcile settle."""
    for path, value in values:
        where = _non_finite(value)
        if where is not None:
            raise _Failed(
                f'node "{node.id}": field {path_text((*path, *where))} evaluated to {_non_finite_text(value, where)}, '
                "which Kubernetes JSON cannot hold"
            )


def _non_finite(value: Any) -> tuple[str | int, ...] | None:
    """The path to the first NaN or infinity in ``value`` (``()`` for the value itself), or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else ()
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _non_finite(item)
        if found is not None:
            return (key, *found)
    return None


def _non_finite_text(value: Any, where: tuple[str | int, ...]) -> str:
    for key in where:
        value = value[key]
    return "NaN" if math.isnan(value) else "+Inf" if value > 0 else "-Inf"


def _plain_path(tree: Any) -> bool:
    """Whether ``tree`` is a field path (``a.b[0].c``) that reads its root whenever it is evaluated."""
    while isinstance(tree, cel._ast.Select | cel._ast.Index) and not tree.optional:
        tree = tree.operand
    return isinstance(tree, cel._ast.Ident)


def identity(obj: dict[str, Any], *, namespace: bool = True) -> str:
    """``apiVersion/kind/namespace/name`` (the namespace left out when ``namespace`` is false)."""
    meta = obj.get("metadata") or {}
    ns = str(meta.get("namespace", "")) if namespace else "*"
    return "/".join((str(obj.get("apiVersion", "")), str(obj.get("kind", "")), ns, str(meta.get("name", ""))))
