"""Simulated operators: what CloudNativePG, Flux (helm/source/kustomize controllers) and the Hyperspike Valkey
operator do to their objects, so that compositions using them reach ready with no cluster. Each kind becomes ready
after its delay (custom kinds' `default_delay_ms`, or a matching rule's; a rule's `never`/`fail` outcome applies):

* CNPG ``Cluster``: Services ``<name>-rw``, ``-ro``, ``-r``, the app Secret ``<name>-app`` (username, password,
  dbname, host, port, uri, jdbc-uri, pgpass; the password is generated unless the Secret exists), and status
  (phase, instances, readyInstances, writeService, readService, currentPrimary, condition Ready).
* CNPG ``Pooler``: once its Cluster is Ready, Service ``<name>`` (port 5432) and status.instances.
* Valkey ``Valkey``: Services ``<name>`` and ``<name>-headless`` (port 6379), the password Secret ``<name>`` when
  neither anonymousAuth nor servicePassword is set, and status ready / condition Ready.
* Flux ``HelmRelease``, ``HelmRepository``, ``OCIRepository``, ``GitRepository``, ``Kustomization``: condition
  Ready (and Released for a release) at the current generation, observedGeneration; a release waits for its chart's
  source to be Ready (``SourceNotReady`` until then). Nothing is installed.

Everything the simulated operators create is owned by the object (deleted with it). ``OperatorCRDs`` (enabled by
``LocalCluster(operators=True)`` / ``pykro emulator start --operators``) installs the operators' CRDs with permissive
schemas, as if the operators were installed; CRDs already present (the real ones) are kept."""

from __future__ import annotations

import copy
import random
import string
from typing import TYPE_CHECKING, Any

from pykro._kube import condition_true
from pykro.emulator._simulation.objects import (
    Obj,
    deep_merge,
    deleting,
    key_of,
    meta,
    owner_reference,
    set_condition,
    uid,
)

if TYPE_CHECKING:
    from pykro.emulator._controller import ClusterAPI
    from pykro.emulator._simulation.simulator import Handler, Simulator

CNPG = "postgresql.cnpg.io"
VALKEY = "hyperspike.io"
FLUX_GROUPS = {
    "HelmRelease": "helm.toolkit.fluxcd.io",
    "HelmRepository": "source.toolkit.fluxcd.io",
    "OCIRepository": "source.toolkit.fluxcd.io",
    "GitRepository": "source.toolkit.fluxcd.io",
    "Kustomization": "kustomize.toolkit.fluxcd.io",
}
PG_PORT = 5432
VALKEY_PORT = 6379
_PASSWORD_ALPHABET = string.ascii_letters + string.digits

# (group, version, kind, plural) of every kind the simulated operators serve
KINDS: tuple[tuple[str, str, str, str], ...] = (
    (CNPG, "v1", "Cluster", "clusters"),
    (CNPG, "v1", "Pooler", "poolers"),
    (CNPG, "v1", "Backup", "backups"),
    (CNPG, "v1", "ScheduledBackup", "scheduledbackups"),
    (VALKEY, "v1", "Valkey", "valkeys"),
    ("helm.toolkit.fluxcd.io", "v2", "HelmRelease", "helmreleases"),
    ("source.toolkit.fluxcd.io", "v1", "HelmRepository", "helmrepositories"),
    ("source.toolkit.fluxcd.io", "v1", "OCIRepository", "ocirepositories"),
    ("source.toolkit.fluxcd.io", "v1", "GitRepository", "gitrepositories"),
    ("kustomize.toolkit.fluxcd.io", "v1", "Kustomization", "kustomizations"),
)


def _group(obj: Obj) -> str:
    return str(obj.get("apiVersion", "")).rpartition("/")[0]


def _password(sim: Simulator, obj: Obj, what: str) -> str:
    rng = random.Random(f"{sim.seed}|{uid(obj)}|{what}")
    return "".join(rng.choice(_PASSWORD_ALPHABET) for _ in range(32))


