"""The Graph IR: a kro ResourceGraphDefinition as typed Python objects, loaded from and saved to RGD YAML exactly."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pykro import _yamlio as yamlio
from pykro._yamlio import copy_data
from pykro.errors import ValidationError
from pykro.graph._depth import check_depth, check_graph_depth
from pykro.graph._structure import RESOURCE_KEYS, SCHEMA_KEYS, check_rgd

if TYPE_CHECKING:
    from pykro.cel import Evaluator
    from pykro.graph._analysis import Analysis

__all__ = ["ForEachDimension", "Graph", "Resource"]

DEFAULT_GROUP = "kro.run"
DEFAULT_SCOPE = "Namespaced"
RGD_API_VERSION = "kro.run/v1alpha1"
RGD_KIND = "ResourceGraphDefinition"


@dataclass(frozen=True)
class ForEachDimension:
    """One forEach axis: the iterator name and its ``${...}`` list expression as written."""

    name: str
    expression: str


@dataclass
class Resource:
    """One entry of ``spec.resources``: a template to create or an externalRef to read."""

    id: str
    template: dict[str, Any] | None = None
    external_ref: dict[str, Any] | None = None
    ready_when: list[str] = field(default_factory=list)
    include_when: list[str] = field(default_factory=list)
    for_each: list[dict[str, str]] = field(default_factory=list)
    written: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def dimensions(self) -> list[ForEachDimension]:
        return [ForEachDimension(name, expr) for dim in self.for_each for name, expr in dim.items()]

    @property
    def is_external(self) -> bool:
        return self.external_ref is not None

    @property
    def is_collection(self) -> bool:
        return bool(self.for_each)

    @property
    def is_external_collection(self) -> bool:
        return self.external_ref is not None and "selector" in (self.external_ref.get("metadata") or {})

    @property
    def body(self) -> dict[str, Any]:
        """The object kro works on: the template, or the externalRef (apiVersion, kind, metadata)."""
        return self.template if self.template is not None else (self.external_ref or {})

    @property
    def api_version(self) -> str:
        return str(self.body.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Resource:
        return cls(
            id=data["id"],
            template=copy_data(data.get("template")),
            external_ref=copy_data(data.get("externalRef")),
            ready_when=list(data.get("readyWhen") or []),
            include_when=list(data.get("includeWhen") or []),
            for_each=[dict(d) for d in data.get("forEach") or []],
            written=tuple(data),
        )

    def to_dict(self, *, copy: bool = True) -> dict[str, Any]:
        """The resource's RGD entry; with ``copy=False`` the template is shared, not copied (for read-only use)."""
        own = copy_data if copy else _shared
        values: dict[str, Any] = {
            "id": self.id,
            "template": own(self.template),
            "externalRef": own(self.external_ref),
            "readyWhen": list(self.ready_when),
            "includeWhen": list(self.include_when),
            "forEach": [dict(d) for d in self.for_each],
        }
        return _ordered(values, self.written, RESOURCE_KEYS, keep=lambda k, v: v not in (None, []) or k == "id")


