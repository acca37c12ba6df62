"""The real `kubectl` (v1.32) against the emulator through the kubeconfig it writes: get, apply (client-side and
server-side), -o json/yaml, wait, rollout status, patch --subresource=status, delete with garbage collection,
kustomize piped into apply, simulated pods listed, explain."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.helpers import HANG_GUARD_S

from pykro import _yamlio as yamlio
from pykro.emulator._cluster import LocalCluster
from pykro.emulator._simulation import SimulationRules

KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")
_names = itertools.count()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    path = tmp_path_factory.mktemp("kubectl") / "kubeconfig"
    with LocalCluster(kubeconfig_path=path, rules=SimulationRules(default_delay_ms=20)) as c:
        yield c


class Kubectl:
    def __init__(self, cluster: LocalCluster, cache: Path, namespace: str) -> None:
        self.base = [str(KUBECTL), "--kubeconfig", str(cluster.kubeconfig_path), "--cache-dir", str(cache)]
        self.namespace = namespace

    def run(self, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [*self.base, "-n", self.namespace, *args]
        done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=HANG_GUARD_S, check=False)
        if check and done.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
        return done

    def __call__(self, *args: str, stdin: str | None = None) -> str:
        return self.run(*args, stdin=stdin).stdout

    def json(self, *args: str) -> dict[str, object]:
        out: dict[str, object] = json.loads(self(*args, "-o", "json"))
        return out


@pytest.fixture
def kubectl(cluster: LocalCluster, tmp_path: Path) -> Kubectl:
    ns = f"kc-{next(_names)}"
    k = Kubectl(cluster, tmp_path / "cache", ns)
    k("apply", "-f", "-", stdin=f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n")
    return k


def deployment_yaml(name: str, replicas: int = 2, image: str = "nginx:1.27") -> str:
    return yamlio.dump(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name, "labels": {"app": name}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": name}},
                "template": {
                    "metadata": {"labels": {"app": name}},
                    "spec": {"containers": [{"name": "main", "image": image}]},
                },
            },
        }
    )


def test_get_namespaces(kubectl: Kubectl) -> None:
    names = kubectl("get", "ns", "-o", "name").split()
    assert {"namespace/default", "namespace/kube-system", f"namespace/{kubectl.namespace}"} <= set(names)
    table = kubectl("get", "ns")
    assert table.splitlines()[0].split()[0] == "NAME" and kubectl.namespace in table


def test_create_namespace_imperatively(kubectl: Kubectl) -> None:
    assert kubectl("create", "namespace", f"{kubectl.namespace}-x").strip().endswith("created")


def test_client_side_apply_creates_then_is_idempotent_then_configures(kubectl: Kubectl, tmp_path: Path) -> None:
    path = tmp_path / "web.yaml"
    path.write_text(deployment_yaml("web"))
    assert kubectl("apply", "-f", str(path)).strip() == "deployment.apps/web created"
    assert kubectl("apply", "-f", str(path)).strip() == "deployment.apps/web unchanged"
    path.write_text(deployment_yaml("web", replicas=3))
    assert kubectl("apply", "-f", str(path)).strip() == "deployment.apps/web configured"
    dep = kubectl.json("get", "deployment", "web")
    assert dep["spec"]["replicas"] == 3  # type: ignore[index]
    annotations = dep["metadata"]["annotations"]  # type: ignore[index]
    assert "kubectl.kubernetes.io/last-applied-configuration" in annotations


def test_apply_of_values_the_apiserver_cannot_decode_fails(kubectl: Kubectl) -> None:
    """A quantity that does not parse and Secret data that is not base64 are refused (400), nothing is stored."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "big"},
        "spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"memory": "4GB"}}}]},
    }
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "pw"}, "data": {"pw": "hunter2!"}}
    for body, message in (
        (pod, 'Pod in version "v1" cannot be handled as a Pod: quantities must match the regular expression'),
        (secret, 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 7'),
    ):
        done = kubectl.run("apply", "-f", "-", stdin=yamlio.dump(body), check=False)
        assert done.returncode != 0 and "Error from server (BadRequest)" in done.stderr, done.stderr
        assert message in done.stderr and "hunter2" not in done.stderr
    assert kubectl("get", "pods,secrets", "-o", "name").split() == []


def test_apply_of_values_of_the_wrong_type(kubectl: Kubectl) -> None:
    """Client-side apply: Go's decoder refuses (400, Go type names); server-side apply: the typed patch cannot be
    made (500, structured-merge-diff's words); a strategic merge patch with an unknown field quotes the patch as Go
    prints a map. Nothing is stored or changed."""
    bad = yamlio.load(deployment_yaml("typed", replicas=1))
    bad["spec"]["replicas"] = "two"
    done = kubectl.run("apply", "-f", "-", stdin=yamlio.dump(bad), check=False)
    assert done.returncode != 0 and "Error from server (BadRequest)" in done.stderr, done.stderr
    assert (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct '
        "field DeploymentSpec.spec.replicas of type int32"
    ) in done.stderr
    bad["spec"]["replicas"] = 1
    bad["spec"]["template"]["spec"]["containers"][0]["image"] = 5
    done = kubectl.run("apply", "--server-side", "-f", "-", stdin=yamlio.dump(bad), check=False)
    assert done.returncode != 0, done.stderr
    assert (
        f"Error from server: failed to create typed patch object ({kubectl.namespace}/typed; apps/v1, "
        "Kind=Deployment): "
        '.spec.template.spec.containers[name="main"].image: expected string, got &value.valueUnstructured{Value:5}'
    ) in done.stderr
    assert kubectl("get", "deployments", "-o", "name").split() == []
    kubectl("apply", "-f", "-", stdin=deployment_yaml("typed", replicas=1))
    unknown = yamlio.load(deployment_yaml("typed", replicas=1))
    unknown["spec"]["replica"] = 2
    done = kubectl.run("apply", "-f", "-", stdin=yamlio.dump(unknown), check=False)
    assert done.returncode != 0, done.stderr
    assert 'patch: Invalid value: "map[metadata:map[annotations:map[' in done.stderr
    assert 'spec:map[replica:2]]": strict decoding error: unknown field "spec.replica"' in done.stderr
    spec = kubectl.json("get", "deployment", "typed")["spec"]
    assert isinstance(spec, dict) and spec["replicas"] == 1 and "replica" not in spec


@pytest.mark.parametrize("api_version", ["v1", "nope.example.com/v1"])
def test_apply_of_a_kind_the_server_does_not_serve(kubectl: Kubectl, api_version: str) -> None:
    """kubectl looks the kind up in /openapi/v3, then /openapi/v2 (protobuf), finds no schema, and reports the
    missing kind itself (it used to fail to download /openapi/v2)."""
    body = f"apiVersion: {api_version}\nkind: Gizmo\nmetadata: {{name: g}}\n"
    done = kubectl.run("apply", "-f", "-", stdin=body, check=False)
    assert done.returncode != 0
    assert f'no matches for kind "Gizmo" in version "{api_version}"' in done.stderr, done.stderr
    assert "ensure CRDs are installed first" in done.stderr and "openapi" not in done.stderr


def test_server_side_apply(kubectl: Kubectl) -> None:
    out = kubectl("apply", "--server-side", "-f", "-", stdin=deployment_yaml("ssa", replicas=1))
    assert out.strip() == "deployment.apps/ssa serverside-applied"
    kubectl("apply", "--server-side", "-f", "-", stdin=deployment_yaml("ssa", replicas=2))
    dep = yamlio.load(kubectl("get", "deployment", "ssa", "-o", "yaml", "--show-managed-fields"))
    assert dep["spec"]["replicas"] == 2
    managers = {(m["manager"], m["operation"]) for m in dep["metadata"]["managedFields"]}
    assert ("kubectl", "Apply") in managers
    conflict = kubectl.run(
        "apply",
        "--server-side",
        "--field-manager=other",
        "-f",
        "-",
        check=False,
        stdin=deployment_yaml("ssa", replicas=5),
    )
    assert conflict.returncode != 0 and "conflict" in conflict.stderr.lower()


def test_wait_rollout_status_and_simulated_pods(kubectl: Kubectl) -> None:
    kubectl("apply", "-f", "-", stdin=deployment_yaml("api", replicas=2))
    assert "condition met" in kubectl("wait", "--for=condition=Available", "deployment/api", "--timeout=300s")
    out = kubectl("rollout", "status", "deployment/api", "--timeout=300s")
    assert 'deployment "api" successfully rolled out' in out
    pods = kubectl.json("get", "pods", "-l", "app=api")["items"]
    assert len(pods) == 2  # type: ignore[arg-type]
    for pod in pods:  # type: ignore[attr-defined]
        assert pod["status"]["phase"] == "Running" and pod["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
    names = kubectl("get", "pods", "-o", "name").split()
    assert sorted(names) == sorted(f"pod/{p['metadata']['name']}" for p in pods)  # type: ignore[attr-defined]

    kubectl("set", "image", "deployment/api", "main=nginx:1.28")
    out = kubectl("rollout", "status", "deployment/api", "--timeout=300s")
    assert "successfully rolled out" in out
    images = kubectl("get", "pods", "-l", "app=api", "-o", "jsonpath={.items[*].spec.containers[0].image}")
    assert images.split() == ["nginx:1.28", "nginx:1.28"]

    assert kubectl("rollout", "history", "deployment/api").split()[-4:] == ["1", "<none>", "2", "<none>"]
    assert "rolled back" in kubectl("rollout", "undo", "deployment/api")
    kubectl("rollout", "status", "deployment/api", "--timeout=300s")
    images = kubectl("get", "pods", "-l", "app=api", "-o", "jsonpath={.items[*].spec.containers[0].image}")
    assert images.split() == ["nginx:1.27", "nginx:1.27"]
    assert len(kubectl("get", "rs", "-o", "name").split()) == 2  # the first ReplicaSet came back as revision 3
    assert kubectl("rollout", "history", "deployment/api").split()[-4:] == ["2", "<none>", "3", "<none>"]


def test_get_pods_table_shows_status(kubectl: Kubectl) -> None:
    kubectl("apply", "-f", "-", stdin=deployment_yaml("tbl", replicas=1))
    kubectl("wait", "--for=condition=Available", "deployment/tbl", "--timeout=300s")
    header, *rows = kubectl("get", "pods").splitlines()
    assert header.split()[:3] == ["NAME", "READY", "STATUS"]
    assert rows and all("Running" in row for row in rows)


WIDGET_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.kc.example"},
    "spec": {
        "group": "kc.example",
        "scope": "Namespaced",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {"type": "object", "properties": {"size": {"type": "integer"}}},
                            "status": {"type": "object", "properties": {"phase": {"type": "string"}}},
                        },
                    }
                },
            }
        ],
    },
}


