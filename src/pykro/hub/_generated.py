"""Generated secrets: ``random_password(32)`` in a form's spec function is one random value per tenant, made the
first time the tenant is deployed and the same ever after — across syncs and restarts, because it is kept in the
cluster (a Secret ``pykro-hub.<hub>.<hash of the uid>`` labelled ``pykro.io/hub`` and ``pykro.io/role:
hub-generated``, one key ``<form>.<spec path>`` per value), never in memory only.

A value may only go to a spec field typed ``SecretStr`` (pykro masks those in the instance record, diffs and
messages, and keeps the spec in a Secret); elsewhere the row fails, saying so. It is never printed: a message
about the row masks it. In kro mode it may only be in a form's hub part (`pykro.hub._split`: a Lynq form's
Secret), never in an instance CR's spec (not a Secret)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from pykro.deploy import _inventory as inv
from pykro.deploy._api import NAMESPACE_TYPE, SECRET_TYPE, Cluster
from pykro.errors import PykroError
from pykro.graph import _secrets as graph_secrets
from pykro.hub._model import HUB, HUB_ROW, Step, SyncReport

__all__ = [
    "RandomPassword",
    "Vault",
    "keep",
    "keep_pending",
    "load",
    "mask",
    "misplaced",
    "random_password",
    "store_name",
]

if TYPE_CHECKING:
    from pykro.hub._hub import Hub

ROLE_VALUE: Final = "hub-generated"
ALPHABET: Final = string.ascii_letters + string.digits


@dataclass(frozen=True)
class RandomPassword:
    """The marker a spec mapping returns for a generated value: the hub makes it once per tenant (see
    `random_password`)."""

    length: int

    def make(self) -> str:
        return "".join(secrets.choice(ALPHABET) for _ in range(self.length))


def random_password(length: int = 32) -> RandomPassword:
    """One random password (letters and digits) per tenant for this spec field, made once and kept in the cluster;
    the field must be typed ``SecretStr``."""
    if not isinstance(length, int) or isinstance(length, bool) or not 8 <= length <= 256:
        raise PykroError(
            f"random_password({length!r}): the length must be a whole number from 8 to 256", fix="E.g. 32."
        )
    return RandomPassword(length)


def store_name(hub: str, uid: str) -> str:
    return f"pykro-hub.{hub}.{hashlib.sha256(uid.encode()).hexdigest()[:16]}"


@dataclass
class Vault:
    """The generated values of one sync: those kept in the cluster (by uid, then key) and those made now."""

    stored: dict[str, dict[str, str]] = field(default_factory=dict)
    pending: dict[str, dict[str, str]] = field(default_factory=dict)
    kro: bool = False

    def fill(self, form: str, uid: str, values: Any) -> tuple[Any, dict[str, str]]:
        """``values`` with each `RandomPassword` replaced by the tenant's value; also key → value of those."""
        used: dict[str, str] = {}

        def walk(value: Any, path: list[str]) -> Any:
            if isinstance(value, RandomPassword):
                key = ".".join([form, *path])
                found = self.stored.get(uid, {}).get(key) or self.pending.get(uid, {}).get(key)
                if found is None:
                    found = value.make()
                    self.pending.setdefault(uid, {})[key] = found
                used[key] = found
                return found
            if isinstance(value, dict):
                return {k: walk(v, [*path, str(k)]) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [walk(v, [*path, str(i)]) for i, v in enumerate(value)]
            return value

        return walk(values, []), used


def misplaced(graph: Any, spec: dict[str, Any], values: set[str]) -> list[str]:
    """Spec paths (dotted) holding one of ``values`` that are not ``SecretStr`` fields of ``graph``."""
    allowed = [p for p in graph_secrets.secret_paths(graph)]
    out: list[str] = []

    def fits(path: list[str]) -> bool:
        return any(
            len(p) == len(path)
            and all(a in ("*", b) or (a == "*" and b.isdigit()) for a, b in zip(p, path, strict=True))
            for p in allowed
        )

    def walk(value: Any, path: list[str]) -> None:
        if isinstance(value, str) and value in values and not fits(path):
            out.append(".".join(path))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, [*path, str(k)])
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, [*path, str(i)])

    walk(spec, [])
    return out


def mask(text: str, values: dict[str, str]) -> str:
    """``text`` with every generated value replaced by ``***``."""
    for value in values.values():
        text = text.replace(value, "***")
    return text


async def load(hub: Hub, cluster: Cluster) -> dict[str, dict[str, str]]:
    """The values kept in the cluster for ``hub``, by uid then key."""
    items, _ = await cluster.list(SECRET_TYPE, cluster.namespace, {HUB: hub.name, inv.ROLE: ROLE_VALUE})
    out: dict[str, dict[str, str]] = {}
    for obj in items:
        uid = ((obj.get("metadata") or {}).get("annotations") or {}).get(HUB_ROW)
        if uid is None:
            continue
        data = obj.get("data") or {}
        out[str(uid)] = {k: base64.b64decode(v).decode() for k, v in data.items()}
    return out


async def keep(hub: Hub, cluster: Cluster, uid: str, vault: Vault) -> None:
    """Write the values made for ``uid`` in this sync next to those kept before (all keys: an apply of a part
    would drop the rest)."""
    values = {**vault.stored.get(uid, {}), **vault.pending.get(uid, {})}
    obj = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": store_name(hub.name, uid),
            "namespace": cluster.namespace,
            "labels": {HUB: hub.name, inv.ROLE: ROLE_VALUE},
            "annotations": {HUB_ROW: uid},
        },
        "data": {k: base64.b64encode(v.encode()).decode() for k, v in sorted(values.items())},
    }
    await cluster.apply(SECRET_TYPE, obj)
    vault.stored[uid] = values
    vault.pending.pop(uid, None)


async def keep_pending(hub: Hub, cluster: Cluster, report: SyncReport, steps: list[Step], vault: Vault) -> list[Step]:
    """Keep the values made in this sync for the rows about to be created or updated (before their deploy); a row
    whose values cannot be kept fails and its steps are dropped. The steps left."""
    dropped: set[str] = set()
    for uid in sorted({s.uid for s in steps if s.action in ("created", "updated")} & vault.pending.keys()):
        try:
            if not await cluster.reachable(cluster.namespace):  # the instances' deploys would create it too
                ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": cluster.namespace}}
                await cluster.apply(NAMESPACE_TYPE, ns)
            await keep(hub, cluster, uid, vault)
        except PykroError as exc:
            dropped.add(uid)
            for s in steps:
                if s.uid == uid and s.action in ("created", "updated"):
                    why = f"cannot keep its generated secrets: {exc}"
                    report.add(s.form.name, uid, s.name, "failed", why)
    return [s for s in steps if not (s.uid in dropped and s.action in ("created", "updated"))]
