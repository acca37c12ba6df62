"""What the apiserver's JSON decoder does to a built-in object, found by walking it beside its kind's schema.

It refuses (400 BadRequest, before any validation, with Go's error text) a quantity `resource.ParseQuantity` cannot
parse and a value of the wrong JSON type for its Go field: a string for an integer, a number for a string, an
object for a list (`json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type
[]v1.Container`). A body that decodes is stored as Go writes it back: every quantity in its canonical form
(`0.5` → `500m`, `1024Mi` → `1Gi`), a null string in a list or map as ""."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pykro.cel._library.base import LibraryError
from pykro.cel._library.quantity import canonical_text, unmarshal
from pykro.schema import _kubernetes as kubernetes

__all__ = ["decode", "decode_metadata"]

_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_TIMES = ("io.k8s.apimachinery.pkg.apis.meta.v1.Time", "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime")

# Go fields of a named type the schema does not name ((struct, JSON field) -> reflect type string)
_NAMED: dict[tuple[str, str], str] = {
    **{(s, "imagePullPolicy"): "v1.PullPolicy" for s in ("Container", "EphemeralContainer")},
    **{(s, "terminationMessagePolicy"): "v1.TerminationMessagePolicy" for s in ("Container", "EphemeralContainer")},
    **{(s, "protocol"): "v1.Protocol" for s in ("ContainerPort", "ServicePort", "EndpointPort", "NetworkPolicyPort")},
    **{
        (s, k): "v1.ResourceList"
        for s in ("ResourceRequirements", "VolumeResourceRequirements")
        for k in ("limits", "requests")
    },
    ("PodSpec", "overhead"): "v1.ResourceList",
    ("PodSpec", "restartPolicy"): "v1.RestartPolicy",
    ("PodSpec", "dnsPolicy"): "v1.DNSPolicy",
    ("PodSpec", "preemptionPolicy"): "v1.PreemptionPolicy",
    ("ServiceSpec", "type"): "v1.ServiceType",
    ("ServiceSpec", "sessionAffinity"): "v1.ServiceAffinity",
    ("ServiceSpec", "externalTrafficPolicy"): "v1.ServiceExternalTrafficPolicy",
    ("ServiceSpec", "internalTrafficPolicy"): "v1.ServiceInternalTrafficPolicy",
    ("ServiceSpec", "ipFamilies"): "[]v1.IPFamily",
    ("ServiceSpec", "ipFamilyPolicy"): "v1.IPFamilyPolicy",
    ("PersistentVolumeClaimSpec", "accessModes"): "[]v1.PersistentVolumeAccessMode",
    ("PersistentVolumeClaimSpec", "volumeMode"): "v1.PersistentVolumeMode",
    ("Secret", "type"): "v1.SecretType",
    ("Capabilities", "add"): "[]v1.Capability",
    ("Capabilities", "drop"): "[]v1.Capability",
    ("Toleration", "operator"): "v1.TolerationOperator",
    ("Toleration", "effect"): "v1.TaintEffect",
    ("HTTPGetAction", "scheme"): "v1.URIScheme",
    ("NodeSelectorRequirement", "operator"): "v1.NodeSelectorOperator",
    ("LabelSelectorRequirement", "operator"): "v1.LabelSelectorOperator",
    ("NamespaceSpec", "finalizers"): "[]v1.FinalizerName",
    ("ObjectMeta", "uid"): "types.UID",
    ("OwnerReference", "uid"): "types.UID",
    ("DeploymentStrategy", "type"): "v1.DeploymentStrategyType",
    ("StatefulSetSpec", "podManagementPolicy"): "v1.PodManagementPolicyType",
    ("StatefulSetUpdateStrategy", "type"): "v1.StatefulSetUpdateStrategyType",
    ("DaemonSetUpdateStrategy", "type"): "v1.DaemonSetUpdateStrategyType",
    ("CronJobSpec", "concurrencyPolicy"): "v1.ConcurrencyPolicy",
    ("JobSpec", "completionMode"): "v1.CompletionMode",
    ("JobSpec", "podReplacementPolicy"): "v1.PodReplacementPolicy",
}


@dataclass
class _State:
    returned: str | None = None  # an error a field's own decoder returned: decoding stops
    saved: str | None = None  # encoding/json's first type error: decoding goes on, then fails with it
    rewrites: list[tuple[Any, Any, str]] = field(default_factory=list)  # (holder, key, text Go stores)


def decode(api_version: str, kind: str, obj: dict[str, Any]) -> str | None:
    """Go's decoding error for this object (None when it decodes; its quantities are then made canonical). An
    error returned by a field's own decoder (Quantity, IntOrString, Time) wins over a type error saved before it,
    as in encoding/json."""
    schema = kubernetes.builtin_schema(api_version, kind)
    if schema is None:
        return None
    state = _State()
    _walk({"": obj}, "", schema, kind, (), state)
    problem = state.returned or state.saved
    if problem is None:
        for holder, key, text in state.rewrites:
            holder[key] = text
    return problem


def decode_metadata(meta: dict[str, Any]) -> str | None:
    """Go's decoding error for a custom resource's metadata, which the apiserver unmarshals into an ObjectMeta on
    its own (so field paths start there: `ObjectMeta.name`); None when it decodes."""
    schema = kubernetes.builtin_schema("v1", "ConfigMap")  # a small slice that holds ObjectMeta
    if schema is None:
        return None
    state = _State()
    _walk({"": meta}, "", schema["properties"]["metadata"], "ObjectMeta", (), state)
    return state.returned or state.saved


def _walk(
    holder: Any,
    key: Any,
    schema: Mapping[str, Any],
    struct: str,
    path: tuple[str, ...],
    st: _State,
    element: str | None = None,
) -> None:
    """Decode ``holder[key]``; ``element``: the Go type of a list item or map value ("" when not known)."""
    value = holder[key]
    if st.returned:
        return
    if value is None:
        if element is not None and "$ref" not in schema and "string" in _types(schema):
            st.rewrites.append((holder, key, ""))  # null into a string list item or map value decodes as ""
        return
    ref = schema.get("$ref")
    name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None
    if name == _QUANTITY:
        try:
            parsed = unmarshal(_literal(value) if isinstance(value, float) else value)
        except LibraryError as err:
            st.returned = str(err)
            return
        text = parsed.kept if parsed.kept is not None else canonical_text(parsed.value, parsed.format)
        st.rewrites.append((holder, key, text))
        return
    if name == _INT_OR_STRING:
        if not isinstance(value, str):
            st.returned = _scalar_error(value, "int32", struct, path)
        return
    if name in _TIMES:  # Time.UnmarshalJSON decodes a string; its type error gets the field's context
        if not isinstance(value, str):
            st.returned = _message(_json_type(value), struct, path, "string")
        return
    go_type = element if element is not None else _NAMED.get((struct, path[-1])) if path else None
    if name is not None:
        schema = kubernetes.resolve(schema)
        go_type = go_type or _type_name(schema, name)
        struct_inside = name.rsplit(".", 1)[-1]
    else:
        struct_inside = struct
    go_type = go_type or _type_name(schema, None)  # "" for a type not known
    if st.saved is None:
        st.saved = _type_error(value, schema, go_type, struct, path)
        if st.saved is not None:
            return  # encoding/json skips a value of the wrong type
    if isinstance(value, dict):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        inner = go_type.removeprefix("map[string]") if go_type.startswith("map[string]") else ""
        for k in value:
            if isinstance(properties, Mapping) and k in properties:
                _walk(value, k, properties[k], struct_inside, (*path, str(k)), st)
            elif isinstance(extra, Mapping):  # a map: its keys are not part of Go's field path
                _walk(value, k, extra, struct_inside, path, st, inner)
    elif isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        inner = go_type.removeprefix("[]") if go_type.startswith("[]") else ""
        for n in range(len(value)):
            _walk(value, n, schema["items"], struct_inside, path, st, inner)


def _types(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type")
    return [declared] if isinstance(declared, str) else list(declared or [])


def _type_name(schema: Mapping[str, Any], name: str | None) -> str:
    """The reflect type string Go names a field's type by (v1.PodSpec, []v1.Container, map[string]string)."""
    if name is not None:
        if name == _QUANTITY:
            return "resource.Quantity"
        if name == _INT_OR_STRING:
            return "intstr.IntOrString"
        if "properties" in schema:
            parts = name.split(".")
            return f"{parts[-2]}.{parts[-1]}"
        return ""
    types = _types(schema)
    if "array" in types and isinstance(schema.get("items"), Mapping):
        items = schema["items"]
        ref = items.get("$ref")
        inner = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None
        return "[]" + _type_name(kubernetes.resolve(items) if inner else items, inner)
    if "object" in types and isinstance(schema.get("additionalProperties"), Mapping):
        extra = schema["additionalProperties"]
        ref = extra.get("$ref")
        inner = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None
        return "map[string]" + _type_name(kubernetes.resolve(extra) if inner else extra, inner)
    if "string" in types:
        return "[]uint8" if schema.get("format") == "byte" else "string"
    if "integer" in types:
        return str(schema.get("format") or "int64")
    if "boolean" in types:
        return "bool"
    return "float64" if "number" in types else ""