async def _ensure(sim: Simulator, owner: Obj, obj: Obj) -> None:
    """Create ``obj`` (owned by ``owner``, in its namespace) unless an object of that name exists."""
    namespace = meta(owner).get("namespace")
    found = await sim.api.get(str(obj["apiVersion"]), str(obj["kind"]), obj["metadata"]["name"], namespace)
    if found is not None:
        return
    obj["metadata"]["namespace"] = namespace
    obj["metadata"]["ownerReferences"] = [owner_reference(owner)]
    await sim.api.create(obj)


def _service(name: str, port: int, port_name: str, selector: dict[str, str], headless: bool = False) -> Obj:
    spec: dict[str, Any] = {
        "type": "ClusterIP",
        "selector": selector,
        "ports": [{"name": port_name, "port": port, "targetPort": port, "protocol": "TCP"}],
    }
    if headless:
        spec["clusterIP"] = "None"
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec}


class _Progress:
    """Where an object is: its rule's outcome and whether its delay is over (per generation)."""

    def __init__(self, sim: Simulator, obj: Obj) -> None:
        rule, delay = sim.plan(obj)
        self.generation = int(meta(obj).get("generation", 1) or 1)
        self.outcome = rule.outcome if rule is not None else "ready"
        self.extra = dict(rule.status or {}) if rule is not None else {}
        self.due = self.outcome != "never" and sim.elapsed(key_of(obj), f"{uid(obj)}/{self.generation}", delay)

    @property
    def ready(self) -> bool:
        return self.due and self.outcome == "ready"

    @property
    def failed(self) -> bool:
        return self.due and self.outcome == "fail"

    def condition(self, obj: Obj, type_: str, reason: str, message: str) -> list[dict[str, Any]]:
        status, why, text = "False", "Progressing", "simulated: waiting"
        if self.ready:
            status, why, text = "True", reason, message
        elif self.failed:
            why, text = "Failed", "simulated: failed"
        old = (obj.get("status") or {}).get("conditions")
        return set_condition(old, type_, status, why, text, observed_generation=self.generation)


def _finish(progress: _Progress, status: dict[str, Any]) -> dict[str, Any]:
    if progress.ready and progress.extra:
        return deep_merge(status, progress.extra)
    return status


async def reconcile_cnpg_cluster(sim: Simulator, cluster: Obj) -> None:
    name, spec = meta(cluster)["name"], cluster.get("spec") or {}
    instances = int(spec.get("instances", 1) or 1)
    progress = _Progress(sim, cluster)
    status = copy.deepcopy(cluster.get("status") or {})
    status.update({"instances": instances, "latestGeneratedNode": instances, "targetPrimary": f"{name}-1"})
    status["writeService"], status["readService"] = f"{name}-rw", f"{name}-r"
    status["instanceNames"] = [f"{name}-{i + 1}" for i in range(instances)]
    status["conditions"] = progress.condition(cluster, "Ready", "ClusterIsReady", "Cluster is Ready")
    if progress.ready:
        await _cluster_objects(sim, cluster)
        status.update({"phase": "Cluster in healthy state", "readyInstances": instances, "currentPrimary": f"{name}-1"})
    else:
        status.update({"phase": "Setting up primary", "readyInstances": 0})
    if progress.failed:
        status["phase"], status["phaseReason"] = "Failed", "simulated failure"
    written = await sim.write_status(cluster, _finish(progress, status))
    if written and progress.ready:
        _wake(sim, "Pooler", cluster)  # poolers wait for their cluster
        if sim.first_time(f"{uid(cluster)}/ready/{progress.generation}"):
            await sim.event(cluster, "ClusterReady", "Cluster is ready (simulated)", "cloudnative-pg")


