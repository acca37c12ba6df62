"""pykro.integrations: the built-in operator kinds — typed references, template validation against the shipped
schemas, and readiness in the states each operator documents. Needs nothing outside the package."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pykro
from pykro.crds import CustomResource
from pykro.errors import CompositionError
from pykro.integrations import certmanager, cnpg, flux, valkey
from pykro.runtime import expand

Body = Callable[[Any], Any]


class Name(pykro.Spec):
    name: str


def graph_of(body: Body) -> Any:
    @pykro.composition(api_version="v1alpha1", kind="UseKind")
    def comp(spec: Name) -> None:
        body(spec)

    return comp.graph


# kind -> (a valid spec, a good reference, a typo and the suggestion, a misplaced nested field, a wrong type)
KINDS: dict[type[CustomResource], dict[str, Any]] = {
    cnpg.Cluster: {
        "spec": {"instances": 3, "storage": {"size": "10Gi"}},
        "good": ("status", "readyInstances"),
        "typo": ("status.readyInstance", "Did you mean status.readyInstances?"),
        "nested": ({"instances": 1, "storage": {"sise": "1Gi"}}, "spec.storage.sise"),
        "wrong": ({"instances": "three"}, "spec.instances"),
    },
    cnpg.Pooler: {
        "spec": {"cluster": {"name": "db"}, "pgbouncer": {"poolMode": "session"}, "instances": 2},
        "good": ("status", "instances"),
        "typo": ("spec.pgBouncer", "Did you mean spec.pgbouncer?"),
        "nested": ({"cluster": {"name": "db"}, "pgbouncer": {"poolmode": "session"}}, "spec.pgbouncer.poolmode"),
        "wrong": ({"cluster": {"name": "db"}, "pgbouncer": {}, "instances": "2"}, "spec.instances"),
    },
    cnpg.ScheduledBackup: {
        "spec": {"schedule": "0 0 0 * * *", "cluster": {"name": "db"}},
        "good": ("status", "lastScheduleTime"),
        "typo": ("status.lastScheduledTime", "Did you mean status.lastScheduleTime?"),
        "nested": ({"schedule": "@daily", "cluster": {"nam": "db"}}, "spec.cluster.nam"),
        "wrong": ({"schedule": "@daily", "cluster": {"name": "db"}, "immediate": "yes"}, "spec.immediate"),
    },
    valkey.Valkey: {
        "spec": {"nodes": 3, "replicas": 1, "storage": {"spec": {"resources": {"requests": {"storage": "1Gi"}}}}},
        "good": ("status", "ready"),
        "typo": ("spec.node", "Did you mean spec.nodes?"),
        "nested": ({"tls": True, "externalAccess": {"enable": True}}, "spec.externalAccess.enable"),
        "wrong": ({"nodes": "3"}, "spec.nodes"),
    },
    flux.HelmRepository: {
        "spec": {"type": "oci", "url": "oci://ghcr.io/inngest/inngest-helm", "interval": "5m"},
        "good": ("status", "artifact", "url"),
        "typo": ("spec.interva", "Did you mean spec.interval?"),
        "nested": ({"url": "https://x", "secretRef": {"nme": "s"}}, "spec.secretRef.nme"),
        "wrong": ({"url": "https://x", "suspend": "no"}, "spec.suspend"),
    },
    flux.OCIRepository: {
        "spec": {"url": "oci://ghcr.io/x/manifests", "interval": "5m", "ref": {"tag": "latest"}},
        "good": ("status", "artifact", "digest"),
        "typo": ("status.artefact", "Did you mean status.artifact?"),
        "nested": ({"url": "oci://x", "interval": "1m", "ref": {"tags": "1"}}, "spec.ref.tags"),
        "wrong": ({"url": "oci://x", "interval": "1m", "insecure": "true"}, "spec.insecure"),
    },
    flux.GitRepository: {
        "spec": {"url": "https://github.com/x/y", "interval": "1m", "ref": {"branch": "main"}},
        "good": ("status", "artifact", "revision"),
        "typo": ("spec.branch", "The field branch lives at spec.ref.branch."),
        "nested": ({"url": "https://x", "interval": "1m", "ref": {"brnch": "main"}}, "spec.ref.brnch"),
        "wrong": ({"url": "https://x", "interval": "1m", "recurseSubmodules": "yes"}, "spec.recurseSubmodules"),
    },
    flux.HelmRelease: {
        "spec": {
            "interval": "5m",
            "chart": {
                "spec": {"chart": "inngest", "version": "0.3.1", "sourceRef": {"kind": "HelmRepository", "name": "r"}}
            },
            "values": {"replicaCount": 2, "anything": {"goes": ["here"]}},
        },
        "good": ("status", "lastAttemptedRevision"),
        "typo": (
            "status.lastAttemptedRevison",
            "Did you mean status.lastAttemptedRevision or status.lastAttemptedRevisionDigest?",
        ),
        "nested": ({"interval": "5m", "chart": {"spec": {"chrt": "x"}}}, "spec.chart.spec.chrt"),
        "wrong": ({"interval": "5m", "maxHistory": "5"}, "spec.maxHistory"),
    },
    flux.Kustomization: {
        "spec": {
            "interval": "10m",
            "path": "./deploy",
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "g"},
        },
        "good": ("status", "lastAppliedRevision"),
        "typo": ("spec.sourceref", "Did you mean spec.sourceRef?"),
        "nested": (
            {"interval": "1m", "prune": True, "sourceRef": {"kind": "GitRepository", "nam": "g"}},
            "spec.sourceRef.nam",
        ),
        "wrong": ({"interval": "1m", "prune": "true"}, "spec.prune"),
    },
    certmanager.Certificate: {
        "spec": {
            "secretName": "web-tls",
            "dnsNames": ["web.example.com"],
            "issuerRef": {"name": "ca", "kind": "ClusterIssuer"},
        },
        "good": ("status", "notAfter"),
        "typo": ("spec.dnsName", "Did you mean spec.dnsNames?"),
        "nested": ({"secretName": "s", "issuerRef": {"nme": "ca"}}, "spec.issuerRef.nme"),
        "wrong": ({"secretName": "s", "dnsNames": "web.example.com"}, "spec.dnsNames"),
    },
    certmanager.Issuer: {
        "spec": {"selfSigned": {}},
        "good": ("status", "acme", "uri"),
        "typo": ("spec.selfsigned", "Did you mean spec.selfSigned?"),
        "nested": ({"ca": {"secretname": "ca"}}, "spec.ca.secretname"),
        "wrong": ({"ca": {"secretName": 7}}, "spec.ca.secretName"),
    },
    certmanager.ClusterIssuer: {
        "spec": {"acme": {"server": "https://acme.example/dir", "privateKeySecretRef": {"name": "k"}, "solvers": []}},
        "good": ("status", "conditions"),
        "typo": ("spec.acme.sever", "Did you mean spec.acme.server?"),
        "nested": (
            {"acme": {"server": "https://x", "privateKeySecretRef": {"name": "k"}, "email": "a@b", "skipTLS": True}},
            "spec.acme.skipTLS",
        ),
        "wrong": (
            {"acme": {"server": "https://x", "privateKeySecretRef": {"name": "k"}, "skipTLSVerify": "yes"}},
            "spec.acme.skipTLSVerify",
        ),
    },
}
IDS = [cls.__name__ for cls in KINDS]


def test_every_built_in_kind_is_covered_and_shipped_in_the_package() -> None:
    assert sorted(IDS) == sorted(
        [
            "Cluster",
            "Pooler",
            "ScheduledBackup",
            "Valkey",
            "HelmRepository",
            "OCIRepository",
            "GitRepository",
            "HelmRelease",
            "Kustomization",
            "Certificate",
            "Issuer",
            "ClusterIssuer",
        ]
    )
    for cls in KINDS:
        assert cls.definition.source.startswith("pykro.integrations data/"), cls.definition.source
        assert cls.__name__ == cls.definition.kind


@pytest.mark.parametrize("cls", KINDS, ids=IDS)
def test_typed_reference_and_typo(cls: type[CustomResource]) -> None:
    case = KINDS[cls]

    def good(spec: Any) -> None:
        ref = cls(spec.name, id="x", spec=case["spec"])
        value: Any = ref
        for step in case["good"]:
            value = getattr(value, step)
        pykro.resource(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "seen"},
                "data": {"v": pykro.cel.expr(f"string({'.'.join(('x', *case['good']))})", str)},
            }
        )

    graph = graph_of(good)
    assert graph.resource("x").template["apiVersion"] == cls.definition.api_version
    assert graph.resource("x").template["spec"] == case["spec"]

    path, suggestion = case["typo"]

    def typo(spec: Any) -> None:
        value: Any = cls(spec.name, id="x", spec=case["spec"])
        for step in path.split("."):
            value = getattr(value, step)

    with pytest.raises(CompositionError) as err:
        graph_of(typo)
    assert f"{cls.definition.kind} has no field {path}. {suggestion}" in str(err.value)
    assert "test_kinds.py:" in str(err.value)


@pytest.mark.parametrize("cls", KINDS, ids=IDS)
def test_template_validated_against_the_shipped_schema(cls: type[CustomResource]) -> None:
    case = KINDS[cls]
    for spec, path in (case["nested"], case["wrong"]):

        def body(s: Any, spec: Any = spec) -> None:
            cls(s.name, id="x", spec=spec)

        with pytest.raises(CompositionError) as err:
            graph_of(body)
        assert f"(at spec.resources[0].template.{path})" in str(err.value), str(err.value)


# ------------------------------------------------------------------------------------------------ readiness
def state(
    cls: type[CustomResource], status: dict[str, Any] | None, *, spec: dict[str, Any], generation: int = 1
) -> str:
    """The state kro's runtime gives the resource when the cluster reports ``status``."""
    graph = graph_of(lambda s: cls(s.name, id="x", spec=spec))
    obj: dict[str, Any] = {
        "apiVersion": cls.definition.api_version,
        "kind": cls.definition.kind,
        "metadata": {"name": "t", "namespace": "default", "generation": generation},
        "spec": spec,
    }
    if status is not None:
        obj["status"] = status
    instance = {
        "apiVersion": "kro.run/v1alpha1",
        "kind": "UseKind",
        "metadata": {"name": "t", "namespace": "default"},
        "spec": {"name": "t"},
    }
    return expand(graph, instance, {"x": obj}).states["x"].state


