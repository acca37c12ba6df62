"""Built-in Kubernetes kinds at one pinned version: their JSON schemas, validation and discovery metadata.

Schemas come from the JSON schema bundle of the installed ``kubernetes-validate`` package (Kubernetes 1.35);
each kind's validator is compiled once with jsonschema-rs and cached. A command that only needs a few kinds reads
per-kind slices of the bundle (the definitions a kind reaches, and its template schema) from a disk cache
(``$XDG_CACHE_HOME/pykro``) keyed on the SHA-256 of the bundle, this module and the Python version, so it never
parses the whole 1.5 MB bundle; anything not in a loaded slice falls back to the whole bundle. The resource table
(plural, scope, verbs, short names, categories) is derived from the bundle's group/version/kind list at first use;
only the exceptions to the rules (cluster scope, short names, restricted verbs) are spelled out here.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

import jsonschema_rs

from pykro import _diskcache
from pykro import _memo as memo
from pykro._kube import VERBS, split_api_version
from pykro.schema import _causes as c
from pykro.schema import _ints, _quantity
from pykro.schema._causes import FieldCause, go_number, go_quote
from pykro.schema._ints import bounded

__all__ = [
    "KUBERNETES_VERSION",
    "VALUE_RULES",
    "ResourceInfo",
    "builtin_resources",
    "builtin_schema",
    "definitions",
    "is_builtin",
    "plural_of",
    "preferred_version",
    "resolve",
    "resource_by_plural",
    "resource_for",
    "scope_of",
    "split_api_version",
    "template_validator",
    "unknown_fields",
    "validate_object",
]

KUBERNETES_VERSION: Final = "1.35"


def _bundle() -> Path:
    """The Kubernetes JSON schemas kubernetes-validate ships, found without importing it (it imports jsonschema)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or spec.origin is None:  # pragma: no cover - a declared dependency
        raise ImportError("pykro needs the kubernetes-validate package (its Kubernetes schemas): pip install pykro")
    return Path(spec.origin).parent / "kubernetes-json-schema" / "v1.35.0-local"


_BUNDLE: Final = _bundle()
_DEFINITIONS_URI: Final = "https://kubernetes.io/api/_definitions.json"

