"""Run a kro chainsaw test case (chainsaw-test.yaml + its files) against a live cluster.

Covers the operations kro's cases use: apply, assert, error, delete, wait, sleep (and `finally`); `catch` only
collects pod logs in kro's CI and is skipped here. Assertions follow chainsaw's rules: the expected document is a
subset of the live object, arrays match element by element with equal length, and a `(expr)` key is evaluated on
the live object first (the one form kro's cases use: `(field[?key == 'value'])`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from e2e_kube import Kube, Obj

from pykro import _yamlio as yamlio

FILTER = re.compile(r"^([A-Za-z_][\w.]*)\[\?\s*(\w+)\s*==\s*'([^']*)'\s*\]$")
JSONPATH_TOKEN = re.compile(r"\.(\w+)|\[\?\(@\.(\w+)\s*==\s*'([^']*)'\)\]")
DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def seconds(duration: str) -> float:
    """A Go duration such as `5s`, `2m` or `1m30s` in seconds."""
    parts = DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a duration: {duration!r}")
    return sum(float(n) * UNITS[u] for n, u in parts)


def query(actual: Any, expr: str) -> Any:
    """Evaluate chainsaw's `(path[?key == 'value'])` projection on `actual`."""
    found = FILTER.match(expr.strip())
    if not found:
        raise ValueError(f"unsupported chainsaw expression ({expr}): only `field[?key == 'value']` is implemented")
    path, key, value = found.groups()
    node = actual
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return [item for item in node or [] if isinstance(item, dict) and item.get(key) == value]


def unordered_required(value: Any) -> Any:
    """`value` with every OpenAPI `required` list sorted: it is a set, and kro v0.9.3 writes it in Go map order
    (pkg/simpleschema/transform.go ranges over a map), so its order changes from one kro run to the next."""
    if isinstance(value, dict):
        return {
            k: sorted(v)
            if k == "required" and isinstance(v, list) and all(isinstance(i, str) for i in v)
            else unordered_required(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [unordered_required(v) for v in value]
    return value


def mismatch(expected: Any, actual: Any, where: str = "") -> str | None:
    """Why `actual` does not satisfy `expected` (chainsaw subset rules), or None when it does.

    One deviation from chainsaw: `required` string lists compare as sets (see `unordered_required`).
    """
    if not where:
        expected, actual = unordered_required(expected), unordered_required(actual)
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where or '.'}: expected an object, found {actual!r}"
        for key, want in expected.items():
            if key.startswith("(") and key.endswith(")"):
                problem = mismatch(want, query(actual, key[1:-1]), f"{where}.{key}")
            elif key not in actual:
                problem = f"{where}.{key}: missing"
            else:
                problem = mismatch(want, actual[key], f"{where}.{key}")
            if problem:
                return problem
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where}: expected {len(expected)} item(s), found {actual!r}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            problem = mismatch(want, got, f"{where}[{index}]")
            if problem:
                return problem
        return None
    same_type = isinstance(expected, bool) == isinstance(actual, bool)
    if not same_type or expected != actual:
        return f"{where}: expected {expected!r}, found {actual!r}"
    return None


def jsonpath(obj: Any, path: str) -> str:
    """kubectl-style `{.a.b[?(@.k=='v')].c}` output (matches joined by spaces)."""
    body = path.strip().removeprefix("{").removesuffix("}")
    if "".join(m.group(0) for m in JSONPATH_TOKEN.finditer(body)) != body:
        raise ValueError(f"unsupported JSONPath {path!r}: only .field and [?(@.key=='value')] are implemented")
    nodes: list[Any] = [obj]
    for token in JSONPATH_TOKEN.finditer(body):
        name, key, value = token.groups()
        if name:
            nodes = [n[name] for n in nodes if isinstance(n, dict) and name in n]
        else:
            nodes = [i for n in nodes if isinstance(n, list) for i in n if isinstance(i, dict) and i.get(key) == value]
    return " ".join(str(n) for n in nodes)


