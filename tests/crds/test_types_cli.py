"""`pykro types`: a typed module per CRD that a user file can use under `mypy --strict`, and that works at run time."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mypy import api as mypy_api
from tests.helpers import shared

from pykro.errors import CompositionError

CRDS = shared("fixtures", "crds")
FIXTURE_CRDS = sorted(CRDS.rglob("*.yaml"))

# What a user writes with each kind: typed spec keywords and typed references.
USES = {
    "Backup": (
        'Backup(spec.name, id="x", cluster={"name": "db"}, method="barmanObjectStore")',
        "x.status.phase",
    ),
    "Cluster": (
        'Cluster(spec.name, id="x", instances=3, storage={"size": "1Gi"})',
        "x.status.readyInstances",
    ),
    "Pooler": (
        'Pooler(spec.name, id="x", cluster={"name": "db"}, pgbouncer={"poolMode": "session"})',
        "x.status.instances",
    ),
    "ScheduledBackup": (
        'ScheduledBackup(spec.name, id="x", schedule="0 0 0 * * *", cluster={"name": "db"})',
        "x.status.lastScheduleTime",
    ),
    "HelmRelease": (
        'HelmRelease(spec.name, id="x", interval="5m", chart={"spec": {"chart": "web", '
        '"sourceRef": {"kind": "HelmRepository", "name": "r"}}})',
        "x.status.lastAttemptedRevision",
    ),
    "Kustomization": (
        'Kustomization(spec.name, id="x", interval="5m", prune=True, sourceRef={"kind": "GitRepository", "name": "g"})',
        "x.status.lastAppliedRevision",
    ),
    "GitRepository": (
        'GitRepository(spec.name, id="x", url="https://example.com/r.git", interval="1m", ref={"branch": "main"})',
        "x.status.artifact.revision",
    ),
    "HelmRepository": (
        'HelmRepository(spec.name, id="x", type="oci", url="oci://ghcr.io/x", interval="5m")',
        "x.spec.url",
    ),
    "OCIRepository": (
        'OCIRepository(spec.name, id="x", url="oci://ghcr.io/x", interval="5m", ref={"tag": "1.0"})',
        "x.status.artifact.digest",
    ),
    "Certificate": (
        'Certificate(spec.name, id="x", secretName="tls", dnsNames=["a.example.com"], '
        'issuerRef={"name": "ca", "kind": "ClusterIssuer"})',
        "x.status.notAfter",
    ),
    "Issuer": (
        'Issuer(spec.name, id="x", selfSigned={})',
        "x.status.acme.uri",
    ),
    "ClusterIssuer": (
        'ClusterIssuer(spec.name, id="x", ca={"secretName": "ca"})',
        "x.status.conditions",
    ),
    "Valkey": (
        'Valkey(spec.name, id="x", nodes=3, replicas=1)',
        "x.status.ready",
    ),
}

USER = """from __future__ import annotations

import pykro
from pykro.authoring import Ref
from {module} import {kind}


class Spec(pykro.Spec):
    name: str


@pykro.composition(api_version="v1alpha1", kind="Use{kind}")
def use(spec: Spec) -> None:
    x = {call}
    r: Ref = {ref}
