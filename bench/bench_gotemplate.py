"""Go templates (pykro's engine for LynqForm templates): a Deployment form of 30 actions parsed once and executed
per row, against Go itself (tools/gotemplate-check, when scripts/tools.sh has built it) executing the same
template on the same rows in one process; and the cost of parsing."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from bench.timing import per_call
from pykro._gotemplate import parse

FORM = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .uid | trunc63 }}-app
  labels:
    app: "{{ .uid }}"
    plan: "{{ .planId | default "basic" }}"
    region: "{{ .region | default "global" }}"
    hash: "{{ .uid | sha1sum | trunc 8 }}"
spec:
  replicas: "{{ .maxReplicas | default "2" | int }}"
  template:
    spec:
      automountServiceAccountToken: "{{ .autoMount | default "false" | bool }}"
      containers:
      - name: app
        image: "{{ .deployImage | default "myapp:latest" }}"
        ports: [{containerPort: "{{ .appPort | default "8080" | int }}"}]
        env:
        - {name: NODE_ID, value: "{{ .uid }}"}
        - {name: REGION, value: "{{ .region | default "us-east-1" }}"}
        - {name: HOST, value: "{{ .domainUrl | toHost }}"}
        - {name: DEBUG, value: "{{ ternary "true" "false" (eq .planId "enterprise") }}"}
        - {name: API, value: "{{ (.config | fromJson).endpoint }}"}
        {{- if .region }}
        - {name: ZONE, value: "{{ .region | upper }}-{{ .zone | default "a" }}"}
        {{- end }}
        {{- range $k, $v := (.labels | fromJson) }}
        - {name: "{{ $k | upper | replace "-" "_" }}", value: {{ $v | quote }}}
        {{- end }}
        resources:
          limits: {cpu: "{{ .cpuLimit | default "1.0" | float }}", memory: "{{ .memoryLimit | default "512" }}Mi"}
"""


def _rows(n: int) -> list[dict[str, object]]:
    return [
        {
            "uid": f"tenant-{i:05d}",
            "planId": ("basic", "pro", "enterprise")[i % 3],
            "region": "eu-west-1" if i % 2 else "",
            "maxReplicas": str(1 + i % 5),
            "deployImage": f"registry.example.com/app:{i % 7}",
            "domainUrl": f"https://t{i}.example.com:8443/x",
            "config": json.dumps({"endpoint": f"https://api{i}.example.com"}),
            "labels": json.dumps({"team-name": f"team{i % 4}", "cost-center": str(1000 + i)}),
            "cpuLimit": "1.5",
        }
        for i in range(n)
    ]


def _go_seconds_per_row(rows: list[dict[str, object]]) -> float | None:
    bindir = subprocess.run(
        [str(Path(__file__).resolve().parents[1] / "scripts" / "tools.sh"), "bindir"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    checker = Path(bindir) / "gotemplate-check"
    if not checker.exists():
        return None
    cases = [{"template": FORM, "data": r, "missingkey": "default"} for r in rows]

    def run(k: int) -> float:
        start = time.perf_counter()
        subprocess.run([str(checker)], input=json.dumps(cases[:k]), capture_output=True, text=True, check=True)
        return time.perf_counter() - start

    # Go parses the template once per case; the difference between two batch sizes is the per-row cost.
    small, large = min(run(10) for _ in range(3)), min(run(len(rows)) for _ in range(3))
    return (large - small) / (len(rows) - 10)


def _cpu(fn: Callable[[], object]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


def main() -> None:
    rows = _rows(1000)
    template = parse(FORM)
    actions = FORM.count("{{")
    per_parse = per_call(lambda: parse(FORM))
    per_row = per_call(lambda: [template.execute(r) for r in rows]) / len(rows)
    cpu = min(_cpu(lambda: [template.execute(r) for r in rows]) for _ in range(3)) / len(rows)
    print(f"  parse, {actions} actions: {per_parse * 1e6:8.1f} us")
    print(f"  execute per row:    {per_row * 1e6:8.1f} us ({per_row / actions * 1e6:.2f} us per action)")
    print(f"  execute per row, CPU time of this process: {cpu * 1e6:8.1f} us")
    go = _go_seconds_per_row(rows)
    if go is None:
        print("  Go: gotemplate-check not built (scripts/tools.sh build)")
    else:
        print(f"  Go parse+execute per row (incl. JSON decode): {go * 1e6:8.1f} us; pykro/Go {per_row / go:.2f}x")


if __name__ == "__main__":
    main()
