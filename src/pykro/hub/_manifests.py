"""`hub_manifests`: what runs a hub inside the cluster — a ServiceAccount, the RBAC its forms need and a Deployment
running ``pykro hub run`` (one replica, Recreate: two hubs must never sync at once). Every object is checked
against the Kubernetes schemas pykro ships before it is returned.

Rights: the hub's own objects (instance records and their Secrets, Leases for the instance locks, Events) in its
namespace; each form's resource kinds with every verb the deploy engine uses — in a Role when the kind is
namespaced and its templates never name a namespace, in a ClusterRole otherwise (cluster-scoped kinds, objects in
other namespaces, kinds pykro does not know), read-only for ``externalRef`` kinds. The database URL (which holds a
password) never appears: the container reads it from a Secret key into ``PYKRO_HUB_SOURCE``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from pykro._kubenames import config_key
from pykro.deploy._names import check_name
from pykro.errors import PykroError
from pykro.graph._crd import plural_of
from pykro.schema._kubernetes import resource_for, split_api_version, validate_object

__all__ = ["hub_manifests"]

if TYPE_CHECKING:
    from pykro.hub._hub import Hub

WRITE: Final = ["get", "list", "watch", "create", "update", "patch", "delete"]
READ: Final = ["get", "list", "watch"]
_OWN: Final = [
    ("", "configmaps", WRITE),
    ("", "secrets", WRITE),
    ("", "events", ["create", "patch"]),
    ("coordination.k8s.io", "leases", WRITE),
]


def _rules(entries: dict[tuple[str, str], set[str]]) -> list[dict[str, Any]]:
    """RBAC rules, one per (group, verbs), resources sorted."""
    grouped: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for (group, plural), verbs in sorted(entries.items()):
        ordered = tuple(v for v in WRITE if v in verbs) + tuple(sorted(verbs - set(WRITE)))
        grouped.setdefault((group, ordered), []).append(plural)
    return [{"apiGroups": [g], "resources": r, "verbs": list(v)} for (g, v), r in grouped.items()]


def _kinds(hub: Hub) -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], set[str]]]:
    """(namespaced rules, cluster rules) for the forms' resources — in kro mode for the RGDs and the instance CRs,
    the kro controller doing the rest (but for the hub parts of split forms): (group, plural) → verbs."""
    local: dict[tuple[str, str], set[str]] = {}
    wide: dict[tuple[str, str], set[str]] = {}
    applied = [(form, form.factory.graph) for form in hub.forms.values()]
    if hub.mode == "kro":
        wide[("kro.run", "resourcegraphdefinitions")] = set(WRITE)
        wide[("apiextensions.k8s.io", "customresourcedefinitions")] = set(READ)
        for form in hub.forms.values():
            graph = form.kro_graph
            local.setdefault((graph.group, plural_of(graph.kind)), set()).update(WRITE)
        applied = [(form, form.split.part.factory.graph) for form in hub.forms.values() if form.split is not None]
    for form, graph in applied:
        for res in graph.resources:
            body = res.template if res.template is not None else res.external_ref or {}
            api_version, kind = str(body.get("apiVersion", "")), str(body.get("kind", ""))
            if not kind or "${" in api_version + kind:
                raise PykroError(
                    f"form {form.name!r}: resource {res.id!r} has a computed apiVersion/kind, so its rights "
                    "cannot be written down",
                    where=form.where,
                    fix="Write the RBAC for it by hand next to these manifests.",
                )
            info = resource_for(api_version, kind)
            group = split_api_version(api_version)[0]
            plural = info.plural if info is not None else plural_of(kind)
            named = "namespace" in (body.get("metadata") or {})
            target = local if info is not None and info.namespaced and not named else wide
            verbs = set(READ) if res.template is None else set(WRITE)
            target.setdefault((group, plural), set()).update(verbs)
    return local, wide


def _check_options(image: str, source_secret: str | None, source_key: str) -> None:
    """What the API server takes but the hub's Pod could never use: an image name with blanks, a Secret name or
    key that no Secret can have."""
    if not image.strip() or any(c.isspace() for c in image):
        raise PykroError(
            f"--image {image!r} is not an image reference (it is empty or holds blanks)",
            where="--image",
            fix="Give the image that holds pykro and the hub's files, e.g. registry.example/team/hub:1.0.",
        )
    if source_secret is not None:
        check_name(source_secret, what="Secret name", where="--source-secret")
        if config_key(source_key):
            raise PykroError(
                f"--source-key {source_key!r} cannot be a key of a Secret (letters, digits, '-', '_' and '.')",
                where="--source-key",
                fix="Give the key holding the database URL in the Secret, e.g. url.",
            )


def hub_manifests(
    hub: Hub,
    *,
    image: str,
    files_in_image: list[str],
    namespace: str,
    source_secret: str | None = None,
    source_key: str = "url",
    hub_option: bool = False,
) -> list[dict[str, Any]]:
    """The objects running ``hub`` in ``namespace`` from ``image`` (which holds the hub's files at
    ``files_in_image`` — a Python file, or Lynq YAML files — and what they import); ``source_secret``/``source_key``
    name the Secret key holding the database URL; ``hub_option``: the files define several hubs (``--hub`` picks)."""
    _check_options(image, source_secret, source_key)
    name = f"pykro-hub-{hub.name}"
    labels = {"app.kubernetes.io/name": "pykro-hub", "app.kubernetes.io/instance": hub.name}
    meta = {"name": name, "namespace": namespace, "labels": labels}
    local, wide = _kinds(hub)
    for group, plural, verbs in _OWN:
        local.setdefault((group, plural), set()).update(verbs)
    subject = [{"kind": "ServiceAccount", "name": name, "namespace": namespace}]
    objects: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta, "rules": _rules(local)},
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": meta,
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": subject,
        },
    ]
    if wide:
        cluster_name = f"{name}-{namespace}"
        cluster_meta = {"name": cluster_name, "labels": labels}
        objects += [
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": cluster_meta,
                "rules": _rules(wide),
            },
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": cluster_meta,
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_name},
                "subjects": subject,
            },
        ]
    env: list[dict[str, Any]] = [{"name": "HOME", "value": "/tmp"}]  # a read-only root: caches go to /tmp
    if source_secret is not None:
        env.append(
            {
                "name": "PYKRO_HUB_SOURCE",
                "valueFrom": {"secretKeyRef": {"name": source_secret, "key": source_key}},
            }
        )
    container: dict[str, Any] = {
        "name": "hub",
        "image": image,
        "command": [
            *("pykro", "hub", "run", *files_in_image),
            *(("--hub", hub.name) if hub_option else ()),
            *("-n", namespace, "--mode", hub.mode),
        ],
        "env": env,
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        },
    }
    objects.append(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta,
            "spec": {
                "replicas": 1,
                "strategy": {"type": "Recreate"},
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "serviceAccountName": name,
                        "containers": [container],
                        "volumes": [{"name": "tmp", "emptyDir": {}}],
                    },
                },
            },
        }
    )
    for obj in objects:
        causes = validate_object(obj)
        if causes:  # pykro's own output: a bug, said plainly
            raise AssertionError(f"{obj['kind']} {name}: {'; '.join(c.message for c in causes)}")
    return objects
