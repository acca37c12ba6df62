"""The built-in kinds are typed for editors and `mypy --strict` by stubs generated from the shipped CRDs."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from mypy import api as mypy_api

from pykro.integrations import _stubs

PACKAGE = Path(_stubs.__file__).parent


@pytest.mark.parametrize("name", _stubs.MODULES)
def test_stubs_are_current(name: str) -> None:
    assert (PACKAGE / f"{name}.pyi").read_text(encoding="utf-8") == _stubs.stub(name), (
        "run python -m pykro.integrations._stubs"
    )


GOOD = """from __future__ import annotations

import pykro
from pykro.authoring import Ref
from pykro.integrations.certmanager import Certificate, ClusterIssuer
from pykro.integrations.cnpg import HEALTHY, Cluster, Pooler
from pykro.integrations.flux import HelmRelease, HelmRepository
from pykro.integrations.valkey import Valkey


class Spec(pykro.Spec):
    name: str


@pykro.composition(api_version="v1alpha1", kind="Stack")
def stack(spec: Spec) -> None:
    db = Cluster(f"{spec.name}-db", id="db", instances=3, storage={"size": "10Gi", "storageClass": "gp3"})
    Pooler(f"{spec.name}-pooler", id="pooler", cluster={"name": db.metadata.name}, pgbouncer={"poolMode": "session"})
    cache = Valkey(f"{spec.name}-cache", id="cache", nodes=3)
    HelmRepository("inngest", id="repo", type="oci", url="oci://ghcr.io/inngest/inngest-helm", interval="5m")
    HelmRelease(
        spec.name,
        id="release",
        interval="5m",
        chart={"spec": {"chart": "inngest", "sourceRef": {"kind": "HelmRepository", "name": "inngest"}}},
        values={"inngest": {"postgres": {"uri": db.status.writeService}}},
    )
    ClusterIssuer("selfsigned", id="issuer", selfSigned={})
    Certificate(spec.name, id="cert", secretName="tls", dnsNames=["a.example.com"], issuerRef={"name": "selfsigned"})
    ready: Ref = cache.status.ready
    phase: str = HEALTHY
"""

BAD = """from pykro.integrations.certmanager import ClusterIssuer
from pykro.integrations.cnpg import Cluster
from pykro.integrations.flux import HelmRepository

Cluster("db", instances="3")
HelmRepository("r", type="git")
ClusterIssuer("ca", namespace="default")
reveal_type(Cluster("db").status.readyInstances)
"""


def test_user_code_with_built_in_kinds_passes_mypy_strict_and_mistakes_do_not(tmp_path: Path) -> None:
    (tmp_path / "stack.py").write_text(GOOD)
    (tmp_path / "bad.py").write_text(BAD)
    cache = str(tmp_path / ".mypy")
    out, err, status = mypy_api.run(["--strict", "--cache-dir", cache, str(tmp_path / "stack.py")])
    assert status == 0, out + err
    graph = runpy.run_path(str(tmp_path / "stack.py"))["stack"].graph  # and it runs: every template checked
    assert [r.id for r in graph.resources] == ["db", "pooler", "cache", "repo", "release", "issuer", "cert"]
    out, _, status = mypy_api.run(["--strict", "--cache-dir", cache, str(tmp_path / "bad.py")])
    assert status == 1
    found = [line.split(": ", 1)[1] for line in out.splitlines() if line.startswith(str(tmp_path))]
    assert found == [
        'error: Argument "instances" to "Cluster" has incompatible type "str"; expected "int | Ref"  [arg-type]',
        'error: Argument "type" to "HelmRepository" has incompatible type "Literal[\'git\']"; expected '
        "\"Literal['default', 'oci'] | Ref\"  [arg-type]",
        'error: Unexpected keyword argument "namespace" for "ClusterIssuer"  [call-arg]',
        'note: "ClusterIssuer" defined in "pykro.integrations.certmanager"',
        'note: Revealed type is "pykro.authoring._refs.Ref"',
    ]
