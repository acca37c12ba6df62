"""Admission: what the apiserver does to an object before storing it — metadata checks, defaults, schema
validation (CRD openAPIV3Schema or the built-in Kubernetes schema), unknown-field handling (fieldValidation),
CRD names and status, Namespace phase, and Service clusterIP allocation."""

from __future__ import annotations

import base64
import copy
import ipaddress
import json
import random
from collections.abc import Iterable, Mapping
from typing import Any

from pykro._kube import ResourceType
from pykro.emulator._patch import ListKeys
from pykro.emulator._status import StatusError
from pykro.schema._causes import FieldCause, go_quote

__all__ = [
    "Cause",
    "IPAllocator",
    "Undecodable",
    "bad_metadata",
    "builtin_defaults",
    "builtin_unknown_fields",
    "crd_causes",
    "crd_defaults_and_status",
    "decodable",
    "merge_causes",
    "namespace_status",
    "patch_invalid",
    "prune_and_default",
    "schema_causes",
    "service_admission",
    "typed_patch_check",
]

Cause = tuple[str, str, str]  # (field, reason, message prefixed by the field)


def decodable(rt: ResourceType, obj: dict[str, Any]) -> None:
    """What the apiserver's decoder refuses (400) before validation: label and annotation values that are not
    strings, Secret data that is not base64, quantities that do not parse, values of the wrong JSON type. Also
    writes quantities in canonical form and turns a Secret's `stringData` into base64 `data`."""
    meta = obj.get("metadata") or {}
    for key in ("labels", "annotations"):
        values = meta.get(key)
        if isinstance(values, dict):
            for k, value in values.items():
                if value is None:  # encoding/json decodes null into a string as ""
                    values[k] = ""
                elif not isinstance(value, str):
                    raise _undecodable(
                        rt,
                        f"json: cannot unmarshal {_go_type(value)} into Go struct field "
                        f"ObjectMeta.{'' if rt.crd else 'metadata.'}{key} of type string",
                    )
    from pykro.emulator._validation.decoding import decode, decode_metadata

    if rt.crd is None:
        problem = decode(f"{rt.group}/{rt.version}" if rt.group else rt.version, rt.kind, obj)
    else:
        problem = decode_metadata(meta) if isinstance(meta, dict) else None
    if problem:
        raise _undecodable(rt, problem)
    binary = _BINARY_FIELDS.get(rt.kind) if rt.crd is None and rt.group == "" else None
    if binary is not None and isinstance(obj.get(binary), dict):
        for key, value in obj[binary].items():
            problem = _base64_error(value)
            if problem:
                raise _undecodable(rt, problem)
            # stored as decoded bytes: read back in canonical base64 (no line breaks)
            text = str(value).replace("\n", "").replace("\r", "")
            obj[binary][key] = base64.b64encode(base64.b64decode(text)).decode()
    if rt.crd is None and rt.group == "" and rt.kind == "Secret":
        data = obj.get("data")
        strings = obj.pop("stringData", None)
        if isinstance(strings, dict) and strings:
            merged = dict(data) if isinstance(data, dict) else {}
            for key, value in strings.items():
                merged[key] = base64.b64encode(str(value).encode()).decode()
            obj["data"] = merged


_BINARY_FIELDS = {"Secret": "data", "ConfigMap": "binaryData"}  # the []byte maps of the core kinds


def _base64_error(value: Any) -> str | None:
    """Go's error for a value that base64.StdEncoding cannot decode (None when it can): line breaks are skipped,
    the offset is that of the first byte the decoder refuses, or of the end when padding is missing."""
    src = str(value).encode()
    end, si = len(src), 0
    while si < end:
        j = 0
        while j < 4:
            if si == end:
                return f"illegal base64 data at input byte {si - j}"
            ch = src[si]
            si += 1
            if ch in _BASE64_ALPHABET:
                j += 1
                continue
            if ch in b"\r\n":
                continue
            if ch != ord("=") or j < 2:
                return f"illegal base64 data at input byte {si - 1}"
            if j == 2:  # a second "=" must follow
                while si < end and src[si] in b"\r\n":
                    si += 1
                if si == end:
                    return f"illegal base64 data at input byte {end}"
                if src[si] != ord("="):
                    return f"illegal base64 data at input byte {si - 1}"
                si += 1
            while si < end and src[si] in b"\r\n":
                si += 1
            return f"illegal base64 data at input byte {si}" if si < end else None
        while si < end and src[si] in b"\r\n":  # only line breaks left: the decoder stops without error
            si += 1
    return None