def test_patch_status_subresource(kubectl: Kubectl) -> None:
    kubectl.run("apply", "-f", "-", stdin=json.dumps(WIDGET_CRD))
    kubectl("wait", "--for=condition=Established", "crd/widgets.kc.example", "--timeout=300s")
    kubectl("apply", "-f", "-", stdin="apiVersion: kc.example/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1}\n")
    patch = '{"status": {"phase": "Ready"}, "spec": {"size": 9}}'
    kubectl("patch", "widget", "w", "--subresource=status", "--type=merge", "-p", patch)
    widget = kubectl.json("get", "widget", "w")
    assert widget["status"] == {"phase": "Ready"}
    assert widget["spec"] == {"size": 1}  # the status subresource ignores spec changes
    plain = kubectl("patch", "widget", "w", "--type=merge", "-p", '{"status": {"phase": "Gone"}}')
    assert "patched" in plain
    assert kubectl.json("get", "widget", "w")["status"] == {"phase": "Ready"}  # the main resource ignores status


def test_delete_collects_what_the_deployment_made(kubectl: Kubectl) -> None:
    kubectl("apply", "-f", "-", stdin=deployment_yaml("tmp", replicas=2))
    kubectl("rollout", "status", "deployment/tmp", "--timeout=300s")
    assert kubectl("get", "rs,pods", "-o", "name").split()
    assert 'deployment.apps "tmp" deleted' in kubectl("delete", "deployment", "tmp")
    out = kubectl("wait", "--for=delete", "pods", "-l", "app=tmp", "--timeout=300s", "--all").strip()
    assert kubectl("get", "rs,pods", "-o", "name").split() == [], out


def test_kustomize_piped_into_apply(kubectl: Kubectl, tmp_path: Path) -> None:
    base = tmp_path / "app"
    base.mkdir()
    (base / "deployment.yaml").write_text(deployment_yaml("shop", replicas=1))
    (base / "config.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1'}\n")
    (base / "kustomization.yaml").write_text(
        yamlio.dump(
            {
                "resources": ["deployment.yaml", "config.yaml"],
                "namePrefix": "prod-",
                "labels": [{"pairs": {"team": "shop"}}],
            }
        )
    )
    rendered = kubectl("kustomize", str(base))
    out = kubectl("apply", "-f", "-", stdin=rendered)
    assert sorted(out.split("\n")[:2]) == ["configmap/prod-settings created", "deployment.apps/prod-shop created"]
    assert kubectl.json("get", "configmap", "prod-settings")["metadata"]["labels"] == {"team": "shop"}  # type: ignore[index]
    kubectl("rollout", "status", "deployment/prod-shop", "--timeout=300s")


def test_explain(kubectl: Kubectl) -> None:
    out = kubectl("explain", "deployment.spec.replicas")
    assert "FIELD: replicas <integer>" in out
