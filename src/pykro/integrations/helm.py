"""Helm charts inside a composition, the Flux way: ``helm_release(...)`` adds a Flux ``HelmRepository`` (the chart's
source) and a ``HelmRelease`` (the chart installed with ``values``) to the graph. Values may hold spec references and
other resources' fields (they become CEL); values that are secrets go through a Secret (``secret_values``) or come
from existing Secrets (``values_from``), never into the HelmRelease in plain text. Both objects are the typed kinds of
:mod:`pykro.integrations.flux` (templates checked against Flux's CRDs); the release is ready as that class says: its
``Ready`` condition is True for its current generation (helm-controller's contract)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import SecretStr

from pykro.authoring._escape import concat, expr
from pykro.authoring._helpers import and_
from pykro.authoring._location import fail
from pykro.authoring._refs import Ref, is_ref
from pykro.authoring._resource import ResourceRef
from pykro.crds import _readiness as readiness
from pykro.crds import condition_true
from pykro.integrations.flux import HelmRelease, HelmRepository

HELM_RELEASE_API = HelmRelease.definition.api_version
HELM_REPOSITORY_API = HelmRepository.definition.api_version
DEFAULT_INTERVAL = "5m"
_TARGET_PATH = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\Z")


def ready_condition(rid: str) -> Ref:
    """``Ready`` is True for the object's current generation (the conditions convention of :mod:`pykro.crds`)."""
    ref: Ref = expr(readiness.bind(condition_true("Ready", generation=True), rid), bool)
    return ref


def is_ready(res: ResourceRef) -> Any:
    """True when ``res`` is ready as its graph node says (every ``readyWhen`` it has now: a typed kind's own rules,
    e.g. a HelmRelease Ready at its current generation), or, for a resource without any, when its ``Ready`` condition
    is True: a bool reference, typed ``Any`` so that it fits ``bool`` status fields."""
    rid = _id_of(res)
    if not res.ready:
        return ready_condition(rid)
    return and_(*(lambda cond=cond: cond for cond in res.ready))


def _id_of(res: ResourceRef) -> str:
    if res.id is None:
        raise fail(f"this {res.kind} has no id, so nothing can refer to it", "Create it inside a @composition.")
    return res.id


def helm_repository(
    name: Any,
    url: str,
    *,
    namespace: Any = None,
    interval: str = DEFAULT_INTERVAL,
    annotations: Mapping[str, Any] | None = None,
    id: str | None = None,
) -> ResourceRef:
    """A Flux ``HelmRepository`` (``oci://`` URLs make an OCI repository); no ``readyWhen``."""
    if not isinstance(url, str) or not re.match(r"(https?|oci)://\S+\Z", url):
        raise fail(
            f"helm repository URL {url!r} is not an http(s):// or oci:// URL",
            "Pass repo='https://charts.example.com' or repo='oci://ghcr.io/org/charts'.",
        )
    spec: Any = {"interval": interval, "url": url}  # checked against the CRD when the graph is built
    if url.startswith("oci://"):
        spec["type"] = "oci"
    # no readyWhen: the release may be applied before the source is fetched (helm-controller waits for it), and
    # offline renders need not wait for it either
    return HelmRepository(name, spec=spec, namespace=namespace, annotations=annotations, id=id, ready_when=None)


