"""pykro._yamlio: the fast writer vs PyYAML's CSafeDumper (same settings, the fallback path) on kro's RGD fixtures
and on 200 Deployment+Service pairs; warm (scalar caches filled) and cold (caches emptied before each run)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.fixtures import fixture_dir
from bench.timing import per_call
from pykro import _yamlemit
from pykro import _yamlio as yamlio

KRO_FIXTURES = fixture_dir("kro")


def fixture_rgds() -> list[Any]:
    rgds: list[Any] = []
    for path in sorted(KRO_FIXTURES.rglob("*.yaml")):
        try:
            docs = list(yamlio.load_all(path.read_text(encoding="utf-8")))
        except Exception:  # Helm templates and other non-YAML text
            continue
        rgds.extend(d for d in docs if isinstance(d, dict) and d.get("kind") == "ResourceGraphDefinition")
    return rgds


def app_pair(i: int) -> list[dict[str, Any]]:
    name = f"tenant-{i}-web"
    labels = {"app": name, "app.kubernetes.io/managed-by": "pykro"}
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": f"tenant-{i}", "labels": dict(labels)},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "args": ["--port=8080", "--log-level", "info"],
                            "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                            "env": [
                                {"name": "DB_HOST", "value": f"tenant-{i}-db"},
                                {"name": "DEBUG", "value": "false"},
                            ],
                            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}},
                            "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 5},
                        }
                    ]
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": f"tenant-{i}", "labels": dict(labels)},
        "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}], "type": "ClusterIP"},
    }
    return [deployment, service]


def compare(label: str, fast: Callable[[], str], baseline: Callable[[], str]) -> None:
    assert fast() == baseline(), f"{label}: outputs differ"

    def cold() -> str:
        _yamlemit._VALUES.clear()
        _yamlemit._KEYS.clear()
        return fast()

    base = per_call(baseline)
    warm = per_call(fast)
    cold_t = per_call(cold)
    print(f"{label}: PyYAML {base * 1e3:8.2f} ms | yamlio warm {warm * 1e3:7.2f} ms ({base / warm:5.1f}x) | ", end="")
    print(f"cold {cold_t * 1e3:7.2f} ms ({base / cold_t:5.1f}x)")


def main() -> None:
    rgds = fixture_rgds()
    assert all(_yamlemit.emit([r], yamlio._pyyaml_dump_all) is not None for r in rgds)
    compare(
        f"kro fixture RGDs, {len(rgds)} dumps",
        lambda: "".join(yamlio.dump(r) for r in rgds),
        lambda: "".join(yamlio._pyyaml_dump_all([r]) for r in rgds),
    )
    manifests = [obj for i in range(200) for obj in app_pair(i)]
    compare(
        "200 Deployment+Service pairs, one dump_all",
        lambda: yamlio.dump_all(manifests),
        lambda: yamlio._pyyaml_dump_all(manifests),
    )


if __name__ == "__main__":
    main()
