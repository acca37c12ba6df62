"""Typed models of the LynqHub and LynqForm fields Lynq documents (``operator.lynq.sh/v1``), strict: a field Lynq
does not define, or a value its CRD schema refuses, stops loading with the file, the YAML path and how to fix it.

Fields pykro reads but cannot honour are refused in `pykro.hub.lynq._convert` (each with its reason); the test
``tests/hub/test_lynq_load.py`` checks every field of Lynq's CRD schemas is either modelled here or refused."""

from __future__ import annotations

import typing
from typing import Any, Literal, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from pykro.errors import PykroError
from pykro.graph._naming import did_you_mean

__all__ = [
    "API_VERSION",
    "RESOURCE_LISTS",
    "FormDoc",
    "FormSpec",
    "HubDoc",
    "HubSpec",
    "TResource",
    "parse",
]

API_VERSION = "operator.lynq.sh/v1"
M = TypeVar("M", bound="BaseModel")

# LynqForm list field → the kind Lynq expects in it (None: any kind, ``manifests``).
RESOURCE_LISTS: dict[str, str | None] = {
    "serviceAccounts": "ServiceAccount",
    "deployments": "Deployment",
    "statefulSets": "StatefulSet",
    "daemonSets": "DaemonSet",
    "services": "Service",
    "ingresses": "Ingress",
    "configMaps": "ConfigMap",
    "secrets": "Secret",
    "persistentVolumeClaims": "PersistentVolumeClaim",
    "jobs": "Job",
    "cronJobs": "CronJob",
    "podDisruptionBudgets": "PodDisruptionBudget",
    "networkPolicies": "NetworkPolicy",
    "horizontalPodAutoscalers": "HorizontalPodAutoscaler",
    "namespaces": "Namespace",
    "manifests": None,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=False)


class Metadata(_Strict):
    name: str = Field(min_length=1)
    namespace: str | None = None
    labels: dict[str, str] = {}
    annotations: dict[str, str] = {}


class PasswordRef(_Strict):
    name: str = Field(min_length=1)
    key: str = Field(min_length=1)


class MySQL(_Strict):
    host: str = Field(min_length=1)
    port: int = Field(default=3306, ge=1, le=65535)
    username: str = Field(min_length=1)
    passwordRef: PasswordRef | None = None
    database: str = Field(min_length=1)
    table: str = Field(min_length=1)


class Source(_Strict):
    type: Literal["mysql"]
    syncInterval: str = "30s"
    mysql: MySQL | None = None


class ValueMappings(_Strict):
    uid: str = Field(min_length=1)
    activate: str = Field(min_length=1)
    hostOrUrl: str | None = None


class HubSpec(_Strict):
    source: Source
    valueMappings: ValueMappings
    extraValueMappings: dict[str, str] = {}


class HubDoc(_Strict):
    apiVersion: Literal["operator.lynq.sh/v1"]
    kind: Literal["LynqHub"]
    metadata: Metadata
    spec: HubSpec


class TResource(_Strict):
    """One resource of a LynqForm (Lynq's ``TResource``)."""

    id: str = Field(min_length=1)
    spec: dict[str, Any]
    nameTemplate: str = ""
    labelsTemplate: dict[str, str] = {}
    annotationsTemplate: dict[str, str] = {}
    targetNamespace: str = ""
    dependIds: list[str] = []
    skipOnDependencyFailure: bool = True
    waitForReady: bool = True
    timeoutSeconds: int = Field(default=300, ge=1, le=3600)
    creationPolicy: Literal["Once", "WhenNeeded"] = "WhenNeeded"
    deletionPolicy: Literal["Delete", "Retain"] = "Delete"
    conflictPolicy: Literal["Stuck", "Force"] = "Stuck"
    patchStrategy: Literal["apply", "merge", "replace"] = "apply"
    ignoreFields: list[str] = []