def test_cnpg_cluster_ready_when_healthy_with_every_instance() -> None:
    spec = {"instances": 3}
    assert state(cnpg.Cluster, None, spec=spec) == "pending"
    assert (
        state(cnpg.Cluster, {"phase": "Setting up primary", "readyInstances": 0, "instances": 1}, spec=spec)
        == "pending"
    )
    assert state(cnpg.Cluster, {"phase": "Creating a new replica", "readyInstances": 2}, spec=spec) == "pending"
    assert state(cnpg.Cluster, {"phase": cnpg.HEALTHY, "readyInstances": 2}, spec=spec) == "pending"
    assert state(cnpg.Cluster, {"phase": "Failing over", "readyInstances": 3}, spec=spec) == "pending"
    healthy = {
        "phase": "Cluster in healthy state",
        "readyInstances": 3,
        "instances": 3,
        "conditions": [{"type": "Ready", "status": "True", "reason": "ClusterIsReady"}],
    }
    assert state(cnpg.Cluster, healthy, spec=spec) == "ready"


def test_cnpg_pooler_ready_when_its_instances_are_scheduled() -> None:
    spec = {"cluster": {"name": "db"}, "pgbouncer": {}, "instances": 2}
    assert state(cnpg.Pooler, None, spec=spec) == "pending"
    assert state(cnpg.Pooler, {"instances": 1}, spec=spec) == "pending"
    assert state(cnpg.Pooler, {"instances": 2}, spec=spec) == "ready"
    default = {"cluster": {"name": "db"}, "pgbouncer": {}}  # spec.instances defaults to 1
    assert state(cnpg.Pooler, {"instances": 0}, spec=default) == "pending"
    assert state(cnpg.Pooler, {"instances": 1}, spec=default) == "ready"