def _type_error(value: Any, schema: Mapping[str, Any], go_type: str, struct: str, path: tuple[str, ...]) -> str | None:
    """encoding/json's UnmarshalTypeError for a value its field cannot hold (None if it can)."""
    if not go_type or not path:
        return None
    types = _types(schema)
    if "integer" in types:
        return _scalar_error(value, go_type, struct, path)
    if "boolean" in types:
        return None if isinstance(value, bool) else _message(_json_type(value), struct, path, go_type)
    if "string" in types:
        return None if isinstance(value, str) else _message(_json_type(value), struct, path, go_type)
    if "number" in types:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else _message(_json_type(value), struct, path, go_type)
    if "array" in types:
        return None if isinstance(value, list) else _message(_json_type(value), struct, path, go_type)
    if "object" in types or "properties" in schema:
        return None if isinstance(value, dict) else _message(_json_type(value), struct, path, go_type)
    return None


def _message(what: str, struct: str, path: tuple[str, ...], go_type: str) -> str:
    return f"json: cannot unmarshal {what} into Go struct field {struct}.{'.'.join(path)} of type {go_type}"


_LIMITS = {"int32": 2**31, "int64": 2**63}


def _scalar_error(value: Any, go_type: str, struct: str, path: tuple[str, ...]) -> str | None:
    """encoding/json's UnmarshalTypeError for a value an integer field cannot hold (None if it can)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        what = _json_type(value)
    elif isinstance(value, float) or not -_LIMITS.get(go_type, 2**63) <= value < _LIMITS.get(go_type, 2**63):
        what = f"number {_literal(value)}"
    else:
        return None
    return _message(what, struct, path, go_type)


def _literal(number: int | float) -> str:
    """A JSON number as the body wrote it (kept by the request decoder), else as Python writes it."""
    return str(getattr(number, "literal", None) or repr(number))


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "number"