# Kinds that are not REST resources of their own (meta types and subresource bodies).
_NOT_RESOURCES: Final = frozenset(
    {"APIGroup", "APIGroupList", "APIResourceList", "APIVersions", "DeleteOptions", "Status", "WatchEvent"}
    | {"Scale", "Eviction", "TokenRequest"}
)
_CLUSTER_SCOPED: Final = frozenset(
    {
        "APIService",
        "CertificateSigningRequest",
        "ClusterRole",
        "ClusterRoleBinding",
        "ClusterTrustBundle",
        "ComponentStatus",
        "CSIDriver",
        "CSINode",
        "CustomResourceDefinition",
        "DeviceClass",
        "DeviceTaintRule",
        "FlowSchema",
        "IngressClass",
        "IPAddress",
        "MutatingAdmissionPolicy",
        "MutatingAdmissionPolicyBinding",
        "MutatingWebhookConfiguration",
        "Namespace",
        "Node",
        "PersistentVolume",
        "PriorityClass",
        "PriorityLevelConfiguration",
        "ResourceSlice",
        "RuntimeClass",
        "SelfSubjectAccessReview",
        "SelfSubjectReview",
        "SelfSubjectRulesReview",
        "ServiceCIDR",
        "StorageClass",
        "StorageVersion",
        "StorageVersionMigration",
        "SubjectAccessReview",
        "TokenReview",
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration",
        "VolumeAttachment",
        "VolumeAttributesClass",
    }
)
_SHORT_NAMES: Final = {
    "ComponentStatus": ("cs",),
    "ConfigMap": ("cm",),
    "Endpoints": ("ep",),
    "Event": ("ev",),
    "LimitRange": ("limits",),
    "Namespace": ("ns",),
    "Node": ("no",),
    "PersistentVolumeClaim": ("pvc",),
    "PersistentVolume": ("pv",),
    "Pod": ("po",),
    "ReplicationController": ("rc",),
    "ResourceQuota": ("quota",),
    "ServiceAccount": ("sa",),
    "Service": ("svc",),
    "CustomResourceDefinition": ("crd", "crds"),
    "DaemonSet": ("ds",),
    "Deployment": ("deploy",),
    "ReplicaSet": ("rs",),
    "StatefulSet": ("sts",),
    "HorizontalPodAutoscaler": ("hpa",),
    "CronJob": ("cj",),
    "CertificateSigningRequest": ("csr",),
    "Ingress": ("ing",),
    "NetworkPolicy": ("netpol",),
    "PodDisruptionBudget": ("pdb",),
    "PriorityClass": ("pc",),
    "StorageClass": ("sc",),
    "IPAddress": ("ip",),
    "VolumeAttributesClass": ("vac",),
}
_CATEGORY_ALL: Final = frozenset(
    {"Pod", "Service", "ReplicationController", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"}
    | {"HorizontalPodAutoscaler", "CronJob", "Job"}
)
_VERBS: Final = {
    "Binding": ("create",),
    "ComponentStatus": ("get", "list"),
    "LocalSubjectAccessReview": ("create",),
    "SelfSubjectAccessReview": ("create",),
    "SelfSubjectReview": ("create",),
    "SelfSubjectRulesReview": ("create",),
    "SubjectAccessReview": ("create",),
    "TokenReview": ("create",),
}
_IRREGULAR_PLURALS: Final = {"Endpoints": "endpoints"}
_VERSION_RE: Final = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?\Z")


@dataclass(frozen=True)
class ResourceInfo:
    """Discovery facts about one served group/version/kind."""

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    verbs: tuple[str, ...]
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def scope(self) -> Literal["Namespaced", "Cluster"]:
        return "Namespaced" if self.namespaced else "Cluster"


def plural_of(kind: str) -> str:
    """The resource (plural) name of a kind: the built-in one, else the apiserver's guess from the kind."""
    if kind in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[kind]
    singular = kind.lower()
    if singular.endswith("s"):
        return singular + "es"
    if singular.endswith("y"):
        return singular[:-1] + "ies"
    return singular + "s"


def _version_rank(version: str) -> tuple[int, int, int]:
    """Sort key: GA before beta before alpha, then higher numbers first (as the apiserver orders versions)."""
    match = _VERSION_RE.match(version)
    if not match:
        return (3, 0, 0)
    major, stage, minor = match.groups()
    return ({None: 0, "beta": 1, "alpha": 2}[stage], -int(major), -int(minor or 0))


@cache
def _definitions_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((_BUNDLE / "_definitions.json").read_text(encoding="utf-8"))
    return doc


class _Definitions(Mapping[str, Any]):
    """The bundle's definitions: those of the kind slices loaded so far, else (any other name, or iterating) the
    whole bundle, parsed on first need."""

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        found = self.known.get(name)
        return found if found is not None else _definitions_doc()["$defs"][name]

    def __iter__(self) -> Iterator[str]:
        return iter(_definitions_doc()["$defs"])

    def __len__(self) -> int:
        return len(_definitions_doc()["$defs"])


_DEFINITIONS: Final = _Definitions()


def definitions() -> Mapping[str, Any]:
    """Every definition of the bundle by its OpenAPI name (``io.k8s.api.apps.v1.Deployment`` ...)."""
    return _DEFINITIONS


def _cache_root() -> Path | None:
    return _diskcache.root("kubernetes-schema")


@cache
def _cache_dir() -> Path | None:
    """This bundle's slice cache, named by the bundle and the modules whose code and rules make the slices."""
    return _diskcache.folder(
        _cache_root(), _BUNDLE / "_definitions.json", Path(__file__), Path(_quantity.__file__), Path(_ints.__file__)
    )


def _cached(name: str, make: Any) -> Any:
    """The JSON value cached as ``name`` in the slice cache, else ``make()`` (see `pykro._diskcache`)."""
    return _diskcache.cached(_cache_dir(), name, make)


@cache
def _gvk_index() -> dict[tuple[str, str, str], str]:
    rows = _cached("index", lambda: [[*gvk, name] for gvk, name in _make_gvk_index().items()])
    return {(group, version, kind): name for group, version, kind, name in rows}


def _make_gvk_index() -> dict[tuple[str, str, str], str]:
    index: dict[tuple[str, str, str], str] = {}
    for name, schema in _definitions_doc()["$defs"].items():
        gvks = schema.get("x-kubernetes-group-version-kind") or []
        if len(gvks) != 1 or name.endswith("List"):
            continue
        gvk = gvks[0]
        if gvk["kind"] in _NOT_RESOURCES:
            continue
        index[(gvk["group"], gvk["version"], gvk["kind"])] = name
    return index


@cache
def builtin_resources() -> tuple[ResourceInfo, ...]:
    """Every built-in resource of the pinned Kubernetes version, in a stable order."""
    out = []
    for group, version, kind in sorted(_gvk_index(), key=lambda k: (k[0], _version_rank(k[1]), k[2])):
        out.append(
            ResourceInfo(
                group=group,
                version=version,
                kind=kind,
                plural=plural_of(kind),
                singular=kind.lower(),
                namespaced=kind not in _CLUSTER_SCOPED,
                verbs=_VERBS.get(kind, VERBS),
                short_names=_SHORT_NAMES.get(kind, ()) if not (kind == "Event" and group) else (),
                categories=("all",) if kind in _CATEGORY_ALL else (),
            )
        )
    return tuple(out)


@cache
def _by_gvk() -> dict[tuple[str, str, str], ResourceInfo]:
    return {(r.group, r.version, r.kind): r for r in builtin_resources()}


@cache
def _by_plural() -> dict[tuple[str, str, str], ResourceInfo]:
    return {(r.group, r.version, r.plural): r for r in builtin_resources()}


def resource_for(api_version: str, kind: str) -> ResourceInfo | None:
    group, version = split_api_version(api_version)
    return _by_gvk().get((group, version, kind))


def resource_by_plural(group: str, version: str, plural: str) -> ResourceInfo | None:
    return _by_plural().get((group, version, plural))


def preferred_version(group: str) -> str | None:
    """The version the apiserver prefers for a built-in group (GA over beta over alpha, newest first)."""
    versions = {r.version for r in builtin_resources() if r.group == group}
    return min(versions, key=_version_rank) if versions else None


def is_builtin(api_version: str, kind: str) -> bool:
    return resource_for(api_version, kind) is not None


def scope_of(api_version: str, kind: str) -> Literal["Namespaced", "Cluster"] | None:
    info = resource_for(api_version, kind)
    return info.scope if info else None


def builtin_schema(api_version: str, kind: str) -> dict[str, Any] | None:
    """The kind's JSON schema; nested ``$ref``s (``#/$defs/<name>``) are followed with ``resolve``."""
    group, version = split_api_version(api_version)
    name = _gvk_index().get((group, version, kind))
    return dict(_kind_slice(name)["defs"][name]) if name else None


def resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a ``$ref`` (keeping sibling keys such as ``description``); other schemas come back unchanged."""
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    target = definitions()[ref.rsplit("/", 1)[-1]]
    return {**target, **{k: v for k, v in schema.items() if k != "$ref"}}


@cache
def _registry() -> Any:
    return jsonschema_rs.Registry([(_DEFINITIONS_URI, bounded(_definitions_doc()))])


@memo.cached(maxsize=1024)
def _validator(group: str, version: str, kind: str, strict: bool) -> Any:
    """The compiled validator of one kind (with the range of int32 and int64 fields); the strict bundle adds
    ``additionalProperties: false`` everywhere."""
    name = _gvk_index()[(group, version, kind)]
    if strict:
        return jsonschema_rs.validator_for({"$ref": f"{_STRICT_URI}#/$defs/{name}"}, registry=_strict_registry())
    return jsonschema_rs.validator_for({"$ref": f"{_DEFINITIONS_URI}#/$defs/{name}"}, registry=_registry())


_STRICT_URI: Final = "https://kubernetes.io/api-strict/_definitions.json"
_NONNEGATIVE: Final = (0, None)
_PORT: Final = (1, 65535)
_PORT_OR_ZERO: Final = (0, 65535)
# Value rules of the API server's validation code that the OpenAPI schema does not state: definition -> field ->
# (minimum, maximum). Only rules that hold on every cluster (none depends on a feature gate).
VALUE_RULES: Final[dict[str, dict[str, tuple[int, int | None]]]] = {
    "io.k8s.api.apps.v1.DeploymentSpec": dict.fromkeys(
        ("replicas", "minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"), _NONNEGATIVE
    ),
    "io.k8s.api.apps.v1.StatefulSetSpec": dict.fromkeys(
        ("replicas", "minReadySeconds", "revisionHistoryLimit"), _NONNEGATIVE
    ),
    "io.k8s.api.apps.v1.ReplicaSetSpec": dict.fromkeys(("replicas", "minReadySeconds"), _NONNEGATIVE),
    "io.k8s.api.core.v1.ReplicationControllerSpec": dict.fromkeys(("replicas", "minReadySeconds"), _NONNEGATIVE),
    "io.k8s.api.apps.v1.DaemonSetSpec": dict.fromkeys(("minReadySeconds", "revisionHistoryLimit"), _NONNEGATIVE),
    "io.k8s.api.batch.v1.JobSpec": dict.fromkeys(
        ("parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished"), _NONNEGATIVE
    ),
    "io.k8s.api.batch.v1.CronJobSpec": dict.fromkeys(
        ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"), _NONNEGATIVE
    ),
    "io.k8s.api.core.v1.Probe": dict.fromkeys(
        ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"),
        _NONNEGATIVE,
    ),
    "io.k8s.api.core.v1.ContainerPort": {"containerPort": _PORT, "hostPort": _PORT_OR_ZERO},
    "io.k8s.api.core.v1.ServicePort": {"port": _PORT, "nodePort": _PORT_OR_ZERO, "targetPort": _PORT_OR_ZERO},
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec": {"maxReplicas": (1, None)},
    "io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec": {"maxReplicas": (1, None)},
}


# What the API server parses as a resource.Quantity
QUANTITY: Final = "io.k8s.apimachinery.pkg.api.resource.Quantity"


QUANTITY_PATTERN: Final = _quantity.quantity_pattern()

# What Go's encoding/json decodes into []byte (``format: byte``: Secret data, ConfigMap binaryData): base64 text.
BASE64_PATTERN: Final = r"^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"


def _base64(schema: Any) -> Any:
    """``schema`` with a base64 ``pattern`` on every ``format: byte`` string."""
    if isinstance(schema, dict):
        out = {key: _base64(value) for key, value in schema.items()}
        return {**out, "pattern": BASE64_PATTERN} if out.get("format") == "byte" else out
    if isinstance(schema, list):
        return [_base64(value) for value in schema]
    return schema


@cache
def _strict_doc() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        (_BUNDLE.parent / "v1.35.0-local-strict" / "_definitions.json").read_text(encoding="utf-8")
    )
    return doc


@cache
def _strict_registry() -> Any:
    return jsonschema_rs.Registry([(_STRICT_URI, bounded({**_strict_doc(), "$id": _STRICT_URI}))])


def _strict(schema: Any) -> Any:
    """``schema`` with ``additionalProperties: false`` on every object that lists its properties (what the strict
    bundle of kubernetes-validate does)."""
    if isinstance(schema, dict):
        out = {key: _strict(value) for key, value in schema.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_strict(value) for value in schema]
    return schema


@memo.cached(maxsize=1024)
def _refs(name: str) -> tuple[str, ...]:
    """The definitions one definition refers to directly."""
    found: list[str] = []
    stack: list[Any] = [definitions()[name]]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.append(ref.rsplit("/", 1)[-1])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return tuple(dict.fromkeys(found))


@memo.cached(maxsize=1024)
def template_validator(api_version: str, kind: str) -> Any:
    """The validator pykro checks templates and rendered objects with: strict (unknown fields are errors), with
    :data:`VALUE_RULES` and with the range of int32 and int64 fields; None when the kind is not built in. Compiled
    from the definitions the kind reaches only."""
    group, version = split_api_version(api_version)
    name = _gvk_index().get((group, version, kind))
    if name is None:
        return None
    return jsonschema_rs.validator_for(_kind_slice(name)["template"])


@cache
def _kind_slice(name: str) -> dict[str, Any]:
    """The slice of the bundle for the kind defined as ``name``: ``defs``, the definitions it reaches (made known to
    :func:`definitions`), and ``template``, the schema of :func:`template_validator`."""
    found: dict[str, Any] = _cached(name, lambda: _make_slice(name))
    _DEFINITIONS.known.update(found["defs"])
    return found


def _make_slice(name: str) -> dict[str, Any]:
    defs = _definitions_doc()["$defs"]
    needed, stack = {name}, [name]
    while stack:
        for ref in _refs(stack.pop()):
            if ref not in needed:
                needed.add(ref)
                stack.append(ref)
    template = {}
    for each in sorted(needed):
        definition = bounded(_base64(_strict(defs[each])))
        rules = VALUE_RULES.get(each)
        if rules:
            properties = dict(definition["properties"])
            for key, (low, high) in rules.items():
                bounds = {"minimum": low} if high is None else {"minimum": low, "maximum": high}
                properties[key] = {"allOf": [properties[key], bounds]}
            definition["properties"] = properties
        if each == QUANTITY:  # the bundle only says "string or number"
            definition = {"allOf": [definition, {"pattern": QUANTITY_PATTERN}]}
        template[each] = definition
    schema = {"$schema": _definitions_doc().get("$schema"), "$defs": template, "$ref": f"#/$defs/{name}"}
    return {"defs": {each: defs[each] for each in sorted(needed)}, "template": schema}


def _field(path: list[str | int]) -> str:
    out = ""
    for part in path:
        out = f"{out}[{part}]" if isinstance(part, int) else (f"{out}.{part}" if out else str(part))
    return out


def validate_object(obj: Mapping[str, Any], *, strict: bool = True) -> list[FieldCause]:
    """Validate a built-in object against its kind's schema; an empty list means valid.

    Objects whose apiVersion/kind is not built in are not checked here (see ``is_builtin``). With ``strict``,
    unknown fields are causes too (``unknown field "spec.foo"``), as ``fieldValidation=Strict`` reports them.
    """
    group, version = split_api_version(str(obj.get("apiVersion", "")))
    kind = str(obj.get("kind", ""))
    if (group, version, kind) not in _gvk_index():
        return []
    validator = _validator(group, version, kind, strict)
    if validator.is_valid(obj):
        return []
    return [cause for error in validator.iter_errors(obj) for cause in _to_causes(error)]


def unknown_fields(obj: Mapping[str, Any]) -> list[str]:
    """Paths of the fields a built-in kind's schema does not declare (``spec.foo``), sorted."""
    group, version = split_api_version(str(obj.get("apiVersion", "")))
    kind = str(obj.get("kind", ""))
    if (group, version, kind) not in _gvk_index():
        return []
    validator = _validator(group, version, kind, True)
    paths: list[str] = []
    for error in validator.iter_errors(obj):
        if type(error.kind).__name__ == "AdditionalProperties":
            base = _field(list(error.instance_path))
            paths.extend(f"{base}.{name}" if base else name for name in error.kind.unexpected)
    return sorted(paths)


def _types(declared: Any) -> str:
    names = [declared] if isinstance(declared, str) else list(declared)
    return ",".join(n for n in names if n != "null")


def _to_causes(error: Any) -> list[FieldCause]:
    kind = error.kind
    name = type(kind).__name__
    path = _field(list(error.instance_path))
    value = error.instance
    if name == "Type":
        actual = c.json_type(value)
        detail = f"{path} in body must be of type {_types(kind.types)}: {go_quote(actual)}"
        return [c.cause(c.TYPE_INVALID, path, actual, detail)]
    if name == "Required":
        return [c.required(f"{path}.{kind.property}" if path else str(kind.property))]
    if name == "AdditionalProperties":
        fields = [f"{path}.{u}" if path else str(u) for u in kind.unexpected]
        return [c.cause(c.INVALID, f, detail=f"unknown field {go_quote(f)}") for f in fields]
    if name == "Enum":
        return [c.not_supported(path, value, list(kind.options))]
    if name == "MaxLength":
        return [c.too_long(path, int(kind.limit))]
    if name == "MinLength":
        return [c.invalid(path, value, f"{path} in body should be at least {kind.limit} chars long")]
    if name == "Pattern":
        return [c.invalid(path, value, f"{path} in body should match '{kind.pattern}'")]
    if name == "MaxItems":
        return [c.too_many(path, len(value), int(kind.limit))]
    if name == "MinItems":
        return [c.invalid(path, len(value), f"{path} in body should have at least {kind.limit} items")]
    if name in ("Minimum", "Maximum", "ExclusiveMinimum", "ExclusiveMaximum"):
        word = {
            "Minimum": "greater than or equal to",
            "Maximum": "less than or equal to",
            "ExclusiveMinimum": "greater than",
            "ExclusiveMaximum": "less than",
        }[name]
        return [c.invalid(path, value, f"{path} in body should be {word} {go_number(kind.limit)}")]
    if name in ("OneOfNotValid", "AnyOf"):
        return [c.cause(c.TYPE_INVALID, path, c.json_type(value), f"{path} in body {_alternatives(error)}")]
    return [c.invalid(path, value, str(error.message))]


def _alternatives(error: Any) -> str:
    """Describe a failed ``oneOf`` of types (int-or-string, quantity) the way a type error reads."""
    types: list[str] = []
    for branch in getattr(error.kind, "context", None) or ():
        for sub in branch:
            if type(sub.kind).__name__ == "Type":
                types.append(_types(sub.kind.types))
    actual = go_quote(c.json_type(error.instance))
    if types:
        return f"must be of type {','.join(types)}: {actual}"
    return f"must validate one and only one schema (oneOf): {actual}"