def test_cnpg_scheduled_backup_ready_once_it_exists() -> None:
    spec = {"schedule": "0 0 0 * * *", "cluster": {"name": "db"}}
    assert cnpg.ScheduledBackup.readiness == ()
    assert state(cnpg.ScheduledBackup, None, spec=spec) == "ready"


def test_valkey_ready_when_the_operator_says_so() -> None:
    spec = {"nodes": 3}
    assert state(valkey.Valkey, None, spec=spec) == "pending"
    assert state(valkey.Valkey, {"ready": False, "conditions": []}, spec=spec) == "pending"
    assert state(valkey.Valkey, {"ready": True}, spec=spec) == "ready"


def _ready(status: str, observed: int, reason: str = "Succeeded") -> dict[str, Any]:
    return {
        "type": "Ready",
        "status": status,
        "reason": reason,
        "message": "",
        "observedGeneration": observed,
        "lastTransitionTime": "2026-01-01T00:00:00Z",
    }


FLUX: dict[type[CustomResource], dict[str, Any]] = {
    flux.HelmRelease: {
        "interval": "5m",
        "chart": {"spec": {"chart": "c", "sourceRef": {"kind": "HelmRepository", "name": "r"}}},
    },
    flux.Kustomization: {"interval": "5m", "prune": True, "sourceRef": {"kind": "GitRepository", "name": "g"}},
    flux.GitRepository: {"url": "https://x", "interval": "1m"},
    flux.OCIRepository: {"url": "oci://x", "interval": "1m"},
    flux.HelmRepository: {"url": "https://charts.example.com", "interval": "1m"},
}


