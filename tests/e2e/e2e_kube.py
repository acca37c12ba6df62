"""A small Kubernetes REST client for the e2e suite: kubeconfig (bearer token + CA), discovery, server-side apply."""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pykro import _yamlio as yamlio

Obj = dict[str, Any]
FIELD_MANAGER = "pykro-e2e"
RETRIES_429 = 30


class KubeError(Exception):
    """A non-2xx answer from the apiserver."""

    def __init__(self, method: str, path: str, status: int, body: Obj) -> None:
        super().__init__(f"{method} {path} -> {status}: {body.get('message', body)}")
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Resource:
    """Where a kind is served: its REST collection name and whether it lives in namespaces."""

    api_version: str
    kind: str
    plural: str
    namespaced: bool

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        base = "/api/v1" if self.api_version == "v1" else f"/apis/{self.api_version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        return f"{base}/{name}" if name else base


class Kube:
    """Just enough of the Kubernetes API for the tests, over the standard library's HTTP client."""

    def __init__(self, server: str, token: str, ca_file: str) -> None:
        self.server = server.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._tls = ssl.create_default_context(cafile=ca_file)
        self._groups: dict[str, list[Obj]] = {}

    @classmethod
    def from_kubeconfig(cls, path: Path) -> Kube:
        config = yamlio.load_file(path)
        context = next(c["context"] for c in config["contexts"] if c["name"] == config["current-context"])
        cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == context["cluster"])
        user = next(u["user"] for u in config["users"] if u["name"] == context["user"])
        return cls(cluster["server"], user["token"], cluster["certificate-authority"])

    def request(
        self, method: str, path: str, body: Obj | None = None, content_type: str = "application/json", **query: str
    ) -> Obj:
        """A JSON request; non-2xx answers raise KubeError."""
        payload = self.send(method, path, None if body is None else json.dumps(body).encode(), content_type, **query)
        result: Obj = json.loads(payload) if payload else {}
        return result

    def send(
        self, method: str, path: str, data: bytes | None = None, content_type: str = "application/json", **query: str
    ) -> bytes:
        """A raw request (e.g. `/readyz`, which answers plain text); non-2xx answers raise KubeError.

        429 (e.g. "storage is (re)initializing" right after a CRD is created) is retried after its Retry-After,
        as client-go does.
        """
        url = self.server + path + (f"?{urllib.parse.urlencode(query)}" if query else "")
        headers = dict(self._headers, **({"Content-Type": content_type} if data is not None else {}))
        attempt = 0
        while True:
            attempt += 1
            req = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, context=self._tls, timeout=60) as resp:
                    payload: bytes = resp.read()
                    return payload
            except urllib.error.HTTPError as err:
                raw = err.read()
                if err.code == 429 and attempt <= RETRIES_429:
                    time.sleep(float(err.headers.get("Retry-After") or 1))
                    continue
                try:
                    detail = json.loads(raw)
                except ValueError:
                    detail = {"message": raw.decode(errors="replace")}
                raise KubeError(method, path, err.code, detail) from None

    # ------------------------------------------------------------------------------------------------ discovery

    def resource(self, api_version: str, kind: str) -> Resource:
        """The collection serving `kind`, re-reading discovery once when it is not (yet) known."""
        for refresh in (False, True):
            for entry in self._group_resources(api_version, refresh):
                if entry["kind"] == kind and "/" not in entry["name"]:
                    return Resource(api_version, kind, entry["name"], bool(entry["namespaced"]))
        raise LookupError(f"the apiserver does not serve {kind} in {api_version}")

    def _group_resources(self, api_version: str, refresh: bool) -> list[Obj]:
        if refresh or api_version not in self._groups:
            path = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
            try:
                self._groups[api_version] = self.request("GET", path).get("resources", [])
            except KubeError as err:
                if err.status != 404:
                    raise
                self._groups[api_version] = []
        return self._groups[api_version]

    # --------------------------------------------------------------------------------------------------- verbs

    def apply(self, obj: Obj, namespace: str | None = None, *, dry_run: bool = False) -> Obj:
        """Server-side apply `obj` (forcing conflicts), defaulting a namespaced object's namespace; `dry_run` runs
        defaulting, validation and admission without persisting anything."""
        res = self.resource(obj["apiVersion"], obj["kind"])
        meta = obj.setdefault("metadata", {})
        if res.namespaced and namespace and not meta.get("namespace"):
            meta["namespace"] = namespace
        path = res.path(meta.get("namespace"), meta["name"])
        query = {"fieldManager": FIELD_MANAGER, "force": "true"} | ({"dryRun": "All"} if dry_run else {})
        return self.request("PATCH", path, obj, "application/apply-patch+yaml", **query)

    def create(self, obj: Obj, namespace: str | None = None, *, dry_run: bool = False) -> Obj:
        """POST `obj` (what `kubectl create` does), defaulting a namespaced object's namespace."""
        res = self.resource(obj["apiVersion"], obj["kind"])
        meta = obj.setdefault("metadata", {})
        if res.namespaced and namespace and not meta.get("namespace"):
            meta["namespace"] = namespace
        query = {"dryRun": "All"} if dry_run else {}
        return self.request("POST", res.path(meta.get("namespace")), obj, **query)

    def get(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> Obj | None:
        try:
            return self.request("GET", self.resource(api_version, kind).path(namespace, name))
        except KubeError as err:
            if err.status == 404:
                return None
            raise

    def list(self, api_version: str, kind: str, namespace: str | None = None) -> list[Obj]:
        items: list[Obj] = self.request("GET", self.resource(api_version, kind).path(namespace)).get("items", [])
        return items

    def delete(self, api_version: str, kind: str, name: str, namespace: str | None = None) -> None:
        """Delete an object; a missing one is fine."""
        try:
            self.request("DELETE", self.resource(api_version, kind).path(namespace, name))
        except KubeError as err:
            if err.status != 404:
                raise

    def wait_gone(self, api_version: str, kind: str, name: str, namespace: str | None, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.get(api_version, kind, name, namespace) is not None:
            if time.monotonic() > deadline:
                raise AssertionError(f"{kind} {name} still exists {timeout:.0f}s after it was deleted")
            time.sleep(0.5)
