"""One short paragraph instead of a traceback (issue 10 item 12, issue 11 item 2): usage errors exit 2 with click's
message and a pointer to --help; mistakes in a composition file are located at the user's file:line (never in
typer or pykro); a malformed kubeconfig names the file and the problem. Run as real `pykro` processes."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pykro import _yamlio as yamlio
from pykro.deploy import ClusterUnreachable, DirectFactory
from pykro.graph import Graph

REPO = Path(__file__).resolve().parents[2]
WEBAPP_RGD = REPO / "examples" / "rgd" / "webapp.yaml"


def pykro(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pykro", *args], capture_output=True, text=True, check=False, cwd=REPO)


# click's wording moves between the typer/click versions pyproject allows (make floors runs the oldest): each
# pattern asks for what every version says — the kind of mistake, the input, and the fix where click gives one.
@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        (["deplyo"], r"error: No such command 'deplyo'\. Did you mean 'deploy'\? See `pykro --help`\."),
        # click suggests the closest spelling, 'deploy', for the word other tools use for delete
        (["destroy", "shop"], r"error: No such command 'destroy'\. Did you mean 'delete'\? See `pykro --help`\."),
        (["render", "--rdg", "examples/webapp.py"], r"error: No such option:? '?--rdg'?.*--rgd.*See"),
        (["render"], r"error: Missing argument '(target|TARGET)'\. See `pykro render --help`\."),
        (["rgd", "validate", "a.yaml", "b.yaml"], r"error: Got unexpected extra argument(\(s\))? \(b\.yaml\)"),
        (["emulator", "start", "--port", "70000"], r"error: Invalid value for '--port'"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(argv: list[str], pattern: str) -> None:
    proc = pykro(*argv)
    assert proc.returncode == 2
    assert re.match(pattern, proc.stderr) and proc.stderr.count("\n") == 1, proc.stderr


def test_missing_status_return_is_located_at_the_users_function(tmp_path: Path) -> None:
    comp = tmp_path / "nostatus.py"
    comp.write_text(
        "from pykro import Spec, Status, composition\n"
        "from pykro.simple import Deployment\n\n\n"
        "class S(Spec):\n    replicas: int\n\n\n"
        "class St(Status):\n    ready: bool\n\n\n"
        '@composition(api_version="example.com/v1", kind="NoStat")\n'
        "def nostat(spec: S) -> St:\n"
        '    Deployment(name="web", image="nginx", replicas=spec.replicas)\n'
    )
    proc = pykro("render", str(comp), "--rgd")
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"error: {comp}:13: nostat returns nothing, but declares St."), proc.stderr


@pytest.mark.parametrize(
    ("content", "where", "what"),
    [
        (b"x = 1\ny = 1 / 0\n", ":2:", "raised ZeroDivisionError: division by zero"),
        (b"def broken(:\n", ":1:", "not valid Python"),
        (b"\xff\xfe\x00binary", ":", "not valid Python"),
    ],
)
def test_a_composition_file_that_fails_to_import(tmp_path: Path, content: bytes, where: str, what: str) -> None:
    comp = tmp_path / "comp.py"
    comp.write_bytes(content)
    proc = pykro("render", str(comp), "--rgd")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith(f"error: {comp}{where}") and what in proc.stderr, proc.stderr


GOOD = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:1"}}],
    "users": [{"name": "u", "user": {"token": "t"}}],
    "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
    "current-context": "x",
}


def _variant(**changes: object) -> str:
    data = yamlio.copy_data(GOOD)
    for key, value in changes.items():
        data[key.replace("_", "-")] = value
    return yamlio.dump(data)


def _with_cluster(**fields: str) -> str:
    return _variant(clusters=[{"name": "c", "cluster": {"server": "https://127.0.0.1:1", **fields}}])


KUBECONFIGS = {
    "bad-yaml": ("clusters: [\n", ":2:1: no usable kubeconfig: invalid YAML"),
    "not-utf8": ("\udcff", "is not UTF-8 text"),
    "empty": ("", "is not a kubeconfig"),
    "no-current-context": (_variant(current_context=None), "sets no current-context and no --context was given"),
    "unknown-context": (_variant(current_context="nope"), "context 'nope' is not defined in it (contexts: 'x')"),
    "missing-cluster": (
        _variant(contexts=[{"name": "x", "context": {"cluster": "gone", "user": "u"}}]),
        "context 'x' names cluster 'gone', which is not defined in it",
    ),
    "missing-user": (
        _variant(contexts=[{"name": "x", "context": {"cluster": "c", "user": "gone"}}]),
        "context 'x' names user 'gone', which is not defined in it",
    ),
    "no-server": (_variant(clusters=[{"name": "c", "cluster": {}}]), "cluster 'c' has no server address"),
    "ca-not-base64": (_with_cluster(**{"certificate-authority-data": "%%%"}), "is not base64"),
    "ca-not-pem": (
        _with_cluster(**{"certificate-authority-data": base64.b64encode(b"hello").decode()}),
        "is not a base64-encoded PEM",
    ),
    "ca-file-missing": (
        _with_cluster(**{"certificate-authority": "/nonexistent/ca.crt"}),
        "cluster 'c': certificate-authority '/nonexistent/ca.crt' is not a file",
    ),
    "contexts-not-a-list": (_variant(contexts={"x": 1}), "contexts must be a list"),
}


@pytest.mark.parametrize("case", sorted(KUBECONFIGS))
def test_malformed_kubeconfig_names_the_file_and_the_problem(tmp_path: Path, case: str) -> None:
    text, problem = KUBECONFIGS[case]
    path = tmp_path / "kubeconfig"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(ClusterUnreachable) as info:
        DirectFactory(Graph.from_file(str(WEBAPP_RGD)), kubeconfig=path).status("shop")
    assert str(info.value).startswith(str(path)) and problem in str(info.value), str(info.value)
    proc = pykro("list", "--kubeconfig", str(path))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and problem in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_kubeconfig_from_the_environment_lists_several_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pykro.deploy._kubeconfig import default_path

    first = tmp_path / "first"
    monkeypatch.setenv("KUBECONFIG", f"{first}:{tmp_path / 'second'}")
    assert default_path() == first
    monkeypatch.setenv("KUBECONFIG", "")
    assert default_path() == Path("~/.kube/config").expanduser()


def test_kubeconfig_files_in_the_environment_are_merged_as_kubectl_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Contexts of every $KUBECONFIG file count (the first file naming one wins), relative certificate paths are
    read against their own file, and a missing file in the list is skipped."""
    import base64

    from pykro.deploy._kubeconfig import load

    one = tmp_path / "a" / "one"
    two = tmp_path / "b" / "two"
    one.parent.mkdir()
    two.parent.mkdir()
    pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    (two.parent / "ca.crt").write_text(pem)
    token = base64.b64encode(b"x").decode()
    one.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: first\n"
        "clusters: [{name: c1, cluster: {server: 'https://127.0.0.1:1'}}]\n"
        f"users: [{{name: u1, user: {{token: {token}}}}}]\n"
        "contexts: [{name: first, context: {cluster: c1, user: u1, namespace: one}}]\n"
    )
    two.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: second\n"
        "clusters: [{name: c2, cluster: {server: 'https://127.0.0.2:2', certificate-authority: ca.crt}},"
        " {name: c1, cluster: {server: 'https://shadowed:3'}}]\n"
        "users: [{name: u2, user: {token: t2}}]\n"
        "contexts: [{name: second, context: {cluster: c2, user: u2, namespace: two}}]\n"
    )
    monkeypatch.setenv("KUBECONFIG", os.pathsep.join([str(one), str(tmp_path / "missing"), str(two)]))
    first = load(None, None)
    assert first.namespace == "one" and first.server == "https://127.0.0.1:1"  # not shadowed
    second = load(None, "second")
    assert second.namespace == "two" and second.server == "https://127.0.0.2:2"
    assert second.abs_file(second.cluster["certificate-authority"]) == str(two.parent / "ca.crt")


@pytest.mark.parametrize("command", [["deploy", "examples/webapp.py"], ["status", "web"], ["delete", "web"]])
def test_local_and_another_cluster_are_refused_together(command: list[str]) -> None:
    """--kubeconfig/--context were ignored silently next to --local."""
    proc = pykro(*command, "--local", "--kubeconfig", "/nonexistent/kubeconfig", "--context", "prod")
    assert proc.returncode == 1 and proc.stdout == "", proc.stderr
    assert proc.stderr == (
        "error: --local and --kubeconfig/--context name two clusters. Use --local for the embedded emulator, or "
        "--kubeconfig/--context for another cluster.\n"
    )