@pytest.mark.parametrize("cls", FLUX, ids=[c.__name__ for c in FLUX])
def test_flux_ready_condition_at_the_observed_generation(cls: type[CustomResource]) -> None:
    spec = FLUX[cls]
    assert state(cls, None, spec=spec, generation=2) == "pending"
    progressing = {
        "observedGeneration": 1,
        "conditions": [
            _ready("Unknown", 2, "Progressing"),
            {"type": "Reconciling", "status": "True", "reason": "Progressing", "observedGeneration": 2},
        ],
    }
    assert state(cls, progressing, spec=spec, generation=2) == "pending"
    failed = {"observedGeneration": 2, "conditions": [_ready("False", 2, "InstallFailed")]}
    assert state(cls, failed, spec=spec, generation=2) == "pending"
    stale = {"observedGeneration": 1, "conditions": [_ready("True", 1)]}
    assert state(cls, stale, spec=spec, generation=2) == "pending"  # ready for the previous spec only
    current = {"observedGeneration": 2, "conditions": [_ready("True", 2)]}
    assert state(cls, current, spec=spec, generation=2) == "ready"


def test_flux_oci_helm_repository_has_no_status_and_is_ready() -> None:
    spec = {"type": "oci", "url": "oci://ghcr.io/inngest/inngest-helm", "interval": "5m"}
    assert state(flux.HelmRepository, None, spec=spec) == "ready"


@pytest.mark.parametrize(
    ("cls", "spec"),
    [
        (certmanager.Certificate, {"secretName": "tls", "issuerRef": {"name": "ca"}, "dnsNames": ["a.example"]}),
        (certmanager.Issuer, {"selfSigned": {}}),
        (certmanager.ClusterIssuer, {"selfSigned": {}}),
    ],
    ids=["Certificate", "Issuer", "ClusterIssuer"],
)
def test_cert_manager_ready_condition(cls: type[CustomResource], spec: dict[str, Any]) -> None:
    assert state(cls, None, spec=spec, generation=3) == "pending"
    issuing = {"conditions": [_ready("False", 3, "DoesNotExist"), {"type": "Issuing", "status": "True"}]}
    assert state(cls, issuing, spec=spec, generation=3) == "pending"
    assert state(cls, {"conditions": [_ready("True", 2)]}, spec=spec, generation=3) == "pending"
    assert state(cls, {"conditions": [_ready("True", 3)]}, spec=spec, generation=3) == "ready"


def test_ready_when_overrides_a_built_in_rule() -> None:
    def body(s: Any) -> None:
        cnpg.Cluster(s.name, id="x", instances=3, ready_when=lambda c: c.status.readyInstances >= 1)

    graph = graph_of(body)
    assert graph.resource("x").ready_when == ["${x.status.readyInstances >= 1}"]


def test_cluster_issuer_has_no_namespace() -> None:
    with pytest.raises(CompositionError, match="ClusterIssuer is cluster-scoped"):
        certmanager.ClusterIssuer("ca", namespace="default", selfSigned={})  # type: ignore[call-arg]
