"""`pykro render --kustomize DIR --overlay NAME=VALUES`: a golden base and overlays for the examples; `kustomize build`
(kustomize v5, the engine inside `kubectl kustomize`) of each overlay gives what `pykro render --manifests` gives with
that overlay's values, object for object; Secret values are written only with --include-secrets."""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pykro import Spec, Status, composition
from pykro import _yamlio as yamlio
from pykro.render import _goyaml as goyaml
from pykro.simple import ConfigMap, Secret

MICRO = yamlio.load_file(Path(__file__).parents[2] / "examples" / "microservices-values.yaml")
PROD = {**MICRO, "environment": "production", "version": "2.0.0", "gateway": {"domain": "shop.example", "replicas": 3}}

# example target, base values, overlays
EXAMPLES: dict[str, tuple[str, dict[str, Any], dict[str, dict[str, Any]]]] = {
    "webapp": ("webapp.py", {"replicas": 1}, {"dev": {"replicas": 1}, "prod": {"replicas": 5}}),
    "microservices": ("microservices.py", MICRO, {"dev": {}, "prod": PROD}),
    "celestra_db": (
        "celestra_db.py",
        {},
        {"small": {"replicas": 1, "storage": "1Gi"}, "big": {"backupSchedule": "0 * * * *"}},
    ),
    "api_tier": (
        "hub_tenants.py:api_tier",
        {"name": "acme"},
        {"staging": {"flag": True}, "prod": {"name": "acme-prod", "replicas": 6}},
    ),
}


