"""Structural checks of an RGD object, equivalent to the openAPIV3Schema of kro's ResourceGraphDefinition CRD
(what the API server enforces before kro sees the object). Unknown keys where the CRD would prune them are rejected
with a did-you-mean, so a typo such as ``readywhen`` is not silently dropped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pykro._kube import DNS1035_LABEL
from pykro.errors import ValidationError
from pykro.graph._naming import (
    API_VERSION_RULE,
    GROUP_RULE,
    SUBDOMAIN_RULE,
    did_you_mean,
    is_dns_subdomain,
    is_valid_group,
    is_valid_version,
)

__all__ = ["RESOURCE_KEYS", "SCHEMA_KEYS", "check_rgd"]

_KIND = re.compile(r"^[A-Z][a-zA-Z0-9]{0,62}\Z")

SPEC_KEYS = ("schema", "resources")
SCHEMA_KEYS = (
    "apiVersion",
    "kind",
    "group",
    "scope",
    "spec",
    "types",
    "status",
    "additionalPrinterColumns",
    "metadata",
    "categories",
    "shortNames",
)
RESOURCE_KEYS = ("id", "template", "externalRef", "readyWhen", "includeWhen", "forEach")
_PRINTER_COLUMN_KEYS = ("name", "type", "jsonPath", "description", "format", "priority")
_EXTERNAL_REF_KEYS = ("apiVersion", "kind", "metadata")
_EXTERNAL_META_KEYS = ("name", "namespace", "selector")
_SELECTOR_KEYS = ("matchLabels", "matchExpressions")


def _fail(path: str, what: str, fix: str, source: str | None) -> ValidationError:
    where = f"{source}: {path}" if source else path
    return ValidationError(what, where=where, fix=fix)


class _Checker:
    def __init__(self, source: str | None) -> None:
        self.source = source

    def fail(self, path: str, what: str, fix: str) -> ValidationError:
        return _fail(path, what, fix, self.source)

    def mapping(self, value: Any, path: str, fix: str = "Write a mapping (key: value) here.") -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, f"must be an object, got {_type_name(value)}", fix)
        return value

    def keys(self, value: Mapping[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for key in value:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed)
                raise self.fail(
                    f"{path}.{key}",
                    f"unknown field {key!r}",
                    f"Allowed fields here: {', '.join(allowed)}.{hint}",
                )

    def string(self, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise self.fail(path, f"must be a string, got {_type_name(value)}", "Quote the value.")
        return value

    def string_list(self, value: Any, path: str) -> list[str]:
        if not isinstance(value, list):
            raise self.fail(path, f"must be a list of strings, got {_type_name(value)}", "Write a YAML list.")
        for i, item in enumerate(value):
            self.string(item, f"{path}[{i}]")
        return value

    def string_map(self, value: Any, path: str) -> None:
        for key, item in self.mapping(value, path).items():
            self.string(item, f"{path}.{key}")


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def check_rgd(obj: Any, source: str | None = None) -> None:
    """Raise ValidationError for the first way ``obj`` violates kro's RGD CRD schema."""
    c = _Checker(source)
    root = c.mapping(obj, "(document)", "An RGD is a YAML mapping with apiVersion, kind, metadata and spec.")
    if root.get("apiVersion") != "kro.run/v1alpha1" or root.get("kind") != "ResourceGraphDefinition":
        raise c.fail(
            "apiVersion",
            f"not a ResourceGraphDefinition (apiVersion={root.get('apiVersion')!r}, kind={root.get('kind')!r})",
            "Use apiVersion: kro.run/v1alpha1 and kind: ResourceGraphDefinition.",
        )
    meta = c.mapping(root.get("metadata"), "metadata", "Give the RGD a metadata.name.")
    if not isinstance(meta.get("name"), str) or not meta["name"]:
        raise c.fail("metadata.name", "is required", "Set metadata.name to a DNS-1123 name such as my-app.")
    if not is_dns_subdomain(meta["name"]):
        raise c.fail(
            "metadata.name",
            f"{meta['name']!r} is not a valid Kubernetes name: it must be {SUBDOMAIN_RULE}",
            "The API server rejects it; use a name such as my-app.",
        )
    for key in ("labels", "annotations"):
        if key in meta:
            c.string_map(meta[key], f"metadata.{key}")
    if "spec" not in root:
        raise c.fail("spec", "is required", "Add a spec with a schema and resources.")
    spec = c.mapping(root["spec"], "spec")
    c.keys(spec, SPEC_KEYS, "spec")
    if "schema" not in spec:
        raise c.fail("spec.schema", "is required", "Add spec.schema with apiVersion and kind of the instance.")
    _check_schema(c, spec["schema"])
    resources = spec.get("resources")
    if resources is None:
        return
    if not isinstance(resources, list):
        raise c.fail("spec.resources", f"must be a list, got {_type_name(resources)}", "Write a YAML list.")
    for i, res in enumerate(resources):
        _check_resource(c, res, f"spec.resources[{i}]")


