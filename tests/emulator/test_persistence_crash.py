"""Durability: kill -9 the emulator at random points of a stream of creates, 20 times; after every restart each
create it acknowledged (201) is there. Plain HTTP from four writer threads, so group commit batches concurrent
writes. Rounds take turns: the default journal (written before the answer, synced right behind it), `--state-fsync`
(synced before the answer) on the event loop, and `--state-fsync` with the sync on a thread (as on a slow disk)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from pykro import _yamlio as yamlio

ROUNDS = 20
WRITERS = 4


class Emulator:
    """`pykro emulator start` in a subprocess on a state file (plain HTTP)."""

    def __init__(self, tmp: Path, mode: str = "write") -> None:
        kubeconfig = tmp / "kubeconfig"
        inline = "-1" if mode == "fsync-threaded" else "0.001"
        fsync = ["--state-fsync"] if mode.startswith("fsync") else []
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                f"import sys, pykro.emulator._persistence as p; p.INLINE_SYNC = {inline}; "
                "from pykro.cli.main import main; main(sys.argv[1:])",
                "emulator",
                "start",
                "--port",
                "0",
                "--no-simulate",
                "--no-tls",
                "--kubeconfig",
                str(kubeconfig),
                "--state",
                str(tmp / "state.json"),
                *fsync,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line.startswith("pykro emulator serving at "), line + self.proc.communicate()[1]
        self.server = line.split()[-1]
        config: Any = yamlio.load_file(kubeconfig)
        self.token = config["users"][0]["user"]["token"]

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        req = urllib.request.Request(
            self.server + path,
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def kill(self) -> None:
        self.proc.kill()
        self.proc.communicate()


def _write(emulator: Emulator, prefix: str, acked: list[str]) -> None:
    """Create ConfigMaps until the emulator dies; record every name it acknowledged."""
    for i in range(1_000_000):
        name = f"{prefix}-{i}"
        body = {"metadata": {"name": name}, "data": {"n": str(i)}}
        try:
            code, _ = emulator.request("POST", "/api/v1/namespaces/default/configmaps", body)
        except (OSError, urllib.error.URLError):
            return
        assert code == 201, code
        acked.append(name)


@pytest.mark.slow
def test_kill_9_never_loses_an_acknowledged_create(tmp_path: Path) -> None:
    rng = random.Random(7)
    acked: list[str] = []
    emulator = Emulator(tmp_path)
    try:
        for round_ in range(ROUNDS):
            threads = [
                threading.Thread(target=_write, args=(emulator, f"r{round_}w{w}", acked)) for w in range(WRITERS)
            ]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.05, 0.6))  # a random point of the stream
            emulator.kill()
            for t in threads:
                t.join()
            emulator = Emulator(tmp_path, ("write", "fsync", "fsync-threaded")[round_ % 3])
            code, listed = emulator.request("GET", "/api/v1/namespaces/default/configmaps")
            assert code == 200
            present = {item["metadata"]["name"] for item in listed["items"]}
            lost = [name for name in acked if name not in present]
            assert not lost, f"round {round_}: {len(lost)} acknowledged creates lost, e.g. {lost[:5]}"
        assert len(acked) > ROUNDS * WRITERS  # the stream did write between the kills
    finally:
        emulator.kill()