def pykro(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pykro", "render", *args], capture_output=True, text=True, check=False)


def normalized(docs: list[Any]) -> list[Any]:
    """Secrets as the API server stores them: stringData folded into data (base64), type defaulted to Opaque
    (secretGenerator writes both that way)."""
    for doc in docs:
        if doc.get("kind") == "Secret":
            doc.setdefault("type", "Opaque")
        if doc.get("kind") == "Secret" and "stringData" in doc:
            data = doc.setdefault("data", {})
            for key, value in doc.pop("stringData").items():
                data[key] = base64.b64encode(str(value).encode()).decode()
    return docs


@pytest.mark.parametrize("case", sorted(EXAMPLES))
def test_example_overlays_equal_manifests(case: str, kit: SimpleNamespace, tmp_path: Path) -> None:
    target, base, overlays = EXAMPLES[case]
    base_file = tmp_path / "base-values.yaml"
    base_file.write_text(goyaml.dump(base), encoding="utf-8")
    args = [
        str(kit.examples / target),
        "--kustomize",
        str(tmp_path / "tree"),
        "-f",
        str(base_file),
        "--include-secrets",
    ]
    for label, values in overlays.items():
        (tmp_path / f"{label}.yaml").write_text(goyaml.dump(values), encoding="utf-8")
        args += ["--overlay", f"{label}={tmp_path / f'{label}.yaml'}"]
    result = pykro(*args)
    assert result.returncode == 0, result.stderr
    kit.check_golden_tree(f"kustomize/{case}", tmp_path / "tree")
    for label in overlays:
        built = kit.run([kit.tool("kustomize"), "build", str(tmp_path / "tree" / "overlays" / label)])
        mine = pykro(
            str(kit.examples / target), "--manifests", "-f", str(base_file), "-f", str(tmp_path / f"{label}.yaml")
        )
        assert mine.returncode == 0, mine.stderr
        want = kit.by_identity(normalized(kit.load_all(mine.stdout)))
        assert kit.by_identity(normalized(kit.load_all(built.stdout))) == want, label


def test_kubectl_kustomize_agrees(kit: SimpleNamespace, tmp_path: Path) -> None:
    """Where kubectl is installed, its embedded kustomize builds the same objects as kustomize v5."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (kustomize itself is checked above)")
    (tmp_path / "prod.yaml").write_text(goyaml.dump(PROD), encoding="utf-8")
    tree = tmp_path / "tree"
    args = ["--kustomize", str(tree), "--include-secrets", "--overlay", f"prod={tmp_path / 'prod.yaml'}"]
    assert pykro(str(kit.examples / "microservices.py"), *args).returncode == 0
    mine = kit.run([kubectl, "kustomize", str(tree / "overlays" / "prod")])
    theirs = kit.run([kit.tool("kustomize"), "build", str(tree / "overlays" / "prod")])
    assert kit.by_identity(kit.load_all(mine.stdout)) == kit.by_identity(kit.load_all(theirs.stdout))


def test_secrets_need_include_secrets(kit: SimpleNamespace, tmp_path: Path) -> None:
    values = kit.examples / "microservices-values.yaml"
    tree = tmp_path / "tree"
    result = pykro(str(kit.examples / "microservices.py"), "--kustomize", str(tree), "--overlay", f"dev={values}")
    assert result.returncode == 0, result.stderr
    text = b"".join(p.read_bytes() for p in tree.rglob("*") if p.is_file())
    assert b"user_password" not in text and b"dXNlcl9wYXNzd29yZA==" not in text
    failed = kit.run([kit.tool("kustomize"), "build", str(tree / "overlays" / "dev")], ok=False)
    assert failed.returncode != 0 and "secrets/db-secrets/USER_DB_PASSWORD" in failed.stderr


def test_bad_overlay_option_is_one_sentence(kit: SimpleNamespace, tmp_path: Path) -> None:
    result = pykro(str(kit.examples / "webapp.py"), "--kustomize", str(tmp_path), "--overlay", "dev")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "--overlay: 'dev' is not NAME=VALUES.yaml. E.g. --overlay dev=dev.yaml." in result.stderr


def test_piped_values_are_read_once(kit: SimpleNamespace, tmp_path: Path) -> None:
    """-f /dev/stdin (and an overlay read from a pipe) gives its text once: every overlay gets the piped values (the
    second read of the pipe was empty: later overlays lost the base values, or failed on a required field)."""
    (tmp_path / "dev.yaml").write_text("{}\n", encoding="utf-8")
    (tmp_path / "prod.yaml").write_text("replicas: 5\n", encoding="utf-8")
    tree = tmp_path / "tree"
    overlays = ["--overlay", f"dev={tmp_path / 'dev.yaml'}", "--overlay", f"prod={tmp_path / 'prod.yaml'}"]
    command = [sys.executable, "-m", "pykro", "render", str(kit.examples / "webapp.py"), "--kustomize", str(tree)]
    result = subprocess.run(
        [*command, "-f", "/dev/stdin", *overlays], input="replicas: 2\n", capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    for label, replicas in (("dev", 2), ("prod", 5)):
        built = kit.load_all(kit.run([kit.tool("kustomize"), "build", str(tree / "overlays" / label)]).stdout)
        assert [d["spec"]["replicas"] for d in built if d["kind"] == "Deployment"] == [replicas], label
    shutil.rmtree(tree)
    piped = ["--overlay", "dev=/dev/stdin", "--overlay", f"prod={tmp_path / 'prod.yaml'}"]  # the base is dev's values
    result = subprocess.run([*command, *piped], input="replicas: 3\n", capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    built = kit.load_all(kit.run([kit.tool("kustomize"), "build", str(tree / "overlays" / "dev")]).stdout)
    assert [d["spec"]["replicas"] for d in built if d["kind"] == "Deployment"] == [3]


class TwoSpacesSpec(Spec):
    x: str = "a"
    extra: bool = True


class TwoSpacesStatus(Status):
    ok: bool


@composition(api_version="example.com/v1", kind="TwoSpaces")
def two_spaces(spec: TwoSpacesSpec) -> TwoSpacesStatus:
    ConfigMap(id="one", name="cfg", namespace="one", data={"x": spec.x})
    ConfigMap(id="two", name="cfg", namespace="two", data={"x": "b"}).include_when(spec.extra)
    Secret(id="s1", name="creds", namespace="one", string_data={"k": "in-one"})
    Secret(id="s2", name="creds", namespace="two", string_data={"k": "in-two"})
    return TwoSpacesStatus(ok=True)


def test_same_name_in_two_namespaces(kit: SimpleNamespace, tmp_path: Path) -> None:
    """Objects of one kind and name in two namespaces are two objects (was refused: 'two objects ConfigMap 'cfg' in
    base'); the overlay patches and deletes the one of its namespace, and each Secret reads its own files."""
    (tmp_path / "dev.yaml").write_text("x: dev\n", encoding="utf-8")
    (tmp_path / "prod.yaml").write_text("extra: false\n", encoding="utf-8")
    tree = tmp_path / "tree"
    overlays = ["--overlay", f"dev={tmp_path / 'dev.yaml'}", "--overlay", f"prod={tmp_path / 'prod.yaml'}"]
    result = pykro(f"{__file__}:two_spaces", "--kustomize", str(tree), "--include-secrets", *overlays)
    assert result.returncode == 0, result.stderr
    for label in ("dev", "prod"):
        built = kit.run([kit.tool("kustomize"), "build", str(tree / "overlays" / label)])
        mine = pykro(f"{__file__}:two_spaces", "--manifests", "-f", str(tmp_path / f"{label}.yaml"))
        assert mine.returncode == 0, mine.stderr
        want = kit.by_identity(normalized(kit.load_all(mine.stdout)))
        assert kit.by_identity(normalized(kit.load_all(built.stdout))) == want, label
    assert len([k for k in want if k[0] == "ConfigMap"]) == 1  # prod: the includeWhen is false
