"""CustomResource: a CustomResourceDefinition with Celestra's names.

``CustomResource("my-app").api_version("mycompany.com/v1").kind("CustomApp").schema_properties({...})`` makes the
CRD ``customapps.mycompany.com`` (plural: the kind in lower case plus ``s`` unless ``plural()`` says otherwise).
Operators, webhooks and conversion servers are programs pykro does not run: those methods raise.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from pykro.authoring._location import fail
from pykro.authoring._resource import ResourceRef, resource
from pykro.builders._base import Builder, builder_method, dns_name, items, mapping, text, unsupported
from pykro.simple._values import compact, metadata

__all__ = ["CRDScope", "CustomResource"]

_KIND: Final = re.compile(r"^[A-Z][A-Za-z0-9]{0,62}\Z")
_VERSION: Final = re.compile(r"^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?\Z")
_COLUMN_TYPES: Final = ("integer", "number", "string", "boolean", "date")
_NO_OPERATOR = "pykro does not run operators, webhooks or conversion servers"
_OPERATOR_INSTEAD = "your operator's own deployment (an App), and kro for the resources it manages"


class CRDScope(enum.Enum):
    NAMESPACED = "Namespaced"
    CLUSTER = "Cluster"


class CustomResource(Builder):
    """An apiextensions.k8s.io/v1 CustomResourceDefinition of one version, with a structural schema."""

    def __init__(self, name: Any) -> None:
        super().__init__(name)
        self._group: Any = None
        self._version = "v1"
        self._kind: Any = None
        self._plural: Any = None
        self._scope = CRDScope.NAMESPACED
        self._names: dict[str, list[str]] = {}
        self._spec: dict[str, Any] = {"type": "object"}
        self._preserve = False
        self._subresources: dict[str, Any] = {}
        self._columns: list[dict[str, Any]] = []

    @builder_method
    def api_version(self, version: str) -> CustomResource:
        """``group/version`` (``mycompany.com/v1``): the CRD's group and version."""
        if not isinstance(version, str) or version.count("/") != 1:
            raise fail(f"api_version {version!r} must be group/version", "Write 'mycompany.com/v1'.")
        group, number = version.split("/")
        return self.group(group).version(number)

    @builder_method
    def group(self, group: str) -> CustomResource:
        self._group = dns_name(group, "group")
        if "." not in group:
            raise fail(f"group {group!r} must be a domain with a dot", "Write 'mycompany.com'.")
        return self

    @builder_method
    def version(self, version: str) -> CustomResource:
        if not isinstance(version, str) or not _VERSION.match(version):
            raise fail(f"version {version!r} is not a Kubernetes API version", "Write 'v1', 'v1beta1' or 'v2alpha1'.")
        self._version = version
        return self

    @builder_method
    def kind(self, kind: str) -> CustomResource:
        if not isinstance(kind, str) or not _KIND.match(kind):
            raise fail(f"kind {kind!r} must be CamelCase letters and digits", "Write 'CustomApp'.")
        self._kind = kind
        return self

    @builder_method
    def plural(self, plural: str) -> CustomResource:
        self._plural = dns_name(plural, "plural", label=True)
        return self

    @builder_method
    def scope(self, scope: CRDScope | str) -> CustomResource:
        """``CRDScope.NAMESPACED`` (default) or ``CRDScope.CLUSTER``."""
        try:
            self._scope = CRDScope(scope.value if isinstance(scope, CRDScope) else scope)
        except ValueError:
            raise fail(f"scope {scope!r} must be Namespaced or Cluster", "Use CRDScope.NAMESPACED.") from None
        return self

    @builder_method
    def short_names(self, names: Sequence[str]) -> CustomResource:
        self._names["shortNames"] = [dns_name(n, "short name", label=True) for n in items(names, "short_names")]
        return self

    @builder_method
    def categories(self, categories: Sequence[str]) -> CustomResource:
        self._names["categories"] = [dns_name(c, "category", label=True) for c in items(categories, "categories")]
        return self

    @builder_method
    def schema_properties(self, properties: Mapping[str, Any]) -> CustomResource:
        """The ``spec`` properties, as OpenAPI v3 schemas (``{"replicas": {"type": "integer"}}``)."""
        for key, schema in mapping(properties, "schema_properties").items():
            if not isinstance(schema, Mapping) or ("type" not in schema and "x-kubernetes-int-or-string" not in schema):
                raise fail(f"schema_properties: {key!r} needs a type", f'Write {{"{key}": {{"type": "string"}}}}.')
        self._spec["properties"] = {**self._spec.get("properties", {}), **properties}
        return self

    @builder_method
    def schema_required(self, fields: Sequence[str]) -> CustomResource:
        self._spec["required"] = [text(f, "required field") for f in items(fields, "schema_required")]
        return self

    @builder_method
    def preserve_unknown_fields(self, enabled: bool = True) -> CustomResource:
        """Keep fields the schema does not describe (x-kubernetes-preserve-unknown-fields on spec)."""
        if not isinstance(enabled, bool):
            raise fail(f"preserve_unknown_fields() takes True or False, got {enabled!r}")
        self._preserve = enabled
        return self

    @builder_method
    def status_subresource(self, enabled: bool = True) -> CustomResource:
        if enabled:
            self._subresources["status"] = {}
        else:
            self._subresources.pop("status", None)
        return self

    @builder_method
    def scale_subresource(
        self, spec_replicas_path: str = ".spec.replicas", status_replicas_path: str = ".status.replicas"
    ) -> CustomResource:
        for path in (spec_replicas_path, status_replicas_path):
            if not isinstance(path, str) or not path.startswith("."):
                raise fail(f"scale_subresource path {path!r} must be a JSON path such as '.spec.replicas'")
        self._subresources["scale"] = {
            "specReplicasPath": spec_replicas_path,
            "statusReplicasPath": status_replicas_path,
        }
        return self

    @builder_method
    def add_printer_column(self, name: str, type: str, json_path: str, description: Any = None) -> CustomResource:
        """A ``kubectl get`` column: its name, type (integer, number, string, boolean, date) and JSON path."""
        if type not in _COLUMN_TYPES:
            raise fail(f"printer column type {type!r} must be one of {', '.join(_COLUMN_TYPES)}")
        if not isinstance(json_path, str) or not json_path.startswith("."):
            raise fail(f"printer column json_path {json_path!r} must start with '.'", "Write '.spec.replicas'.")
        self._columns.append(
            compact(name=text(name, "column name"), type=type, jsonPath=json_path, description=description)
        )
        return self

    @builder_method
    def printer_columns(self, columns: Sequence[Mapping[str, Any]]) -> CustomResource:
        """Several columns as ``{"name", "type", "json_path"}`` dicts."""
        for column in items(columns, "printer_columns"):
            given = mapping(column, "printer column")
            self.add_printer_column(
                given.get("name", ""), given.get("type", ""), given.get("json_path", ""), given.get("description")
            )
        return self

    namespace = unsupported("namespace", "a CustomResourceDefinition is cluster-wide", "scope(CRDScope.NAMESPACED)")
    webhook_validation = unsupported(
        "webhook_validation", _NO_OPERATOR, "schema_properties() (checked by the API server)"
    )
    webhook_url = unsupported("webhook_url", _NO_OPERATOR, "schema_properties() (checked by the API server)")
    conversion_enabled = unsupported("conversion_enabled", _NO_OPERATOR, "one version per CRD")
    conversion_strategy = unsupported("conversion_strategy", _NO_OPERATOR, "one version per CRD")
    operator_enabled = unsupported("operator_enabled", _NO_OPERATOR, _OPERATOR_INSTEAD)
    operator_finalizers = unsupported("operator_finalizers", _NO_OPERATOR, _OPERATOR_INSTEAD)
    operator_reconcile_period = unsupported("operator_reconcile_period", _NO_OPERATOR, _OPERATOR_INSTEAD)

    def _make(self) -> list[ResourceRef]:
        if self._group is None or self._kind is None:
            raise fail(
                f"CustomResource {self._name!r} needs a group and a kind", "Call .api_version('x.com/v1').kind('X')."
            )
        plural = self._plural or f"{self._kind.lower()}s"
        spec_schema = dict(self._spec)
        if self._preserve:
            spec_schema["x-kubernetes-preserve-unknown-fields"] = True
        schema = {
            "type": "object",
            "properties": {
                "spec": spec_schema,
                "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
        }
        version = compact(
            name=self._version,
            served=True,
            storage=True,
            schema={"openAPIV3Schema": schema},
            subresources=dict(self._subresources) or None,
            additionalPrinterColumns=[dict(c) for c in self._columns] or None,
        )
        names = {"plural": plural, "singular": self._kind.lower(), "kind": self._kind, **self._names}
        obj = {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": metadata(f"{plural}.{self._group}", None, self._meta()["labels"], self._meta()["annotations"]),
            "spec": {"group": self._group, "names": names, "scope": self._scope.value, "versions": [version]},
        }
        return [resource(obj)]
