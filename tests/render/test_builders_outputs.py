"""HelmOutput, KustomizeOutput and DockerComposeOutput (Celestra's names) write builders' objects through the same
renderers as `pykro render`, checked with the real helm, kustomize and compose-go."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from pykro.builders import App, ConfigMap, DockerComposeOutput, HelmOutput, KustomizeOutput, Secret
from pykro.errors import PykroError


def app(replicas: int) -> App:
    secret = Secret("api-keys").add("token", "s3cr3t-token")
    config = ConfigMap("settings").add("MODE", "fast").add("script", "echo ${HOME} {{ not a template }}")
    return (
        App("web").image("nginx:1.27").port(8080).replicas(replicas).env("GREETING", "y")
        .add_secret(secret).add_config(config).expose()
    )  # fmt: skip


def test_helm_output_templates_to_the_builders_objects(kit: SimpleNamespace, tmp_path: Path) -> None:
    source = app(2)
    out = HelmOutput("web", include_secrets=True).generate(source, tmp_path / "chart")
    assert (tmp_path / "chart" / "Chart.yaml") in out.files
    helm = kit.tool("helm")
    kit.run([helm, "lint", "--strict", str(tmp_path / "chart")])
    rendered = kit.run([helm, "template", "web", str(tmp_path / "chart")])
    assert kit.by_identity(kit.load_all(rendered.stdout)) == kit.by_identity(source.objects())


def test_helm_output_keeps_secret_values_out_unless_asked(kit: SimpleNamespace, tmp_path: Path) -> None:
    HelmOutput("web").generate(app(1), tmp_path / "chart")
    text = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "chart").rglob("*") if p.is_file())
    assert "s3cr3t-token" not in text
    failed = kit.run([kit.tool("helm"), "template", "web", str(tmp_path / "chart")], ok=False)
    assert failed.returncode != 0 and "pykroSecrets" in failed.stderr
    passed = kit.run([kit.tool("helm"), "template", "web", str(tmp_path / "chart"), "--set",
                      "pykroSecrets.secretApiKeys.data.token=Z2l2ZW4="])  # fmt: skip
    secret = next(d for d in kit.load_all(passed.stdout) if d["kind"] == "Secret")
    assert secret["data"] == {"token": "Z2l2ZW4="}


def test_kustomize_output_base_and_overlay(kit: SimpleNamespace, tmp_path: Path) -> None:
    out = KustomizeOutput(include_secrets=True).generate(app(1), tmp_path / "k", overlays={"prod": app(4)})
    assert out.files
    built = kit.run([kit.tool("kustomize"), "build", str(tmp_path / "k" / "overlays" / "prod")])
    docs = kit.by_identity(kit.load_all(built.stdout))
    want = kit.by_identity(app(4).objects())
    secret = docs[("Secret", "", "api-keys")]
    assert secret["data"] == {"token": "czNjcjN0LXRva2Vu"}  # base64 of the value, from the generator's file
    del docs[("Secret", "", "api-keys")], want[("Secret", "", "api-keys")]
    assert docs == want


def test_compose_output_is_valid_compose(kit: SimpleNamespace, tmp_path: Path) -> None:
    path = tmp_path / "docker-compose.yml"
    out = DockerComposeOutput().generate(app(3), path)
    assert out.files == [path] and out.skipped == []
    text = path.read_text(encoding="utf-8")
    assert "s3cr3t-token" not in text
    result = subprocess.run([kit.tool("compose-check"), str(path)], capture_output=True, text=True, check=False,
                            env={"PATH": "/usr/bin:/bin", "PYKRO_SECRET_API_KEYS_TOKEN": "x"})  # fmt: skip
    assert result.returncode == 0, result.stderr
    web = json.loads(result.stdout)["services"]["web"]
    assert web["image"] == "nginx:1.27" and web["deploy"]["replicas"] == 3
    assert web["environment"]["GREETING"] == "y" and web["environment"]["token"] == "x"


def test_compose_output_refuses_to_run_docker() -> None:
    with pytest.raises(PykroError, match="pykro does not run docker compose"):
        DockerComposeOutput().up()  # type: ignore[attr-defined]  # set with setattr


def test_generated_writes_through_the_outputs(kit: SimpleNamespace, tmp_path: Path) -> None:
    generated = app(1).generate()
    chart = generated.to_helm_chart(tmp_path / "chart")
    assert tmp_path / "chart" / "Chart.yaml" in chart
    assert "name: web" in (tmp_path / "chart" / "Chart.yaml").read_text(encoding="utf-8")
    assert tmp_path / "k" / "base" / "kustomization.yaml" in generated.to_kustomize(tmp_path / "k")
    missing = kit.run([kit.tool("kustomize"), "build", str(tmp_path / "k" / "base")], ok=False)
    assert missing.returncode != 0 and "secrets/api-keys/token" in missing.stderr  # the value is not written
    (tmp_path / "k" / "base" / "secrets" / "api-keys").mkdir(parents=True)
    (tmp_path / "k" / "base" / "secrets" / "api-keys" / "token").write_text("given")
    built = kit.run([kit.tool("kustomize"), "build", str(tmp_path / "k" / "base")])
    kinds = sorted(d["kind"] for d in kit.load_all(built.stdout))
    assert kinds == ["ConfigMap", "Deployment", "Secret", "Service"]
    assert generated.to_docker_compose(tmp_path / "c.yml") == [tmp_path / "c.yml"]
    with pytest.raises(PykroError, match="a chart's values are its spec"):
        generated.to_helm_values(tmp_path / "v")


@pytest.mark.parametrize("output", [HelmOutput("web"), KustomizeOutput(), DockerComposeOutput()])
def test_two_builders_of_one_object_are_refused(output: object, kit: SimpleNamespace, tmp_path: Path) -> None:
    """Two App("web") made two Deployments 'web' in one chart (helm install fails; the Compose file and the
    Kustomize base kept the second only); the same Secret added to two apps is made once."""
    target = tmp_path / ("compose.yaml" if isinstance(output, DockerComposeOutput) else "out")
    with pytest.raises(PykroError, match=r"two different Deployment objects named 'web' .*Give the builders distinct"):
        output.generate([App("web").image("nginx"), App("web").image("redis")], target)  # type: ignore[attr-defined]
    shared = Secret("creds").add("token", "t0k3n")
    output.generate([App("a").image("x").add_secret(shared), App("b").image("y").add_secret(shared)], target)  # type: ignore[attr-defined]
    if isinstance(output, HelmOutput):
        rendered = kit.load_all(
            kit.run(
                [
                    kit.tool("helm"),
                    "template",
                    "r",
                    str(target),
                    "--set",
                    "pykroSecrets.secretCreds.data.token=dDBrM24=",
                ]
            ).stdout
        )
        assert sorted((o["kind"], o["metadata"]["name"]) for o in rendered) == [
            ("Deployment", "a"),
            ("Deployment", "b"),
            ("Secret", "creds"),
        ]


def test_kustomize_output_names_a_bad_overlay_without_cli_words(tmp_path: Path) -> None:
    app = App("web").image("nginx:1.27")
    with pytest.raises(PykroError) as error:
        KustomizeOutput().generate(app, tmp_path, overlays={"pr od": app})
    assert "overlay name 'pr od' is not a directory name" in str(error.value) and "--overlay" not in str(error.value)
