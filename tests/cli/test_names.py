"""Instance names and namespaces are checked before they reach a URL (issue 11 item 1): a name such as
``x/../../../kube-system/configmaps/victim`` once made `pykro delete` remove ``kube-system/victim``, because the HTTP
client normalises the ``..`` segments. Runs against the emulator over HTTP, through the CLI and the Python API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.core_v1 import ConfigMap, Namespace

from pykro.cli.main import main
from pykro.deploy import DeployError, DirectFactory, KroFactory
from pykro.deploy._names import check_name, check_namespace, check_segment
from pykro.emulator._cluster import LocalCluster
from pykro.graph import Graph

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
WEBAPP = EXAMPLES / "rgd" / "webapp.yaml"
ATTACK = "x/../../../kube-system/configmaps/victim"
BAD_NAMES = [
    ATTACK,
    "../victim",
    "..",
    ".",
    "a%2Fb",
    "a/b",
    "name\nwith-newline",
    "\x1b[31mred",
    "UPPER",
    "a" * 300,
    "",
    "a?dryRun=All",
    "a#frag",
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(simulate=False) as c:
        client = c.client()
        client.create(Namespace(metadata=ObjectMeta(name="badns")))
        _plant(c)
        yield c


def _plant(cluster: LocalCluster) -> None:
    victim = ConfigMap(metadata=ObjectMeta(name="victim", namespace="kube-system"), data={"keep": "me"})
    cluster.client().create(victim)


def _victim(cluster: LocalCluster) -> ConfigMap:
    return cluster.client().get(ConfigMap, "victim", namespace="kube-system")


def _run(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_delete_with_traversal_name_refuses_and_victim_survives(
    cluster: LocalCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--kubeconfig", str(cluster.kubeconfig_path), "-n", "badns"]
    mark = len(cluster.request_log())
    for command in ("delete", "status"):
        code = _run(command, ATTACK, "--file", str(WEBAPP), *where)
        err = capsys.readouterr().err
        assert code == 1, err
        assert repr(ATTACK) in err and "not a valid Kubernetes name" in err
    assert cluster.request_log()[mark:] == []  # refused before any request
    assert _victim(cluster).data == {"keep": "me"}


def test_python_api_rejects_bad_names_before_any_request(cluster: LocalCluster) -> None:
    graph = Graph.from_file(str(WEBAPP))
    before = len(cluster.request_log())
    for factory_type in (DirectFactory, KroFactory):
        factory = factory_type(graph, kubeconfig=cluster.kubeconfig_path, namespace="badns")
        for name in BAD_NAMES:
            for call in (factory.delete, factory.status):
                with pytest.raises(DeployError) as info:
                    call(name)
                assert "not a valid Kubernetes name" in str(info.value)
            refused = "not a valid Kubernetes name" if name else "has no name"
            with pytest.raises(DeployError, match=refused):
                factory.deploy({"name": name, "image": "nginx"})
            with pytest.raises(DeployError, match=refused):
                factory.deploy({"image": "nginx"}, name=name)
    for namespace in ("kube-system/x", "..", "a%2Fb", "UPPER", "n\n", "a" * 64):
        with pytest.raises(DeployError, match="not a valid Kubernetes namespace name"):
            DirectFactory(graph, kubeconfig=cluster.kubeconfig_path, namespace=namespace)
    assert len(cluster.request_log()) == before
    assert _victim(cluster).data == {"keep": "me"}


def test_names_are_shown_escaped_never_raw(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["status", "a\nb\x1b[31m", "--kubeconfig", "/nonexistent"], ["delete", "\x1b]0;pwned\x07", "--local"]):
        assert _run(*argv) == 1
        err = capsys.readouterr().err
        assert "\x1b" not in err and "\x07" not in err and err.count("\n") == 1, err
        assert "\\x1b" in err
    long = "a" * 5000
    with pytest.raises(DeployError) as info:
        check_name(long)
    assert "(5000 characters)" in str(info.value) and len(str(info.value)) < 400


def test_valid_names_pass_and_path_segments_are_guarded() -> None:
    assert check_name("my-app.v2") == "my-app.v2"
    assert check_name("a" * 253) == "a" * 253
    assert check_namespace("team-1") == "team-1"
    assert check_segment("system:controller:foo", "name") == "system:controller:foo"  # RBAC names are not DNS
    for bad in ("a\n", "my-app\n"):  # `$` in a regex would accept a trailing newline
        with pytest.raises(DeployError):
            check_name(bad)
        with pytest.raises(DeployError):
            check_namespace(bad)
    for bad in ("..", ".", "a/b", "a%2F", "", "a b", "a?b"):
        with pytest.raises(DeployError):
            check_segment(bad, "name")


def test_cluster_refuses_unsafe_object_names_from_templates(cluster: LocalCluster) -> None:
    """The last line of defence: whatever builds the name (a template, a record), Cluster refuses to put a path
    traversal into a URL."""
    import asyncio

    from pykro.deploy._api import CONFIGMAP_TYPE, Cluster

    async def attempt() -> None:
        async with Cluster(kubeconfig=cluster.kubeconfig_path, namespace="badns") as c:
            with pytest.raises(DeployError, match="cannot be used in a request path"):
                await c.delete(CONFIGMAP_TYPE, "../../kube-system/configmaps/victim", "badns")
            with pytest.raises(DeployError, match="cannot be used in a request path"):
                await c.get(CONFIGMAP_TYPE, "victim", "../kube-system")

    asyncio.run(attempt())
    assert _victim(cluster).data == {"keep": "me"}


def test_the_attack_is_real_without_the_checks(cluster: LocalCluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shows the tests above can fail: without the path check, the instance record's name built from ATTACK
    (``pykro.<graph>.<name>``) is sent as path segments of its own: the server reads another request (the name cut
    at the first ``/``, ``..`` as a subresource), and any hop that normalises ``..`` (httpx did, proxies do) turns
    it into a request for ``kube-system/victim``."""
    import asyncio

    import pykro.deploy._api as api
    from pykro.deploy._api import CONFIGMAP_TYPE, Cluster

    monkeypatch.setattr(api, "check_segment", lambda value, what: value)

    async def read() -> dict[str, object] | None:
        async with Cluster(kubeconfig=cluster.kubeconfig_path, namespace="badns") as c:
            return await c.get(CONFIGMAP_TYPE, f"pykro.webapp.{ATTACK}", "badns")

    mark = len(cluster.request_log())
    asyncio.run(read())
    seen = [info for _, info, _ in cluster.request_log()[mark:] if info.resource == "configmaps"]
    assert [(i.namespace, i.name, i.subresource) for i in seen] == [("badns", "pykro.webapp.x", "..")]
