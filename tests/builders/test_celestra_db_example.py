"""examples/celestra_db.py (seed 003) runs: golden YAML, every object valid against the Kubernetes 1.35 schema,
the seed's numbers in place, and the script writes the files."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from pykro import _yamlio as yamlio
from pykro.schema._kubernetes import validate_object

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "celestra_db.py"
GOLDEN = Path(__file__).resolve().parent / "golden" / "celestra_db.yaml"


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pykro_example_celestra_db", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_golden(example: ModuleType) -> None:
    text = yamlio.dump_all(example.objects())
    if os.environ.get("PYKRO_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_objects_are_valid_and_carry_the_seed_values(example: ModuleType) -> None:
    objects = example.objects()
    for obj in objects:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))
    by = {(o["kind"], o["metadata"]["name"]): o for o in objects}
    prod = by[("StatefulSet", "production-db")]["spec"]
    assert prod["replicas"] == 3
    assert prod["template"]["spec"]["containers"][0]["resources"] == {"requests": {"cpu": "1000m", "memory": "4Gi"}}
    assert prod["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "100Gi"
    assert by[("CronJob", "production-db-backup")]["spec"]["schedule"] == "0 2 * * *"
    assert by[("Service", "production-db")]["spec"]["selector"] == {"app": "production-db"}
    ha = by[("StatefulSet", "postgres-ha")]["spec"]
    assert ha["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "fast-ssd"
    assert ha["template"]["spec"]["containers"][0]["volumeMounts"] == [
        {"name": "data", "mountPath": "/var/lib/postgresql/data"}
    ]
    assert ha["template"]["spec"]["serviceAccountName"] == "postgres-sa"
    binding = by[("RoleBinding", "postgres-ha-postgres-role")]
    assert binding["roleRef"]["name"] == "postgres-role" and binding["subjects"][0]["name"] == "postgres-sa"
    assert by[("NetworkPolicy", "postgres-policy")]["spec"]["podSelector"] == {"matchLabels": {"app": "postgres-ha"}}
    backup = by[("CronJob", "postgres-ha-backup")]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert "-mtime +30 -delete" in backup["containers"][0]["command"][2]


def test_the_script_writes_the_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(EXAMPLE), str(tmp_path)], check=True, cwd=REPO)
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.yaml"))
    assert "production/cronjob-production-db-backup.yaml" in written
    assert "complete/rolebinding-postgres-ha-postgres-role.yaml" in written
    assert "complete/networkpolicy-postgres-policy.yaml" in written
    assert "basic/statefulset-postgres.yaml" in written


def test_the_composition(example: ModuleType) -> None:
    rgd = example.database.to_rgd_yaml()
    assert "replicas: ${schema.spec.replicas}" in rgd and "schedule: ${schema.spec.backupSchedule}" in rgd
    objects = example.database.to_manifests(example.DatabaseSpec(replicas=2, storage="5Gi"), namespace="db")
    for obj in objects:
        assert validate_object(obj) == [], (obj["kind"], validate_object(obj))
    kinds = sorted(o["kind"] for o in objects)
    assert kinds == ["CronJob", "PersistentVolumeClaim", "Service", "StatefulSet"]