async def _cluster_objects(sim: Simulator, cluster: Obj) -> None:
    name, spec = meta(cluster)["name"], cluster.get("spec") or {}
    selector = {"cnpg.io/cluster": name}
    for suffix, role in (("rw", "primary"), ("ro", "replica"), ("r", None)):
        chosen = {**selector, "cnpg.io/instanceRole": role} if role else selector
        await _ensure(sim, cluster, _service(f"{name}-{suffix}", PG_PORT, "postgres", chosen))
    initdb = (spec.get("bootstrap") or {}).get("initdb") or {}
    if (initdb.get("secret") or {}).get("name"):
        return  # the user gave the app credentials
    database, owner = str(initdb.get("database") or "app"), str(initdb.get("owner") or initdb.get("database") or "app")
    namespace = meta(cluster).get("namespace") or "default"
    password = _password(sim, cluster, "app")
    host = f"{name}-rw"
    fqdn = f"{host}.{namespace}"
    data = {
        "username": owner,
        "user": owner,
        "password": password,
        "dbname": database,
        "host": host,
        "port": str(PG_PORT),
        "uri": f"postgresql://{owner}:{password}@{fqdn}:{PG_PORT}/{database}",
        "jdbc-uri": f"jdbc:postgresql://{fqdn}:{PG_PORT}/{database}?password={password}&user={owner}",
        "pgpass": f"{host}:{PG_PORT}:{database}:{owner}:{password}\n",
    }
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/basic-auth",
        "metadata": {"name": f"{name}-app", "labels": {"cnpg.io/cluster": name, "cnpg.io/reload": "true"}},
        "stringData": data,
    }
    await _ensure(sim, cluster, secret)


def _wake(sim: Simulator, kind: str, source: Obj) -> None:
    """Reconcile the objects of ``kind`` in ``source``'s namespace (they may be waiting for it)."""
    for obj in sim.cache.in_namespace(kind, meta(source).get("namespace")):
        sim.enqueue(key_of(obj))


async def _ready_source(sim: Simulator, api_version: str, kind: str, name: Any, namespace: str | None) -> bool:
    """True when the object a Pooler or HelmRelease depends on exists and is Ready."""
    found = await sim.get(api_version, kind, str(name or ""), namespace) if name else None
    return found is not None and not deleting(found) and condition_true(found, "Ready")


async def reconcile_cnpg_pooler(sim: Simulator, pooler: Obj) -> None:
    name, spec = meta(pooler)["name"], pooler.get("spec") or {}
    instances = int(spec.get("instances", 1) or 1)
    cluster = (spec.get("cluster") or {}).get("name")
    status = copy.deepcopy(pooler.get("status") or {})
    if not await _ready_source(sim, f"{CNPG}/v1", "Cluster", cluster, meta(pooler).get("namespace")):
        status["instances"] = 0  # PgBouncer cannot connect before its cluster is ready; the cluster wakes it
        await sim.write_status(pooler, status)
        return
    progress = _Progress(sim, pooler)
    if progress.ready:
        await _ensure(sim, pooler, _service(name, PG_PORT, "pgbouncer", {"cnpg.io/poolerName": name}))
        status["instances"] = instances
    else:
        status["instances"] = 0
    await sim.write_status(pooler, _finish(progress, status))


async def reconcile_valkey(sim: Simulator, valkey: Obj) -> None:
    name, spec = meta(valkey)["name"], valkey.get("spec") or {}
    progress = _Progress(sim, valkey)
    status = copy.deepcopy(valkey.get("status") or {})
    status["conditions"] = progress.condition(valkey, "Ready", "Ready", "Valkey cluster is ready")
    status["ready"] = progress.ready
    if progress.ready:
        selector = {"app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": name}
        await _ensure(sim, valkey, _service(name, VALKEY_PORT, "tcp-valkey", selector))
        await _ensure(sim, valkey, _service(f"{name}-headless", VALKEY_PORT, "tcp-valkey", selector, headless=True))
        if not spec.get("anonymousAuth") and not spec.get("servicePassword"):
            secret = {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": name},
                "stringData": {"password": _password(sim, valkey, "valkey")},
            }
            await _ensure(sim, valkey, secret)
    await sim.write_status(valkey, _finish(progress, status))