"""


def pykro_types(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pykro", "types", *args], capture_output=True, text=True, check=False, cwd=cwd
    )


@pytest.fixture
def on_path(tmp_path: Path) -> Iterator[Path]:
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith(("crd_", "use_"))]:
            del sys.modules[name]


def test_every_fixture_crd_gives_a_module_a_strict_user_file_type_checks(on_path: Path) -> None:
    assert len(FIXTURE_CRDS) == 13
    files = []
    for index, crd in enumerate(FIXTURE_CRDS):
        module = f"crd_{index}"
        proc = pykro_types(str(crd), "-o", f"{module}.py", cwd=on_path)
        assert proc.returncode == 0, proc.stderr
        kind = proc.stdout.strip().rsplit(": ", 1)[1]
        assert kind in USES, kind
        user = on_path / f"use_{index}.py"
        call, ref = USES[kind]
        user.write_text(USER.format(module=module, kind=kind, call=call, ref=ref))
        files += [str(on_path / f"{module}.py"), str(user)]
    out, err, status = mypy_api.run(["--strict", "--cache-dir", str(on_path / ".mypy"), *files])
    assert status == 0, out + err
    # the modules work at run time: every user composition builds its graph, spec validated against the CRD
    for index in range(len(FIXTURE_CRDS)):
        graph = importlib.import_module(f"use_{index}").use.graph
        assert graph.resource("x").template is not None


def test_type_checker_catches_wrong_fields_and_values(on_path: Path) -> None:
    crds = [
        CRDS / "cloudnative-pg/config/crd/bases/postgresql.cnpg.io_clusters.yaml",
        CRDS / "cert-manager/deploy/crds/cert-manager.io_clusterissuers.yaml",
        CRDS / "flux/source-controller/config/crd/bases/source.toolkit.fluxcd.io_helmrepositories.yaml",
    ]
    proc = pykro_types(*map(str, crds), "-o", "crd_bad.py", cwd=on_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "wrote crd_bad.py: Cluster, ClusterIssuer, HelmRepository"
    (on_path / "use_bad.py").write_text(
        "from crd_bad import Cluster, ClusterIssuer, HelmRepository\n"
        'Cluster("a", instances="three")\n'
        'Cluster("a", storage={"sise": "1Gi"})\n'
        'ClusterIssuer("ca", namespace="x")\n'
        'HelmRepository("r", type="git")\n'
        'reveal_type(Cluster("a").spec.storage)\n'
    )
    out, _, status = mypy_api.run(["--strict", "--cache-dir", str(on_path / ".mypy"), str(on_path / "use_bad.py")])
    assert status == 1
    lines = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith(str(on_path / "use_bad.py"))]
    assert lines == [
        'error: Argument "instances" to "Cluster" has incompatible type "str"; expected "int | Ref"  [arg-type]',
        'error: Argument "storage" to "Cluster" has incompatible type "dict[str, str]"; expected '
        '"ClusterSpecStorage | Ref"  [arg-type]',
        'error: Unexpected keyword argument "namespace" for "ClusterIssuer"  [call-arg]',
        'note: "ClusterIssuer" defined in "crd_bad"',
        'error: Argument "type" to "HelmRepository" has incompatible type "Literal[\'git\']"; expected '
        "\"Literal['default', 'oci'] | Ref\"  [arg-type]",
        'note: Revealed type is "crd_bad.ClusterSpecStorageRef"',
    ]


def test_stubs_for_a_module_that_loads_the_crd(on_path: Path) -> None:
    crd = CRDS / "valkey-operator/config/crd/bases/hyperspike.io_valkeys.yaml"
    proc = pykro_types(str(crd), "-o", "crd_stubbed.pyi", cwd=on_path)
    assert proc.returncode == 0, proc.stderr
    assert "json.loads" not in (on_path / "crd_stubbed.pyi").read_text()
    (on_path / "crd_stubbed.py").write_text(f"from pykro.crds import load\n\nValkey = load({str(crd)!r}).Valkey\n")
    (on_path / "use_stubbed.py").write_text(
        'from crd_stubbed import Valkey\n\nv = Valkey("cache", nodes=3)\nw = Valkey("cache", nodes="3")\n'
    )
    out, _, status = mypy_api.run(["--strict", "--cache-dir", str(on_path / ".mypy"), str(on_path / "use_stubbed.py")])
    assert status == 1
    assert 'use_stubbed.py:4: error: Argument "nodes" to "Valkey" has incompatible type "str"' in out
    # at run time the same mistake is refused by the schema
    with pytest.raises(CompositionError, match=r"use_stubbed.py:4:5: Valkey field spec.nodes must be an integer"):
        importlib.import_module("use_stubbed")


def test_errors_are_one_paragraph(tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n")
    proc = pykro_types("deploy.yaml", cwd=tmp_path)
    assert proc.returncode != 0
    assert proc.stderr.strip() == (
        "error: deploy.yaml: kind is 'Deployment' (apiVersion 'apps/v1'), not an apiextensions.k8s.io "
        "CustomResourceDefinition. Pass the operator's CRD files (kind: CustomResourceDefinition)."
    )
    crd = CRDS / "valkey-operator/config/crd/bases/hyperspike.io_valkeys.yaml"
    proc = pykro_types(str(crd), "-o", "valkey.txt", cwd=tmp_path)
    assert proc.returncode != 0
    assert "-o/--output: cannot write valkey.txt: the output is a Python module" in proc.stderr
    proc = pykro_types(str(crd), str(crd), cwd=tmp_path)
    assert "kind Valkey is defined twice" in proc.stderr
    proc = pykro_types(str(crd), cwd=tmp_path)
    assert proc.returncode == 0
    compile(proc.stdout, "valkey.py", "exec")
