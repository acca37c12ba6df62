"""Reading a kubeconfig: the file is checked before lightkube sees it, so a malformed one (bad YAML, no
current-context, a context naming a missing cluster or user, certificate data that is not base64 PEM) is a
one-paragraph `ClusterUnreachable` naming the file and the problem, never a traceback."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from typing import Any

from lightkube import KubeConfig
from lightkube.config.kubeconfig import DEFAULT_KUBECONFIG, SingleConfig
from lightkube.core.exceptions import ConfigError

from pykro import _yamlio as yamlio
from pykro.deploy._errors import ClusterUnreachable
from pykro.errors import PykroError

__all__ = ["default_path", "load"]

_FIX = "Fix the kubeconfig, pass another --kubeconfig/--context, or use --local to run against the embedded emulator."
_CERT_FIELDS = {
    "cluster": ("certificate-authority-data",),
    "user": ("client-certificate-data", "client-key-data"),
}
_FILE_FIELDS = {"cluster": ("certificate-authority",), "user": ("client-certificate", "client-key")}


def default_path() -> Path:
    """The first file of ``$KUBECONFIG`` (it may list several) or ``~/.kube/config``: where a kubeconfig would
    be written."""
    return (_env_paths() or [Path(DEFAULT_KUBECONFIG).expanduser()])[0]


def _env_paths() -> list[Path]:
    env = os.environ.get("KUBECONFIG", "")
    return [Path(p).expanduser() for p in env.split(os.pathsep) if p]


def load(kubeconfig: str | Path | None, context: str | None) -> SingleConfig:
    """The cluster, user and namespace of ``context`` (default: current-context) of the kubeconfig, found as
    kubectl finds it: ``kubeconfig``, else every file ``$KUBECONFIG`` lists (merged: the first file that names a
    cluster, user, context or current-context wins), else ``~/.kube/config``, else the in-cluster service account."""
    if kubeconfig is not None:
        paths = [Path(kubeconfig).expanduser()]
    else:
        listed = _env_paths()
        paths = [p for p in listed if p.exists()] if listed else [Path(DEFAULT_KUBECONFIG).expanduser()]
        paths = [p for p in paths if p.exists()]
        if not paths:
            try:
                single = KubeConfig.from_service_account().get(context_name=context)
            except ConfigError:
                single = None
            if single is not None:
                return single
            shown = os.pathsep.join(map(str, listed)) or f"{DEFAULT_KUBECONFIG} ($KUBECONFIG or ~/.kube/config)"
            raise ClusterUnreachable(f"no usable kubeconfig: {shown} does not exist", where=shown, fix=_FIX)
    where = str(paths[0])
    if not paths[0].exists():
        raise ClusterUnreachable(f"no usable kubeconfig: {where} does not exist", where=where, fix=_FIX)
    try:
        data = _merged(paths)
        chosen = _check(data, context, paths[0].parent)
        single = KubeConfig.from_dict(data, fname=paths[0]).get(context_name=chosen)
    except PykroError as exc:
        raise ClusterUnreachable(f"no usable kubeconfig: {exc.what}", where=exc.where or where, fix=_FIX) from None
    except (ConfigError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ClusterUnreachable(f"no usable kubeconfig: {exc}", where=where, fix=_FIX) from None
    assert single is not None
    return single


def _merged(paths: list[Path]) -> dict[str, Any]:
    """One kubeconfig from several files, as kubectl merges ``$KUBECONFIG``: for each name the first file wins;
    relative certificate paths are made absolute against the file that names them."""
    if len(paths) == 1:
        return _parse(paths[0])
    merged: dict[str, Any] = {"apiVersion": "v1", "kind": "Config"}
    for path in paths:
        data = _parse(path)
        if "current-context" not in merged and data.get("current-context"):
            merged["current-context"] = data["current-context"]
        for section, inner in (("clusters", "cluster"), ("users", "user"), ("contexts", "context")):
            known = {entry.get("name") for entry in merged.setdefault(section, [])}
            for entry in data.get(section) or []:
                if not isinstance(entry, dict) or entry.get("name") in known:
                    continue
                body = entry.get(inner)
                if isinstance(body, dict):
                    body = dict(body)
                    for field in _FILE_FIELDS.get(inner, ()):
                        value = body.get(field)
                        if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
                            body[field] = str(path.parent / value)
                merged[section].append({**entry, inner: body})
                known.add(entry.get("name"))
    return merged


def _parse(path: Path) -> dict[str, Any]:
    data = yamlio.load_user(yamlio.read_user_file(path, what="kubeconfig"), str(path))
    if not isinstance(data, dict):
        raise PykroError("the file is not a kubeconfig (a YAML mapping with clusters, users and contexts)")
    return data


def _named(data: dict[str, Any], section: str, inner: str) -> dict[str, dict[str, Any]]:
    """``clusters``/``users``/``contexts`` as name -> body; malformed entries are errors naming the section."""
    entries = data.get(section) or []
    if not isinstance(entries, list):
        raise PykroError(f"{section} must be a list of {{name: ..., {inner}: ...}} entries")
    out: dict[str, dict[str, Any]] = {}
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise PykroError(f"{section}[{i}] has no name")
        body = entry.get(inner)
        if not isinstance(body, dict):
            raise PykroError(f"{section}[{i}] ({entry['name']!r}) has no {inner} mapping")
        out[entry["name"]] = body
    return out


def _check(data: dict[str, Any], context: str | None, base: Path) -> str:
    """The context to use, after checking what it names exists and its certificate data decodes."""
    contexts = _named(data, "contexts", "context")
    clusters = _named(data, "clusters", "cluster")
    users = _named(data, "users", "user")
    known = ", ".join(repr(n) for n in contexts) or "none"
    chosen = context or data.get("current-context")
    if not chosen:
        raise PykroError(f"it sets no current-context and no --context was given (contexts: {known})")
    if not isinstance(chosen, str) or chosen not in contexts:
        raise PykroError(f"context {chosen!r} is not defined in it (contexts: {known})")
    ctx = contexts[chosen]
    cluster_name, user_name = ctx.get("cluster"), ctx.get("user")
    if not cluster_name or cluster_name not in clusters:
        raise PykroError(f"context {chosen!r} names cluster {cluster_name!r}, which is not defined in it")
    if user_name and user_name not in users:
        raise PykroError(f"context {chosen!r} names user {user_name!r}, which is not defined in it")
    cluster = clusters[cluster_name]
    if not isinstance(cluster.get("server"), str) or not cluster["server"]:
        raise PykroError(f"cluster {cluster_name!r} has no server address")
    for kind, name, body in (("cluster", cluster_name, cluster), ("user", user_name, users.get(user_name or "", {}))):
        for key in _CERT_FIELDS[kind]:
            if key in body:
                _check_pem(body[key], f"{kind} {name!r}: {key}")
        for key in _FILE_FIELDS[kind]:  # relative paths are relative to the kubeconfig, as kubectl reads them
            if key in body and not (base / Path(str(body[key])).expanduser()).is_file():
                raise PykroError(f"{kind} {name!r}: {key} {str(body[key])!r} is not a file")
    return chosen


def _check_pem(value: Any, what: str) -> None:
    try:
        decoded = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise PykroError(f"{what} is not base64") from None
    if b"-----BEGIN " not in decoded:
        raise PykroError(f"{what} is not a base64-encoded PEM certificate or key")