def _check_schema(c: _Checker, value: Any) -> None:
    path = "spec.schema"
    schema = c.mapping(value, path)
    c.keys(schema, SCHEMA_KEYS, path)
    for key in ("apiVersion", "kind"):
        if key not in schema:
            raise c.fail(f"{path}.{key}", "is required", "Set the instance's apiVersion (v1alpha1) and kind.")
    api_version = c.string(schema["apiVersion"], f"{path}.apiVersion")
    if not is_valid_version(api_version):
        raise c.fail(
            f"{path}.apiVersion",
            f"{api_version!r} does not match {API_VERSION_RULE}",
            "Write only the version, such as v1alpha1 (the group goes in spec.schema.group).",
        )
    kind = c.string(schema["kind"], f"{path}.kind")
    if not _KIND.match(kind):
        raise c.fail(
            f"{path}.kind",
            f"{kind!r} does not match ^[A-Z][a-zA-Z0-9]{{0,62}}$",
            "Use an UpperCamelCase kind such as WebApp.",
        )
    if "group" in schema:
        group = c.string(schema["group"], f"{path}.group")
        if not is_valid_group(group):
            raise c.fail(
                f"{path}.group", f"{group!r} is not {GROUP_RULE}", "Use a domain you own, such as example.com."
            )
    if "scope" in schema and schema["scope"] not in ("Namespaced", "Cluster"):
        raise c.fail(f"{path}.scope", f"must be Namespaced or Cluster, got {schema['scope']!r}", "Pick one of the two.")
    for key in ("spec", "types", "status"):
        if key in schema and schema[key] is not None:
            c.mapping(schema[key], f"{path}.{key}")
    if "metadata" in schema:
        meta = c.mapping(schema["metadata"], f"{path}.metadata")
        c.keys(meta, ("labels", "annotations"), f"{path}.metadata")
        for key in ("labels", "annotations"):
            if key in meta:
                c.string_map(meta[key], f"{path}.metadata.{key}")
    for key in ("categories", "shortNames"):
        if key in schema:
            names = c.string_list(schema[key], f"{path}.{key}")
            if len(names) > 32 or len(set(names)) != len(names):
                raise c.fail(f"{path}.{key}", "must hold at most 32 distinct names", "Remove duplicates.")
            for i, name in enumerate(names):
                if len(name) > 63 or not DNS1035_LABEL.match(name):
                    raise c.fail(f"{path}.{key}[{i}]", f"{name!r} is not a lower-case DNS label", "Use e.g. web-app.")
    if "additionalPrinterColumns" in schema:
        columns = schema["additionalPrinterColumns"]
        if not isinstance(columns, list):
            raise c.fail(f"{path}.additionalPrinterColumns", "must be a list", "Write a YAML list of columns.")
        for i, column in enumerate(columns):
            cpath = f"{path}.additionalPrinterColumns[{i}]"
            col = c.mapping(column, cpath)
            c.keys(col, _PRINTER_COLUMN_KEYS, cpath)
            for key in ("name", "type", "jsonPath"):
                if key not in col:
                    raise c.fail(f"{cpath}.{key}", "is required", "Each column needs name, type and jsonPath.")
                c.string(col[key], f"{cpath}.{key}")
            if "priority" in col and (not isinstance(col["priority"], int) or isinstance(col["priority"], bool)):
                raise c.fail(f"{cpath}.priority", "must be an integer", "Use 0 for the default view.")