def poll(what: str, timeout: float, check: Callable[[], str | None]) -> None:
    """Call `check` until it reports no problem; fail with its last report after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            problem = check()
        except LookupError as err:  # a kind not served yet (an instance CRD being established)
            problem = str(err)
        if problem is None:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still failing after {timeout:.0f}s: {problem}")
        time.sleep(0.5)


@dataclass
class Run:
    """One chainsaw case being run in its own namespace; remembers what it applied for the cleanup."""

    kube: Kube
    case_dir: Path
    namespace: str
    timeout: float
    applied: list[Obj] = field(default_factory=list)
    checked: int = 0  # assert/error documents that held on the cluster

    def run(self) -> None:
        test: Obj = yamlio.load_file(self.case_dir / "chainsaw-test.yaml")
        for step in test["spec"]["steps"]:
            try:
                for operation in step.get("try", []):
                    self.operate(operation, step.get("name", "?"))
            finally:
                for operation in step.get("finally", []):
                    self.operate(operation, step.get("name", "?"))

    def operate(self, operation: Obj, step: str) -> None:
        kinds = [k for k in ("apply", "assert", "error", "delete", "wait", "sleep", "podLogs") if k in operation]
        if len(kinds) != 1:
            raise ValueError(f"{self.case_dir.name}/{step}: unsupported chainsaw operation {sorted(operation)}")
        kind = kinds[0]
        spec = operation[kind]
        where = f"{self.case_dir.name} step {step!r}: {kind} {spec.get('file', '')}".rstrip()
        if kind == "apply":
            for doc in self.documents(spec):
                poll(where, self.timeout, partial(self.apply, doc))
        elif kind == "assert":
            for doc in self.documents(spec):
                poll(where, self.timeout, partial(self.find_problem, doc))
                self.checked += 1
        elif kind == "error":
            for doc in self.documents(spec):
                poll(where, self.timeout, partial(self.find_match, doc))
                self.checked += 1
        elif kind == "delete":
            self.delete(self.bind(spec["ref"]))
        elif kind == "wait":
            self.wait(self.bind(spec), where)
        elif kind == "sleep":
            time.sleep(seconds(spec["duration"]))

    def documents(self, spec: Obj) -> list[Obj]:
        if "resource" in spec:
            return [self.bind(spec["resource"])]
        return [self.bind(doc) for doc in yamlio.load_all((self.case_dir / spec["file"]).read_text()) if doc]

    def bind(self, value: Any) -> Any:
        """Substitute chainsaw's `($namespace)` binding (the only one kro's cases use)."""
        if isinstance(value, dict):
            return {k: self.bind(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.bind(v) for v in value]
        return self.namespace if value == "($namespace)" else value

    def apply(self, doc: Obj) -> str | None:
        """Apply one document (always succeeds or raises; shaped for `poll`, which retries unknown kinds)."""
        live = self.kube.apply(dict(doc), self.namespace)
        meta = live["metadata"]
        ref = {"apiVersion": doc["apiVersion"], "kind": doc["kind"], "name": meta["name"]}
        if meta.get("namespace"):
            ref["namespace"] = meta["namespace"]
        if ref not in self.applied:
            self.applied.append(ref)
        return None

    def candidates(self, doc: Obj) -> list[Obj]:
        res = self.kube.resource(doc["apiVersion"], doc["kind"])
        meta = doc.get("metadata", {})
        namespace = meta.get("namespace", self.namespace) if res.namespaced else None
        if "name" in meta:
            live = self.kube.get(doc["apiVersion"], doc["kind"], meta["name"], namespace)
            return [] if live is None else [live]
        return self.kube.list(doc["apiVersion"], doc["kind"], namespace)

    def find_problem(self, doc: Obj) -> str | None:
        """None when a live object matches `doc`, else why the closest one does not."""
        found = self.candidates(doc)
        problems = [mismatch(doc, live) for live in found]
        if not found:
            return f"no {doc['kind']} {doc.get('metadata', {}).get('name', '')} found"
        return None if None in problems else problems[0]

    def find_match(self, doc: Obj) -> str | None:
        """None when no live object matches `doc` (chainsaw's `error` operation)."""
        found = [live for live in self.candidates(doc) if mismatch(doc, live) is None]
        return f"{doc['kind']} {found[0]['metadata']['name']} matches but must not" if found else None

    def delete(self, ref: Obj) -> None:
        res = self.kube.resource(ref["apiVersion"], ref["kind"])
        namespace = ref.get("namespace", self.namespace) if res.namespaced else None
        self.kube.delete(ref["apiVersion"], ref["kind"], ref["name"], namespace)
        self.kube.wait_gone(ref["apiVersion"], ref["kind"], ref["name"], namespace, self.timeout)

    def wait(self, spec: Obj, where: str) -> None:
        condition = spec["for"]
        if "jsonPath" in condition:
            path, want = condition["jsonPath"]["path"], str(condition["jsonPath"]["value"])
        elif "condition" in condition:
            path = f"{{.status.conditions[?(@.type=='{condition['condition']['name']}')].status}}"
            want = str(condition["condition"].get("value", "True"))
        else:
            raise ValueError(f"{where}: unsupported wait {sorted(condition)}")
        timeout = max(self.timeout, seconds(spec["timeout"])) if "timeout" in spec else self.timeout

        def check() -> str | None:
            live = self.kube.get(spec["apiVersion"], spec["kind"], spec["name"], spec.get("namespace"))
            got = None if live is None else jsonpath(live, path)
            return None if got == want else f"{path} is {got!r}, want {want!r}"

        poll(where, timeout, check)

    def cleanup(self) -> None:
        """Delete what the case applied, newest first, waiting for each to go (chainsaw's cleanup)."""
        for ref in reversed(self.applied):
            try:
                self.kube.delete(ref["apiVersion"], ref["kind"], ref["name"], ref.get("namespace"))
            except LookupError:  # its kind is no longer served: nothing left to delete
                continue
            self.kube.wait_gone(ref["apiVersion"], ref["kind"], ref["name"], ref.get("namespace"), self.timeout)