class Rollout(_Strict):
    maxSkew: int = Field(default=0, ge=0)
    progressDeadlineSeconds: int = Field(default=600, ge=60, le=3600)


class FormSpec(_Strict):
    hubId: str = Field(min_length=1)
    rollout: Rollout | None = None
    serviceAccounts: list[TResource] = []
    deployments: list[TResource] = []
    statefulSets: list[TResource] = []
    daemonSets: list[TResource] = []
    services: list[TResource] = []
    ingresses: list[TResource] = []
    configMaps: list[TResource] = []
    secrets: list[TResource] = []
    persistentVolumeClaims: list[TResource] = []
    jobs: list[TResource] = []
    cronJobs: list[TResource] = []
    podDisruptionBudgets: list[TResource] = []
    networkPolicies: list[TResource] = []
    horizontalPodAutoscalers: list[TResource] = []
    namespaces: list[TResource] = []
    manifests: list[TResource] = []

    def resources(self) -> list[tuple[str, int, TResource]]:
        """(list field, index, resource) of every resource, in Lynq's order."""
        return [(name, i, res) for name in RESOURCE_LISTS for i, res in enumerate(getattr(self, name))]


class FormDoc(_Strict):
    apiVersion: Literal["operator.lynq.sh/v1"]
    kind: Literal["LynqForm"]
    metadata: Metadata
    spec: FormSpec


_FIXES = {
    "extra_forbidden": "Remove it or check its spelling against Lynq's API reference (docs/hub.md lists the fields).",
    "missing": "Add it.",
    "literal_error": "Use one of the values named.",
    "string_type": "Write text (quote it).",
    "int_type": "Write a whole number.",
    "bool_type": "Write true or false.",
    "dict_type": "Write a mapping.",
    "list_type": "Write a list.",
    "model_type": "Write a mapping.",
}


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fields_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The field names of the model at ``loc`` below ``model`` (none where no model is)."""
    current: Any = model
    for part in loc:
        if isinstance(part, str) and isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is None:
                return []
            current = field.annotation
        elif isinstance(part, int) and typing.get_origin(current) is list:
            current = typing.get_args(current)[0]
        else:
            return []
        args = [a for a in typing.get_args(current) if a is not type(None)]
        if typing.get_origin(current) not in (list, dict) and len(args) == 1:  # X | None
            current = args[0]
    return list(current.model_fields) if isinstance(current, type) and issubclass(current, BaseModel) else []


def parse(model: type[M], data: Any, where: str) -> M:
    """``data`` read as ``model``; the first problem as a PykroError naming ``where`` and the YAML path. An unknown
    field comes first (a misspelt required field is also a missing one: the misspelling is the problem), with the
    closest field name."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        path = _path(tuple(err["loc"]))
        kind = err["type"]
        found = err.get("input")
        shown = "" if isinstance(found, dict | list) else repr(found)[:80]
        fix = _FIXES.get(kind, "See Lynq's API reference.")
        if kind == "extra_forbidden":
            name = str(err["loc"][-1])
            what = f"unknown field {name!r}"
            known = _fields_at(model, tuple(err["loc"][:-1]))
            hint = did_you_mean(name, known)
            if hint:
                fix = hint.strip() + " (see Lynq's API reference; docs/hub.md lists the fields pykro reads)"
            elif known:
                fix = f"Remove it, or use one of: {', '.join(known)}."
        elif kind == "missing":
            what = "required field missing"
        elif kind == "literal_error":
            what = f"{shown} is not a {err['loc'][-1]!s} Lynq knows"
            fix = f"Use {err.get('ctx', {}).get('expected', 'one of the values Lynq documents')}."
            if path == "spec.source.type":
                fix = "Write type: mysql (Lynq's only source); to read SQLite or PostgreSQL, give pykro --source URL."
        else:
            what = f"{err['msg']}" + (f" (found {shown})" if shown else "")
        raise PykroError(what, where=f"{where}: {path}", fix=fix) from None