def _check_resource(c: _Checker, value: Any, path: str) -> None:
    res = c.mapping(value, path, "Each resource is a mapping with an id and a template or externalRef.")
    c.keys(res, RESOURCE_KEYS, path)
    if "id" not in res:
        raise c.fail(f"{path}.id", "is required", "Give the resource a lowerCamelCase id such as deployment.")
    c.string(res["id"], f"{path}.id")
    has_template, has_ref = "template" in res, "externalRef" in res
    if has_template == has_ref:
        raise c.fail(
            path,
            "exactly one of template or externalRef must be provided",
            "Keep either the template (a resource to create) or the externalRef (an existing one to read).",
        )
    if has_template:
        c.mapping(res["template"], f"{path}.template", "A template is a Kubernetes object (apiVersion, kind, ...).")
    else:
        _check_external_ref(c, res["externalRef"], f"{path}.externalRef")
    for key in ("readyWhen", "includeWhen"):
        if key in res:
            c.string_list(res[key], f"{path}.{key}")
    if "forEach" in res:
        dims = res["forEach"]
        if not isinstance(dims, list):
            raise c.fail(f"{path}.forEach", "must be a list", "Write e.g. forEach: [{region: ${schema.spec.regions}}].")
        for i, dim in enumerate(dims):
            dpath = f"{path}.forEach[{i}]"
            entry = c.mapping(dim, dpath)
            if len(entry) != 1:
                raise c.fail(
                    dpath,
                    f"must have exactly one entry (iterator: expression), got {len(entry)}",
                    "Put each iterator in its own list item.",
                )
            for key, expr in entry.items():
                c.string(expr, f"{dpath}.{key}")


def _check_external_ref(c: _Checker, value: Any, path: str) -> None:
    ref = c.mapping(value, path)
    c.keys(ref, _EXTERNAL_REF_KEYS, path)
    for key in _EXTERNAL_REF_KEYS:
        if key not in ref:
            raise c.fail(f"{path}.{key}", "is required", "An externalRef needs apiVersion, kind and metadata.")
    c.string(ref["apiVersion"], f"{path}.apiVersion")
    c.string(ref["kind"], f"{path}.kind")
    meta = c.mapping(ref["metadata"], f"{path}.metadata")
    c.keys(meta, _EXTERNAL_META_KEYS, f"{path}.metadata")
    if ("name" in meta) == ("selector" in meta):
        raise c.fail(
            f"{path}.metadata",
            "exactly one of name or selector must be provided",
            "Name one object, or select a collection with a label selector.",
        )
    if "name" in meta and not c.string(meta["name"], f"{path}.metadata.name"):
        raise c.fail(f"{path}.metadata.name", "must not be empty", "Name the object to read.")
    if "namespace" in meta:
        c.string(meta["namespace"], f"{path}.metadata.namespace")
    if "selector" in meta:
        spath = f"{path}.metadata.selector"
        selector = c.mapping(meta["selector"], spath)
        c.keys(selector, _SELECTOR_KEYS, spath)
        if "matchLabels" in selector:
            c.string_map(selector["matchLabels"], f"{spath}.matchLabels")
        if "matchExpressions" in selector:
            exprs = selector["matchExpressions"]
            if not isinstance(exprs, list):
                raise c.fail(f"{spath}.matchExpressions", "must be a list", "Write a YAML list.")
            for i, expr in enumerate(exprs):
                epath = f"{spath}.matchExpressions[{i}]"
                item = c.mapping(expr, epath)
                c.keys(item, ("key", "operator", "values"), epath)
                for key in ("key", "operator"):
                    if key not in item:
                        raise c.fail(f"{epath}.{key}", "is required", "Each expression needs key and operator.")
                    c.string(item[key], f"{epath}.{key}")
                if "values" in item:
                    c.string_list(item["values"], f"{epath}.values")