_BASE64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "value"


class Undecodable(StatusError):
    """400: the body cannot be decoded into the kind (a PATCH turns it into a 422 on the field "patch")."""

    def __init__(self, rt: ResourceType, why: str) -> None:
        super().__init__(400, f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {why}')
        self.why = why


def bad_metadata(rt: ResourceType, meta: Any) -> StatusError:
    """The answer to a body whose metadata is not an object: Go's type error for a built-in kind."""
    what = "string" if isinstance(meta, str) else _go_type(meta)
    if rt.crd is not None:  # its metadata is unmarshalled on its own
        return Undecodable(rt, f"json: cannot unmarshal {what} into Go value of type v1.ObjectMeta")
    why = f"json: cannot unmarshal {what} into Go struct field {rt.kind}.metadata of type v1.ObjectMeta"
    return Undecodable(rt, why)


def _undecodable(rt: ResourceType, why: str) -> StatusError:
    return Undecodable(rt, why)


def patch_invalid(err: Undecodable, patched: Any, patch: Any, content_type: str) -> StatusError:
    """How the apiserver reports a patch whose result cannot be decoded: 422 on the field "patch", quoting the
    patched object as JSON (json-patch's merge writes its keys sorted), or for a strategic merge patch the patch
    itself as Go's %+v prints a map (apiserver endpoints/handlers/patch.go)."""
    if content_type == "application/strategic-merge-patch+json":
        from pykro.emulator._validation.typed import go_value

        text = go_value(patch)
    else:
        sort = content_type == "application/merge-patch+json"
        text = json.dumps(patched, separators=(",", ":"), sort_keys=sort)
    return StatusError.invalid(
        "", "", "", [("patch", "FieldValueInvalid", f"patch: Invalid value: {go_quote(text)}: {err.why}")]
    )


def typed_patch_check(rt: ResourceType, name: str, body: dict[str, Any], list_keys: ListKeys) -> None:
    """Server-side apply first turns the applied configuration into a typed value of the kind's schema; what cannot
    be typed (an undeclared field, a label that is not a string, two list entries with the same key) is a 500."""
    problem = _untyped(rt, body, list_keys)
    if problem:
        gv = f"{rt.group}/{rt.version}"
        meta = body.get("metadata")
        ns = meta.get("namespace") if isinstance(meta, dict) and isinstance(meta.get("namespace"), str) else ""
        where = f"{ns}/{name}; {gv}, Kind={rt.kind}"  # objectGVKNN of the applied object
        raise StatusError(500, f"failed to create typed patch object ({where}): {problem}", "")


def _untyped(rt: ResourceType, body: dict[str, Any], list_keys: ListKeys) -> str | None:
    meta = body.get("metadata") or {}
    for key in ("labels", "annotations"):
        values = meta.get(key)
        if isinstance(values, dict):
            for k, v in values.items():
                if not isinstance(v, str):
                    return f".metadata.{key}.{k}: expected string, got &value.valueUnstructured{{Value:{v!r}}}"
    if rt.crd is None:
        from pykro.emulator._validation.typed import apply_type_errors

        api_version = f"{rt.group}/{rt.version}" if rt.group else rt.version
        errors = apply_type_errors(api_version, rt.kind, body, list_keys)
        if errors:
            return errors[0] if len(errors) == 1 else "errors:\n" + "\n".join("  " + e for e in errors)
    if rt.crd is None and rt.group == "" and rt.kind == "Secret" and isinstance(body.get("data"), dict):
        for k, v in body["data"].items():
            if _base64_error(v):
                return f".data.{k}: {_base64_error(v)}"
    crd = rt.crd is not None
    dropped = prune_and_default(rt, copy.deepcopy(body))[1] if crd else builtin_unknown_fields(body)
    if dropped:
        return f".{dropped[0]}: field not declared in schema"
    return _duplicate_keys(body, (), list_keys)


def _duplicate_keys(value: Any, path: tuple[str, ...], list_keys: ListKeys) -> str | None:
    if isinstance(value, dict):
        for k, v in value.items():
            found = _duplicate_keys(v, (*path, str(k)), list_keys)
            if found:
                return found
    elif isinstance(value, list) and path and path[-1] != "ports":  # ports: the apiserver keys them by protocol too
        keys = list_keys(path, value)
        if isinstance(keys, list):
            seen: set[str] = set()
            for item in value:
                ident = ",".join(f"{k}={json.dumps(item.get(k))}" for k in keys)
                if ident in seen:
                    return f".{'.'.join(path)}: duplicate entries for key [{ident}]"
                seen.add(ident)
        for n, item in enumerate(value):
            found = _duplicate_keys(item, (*path, str(n)), list_keys)
            if found:
                return found
    return None


def merge_causes(causes: list[Cause], more: Iterable[FieldCause]) -> list[Cause]:
    """`causes` plus the validation causes not already among them (same field and reason); two validation causes
    on one field stay two when their messages differ (a request over its cpu limit and one over its memory limit)."""
    seen = {(f, r) for f, r, _ in causes}
    out = list(causes)
    for c in more:
        if (c.field, c.reason) not in seen and (c.field, c.reason, c.message) not in out:
            out.append((c.field, c.reason, c.message))
    return out


def schema_causes(rt: ResourceType, obj: dict[str, Any], typed_only: bool = False) -> list[Cause]:
    """Validate against the CRD schema (custom kinds) or the Kubernetes OpenAPI schema (built-ins); `typed_only`
    keeps the type errors alone (for the kinds whose own rules in pykro.emulator._validation say the rest)."""
    if rt.crd is not None:
        if rt.schema is None:
            return []
        from pykro.schema import _structural as structural

        found = structural.validate(rt.schema, obj)
    else:
        from pykro.schema import _kubernetes as kubernetes

        found = kubernetes.validate_object(obj, strict=False)
        if typed_only:
            found = [c for c in found if c.reason == "FieldValueTypeInvalid"]
    return [(c.field, c.reason, c.message) for c in found]


def prune_and_default(rt: ResourceType, obj: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """For custom kinds: drop fields the schema does not declare and apply its defaults; returns the object and
    the dotted paths of the dropped fields."""
    if rt.crd is None or rt.schema is None:
        return obj, []
    from pykro.schema import _structural as structural

    pruned = structural.prune(rt.schema, obj)
    dropped = sorted(_dropped(obj, pruned, ""))
    return structural.apply_defaults(rt.schema, pruned), dropped


def builtin_unknown_fields(obj: dict[str, Any]) -> list[str]:
    """Fields of a built-in object that its Kubernetes schema does not declare (for fieldValidation)."""
    from pykro.schema import _kubernetes as kubernetes

    return kubernetes.unknown_fields(obj)


def _dropped(before: Any, after: Any, path: str) -> Iterable[str]:
    if isinstance(before, Mapping):
        for k, v in before.items():
            sub = f"{path}.{k}" if path else str(k)
            if not isinstance(after, Mapping) or k not in after:
                yield sub
            else:
                yield from _dropped(v, after[k], sub)
    elif isinstance(before, list) and isinstance(after, list):
        for n, (b, a) in enumerate(zip(before, after, strict=False)):
            yield from _dropped(b, a, f"{path}[{n}]")


# built-in defaults --------------------------------------------------------------------------------------------
def _container_defaults(c: dict[str, Any]) -> None:
    image = str(c.get("image", ""))
    tag = image.rsplit("/", 1)[-1]
    c.setdefault("imagePullPolicy", "Always" if ":" not in tag or tag.endswith(":latest") else "IfNotPresent")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    for p in c.get("ports") or []:
        if isinstance(p, dict):
            p.setdefault("protocol", "TCP")


def _pod_spec_defaults(spec: dict[str, Any], restart: str = "Always") -> None:
    for key in ("containers", "initContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                _container_defaults(c)
    spec.setdefault("restartPolicy", restart)
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})


def builtin_defaults(kind: str, obj: dict[str, Any]) -> None:
    """The apiserver's defaulting for the common workload kinds (in place)."""
    if kind == "Namespace":  # labelled with its name before validation (so a long name fails on the label too)
        meta = obj["metadata"]
        meta["labels"] = {**(meta.get("labels") or {}), "kubernetes.io/metadata.name": meta.get("name", "")}
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        if kind == "Namespace":
            obj["spec"] = {"finalizers": ["kubernetes"]}
        return
    if kind == "Pod":
        _pod_spec_defaults(spec)
    elif kind in ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job", "ReplicationController"):
        if kind != "DaemonSet" and kind != "Job":
            spec.setdefault("replicas", 1)
        if kind in ("Deployment", "StatefulSet", "DaemonSet"):
            spec.setdefault("revisionHistoryLimit", 10)
        if kind == "Deployment":
            spec.setdefault("progressDeadlineSeconds", 600)
            spec.setdefault(
                "strategy", {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
            )
        if kind == "Job":
            spec.setdefault("backoffLimit", 6)
            spec.setdefault("completions", 1)
            spec.setdefault("parallelism", 1)
        template = spec.get("template")
        if isinstance(template, dict) and isinstance(template.get("spec"), dict):
            _pod_spec_defaults(template["spec"], "Never" if kind == "Job" else "Always")
    elif kind == "CronJob":
        spec.setdefault("concurrencyPolicy", "Allow")
        spec.setdefault("suspend", False)
        spec.setdefault("successfulJobsHistoryLimit", 3)
        spec.setdefault("failedJobsHistoryLimit", 1)
    elif kind == "Namespace":
        spec.setdefault("finalizers", ["kubernetes"])
    elif kind == "PersistentVolumeClaim":
        spec.setdefault("volumeMode", "Filesystem")
    elif kind == "Service":  # a target port of 0 or "" means the port itself (SetDefaults_Service)
        for p in spec.get("ports") or []:
            if (
                isinstance(p, dict)
                and "port" in p
                and p.get("targetPort", 1) in (0, "")
                and p["targetPort"] is not False
            ):
                p["targetPort"] = p["port"]


def namespace_status(obj: dict[str, Any]) -> None:
    """The phase, and the `kubernetes.io/metadata.name` label the apiserver always sets."""
    meta = obj["metadata"]
    meta["labels"] = {**(meta.get("labels") or {}), "kubernetes.io/metadata.name": meta["name"]}
    obj.setdefault("status", {})["phase"] = (
        "Terminating" if obj.get("metadata", {}).get("deletionTimestamp") else "Active"
    )


# CustomResourceDefinitions --------------------------------------------------------------------------------------
def crd_causes(crd: dict[str, Any]) -> list[Cause]:
    """The apiserver's checks on a CRD that would stop it from being served."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    group, plural = spec.get("group", ""), names.get("plural", "")
    causes: list[Cause] = []
    name = crd.get("metadata", {}).get("name", "")
    if name != f"{plural}.{group}":
        causes.append(
            (
                "metadata.name",
                "FieldValueInvalid",
                f'metadata.name: Invalid value: "{name}": must be spec.names.plural+"."+spec.group',
            )
        )
    if not group:
        causes.append(("spec.group", "FieldValueRequired", "spec.group: Required value"))
    for field in ("plural", "kind"):
        if not names.get(field):
            causes.append((f"spec.names.{field}", "FieldValueRequired", f"spec.names.{field}: Required value"))
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        causes.append(
            (
                "spec.scope",
                "FieldValueNotSupported",
                f'spec.scope: Unsupported value: "{spec.get("scope", "")}": supported values: "Cluster", "Namespaced"',
            )
        )
    versions = spec.get("versions") or []
    if not versions:
        causes.append(
            (
                "spec.versions",
                "FieldValueInvalid",
                "spec.versions: Invalid value: null: must have exactly one version marked as storage version",
            )
        )
    elif sum(1 for v in versions if v.get("storage")) != 1:
        causes.append(
            (
                "spec.versions",
                "FieldValueInvalid",
                "spec.versions: Invalid value: "
                f"{_go_list(versions)}: must have exactly one version marked as storage version",
            )
        )
    return causes


def _go_list(versions: list[dict[str, Any]]) -> str:
    return (
        "[]apiextensions.CustomResourceDefinitionVersion{" + ", ".join(f'"{v.get("name", "")}"' for v in versions) + "}"
    )


def crd_defaults_and_status(crd: dict[str, Any], now: str) -> None:
    """Default the names and mark the CRD NamesAccepted and Established (served at once)."""
    spec = crd.setdefault("spec", {})
    names = spec.setdefault("names", {})
    names.setdefault("singular", str(names.get("kind", "")).lower())
    names.setdefault("listKind", f"{names.get('kind', '')}List")
    spec.setdefault("conversion", {"strategy": "None"})
    storage = [v["name"] for v in spec.get("versions") or [] if v.get("storage")]
    previous = (crd.get("status") or {}).get("storedVersions") or []
    stored = list(previous) + [v for v in storage if v not in previous]
    crd["status"] = {
        "acceptedNames": dict(names),
        "conditions": [
            {
                "type": "NamesAccepted",
                "status": "True",
                "lastTransitionTime": now,
                "reason": "NoConflicts",
                "message": "no conflicts found",
            },
            {
                "type": "Established",
                "status": "True",
                "lastTransitionTime": now,
                "reason": "InitialNamesAccepted",
                "message": "the initial names have been accepted",
            },
        ],
        "storedVersions": stored,
    }


# Services -------------------------------------------------------------------------------------------------------
class IPAllocator:
    """Cluster IPs from a service CIDR (10.96.0.0/12 by default), unique, deterministic under a seed."""

    def __init__(self, seed: int, cidr: str = "10.96.0.0/12") -> None:
        self.net = ipaddress.ip_network(cidr)
        self.rng = random.Random(seed)
        self.used: set[str] = {str(self.net.network_address + 1)}  # the `kubernetes` service's address
        self.node_ports: set[int] = set()

    def allocate(self, wanted: str | None = None) -> str:
        if wanted:
            try:
                ip = ipaddress.ip_address(wanted)
            except ValueError:
                raise StatusError(
                    422, f'spec.clusterIP: Invalid value: "{wanted}": must be a valid IP address', "Invalid"
                ) from None
            if ip not in self.net or wanted in self.used:
                why = (
                    "provided IP is already allocated"
                    if wanted in self.used
                    else (f"the provided IP ({wanted}) is not in the valid range. The range of valid IPs is {self.net}")
                )
                raise StatusError(
                    422,
                    f'spec.clusterIPs: Invalid value: ["{wanted}"]: failed to allocate IP {wanted}: {why}',
                    "Invalid",
                )
            self.used.add(wanted)
            return wanted
        size = self.net.num_addresses
        while True:
            candidate = str(self.net.network_address + self.rng.randrange(2, size - 1))
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate

    def allocate_node_port(self) -> int:
        while True:
            port = self.rng.randrange(30000, 32768)
            if port not in self.node_ports:
                self.node_ports.add(port)
                return port

    def release(self, service: Mapping[str, Any]) -> None:
        spec = service.get("spec") or {}
        for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]:
            self.used.discard(str(ip))
        for p in spec.get("ports") or []:
            if isinstance(p, dict) and "nodePort" in p:
                self.node_ports.discard(p["nodePort"])

    def restore(self, service: Mapping[str, Any]) -> None:
        spec = service.get("spec") or {}
        ip = spec.get("clusterIP")
        if ip and ip != "None":
            self.used.add(str(ip))
        for p in spec.get("ports") or []:
            if isinstance(p, dict) and "nodePort" in p:
                self.node_ports.add(int(p["nodePort"]))


def service_admission(svc: dict[str, Any], old: dict[str, Any] | None, ips: IPAllocator, dry_run: bool) -> None:
    """Default a Service and allocate its clusterIP (kept on update, "None" for headless) and node ports."""
    spec = svc.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    for p in spec.get("ports") or []:
        if isinstance(p, dict):
            p.setdefault("protocol", "TCP")
            if "port" in p:
                p.setdefault("targetPort", p["port"])
    if spec["type"] == "ExternalName":
        return
    old_spec = (old or {}).get("spec") or {}
    old_ip = old_spec.get("clusterIP")
    wanted = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
    if old_ip:
        if wanted and wanted != old_ip:
            raise StatusError(
                422, f'spec.clusterIPs[0]: Invalid value: ["{wanted}"]: may not change once set', "Invalid"
            )
        ip = old_ip
    elif wanted == "None":
        ip = "None"
    elif dry_run:
        ip = wanted or ""
    else:
        ip = ips.allocate(wanted)
    if ip:
        spec["clusterIP"] = ip
        spec["clusterIPs"] = [ip]
    if ip != "None":
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
        old_ports = {
            (p.get("port"), p.get("protocol", "TCP")): p.get("nodePort")
            for p in old_spec.get("ports") or []
            if isinstance(p, dict)
        }
        for p in spec.get("ports") or []:
            if isinstance(p, dict) and "nodePort" not in p:
                kept = old_ports.get((p.get("port"), p.get("protocol", "TCP")))
                p["nodePort"] = kept if kept else (0 if dry_run else ips.allocate_node_port())