def helm_release(
    name: Any,
    *,
    chart: str | None = None,
    repo: str | ResourceRef | None = None,
    version: Any = None,
    values: Mapping[str, Any] | None = None,
    secret_values: Mapping[str, Any] | None = None,
    values_from: Sequence[Mapping[str, Any]] = (),
    namespace: Any = None,
    target_namespace: Any = None,
    create_namespace: bool = False,
    interval: str = DEFAULT_INTERVAL,
    annotations: Mapping[str, Any] | None = None,
    id: str | None = None,
) -> ResourceRef:
    """Install ``chart`` from ``repo`` (a URL, or a ``helm_repository(...)``) as the Helm release ``name``.

    ``values`` go into the HelmRelease (references allowed); ``secret_values`` (``{"a.b": value}``, dotted value
    paths) go into a Secret ``<name>-values`` that the release reads with ``valuesFrom``; ``values_from`` adds
    entries read from existing Secrets/ConfigMaps (``{"kind": "Secret", "name": ..., "valuesKey": ...,
    "targetPath": ...}``). ``target_namespace`` installs the chart elsewhere (``create_namespace`` creates it).
    Returns the HelmRelease; its ``.status`` fields are typed references."""
    if not chart or not isinstance(chart, str):
        raise fail(
            f"helm_release({_shown(name)}) needs a chart",
            "Pass chart='name-of-the-chart' (and repo='https://...' or 'oci://...').",
        )
    if repo is None:
        raise fail(
            f"helm_release({_shown(name)}) of chart {chart!r} needs repo=",
            "Pass repo='https://charts.example.com' (or 'oci://...'), or a helm_repository(...).",
        )
    if version is not None and not is_ref(version) and (not isinstance(version, str) or not version.strip()):
        raise fail(f"helm_release({_shown(name)}): version must be a non-empty string", "E.g. version='1.2.3'.")
    if values is not None and not isinstance(values, Mapping):
        raise fail(f"helm_release({_shown(name)}): values must be a mapping", "Pass values={'key': ...}.")
    secret = _secret_path(values or {})
    if secret is not None:
        raise fail(
            f"helm_release({_shown(name)}): values.{secret} is a SecretStr; in values it would be stored in the "
            "HelmRelease in plain text",
            f"Pass it as secret_values={{{secret!r}: ...}} (it then goes through a Secret).",
        )
    source = (
        repo
        if isinstance(repo, ResourceRef)
        else helm_repository(name, repo, namespace=namespace, interval=interval, id=f"{id}Repository" if id else None)
    )
    if source.kind != "HelmRepository":
        raise fail(f"repo= must be a HelmRepository, got a {source.kind}", "Pass a helm_repository(...) or a URL.")
    source_meta = source.obj.get("metadata") or {}
    source_ref: dict[str, Any] = {
        "kind": "HelmRepository",
        "name": source.metadata.name if source.id else source_meta.get("name"),
    }
    if source_meta.get("namespace") is not None:
        source_ref["namespace"] = source_meta["namespace"]
    chart_spec: dict[str, Any] = {"chart": chart, "sourceRef": source_ref, "interval": interval}
    if version is not None:
        chart_spec["version"] = version
    spec: Any = {"interval": interval, "chart": {"spec": chart_spec}}
    if target_namespace is not None:
        spec["targetNamespace"] = target_namespace
    if create_namespace:
        spec["install"] = {"createNamespace": True}
    sources = [dict(entry) for entry in values_from]
    if secret_values:
        sources += _values_secret(name, namespace, secret_values, id)
    if sources:
        spec["valuesFrom"] = sources
    if values:
        spec["values"] = dict(values)
    return HelmRelease(name, spec=spec, namespace=namespace, annotations=annotations, id=id)


def _values_secret(name: Any, namespace: Any, values: Mapping[str, Any], id: str | None) -> list[dict[str, Any]]:
    """A Secret holding ``values`` (by dotted path) and the ``valuesFrom`` entries that read them."""
    from pykro.simple import Secret

    for path in values:
        if not isinstance(path, str) or not _TARGET_PATH.match(path):
            raise fail(
                f"secret_values key {path!r} is not a dotted Helm value path",
                "Use keys such as 'auth.password' (letters, digits, '_' and '-', separated by dots).",
            )
    secret_name = f"{name}-values" if isinstance(name, str) else concat(name, "-values")
    secret = Secret(
        id=f"{id}Values" if id else None,
        name=secret_name,
        namespace=namespace,
        string_data=dict(values),
    )
    return [
        {
            "kind": "Secret",
            "name": secret.metadata.name if secret.id else secret_name,
            "valuesKey": path,
            "targetPath": path,
        }
        for path in values
    ]


def _secret_path(values: Any, path: str = "") -> str | None:
    """The dotted path of the first SecretStr in ``values``, or None."""
    if isinstance(values, SecretStr):
        return path or "?"
    items = values.items() if isinstance(values, Mapping) else enumerate(values) if isinstance(values, list) else ()
    for key, value in items:
        found = _secret_path(value, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


def _shown(name: Any) -> str:
    return repr(name) if isinstance(name, str) else "<computed name>"


__all__ = ["helm_release", "helm_repository", "is_ready", "ready_condition"]
