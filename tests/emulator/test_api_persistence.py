"""`--state FILE`: a restarted emulator keeps its objects, resourceVersions keep increasing, CRDs are served."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from lightkube.generic_resource import create_namespaced_resource
from lightkube.models.meta_v1 import ObjectMeta
from lightkube.resources.apiextensions_v1 import CustomResourceDefinition
from lightkube.resources.core_v1 import ConfigMap, Service

from pykro.deploy._errors import ClusterUnreachable
from pykro.deploy.local import ensure_local, stop_local
from pykro.emulator._cluster import LocalCluster
from pykro.errors import PykroError

CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gizmos.example.com"},
    "spec": {
        "group": "example.com",
        "scope": "Namespaced",
        "names": {"plural": "gizmos", "kind": "Gizmo"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            }
        ],
    },
}
Gizmo = create_namespaced_resource("example.com", "v1", "Gizmo", "gizmos")


def test_restart_keeps_objects(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with LocalCluster(simulate=False, state_file=state) as cluster:
        client = cluster.client()
        cm = client.create(ConfigMap(metadata=ObjectMeta(name="kept"), data={"a": "1"}))
        ip = client.create(Service.from_dict({"metadata": {"name": "svc"}, "spec": {"ports": [{"port": 1}]}}))
        client.create(CustomResourceDefinition.from_dict(CRD))
        client.create(
            Gizmo.from_dict(
                {"apiVersion": "example.com/v1", "kind": "Gizmo", "metadata": {"name": "g"}, "spec": {"x": 1}}
            ),
            namespace="default",
        )
    saved = json.loads(state.read_text())
    assert saved["format"] == "pykro-emulator-state/v1"
    with LocalCluster(simulate=False, state_file=state) as cluster:
        client = cluster.client()
        again = client.get(ConfigMap, "kept")
        assert again.metadata.uid == cm.metadata.uid and again.data == {"a": "1"}
        assert client.get(Gizmo, "g", namespace="default").spec == {"x": 1}
        new = client.create(ConfigMap(metadata=ObjectMeta(name="new")))
        assert int(new.metadata.resourceVersion) > int(again.metadata.resourceVersion)
        other = client.create(Service.from_dict({"metadata": {"name": "svc2"}, "spec": {"ports": [{"port": 1}]}}))
        assert other.spec.clusterIP != ip.spec.clusterIP
        assert client.get(Service, "svc").spec.clusterIP == ip.spec.clusterIP


def test_cli_start_writes_kubeconfig_and_stops_on_sigterm(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pykro",
            "emulator",
            "start",
            "--port",
            "0",
            "--no-simulate",
            "--kubeconfig",
            str(kubeconfig),
            "--state",
            str(tmp_path / "s.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("pykro emulator serving at https://127.0.0.1:")
    listed = subprocess.run(
        [sys.executable, "-m", "pykro", "emulator", "get", "ns", "--kubeconfig", str(kubeconfig)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "kube-system" in listed.stdout and "Active" in listed.stdout
    proc.terminate()
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "stopping" in out
    assert (tmp_path / "s.json").exists()


def _record(op: str, rv: int, obj: dict[str, Any]) -> bytes:
    """One journal line as the emulator writes it (checksum, space, JSON)."""
    meta = obj["metadata"]
    rec = {"rv": rv, "op": op, "g": "", "p": "configmaps", "ns": meta.get("namespace", ""), "n": meta["name"]}
    if op == "put":
        rec["o"] = obj
    body = json.dumps(rec).encode()
    return b"%08x %s\n" % (zlib.crc32(body), body)


def _cm(name: str, rv: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default", "resourceVersion": str(rv), "uid": name},
        "data": {"k": name},
    }


def test_journal_replayed_and_torn_tail_dropped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    state = tmp_path / "state.json"
    with LocalCluster(simulate=False, state_file=state):
        pass
    segment = tmp_path / "state.json.wal-000009"
    good = _record("put", 900, _cm("journaled", 900)) + _record("put", 901, _cm("gone", 901))
    good += _record("del", 902, _cm("gone", 902))
    torn = _record("put", 903, _cm("torn", 903))[:-25]
    segment.write_bytes(good + torn + bytes(4096))  # a crash in the middle of the last write; zero-filled after it
    with caplog.at_level(logging.WARNING), LocalCluster(simulate=False, state_file=state) as cluster:
        client = cluster.client()
        assert client.get(ConfigMap, "journaled").data == {"k": "journaled"}
        names = {cm.metadata.name for cm in client.list(ConfigMap, namespace="default")}
        assert "gone" not in names and "torn" not in names
        new = client.create(ConfigMap(metadata=ObjectMeta(name="after")))
        assert int(new.metadata.resourceVersion) > 902
    assert any("torn last journal record" in r.getMessage() for r in caplog.records)
    with LocalCluster(simulate=False, state_file=state) as cluster:  # everything folded into the snapshot on close
        names = {cm.metadata.name for cm in cluster.client().list(ConfigMap, namespace="default")}
        assert {"journaled", "after"} <= names
    assert not list(tmp_path.glob("state.json.wal-*"))


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b'{"format": "pykro-emulator-state/v1", "objects": [', "not valid JSON"),
        (b'{"format": "pykro-emulator-state/v1", "objects": [{"group": "", "object": {}}]}', 'no "plural"'),
        (
            b'{"format": "pykro-emulator-state/v1", "objects": [{"group": "", "plural": "configmaps", "object": '
            b'{"metadata": {"name": "x", "namespace": "default", "resourceVersion": "abc"}}}]}',
            "resourceVersion that is not a number",
        ),
        (
            b'{"format": "pykro-emulator-state/v1", "objects": [{"group": "", "plural": "configmaps", "object": {}}]}',
            "not an object with metadata",
        ),
    ],
)
def test_damaged_snapshot_is_named(tmp_path: Path, content: bytes, said: str) -> None:
    state = tmp_path / "state.json"
    state.write_bytes(content)
    with pytest.raises(PykroError) as info:
        LocalCluster(simulate=False, state_file=state).start()
    assert said in str(info.value) and str(state) in str(info.value)


def test_damaged_journal_record_before_the_end_is_an_error(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    bad = bytearray(_record("put", 5, _cm("a", 5)))
    bad[30] ^= 1  # a flipped bit: the checksum no longer holds
    (tmp_path / "state.json.wal-000001").write_bytes(bytes(bad) + _record("put", 6, _cm("b", 6)))
    with pytest.raises(PykroError) as info:
        LocalCluster(simulate=False, state_file=state).start()
    assert "journal record 1" in str(info.value) and "state.json.wal-000001" in str(info.value)


def test_damaged_state_on_the_cli_is_one_paragraph(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"format": "pykro-emulator-state/v1", "objects": [{"group": 1}]}')
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pykro",
            "emulator",
            "start",
            "--port",
            "0",
            "--no-simulate",
            "--no-tls",
            "--kubeconfig",
            str(tmp_path / "kc"),
            "--state",
            str(state),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr + run.stdout
    assert 'object #1 has no "group"' in run.stderr + run.stdout


def _start_cli(tmp_path: Path, state: Path) -> subprocess.CompletedProcess[str]:
    args = ["emulator", "start", "--port", "0", "--no-simulate", "--no-tls", "--kubeconfig", str(tmp_path / "kc")]
    return subprocess.run(
        [sys.executable, "-m", "pykro", *args, "--state", str(state)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _unusable_state(where: Path, case: str) -> Path:
    if case == "under a file":
        (where / "afile").write_text("x")
        return where / "afile" / "state.json"
    if case == "a directory":
        (where / "sdir").mkdir()
        return where / "sdir"
    if case == "not ours":
        (where / "kubeconfig").write_text("apiVersion: v1\nkind: Config\n")
        return where / "kubeconfig"
    (where / "v9.json").write_text('{"format": "pykro-emulator-state/v9", "objects": []}')
    return where / "v9.json"


@pytest.mark.parametrize(
    ("case", "said"),
    [
        ("under a file", "afile is not a directory"),
        ("a directory", "the emulator state file is a directory"),
        ("not ours", "the file is not a pykro emulator state file"),
        ("another format", "has format 'pykro-emulator-state/v9', and this pykro reads 'pykro-emulator-state/v1'"),
    ],
)
def test_a_state_path_that_cannot_be_used_is_one_sentence_naming_it(tmp_path: Path, case: str, said: str) -> None:
    """A state path under a file, a directory, a file that is not ours (never called damaged: the fix would be to
    delete it) or a state of another format: refused before serving, without a traceback, the file untouched."""
    state = _unusable_state(tmp_path, case)
    before = state.read_bytes() if state.is_file() else None
    run = _start_cli(tmp_path, state)
    out = run.stderr + run.stdout
    assert run.returncode == 1, out
    assert "Traceback" not in out and "cannot listen" not in out
    assert said in out and str(state) in out
    assert "delete the state files" not in out
    if before is not None:
        assert state.read_bytes() == before
    assert not state.with_name(state.name + ".lock").exists()  # nothing left beside it


def test_a_kubeconfig_path_under_a_file_is_refused_before_serving(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    args = ["emulator", "start", "--port", "0", "--no-simulate", "--no-tls", "--kubeconfig"]
    run = subprocess.run(
        [sys.executable, "-m", "pykro", *args, str(tmp_path / "afile" / "kc")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    out = run.stderr + run.stdout
    assert run.returncode == 1 and "Traceback" not in out and "internal error" not in out, out
    assert f"cannot write the kubeconfig: {tmp_path / 'afile'} is not a directory" in out
    assert "serving" not in out


def test_second_emulator_on_the_same_state_refuses(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with LocalCluster(simulate=False, state_file=state):
        with pytest.raises(PykroError) as info:
            LocalCluster(simulate=False, state_file=state).start()
        assert f"another emulator (pid {os.getpid()}) is using this state file" in str(info.value)
    with LocalCluster(simulate=False, state_file=state):  # released on stop
        pass


def test_local_reports_a_stalled_emulator(tmp_path: Path) -> None:
    home = tmp_path / "home"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pykro",
            "emulator",
            "start",
            "--port",
            "0",
            "--no-simulate",
            "--kubeconfig",
            str(home / "kubeconfig"),
            "--state",
            str(home / "state.json"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().startswith("pykro emulator serving at")
        assert ensure_local(home) == home / "kubeconfig"  # a live one is reused
        proc.send_signal(signal.SIGSTOP)  # alive, holding its state, answering nothing
        with pytest.raises(ClusterUnreachable) as info:
            ensure_local(home, stall_wait=1.0)
        assert f"pid {proc.pid}" in str(info.value) and "does not answer" in str(info.value)
        assert stop_local(home, grace=1.0)  # a stuck emulator is killed
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _spy_on_syncs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads that call fdatasync from now on."""
    from pykro.emulator import _persistence as persistence

    calls: list[str] = []
    real = os.fdatasync

    def spy(fd: int) -> None:
        calls.append(threading.current_thread().name)
        real(fd)

    monkeypatch.setattr(persistence.os, "fdatasync", spy)
    return calls


def test_the_default_journal_is_synced_right_behind_the_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalCluster(simulate=False, state_file=tmp_path / "state.json") as cluster:
        calls = _spy_on_syncs(monkeypatch)
        cluster.client().create(ConfigMap(metadata=ObjectMeta(name="one", namespace="default")))
        for _ in range(1000):  # the sync thread follows the write; wait for it (bounded, not timed)
            if "pykro-journal-sync" in calls:
                break
            time.sleep(0.01)
    assert "pykro-journal-sync" in calls
    with LocalCluster(simulate=False, state_file=tmp_path / "state.json") as cluster:
        assert cluster.client().get(ConfigMap, "one", namespace="default").metadata is not None


def test_state_fsync_syncs_each_write_before_answering(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalCluster(simulate=False, state_file=tmp_path / "state.json", state_fsync=True) as cluster:
        calls = _spy_on_syncs(monkeypatch)
        client = cluster.client()
        for i in range(3):
            before = len(calls)
            client.create(ConfigMap(metadata=ObjectMeta(name=f"cm-{i}", namespace="default")))
            assert len(calls) > before, "a create was answered before its journal record was synced"
        assert "pykro-journal-sync" not in calls