async def reconcile_flux(sim: Simulator, obj: Obj) -> None:
    kind = str(obj.get("kind", ""))
    progress = _Progress(sim, obj)
    status = copy.deepcopy(obj.get("status") or {})
    if kind == "HelmRelease":
        chart = ((obj.get("spec") or {}).get("chart") or {}).get("spec") or {}
        source = chart.get("sourceRef") or {}
        namespace = source.get("namespace") or meta(obj).get("namespace")
        kinds = {"HelmRepository", "GitRepository", "OCIRepository"}
        source_kind = str(source.get("kind") or "HelmRepository")
        if source_kind in kinds and not await _ready_source(
            sim, f"{FLUX_GROUPS[source_kind]}/v1", source_kind, source.get("name"), namespace
        ):  # helm-controller waits for the chart's source; the source wakes the release
            message = f"{source_kind} '{namespace}/{source.get('name')}' is not ready"
            conditions = set_condition(
                status.get("conditions"),
                "Ready",
                "False",
                "SourceNotReady",
                message,
                observed_generation=int(meta(obj).get("generation", 1) or 1),
            )
            await sim.write_status(obj, {**status, "conditions": conditions})
            return
        revision = str(chart.get("version") or "latest")
        release = f"{meta(obj).get('namespace', 'default')}/{meta(obj)['name']}.v1"
        message = f"Helm install succeeded for release {release} with chart {chart.get('chart', '?')}@{revision}"
        status["conditions"] = progress.condition(obj, "Ready", "InstallSucceeded", message)
        status["conditions"] = set_condition(
            status["conditions"], "Released", *_released(progress, message), observed_generation=progress.generation
        )
        if progress.ready:
            status["lastAttemptedRevision"] = revision
            status["lastAttemptedGeneration"] = progress.generation
    else:
        status["conditions"] = progress.condition(obj, "Ready", "Succeeded", "stored artifact (simulated)")
    if progress.due:
        status["observedGeneration"] = progress.generation
    if await sim.write_status(obj, _finish(progress, status)) and progress.ready and kind != "HelmRelease":
        _wake(sim, "HelmRelease", obj)  # releases wait for their chart's source


def _released(progress: _Progress, message: str) -> tuple[str, str, str]:
    if progress.ready:
        return "True", "InstallSucceeded", message
    return "False", "Failed" if progress.failed else "Progressing", "simulated"


def _dispatch(group: str, handler: Handler) -> Handler:
    """``handler`` for objects of ``group``; other groups' kinds of the same name go to the previous handler."""

    async def run(sim: Simulator, obj: Obj) -> None:
        if deleting(obj):
            return
        if _group(obj) == group:
            await handler(sim, obj)
            return
        from pykro.emulator._simulation.handlers import reconcile_custom

        await reconcile_custom(sim, obj)

    return run


def operator_handlers() -> dict[str, Handler]:
    """The handlers by kind (each checks the object's API group)."""
    out: dict[str, Handler] = {}
    out["Cluster"] = _dispatch(CNPG, reconcile_cnpg_cluster)
    out["Pooler"] = _dispatch(CNPG, reconcile_cnpg_pooler)
    out["Valkey"] = _dispatch(VALKEY, reconcile_valkey)
    for kind, group in FLUX_GROUPS.items():
        out[kind] = _dispatch(group, reconcile_flux)
    return out


# ------------------------------------------------------------------------------------------------ the CRDs
def permissive_crd(group: str, version: str, kind: str, plural: str) -> dict[str, Any]:
    """A CRD serving ``kind`` with a schema that keeps every field, and a status subresource."""
    open_object = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}", "annotations": {"pykro.io/simulated-operator": "true"}},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()},
            "versions": [
                {
                    "name": version,
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {"spec": open_object, "status": open_object},
                        }
                    },
                    "subresources": {"status": {}},
                }
            ],
        },
    }


class OperatorCRDs:
    """A controller that installs the simulated operators' CRDs (permissive schemas) unless already present."""

    name = "operator-crds"

    async def run(self, api: ClusterAPI) -> None:
        for group, version, kind, plural in KINDS:
            if await api.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", f"{plural}.{group}") is None:
                await api.create(permissive_crd(group, version, kind, plural))


__all__ = ["KINDS", "OperatorCRDs", "operator_handlers", "permissive_crd"]
