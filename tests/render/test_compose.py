"""`pykro render --compose`: each example's Compose file is golden and loads in compose-go (the Compose
Specification's reference loader, scripts/composecheck), with the mapping checked on the loaded project; Secret values
stay out of the file unless --include-secrets asks for them in a .env file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pykro import Spec, Status, composition
from pykro.render._compose import ComposeError, compose_document
from pykro.simple import ConfigMap, Deployment, Secret, Service

# example target, CLI arguments
EXAMPLES: dict[str, tuple[str, list[str]]] = {
    "webapp": ("webapp.py", ["--set", "replicas=2"]),
    "microservices": ("microservices.py", ["-f", "examples/microservices-values.yaml"]),
    "celestra_db": ("celestra_db.py", []),
    "data_tier": ("hub_tenants.py:data_tier", ["--set", "name=t1", "--set", "dbPassword=pw-123456"]),
    "fullstack": ("fullstack.py", ["--set", "name=shop", "--set", "appImage=node:20", "--set", "dbPassword=pw-123456"]),
}


def pykro(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pykro", "render", *args]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=cwd)


def load(kit: SimpleNamespace, path: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = subprocess.run([kit.tool("compose-check"), str(path)], capture_output=True, text=True, check=False,
                            env={**os.environ, **(env or {})}, cwd=path.parent)  # fmt: skip
    assert result.returncode == 0, result.stderr
    project: dict[str, Any] = json.loads(result.stdout)
    return project


def secret_env(text: str) -> dict[str, str]:
    """A value for every PYKRO_SECRET_* variable the file reads."""
    import re

    return {name: "from-env" for name in re.findall(r"PYKRO_SECRET_[A-Z0-9_]+", text)}


@pytest.mark.parametrize("case", sorted(EXAMPLES))
def test_example_compose_file_is_golden_and_valid(case: str, kit: SimpleNamespace, tmp_path: Path) -> None:
    target, args = EXAMPLES[case]
    out = tmp_path / "compose.yaml"
    extra = ["--observed", str(tmp_path / "obs.yaml")] if case == "fullstack" else []
    (tmp_path / "obs.yaml").write_text("dbSvc: {spec: {clusterIP: 10.96.0.10}}\n")
    result = pykro(str(kit.examples / target), "--compose", str(out), *args, *extra, cwd=kit.repo)
    assert result.returncode == 0, result.stderr
    kit.check_golden_tree(f"compose/{case}", _only(out, tmp_path))
    text = out.read_text(encoding="utf-8")
    assert "pw-123456" not in text and "dXNlcl9wYXNzd29yZA==" not in text
    project = load(kit, out, secret_env(text))
    assert project["services"]
    objects = kit.load_all(pykro(str(kit.examples / target), "--manifests", *args, *extra, cwd=kit.repo).stdout)
    for cm in (o for o in objects if o["kind"] == "ConfigMap"):  # each value as the pod reads it (nginx's $host)
        for key, value in cm["data"].items():
            name = re.sub(r"[^a-z0-9_-]+", "-", f"{cm['metadata']['name']}-{key}".lower())
            assert project["configs"][name]["content"] == value, key


def _only(path: Path, tmp: Path) -> Path:
    """A directory holding just ``path`` (the golden tree of one file)."""
    view = tmp / "view"
    view.mkdir(exist_ok=True)
    (view / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return view


def test_fullstack_mapping_and_secrets(kit: SimpleNamespace, tmp_path: Path) -> None:
    out = tmp_path / "compose.yaml"
    (tmp_path / "obs.yaml").write_text("dbSvc: {spec: {clusterIP: 10.96.0.10}}\n")
    args = [str(kit.examples / "fullstack.py"), "--compose", str(out), "--observed", str(tmp_path / "obs.yaml")]
    args += ["--set", "name=shop", "--set", "appImage=node:20", "--set", "replicas=3", "--set", "dbPassword=pw-123456"]
    assert pykro(*args, cwd=kit.repo).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "pw-123456" not in text
    missing = subprocess.run([kit.tool("compose-check"), str(out)], capture_output=True, text=True, check=False,
                             cwd=tmp_path)  # fmt: skip
    assert missing.returncode != 0 and "PYKRO_SECRET_SHOP_DB_SECRET_PASSWORD" in missing.stderr  # loud, not empty
    project = load(kit, out, {"PYKRO_SECRET_SHOP_DB_SECRET_PASSWORD": "s3cret"})
    app, db = project["services"]["shop"], project["services"]["shop-db"]
    assert app["image"] == "node:20" and app["deploy"]["replicas"] == 3
    assert app["environment"]["DATABASE_PASSWORD"] == "s3cret"
    assert app["depends_on"] == {"shop-db": {"condition": "service_started", "required": True}}
    assert db["networks"]["default"]["aliases"] == ["shop-db-svc"]
    # --include-secrets: the value goes to .env beside the file, which Compose reads
    assert pykro(*args, "--include-secrets", cwd=kit.repo).returncode == 0
    assert "pw-123456" not in out.read_text(encoding="utf-8")
    assert "pw-123456" in (tmp_path / ".env").read_text(encoding="utf-8")
    project = load(kit, out)
    assert project["services"]["shop"]["environment"]["DATABASE_PASSWORD"] == "pw-123456"


class ProbeSpec(Spec):
    name: str


class ProbeStatus(Status):
    ready: bool


@composition(api_version="example.com/v1", kind="Probed")
def probed(spec: ProbeSpec) -> ProbeStatus:
    config = ConfigMap(id="cfg", name="cfg", data={"app.conf": "x=1", "MODE": "$fast"})
    Secret(id="sec", name="sec", string_data={"token": "t0k3n-value"})
    db = Deployment(
        id="db",
        name="db",
        image="postgres:16",
        ports=[5432],
        readiness_probe={"exec": {"command": ["pg_isready"]}, "periodSeconds": 5, "failureThreshold": 4},
        resources={"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "250m"}},
    )
    svc = Service(id="dbSvc", name="database", selector=db, ports=[5432])
    Service(id="dbPublic", name="db", selector=db, ports=[5432], type="LoadBalancer")
    Deployment(
        id="app",
        name=spec.name,
        image="app:1",
        command=["/bin/app"],
        args=["--db", svc.metadata.name],
        env={"MODE": {"configMapKeyRef": {"name": config.metadata.name, "key": "MODE"}}},
        volume_mounts=[{"name": "conf", "mountPath": "/etc/app"}],
        volumes=[{"name": "conf", "configMap": {"name": "cfg"}}],
    )
    return ProbeStatus(ready=db.status.readyReplicas > 0)


def test_probes_resources_configs_and_healthy_dependencies(kit: SimpleNamespace, tmp_path: Path) -> None:
    from pykro.render._compose import graph_dependencies, write_compose
    from pykro.render._manifests import manifests

    ids: dict[tuple[str, str], str] = {}
    objects = manifests(probed.graph, {"name": "web"}, name="p", node_ids=ids)
    out = tmp_path / "compose.yaml"
    write_compose(objects, out, depends=graph_dependencies(probed.graph, ids))
    assert "t0k3n-value" not in out.read_text(encoding="utf-8")
    services = load(kit, out)["services"]
    db, app = services["db"], services["web"]
    assert db["healthcheck"]["test"] == ["CMD", "pg_isready"] and db["healthcheck"]["retries"] == 4
    assert db["networks"]["default"]["aliases"] == ["database"]  # the LoadBalancer named like the service adds none
    assert db["ports"] == [{"mode": "ingress", "target": 5432, "published": "5432", "protocol": "tcp"}]
    assert db["deploy"]["resources"]["limits"] == {"cpus": 0.5, "memory": "1073741824"}
    assert app["entrypoint"] == ["/bin/app"] and app["command"] == ["--db", "database"]
    assert app["environment"]["MODE"] == "$fast"  # a literal $ survives Compose's interpolation
    assert app["depends_on"]["db"]["condition"] == "service_healthy"  # the graph edge via the Service
    assert app["configs"] == [
        {"source": "cfg-app-conf", "target": "/etc/app/app.conf"},
        {"source": "cfg-mode", "target": "/etc/app/MODE"},
    ]


def test_what_compose_cannot_hold_is_named() -> None:
    env = [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]
    pod = {"containers": [{"name": "c", "image": "i", "env": env}]}
    meta = {"name": "d"}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": {"template": {"spec": pod}}}
    with pytest.raises(ComposeError) as error:
        compose_document([deployment])
    assert "Deployment 'd', spec.template.spec.containers[0].env[0].valueFrom: fieldRef is known only inside" in str(
        error.value
    )
    ingress = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "gw"}}
    assert compose_document([ingress]).skipped == ["Ingress gw"]


@composition(api_version="example.com/v1", kind="Dollars")
def dollars(spec: ProbeSpec) -> ProbeStatus:
    ConfigMap(id="cfg", name="cfg", data={"nginx.conf": "proxy_set_header Host $host; ${X}"})
    app = Deployment(
        id="app",
        name=spec.name,
        image="busybox",
        command=["sh", "-c", "echo $HOME ${USER} $$(A) $(A)"],
        args=["$(B)", "$(", "$"],
        env={"A": "one", "B": "$(A)-$$-${PATH}"},
    )
    return ProbeStatus(ready=app.status.readyReplicas > 0)


def test_dollars_reach_the_container_as_on_kubernetes(kit: SimpleNamespace, tmp_path: Path) -> None:
    """Compose interpolates every value of the file: the text of configs, commands and env values is escaped (a
    ConfigMap's `$host` reached the container empty); the kubelet's own expansion of commands, args and env values
    ($$ is $, $(NAME) a variable of the container) is done in the file, as Compose has none."""
    out = tmp_path / "compose.yaml"
    assert (
        pykro(str(Path(__file__)) + ":dollars", "--compose", str(out), "--set", "name=web", cwd=tmp_path).returncode
        == 0
    )
    project = load(kit, out, {"X": "from-host", "USER": "host-user", "HOME": "/host"})
    assert project["configs"]["cfg-nginx-conf"]["content"] == "proxy_set_header Host $host; ${X}"
    web = project["services"]["web"]
    assert web["entrypoint"] == ["sh", "-c", "echo $HOME ${USER} $(A) one"]
    assert web["command"] == ["one-$-${PATH}", "$(", "$"]
    assert web["environment"] == {"A": "one", "B": "one-$-${PATH}"}


@pytest.mark.parametrize(
    ("env", "why"),
    [
        ({"B": "$(NOPE)"}, "env[0].value: $(NOPE) refers to a variable the container does not define"),
        ({"B": "$(A)", "A": "later"}, "env[0].value: $(A) refers to a variable the container does not define"),
        ({"A": {"secretKeyRef": {"name": "sec", "key": "k"}}, "B": "x$(A)"}, "env[1].value: $(A) refers to a Secret"),
    ],
)
def test_kubelet_references_compose_cannot_expand_are_refused(env: dict[str, Any], why: str) -> None:
    containers = [
        {
            "name": "c",
            "image": "i",
            "env": [{"name": k, **({"value": v} if isinstance(v, str) else {"valueFrom": v})} for k, v in env.items()],
        }
    ]
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"template": {"spec": {"containers": containers}}},
    }
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}, "stringData": {"k": "v"}}
    with pytest.raises(ComposeError) as error:
        compose_document([secret, deployment])
    assert f"Deployment 'd', spec.template.spec.containers[0].{why}" in str(error.value)


def _deployment(name: str, containers: list[str]) -> dict[str, Any]:
    pod = {"containers": [{"name": c, "image": "nginx"} for c in containers]}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {"template": {"spec": pod}},
    }


def _object(kind: str, name: str, namespace: str = "", **rest: Any) -> dict[str, Any]:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "v1", "kind": kind, "metadata": meta, **rest}


@pytest.mark.parametrize(
    ("objects", "message"),
    [
        (
            [_object("ConfigMap", "cfg", "one", data={"x": "a"}), _object("ConfigMap", "cfg", "two", data={"x": "b"})],
            "ConfigMap 'cfg', metadata.namespace: another ConfigMap of that name is in namespace 'one'",
        ),
        (
            [_object("ConfigMap", "a", data={"b-c": "1"}), _object("ConfigMap", "a-b", data={"c": "2"})],
            "ConfigMap 'a-b', data.c: its Compose name 'a-b-c' in configs is also that of ConfigMap 'a', data.b-c",
        ),
        (
            [_object("Secret", "a", stringData={"b_c": "1"}), _object("Secret", "a-b", stringData={"c": "2"})],
            "Secret 'a-b', key c: its Compose name 'PYKRO_SECRET_A_B_C' in variables is also that of Secret 'a'",
        ),
        (
            [_deployment("web-api", ["c"]), _deployment("web", ["api", "db"])],
            "Deployment 'web', spec.template.spec.containers[0]: its Compose name 'web-api' in services is also",
        ),
    ],
)
def test_names_compose_would_merge_are_refused(objects: list[dict[str, Any]], message: str) -> None:
    """Compose names come from object names and keys, lower-cased, without namespaces: where two meet, the second
    replaced the first in the file without a word."""
    with pytest.raises(ComposeError) as error:
        compose_document(objects)
    assert message in str(error.value)


def _probed(probe: dict[str, Any]) -> dict[str, Any]:
    container = {"name": "c", "image": "i", "ports": [{"containerPort": 8443}], "readinessProbe": probe}
    pod = {"containers": [container]}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"template": {"spec": pod}},
    }


@pytest.mark.parametrize(
    ("probe", "message"),
    [
        ({"httpGet": {"port": 8443, "httpHeaders": [{"name": "Host", "value": "a"}]}}, "probe httpGet.httpHeaders"),
        ({"httpGet": {"port": 8443, "host": "10.0.0.1"}}, "probe httpGet.host"),
        ({"tcpSocket": {"port": 8443, "host": "db"}}, "probe tcpSocket.host"),
        ({"tcpSocket": {"port": 8443}, "successThreshold": 3}, "probe successThreshold"),
    ],
)
def test_probe_settings_a_healthcheck_cannot_carry_are_refused(probe: dict[str, Any], message: str) -> None:
    """A Host header, another host or a success threshold were dropped: the healthcheck checked something else."""
    with pytest.raises(ComposeError, match=f"Deployment 'd', spec.template.spec.containers\\[0\\] {message}"):
        compose_document([_probed(probe)])


def test_https_probe_skips_certificate_checks_as_the_kubelet_does() -> None:
    test = compose_document([_probed({"httpGet": {"port": 8443, "scheme": "HTTPS"}})]).document["services"]["d"]
    assert test["healthcheck"]["test"] == [
        "CMD-SHELL",
        "wget -q --no-check-certificate -O /dev/null https://127.0.0.1:8443/ || "
        "curl -fsS -k -o /dev/null https://127.0.0.1:8443/ || exit 1",
    ]


def _secured(pod_context: dict[str, Any], context: dict[str, Any], **pod: Any) -> dict[str, Any]:
    container = {"name": "c", "image": "i", "securityContext": context}
    spec = {"containers": [container], "securityContext": pod_context, **pod}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"template": {"spec": spec}},
    }


def test_security_context_becomes_the_services_settings(kit: SimpleNamespace, tmp_path: Path) -> None:
    """The user, read-only root, capabilities and no-new-privileges reach Compose (were dropped: the container ran
    as root with every capability)."""
    context = {
        "runAsUser": 1000,
        "readOnlyRootFilesystem": True,
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
    }
    pod_context = {"runAsGroup": 3000, "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    out = tmp_path / "compose.yaml"
    out.write_text(compose_document([_secured(pod_context, context)]).text(), encoding="utf-8")
    service = load(kit, out)["services"]["d"]
    assert service["user"] == "1000:3000" and service["read_only"] is True
    assert service["cap_drop"] == ["ALL"] and service["cap_add"] == ["NET_BIND_SERVICE"]
    assert service["security_opt"] == ["no-new-privileges:true"]


@pytest.mark.parametrize(
    ("deployment", "message"),
    [
        (_secured({"runAsNonRoot": True}, {}), "containers[0].securityContext.runAsNonRoot: Compose cannot refuse"),
        (_secured({"fsGroup": 2000}, {}), "spec.template.spec.securityContext.fsGroup: Compose has no such setting"),
        (_secured({}, {"runAsGroup": 1}), "securityContext.runAsGroup: Compose sets a group only with a user"),
        (_secured({}, {"seccompProfile": {"type": "Localhost"}}), "a Localhost profile has no Compose form"),
        (_secured({}, {}, hostNetwork=True), "spec.template.spec.hostNetwork: the Compose file would not carry it"),
        (_probed({"tcpSocket": {"port": 8443}}) | {}, None),
    ],
)
def test_run_settings_compose_cannot_carry_are_refused(deployment: dict[str, Any], message: str | None) -> None:
    if message is None:
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        container["ports"][0]["hostPort"] = 80
        message = "containers[0].ports[0].hostPort: publish ports with a LoadBalancer or NodePort Service"
    with pytest.raises(ComposeError) as error:
        compose_document([deployment])
    assert message in str(error.value)
