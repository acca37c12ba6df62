"""Reading a kubeconfig: the file is checked as it is read, so a malformed one (bad YAML, no current-context, a
context naming a missing cluster or user, certificate data that is not base64 PEM) is a one-paragraph
`ClusterUnreachable` naming the file and the problem, never a traceback. `load` gives the chosen context as
`KubeSettings`; lightkube reads the same data only where pykro's client hands a connection to it (see
`pykro.deploy._client`), and the in-cluster service account is read by lightkube."""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pykro import _yamlio as yamlio
from pykro.deploy._errors import ClusterUnreachable
from pykro.errors import PykroError

__all__ = ["DEFAULT_KUBECONFIG", "KubeSettings", "default_path", "load"]

DEFAULT_KUBECONFIG = "~/.kube/config"


@dataclass
class KubeSettings:
    """One context of a kubeconfig: its ``cluster`` and ``user`` entries as written (the user None when the context
    names none), its namespace, and where it was read (``fname``; relative certificate paths are relative to its
    folder). ``data`` is the whole (merged) kubeconfig; ``single`` a lightkube configuration already made (the
    in-cluster service account), else None."""

    context_name: str
    cluster: dict[str, Any]
    user: dict[str, Any] | None
    namespace: str | None
    fname: Path | None
    data: dict[str, Any] = field(default_factory=dict, repr=False)
    single: Any = field(default=None, repr=False)

    @property
    def server(self) -> str:
        return str(self.cluster.get("server", "http://localhost:8080"))

    def abs_file(self, name: str) -> str:
        """A certificate path as lightkube reads it: relative to the kubeconfig's folder."""
        path = Path(name).expanduser()
        return str(path if path.is_absolute() or self.fname is None else self.fname.parent / path)

    def lightkube(self) -> Any:
        """This context as lightkube's `SingleConfig` (imports lightkube)."""
        if self.single is not None:
            return self.single
        from lightkube import KubeConfig

        return KubeConfig.from_dict(self.data, fname=self.fname).get(context_name=self.context_name)


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


def load(kubeconfig: str | Path | None, context: str | None) -> KubeSettings:
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
            found = _service_account(context)
            if found is not None:
                return found
            shown = os.pathsep.join(map(str, listed)) or f"{DEFAULT_KUBECONFIG} ($KUBECONFIG or ~/.kube/config)"
            raise ClusterUnreachable(f"no usable kubeconfig: {shown} does not exist", where=shown, fix=_FIX)
    where = str(paths[0])
    if not paths[0].exists():
        raise ClusterUnreachable(f"no usable kubeconfig: {where} does not exist", where=where, fix=_FIX)
    try:
        data = _merged(paths)
        chosen = _check(data, context, paths[0].parent)
    except PykroError as exc:
        raise ClusterUnreachable(f"no usable kubeconfig: {exc.what}", where=exc.where or where, fix=_FIX) from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ClusterUnreachable(f"no usable kubeconfig: {exc}", where=where, fix=_FIX) from None
    ctx = _named(data, "contexts", "context")[chosen]
    user_name = ctx.get("user")
    namespace = ctx.get("namespace")
    return KubeSettings(
        context_name=chosen,
        cluster=_named(data, "clusters", "cluster")[ctx["cluster"]],
        user=_named(data, "users", "user")[user_name] if user_name else None,
        namespace=namespace if isinstance(namespace, str) and namespace else None,
        fname=paths[0],
        data=data,
    )


def _service_account(context: str | None) -> KubeSettings | None:
    """The in-cluster service account's settings (read by lightkube), or None outside a pod."""
    from lightkube import KubeConfig
    from lightkube.core.exceptions import ConfigError

    try:
        single = KubeConfig.from_service_account().get(context_name=context)
    except ConfigError:
        return None
    if single is None:
        return None
    cluster = {"server": str(single.cluster.server)}
    return KubeSettings(single.context_name, cluster, {}, single.namespace, None, single=single)


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