@dataclass
class Graph:
    """A ResourceGraphDefinition: the instance schema and the resources, in declaration order."""

    name: str
    api_version: str
    kind: str
    group: str = DEFAULT_GROUP
    scope: str = DEFAULT_SCOPE
    spec: dict[str, Any] = field(default_factory=dict)
    types: dict[str, Any] = field(default_factory=dict)
    status: dict[str, Any] = field(default_factory=dict)
    resources: list[Resource] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    schema_extra: dict[str, Any] = field(default_factory=dict)
    metadata_extra: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    source: str | None = field(default=None, compare=False, repr=False)
    written: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, repr=False)

    # ----------------------------------------------------------------------------------------- load / save
    @classmethod
    def from_rgd(cls, obj: dict[str, Any] | str, source: str | None = None, *, validate: bool = True) -> Graph:
        """Load an RGD (a mapping or YAML text); with ``validate`` (the default) reject what kro would reject."""
        data = _parse(obj, source) if isinstance(obj, str) else obj
        check_depth(data, "the RGD", source=source)
        check_rgd(data, source)
        meta = data["metadata"]
        spec = data["spec"]
        schema = spec["schema"]
        graph = cls(
            name=meta["name"],
            api_version=schema["apiVersion"],
            kind=schema["kind"],
            group=schema.get("group", DEFAULT_GROUP),
            scope=schema.get("scope", DEFAULT_SCOPE),
            spec=copy_data(schema.get("spec") or {}),
            types=copy_data(schema.get("types") or {}),
            status=copy_data(schema.get("status") or {}),
            resources=[Resource.from_dict(r) for r in spec.get("resources") or []],
            labels=dict(meta.get("labels") or {}),
            annotations=dict(meta.get("annotations") or {}),
            schema_extra={k: copy_data(v) for k, v in schema.items() if k not in _SCHEMA_FIELDS},
            metadata_extra={k: copy_data(v) for k, v in meta.items() if k not in ("name", "labels", "annotations")},
            extra={k: copy_data(v) for k, v in data.items() if k not in ("apiVersion", "kind", "metadata", "spec")},
            source=source,
            written={
                "root": tuple(data),
                "metadata": tuple(meta),
                "spec": tuple(spec),
                "schema": tuple(schema),
            },
        )
        if validate:
            graph.validate()
        return graph

    @classmethod
    def from_file(cls, path: str, *, validate: bool = True) -> Graph:
        return cls.from_rgd(yamlio.read_user_file(path, what="RGD file"), source=path, validate=validate)

    def to_rgd(self, *, copy: bool = True) -> dict[str, Any]:
        """The RGD as a plain mapping; ``Graph.from_rgd(g.to_rgd()) == g``. With ``copy=False`` it shares this
        graph's data (cheaper for read-only use such as dumping)."""
        own = copy_data if copy else _shared
        never_empty = {"name", "apiVersion", "kind", "spec", "schema", "resources"}

        def keep(key: str, value: Any) -> bool:
            return key in never_empty or value not in (None, {}, [])

        schema_values: dict[str, Any] = {
            "apiVersion": self.api_version,
            "kind": self.kind,
            "group": self.group if ("group" in self.written.get("schema", ()) or self.group != DEFAULT_GROUP) else None,
            "scope": self.scope if ("scope" in self.written.get("schema", ()) or self.scope != DEFAULT_SCOPE) else None,
            "spec": own(self.spec),
            "types": own(self.types),
            "status": own(self.status),
            **own(self.schema_extra),
        }
        schema_order = self.written.get("schema", ())
        schema = _ordered(schema_values, schema_order, SCHEMA_KEYS, keep=lambda k, v: _keep_written(k, v, schema_order))
        spec_values: dict[str, Any] = {"schema": schema, "resources": [r.to_dict(copy=copy) for r in self.resources]}
        spec = _ordered(spec_values, self.written.get("spec", ()), ("schema", "resources"), keep=keep)
        meta_values: dict[str, Any] = {
            "name": self.name,
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
            **own(self.metadata_extra),
        }
        meta = _ordered(meta_values, self.written.get("metadata", ()), ("name", "labels", "annotations"), keep=keep)
        root_values: dict[str, Any] = {
            "apiVersion": RGD_API_VERSION,
            "kind": RGD_KIND,
            "metadata": meta,
            "spec": spec,
            **own(self.extra),
        }
        return _ordered(
            root_values, self.written.get("root", ()), ("apiVersion", "kind", "metadata", "spec"), keep=keep
        )

    def to_yaml(self) -> str:
        return yamlio.dump(self.to_rgd(copy=False))

    # ----------------------------------------------------------------------------------------- derived views
    @property
    def instance_api_version(self) -> str:
        """``group/version`` of the instances, e.g. ``kro.run/v1alpha1``."""
        return f"{self.group}/{self.api_version}"

    @property
    def namespaced(self) -> bool:
        return self.scope != "Cluster"

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.resources]

    def resource(self, resource_id: str) -> Resource:
        for res in self.resources:
            if res.id == resource_id:
                return res
        raise KeyError(resource_id)

    @functools.cached_property
    def openapi(self) -> dict[str, Any]:
        """The instance spec as structural OpenAPI (kro's SimpleSchema transformation of ``spec``/``types``)."""
        from pykro.schema._simple import to_openapi

        try:
            schema: dict[str, Any] = to_openapi(self.spec, types=self.types or None, path="spec.schema.spec")
        except ValidationError as err:
            if not self.source:
                raise
            where = f"{self.source}: {err.where}" if err.where else self.source
            raise ValidationError(err.what, where=where, fix=err.fix) from None
        return schema

    @functools.cached_property
    def analysis(self) -> Analysis:
        """Validation result: parsed expressions, dependencies, topological order (raises ValidationError)."""
        from pykro.graph._analysis import analyse

        return analyse(self)

    @functools.cached_property
    def evaluator(self) -> Evaluator:
        """One CEL evaluator for the whole graph: schema, resource ids, forEach iterators and ``each``."""
        from pykro.cel import Evaluator

        names = {"schema", "each", *self.ids}
        for res in self.resources:
            names.update(d.name for d in res.dimensions)
        return Evaluator(sorted(names))

    def validate(self) -> None:
        """Raise ValidationError (with the YAML path and a fix) for anything kro's graph builder rejects."""
        check_graph_depth(self)
        _ = self.openapi
        _ = self.analysis

    @property
    def dependencies(self) -> dict[str, list[str]]:
        """Resource id -> the ids it depends on (from templates, forEach and includeWhen)."""
        return {node.id: list(node.dependencies) for node in self.analysis.nodes.values()}

    @property
    def topological_order(self) -> list[str]:
        return list(self.analysis.order)

    def deletion_waves(self) -> list[list[str]]:
        """Groups of ids to delete together, dependents before their dependencies."""
        from pykro.graph._dag import deletion_waves

        return deletion_waves(self.dependencies, self.ids)

    def crd(self) -> dict[str, Any]:
        """The CustomResourceDefinition kro generates for the instance kind."""
        from pykro.graph._crd import instance_crd

        return instance_crd(self)


def _shared(value: Any) -> Any:
    return value


_SCHEMA_FIELDS = ("apiVersion", "kind", "group", "scope", "spec", "types", "status")


def _keep_written(key: str, value: Any, written: tuple[str, ...]) -> bool:
    if key in ("apiVersion", "kind"):
        return True
    if key in written:
        return value is not None
    return value not in (None, {}, [])


def _ordered(
    values: dict[str, Any], written: tuple[str, ...], canonical: tuple[str, ...], *, keep: Any
) -> dict[str, Any]:
    """Values in the order they were written, then canonical order, then the rest; dropping what ``keep`` rejects."""
    order = list(dict.fromkeys([*written, *canonical, *values]))
    out: dict[str, Any] = {}
    for key in order:
        if key not in values:
            continue
        value = values[key]
        if key in written or keep(key, value):
            out[key] = value
    return out


def _parse(text: str, source: str | None) -> dict[str, Any]:
    data = yamlio.load_user(text, source or "(input)")  # syntax errors, alias bombs: ValidationError at file:line
    if not isinstance(data, dict):
        raise ValidationError(
            "an RGD must be a YAML mapping",
            where=source,
            fix="The file should start with apiVersion: kro.run/v1alpha1.",
        )
    return data
